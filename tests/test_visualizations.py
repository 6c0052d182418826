"""The graph view, page, charts and server pages without a browser (test_browser.py has one)."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from cchc_graph.api.cli import cli
from cchc_graph.graph.questions import cascade as cascade_mod
from cchc_graph.graph.questions.index import NotFound
from cchc_graph.visualizations.charts import cascade_svg, comparison_svg
from cchc_graph.visualizations.html import graph_html
from cchc_graph.visualizations.model import Quote, View, VNode
from cchc_graph.visualizations.view import AGGREGATE_KINDS, ViewSpec, select
from click.testing import CliRunner

HG_PROPAGANDA = "ag:vn-hau-giang:ban-tuyen-giao-tinh-uy"
VI_THANH_PLAN = "002_0387e2864a5773df"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def seed_view(seed_corpus) -> View:
    return select(seed_corpus, ViewSpec())


def test_default_view_holds_every_fact_and_shows_the_default_kinds(seed_view: View, seed_export: dict) -> None:
    kinds = Counter(n.kind for n in seed_view.nodes)
    assert kinds["document"] == len(seed_export["documents"])
    assert kinds["reference"] == len(seed_export["references"])
    for key, kind in (("agencies", "agency"), ("tasks", "task"), ("targets", "target"),
                      ("indicators", "indicator"), ("jurisdictions", "jurisdiction"), ("areas", "area")):
        assert kinds[kind] == len(seed_export[key]), kind
    assert "jurisdiction" not in seed_view.visible_kinds and "area" not in seed_view.visible_kinds
    assert any("11 địa bàn" in note for note in seed_view.notes)
    assert not seed_view.reserve_nodes


def test_role_edges_are_labelled_and_quoted(seed_view: View) -> None:
    lead = [e for e in seed_view.edges if e.source == HG_PROPAGANDA and e.type == "lead"]
    assert len(lead) == 1 and lead[0].label == "chủ trì"
    assert lead[0].target == "task:000_def938038e5dae73:4"
    assert lead[0].quote.section == "V.4"
    assert "Ban Tuyên giáo Tỉnh ủy chủ trì" in lead[0].quote.quote
    # "báo cáo" reads task → agency reported to (stored the other way round).
    reports = [e for e in seed_view.edges if e.type == "report_to"]
    assert reports and all(e.source.startswith("task:") and e.target.startswith("ag:") for e in reports)


def test_node_panel_data_names_its_properties_and_sources(seed_view: View) -> None:
    node = next(n for n in seed_view.nodes if n.id == HG_PROPAGANDA)
    props = dict(node.props)
    assert props["Địa bàn"] == "tỉnh Hậu Giang"
    assert props["Loại cơ quan"] == "Ban của cấp ủy"  # from agency_kinds.tsv, not the code
    assert node.quotes[0].section == "V.4"  # the role sentence before the bare mention
    assert node.docs == ("000_def938038e5dae73",)


@pytest.mark.parametrize(("spec", "docs"), [
    (ViewSpec(documents=("002",)), {VI_THANH_PLAN}),
    (ViewSpec(jurisdiction="Hậu Giang"), {"000_def938038e5dae73", VI_THANH_PLAN}),
    (ViewSpec(jurisdiction="Tuần Giáo"), {"001_ee741e6811c4e2db"}),
])
def test_document_and_jurisdiction_filters(seed_corpus, spec: ViewSpec, docs: set[str]) -> None:
    view = select(seed_corpus, spec)
    # The documents' own facts, plus the corpus documents they cite (002 rests on 03-NQ/TU).
    assert docs <= {n.id for n in view.nodes if n.kind == "document"}
    assert {n.id.split(":")[1] for n in view.nodes if n.kind == "task"} == docs
    assert {d for d, _ in view.documents} == docs


def test_focus_keeps_the_neighbourhood(seed_corpus) -> None:
    view = select(seed_corpus, ViewSpec(focus=HG_PROPAGANDA, depth=1))
    assert {n.id for n in view.nodes} == {HG_PROPAGANDA, "task:000_def938038e5dae73:4"}
    deeper = select(seed_corpus, ViewSpec(focus=HG_PROPAGANDA, depth=2))
    ids = {n.id for n in deeper.nodes}
    assert "000_def938038e5dae73" in ids  # the task's document
    assert not any(i.startswith("task:001") for i in ids)
    with pytest.raises(NotFound):
        select(seed_corpus, ViewSpec(focus="không có cơ quan này"))


def test_focus_past_max_nodes_keeps_the_nearest_with_a_note(seed_corpus) -> None:
    from cchc_graph.visualizations.view import _neighbourhood

    doc = "000_def938038e5dae73"

    def every(nodes: set[str]) -> set[str]:
        return nodes

    one_hop, _ = _neighbourhood(seed_corpus, doc, 1, every, False, 10**9)
    two_hops, _ = _neighbourhood(seed_corpus, doc, 2, every, False, 10**9)
    most = len(one_hop) + 5
    assert most < len(two_hops)
    kept, cut = _neighbourhood(seed_corpus, doc, 2, every, False, most)
    assert one_hop <= kept <= two_hops and len(kept) == most and cut == len(two_hops) - most
    view = select(seed_corpus, ViewSpec(focus=doc, depth=2, max_nodes=most))
    assert {n.id for n in view.nodes} <= kept  # the first hop whole, then the best-connected
    assert any(f"{cut} farther nodes not shown" in note for note in view.notes)


def test_roles_filter_drops_other_role_edges_only(seed_corpus) -> None:
    view = select(seed_corpus, ViewSpec(roles=("lead",)))
    types = {e.type for e in view.edges}
    assert "lead" in types and "cooperate" not in types and "report_to" not in types
    assert "has_task" in types


def test_large_graph_is_aggregated_with_a_note(seed_corpus, seed_export: dict) -> None:
    view = select(seed_corpus, ViewSpec(max_nodes=150))
    assert len(view.nodes) <= 150
    assert {n.kind for n in view.nodes} <= set(AGGREGATE_KINDS)
    reserve = {n.id for n in view.reserve_nodes}
    assert {t["id"] for t in seed_export["tasks"]} <= reserve
    assert "quá 150" in view.notes[0] and f"{len(seed_export['tasks'])} nhiệm vụ" in view.notes[0]
    # One edge per agency, document and role, counting the tasks.
    drawn = {n.id for n in view.nodes}
    expected = Counter((r["agency"], r["document"], r["role"]) for r in seed_export["responsibilities"]
                       if r["agency"] in drawn and r["document"] in drawn)
    got = {(e.source, e.target, e.label.rsplit(" ", 1)[0]): e.weight
           for e in view.edges if e.type == "aggregate"}
    assert len(got) == len(expected)
    assert sum(got.values()) == sum(expected.values())


@pytest.mark.parametrize("spec", [
    ViewSpec(), ViewSpec(focus=HG_PROPAGANDA, depth=2), ViewSpec(focus=VI_THANH_PLAN, kinds=("document", "agency",
                                                                                          "jurisdiction", "area")),
    ViewSpec(documents=("002",), roles=("lead",)), ViewSpec(jurisdiction="Hậu Giang"), ViewSpec(max_nodes=150),
    ViewSpec(kinds=("document", "reference")),
])
def test_pages_read_from_the_database_are_those_of_the_networkx_graph(
        seed_corpus, seed_export: dict, spec: ViewSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages read the typed graph from the database (``graph.questions.typed``); pages
    whose graph reads are answered by the networkx graph itself (the export's, with the
    ``refines`` edges: what the pages read before) are the same."""
    from cchc_graph.graph.questions import refines, typed
    from cchc_graph.graph.questions.nx import to_networkx
    from cchc_graph.visualizations.view import kind_of

    page = select(seed_corpus, spec)
    assert len(page.nodes) > 2
    g = to_networkx(seed_export)
    for row in refines.target_links(seed_corpus):
        e = typed.refines_edge(row)
        g.add_edge(e["source"], e["target"], key="refines",
                   **{k: v for k, v in e.items() if k not in ("source", "target")})
    order = {n: i for i, n in enumerate(g.nodes)}

    def edges_of(c, nodes, out):  # networkx gives the data without the ends
        return {n: [(s, t, {"source": s, "target": t, **d})
                    for s, t, d in (g.out_edges(n, data=True) if out else g.in_edges(n, data=True))]
                for n in nodes}
    for name, fn in {
            "edges_of": edges_of, "attributes": lambda c, n: dict(g.nodes[n]),
            "kinds": lambda c: {n: kind_of(a) for n, a in g.nodes(data=True)},
            "node_kinds": lambda c, ns: {n: kind_of(g.nodes[n]) for n in ns if n in g},
            "positions": lambda c, ns: {n: order[n] for n in ns if n in g},
            "degrees": lambda c, ns: {n: g.degree(n) for n in ns}}.items():
        monkeypatch.setattr(typed, name, fn)
    monkeypatch.setattr(seed_corpus, "memo", {})  # nothing derived from the database's reads
    assert page == select(seed_corpus, spec)


