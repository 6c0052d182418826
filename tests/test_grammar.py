"""Table-driven tests of each grammar, on sentences written for these tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cchc_graph.keys import fold
from cchc_graph.loaders.extract.agencies import Context
from cchc_graph.loaders.extract.agency_lists import parse_list
from cchc_graph.loaders.extract.grammar import canonical_number, deadline_of, parse_date, schedule_of
from cchc_graph.loaders.extract.targets import metric_key
from cchc_graph.loaders.normalize import normalize
from cchc_graph.loaders.outline import marker_of
from cchc_graph.loaders.pipeline import extract
from cchc_graph.loaders.read import RawDocument, text_blocks
from cchc_graph.loaders.text import modern_tones, sentences

PROVINCE = Context("vn-nghe-an", "vn-nghe-an", "province")
DISTRICT = Context("vn-nghe-an-do-luong", "vn-nghe-an", "district")


def facts_of(text: str, name: str = "mau"):
    raw = RawDocument(f"{name}.md", "md", "0" * 64, text_blocks(text, markdown=True))
    return extract(normalize(raw, name))


@pytest.mark.parametrize(("written", "canonical"), [
    (("30c", None, "/", "NQ-CP"), "30c/NQ-CP"),
    (("12", "2023", "/", "NĐ-CP"), "12/2023/NĐ-CP"),
    (("77", None, "/", "QĐ/TTg"), "77/QĐ-TTg"),
    (("5", None, "-", "NQ/TW"), "5-NQ/TW"),
    (("09", None, "-", "KL / TW"), "09-KL/TW"),
    (("210", None, "/", "KH-UBND"), "210/KH-UBND"),
    (("3", "2019", "/", "ND-CP"), "3/2019/NĐ-CP"),
    (("226", "2016", "/", "TT-BTC"), "226/2016/TT-BTC"),  # the ministry's
    (("5", None, "-", "HD/BTC"), "5-HD/BTC"),  # the party body's
])
def test_canonical_numbers(written: tuple, canonical: str) -> None:
    assert canonical_number(*written) == canonical


@pytest.mark.parametrize(("text", "iso"), [
    ("ban hành ngày 5 tháng 9 năm 2022", "2022-09-05"),
    ("ngày 05/09/2022 của", "2022-09-05"),
    ("ký ngày 1-2-2021", "2021-02-01"),
    ("ngày 31 tháng 2 năm 2021", None),  # no such day
    ("không có ngày", None),
])
def test_dates(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(("text", "deadline", "freq"), [
    ("Gửi báo cáo trước ngày 15 tháng 6 hằng năm.", "trước ngày 15 tháng 6 hằng năm", "hằng năm"),
    ("Hàng năm, gửi kết quả trước ngày 10/12.", "trước ngày 10/12 hằng năm", "hằng năm"),
    ("Hoàn thành trước ngày 30/6/2024.", "trước ngày 30/6/2024", None),
    ("Thực hiện thường xuyên.", None, "thường xuyên"),
])
def test_deadlines(text: str, deadline: str | None, freq: str | None) -> None:
    assert deadline_of(text) == (deadline, freq)


@pytest.mark.parametrize(("deadline", "due", "rrule"), [
    ("trước ngày 15/8/2024", "2024-08-15", None),
    ("chậm nhất ngày 5 tháng 1 năm 2026", "2026-01-05", None),
    ("Quý III/2024", "2024-09-30", None),
    ("quý 1 năm 2023", "2023-03-31", None),
    ("trước quý II/2025", "2025-03-31", None),
    ("tháng 2/2024", "2024-02-29", None),
    ("trước tháng 7 năm 2023", "2023-06-30", None),
    ("Năm 2027", "2027-12-31", None),
    ("trước năm 2026", "2025-12-31", None),
    ("trước ngày 10 tháng 4 hằng năm", None, "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=10"),
    ("trước ngày 5/7 hàng năm", None, "FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=5"),
    ("Hằng quý", None, None),
    ("thường xuyên", None, None),
    ("trước ngày 31 tháng 2 năm 2024", None, None),
])
def test_schedules(deadline: str, due: str | None, rrule: str | None) -> None:
    assert schedule_of(deadline) == (due, rrule)


@pytest.mark.parametrize(("line", "style"), [
    ("IV. NHIỆM VỤ", "roman"), ("2. Mục tiêu", "arabic"), ("2.1. Mục tiêu chung", "arabic2"),
    ("a) Đến năm 2025:", "letter"), ("(3) Tăng cường", "paren"), ("- Rà soát", "bullet"),
    ("+ Cập nhật", "plus"), ("Điều 2. Giao Sở Nội vụ", "article"), ("PHỤ LỤC I", "appendix"),
    ("Năm 2025 là mốc", None), ("2025 là năm", None),
])
def test_heading_markers(line: str, style: str | None) -> None:
    found = marker_of(line)
    assert (found[0] if found else None) == style


def test_fold_keeps_length_and_matches_without_diacritics() -> None:
    for s in ["Ủy ban nhân dân tỉnh Nghệ An", "ĐẢNG BỘ HUYỆN Đô Lương", "Quý IV"]:
        assert len(fold(s)) == len(s)
    assert fold("Ủy ban Nhân dân") == fold("UY BAN NHAN DAN") == "uy ban nhan dan"
    assert modern_tones("hoá đơn, Uỷ ban, quý, thuỷ") == "hóa đơn, Ủy ban, quý, thủy"


def test_sentences_keep_list_markers_and_numbers() -> None:
    text = "1. Sở Tài chính thẩm định. Có 2.500 hồ sơ (xem mục 3. Phụ lục). Xong."
    got = [text[s:e] for s, e in sentences(text)]
    assert got == ["1. Sở Tài chính thẩm định.", "Có 2.500 hồ sơ (xem mục 3. Phụ lục).", "Xong."]


@pytest.mark.parametrize(("ctx", "text", "expected"), [
    (PROVINCE, "Sở Kế hoạch và Đầu tư chủ trì",
     [("Sở Kế hoạch và Đầu tư", "vn-nghe-an", False)]),
    (DISTRICT, "Phòng Nội vụ huyện, Phòng Tư pháp và UBND các xã, thị trấn thực hiện",
     [("Phòng Nội vụ huyện", "vn-nghe-an-do-luong", False),
      ("Phòng Tư pháp", "vn-nghe-an-do-luong", False),
      ("Ủy ban nhân dân các xã, thị trấn", "vn-nghe-an-do-luong", True)]),
    (PROVINCE, "Ban Dân vận, Ban Tổ chức Tỉnh ủy tham mưu",
     [("Ban Dân vận Tỉnh ủy", "vn-nghe-an", False), ("Ban Tổ chức Tỉnh ủy", "vn-nghe-an", False)]),
    (PROVINCE, "các sở, ban, ngành, đoàn thể cấp tỉnh triển khai",
     [("các sở, ban, ngành, đoàn thể cấp tỉnh", "vn-nghe-an", True)]),
    (PROVINCE, "UBND tỉnh Hà Tĩnh phối hợp", [("Ủy ban nhân dân tỉnh", "vn-ha-tinh", False)]),
    (PROVINCE, "Bộ Nội vụ hướng dẫn", [("Bộ Nội vụ", "vn", False)]),
    (PROVINCE, "Bộ Chỉ số đánh giá năng lực điều hành được áp dụng", []),  # a set of indices
    (PROVINCE, "Bộ Tiêu chí xã nông thôn mới", []),
    (PROVINCE, "cơ sở vật chất được bố trí", []),  # "sở" inside a common word
    (PROVINCE, "Thường trực chỉ đạo", []),  # whose standing committee? not said
    # "quán triệt" folds like "quận", "MỘT SỐ" like "Sở": the accents decide
    (PROVINCE, "Các cấp ủy, tổ chức đảng quán triệt",
     [("các cấp ủy Đảng", "vn-nghe-an", True), ("Tổ chức đảng", "vn-nghe-an", True)]),
    (PROVINCE, "MỘT SỐ NHIỆM VỤ TRỌNG TÂM", []),
    (PROVINCE, "CUA BAN CHAP HANH DANG BO TINH", []),  # no head at the start
    (PROVINCE, "BAN CHAP HANH DANG BO TINH KHOA XV", [("Ban Chấp hành Đảng bộ tỉnh", "vn-nghe-an", False)]),
])
def test_agency_lists(ctx: Context, text: str, expected: list) -> None:
    got = parse_list(text, fold(text), 0, ctx)
    assert [(m.name, m.jurisdiction, m.is_group) for m in got] == expected


@pytest.mark.parametrize(("text", "metric"), [
    ("tỷ lệ hồ sơ được giải quyết đúng hạn", "dossier_on_time"),
    ("hồ sơ thủ tục hành chính xử lý trực tuyến toàn trình", "dossier_online_rate"),
    ("văn bản gửi nhận dưới dạng điện tử", "edoc_exchange"),
    ("mức độ hài lòng của người dân về y tế", "satisfaction_public_services"),
])
def test_metric_keys(text: str, metric: str) -> None:
    assert metric_key(fold(text)) == metric


PLAN = """\
**ỦY BAN NHÂN DÂN HUYỆN ĐÔ LƯƠNG**

