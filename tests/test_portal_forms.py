"""Forms of documents as legal portals publish them, on text written for these tests:
tables flattened to one cell a line, headings hard-wrapped inside bold, duties under headings."""

from __future__ import annotations

import pytest
from cchc_graph.keys import fold
from cchc_graph.loaders.extract.agency_lists import parse_list
from cchc_graph.loaders.read import text_blocks

from tests.test_grammar import PROVINCE, facts_of

# a portal's rendering of a task table: every cell closed by a line holding only "|", an empty
# cell between two rows, a group row, a merged sub-row without its ordinal
FLAT_TABLE = """**PHỤ LỤC**

|
**STT**
|
**Nội dung công việc**
|
**Đơn vị chủ trì**
|
**Đơn vị phối hợp**
|
**Thời hạn**
|
|
**I**
|
**Nâng cấp phần mềm một cửa**
|
|
1
|
Chuyển đổi kho hồ sơ giấy
sang dạng số.
|
Sở Nội vụ
|
Sở Tư pháp
|
Quý II/2026
|
|
Kiểm tra chất lượng bản số
hóa hằng tháng.
|
Sở Tư pháp
|
|
2
|
Bồi dưỡng cán bộ tiếp dân.
|
Sở Tài chính
|
Sở Nội vụ, Sở Tư pháp
|
Năm 2027
|
|
"""

HEADER_LAYOUT = """|
**ỦY BAN NHÂN DÂN**
TỈNH NGHỆ AN
|
**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**
|
|
Số: 41/KH-UBND
|
*Nghệ An, ngày 9 tháng 4 năm 2024*
|

**KẾ HOẠCH**
"""


def test_flattened_table_rows() -> None:
    rows = [b for b in text_blocks(FLAT_TABLE, markdown=True) if b.kind == "row"]
    assert [len(r.cells) for r in rows] == [5, 2, 5, 2, 5]
    assert rows[2].cells[1] == "Chuyển đổi kho hồ sơ giấy sang dạng số."


def test_layout_table_stays_paragraphs() -> None:
    blocks = text_blocks(HEADER_LAYOUT, markdown=True)
    assert not [b for b in blocks if b.kind == "row"]
    assert any(b.text == "Số: 41/KH-UBND" for b in blocks)


def test_flattened_table_tasks() -> None:
    f = facts_of(FLAT_TABLE)
    names = {a.id: a.name for a in f.agencies}
    by_task = {}
    for r in f.responsibilities:
        by_task.setdefault(r.task, set()).add((r.role, names[r.agency]))
    tasks = {t.id: t for t in f.tasks}
    got = {tasks[k].title: v for k, v in by_task.items()}
    assert got["Chuyển đổi kho hồ sơ giấy sang dạng số."] == {
        ("lead", "Sở Nội vụ"), ("cooperate", "Sở Tư pháp")}
    # the merged sub-row keeps its own lead and takes the cooperating agency of the row above
    assert got["Kiểm tra chất lượng bản số hóa hằng tháng."] == {
        ("lead", "Sở Tư pháp"), ("cooperate", "Sở Tư pháp")}
    assert got["Bồi dưỡng cán bộ tiếp dân."] == {
        ("lead", "Sở Tài chính"), ("cooperate", "Sở Nội vụ"), ("cooperate", "Sở Tư pháp")}
    first = next(t for t in f.tasks if t.title.startswith("Chuyển đổi"))
    assert first.deadline == "Quý II/2026" and first.due_date == "2026-06-30"


def _roles(f) -> set[tuple[str, str, str]]:
    """(agency, role, task text) of every responsibility."""
    names = {a.id: a.name for a in f.agencies}
    tasks = {t.id: t for t in f.tasks}
    return {(names[r.agency], r.role, tasks[r.task].text) for r in f.responsibilities}


def _has(got: set[tuple[str, str, str]], agency: str, role: str, task_start: str) -> bool:
    return any(a == agency and r == role and t.startswith(task_start) for a, r, t in got)


# headings hard-wrapped inside their bold run, a marker alone on its line, a paragraph whose
# indented first line is short; duties as items under headings that name the bodies
WRAPPED_DUTIES = """**II. TỔ CHỨC
THỰC HIỆN**

**1.
Các cơ quan tiếp nhận hồ sơ (Sở Xây dựng, Ban quản lý khu công nghiệp):**

a) Niêm yết công khai thủ tục
và biểu mẫu tại nơi tiếp nhận.

Trường hợp hồ sơ thiếu, hướng dẫn
một lần bằng văn bản.

b) Trả kết quả đúng hẹn cho người dân.

**2. Sở
Tài chính**

- Phối hợp với Sở Nội vụ bố trí
kinh phí cho việc số hóa hồ sơ.

- Tổng hợp tình hình, định kỳ báo cáo quý gửi Ủy ban nhân dân tỉnh.
"""


