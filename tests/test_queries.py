"""The questions of graph/: on the seeds (facts checked against their text) and on fixtures
written for these tests (tests/fixtures/queries, examples/)."""

from __future__ import annotations

from datetime import UTC
from itertools import pairwise

import pytest
from cchc_graph.graph.questions import audit, cascade, planning, queries, refines, trace, typed
from cchc_graph.graph.questions.index import Corpus, NotFound, prov

HG_RESOLUTION = "000_def938038e5dae73"
VI_THANH_PLAN = "002_0387e2864a5773df"


# --- who leads what ---------------------------------------------------------------------------

def test_who_leads_propaganda_in_hau_giang(seed_corpus: Corpus) -> None:
    answers = queries.who_leads(seed_corpus, "tuyên truyền", jurisdiction="Hậu Giang")
    first = answers[0]  # tasks with a lead come first
    assert first.document.id == HG_RESOLUTION and first.document.number == "03-NQ/TU"
    assert [a.name for a in first.holders("lead")] == ["Ban Tuyên giáo Tỉnh ủy"]
    assert first.holders("lead")[0].jurisdiction == "vn-hau-giang"
    press = first.holders("cooperate")
    assert [a.name for a in press] == ["các cơ quan thông tin, báo chí"] and press[0].is_group
    assert "Tỉnh ủy chủ trì, phối hợp với các cơ quan thông tin, báo chí" in \
        first.provenance.quote
    # tasks nobody was given stay in the answer, after the led ones
    assert any(not a.roles for a in answers)
    assert all(a.document.jurisdiction in {"vn-hau-giang", "vn-hau-giang-vi-thanh"} for a in answers)


@pytest.mark.parametrize("phrase", ["tuyen truyen", "TUYÊN TRUYỀN", "tuyên  truyền"])
def test_task_phrases_match_without_accents_or_case(seed_corpus: Corpus, phrase: str) -> None:
    base = {a.task for a in queries.who_leads(seed_corpus, "tuyên truyền")}
    assert {a.task for a in queries.who_leads(seed_corpus, phrase)} == base


@pytest.mark.parametrize(("query", "jurisdiction", "expected"), [
    ("Phong Noi vu", None, {"ag:vn-hau-giang-vi-thanh:phong-noi-vu"}),
    ("ban tuyen giao tinh uy", "Hậu Giang", {"ag:vn-hau-giang:ban-tuyen-giao-tinh-uy"}),
    ("Ban Tuyên giáo Tỉnh ủy", None, {"ag:vn-hau-giang:ban-tuyen-giao-tinh-uy",
                                      "ag:vn-ha-tinh:ban-tuyen-giao-tinh-uy"}),
])
def test_agency_names_match_by_alias_and_jurisdiction(seed_corpus: Corpus, query: str,
                                                      jurisdiction: str | None, expected: set) -> None:
    assert set(seed_corpus.find_agencies(query, jurisdiction)) == expected


def test_abbreviations_in_queries_are_spelled_out(own_corpus: Corpus) -> None:
    # "UBND huyện" is how coordinators type it; the graph holds "Ủy ban nhân dân huyện".
    assert own_corpus.find_agencies("UBND huyện") == ["ag:vn-lam-dong-duc-trong:uy-ban-nhan-dan-huyen"]


def test_unknown_names_say_what_was_asked(seed_corpus: Corpus) -> None:
    with pytest.raises(NotFound, match="Sở Ngoại giao"):
        seed_corpus.find_agencies("Sở Ngoại giao")
    with pytest.raises(NotFound, match="Atlantis"):
        queries.who_leads(seed_corpus, "tuyên truyền", jurisdiction="Atlantis")


def test_agency_roles_in_a_plan_with_a_duties_table(own_corpus: Corpus) -> None:
    roles = queries.agency_roles(own_corpus, "Phòng Văn hóa và Thông tin", roles=("lead",),
                                 document="45/KH-UBND")
    titles = {r.task_title for r in roles}
    assert "Số hóa hồ sơ, kết quả giải quyết TTHC" in titles  # appendix table row
    assert {r.deadline for r in roles if r.task_title.startswith("Số hóa")} == {"Năm 2023"}


