"""Answers read a window at a time (who-leads and search of a phrase, the calendar, the
citations, the inconsistent citations of kept findings) answer as the whole lists computed the
plain way did: the same items in the same order, the same count, whichever way a window is
read (walking an index or sorting) and on stores without the index."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from cchc_graph.graph.questions import match, named, planning, queries, trace
from cchc_graph.graph.questions.index import Corpus, Database
from cchc_graph.graph.questions.tables import EXPORT_ORDER, Chain, export_ordered
from cchc_graph.graph.store import database as db
from cchc_graph.keys import expand_query, fold_key

PHRASES = ["cải cách", "tuyên truyền", "thủ tục hành chính", "Nội vụ", "kế hoạch", "x", "không có đâu"]


@pytest.fixture
def seed(seed_corpus: Corpus) -> Corpus:
    """The seed snapshot with nothing kept yet (each test's windows read its own way)."""
    return Corpus(seed_corpus._conn)


def windows(n: int) -> list[slice]:
    """Windows of a list of n: from the start, inside, across the end, past it, stepped."""
    return [slice(0, 3), slice(2, 7), slice(1, n - 1), slice(n - 3, n + 5), slice(n, n + 2), slice(0, n),
            slice(-2, None), slice(0, n, 2), slice(5, 2)]


def without_indexes(store: Path, tmp_path: Path, *names: str) -> Path:
    """A copy of a built store without these indexes, as a store built before them is."""
    copy = tmp_path / "old"
    shutil.copytree(store, copy)
    conn = sqlite3.connect(copy / db.DB_NAME)
    for name in names:
        conn.execute(f"DROP INDEX {name}")
    conn.commit()
    conn.close()
    return copy


def same_answers(got: Any, expected: list) -> None:
    """``got`` (a sequence read as asked) holds ``expected``: its length, every window, each
    item by index, and read whole."""
    assert len(got) == len(expected)
    for w in windows(len(expected)):
        assert list(got[w]) == expected[w], w
    if expected:
        assert got[0] == expected[0] and got[-1] == expected[-1]
    assert list(got) == expected


# --- who leads: the tasks holding a phrase, led first ---------------------------------------------

def _who_leads_plainly(c: Corpus, phrase: str) -> list[str]:
    """The tasks holding the phrase, led first, then by document and place: the list the
    question made whole before it read windows."""
    where, params = match.condition(c, "tasks", [match.words(phrase)])
    return [i for (i,) in c.rows(f"SELECT id FROM tasks WHERE {where} ORDER BY leads = 0, doc, start, "
                                 f"{EXPORT_ORDER}", params)]


@pytest.mark.parametrize("plan", ["sort", "list", "walk"])
@pytest.mark.parametrize("phrase", PHRASES)
def test_who_leads_reads_any_window_as_the_whole_list(seed: Corpus, phrase: str, plan: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _who_leads_plainly(seed, phrase)
    monkeypatch.setattr(match.Ranked, "_plan", lambda self, stop, walk=True: plan if walk or plan != "walk" else "list")
    ids = queries.who_leads(seed, phrase)._keys  # the task ids, before the answers are built
    assert isinstance(ids, match.Ranked)
    same_answers(ids, expected)
    answers = queries.who_leads(Corpus(seed._conn), phrase)
    assert [a.task for a in answers[1:4]] == expected[1:4] and [a.task for a in answers] == expected


@pytest.mark.parametrize("plan", ["sort", "list", "walk"])
def test_who_leads_read_whole_is_its_first_page_then_the_rest(seed: Corpus, plan: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A command printing every answer reads the first page as a window (walked, for a common
    phrase), then the rest from one query past it; its answers built a short run first."""
    monkeypatch.setattr(match.Ranked, "FIRST", 2)
    monkeypatch.setattr(match.Ranked, "_plan", lambda self, stop, walk=True: plan if walk or plan != "walk" else "list")
    monkeypatch.setattr(queries.Answers, "FIRST", 1)
    monkeypatch.setattr(queries.Answers, "RUN", 3)
    for phrase in PHRASES:
        expected = _who_leads_plainly(seed, phrase)
        assert list(queries.who_leads(Corpus(seed._conn), phrase)._keys) == expected
        assert [a.task for a in queries.who_leads(Corpus(seed._conn), phrase)] == expected
    assert len(_who_leads_plainly(seed, "cải cách")) > 5  # (both parts read)


@pytest.mark.parametrize(("run", "gap"), [(3, 0), (7, 1), (40, 50)])
def test_a_walk_in_short_runs_or_over_scattered_rows_reads_the_same(seed: Corpus, run: int, gap: int,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of a few entries, each entry its own range of rowids (merged into one past eight)."""
    monkeypatch.setattr(match, "WALK_RUN", run)
    monkeypatch.setattr(match, "WALK_GAP", gap)
    monkeypatch.setattr(match.Ranked, "_plan", lambda self, stop, walk=True: "walk" if walk else "list")
    for phrase in PHRASES:
        same_answers(queries.who_leads(Corpus(seed._conn), phrase)._keys, _who_leads_plainly(seed, phrase))
    same_answers(queries.search(seed, "Nội vụ")._keys, _search_plainly(seed, "Nội vụ"))


@pytest.mark.parametrize("slack", [0.0, 1e9])  # (a run at most / never short of entries)
def test_a_walk_past_its_budget_reads_the_window_another_way(seed: Corpus, slack: float,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A walk meeting too few of the phrase's rows in the entries it may read (``WALK_SLACK``
    times those planned: hits gathered far along the index) stops, and the window is read from
    the listed rows: the same answers."""
    monkeypatch.setattr(match, "WALK_RUN", 2)
    monkeypatch.setattr(match, "WALK_SLACK", slack)
    monkeypatch.setattr(match.Ranked, "_plan", lambda self, stop, walk=True: "walk" if walk else "list")
    walked = match.Ranked._walked
    outcomes: list[bool] = []  # (each walk: whether it gave the window)
    monkeypatch.setattr(match.Ranked, "_walked",
                        lambda self, *a: outcomes.append((got := walked(self, *a)) is not None) or got)
    for phrase in PHRASES:
        same_answers(queries.who_leads(Corpus(seed._conn), phrase)._keys, _who_leads_plainly(seed, phrase))
    assert (False in outcomes) == (slack == 0.0) and True in outcomes


@pytest.mark.parametrize(("hits", "stop", "plan"), [
    (40, 50, "sort"), (1_000, 50, "sort"),  # a rare phrase: its few rows sorted
    (50_000, 50, "walk"), (170_000, 50, "walk"),  # a common one's first page: near the index's start
    (50_000, 5_000, "list"),  # ... a deeper page: its rows listed once
    (8_000, 5_000, "sort")])  # a deep page of a less common one: past most of the index
def test_the_cheapest_plan_is_chosen_by_the_hits_and_the_window(seed: Corpus, hits: int, stop: int,
                                                                 plan: str) -> None:
    seed.memo[("rows", "tasks")] = 250_000  # the sizes of 10,000 documents
    ranked = match.Ranked(seed, "tasks", '"x"', db.LED_FIRST, "tasks_led_first", kept={"count": hits})
    assert ranked._plan(stop) == plan
    assert match.Ranked(seed, "tasks", '"x"', "ord", None, kept={"count": hits})._plan(stop) == "sort"


@pytest.mark.parametrize("sure", [0.0, 1e12])  # (the bound never / always enough to walk)
def test_a_window_planned_while_the_hits_are_counted_apart_reads_the_same(seed: Corpus, sure: float,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Before their count is known, a window is planned on the hits counted up to a bound: with
    at least that many, walking; else on their count, awaited. The answers are the same."""
    monkeypatch.setattr(match, "BOUND", 2)
    monkeypatch.setattr(match, "WALK_SURE", sure)
    # (every count as if started apart: given when awaited)
    monkeypatch.setattr(Corpus, "count_apart", lambda self, sql, params=(): lambda: self.rows(sql, params)[0][0])
    for phrase in PHRASES:
        expected = _who_leads_plainly(seed, phrase)
        ids = queries.who_leads(Corpus(seed._conn), phrase)._keys
        assert ids[:1] == expected[:1]
        # (at least two hits and a walk sure enough: the first page read, the count not awaited)
        assert ("count" in ids._kept) == (len(expected) < 2 or sure == 0.0), phrase
        same_answers(ids, expected)
        same_answers(queries.who_leads(Corpus(seed._conn), phrase)._keys, expected)
        same_answers(queries.search(Corpus(seed._conn), phrase)._keys, _search_plainly(seed, phrase))


def test_a_bound_of_hits_plans_a_first_page_without_their_count(seed: Corpus) -> None:
    def counted() -> int:
        raise AssertionError("the count is not awaited for a first page")

    seed.memo[("rows", "tasks")] = 250_000  # the sizes of 10,000 documents
    ranked = match.Ranked(seed, "tasks", '"x"', db.LED_FIRST, "tasks_led_first", counted=counted, apart=True)
    ranked._bound = match.BOUND  # (at least BOUND hits counted here)
    assert ranked._plan(50) == "walk"
    deeper = match.Ranked(seed, "tasks", '"x"', db.LED_FIRST, "tasks_led_first", counted=lambda: 50_000,
                          apart=True)
    deeper._bound = match.BOUND
    assert deeper._plan(5_000) == "list"  # (planned on the count: as for 50,000 hits above)


def test_a_count_apart_reads_the_snapshots_data(seed_store: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A count run on another connection gives the snapshot's figure; when a build has
    committed since the snapshot began, the snapshot counts it itself."""
    store = tmp_path / "s"
    shutil.copytree(seed_store, store)
    database = Database(store / db.DB_NAME)
    apart: list[int | None] = []  # what each count read apart gave
    count_in = Database._count_in
    monkeypatch.setattr(Database, "_count_in", lambda self, *a: apart.append(count_in(self, *a)) or apart[-1])
    sql = "SELECT count(*) FROM tasks WHERE rowid IN (SELECT rowid FROM fts_tasks WHERE fts_tasks MATCH ?)"
    try:
        with database.snapshot() as c:  # (the store's first question: counted here)
            assert c.count_apart(sql, ('"cai cach"',)) is None
        with database.snapshot() as c, database.snapshot() as other:  # (another question being answered)
            assert c.count_apart(sql, ('"cai cach"',)) is None and other.count_apart(sql, ()) is None
        with database.snapshot() as c:
            before = c.rows(sql, ('"cai cach"',))[0][0]
            assert before > 1 and c.count_apart(sql, ('"cai cach"',))() == before
            assert apart == [before]
            writer = sqlite3.connect(store / db.DB_NAME)
            with writer:  # (a build committing: other rows, a new version)
                writer.execute("DELETE FROM tasks WHERE rowid = (SELECT min(rowid) FROM tasks WHERE rowid IN "
                               "(SELECT rowid FROM fts_tasks WHERE fts_tasks MATCH '\"cai cach\"'))")
                writer.execute("UPDATE meta SET value = 'next' WHERE name = 'version'")
            writer.close()
            assert c.count_apart(sql, ('"cai cach"',))() == before
            assert apart == [before, None]  # (the other connection saw the next version)
        with database.snapshot() as c:
            assert c.count_apart(sql, ('"cai cach"',))() == before - 1 and apart[-1] == before - 1
    finally:
        database.close()


def test_a_store_without_the_index_sorts_and_answers_the_same(seed_store: Path, tmp_path: Path) -> None:
    """A store built before the who-leads index (or the documents' by id and jurisdiction):
    every window sorted, the same answers."""
    store = without_indexes(seed_store, tmp_path, "tasks_led_first", "documents_id_jurisdiction")
    with Database(store / db.DB_NAME).snapshot() as c:
        for phrase in PHRASES:
            ids = queries.who_leads(c, phrase)._keys
            assert {ids._plan(s) for s in (1, 50, 10_000)} == {"sort"}
            same_answers(ids, _who_leads_plainly(c, phrase))
        test_a_comparison_reads_any_window_as_the_whole_list(c, None)


def test_who_leads_with_a_scope_or_a_percent_in_a_phrase_reads_the_whole_list(seed_corpus: Corpus) -> None:
    assert not isinstance(queries.who_leads(seed_corpus, "cải cách", jurisdiction="Hậu Giang")._keys, match.Ranked)
    assert not isinstance(queries.who_leads(seed_corpus, "đạt 95%")._keys, match.Ranked)
    assert isinstance(queries.who_leads(seed_corpus, "95%")._keys, match.Ranked)  # one word: its mark
    assert match.fts_query([["dat", "95%"]]) is None and match.fts_query([["95%"]]) == '"_95"'
    assert match.fts_query([["noi", "vu"], ["a"]]) == '"noi vu" OR "a"'


# --- search: names first, then tasks, targets, citations --------------------------------------------

def _search_plainly(c: Corpus, query: str, types: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """What search listed, as it made it whole: every name's key folded, each table sorted."""
    q = expand_query(query)
    variants = [match.words(query)] + ([q.split()] if q != fold_key(query) else [])
    keys = (" ".join(variants[0]), " ".join(variants[-1]))
    where, params = match.condition(c, "names", variants)
    by_rank: dict[int, list[tuple[str, Any]]] = defaultdict(list)
    seen: set[str] = set()
    for rowid, grp, node, text in c.rows(f"SELECT rowid, grp, node, text FROM names WHERE {where} "
                                         "ORDER BY grp, doc IS NULL, doc, ord, fno", params):
        if (types and named.NAME_TYPES[grp] not in types) or node in seen:
            continue
        seen.add(node)
        by_rank[min(grp, 1) - (10 if fold_key(text) in keys else 0)].append(("names", rowid))
    found = [k for r in sorted(by_rank) for k in by_rank[r]]
    for table, ntype, _ in queries._SEARCHED:
        if not types or ntype in types:
            where, params = match.condition(c, table, variants)
            found += [(table, i) for (i,) in c.rows(f"SELECT id FROM {table} WHERE {where} ORDER BY "
                                                    f"{EXPORT_ORDER}", params)]
    return found


@pytest.mark.parametrize("plan", ["sort", "list", "walk"])
@pytest.mark.parametrize(("query", "types"), [
    ("cải cách", ()), ("Nội vụ", ()), ("UBND tỉnh", ()), ("ban tuyen giao tinh uy", ()), ("95%", ()),
    ("kế hoạch", ("task", "citation")), ("ISO", ("target",)), ("30c/NQ-CP", ()), ("không có đâu", ())])
def test_search_reads_any_window_as_the_whole_list(seed: Corpus, query: str, types: tuple[str, ...],
                                                   plan: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(match.Ranked, "_plan", lambda self, stop, walk=True: plan if walk or plan != "walk" else "list")
    expected = _search_plainly(seed, query, types)
    hits = queries.search(seed, query, types)
    same_answers(hits._keys, expected)
    assert [h.id for h in hits[:5]] == [h.id for h in list(hits)[:5]]


def test_a_name_is_ranked_as_equal_to_the_query_however_long_its_punctuation() -> None:
    """A name is read whole when its start could still fold to the query (the start of a long
    title cannot): punctuation fold_key drops is no reason to rank it apart."""
    names = ["Phòng Nội vụ huyện", "Phòng --- Nội ..... vụ !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
             "Phòng Nội vụ", "Phòng nội vụ và các cơ quan, đơn vị khác của huyện, thị xã, thành phố " * 3]
    agencies = [{"id": f"ag:{i}", "name": n, "aliases": []} for i, n in enumerate(names)]
    c = Corpus.from_export({"agencies": agencies})
    for query in ("phòng nội vụ", "Phong Noi vu"):
        expected = _search_plainly(c, query)
        assert queries.search(c, query)._keys[:] == expected
        assert [h.id for h in queries.search(c, query)][:2] == ["ag:1", "ag:2"]


# --- the calendar, the citations, the export's order ------------------------------------------------

@pytest.mark.parametrize("scope", [{}, {"document": "45/KH-UBND"}, {"jurisdiction": "Lâm Đồng"},
                                   {"agency": "Phòng Nội vụ"}])
def test_the_calendar_reads_any_window_as_the_whole_list(own_corpus: Corpus, scope: dict) -> None:
    where, params = planning._scope(own_corpus, scope.get("document"), scope.get("jurisdiction"),
                                    own_corpus.find_agencies(scope["agency"]) if "agency" in scope else None,
                                    calendar=True)
    expected = [t for (t,) in own_corpus.rows(f"SELECT id FROM tasks WHERE {where} ORDER BY due_order, "
                                              "doc, start, ord", params)]
    assert expected
    items = planning.deadlines(own_corpus, **scope)
    same_answers(items._keys, expected)
    assert [d.task for d in items] == expected


@pytest.mark.parametrize("resolved", [None, True, False])
def test_citations_read_any_window_as_the_whole_list(seed_corpus: Corpus, resolved: bool | None) -> None:
    where = {None: "", True: "WHERE resolves_to <> ''", False: "WHERE coalesce(resolves_to, '') = ''"}[resolved]
    expected = [r for (r,) in seed_corpus.rows(f"SELECT rowid FROM citations {where} ORDER BY {EXPORT_ORDER}")]
    assert expected
    same_answers(trace.citation_status(seed_corpus, resolved)._keys, expected)


@pytest.mark.parametrize("table", ["agencies", "tasks", "refs", "citations"])
def test_the_export_order_of_rows_of_documents_and_linked_rows(seed_corpus: Corpus, table: str) -> None:
    """Linked rows (``doc`` NULL: agencies, references) come after the documents' rows."""
    expected = [i for (i,) in seed_corpus.rows(f"SELECT id FROM {table} ORDER BY {EXPORT_ORDER}")]
    assert expected
    same_answers(export_ordered(seed_corpus, table, "id", "1", (), {}), expected)


def test_a_chain_reads_across_its_parts() -> None:
    parts = [[1, 2], [], [3, 4, 5], [6]]
    whole = [x for p in parts for x in p]
    chain = Chain(parts)
    for start in range(-8, 9):
        for stop in range(-8, 9):
            assert chain[start:stop] == whole[start:stop], (start, stop)
    same_answers(chain, whole)
    with pytest.raises(IndexError):
        chain[6]


def test_windows_kept_for_the_data_version_are_bounded(seed_corpus: Corpus) -> None:
    kept: dict = {}
    rows = export_ordered(seed_corpus, "tasks", "id", "1", (), kept)
    expected = list(rows)
    assert len(expected) > Chain.WINDOWS_KEPT * 2
    for start in range(len(expected)):
        assert rows[start:start + 1] == expected[start:start + 1]
    placed = kept["NOT NULL"]
    assert placed["count"] == len(expected) and len(placed) == Chain.WINDOWS_KEPT + 1
    assert (len(expected) - 1, len(expected)) in placed and (0, 1) not in placed  # the latest kept


# --- cited by: level by level ----------------------------------------------------------------------

def _cited_by_plainly(c: Corpus, frontier: set[str], depth: int) -> list[tuple[int, int]]:
    """(depth, citation row) level by level, each level's rows read whole and sorted: the list
    cited-by made before it read windows."""
    keys: list[tuple[int, int]] = []
    seen = set(frontier)
    for d in range(1, depth + 1):
        rows = c.rows("SELECT rowid, doc FROM citations WHERE ref IN (SELECT value FROM json_each(?)) "
                      f"ORDER BY doc, start, {EXPORT_ORDER}", (json.dumps(sorted(frontier)),))
        keys += [(d, r) for r, _ in rows]
        frontier = {doc for _, doc in rows} - seen
        seen |= frontier
        if not frontier:
            break
    return keys


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_cited_by_reads_any_window_as_the_whole_list(own_corpus: Corpus, seed_corpus: Corpus, depth: int) -> None:
    deep = 0
    for corpus in (own_corpus, seed_corpus):
        cited = [r for (r,) in corpus.rows("SELECT DISTINCT ref FROM citations ORDER BY ref")]
        # each cited node alone, the documents as a document is asked, and many at once
        for frontier in [{r} for r in cited] + [set(cited[::2]), set(cited)]:
            expected = _cited_by_plainly(corpus, frontier, depth)
            same_answers(trace.Citing(Corpus(corpus._conn), frontier, depth, {}), expected)
            deep = max(deep, max((d for d, _ in expected), default=0))
    assert deep == depth, deep  # (every level met)


# --- inconsistent citations: from the kept findings, or found ----------------------------------------

def test_inconsistencies_of_kept_findings_are_those_found(own_store: Path, own_corpus: Corpus,
                                                          tmp_path: Path) -> None:
    from cchc_graph.graph.questions import audit

    assert audit.kept(own_corpus)
    expected = trace._inconsistencies(own_corpus, None)
    assert expected
    same_answers(trace.inconsistencies(own_corpus), expected)
    # a store whose findings are of another version finds them all, as before
    store = tmp_path / "stale"
    shutil.copytree(own_store, store)
    conn = sqlite3.connect(store / db.DB_NAME)
    conn.execute("UPDATE meta SET value = 'another' WHERE name = 'findings'")
    conn.commit()
    conn.close()
    with Database(store / db.DB_NAME).snapshot() as c:
        assert not audit.kept(c)
        found = trace.inconsistencies(c)
        assert isinstance(found, list) and found == expected


def test_inconsistencies_of_several_references_are_each_found_once(own_corpus: Corpus,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """More inconsistent references than the findings hold for one, read in runs: each page's
    own, none twice (a reference with several fields differing has one finding each)."""
    fake = [(f"ref:{i:02d}", n) for i, n in enumerate([1, 3, 2, 1])]
    by_ref = {ref: [trace.Inconsistency(ref, None, f"f{k}", ()) for k in range(n)] for ref, n in fake}
    monkeypatch.setattr(trace, "_inconsistencies", lambda c, refs: [x for r in refs for x in by_ref[r]])
    c = Corpus(own_corpus._conn, {"findings kept": True, "inconsistent refs": [
        (ref, k) for ref, n in fake for k in range(n)]})
    same_answers(trace.inconsistencies(c), [x for ref, _ in fake for x in by_ref[ref]])


# --- pages read at once: the answers built one by one ---------------------------------------------

def test_pages_read_at_once_are_the_answers_built_one_by_one(own_corpus: Corpus) -> None:
    """What a page reads at once (tasks, roles, documents, agencies) makes the answers each
    answer's own reads make, on a snapshot with nothing read before."""
    def fresh() -> Corpus:
        return Corpus(own_corpus._conn)

    roles = queries.agency_roles(fresh(), "Phòng Nội vụ")
    one = fresh()
    alone = [queries._agency_role(one, one.by_rowid("responsibilities", r)) for r in roles._keys]
    assert len(alone) > 3 and roles[2:5] == alone[2:5] and list(roles) == alone
    items = planning.deadlines(fresh())
    one = fresh()
    assert list(items) == [planning._deadline(one, t) for t in items._keys]
    tasks = queries.who_leads(fresh(), "báo cáo")
    one = fresh()
    assert len(tasks) > 3 and list(tasks) == [queries.task_answer(one, t) for t in tasks._keys]
    aid = own_corpus.find_agencies("Phòng Nội vụ")[0]
    profile = queries.agency_profile(fresh(), aid)
    one = fresh()
    plain = sorted((queries._agency_role(one, r) for r in one.resp_by_agency[aid]),
                   key=lambda x: (x.document.id, x.provenance.start))
    assert len(plain) > 3 and list(profile.roles) == plain and profile.roles[1:3] == plain[1:3]
    for role in profile.role_counts:  # each kind apart, as the agency's page reads them
        held = queries.roles_held(fresh(), aid, role)
        assert list(held) == [r for r in plain if r.role == role] == held[0:len(held)]


def test_a_page_of_documents_is_each_document_as_shown_alone(own_corpus: Corpus) -> None:
    from cchc_graph.api.routes.documents import _listed, _public

    ids = sorted(own_corpus.documents)
    assert _listed(own_corpus, ids) == [_public(own_corpus, d) for d in ids]
    assert any(d.tasks for d in _listed(own_corpus, ids)) and any(d.citations for d in _listed(own_corpus, ids))


@pytest.mark.parametrize("metric", [None, "trực tuyến"])
def test_a_comparison_reads_any_window_as_the_whole_list(seed: Corpus, metric: str | None) -> None:
    """Every metric named, one after another, each by jurisdiction, document and place."""
    from cchc_graph.graph.questions import cascade

    keys = cascade.find_metric(seed, metric or cascade.metrics(seed)[0].key)
    expected = [i for k in keys for (i,) in seed.rows(
        "SELECT t.id FROM targets t LEFT JOIN documents d ON d.id = t.doc WHERE t.metric = ? "
        "ORDER BY coalesce(d.jurisdiction, ''), t.doc, t.start, t.doc IS NULL, t.doc, t.ord", (k,))]
    assert expected
    same_answers(cascade.compare(seed, metric or keys[0])._keys, expected)


@pytest.mark.parametrize(("name", "roles", "document"), [
    ("Phòng Nội vụ", queries.ROLES, None), ("Phòng", queries.ROLES, None), ("Phòng", ("cooperate", "lead"), None),
    ("Phòng", ("lead", "lead", "nobody's role"), None), ("Ủy ban nhân dân", queries.ROLES, "45/KH-UBND")])
def test_an_agencys_roles_read_any_window_as_the_whole_list(own_corpus: Corpus, name: str, roles: tuple,
                                                            document: str | None) -> None:
    """By role (in ROLES' order, any other after), then document, place, agency: the one
    sorted list an agency's roles were."""
    c = Corpus(own_corpus._conn)
    rank = "CASE role " + " ".join(f"WHEN '{r}' THEN {i}" for i, r in enumerate(queries.ROLES)) + " ELSE 99 END"
    doc = c.find_document(document) if document else None
    expected = [r for (r,) in c.rows(
        f"SELECT r.rowid FROM responsibilities r JOIN agency_ids a ON a.rowid = r.agency WHERE a.id IN "
        f"(SELECT value FROM json_each(?)) AND role IN (SELECT value FROM json_each(?)) "
        f"{'AND doc = ?' if doc else ''} ORDER BY {rank}, doc, start, a.id, {EXPORT_ORDER}", (json.dumps(c.find_agencies(name)), json.dumps(roles), *((doc,) if doc else ())))]
    assert expected
    same_answers(queries.agency_roles(c, name, roles=roles, document=document)._keys, expected)
