"""Forgiving names: nearest suggestions on no match, ambiguous ids that say what they match,
and messages that name the option to use (issue: names that failed with no help)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cchc_graph.api.cli import cli
from cchc_graph.graph.questions.display import short
from cchc_graph.graph.questions.index import NotFound
from cchc_graph.graph.questions.suggest import document_choices, hint, nearest
from cchc_graph.keys import fold_key
from click.testing import CliRunner


def run(store: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, [*args, "--store", str(store)])
    return r.exit_code, r.output


@pytest.mark.parametrize(("query", "meant"), [
    ("Phong Noi vuu", "Phòng Nội vụ"),  # a typo, no accents
    ("Phòng Văn hóa Thông tin", "Phòng Văn hóa và Thông tin"),  # "và" left out
    ("Phòng Nội vụ thành phố Vị Thanh", "Phòng Nội vụ"),  # a place appended
    ("Sở Nội vụ", "Phòng Nội vụ"),  # the provincial office where the seeds have the city's
])
def test_unknown_agency_suggests_the_nearest(seed_store: Path, query: str, meant: str) -> None:
    code, out = run(seed_store, "agency", query)
    assert code == 2
    assert f"did you mean: “{meant} (" in out  # first, with where it is
    assert "Ban Thường vụ" not in out  # names that only share a word are not offered


def test_unknown_jurisdiction_suggests_the_nearest(seed_store: Path) -> None:
    code, out = run(seed_store, "who-leads", "tuyên truyền", "-j", "Hau Giamg")
    assert code == 2 and "no jurisdiction matches 'Hau Giamg'" in out and "“tỉnh Hậu Giang”" in out


def test_tw_for_tu_suggests_the_stored_number(seed_store: Path) -> None:
    code, out = run(seed_store, "cites", "03-NQ/TW")
    assert code == 2
    assert "did you mean: “03-NQ/TU”" in out  # the document in the store first
    assert "18-NQ/TW (ngoài kho / cited only)" in out  # cited-only numbers are marked as such


def test_a_title_matches_by_whole_words_and_ambiguity_says_why(seed_store: Path) -> None:
    # "02" is inside "2021" in every title: not a match any more
    code, out = run(seed_store, "matrix", "-d", "02")
    assert code == 2 and "matches several" not in out and "002_0387e2864a5773df" in out
    code, out = run(seed_store, "matrix", "-d", "2021")
    assert code == 2
    assert "matches the title of 4 documents" in out
    # each candidate with what it is, so the user can pick one
    assert "002_0387e2864a5773df (Kế hoạch: Tổng thể Cải cách hành chính" in " ".join(out.split())


def test_cascade_without_parent_names_the_option(seed_store: Path) -> None:
    code, out = run(seed_store, "cascade", "03-NQ/TU")
    assert code == 2 and "--parent" in out


def test_who_leads_with_an_agency_name_points_to_the_agency_option(seed_store: Path) -> None:
    code, out = run(seed_store, "who-leads", "Phòng Tư pháp")
    assert code == 1 and "--agency" in out  # no task text names it: empty, with the way to ask


def test_an_entity_matching_nothing_suggests_documents_and_agencies(seed_corpus) -> None:
    with pytest.raises(NotFound, match="Phòng Nội vụ"):
        seed_corpus.resolve_entity("Phong noi vu vi thanhh")


def test_metric_words_in_any_order(seed_corpus) -> None:
    from cchc_graph.graph.questions.cascade import find_metric

    assert find_metric(seed_corpus, "hồ sơ trực tuyến") == ["dossier_online_rate"]
    with pytest.raises(NotFound, match="Tỷ lệ hồ sơ TTHC giải quyết trực tuyến"):
        find_metric(seed_corpus, "ho so truc tuyenn")


def test_nearest_on_own_names() -> None:
    names = {"so tu phap": "Sở Tư pháp", "so noi vu": "Sở Nội vụ", "ban dan van": "Ban Dân vận"}
    assert nearest("So Noi Vuj", names) == ["Sở Nội vụ"]
    assert nearest("Sở Nội vụ tỉnh Bình Định", names)[0] == "Sở Nội vụ"
    assert nearest("xyz", names) == [] and hint([]) == ""


def test_the_api_gives_the_same_suggestions(seed_store: Path) -> None:
    from cchc_graph.api.app import create_app
    from fastapi.testclient import TestClient

    client = TestClient(create_app(seed_store), raise_server_exceptions=False)
    r = client.get("/agencies/roles", params={"q": "Phong Noi vuu"})
    assert r.status_code == 404 and "“Phòng Nội vụ (thành phố Vị Thanh)”" in r.json()["detail"]
    r = client.get("/cited-by", params={"number": "03-NQ/TW"})
    assert r.status_code == 404 and "“03-NQ/TU”" in r.json()["detail"]


def _choices_plainly(c) -> dict[str, str]:
    """``suggest.document_choices`` by its definition: every document's and cited document's
    record (a document's over its reference's), each key folded here and each label read."""
    out: dict[str, str] = {}
    in_corpus = {d for (d,) in c.rows("SELECT id FROM documents")}
    for did, rec in c.label_records().items():
        for f in ("number", "number_inferred"):
            if rec.get(f):
                out[fold_key(rec[f])] = rec[f] + ("" if did in in_corpus else " (ngoài kho / cited only)")
        if did in in_corpus:
            label = f"{did} · {short(c.label(did), 70)}"
            out[fold_key(did.split("_")[0])] = label
            if rec.get("title"):
                out.setdefault(fold_key(rec["title"]), label)
    return out


@pytest.mark.parametrize("corpus", ["seed_corpus", "own_corpus"])
def test_document_choices_read_the_stored_folds_as_folding_them_would(corpus: str,
                                                                     request: pytest.FixtureRequest) -> None:
    """The numbers, id starts and titles offered for a document that matched nothing, read
    from the folds the store keeps, are those folding each record gives, in the same order."""
    c = request.getfixturevalue(corpus)
    cited = {d for (d,) in c.rows("SELECT id FROM refs")}
    stored = {d for (d,) in c.rows("SELECT id FROM documents")}
    assert cited - stored and stored  # (both kinds of document offered)
    assert list(document_choices(c).items()) == list(_choices_plainly(c).items())