Số: 12/KH-UBND

*Đô Lương, ngày 3 tháng 4 năm 2023*

# KẾ HOẠCH

**Cải cách hành chính huyện Đô Lương năm 2023**

## I. TÌNH HÌNH

Năm trước huyện đạt 91% hồ sơ đúng hạn.

## II. CHỈ TIÊU

- Không dưới 97% hồ sơ được giải quyết đúng hạn; trên 40% hồ sơ nộp trực tuyến.
- Xây dựng 3 điểm một cửa hiện đại; tối đa 5% hồ sơ trễ hẹn.
- Chỉ số PAPI và DTI của tỉnh thuộc nhóm 25.

## III. TỔ CHỨC THỰC HIỆN

1. Phòng Nội vụ chủ trì, phối hợp với Phòng Tư pháp theo dõi; báo cáo UBND huyện trước ngày 15 tháng 12 hằng năm.

2. Giao Văn phòng HĐND và UBND huyện chủ trì kiểm soát thủ tục hành chính.

3. Các cơ quan chuyên môn phối hợp với Phòng Nội vụ tổ chức tập huấn.
"""


def test_targets_in_a_written_plan() -> None:
    f = facts_of(PLAN)
    got = sorted((t.comparator, t.value, t.unit, t.year, t.indicator) for t in f.targets)
    assert got == sorted([
        (">=", 97.0, "%", 2023, None), (">", 40.0, "%", 2023, None), ("=", 3.0, "count", 2023, None),
        ("<=", 5.0, "%", 2023, None), ("<=", 25.0, "rank", 2023, "papi"),
        ("<=", 25.0, "rank", 2023, "dti"),
    ])  # the 91% of last year is not a target


def test_roles_in_a_written_plan() -> None:
    f = facts_of(PLAN)
    names = {a.id: a.name for a in f.agencies}
    got = sorted((names[r.agency], r.role) for r in f.responsibilities)
    assert got == sorted([
        ("Phòng Nội vụ", "lead"), ("Phòng Tư pháp", "cooperate"),
        ("Ủy ban nhân dân huyện", "report_to"),
        ("Văn phòng Hội đồng nhân dân và Ủy ban nhân dân huyện", "lead"),
        # "X phối hợp với Y <làm gì>": X acts (lead), Y cooperates (CONVENTIONS.md)
        ("các cơ quan chuyên môn", "lead"), ("Phòng Nội vụ", "cooperate"),
    ])
    report = next(r for r in f.responsibilities if r.role == "report_to")
    assert report.deadline == "trước ngày 15 tháng 12 hằng năm"
    assert f.meta.number == "12/KH-UBND" and f.meta.date == "2023-04-03"
    assert f.meta.jurisdiction == "vn-nghe-an-do-luong"


def test_outline_of_a_written_plan() -> None:
    f = facts_of(PLAN)
    kinds = {s.path: s.kind for s in f.sections}
    assert kinds["I"] == "situation" and kinds["II"] == "goals" and kinds["III"] == "implementation"
    assert kinds["III.2"] == "implementation"


def test_citations_in_written_sentences() -> None:
    text = """\