def test_duties_under_wrapped_headings() -> None:
    got = _roles(facts_of(WRAPPED_DUTIES))
    body = "Các cơ quan tiếp nhận hồ sơ (Sở Xây dựng, Ban quản lý khu công nghiệp)"
    # item a) with its second paragraph is one task of the body its heading names
    assert _has(got, body, "lead", "a) Niêm yết công khai thủ tục")
    assert _has(got, body, "lead", "b) Trả kết quả đúng hẹn cho n")
    assert not any(t.startswith("Trường hợp") for _, _, t in got)
    # "X phối hợp với Y <làm gì>" under the heading of X: X leads, Y cooperates
    assert _has(got, "Sở Tài chính", "lead", "- Phối hợp với Sở Nội vụ bố t")
    assert _has(got, "Sở Nội vụ", "cooperate", "- Phối hợp với Sở Nội vụ bố t")
    assert _has(got, "Ủy ban nhân dân tỉnh", "report_to", "- Tổng hợp tình hình, định kỳ ")


ATTACHED_PLAN = """# QUYẾT ĐỊNH

**Điều 1.** Ban hành kèm theo Quyết định này Kế hoạch số hóa hồ sơ.

**Điều 2.** Quyết định này có hiệu lực từ ngày ký.

*Nơi nhận:*
- Như Điều 2;
- Lưu: VT.

**KT. CHỦ TỊCH**
**PHÓ CHỦ TỊCH**

**KẾ HOẠCH**

SỐ HÓA HỒ SƠ THỦ TỤC HÀNH CHÍNH

**I. TỔ CHỨC THỰC HIỆN**

1. Sở Nội vụ chủ trì kiểm tra việc số hóa hồ sơ tại các xã.
"""


def test_plan_attached_after_the_signature_is_read() -> None:
    f = facts_of(ATTACHED_PLAN)
    assert _has(_roles(f), "Sở Nội vụ", "lead", "1. Sở Nội vụ chủ trì kiểm tra ")
    assert f.meta.signer_capacity and "KẾ HOẠCH" not in f.meta.signer_capacity


# a statute of functions: a lead-in hands the lettered items to the centre; a request in the
# preamble is a duty of those requested
FUNCTIONS = """# QUYẾT ĐỊNH

Giám đốc Sở Nội vụ yêu cầu Thủ trưởng các sở, ban, ngành rà soát quy trình nội bộ trong tháng.

**Điều 1. Nhiệm vụ**

Trung tâm Dịch vụ việc làm tỉnh thực hiện các nhiệm vụ sau:

1. Nhiệm vụ chung

a) Tư vấn việc làm cho người lao động.

b) Phối hợp với Bưu điện tỉnh chuyển trả kết quả tận nhà.

**Điều 2. Hiệu lực**

Quyết định có hiệu lực từ ngày ký.
"""


def test_lead_in_hands_its_items_to_the_agency() -> None:
    got = _roles(facts_of(FUNCTIONS))
    centre = "Trung tâm Dịch vụ việc làm tỉnh"
    assert _has(got, centre, "lead", "a) Tư vấn việc làm")
    assert _has(got, centre, "lead", "b) Phối hợp với Bưu điện")
    assert _has(got, "Bưu điện tỉnh", "cooperate", "b) Phối hợp với Bưu điện")
    assert not any(t.startswith("1. Nhiệm vụ chung") for _, _, t in got)  # a heading over items
    assert not any(t.startswith("Quyết định có hiệu lực") for _, _, t in got)
    assert _has(got, "Thủ trưởng các sở, ban, ngành", "lead", "Giám đốc Sở Nội vụ yêu cầu")
    assert not any(a == "Giám đốc Sở Nội vụ" for a, _, _ in got)  # who asks is not the one who acts


