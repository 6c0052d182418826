"""Forms of documents as legal portals publish them, on text written for these tests:
tables flattened to one cell a line, headings hard-wrapped inside bold, duties under headings."""

from __future__ import annotations

from loaders.read import text_blocks
from tests.test_grammar import facts_of

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