# QUYẾT ĐỊNH

Căn cứ Luật Tổ chức chính quyền địa phương năm 2015; Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ về thực hiện cơ chế một cửa;

## Điều 1. Ban hành

Thực hiện Chỉ thị số 7, 8-CT/TU của Ban Thường vụ Tỉnh ủy và Quyết định nêu trên, áp dụng TCVN ISO 9001:2015 (ISO 9001:2015).
"""
    f = facts_of(text)
    got = sorted((c.number or c.title, c.type) for c in f.citations)
    assert got == sorted([
        ("Luật Tổ chức chính quyền địa phương năm 2015", "luat"),
        ("61/2018/NĐ-CP", "nghi_dinh"), ("7-CT/TU", "chi_thi"), ("8-CT/TU", "chi_thi"),
        ("TCVN ISO 9001:2015", "tieu_chuan"),
    ])
    nd = next(c for c in f.citations if c.number == "61/2018/NĐ-CP")
    assert (nd.date, nd.issuer, nd.relation) == ("2018-04-23", "Chính phủ", "based_on")


def test_abbreviation_definitions() -> None:
    f = facts_of("# NGHỊ QUYẾT\n\n## I. MỤC TIÊU\n\nĐẩy mạnh chuyển đổi số (CĐS) và "
                 "cải cách thủ tục (viết tắt là CCTT).\n")
    assert {(d.short, d.long) for d in f.definitions} >= {("CĐS", "chuyển đổi số")}
    assert any(d.short == "CCTT" for d in f.definitions)


DECISION = """\
ỦY BAN NHÂN DÂN TỈNH NGHỆ AN