def test_citation_only_view_is_hierarchical(seed_corpus) -> None:
    view = select(seed_corpus, ViewSpec(kinds=("document", "reference")))
    assert view.layout == "hierarchical"
    assert {e.type for e in view.edges} <= {"cites", "based_on", "implements"}


def test_page_is_offline_and_escapes_document_text() -> None:
    evil = "</script><script>alert(1)</script>"
    q = Quote("d1", "Kế hoạch 1/KH", "I", 0, 10, evil)
    view = View("t", [VNode("d1", "document", evil, evil, ("d1",), (("Tên", evil),), (q,), 0, None)], [],
                ("document",), "force")
    html = graph_html(view)
    assert evil not in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "vis.Network" in html  # the library is inlined, not fetched
    data = json.loads(re.search(r'<script id="cchc-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["nodes"][0]["label"] == evil  # intact once parsed, for textContent


def _bars(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    return [g for g in root.iter(f"{SVG}g") if "bar" in (g.get("class") or "").split()]


def test_comparison_chart_marks_the_parent_value(seed_corpus) -> None:
    rows = cascade_mod.compare(seed_corpus, "dossier_online_rate")
    svg = comparison_svg(rows)
    assert len(_bars(svg)) == sum(r.value is not None and r.unit == "%" for r in rows)
    root = ET.fromstring(svg)
    parents = [g for g in root.iter(f"{SVG}g") if g.get("class") == "parent"]
    # Only the Vị Thanh plan has a parent target for this metric (03-NQ/TU: 50%).
    assert len(parents) == sum(r.parent_value is not None for r in rows) == 1
    assert "50%" in parents[0].find(f"{SVG}title").text


def test_cascade_chart_colours_each_status(seed_corpus) -> None:
    cas = cascade_mod.cascade(seed_corpus, "002")[0]
    svg = cascade_svg(cas)
    weaker = [g for g in _bars(svg) if "weaker" in g.get("class")]
    # Electronic documents: the plan says 95%, the resolution 100%; the only weaker pair.
    assert cas.count("weaker") == 1
    assert len(weaker) == 2  # the parent's bar and the child's, tagged with the pair's status
    assert "95%" in weaker[1].find(f"{SVG}title").text


def test_cli_viz_and_chart(seed_store: Path, tmp_path: Path) -> None:
    run = CliRunner().invoke
    out = tmp_path / "g.html"
    r = run(cli, ["viz", "--store", str(seed_store), "-d", "002", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "nút hiện" in r.output and out.stat().st_size > 400_000  # vis-network inlined
    assert run(cli, ["viz", "--store", str(seed_store), "--focus", "không có", "-o", str(out)]).exit_code == 2
    r = run(cli, ["chart", "cascade", "002", "--store", str(seed_store)])
    assert r.exit_code == 0 and r.output.startswith("<svg")
    r = run(cli, ["chart", "compare", "trực tuyến", "--store", str(seed_store)])
    assert r.exit_code == 2 and ".html" in r.output  # two metrics match: one SVG cannot hold both
    r = run(cli, ["chart", "compare", "trực tuyến", "--store", str(seed_store), "-o", str(tmp_path / "c.html")])
    assert r.exit_code == 0 and (tmp_path / "c.html").read_text().count("<svg") == 2


@pytest.fixture(scope="module")
def client(seed_store: Path):
    from cchc_graph.api.app import create_app
    from fastapi.testclient import TestClient

    return TestClient(create_app(seed_store))


def test_document_page_groups_tasks_by_lead(client) -> None:
    r = client.get(f"/pages/documents/{VI_THANH_PLAN}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    text = r.text
    assert "Nhiệm vụ theo cơ quan chủ trì" in text
    # Phòng Nội vụ heads a group, linked to its agency page.
    assert 'href="/pages/agencies/ag%3Avn-hau-giang-vi-thanh%3Aphong-noi-vu">Phòng Nội vụ</a>' in text
    assert "03-NQ/TU" in text and "<svg" in text  # its cascade against the resolution


def test_agency_page_and_errors(client) -> None:
    r = client.get(f"/pages/agencies/{HG_PROPAGANDA}")
    assert r.status_code == 200
    assert "Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với các cơ quan thông tin" in r.text
    assert client.get("/pages/agencies/khong-co").status_code == 404
    assert client.get("/pages/documents/khong-co").status_code == 404
    assert client.get("/?type=khong-co").status_code == 422
    assert client.get("/?focus=khong-co-nut-nay").status_code == 404
    assert "/pages/documents" not in client.get("/openapi.json").json()["paths"]


def test_layout_of_a_large_component_has_every_node_apart() -> None:
    """Above 500 nodes networkx switches to a sparse solver (needs scipy): a real graph that big."""
    import networkx as nx
    import numpy as np
    from cchc_graph.visualizations.layout import force_positions

    g = nx.barabasi_albert_graph(700, 2, seed=3)
    nodes = [f"n{i}" for i in g.nodes]
    pos = force_positions(nodes, [(f"n{u}", f"n{v}") for u, v in g.edges], {n: 12.0 for n in nodes})
    xy = np.array([pos[n] for n in nodes])
    assert len(pos) == 700 and np.isfinite(xy).all()
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1)) + np.eye(700) * 1e9
    assert (d < 1.0).sum() == 0  # no two nodes drawn on top of each other


def test_every_citation_relation_has_its_own_edge_style() -> None:
    from cchc_graph.loaders.model import CITATION_RELATIONS
    from cchc_graph.visualizations.style import EDGE

    # a relation drawn as the fallback would read "liên quan" and lose what it says
    assert set(CITATION_RELATIONS) <= set(EDGE)
    assert len({EDGE[r].label for r in CITATION_RELATIONS}) == len(CITATION_RELATIONS)


def _quotes(html: str) -> list[str]:
    return re.findall(r"<blockquote>“(.*?)”<cite>", html, re.S)


def test_long_lists_on_pages_come_a_page_at_a_time(client, monkeypatch: pytest.MonkeyPatch) -> None:
    """An agency's roles of a kind, and a metric's targets, past a page's rows: the first page
    links to the rest, and the pages one after another are the whole list, in its order."""
    from cchc_graph.visualizations import pages

    agency = "/pages/agencies/ag%3Avn-hau-giang-vi-thanh%3Aphong-noi-vu"  # lead 3, standing 1
    roles = client.get("/agencies/ag:vn-hau-giang-vi-thanh:phong-noi-vu").json()["roles"]
    leads = [r["provenance"]["quote"] for r in roles if r["role"] == "lead"]
    metric = "/pages/metrics/dossier_online_rate"
    whole = client.get(metric).text
    rows = whole.count("<tr><td>")
    assert len(leads) == 3 and rows >= 3 and 'class="pager"' not in whole

    monkeypatch.setattr(pages, "PAGE_ROWS", 2)
    first = client.get(agency).text
    assert first.count("<details>") == 3  # two of the three leads, the one standing role
    assert f'href="{agency}?role=lead">Xem tất cả 3, 2 một trang' in first
    assert "?role=standing" not in first
    paged = [client.get(f"{agency}?role=lead&page={k}") for k in (1, 2, 3)]
    assert [r.status_code for r in paged] == [200, 200, 404]
    assert [html.unescape(q) for p in paged[:2] for q in _quotes(p.text)] == leads
    assert "trang 2 / 2" in paged[1].text and f"{agency}?role=lead&amp;page=1" in paged[1].text
    assert client.get(f"{agency}?role=cooperate").status_code == 404  # holds none
    assert client.get(f"{agency}?page=2").status_code == 404  # a page is of one role

    monkeypatch.setattr(pages, "PAGE_ROWS", 1)
    each = [client.get(f"{metric}?page={k}").text for k in range(1, rows + 1)]
    assert all(p.count("<tr><td>") == 1 for p in each)
    assert [re.search(r"<tr><td>.*?</tr>", p, re.S).group(0) for p in each] == \
        re.findall(r"<tr><td>.*?</tr>", whole, re.S)
    assert client.get(f"{metric}?page={rows + 1}").status_code == 404
