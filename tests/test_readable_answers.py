"""Answers that explain themselves: Vietnamese metric labels with units, recurrence as people
say it, repeated section numbers spelled out, no empty tables, full chart legends."""

from __future__ import annotations

import re
from pathlib import Path

from cchc_graph.api.cli import cli
from cchc_graph.graph.questions import cascade as cascade_mod
from cchc_graph.graph.questions.cascade import row_labels
from cchc_graph.graph.questions.index import section_label
from cchc_graph.graph.questions.planning import recurrence_text
from cchc_graph.graph.questions.refines import CascadeRow, TargetRef, metric_label
from cchc_graph.loaders.model import Provenance
from cchc_graph.visualizations.charts import STATUS, cascade_svg
from click.testing import CliRunner

VI_THANH_PLAN = "002_0387e2864a5773df"


def run(store: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, [*args, "--store", str(store)])
    return r.exit_code, r.output


def test_recurrence_as_people_say_it() -> None:
    assert recurrence_text("FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=30") == "hằng năm, ngày 30/10"
    assert recurrence_text("FREQ=MONTHLY;INTERVAL=3") == "3 tháng một lần"
    assert recurrence_text("FREQ=HOURLY") == "FREQ=HOURLY"  # unknown: as written, not dropped
    assert recurrence_text(None) == ""


def test_calendar_shows_recurrence_in_words(seed_store: Path) -> None:
    code, out = run(seed_store, "calendar", "-d", VI_THANH_PLAN)
    assert code == 0
    # the plan's report deadline "trước ngày 30 tháng 10" each year
    assert "hằng năm, ngày 30/10" in out and "FREQ=" not in out


def test_repeated_section_numbers_are_spelled_out() -> None:
    assert section_label("VI'") == "VI (lần 2)"
    assert section_label("VI''.5") == "VI (lần 3).5"
    assert section_label("II.2.b3") == "II.2.b3" and section_label(None) == ""


def test_answers_never_show_the_prime(seed_store: Path) -> None:
    # the plan numbers its implementation part VI a second time
    code, out = run(seed_store, "who-leads", "báo cáo", "-d", VI_THANH_PLAN)
    assert code == 0 and "VI (lần 2)" in out and "VI'" not in out


def test_compare_shows_vietnamese_labels_and_units(seed_store: Path) -> None:
    code, out = run(seed_store, "compare", "trực tuyến")
    assert code == 0
    assert "dossier_online_rate" not in out  # the key is for scripts (--json)
    assert "Tỷ lệ hồ sơ TTHC giải quyết trực tuyến (%)" in " ".join(out.split())
    # the Vị Thanh plan's 80% against the Hậu Giang resolution's 50%: the parent's value has its unit
    assert re.search(r"│ ≥?80% +│ 2025 +│ ≥?50% +│", out)


def test_metric_label_with_unit() -> None:
    assert metric_label("dossier_online_rate", "%") == "Tỷ lệ hồ sơ TTHC giải quyết trực tuyến (%)"
    assert metric_label("rank:pci", "rank") == "Thứ hạng PCI"
    assert metric_label("modern_one_stop", "count").endswith("(số lượng)")


def test_deps_shows_leads_and_omits_empty_tables(seed_store: Path, seed_export: dict) -> None:
    # the plan's follow-up task, led by its Phòng Nội vụ (the standing agency)
    task = next(t for t in seed_export["tasks"] if t["document"] == VI_THANH_PLAN
                and t["text"].startswith("Là cơ quan thường trực"))
    code, out = run(seed_store, "deps", task["id"])
    assert code == 0
    flat = " ".join(out.split())
    assert "chủ trì: Phòng Nội vụ" in flat  # who leads the task comes first
    assert "depended on by: không có / none" in flat  # nothing rests on it: one line, no frame
    assert out.count("┏") == 2  # the task and what it rests on


def _t(tid: str, value: float, year: int, unit: str = "%") -> TargetRef:
    return TargetRef(tid, "d", None, ">=", value, unit, year, "", Provenance("d", "I", 0, 1, "q"))


