"""Each format reads into the same facts; bad files get a clear message naming them."""

from __future__ import annotations

from pathlib import Path

from cchc_graph.loaders.pipeline import load_document

FIXTURES = Path(__file__).parent / "fixtures"


def _roles(facts) -> set[tuple[str, str]]:
    names = {a.id: a.name for a in facts.agencies}
    return {(names[r.agency], r.role) for r in facts.responsibilities}


def test_pdf_with_text_layer() -> None:
    f = load_document(FIXTURES / "ke-hoach-mau.pdf")
    assert (f.meta.type, f.meta.number, f.meta.date) == ("ke_hoach", "88/KH-UBND", "2024-03-02")
    assert f.meta.jurisdiction == "vn-nghe-an"
    assert {("Sở Nội vụ", "lead"), ("Sở Tư pháp", "cooperate"),
            ("Ủy ban nhân dân tỉnh", "report_to")} <= _roles(f)
    # the line broken inside the sentence was joined: one quote holds the whole sentence
    lead = next(r for r in f.responsibilities if r.role == "lead")
    assert "Kế hoạch này và báo cáo" in lead.provenance.quote
    assert [(t.comparator, t.value, t.year) for t in f.targets] == [(">=", 90.0, 2024)]


def _make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("ỦY BAN NHÂN DÂN HUYỆN ĐÔ LƯƠNG")
    d.add_paragraph("Số: 5/KH-UBND")
    d.add_paragraph("Đô Lương, ngày 9 tháng 1 năm 2024")
    d.add_heading("KẾ HOẠCH", level=1)
    d.add_paragraph("Cải cách hành chính huyện Đô Lương năm 2024")
    d.add_heading("I. MỤC TIÊU", level=2)
    d.add_paragraph("- Trên 60% hồ sơ được xử lý trực tuyến.")
    d.add_heading("PHỤ LỤC NHIỆM VỤ", level=2)
    t = d.add_table(rows=3, cols=5)
    rows = [
        ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian"],
        ["1", "Rà soát thủ tục hành chính", "Phòng Tư pháp", "Phòng Nội vụ", "Quý II/2024"],
        ["2", "Tuyên truyền cải cách hành chính", "Phòng Văn hóa và Thông tin",
         "UBND các xã, thị trấn", "Hằng năm"],
    ]
    for r, cells in zip(t.rows, rows, strict=True):
        for c, value in zip(r.cells, cells, strict=True):
            c.text = value
    d.save(str(path))


def test_docx_paragraphs_and_task_table(tmp_path: Path) -> None:
    path = tmp_path / "ke-hoach.docx"
    _make_docx(path)
    f = load_document(path)
    assert (f.meta.type, f.meta.number, f.meta.jurisdiction) == ("ke_hoach", "5/KH-UBND",
                                                                  "vn-nghe-an-do-luong")
    table_tasks = [t for t in f.tasks if t.source == "table"]
    assert [(t.title, t.deadline) for t in table_tasks] == [
        ("Rà soát thủ tục hành chính", "Quý II/2024"),
        ("Tuyên truyền cải cách hành chính", "Hằng năm")]
    assert {("Phòng Tư pháp", "lead"), ("Phòng Nội vụ", "cooperate"),
            ("Ủy ban nhân dân các xã, thị trấn", "cooperate")} <= _roles(f)
    assert table_tasks[1].area == "communication"
    assert [(t.comparator, t.value) for t in f.targets] == [(">", 60.0)]


PORTAL_PAGE = """<html><head><title>Văn bản</title><script>var x = 1;</script></head>
<body><nav>Trang chủ | Văn bản mới</nav>
<div class="content1">
<p><b>ỦY BAN NHÂN DÂN TỈNH NGHỆ AN</b></p>
<p>Số: 17/QĐ-UBND</p>
<p><i>Nghệ An, ngày 4 tháng 5 năm 2022</i></p>
<p><b>QUYẾT ĐỊNH</b></p>
<p><b>Về việc ban hành Kế hoạch cải cách hành chính năm 2022</b></p>
<p>Căn cứ Nghị định số 61/2018/NĐ-CP ngày 23/4/2018 của Chính phủ;</p>
<p><b>Điều 1.</b> Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính.</p>
<p><b>Điều 2.</b> Giao Sở Nội vụ chủ trì, phối hợp với Sở Tài chính theo dõi,
đôn đốc thực hiện.</p>
<p>Điều 3. Quyết định có hiệu lực kể từ ngày ký.</p>
</div><footer>© Cổng thông tin</footer></body></html>"""