Số: 301/QĐ-UBND

Nghệ An, ngày 14/02/2023

QUYẾT ĐỊNH

Về việc ban hành Kế hoạch kiểm soát thủ tục hành chính năm 2023

Điều 1. Ban hành kèm theo Quyết định này Kế hoạch kiểm soát thủ tục hành chính năm 2023.

Điều 2. Quyết định này có hiệu lực kể từ ngày ký.

Điều 3. Chánh Văn phòng UBND tỉnh, Giám đốc Sở Nội vụ và Thủ trưởng các sở, ban, ngành chịu trách nhiệm thi hành Quyết định này.
"""


def test_decision_articles_assign_those_who_execute_it() -> None:
    f = facts_of(DECISION, "qd")
    assert (f.meta.type, f.meta.number, f.meta.date) == ("quyet_dinh", "301/QĐ-UBND", "2023-02-14")
    names = {a.id: a.name for a in f.agencies}
    leads = sorted(names[r.agency] for r in f.responsibilities if r.role == "lead")
    assert leads == ["Chánh Văn phòng Ủy ban nhân dân tỉnh", "Giám đốc Sở Nội vụ",
                     "Thủ trưởng các sở, ban, ngành"]
    assert [s.style for s in f.sections] == ["article", "article", "article"]


LABELLED = """\
# KẾ HOẠCH

**Cải cách hành chính tỉnh Nghệ An năm 2024**

## II. NHIỆM VỤ

### 1. Cải cách thể chế

a) Rà soát văn bản quy phạm pháp luật do tỉnh ban hành.

- Cơ quan chủ trì: Sở Tư pháp.
- Cơ quan phối hợp: Các sở, ban, ngành; UBND các huyện, thành phố, thị xã.
- Thời gian hoàn thành: Quý III/2024.
- Sản phẩm: Báo cáo kết quả rà soát.

b) Tập huấn kỹ năng soạn thảo văn bản. Đơn vị chủ trì: Sở Nội vụ; thời gian thực hiện: tháng 5/2024.
"""


def test_labelled_lead_cooperate_deadline_product() -> None:
    f = facts_of(LABELLED)
    names = {a.id: a.name for a in f.agencies}
    by_title = {t.title: t for t in f.tasks if t.lead}
    a = by_title["Rà soát văn bản quy phạm pháp luật do tỉnh ban hành"]
    assert [names[i] for i in a.lead] == ["Sở Tư pháp"]
    assert [names[i] for i in a.cooperating] == ["các sở, ban, ngành",
                                                 "Ủy ban nhân dân các huyện, thành phố, thị xã"]
    assert (a.deadline, a.product) == ("Quý III/2024", "Báo cáo kết quả rà soát")
    b = next(t for t in f.tasks if t.lead and names[t.lead[0]] == "Sở Nội vụ")
    assert b.deadline == "tháng 5/2024"
    lead_quote = next(r.provenance.quote for r in f.responsibilities
                      if r.role == "lead" and names[r.agency] == "Sở Tư pháp")
    assert lead_quote == "Cơ quan chủ trì: Sở Tư pháp"


def test_issuer_from_the_header_and_laws_with_dates() -> None:
    f = facts_of("""\
ỦY BAN NHÂN DÂN TỈNH NGHỆ AN

Số: 9/KH-UBND

# KẾ HOẠCH

**Cải cách hành chính năm 2024**

Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật Cán bộ, công chức;

## I. MỤC TIÊU