def test_agency_profile_reports_both_ways(own_corpus: Corpus) -> None:
    p = queries.agency_profile(own_corpus, "ag:vn-lam-dong-duc-trong:phong-noi-vu")
    assert p.role_counts["standing"] == 1  # "Là cơ quan thường trực" in the district plan
    # "Hằng quý tổng hợp báo cáo Ủy ban nhân dân huyện" (45/KH); "báo cáo Phòng Tư pháp" (12/KH)
    assert {r.receiver.name for r in p.reports_to} == {"Ủy ban nhân dân huyện", "Phòng Tư pháp"}
    assert "Phòng Tư pháp" in {r.reporter.name for r in p.reported_by}
    assert all(r.provenance.quote for r in p.roles)


# --- citations -------------------------------------------------------------------------------------

def test_citation_trace_follows_the_corpus(seed_corpus: Corpus) -> None:
    hops = trace.cites(seed_corpus, VI_THANH_PLAN, depth=2)
    first = [h for h in hops if h.depth == 1]
    parent = next(h for h in first if h.resolved)
    assert parent.number == "03-NQ/TU" and parent.target.id == HG_RESOLUTION
    assert parent.relation == "based_on"
    # depth 2: what the provincial resolution itself rests on
    assert {h.source.id for h in hops if h.depth == 2} == {HG_RESOLUTION}
    assert any(h.number == "34/2016/NĐ-CP" and not h.resolved for h in first)


def test_cited_by_a_central_number(seed_corpus: Corpus) -> None:
    hops = trace.cited_by(seed_corpus, "30c/NQ-CP")
    assert [(h.source.id[:3], h.date) for h in hops] == [("003", "2011-11-08")]
    assert "30c/NQ-CP" in hops[0].provenance.quote


def test_cited_by_accepts_a_document_and_goes_backwards(own_corpus: Corpus) -> None:
    hops = trace.cited_by(own_corpus, "07-NQ/TU", depth=2)
    assert {(h.depth, h.source.id) for h in hops} == {
        (1, "ke_hoach_cchc_duc_trong"), (2, "ke_hoach_kiem_soat_tthc")}


def test_same_number_with_two_dates_is_inconsistent(own_corpus: Corpus) -> None:
    found = trace.inconsistencies(own_corpus)
    assert [(i.number, i.field) for i in found] == [("61/2018/NĐ-CP", "date")]
    assert {v.value for v in found[0].variants} == {"2018-04-23", "2018-04-25"}


def test_resolved_and_unresolved_citations_partition(seed_corpus: Corpus) -> None:
    res, unres = trace.citation_status(seed_corpus, True), trace.citation_status(seed_corpus, False)
    assert [h.number for h in res] == ["03-NQ/TU"]
    assert len(res) + len(unres) == len(seed_corpus.citations)


# --- dependencies and paths -----------------------------------------------------------------

def test_a_task_depends_on_its_document_and_what_that_rests_on(seed_corpus: Corpus) -> None:
    task = next(t for t in seed_corpus.tasks.values() if t["document"] == VI_THANH_PLAN)
    up, _down = trace.dependencies(seed_corpus, task["id"], depth=2)
    assert (VI_THANH_PLAN, "has_task", task["id"]) in {(x.source, x.type, x.target) for x in up}
    assert (VI_THANH_PLAN, "based_on", HG_RESOLUTION) in {(x.source, x.type, x.target) for x in up}


def test_a_child_target_refines_its_parent(seed_corpus: Corpus) -> None:
    child = next(t for t in seed_corpus.targets.values()
                 if t["document"] == VI_THANH_PLAN and t["metric"] == "edoc_exchange")
    up, _ = trace.dependencies(seed_corpus, child["id"])
    parent = next(x for x in up if x.type == "refines")
    assert seed_corpus.targets[parent.target]["document"] == HG_RESOLUTION
    assert seed_corpus.targets[parent.target]["value"] == 100.0


def _without_ends(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("source", "target")}


def _reference_graph(c: Corpus, export: dict):
    """The typed networkx graph as questions read it before the store was a database: the
    export's, plus a ``refines`` edge from each paired child target to its parent."""
    from cchc_graph.graph.questions.nx import to_networkx

    g = to_networkx(export)
    for row in refines.target_links(c):
        e = typed.refines_edge(row)
        g.add_edge(e["source"], e["target"], key="refines",
                   **{k: v for k, v in e.items() if k not in ("source", "target")})
    return g