@pytest.mark.parametrize(("written", "name"), [
    ("Trung tâm Chuyển đổi số tỉnh chủ trì", "Trung tâm Chuyển đổi số tỉnh"),
    ("Viện Nghiên cứu phát triển thành phố có trách nhiệm", "Viện Nghiên cứu phát triển thành phố"),
    ("Ban Quản lý Khu Kinh tế Vân Phong phối hợp", "Ban Quản lý Khu Kinh tế Vân Phong"),
    ("Sở Quy hoạch - Kiến trúc thực hiện", "Sở Quy hoạch - Kiến trúc"),
])
def test_proper_names_run_over_lower_case_syllables(written: str, name: str) -> None:
    ms = parse_list(written, fold(written), 0, PROVINCE)
    assert [m.name for m in ms] == [name]


GOALS = """# KẾ HOẠCH

## II. MỤC TIÊU

1. Dữ liệu số đến năm 2030

- Mỗi năm công bố từ 03 bộ dữ liệu dùng chung mới.
- Có ít nhất 12 kho dữ liệu chuyên ngành được kết nối.
- Chi ngân sách cho chuyển đổi số tối thiểu 1,5% tổng chi.
- Tổ chức từ 2 đến 4 hội nghị chuyên đề.
"""


def test_counted_goals_of_any_noun_and_bullets_keep_their_kind() -> None:
    f = facts_of(GOALS)
    got = sorted((t.comparator, t.value, t.unit, t.year) for t in f.targets)
    # "từ 03", "ít nhất 12" are floors of things counted; "từ 2 đến 4" is a range, no floor;
    # the bullet about spending stays in the goals (its words are no "budget" heading)
    assert (">=", 3.0, "count", 2030) in got and (">=", 12.0, "count", 2030) in got
    assert (">=", 1.5, "%", 2030) in got
    assert not any(t.value == 2.0 and t.comparator == ">=" for t in f.targets)
    counted = next(t for t in f.targets if t.value == 12.0)
    assert counted.metric.startswith("other:kho-du-lieu")  # what is counted, not the sentence's first words


@pytest.mark.parametrize(("written", "names"), [
    # one head shared by several names after a colon
    ("Giám đốc các Sở: Nội vụ, Tư pháp và Tài chính chịu trách nhiệm",
     ["Giám đốc Sở Nội vụ", "Giám đốc Sở Tư pháp", "Giám đốc Sở Tài chính"]),
    # more unit words after the first; the concerned ones keep "liên quan"
    ("UBND xã, phường, đặc khu và các cơ quan, đơn vị liên quan thực hiện",
     ["Ủy ban nhân dân xã, phường, đặc khu", "các cơ quan, đơn vị liên quan"]),
    ("Thủ trưởng cơ quan, ban, ngành tỉnh; các tổ chức, cá nhân có liên quan",
     ["Thủ trưởng các cơ quan, ban, ngành tỉnh", "các tổ chức, cá nhân liên quan"]),
])
def test_lists_of_executors(written: str, names: list[str]) -> None:
    assert [m.name for m in parse_list(written, fold(written), 0, PROVINCE)] == names


CLAUSES = """# KẾ HOẠCH

## III. TỔ CHỨC THỰC HIỆN

**1. Sở Tài chính **(cơ quan chủ trì)

- Trên cơ sở đề xuất của các sở, ngành chuyên môn, Sở Tài chính phối hợp với Kho bạc Nhà nước tỉnh cân đối kinh phí.

**2. Các cơ quan liên quan**

Ngoài các việc nêu trên, các đơn vị còn thực hiện như sau:

a) Cơ quan tiếp nhận hồ sơ có trách nhiệm trả lời bằng văn bản trong 05 ngày.

b) Các cơ quan, đơn vị được giao nhiệm vụ có trách nhiệm báo cáo tiến độ.

3. Chánh Văn phòng UBND tỉnh chỉ đạo Giám đốc Trung tâm Phục vụ hành chính công tỉnh triển khai Kế hoạch.

## PHỤ LỤC

| STT | Nhiệm vụ | Cơ quan chủ trì | Thời gian |
|---|---|---|---|
| 1 | Cập nhật dữ liệu hộ tịch | UBND cấp xã | Hằng quý báo cáo về Sở Tư pháp |
"""


