"""Cross-document resolution (``graph/store/resolve.py``) against its definition: a citation
resolves to the first document in corpus order that matches it by number, else by title; the
pools of candidates and the titles looked for once are shortcuts to that answer."""

from __future__ import annotations

from cchc_graph.graph.store.resolve import _NOT_BY_TITLE, Resolver, resolve_all
from hypothesis import given, settings
from hypothesis import strategies as st

# few of each, so that the same titles are cited again, alike but for one of these
TITLES = (["cach", "cai", "chinh", "hanh"], ["cai", "cach"], ["chinh", "hanh", "so"], [])
TYPES = (None, "ke_hoach", "quyet_dinh", "luat")
# a place, its province before and after the 2025 merger (``same_place``), another, none
PLACES = (None, "vn-bac-ninh", "vn2025-bac-ninh", "vn-ha-noi")
NUMBERS = (None, "1/kh-ubnd", "2/kh-ubnd")
CITED_NUMBERS = (*NUMBERS, "9/qd-ubnd")  # (and one no document bears)
YEARS = ([], ["2024"], ["2025"], ["2024", "2025"])


@st.composite
def corpus(draw: st.DrawFn) -> tuple[list[dict], list[tuple[str, list[dict]]]]:
    def title() -> dict:
        return {"type": draw(st.sampled_from(TYPES)), "words": draw(st.sampled_from(TITLES)),
                "years": draw(st.sampled_from(YEARS))}

    docs = []
    for i in range(draw(st.integers(1, 12))):
        number = draw(st.sampled_from(NUMBERS))
        docs.append({"id": f"d{i:02}", "numbered": number is not None, "number": number,
                     "jurisdiction": draw(st.sampled_from(PLACES)), **title()})
    citations = [(draw(st.sampled_from(docs))["id"],
                  [{"id": f"c{k}", "number": draw(st.sampled_from(CITED_NUMBERS)),
                    "scope": draw(st.sampled_from(PLACES)), **title()}])
                 for k in range(draw(st.integers(1, 40)))]
    return docs, citations


def _plainly(docs: list[dict], citing: str, c: dict) -> str | None:
    """The definition: every document in corpus order by number, then every one by title."""
    r = Resolver(docs)
    for test in (r.by_number_ok, r.by_title_ok):
        if test is r.by_title_ok and c["type"] in _NOT_BY_TITLE:
            break
        for i, d in enumerate(docs):
            if test(citing, c, i):
                return d["id"]
    return None


@settings(max_examples=300, deadline=None)
@given(corpus())
def test_every_citation_resolves_to_the_first_document_that_matches_it(
        given_corpus: tuple[list[dict], list[tuple[str, list[dict]]]]) -> None:
    docs, citations = given_corpus
    expected = {c["id"]: found for citing, cs in citations for c in cs
                if (found := _plainly(docs, citing, c)) is not None}
    assert resolve_all(docs, citations) == expected


def test_a_title_matching_only_the_citing_document_first_resolves_to_the_next() -> None:
    """The title's first match is looked for once for all who cite it: a document citing a
    title it bears itself gets the next match, the others the first."""
    docs = [{"id": f"d{i}", "numbered": False, "number": None, "type": "ke_hoach", "jurisdiction": "vn-ha-noi",
             "words": ["cai", "cach", "hanh", "chinh"], "years": ["2025"]} for i in range(3)]
    cite = {"number": None, "type": "ke_hoach", "scope": "vn-ha-noi", "words": ["cai", "cach", "hanh", "chinh"],
            "years": ["2025"]}
    got = resolve_all(docs, [("d0", [{**cite, "id": "c0"}]), ("d1", [{**cite, "id": "c1"}]),
                             ("d2", [{**cite, "id": "c2"}])])
    assert got == {"c0": "d1", "c1": "d0", "c2": "d0"}