- Có 100% thủ tục hành chính được công khai.
""")
    assert f.meta.issuer == "Ủy ban nhân dân tỉnh Nghệ An"
    assert f.meta.jurisdiction == "vn-nghe-an"
    laws = {c.title: c.date for c in f.citations if c.type == "luat"}
    assert laws == {"Luật Tổ chức chính quyền địa phương": "2015-06-19", "Luật Cán bộ, công chức": None}


def test_requests_to_other_bodies_and_no_self_citation() -> None:
    f = facts_of("""\
Số: 77/KH-UBND

# KẾ HOẠCH

**Cải cách hành chính tỉnh Nghệ An năm 2024**

## III. TỔ CHỨC THỰC HIỆN

1. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp giám sát việc thực hiện Kế hoạch số 77/KH-UBND.
""")
    names = {a.id: a.name for a in f.agencies}
    # "Đề nghị X …": X is the direct assignee of the duty
    assert ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "lead") in {
        (names[r.agency], r.role) for r in f.responsibilities}
    assert f.citations == []


def test_the_body_given_the_task_is_the_one_that_acts() -> None:
    f = facts_of("""\
# NGHỊ QUYẾT

**về cải cách hành chính tỉnh Nghệ An giai đoạn 2021 - 2025**

## IV. TỔ CHỨC THỰC HIỆN

1. Ban Thường vụ Tỉnh ủy giao Ban cán sự đảng UBND tỉnh chủ trì, phối hợp với Sở Nội vụ xây dựng kế hoạch.
""")
    names = {a.id: a.name for a in f.agencies}
    got = {(names[r.agency], r.role) for r in f.responsibilities}
    assert got == {("Ban cán sự đảng Ủy ban nhân dân tỉnh", "lead"), ("Sở Nội vụ", "cooperate")}


def test_agency_then_colon_then_duties() -> None:
    f = facts_of("""\
# KẾ HOẠCH

**Cải cách hành chính tỉnh Nghệ An năm 2024**

## IV. TỔ CHỨC THỰC HIỆN

1. Sở Nội vụ: Là cơ quan thường trực, chủ trì theo dõi việc thực hiện Kế hoạch này; tổng hợp báo cáo Ủy ban nhân dân tỉnh trước ngày 5 tháng 12.

