"""Search's names (``named.Names``), counted and read a window at a time, answer as the whole
list made the plain way (``_search_plainly``: every name holding the phrase folded and ranked):
the same names in the same order, the same count, for every window and whichever way the first
names are read (walking the index of their order, sorting them, a walk that gives up), on the
seeds, on names made equal to a query in every group (with ids shared between groups), and on
a store without the indexes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cchc_graph.graph.questions import match, named, queries
from cchc_graph.graph.questions.index import Corpus, Database
from cchc_graph.graph.store import database as db

from tests.test_windows import _search_plainly, same_answers, without_indexes

QUERIES = [("cải cách", ()), ("Nội vụ", ()), ("UBND tỉnh", ()), ("Phòng Nội vụ", ()), ("95%", ()),
           ("kế hoạch", ("document",)), ("Sở Nội vụ", ("agency", "indicator")), ("PAR INDEX", ()),
           ("30c/NQ-CP", ()), ("x", ()), ("không có đâu", ())]


def _plan(monkeypatch: pytest.MonkeyPatch, plan: str) -> None:
    """Every window of names read the one way: "sort", "walk", or a walk that gives up at
    once ("gives up", then sorted)."""
    monkeypatch.setattr(named.Names, "_plan", lambda self, stop: "sort" if plan == "sort" else "walk")
    if plan == "gives up":
        monkeypatch.setattr(named.Names, "_walked", lambda self, n, skip: None)


def _names_of(c: Corpus, query: str, types: tuple[str, ...] = ()) -> Any:
    """Search's names part (read as asked), on a snapshot with nothing kept."""
    names = queries.search(Corpus(c._conn), query, types)._keys._parts[0]
    assert isinstance(names, named.Names)
    return names


