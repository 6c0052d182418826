"""What extraction does not understand is listed, never dropped (``cchc gaps``): fixtures in
our own words."""

from __future__ import annotations

import json
from pathlib import Path

from cchc_graph.api.cli import cli
from click.testing import CliRunner

from tests.test_grammar import facts_of

PLAN = """# KẾ HOẠCH

**Số hóa hồ sơ tỉnh Nghệ An năm 2026**

## I. MỤC TIÊU

- 90% hồ sơ được số hóa.
- Mỗi xã có 02 điểm tiếp nhận hồ sơ số.

## II. TỔ CHỨC THỰC HIỆN

1. Sở Nội vụ chủ trì kiểm tra việc số hóa.

2. Nhóm chuyên gia của dự án có trách nhiệm hỗ trợ kỹ thuật cho các xã.

3. Công tác phối hợp năm trước còn chậm.
"""


def test_a_duty_nobody_was_found_for_is_a_gap() -> None:
    f = facts_of(PLAN)
    duty = [g for g in f.gaps if g.kind == "duty"]
    # the experts are no body the grammar knows: their duty is listed, with its sentence
    assert [g.provenance.quote for g in duty] == ["2. Nhóm chuyên gia của dự án có trách nhiệm hỗ trợ kỹ thuật cho các xã."]
    assert duty[0].cue == "trách nhiệm" and duty[0].provenance.section == "II.2"
    assert f.text[duty[0].provenance.start:duty[0].provenance.end] == duty[0].provenance.quote
    # the lead that was found is no gap; "công tác phối hợp" names a topic, not a duty
    assert not any("Sở Nội vụ" in g.provenance.quote or "năm trước" in g.provenance.quote for g in duty)


def test_figures_of_goals_without_targets_and_missing_fields_are_gaps() -> None:
    f = facts_of(PLAN)
    figures = {g.cue for g in f.gaps if g.kind == "figure"}
    found = {t.value for t in f.targets}
    # each figure of the goals is a target or a gap, never lost
    assert (90.0 in found) != ("90%" in figures)
    assert (2.0 in found) != any(c.startswith("02") for c in figures)
    assert {g.cue for g in f.gaps if g.kind == "metadata"} == {"number", "date"}


def test_cli_lists_gaps_and_stats_gives_coverage(tmp_path: Path) -> None:
    (tmp_path / "kh.md").write_text(PLAN, encoding="utf-8")
    store = str(tmp_path / "store")
    built = CliRunner().invoke(cli, ["build", str(tmp_path / "kh.md"), "--store", store])
    assert built.exit_code == 0 and "chưa hiểu / not understood" in built.output
    r = CliRunner().invoke(cli, ["gaps", "--kind", "duty", "--json", "--store", store])
    rows = json.loads(r.output)
    assert r.exit_code == 0 and [g["file"] for g in rows] == ["kh.md"]
    assert rows[0]["provenance"]["quote"].startswith("2. Nhóm chuyên gia")
    r = CliRunner().invoke(cli, ["gaps", "--kind", "figure", "--document", "kh", "--store", store])
    assert r.exit_code in (0, 1)
    r = CliRunner().invoke(cli, ["stats", "--documents", "--json", "--store", store])
    (row,) = json.loads(r.output)["coverage"]
    assert row["responsibilities"] >= 1 and row["duty"] == 1 and row["metadata"] == 2