def test_subjects_after_adverbials_by_role_and_directed() -> None:
    got = _roles(facts_of(CLAUSES))
    assert _has(got, "Sở Tài chính", "lead", "- Trên cơ sở đề xuất")
    assert not any(a.startswith("các ban") or t.startswith("(cơ quan chủ trì)") for a, _, t in got)
    assert not any(t.startswith("Ngoài các việc") for _, _, t in got)  # introduces the items
    assert _has(got, "Cơ quan tiếp nhận hồ sơ", "lead", "a) Cơ quan tiếp nhận")
    assert _has(got, "các cơ quan, đơn vị được giao nhiệm vụ", "lead", "b) Các cơ quan, đơn vị")
    # "X chỉ đạo Y <làm gì>": both act
    assert _has(got, "Chánh Văn phòng Ủy ban nhân dân tỉnh", "lead", "3. Chánh Văn phòng")
    assert _has(got, "Giám đốc Trung tâm Phục vụ hành chính công tỉnh", "lead", "3. Chánh Văn phòng")
    # a table cell that says where reports go
    assert _has(got, "Sở Tư pháp", "report_to", "1 | Cập nhật dữ liệu hộ tịch")


def test_a_sentence_that_only_exhorts_is_no_duty() -> None:
    f = facts_of("""# NGHỊ QUYẾT

## IV. TỔ CHỨC THỰC HIỆN

1. Các cấp ủy đảng, các ban, ngành, đoàn thể tổ chức quán triệt sâu rộng Nghị quyết này.

2. Các sở, ban, ngành quán triệt Nghị quyết và xây dựng kế hoạch thực hiện trong quý I.
""")
    got = _roles(f)
    assert not any(t.startswith("1.") for _, _, t in got)  # everyone asked, nobody given a task
    assert _has(got, "các sở, ban, ngành", "lead", "2. Các sở, ban, ngành")  # a plan to build


LABELLED_WRAPPED = """# KẾ HOẠCH

## II. NHIỆM VỤ

**1. Số hóa hồ sơ lưu trữ**

- Rà soát kho hồ sơ giấy của các phòng.

- Lập danh mục hồ sơ cần số hóa.

- Đơn vị thực
hiện: Sở Nội vụ.

- Đơn vị phối hợp: Sở Tư pháp, Sở Tài chính.

- Thời gian thực
hiện: Quý III/2026.
"""


def test_labels_broken_over_lines_close_the_bullets_above() -> None:
    f = facts_of(LABELLED_WRAPPED)
    got = _roles(f)
    assert _has(got, "Sở Nội vụ", "lead", "1. Số hóa hồ sơ lưu trữ")
    assert _has(got, "Sở Tư pháp", "cooperate", "1. Số hóa hồ sơ lưu trữ")
    assert _has(got, "Sở Tài chính", "cooperate", "1. Số hóa hồ sơ lưu trữ")
    task = next(t for t in f.tasks if t.title == "Số hóa hồ sơ lưu trữ")
    assert "Rà soát kho hồ sơ giấy" in task.text and task.due_date == "2026-09-30"


def test_office_holders_and_staff_named_by_role() -> None:
    f = facts_of("""# QUY CHẾ

**Điều 8. Trách nhiệm của cán bộ phụ trách máy chủ tại các phòng, ban**

1. Sao lưu dữ liệu mỗi tuần một lần.

**Điều 9. Trách nhiệm của văn thư cơ quan**

1. Đăng ký văn bản đến trong ngày.

**Điều 10. Tổ chức thực hiện**

1. Người chủ trì soạn thảo văn bản có trách nhiệm theo dõi việc gửi văn bản.

2. Chánh Thanh tra tỉnh; Trưởng các thôn, khu phố chịu trách nhiệm thi hành Quy chế này.
""")
    got = _roles(f)
    assert _has(got, "Cán bộ phụ trách máy chủ tại các phòng, ban", "lead", "1. Sao lưu")
    assert _has(got, "Văn thư", "lead", "1. Đăng ký văn bản đến")
    assert _has(got, "Người chủ trì soạn thảo văn bản", "lead", "1. Người chủ trì")
    assert _has(got, "Chánh Thanh tra tỉnh", "lead", "2. Chánh Thanh tra")
    assert _has(got, "Trưởng các thôn, ấp, bản, khu phố", "lead", "2. Chánh Thanh tra")
    assert not any(a.startswith("Tổ chức thực hiện") for a, _, _ in got)


def test_numbers_in_words_and_words_that_fold_like_comparators() -> None:
    f = facts_of("""# KẾ HOẠCH

## III. NHIỆM VỤ

1. Diễn tập khôi phục dữ liệu tối thiểu hai lần/năm.

2. Tỷ lệ hộ gia đình có sổ hộ khẩu điện tử đạt 70%.
""")
    got = sorted((t.comparator, t.value, t.unit) for t in f.targets)
    # "điện tử đạt 70%" is no "từ 70%": the word as written, not as folded, decides
    assert got == [("=", 70.0, "%"), (">=", 2.0, "count")]