def test_edges_by_node_are_the_typed_graphs(seed_corpus: Corpus, seed_export: dict) -> None:
    """Each node's edges read from the database are the typed graph's: same order, same data."""
    g = _reference_graph(seed_corpus, seed_export)
    nodes = list(g.nodes)
    assert typed.in_graph_order(seed_corpus, reversed(nodes)) == nodes == list(typed.kinds(seed_corpus))
    assert not seed_corpus.has_node("ag:nowhere") and all(seed_corpus.has_node(n) for n in nodes)
    outs, ins = typed.edges_of(seed_corpus, nodes, True), typed.edges_of(seed_corpus, nodes, False)
    for n in nodes:
        assert [(s, t, _without_ends(d)) for s, t, d in outs[n]] == list(g.out_edges(n, data=True))
        assert [(s, t, _without_ends(d)) for s, t, d in ins[n]] == list(g.in_edges(n, data=True))
    assert typed.degrees(seed_corpus, nodes) == {n: g.degree(n) for n in nodes}


def test_edges_by_node_group_and_merge_as_a_multigraph() -> None:
    """Edges to one neighbour come together, in the order it was first linked; an edge
    repeating a (source, target, key) updates the first one's data."""
    from cchc_graph.graph.questions.nx import to_networkx

    edges = [{"source": "a", "target": "b", "type": "cites", "citation": "c1", "p": 1},
             {"source": "a", "target": "c", "type": "has_task", "p": 2},
             {"source": "a", "target": "b", "type": "based_on", "p": 3},
             {"source": "d", "target": "b", "type": "cites", "p": 4},
             {"source": "a", "target": "b", "type": "cites", "citation": "c1", "p": 5, "q": 6},
             {"source": "a", "target": "x", "type": "in_area", "p": 7}]
    export = {"documents": [{"id": "a", "type": "ke_hoach"}], "references": [{"id": "b", "title": "T"}],
              "tasks": [{"id": "a", "text": "both a document and a task"}], "edges": edges}
    g = to_networkx(export)
    c = Corpus.from_export(export)
    nodes = ["a", "b", "c", "d", "x"]
    outs, ins = typed.edges_of(c, nodes, True), typed.edges_of(c, nodes, False)
    for n in nodes:
        assert [(s, t, _without_ends(d)) for s, t, d in outs[n]] == list(g.out_edges(n, data=True))
        assert [(s, t, _without_ends(d)) for s, t, d in ins[n]] == list(g.in_edges(n, data=True))
    assert [d["p"] for _s, _t, d in typed.out_edges(c, "a")] == [5, 3, 2, 7]
    assert list(typed.kinds(c)) == list(g.nodes) == nodes
    assert [typed.attributes(c, n) for n in nodes] == [g.nodes[n] for n in nodes]
    assert [typed.degree(c, n) for n in nodes] == [g.degree(n) for n in nodes]
    assert c.has_node("c") and not c.has_node("z")