2. Sở Tư pháp: Phối hợp với Sở Nội vụ rà soát văn bản.
""")
    names = {a.id: a.name for a in f.agencies}
    got = {(names[r.agency], r.role) for r in f.responsibilities}
    assert got == {("Sở Nội vụ", "standing"), ("Sở Nội vụ", "lead"),
                   ("Ủy ban nhân dân tỉnh", "report_to"), ("Sở Tư pháp", "lead"),
                   ("Sở Nội vụ", "cooperate")}


# --- patterns searched at word starts (indicators) ------------------------------------------

_WORD_START_CASES = [  # (pattern, folded text) — every match of re.finditer, no more
    (r"\bpci\b|\bchi so nang luc canh tranh\b", "chi so pci va chi so nang luc canh tranh; xpci, pci."),
    (r"\bdti\b", "dtidti dti_ dti-2024 (dti)"),
    (r"\bpar[ -]?index\b|\bchi so (?:cchc|cai cach)\b", "parindex par index, chi so cchc va chi so cai cach"),
    (r"\bm[ -]?score\b", "mscore m-score tmscore m score"),
    (r"\ba\b|\bab\b", "ab a ba a"),
    (r"\bpapi\b", ""),
]


@pytest.mark.parametrize(("pattern", "text"), _WORD_START_CASES)
def test_word_start_pattern_finds_what_finditer_finds(pattern: str, text: str) -> None:
    from cchc_graph.loaders.text import WordStartPattern

    expected = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    assert [(m.start(), m.end()) for m in WordStartPattern(pattern).finditer(text)] == expected
    assert expected or not text  # each case with text has matches to compare


def test_word_start_pattern_refuses_a_branch_without_a_leading_boundary() -> None:
    from cchc_graph.loaders.text import WordStartPattern

    with pytest.raises(ValueError, match="every branch"):
        WordStartPattern(r"\bpci\b|dti")


_GUARDED_CASES = [  # (guard, body, flags, text) — every match of re.finditer, groups too
    (r"\w", r"(Bộ luật|Luật|Pháp lệnh)\s+(?=\S)", 0,
     "Căn cứ Luật Tổ chức; Bộ luật Lao động, XLuật giả, Pháp lệnh  X; Luật"),
    (r"\w/", r"(\d{1,5})\s*([/-])\s*([A-Z]+)", 0, "Số 12/KH-UBND, a12/QĐ, /7-NQ, 30c-NQ 45/2020/NĐ-CP 7/TB"),
    (r"\w", r"(?:theo|can cu)\s+(ke hoach)\s+", re.IGNORECASE,
     "theo ke hoach 1; xtheo ke hoach 2, Can cu KE HOACH 3 va ca_theo ke hoach 4"),
]


@pytest.mark.parametrize(("guard", "body", "flags", "text"), _GUARDED_CASES)
def test_guarded_pattern_finds_what_finditer_finds(guard: str, body: str, flags: int, text: str) -> None:
    from cchc_graph.loaders.text import GuardedPattern

    full = re.compile(f"(?<![{guard}])(?:{body})", flags)
    expected = [(m.span(), m.groups()) for m in full.finditer(text)]
    assert [(m.span(), m.groups()) for m in GuardedPattern(guard, body, flags).finditer(text)] == expected
    assert len(expected) >= 2 and len(expected) < len(re.findall(body, text, flags))  # some guarded out
    for pos, endpos in [(1, len(text)), (5, len(text) - 4), (len(text) // 2, len(text) - 1)]:
        window = [(m.span(), m.groups()) for m in full.finditer(text, pos, endpos)]
        assert [(m.span(), m.groups()) for m in GuardedPattern(guard, body, flags).finditer(text, pos, endpos)] == window


_FIRST_CHARACTER_CASES = [  # (alternatives, text): the gathered alternation matches as the plain one
    (["so", "phong", "so ban", "pho"], "so ban va phong, pho so; sophong"),
    (["(?:huyen|thi|thanh) uy", "thanh doan", "thi xa", "ban"], "thanh uy, thanh doan, thi uy, thi xa ban"),
    (["van phong(?: hdnd)?", "vp ?ubnd", "uy ban"], "van phong hdnd, vpubnd, vp ubnd, uy ban, van phong"),
    ([r"nghi\ quyet", r"nghi\ dinh", "ke hoach"], "nghi quyet, nghi dinh va ke hoach"),
]


@pytest.mark.parametrize(("alternatives", "text"), _FIRST_CHARACTER_CASES)
def test_alternation_by_first_character_matches_as_the_plain_one(alternatives: list[str], text: str) -> None:
    from cchc_graph.loaders.text import by_first_character

    plain = [(m.span(), m.group()) for m in re.finditer("|".join(alternatives), text)]
    assert [(m.span(), m.group()) for m in re.finditer(by_first_character(alternatives), text)] == plain
    assert len(plain) >= 3


@pytest.mark.parametrize("bad", ["(so|phong)", "[sp]o", "s?o", "(?:a|b)?c"])
def test_alternation_by_first_character_refuses_what_it_cannot_gather(bad: str) -> None:
    from cchc_graph.loaders.text import by_first_character

    with pytest.raises(ValueError, match="branch"):
        by_first_character([bad, "ban"])


@pytest.mark.parametrize(("pattern", "expected"), [
    ("so|phong|so ban", ["s", "p"]),
    ("(?:huyen|thi|thanh) uy|ban|(?:vp|van phong) ubnd", ["h", "t", "b", "v"]),
    ("ban|(?:uy ban|ubnd)|tt", ["b", "u", "t"]),
])
def test_first_characters_of_an_alternation(pattern: str, expected: list[str]) -> None:
    from cchc_graph.loaders.text import first_characters

    assert first_characters(pattern) == expected


def test_heads_by_first_character_match_as_the_whole_head_regex(seeds_dir: Path) -> None:
    """At every place of my own sentences and of the seeds, the head found by the regex of
    the place's first character is the one the regex of all heads finds (span and head)."""
    from cchc_graph.keys import fold
    from cchc_graph.loaders.lexicon import HEADS, head_order, heads_at

    mine = ("Sở Nội vụ chủ trì, phối hợp với Ban Tuyên giáo Tỉnh ủy, UBND huyện, Văn phòng HĐND "
            "và Ủy ban MTTQ Việt Nam; số liệu do Bộ phận một cửa, Thường trực Huyện ủy, Thị ủy báo cáo")
    texts = [fold(mine)] + [fold(p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))]
    whole = re.compile(r"(?:" + "|".join(f"(?P<h{i}>(?:{HEADS[i].pattern}))" for i in head_order())
                       + r")(?![a-z0-9])")  # every head in one alternation, as first written
    found = 0
    for t in texts:
        for pos in range(len(t)):
            rx = heads_at().get(t[pos])
            m = rx.match(t, pos) if rx is not None else None
            w = whole.match(t, pos)
            assert (m and (m.span(), m.lastgroup)) == (w and (w.span(), w.lastgroup)), t[pos:pos + 40]
            found += w is not None
    assert found > 500


