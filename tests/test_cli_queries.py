"""The question commands as a coordinator runs them: readable tables, --json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cchc_graph.api.cli import cli
from click.testing import CliRunner

HG_RESOLUTION = "000_def938038e5dae73"
VI_THANH_PLAN = "002_0387e2864a5773df"


def run(store: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, [*args, "--store", str(store)])
    return r.exit_code, r.output


def test_who_leads_shows_lead_cooperating_and_quote(seed_store: Path) -> None:
    code, out = run(seed_store, "who-leads", "tuyên truyền", "--jurisdiction", "Hậu Giang")
    assert code == 0
    assert "chủ trì: Ban Tuyên giáo Tỉnh ủy" in out
    assert "phối hợp: các cơ quan thông tin, báo chí [nhóm]" in out
    assert "03-NQ/TU" in out and "Ban Tuyên giáo" in out and "“4. Ban Tuyên giáo" in out


def test_who_leads_json_is_the_same_answer(seed_store: Path) -> None:
    code, out = run(seed_store, "who-leads", "tuyên truyền", "-j", "Hậu Giang", "--json")
    first = json.loads(out)[0]
    assert code == 0 and first["document"]["id"] == HG_RESOLUTION
    assert [r["agency"]["name"] for r in first["roles"] if r["role"] == "lead"] == ["Ban Tuyên giáo Tỉnh ủy"]


@pytest.mark.parametrize(("args", "code"), [
    (("who-leads", "khong co cum tu nay"), 1),             # answered, nothing found
    (("who-leads", "--agency", "Sở Ngoại giao"), 2),      # a name that matches no agency
    (("cites", "khong-co"), 2),
    (("cascade", HG_RESOLUTION), 2),                      # implements nothing in the corpus
    (("audit", "--rule", "report_cycle", "--strict"), 0),  # no circle among the seeds
    (("audit", "--strict"), 1),                           # violations found
    (("audit",), 0),                                      # reported, not failed
])
def test_exit_codes(seed_store: Path, args: tuple[str, ...], code: int) -> None:
    assert run(seed_store, *args)[0] == code


def test_missing_store_exits_3(tmp_path: Path) -> None:
    code, out = run(tmp_path / "none", "who-leads", "x")
    assert code == 3 and "cchc build" in out


def test_cascade_table_names_weaker_and_stronger(seed_store: Path) -> None:
    code, out = run(seed_store, "cascade", VI_THANH_PLAN)
    assert code == 0
    assert "thấp hơn / weaker" in out and "cao hơn / stronger" in out
    assert "Văn bản trao đổi dưới dạng" in out  # the weaker metric, by its label
    code, out = run(seed_store, "cascade", VI_THANH_PLAN, "--json")
    rows = {r["metric"]: r for r in json.loads(out)[0]["rows"] if r["parent"] and r["child"]}
    assert rows["edoc_exchange"]["reason"] == "=95% (2025) so với / vs =100% (2025)"
    assert rows["dossier_online_rate"]["reason"] == ">=80% (2025) so với / vs =50% (2025)"


def test_cites_and_cited_by(seed_store: Path) -> None:
    code, out = run(seed_store, "cites", VI_THANH_PLAN, "--depth", "2", "--json")
    hops = json.loads(out)
    assert code == 0 and {h["depth"] for h in hops} == {1, 2}
    code, out = run(seed_store, "cited-by", "03-NQ/TU", "--json")
    assert [h["source"]["id"] for h in json.loads(out)] == [VI_THANH_PLAN]
    code, out = run(seed_store, "cites", "--status", "resolved", "--json")
    assert [h["number"] for h in json.loads(out)] == ["03-NQ/TU"]


def test_agency_deps_path_search_compare(seed_store: Path) -> None:
    code, out = run(seed_store, "agency", "Phòng Nội vụ", "--json")
    (profile,) = json.loads(out)
    assert profile["agency"]["id"] == "ag:vn-hau-giang-vi-thanh:phong-noi-vu"
    assert profile["role_counts"] == {"lead": 3, "standing": 1}
    code, out = run(seed_store, "deps", "03-NQ/TU", "--json")
    assert code == 0 and json.loads(out)["depended_on_by"]
    code, out = run(seed_store, "path", "ag:vn-hau-giang:ban-tuyen-giao-tinh-uy",
                    "ag:vn-hau-giang-vi-thanh:phong-noi-vu", "--json")
    assert code == 0 and "based_on" in {x["type"] for x in json.loads(out)}
    code, out = run(seed_store, "search", "ban tuyen giao", "--type", "agency", "--json")
    assert {h["label"] for h in json.loads(out)} >= {"Ban Tuyên giáo Tỉnh ủy", "Ban Tuyên giáo Thành ủy"}
    code, out = run(seed_store, "compare", "edoc_exchange")
    assert code == 0 and "Hậu Giang" in out and "=95%" in out


def test_matrix_and_calendar_files(own_store: Path, tmp_path: Path) -> None:
    xlsx, ics, csv_file = tmp_path / "m.xlsx", tmp_path / "t.ics", tmp_path / "m.csv"
    assert run(own_store, "matrix", "-d", "45/KH-UBND", "--format", "xlsx", "-o", str(xlsx))[0] == 0
    assert xlsx.read_bytes()[:2] == b"PK"  # a zip container, as .xlsx is
    assert run(own_store, "matrix", "-d", "45/KH-UBND", "--format", "csv", "-o", str(csv_file))[0] == 0
    assert "Phòng Văn hóa và Thông tin" in csv_file.read_text(encoding="utf-8").splitlines()[0]
    code, out = run(own_store, "calendar", "-d", "45/KH-UBND", "-o", str(ics))
    assert code == 0 and "sự kiện / events" in out
    text = ics.read_text(encoding="utf-8")
    assert "RRULE:FREQ=YEARLY;UNTIL=20251231;BYMONTHDAY=20;BYMONTH=11" in text
    assert "DTSTART;VALUE=DATE:20221231" in text  # "Quý IV/2022"
    code, out = run(own_store, "calendar", "-d", "45/KH-UBND")
    assert "(không có ngày)" in out  # "Hằng năm" is listed, not put in the calendar


def test_serve_refuses_uploads_without_a_token_and_a_missing_store(seed_store: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CCHC_UPLOAD_TOKEN", raising=False)
    code, out = run(seed_store, "serve", "--allow-upload")
    assert code == 2 and "--upload-token" in out
    code, out = run(tmp_path / "none", "serve")
    assert code == 3 and "cchc build" in out


def test_text_cuts_each_quote_out_of_its_documents_normalized_text(seed_store: Path, seed_export: dict) -> None:
    """An auditor reads a fact's sentence from the text the store keeps: `cchc text DOC --start
    --end` with its provenance gives its quote; the whole text is the document read again."""
    from cchc_graph.loaders.pipeline import load_document

    source = next(d["source_path"] for d in seed_export["documents"] if d["id"] == HG_RESOLUTION)
    whole = load_document(source, HG_RESOLUTION).text
    code, out = run(seed_store, "text", "03-NQ/TU")  # found by its number, as every question finds it
    assert code == 0 and out == whole + "\n"
    mine = [r for r in seed_export["responsibilities"] if r["provenance"]["document"] == HG_RESOLUTION]
    for r in mine[:: max(1, len(mine) // 6)]:
        p = r["provenance"]
        code, out = run(seed_store, "text", HG_RESOLUTION, "--start", str(p["start"]), "--end", str(p["end"]),
                        "--json")
        assert code == 0 and json.loads(out) == {"document": HG_RESOLUTION, "start": p["start"], "end": p["end"],
                                                 "length": len(whole), "text": p["quote"]}


@pytest.mark.parametrize(("args", "message"), [
    (("text", HG_RESOLUTION, "--start", "10", "--end", "5"), "10:5 không nằm trong văn bản"),
    (("text", HG_RESOLUTION, "--start", "99999999"), "is not inside the text of " + HG_RESOLUTION),
    (("text", "khong-co"), "no document matches 'khong-co'"),
    (("text", "ref:vn:30c/nq-cp"), "no text stored for 'ref:vn:30c/nq-cp'"),  # cited, not in the corpus
])
def test_text_outside_a_stored_text_says_why(seed_store: Path, args: tuple[str, ...], message: str) -> None:
    r = CliRunner().invoke(cli, [*args, "--store", str(seed_store)])
    assert r.exit_code == 2 and message in r.stderr and not r.stdout