def test_html_page_from_a_portal(tmp_path: Path) -> None:
    path = tmp_path / "qd.html"
    path.write_text(PORTAL_PAGE, encoding="utf-8")
    f = load_document(path)
    assert (f.meta.type, f.meta.number, f.meta.date) == ("quyet_dinh", "17/QĐ-UBND", "2022-05-04")
    assert {("Sở Nội vụ", "lead"), ("Sở Tài chính", "cooperate")} <= _roles(f)
    assert [c.number for c in f.citations] == ["61/2018/NĐ-CP"]
    assert "Trang chủ" not in f.text and "var x" not in f.text
    assert [s.style for s in f.sections][:3] == ["article", "article", "article"]


def test_text_artefacts_are_undone(tmp_path: Path) -> None:
    path = tmp_path / "nq.md"
    path.write_bytes(("# NGHỊ QUYẾT\r\n\r\n## I. MỤC TIÊU\r\n\r\n"
                      "- Có 95% hồ sơ được giải quyết đúng\u00adhạn (*viết tắt là \\*HS\\**) và\r\n\r\n"
                      "trả kết quả trong ngày.\r\n").encode("utf-8"))
    f = load_document(path)
    assert "\u00ad" not in f.text and "**" not in f.text and "\\" not in f.text
    assert "và trả kết quả trong ngày" in f.text  # the broken line was joined
    assert [(t.value, t.comparator) for t in f.targets] == [(95.0, "=")]


def test_html_appendix_table(tmp_path: Path) -> None:
    page = """<html><body><div>
<p><b>KẾ HOẠCH</b></p><p><b>Cải cách hành chính tỉnh Nghệ An năm 2024</b></p>
<p><b>PHỤ LỤC</b></p>
<table><tr><th>TT</th><th>Nội dung công việc</th><th>Đơn vị chủ trì</th><th>Đơn vị phối hợp</th>
<th>Thời hạn</th></tr>
<tr><td>1</td><td>Cập nhật cơ sở dữ liệu thủ tục hành chính</td><td>Văn phòng UBND tỉnh</td>
<td>Các sở, ban, ngành</td><td>Tháng 6/2024</td></tr></table></div></body></html>"""
    path = tmp_path / "kh.html"
    path.write_text(page, encoding="utf-8")
    f = load_document(path)
    (task,) = [t for t in f.tasks if t.source == "table"]
    names = {a.id: a.name for a in f.agencies}
    assert task.title == "Cập nhật cơ sở dữ liệu thủ tục hành chính"
    assert [names[i] for i in task.lead] == ["Văn phòng Ủy ban nhân dân tỉnh"]
    assert [names[i] for i in task.cooperating] == ["các sở, ban, ngành"]
    assert task.deadline == "Tháng 6/2024"


WRAPPED = """\
ỦY BAN NHÂN DÂN
TỈNH NGHỆ AN
Số:
45/QĐ-UBND
Nghệ An, ngày 6
tháng 7 năm 2021
QUYẾT ĐỊNH
Về việc ban hành Quy chế đánh giá cải cách hành chính năm 2021
ỦY BAN NHÂN DÂN TỈNH
Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng
7 năm 2021 của Chính phủ ban hành Chương trình tổng thể cải cách hành chính nhà
nước giai đoạn 2021 -
2030;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Quy chế đánh giá cải cách hành chính.
Điều 2. Quyết định này có hiệu lực từ ngày ký và được áp dụng trong năm. Giao
Giám đốc Sở Nội vụ chủ trì theo dõi, đôn đốc việc thực hiện Quyết định này.
Điều 3. Chánh Văn phòng UBND tỉnh, Thủ trưởng các sở, ban, ngành chịu trách
nhiệm thi hành Quyết định này.
"""


def test_hard_wrapped_text_is_reflowed(tmp_path: Path) -> None:
    path = tmp_path / "qd.txt"
    path.write_text(WRAPPED, encoding="utf-8")
    f = load_document(path)
    assert (f.meta.number, f.meta.date, f.meta.type) == ("45/QĐ-UBND", "2021-07-06", "quyet_dinh")
    (cit,) = f.citations
    assert (cit.number, cit.date) == ("76/NQ-CP", "2021-07-15")
    assert "giai đoạn 2021 - 2030" in (cit.title or "")
    assert {("Giám đốc Sở Nội vụ", "lead"), ("Chánh Văn phòng Ủy ban nhân dân tỉnh", "lead"),
            ("Thủ trưởng các sở, ban, ngành", "lead")} <= _roles(f)