@pytest.mark.parametrize("plan", ["sort", "walk", "gives up"])
@pytest.mark.parametrize(("query", "types"), QUERIES)
def test_the_names_of_the_seeds_read_as_the_whole_list(seed_corpus: Corpus, query: str, types: tuple,
                                                       plan: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _plan(monkeypatch, plan)
    expected = [k for k in _search_plainly(seed_corpus, query, types) if k[0] == "names"]
    same_answers(_names_of(seed_corpus, query, types), expected)
    whole = _search_plainly(seed_corpus, query, types)
    same_answers(queries.search(Corpus(seed_corpus._conn), query, types)._keys, whole)


@pytest.mark.parametrize(("run", "gap"), [(2, 0), (5, 1), (40, 50)])
def test_a_walk_in_short_runs_reads_the_same(seed_corpus: Corpus, run: int, gap: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of a few entries, each entry its own range of rowids: windows deep in the list walk
    across runs and groups."""
    monkeypatch.setattr(match, "WALK_RUN", run)
    monkeypatch.setattr(match, "WALK_GAP", gap)
    _plan(monkeypatch, "walk")
    for query, types in QUERIES:
        expected = [k for k in _search_plainly(seed_corpus, query, types) if k[0] == "names"]
        same_answers(_names_of(seed_corpus, query, types), expected)


def _made() -> Corpus:
    """Names equal to "Phòng Nội vụ" in every group, some only by a name after another holding
    the phrase, some by a long name of punctuation; ids shared between an agency, a document, a
    cited document and an indicator (a cited document equal to the query by the id of an
    agency that is not: ranked as the agency)."""
    agencies = [
        {"id": "ag:a", "name": "Phòng Nội vụ huyện", "aliases": ["Phòng Nội vụ"]},  # equal by its alias only
        {"id": "ag:b", "name": "Phòng --- Nội ..... vụ !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!", "aliases": []},
        {"id": "ag:c", "name": "PHÒNG NỘI VỤ", "aliases": ["Phòng Nội vụ thị xã"]},
        {"id": "shared", "name": "Văn phòng Nội vụ", "aliases": []},
        {"id": "ag:d", "name": "Phòng Nội vụ và các cơ quan khác của huyện " * 3, "aliases": []},
        # (names enough of one node to fill a first read of the sorted names: it reads on)
        {"id": "ag:e", "name": "Phòng Nội vụ xã", "aliases": [f"Phòng Nội vụ xã {i}" for i in range(40)]},
        {"id": "twice", "name": "Văn phòng Nội vụ tỉnh", "aliases": []},
    ]
    documents = [
        {"id": "d1", "type": "ke_hoach", "number": "12/KH-PNV", "title": "Phòng Nội vụ"},
        {"id": "d2", "type": "ke_hoach", "number": "Phòng Nội vụ", "title": "Về công tác của Phòng Nội vụ"},
        {"id": "d3", "number_inferred": "Phòng - Nội vụ", "title": "Kế hoạch của Phòng Nội vụ năm 2024"},
        {"id": "d4", "title": "Kế hoạch khác"},
        {"id": "shared", "title": "Phòng Nội vụ"},
    ]
    references = [{"id": "r1", "number": None, "title": "Phòng Nội vụ"},
                  {"id": "shared", "number": "1/PNV", "title": "phong noi vu"},
                  {"id": "r2", "number": "2/PNV", "title": "Về Phòng Nội vụ"},
                  {"id": "twice", "number": None, "title": "Phòng Nội vụ"}]  # (an agency's id, first)
    indicators = [{"id": "shared", "name": "Phòng Nội vụ", "aliases": []},
                  {"id": "i1", "name": "Chỉ số Phòng Nội vụ", "aliases": ["Phòng Nội vụ"]}]
    return Corpus.from_export({"agencies": agencies, "documents": documents, "references": references,
                               "indicators": indicators})


@pytest.mark.parametrize("plan", ["sort", "walk", "gives up"])
@pytest.mark.parametrize("types", [(), ("agency",), ("document",), ("indicator",), ("document", "indicator")])
@pytest.mark.parametrize("query", ["Phòng Nội vụ", "phong noi vu", "nội vụ", "Kế hoạch", "PNV", "Phòng Nội vụ xã"])
def test_names_equal_to_the_query_in_every_group_come_first(query: str, types: tuple, plan: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _plan(monkeypatch, plan)
    c = _made()
    expected = [k for k in _search_plainly(c, query, types) if k[0] == "names"]
    same_answers(_names_of(c, query, types), expected)
    hits = queries.search(Corpus(c._conn), query, types)
    assert [h.id for h in hits] == _ids(c, _search_plainly(c, query, types))


def _ids(c: Corpus, keys: list[tuple[str, Any]]) -> list[str]:
    """The ids of search's hits, from their keys: a name's node, a row's id."""
    return [c.rows("SELECT node FROM names WHERE rowid = ?", (k,))[0][0] if t == "names" else k for t, k in keys]


def test_the_names_equal_to_the_query_are_found_by_their_keys() -> None:
    """The equal names first, agencies before the others (a long name of punctuation is equal),
    then the others in order. A node is ranked by its first name holding the phrase (ag:a by
    "Phòng Nội vụ huyện", not its equal alias; i1 likewise) and listed once ("shared": as the
    agency, whose names come first)."""
    c = _made()
    hits = queries.search(c, "Phòng Nội vụ", ())
    assert [(h.id, h.type) for h in hits] == [
        ("ag:b", "agency"), ("ag:c", "agency"), ("d1", "document"), ("d2", "document"), ("d3", "document"),
        ("r1", "document"), ("ag:a", "agency"), ("shared", "agency"), ("ag:d", "agency"), ("ag:e", "agency"),
        ("twice", "agency"), ("r2", "document"), ("i1", "indicator")]
    assert [h.id for h in hits] == _ids(c, _search_plainly(c, "Phòng Nội vụ"))


def test_a_store_without_the_indexes_sorts_and_answers_the_same(seed_store: Path, tmp_path: Path) -> None:
    """A store built before ``names_order`` and ``documents_title_fold``: the first names
    sorted, the equal titles found by a scan; the same answers."""
    store = without_indexes(seed_store, tmp_path, "names_order", "documents_title_fold")
    with Database(store / db.DB_NAME).snapshot() as c:
        for query, types in QUERIES:
            names = _names_of(c, query, types)
            assert names._plan(50) == "sort"
            same_answers(names, [k for k in _search_plainly(c, query, types) if k[0] == "names"])