@pytest.mark.parametrize("structural", [False, True])
@pytest.mark.parametrize("first_read", [1, trace.FIRST_READ])
def test_paths_are_networkx_shortest_paths_of_the_typed_graph(seed_corpus: Corpus, seed_export: dict,
                                                              structural: bool, first_read: int,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The path between two nodes is the one networkx finds in the undirected typed graph (as
    paths were found before), for pairs of every kind; also with each level read in parts of
    1, 4, 16 … nodes (the seeds' levels are short), so that a level read in parts is one read
    whole."""
    import networkx as nx

    monkeypatch.setattr(trace, "FIRST_READ", first_read)

    g = _reference_graph(seed_corpus, seed_export)
    ref = nx.Graph()
    ref.add_nodes_from(g.nodes)
    for s, t, d in g.edges(data=True):
        if structural or d["type"] not in trace.STRUCTURAL:
            ref.add_edge(s, t, edge=(s, t, d))
    nodes = list(g.nodes)
    pairs = [(nodes[i], nodes[j]) for i in range(0, len(nodes), 17) for j in range(5, len(nodes), 23)]
    assert len(pairs) > 100
    for a, b in pairs:
        try:
            chain = nx.shortest_path(ref, a, b)
        except nx.NetworkXNoPath:
            chain = [a]
        expected = [ref.edges[x, y]["edge"] for x, y in pairwise(chain)]
        got = trace.path(seed_corpus, a, b, structural)
        assert [(x.source, x.target, x.type, x.provenance) for x in got] == [
            (s, t, d["type"], prov(d.get("provenance"))) for s, t, d in expected], (a, b)


def test_shortest_path_is_a_chain_of_facts(seed_corpus: Corpus) -> None:
    links = trace.path(seed_corpus, "ag:vn-hau-giang:ban-tuyen-giao-tinh-uy",
                       "ag:vn-hau-giang-vi-thanh:phong-noi-vu")
    assert links[0].source == "ag:vn-hau-giang:ban-tuyen-giao-tinh-uy"
    assert "based_on" in {x.type for x in links}  # through the plan resting on the resolution
    assert not {x.type for x in links} & trace.STRUCTURAL
    assert all(x.provenance is not None for x in links)


# --- cascade and comparison -----------------------------------------------------------------

def _status(cas: cascade.Cascade, metric: str) -> set[str]:
    return {r.status for r in cas.rows if r.metric == metric and r.parent is not None}


def test_cascade_of_the_vi_thanh_plan(seed_corpus: Corpus) -> None:
    (cas,) = cascade.cascade(seed_corpus, VI_THANH_PLAN)
    assert cas.parent.id == HG_RESOLUTION
    rows = {r.metric: r for r in cas.rows if r.parent and r.child}
    assert rows["edoc_exchange"].status == "weaker"
    assert (rows["edoc_exchange"].child.value, rows["edoc_exchange"].parent.value) == (95.0, 100.0)
    assert rows["dossier_online_rate"].status == "stronger"
    assert (rows["dossier_online_rate"].child.value, rows["dossier_online_rate"].parent.value) == (80.0, 50.0)
    assert _status(cas, "rank:par-index") == {"missing"}
    # a count of one-stop shops in a city is not a count for the whole province
    assert "not_comparable" in _status(cas, "modern_one_stop")


@pytest.mark.parametrize(("child", "metric", "expected"), [
    ("45/KH-UBND", "dossier_on_time", {"weaker"}),          # 95% against 98%
    ("45/KH-UBND", "edoc_exchange", {"weaker"}),            # 90% against 100%
    ("45/KH-UBND", "dossier_online_rate", {"stronger", "missing"}),  # 70% vs 60%; 2030 target missing
    ("12/KH-UBND", "dossier_on_time", {"stronger"}),        # 97% against 95%
    ("12/KH-UBND", "dossier_online_rate", {"equal"}),       # 70% against 70%
    ("12/KH-UBND", "edoc_exchange", {"missing"}),
])
def test_cascade_on_written_plans(own_corpus: Corpus, child: str, metric: str, expected: set) -> None:
    (cas,) = cascade.cascade(own_corpus, child)
    assert _status(cas, metric) == expected


def test_cascade_without_a_parent_in_the_corpus(seed_corpus: Corpus) -> None:
    with pytest.raises(NotFound, match="implements no document"):
        cascade.cascade(seed_corpus, HG_RESOLUTION)


def test_compare_one_metric_across_jurisdictions(seed_corpus: Corpus) -> None:
    rows = cascade.compare(seed_corpus, "edoc_exchange")
    by_doc = {r.document.id[:3]: r for r in rows}
    assert by_doc["002"].value == 95.0 and by_doc["002"].parent_value == 100.0
    assert by_doc["000"].jurisdiction == "vn-hau-giang" and by_doc["000"].parent_value is None
    assert {r.metric for r in cascade.compare(seed_corpus, "trực tuyến")} >= {"dossier_online_rate"}


# --- audit -------------------------------------------------------------------------------------

def test_audit_finds_the_seed_violations(seed_corpus: Corpus) -> None:
    found = audit.audit(seed_corpus)
    rules = {v.rule for v in found}
    assert {"task_no_lead", "task_many_leads", "target_weaker", "target_missing",
            "citation_unresolved"} <= rules
    weaker = [v for v in found if v.rule == "target_weaker"]
    assert [v.document for v in weaker] == [VI_THANH_PLAN]
    assert "95%" in weaker[0].provenance.quote
    many = next(v for v in found if v.rule == "task_many_leads" and v.document == HG_RESOLUTION)
    assert "Các cấp ủy Đảng, chính quyền" in many.provenance.quote
    assert not [v for v in found if v.rule == "report_cycle"]


def test_audit_finds_a_reporting_circle(own_corpus: Corpus) -> None:
    (cycle,) = audit.audit(own_corpus, rules=("report_cycle",))
    assert cycle.severity == "error"
    assert "Phòng Nội vụ" in cycle.message and "Phòng Tư pháp" in cycle.message


def test_audit_filters(seed_corpus: Corpus) -> None:
    warnings = audit.audit(seed_corpus, min_severity="warning")
    assert warnings and all(v.severity in ("error", "warning") for v in warnings)
    only = audit.audit(seed_corpus, document=VI_THANH_PLAN, rules=("task_no_lead",))
    assert only and {v.document for v in only} == {VI_THANH_PLAN}


def test_every_rule_is_reported_by_one_check_in_the_audits_order() -> None:
    assert len(set(audit.RULE_NAMES)) == len(audit.RULE_NAMES)
    assert audit.RULE_NAMES[:3] == ("task_no_lead", "task_many_leads", "task_no_deadline")
    assert audit.RULE_NAMES.index("report_cycle") < audit.RULE_NAMES.index("agency_unknown_kind")


@pytest.mark.parametrize("store", ["seed_store", "own_store"])
def test_audit_of_one_document_or_rule_is_that_part_of_the_whole(store: str, request: pytest.FixtureRequest
                                                                  ) -> None:
    from cchc_graph.library import open_store

    path = request.getfixturevalue(store)

    def asked(**kw: object) -> list[audit.Violation]:  # a fresh store object: nothing kept
        with open_store(path).snapshot() as c:
            return list(audit.audit(c, **kw))

    whole = asked()
    with open_store(path).snapshot() as c:
        docs = [d for (d,) in c.rows("SELECT id FROM documents ORDER BY id")]
    assert whole and len({v.document for v in whole}) > 1
    for doc in docs:
        assert asked(document=doc) == [v for v in whole if v.document == doc], doc
    for rule in audit.RULE_NAMES:
        assert asked(rules=(rule,)) == [v for v in whole if v.rule == rule], rule
    assert asked(rules=("report_cycle", "task_no_lead"), document=docs[0]) == [
        v for v in whole if v.rule in ("report_cycle", "task_no_lead") and v.document == docs[0]]


@pytest.mark.parametrize("corpus", ["seed_corpus", "own_corpus"])
def test_the_dependency_walk_over_columns_equals_the_walk_over_records(
        corpus: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    c = request.getfixturevalue(corpus)
    entities = [i for table in ("documents", "refs", "targets", "agencies")
                for (i,) in c.rows(f"SELECT id FROM {table} ORDER BY id")]
    fast = {e: tuple(map(list, trace.dependencies(c, e, 10))) for e in entities}
    assert sum(len(up) + len(down) for up, down in fast.values()) > 100
    plain = typed.edges_of  # every edge of the nodes, each with its record

    def records(c_: Corpus, nodes: list[str], out: bool, *_: object, **__: object) -> dict:
        return plain(c_, nodes, out, True)

    monkeypatch.setattr(typed, "edges_of", records)
    for e in entities:
        assert tuple(map(list, trace.dependencies(c, e, 10))) == fast[e], e


# --- search ------------------------------------------------------------------------------------

def test_search_without_accents_finds_names_before_quotes(seed_corpus: Corpus) -> None:
    hits = queries.search(seed_corpus, "ban tuyen giao tinh uy")
    assert hits[0].type == "agency" and hits[0].label == "Ban Tuyên giáo Tỉnh ủy"
    assert {h.type for h in queries.search(seed_corpus, "ISO", types=("target",))} == {"target"}
    assert queries.search(seed_corpus, "30c/NQ-CP")[0].id == "ref:vn:30c/nq-cp"


# --- matrix and calendar -------------------------------------------------------------------------

def test_matrix_of_a_plan(own_corpus: Corpus) -> None:
    m = planning.responsibility_matrix(own_corpus, document="45/KH-UBND")
    row = next(r for r in m.rows if r.task.title == "Rà soát, đơn giản hóa thủ tục hành chính cấp huyện")
    names = {a.id: a.name for a in m.agencies}
    assert {names[a]: roles for a, roles in row.cells.items()} == {
        "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện": ("lead",),
        "Phòng Tư pháp": ("cooperate",), "Phòng Nội vụ": ("cooperate",)}
    csv_text = planning.matrix_csv(m)
    assert csv_text.splitlines()[0].startswith("Văn bản / document,Mục / section,Nhiệm vụ / task")
    assert "chủ trì" in csv_text and "phối hợp" in csv_text


@pytest.mark.parametrize("scope", [{}, {"document": "45/KH-UBND"}, {"jurisdiction": "huyện Đức Trọng"},
                                   {"jurisdiction": "tỉnh Lâm Đồng"}])
def test_a_scope_is_counted_as_the_tasks_its_matrix_reads(own_corpus: Corpus, scope: dict) -> None:
    read = planning._tasks_in(own_corpus, scope.get("document"), scope.get("jurisdiction"))
    assert planning.scope_size(own_corpus, **scope) == len(read) > 0


def test_matrix_xlsx_opens_with_the_same_cells(own_corpus: Corpus) -> None:
    import io

    from openpyxl import load_workbook

    m = planning.responsibility_matrix(own_corpus, document="45/KH-UBND")
    wb = load_workbook(io.BytesIO(planning.matrix_xlsx(m)))
    sheet = wb["Ma trận"]
    assert sheet.max_row == len(m.rows) + 1 and sheet.max_column == 4 + len(m.agencies)
    assert sheet.freeze_panes == "E2"
    quotes = [r[6] for r in wb["Nguồn"].iter_rows(min_row=2, values_only=True)]
    assert all(quotes) and len(quotes) == sum(len(r.task.roles) for r in m.rows)


def test_calendar_one_off_and_yearly(own_corpus: Corpus) -> None:
    from datetime import datetime

    from icalendar import Calendar

    items = planning.deadlines(own_corpus, document="45/KH-UBND")
    by_deadline = {d.deadline: d for d in items}
    assert by_deadline["Quý IV/2022"].due_date == "2022-12-31"
    yearly = by_deadline["trước ngày 20 tháng 11 hằng năm"]
    assert (yearly.start, yearly.until) == ("2021-11-20", "2025-12-31")  # plan of 10/11/2021, to 2025
    assert not by_deadline["Hằng năm"].dated  # a frequency names no day
    cal = Calendar.from_ical(planning.to_ics(items, stamp=datetime(2024, 1, 1, tzinfo=UTC)))
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert len(events) == sum(d.dated for d in items)
    ev = events[f"{yearly.task}@cchc-graph"]
    assert ev["rrule"]["FREQ"] == ["YEARLY"] and ev["rrule"]["BYMONTH"] == [11]
    assert ev.decoded("dtstart").isoformat() == "2021-11-20"
    assert "Phòng Nội vụ" in str(ev["description"])


def test_calendar_lists_one_days_deadlines_of_a_document_by_their_place(seed_corpus: Corpus) -> None:
    """By first date (those without one last), then document, then place in it: not by the
    ids' text ("…:10" before "…:2"), nor by the order the extractor found the tasks in."""
    def key(d: planning.Deadline) -> tuple[str, str]:
        first = d.due_date or d.start
        return ("0" + first) if first else "1", d.document.id

    items = list(planning.deadlines(seed_corpus))
    ties = [(a, b) for a, b in pairwise(items) if key(a) == key(b)]
    assert [key(d) for d in items] == sorted(key(d) for d in items)
    assert len(ties) > 5 and any(a.task > b.task for a, b in ties)  # (ids that sort otherwise)
    assert all(a.provenance.start <= b.provenance.start for a, b in ties)


@pytest.mark.parametrize("corpus", ["seed_corpus", "own_corpus"])
def test_a_task_counts_the_agencies_it_has_lead_rows_for(corpus: str, request: pytest.FixtureRequest) -> None:
    """who-leads puts led tasks first by the tasks' ``leads`` column: it must say what the
    responsibilities say."""
    c = request.getfixturevalue(corpus)
    rows = c.rows("SELECT t.leads, (SELECT count(DISTINCT agency) FROM responsibilities r "
                  "WHERE r.task = t.rowid AND r.role = 'lead') FROM tasks t")
    assert all((leads > 0) == (n > 0) for leads, n in rows)
    assert any(n for _, n in rows) and any(not n for _, n in rows)


def test_who_leads_answers_are_ordered_led_first_and_sliceable(seed_corpus) -> None:
    answers = queries.who_leads(seed_corpus, "cải cách")
    full = list(answers)
    assert len(full) == len(answers) > 10
    assert full == sorted(full, key=lambda a: (not a.holders("lead"), a.document.id, a.provenance.start))
    assert answers[3:7] == full[3:7] and answers[-1] == full[-1]