def test_indicators_found_in_one_scan_as_by_each_indicator(seeds_dir: Path) -> None:
    """One scan finds every match each indicator's own finditer finds, overlaps included."""
    from cchc_graph.keys import fold
    from cchc_graph.loaders.lexicon import INDICATORS, find_indicators

    mine = ("Chỉ số PAR INDEX, PAR-Index và parindex; SIPAS, Chỉ số hài lòng về sự phục vụ của cơ quan "
            "hành chính; PAPI PCI DTI, ICT Index, DDCI; Chỉ số năng lực cạnh tranh cấp sở; M-Score; "
            "xpci, pcix, Chỉ số cải cách hành chính các cấp, chỉ số CCHC. Chỉ số hài lòng, chỉ số hài lòng "
            "theo PAR INDEX về sự phục vụ của cơ quan hành chính.")  # matches inside matches
    texts = [fold(mine)] + [fold(p.read_text(encoding="utf-8")) for p in sorted(seeds_dir.glob("*.txt"))]
    for t in texts:
        each = sorted((m.start(), m.end(), ind.id) for ind in INDICATORS for m in ind.pattern.pattern.finditer(t))
        assert list(find_indicators(t)) == each
    assert {i for _s, _e, i in find_indicators(fold(mine))} == {ind.id for ind in INDICATORS}


def test_task_labels_match_as_the_plain_rule() -> None:
    from cchc_graph.loaders.extract.labels import _LABEL, _label_key

    plain = re.compile(  # the rule as first written: named groups, a lookbehind first
        r"(?:(?:co quan|don vi)\s+(?P<k1>chu tri|phoi hop|thuc hien)|(?<![a-z] )(?P<k2>chu tri|phoi hop)|"
        r"(?P<k3>thoi gian(?: thuc hien| hoan thanh)?|thoi han(?: hoan thanh)?|tien do(?: thuc hien)?|"
        r"san pham|ket qua dau ra))\s*:\s*")
    text = fold("- Cơ quan chủ trì: Sở Nội vụ; Đơn vị phối hợp : các sở; Chủ trì: UBND; sở chủ trì: X; "
                "thời gian thực hiện: 2025; Thời hạn: quý II; tiến độ: 6 tháng; Sản phẩm: báo cáo; "
                "kết quả đầu ra:  kế hoạch; Phối hợp: Công an tỉnh; đơn vị thực hiện: xã")
    expected = [(m.span(), m.group("k1") or m.group("k2") or m.group("k3")) for m in plain.finditer(text)]
    assert [(m.span(), _label_key(m)) for m in _LABEL.finditer(text)] == expected
    assert len(expected) == 10  # "sở chủ trì:" is not a label (a word before it)


@pytest.mark.parametrize(("phrase", "indicator"), [
    ("nâng cao Chỉ số cải cách hành chính của tỉnh", "par-index"),
    ("Bộ chỉ số theo dõi, đánh giá, xếp hạng kết quả cải cách hành chính của các sở", "par-index"),
    ("cải thiện chỉ số hài lòng của người dân", "sipas"),
    ("Chỉ số hài lòng về sự phục vụ hành chính năm 2024", "sipas"),
    ("Chỉ số đánh giá mức độ chuyển đổi số cấp tỉnh", "dti"),
    ("Chỉ số sẵn sàng cho phát triển và ứng dụng công nghệ thông tin - truyền thông", "ict-index"),
    ("Bộ chỉ số đánh giá năng lực cạnh tranh các sở, ngành và địa phương", "ddci"),
    ("Chỉ số hiệu quả quản trị và hành chính công cấp tỉnh", "papi"),
])
def test_indicators_by_their_vietnamese_names(phrase: str, indicator: str) -> None:
    from cchc_graph.loaders.lexicon import find_indicators

    assert {i for _s, _e, i in find_indicators(fold(phrase))} == {indicator}