def test_rows_of_one_metric_are_told_apart() -> None:
    rows = [CascadeRow("m", "Tỷ lệ (%)", "missing", "", _t("a", 50, 2025), None),
            CascadeRow("m", "Tỷ lệ (%)", "missing", "", _t("b", 80, 2030), None),
            CascadeRow("m", "Tỷ lệ (%)", "missing", "", _t("c", 90, 2030), None),
            CascadeRow("m", "Tỷ lệ (%)", "missing", "", _t("d", 90, 2030), None)]
    labels = row_labels(rows)
    assert labels[0] == "Tỷ lệ (%) · 2025" and labels[1] == "Tỷ lệ (%) · 2030 · ≥80%"
    assert len(set(labels)) == 4 and labels[3].endswith("(lần 2)")


def test_cascade_chart_legend_gives_every_colour(seed_corpus) -> None:
    assert len({color for _, color in STATUS.values()}) == len(STATUS)  # equal is not "not comparable"
    for cas in cascade_mod.cascade(seed_corpus, VI_THANH_PLAN):
        svg = cascade_svg(cas)
        legend = svg.split('<g class="legend">')[1]
        bars = set(re.findall(r'<g class="bar [a-z_]+"><title>[^<]*</title><rect [^>]*fill="(#[0-9A-F]+)"', svg))
        used = {s for s in STATUS if cas.count(s)}
        assert bars and bars <= set(re.findall(r'fill="(#[0-9A-F]+)"', legend))
        for s in used:
            assert STATUS[s][0] in legend
        xs = [float(x) for x in re.findall(r'<text x="([0-9.]+)"', legend)]
        assert max(xs) < 860  # every entry inside the chart, wrapped onto more rows
        labels = re.findall(r"<g><title>([^<]+)</title>", svg)
        assert len(labels) == len(set(labels)) == len(cas.rows)


def test_audit_leads_with_a_summary_and_groups_by_document(seed_store: Path) -> None:
    code, out = run(seed_store, "audit")
    assert code == 0
    first_table = out.split("┏")[1]
    assert "Quy tắc / rule" in first_table and "Số / count" in first_table  # the summary comes first
    # one table per document, each headed by its id and label
    heads = re.findall(r"^(\d{3}_[0-9a-f]+) · .*?: (\d+) vi phạm", out, re.M)
    assert len(heads) == len({h for h, _ in heads}) == 5
    rows = sum(int(n) for _, n in heads)
    assert re.search(rf"audit: {rows} vi phạm / findings trong 5 văn bản", out)
    assert len(out.splitlines()) < 300 and "--limit 0" in out  # five a document, and how to see more
    code, everything = run(seed_store, "audit", "--limit", "0")
    assert len(everything.splitlines()) > len(out.splitlines())


def test_audit_limit_in_json(seed_store: Path) -> None:
    import json

    full = json.loads(run(seed_store, "audit", "--json")[1])
    one = json.loads(run(seed_store, "audit", "--json", "--limit", "1")[1])
    assert len(one) == len({v["document"] for v in full}) < len(full)


def test_many_leads_show_the_sentence_of_each_lead(seed_store: Path) -> None:
    import json

    found = json.loads(run(seed_store, "audit", "--rule", "task_many_leads", "--json")[1])
    assert found
    for v in found:
        leads = v["message"].split(": ", 1)[1]
        assert len(v["evidence"]) >= 2
        for e in v["evidence"]:
            assert e["label"] in leads and e["provenance"]["quote"]
    _, out = run(seed_store, "audit", "--rule", "task_many_leads", "--limit", "0")
    assert out.count("• ") == sum(len(v["evidence"]) for v in found)


def test_graph_panel_names_metrics_in_vietnamese(seed_corpus) -> None:
    from cchc_graph.visualizations.view import ViewSpec, select

    view = select(seed_corpus, ViewSpec(kinds=("target",)))
    shown = {v for n in view.nodes for k, v in n.props if k == "Chỉ tiêu đo"}
    assert "Thứ hạng PAPI" in shown  # rank targets (the seeds set PAPI ranks), not "rank:papi"
    assert not any(":" in v or "_" in v for v in shown)  # no metric key