@pytest.mark.parametrize(("written", "name"), [
    # a body described in lower case after its head, up to its place
    ("Ban Quản lý các khu công nghệ cao và khu công nghiệp tỉnh chủ trì", "Ban Quản lý các khu công nghệ cao và khu công nghiệp tỉnh"),
    ("Ban Quản lý dự án đầu tư xây dựng huyện có trách nhiệm", "Ban Quản lý dự án đầu tư xây dựng huyện"),
])
def test_described_names(written: str, name: str) -> None:
    assert [m.name for m in parse_list(written, fold(written), 0, PROVINCE)] == [name]


@pytest.mark.parametrize(("written", "name"), [
    ("Văn phòng Sở tổng hợp", "Văn phòng Sở"),  # the issuer's own units
    ("các phòng, đơn vị thuộc Sở thực hiện", "các phòng, đơn vị thuộc Sở"),
    ("công chức Tư pháp - Hộ tịch hướng dẫn", "Công chức Tư pháp - Hộ tịch"),  # commune officials
    ("Chi cục Thuế khu vực phối hợp", "Chi cục Thuế tỉnh"),
])
def test_units_of_the_issuer_and_officials(written: str, name: str) -> None:
    assert [m.name for m in parse_list(written, fold(written), 0, PROVINCE)] == [name]


def test_places_named_after_july_2025_are_on_the_new_map() -> None:
    text = """**VĂN PHÒNG CHÍNH PHỦ**

**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**

Số: 77/TB-VPCP

*Hà Nội, ngày 3 tháng 11 năm 2025*

# THÔNG BÁO

## II. KẾT LUẬN

1. Ủy ban nhân dân tỉnh Quảng Ngãi chủ trì rà soát bộ thủ tục cấp xã.
"""
    f = facts_of(text)
    committee = next(a for a in f.agencies if a.name == "Ủy ban nhân dân tỉnh")
    assert f.meta.date == "2025-11-03" and committee.jurisdiction == "vn2025-quang-ngai"


def test_conditions_before_the_subject_and_proposals_noted() -> None:
    got = _roles(facts_of("""# THÔNG BÁO

## II. KẾT LUẬN

1. Đối với hồ sơ nộp sai nơi, Bộ phận Một cửa có trách nhiệm chuyển đúng nơi trong ngày.

2. Về đề nghị Bộ Nội vụ sớm ban hành hướng dẫn về vị trí việc làm cấp xã.
"""))
    assert any(a.startswith("Bộ phận Một cửa") and r == "lead" and t.startswith("1. Đối với")
               for a, r, t in got)
    assert _has(got, "Bộ Nội vụ", "lead", "2. Về đề nghị")


def test_paragraphs_set_apart_by_blank_lines_wrapped_before_a_capital() -> None:
    f = facts_of("""# QUYẾT ĐỊNH

**Điều 4. Tổ chức thực hiện**

1. Về hạ tầng dữ liệu: Sở
Khoa học và Công nghệ có trách nhiệm rà soát máy chủ của các xã trong quý I năm 2026.

2. Giao Văn phòng Ủy ban nhân dân
Tỉnh theo dõi, đôn đốc các cơ quan, đơn vị thực hiện Quyết định này hằng tháng.
""")
    got = _roles(f)
    # the subject after a topic label ("Về …:") and over the line break
    assert _has(got, "Sở Khoa học và Công nghệ", "lead", "1. Về hạ tầng dữ liệu: Sở Khoa học")
    assert any(a.startswith("Văn phòng Ủy ban nhân dân") and t.startswith("2. Giao") for a, _, t in got)
    assert not any(a.lower().startswith("tổ chức thực hiện") for a, _, _ in got)


def test_duties_given_by_direction_or_assignment_outside_implementation() -> None:
    got = _roles(facts_of("""# CHỈ THỊ

## II. NHIỆM VỤ

1. Chủ tịch Ủy ban nhân dân tỉnh chỉ đạo Sở Nội vụ rà soát biên chế trong tháng 6.

2. Ủy ban nhân dân tỉnh phân công Sở Tư pháp kiểm tra văn bản.
"""))
    assert _has(got, "Sở Nội vụ", "lead", "1. Chủ tịch")
    assert _has(got, "Sở Tư pháp", "lead", "2. Ủy ban nhân dân tỉnh phân công")
