"""Headers as legal portals and conversions publish them, and jurisdiction from the issuer
and the date (fixtures written for these tests, not taken from any document)."""

from __future__ import annotations

import pytest
from cchc_graph.loaders import admin
from cchc_graph.loaders.normalize import normalize
from cchc_graph.loaders.pipeline import extract
from cchc_graph.loaders.read import RawDocument, text_blocks


def facts_of(text: str, name: str = "hdr"):
    raw = RawDocument(f"{name}.txt", "txt", "0" * 64, text_blocks(text, markdown=True))
    return extract(normalize(raw, name))


BODY = """
Căn cứ Luật Tổ chức chính quyền địa phương;

Điều 1. Giao Sở Nội vụ theo dõi việc thực hiện.
"""

PORTAL_PANEL = """\
Bản quyền thuộc về trang tra cứu văn bản. Không sao chép khi chưa được phép.
Số hiệu:
|
999/QĐ-XYZ
|
Loại văn bản:
|
Chỉ thị
Nơi ban hành:
|
Tỉnh Lào Cai
Ngày ban hành:
|
01/01/2020
|
"""

SPLIT_HEADER = """\
|
**ỦY BAN NHÂN
DÂN**
TỈNH THANH HÓA
-------
|
**CỘNG HÒA XÃ
HỘI CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
|
Số:
045/2025/QĐ-UBND
|
*Thanh
Hóa, ngày 1O tháng 9 năm 2025*
|

**QUYẾT ĐỊNH**

VỀ VIỆC GIAO NHIỆM VỤ KIỂM SOÁT THỦ TỤC
TẠI BỘ PHẬN MỘT CỬA

**CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THANH HÓA**
"""


def test_portal_panel_is_skipped_and_split_header_read() -> None:
    f = facts_of(PORTAL_PANEL + SPLIT_HEADER + BODY)
    # the panel's number, type and place are not the document's; the OCR "1O" is 10
    assert (f.meta.type, f.meta.number, f.meta.date) == ("quyet_dinh", "045/2025/QĐ-UBND", "2025-09-10")
    assert f.meta.place == "Thanh Hóa"
    # issued after 1 July 2025: the province of the new map
    assert f.meta.jurisdiction == "vn2025-thanh-hoa"
    # the issuer printed over three lines, the title over two
    assert f.meta.issuer == "Ủy ban nhân dân tỉnh Thanh Hóa"
    assert f.meta.title == "VỀ VIỆC GIAO NHIỆM VỤ KIỂM SOÁT THỦ TỤC TẠI BỘ PHẬN MỘT CỬA"


def test_number_place_and_date_on_one_piped_line() -> None:
    f = facts_of("ỦY BAN NHÂN DÂN | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n"
                 "Số: 7/CT-UBND | Sơn La, ngày 3 tháng 2 năm 2019 |\n"
                 "CHỈ THỊ\nVỀ VIỆC SIẾT CHẶT KỶ LUẬT HÀNH CHÍNH\n" + BODY)
    assert (f.meta.type, f.meta.number, f.meta.date) == ("chi_thi", "7/CT-UBND", "2019-02-03")
    # the issuer column names no province: the place beside the date does
    assert f.meta.jurisdiction == "vn-son-la"


@pytest.mark.parametrize(("issuer", "number", "place"), [
    ("BỘ NỘI VỤ", "12/TB-BNV", "Hà Nội"),
    ("VĂN PHÒNG CHÍNH PHỦ", "30/TB-VPCP", "Hà Nội"),
    ("THỦ TƯỚNG CHÍNH PHỦ", "55/CT-TTg", "Hà Nội"),
])
def test_central_bodies_are_national_whatever_place_they_name(issuer: str, number: str,
                                                              place: str) -> None:
    f = facts_of(f"{issuer}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: {number}\n"
                 f"{place}, ngày 4 tháng 8 năm 2025\nTHÔNG BÁO\nKẾT LUẬN VỀ LÀM VIỆC VỚI TỈNH "
                 "CAO BẰNG\nTỉnh Cao Bằng và thành phố Đà Nẵng báo cáo kết quả.\n")
    assert f.meta.number == number
    assert f.meta.jurisdiction == "vn"


def test_issuer_beats_a_place_in_a_wrong_title_line() -> None:
    text = ("# Về việc hỗ trợ hộ nghèo theo Quyết định số 12/2019/QĐ-TTg trên địa bàn huyện Bảo Yên, "
            "tỉnh Lào Cai và Chỉ số PCI\n\n"
            "| ỦY BAN NHÂN DÂN TỈNH BẾN TRE ------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM |\n"
            "|---|---|\n"
            "| Số: 88/QĐ-UBND | Bến Tre, ngày 5 tháng 6 năm 2021 |\n\n"
            "QUYẾT ĐỊNH\n\nVỀ VIỆC CÔNG BỐ THỦ TỤC HÀNH CHÍNH\n" + BODY)
    f = facts_of(text)
    assert (f.meta.number, f.meta.date, f.meta.jurisdiction) == ("88/QĐ-UBND", "2021-06-05", "vn-ben-tre")
    # nor is what that line names cited or counted
    assert [c.type for c in f.citations] == ["luat"] and not f.indicators


def test_headerless_post_dated_by_its_issue_and_typed_by_what_it_issues() -> None:
    f = facts_of("KẾ HOẠCH THEO DÕI THI HÀNH PHÁP LUẬT NĂM 2025\n"
                 "Ngày 9 tháng 8 năm 2025 Ủy ban nhân dân xã Long Phụng đã ban hành "
                 "Quyết định số 20/QĐ-UBND về kế hoạch theo dõi thi hành pháp luật.\n"
                 "I. MỤC ĐÍCH\n- Nắm tình hình thi hành pháp luật.\n")
    assert (f.meta.type, f.meta.number, f.meta.date) == ("ke_hoach", None, "2025-08-09")
    # a commune of the new map, directly under its province
    j = admin.jurisdiction(f.meta.jurisdiction)
    assert j is not None and j.level == "commune" and j.parent == "vn2025-quang-ngai"
    g = facts_of("Thực hiện Nghị định số 61/2018/NĐ-CP, Ủy ban nhân dân huyện ban hành "
                 "Kế hoạch kiểm tra công vụ như sau:\n1. Kiểm tra định kỳ các phòng.\n")
    assert (g.meta.type, g.meta.number) == ("ke_hoach", None)


def test_the_map_of_the_documents_date() -> None:
    old = admin.lookup("Hà Giang", "tỉnh")
    assert old is not None and old.successor == "vn2025-tuyen-quang"
    assert admin.lookup("Hà Giang", "tỉnh", after_2025=True) is None
    ward = admin.find_typed_units("phường Hải Châu, thành phố Đà Nẵng", after_2025=True)
    assert [u.level for _s, _e, u in ward] == ["commune", "province"]
    assert admin.new_map("2025-07-01") and not admin.new_map("2025-06-30") and not admin.new_map(None)


COMMUNE_HEADER = ("ỦY BAN NHÂN DÂN\nXÃ TÂN PHÚ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                  "Số: 4/KH-UBND\nTân Phú, ngày 6 tháng 1 năm 2024\nKẾ HOẠCH\nTHEO DÕI THI HÀNH "
                  "PHÁP LUẬT NĂM 2024\n")


def test_an_old_commune_issuer_is_placed_by_the_district_its_text_names() -> None:
    # many communes share this name: the district named in the text settles which one
    f = facts_of(COMMUNE_HEADER + "Thực hiện kế hoạch của Ủy ban nhân dân huyện Đức Hòa, "
                 "Ủy ban nhân dân xã xây dựng kế hoạch.\nI. MỤC ĐÍCH\n- Theo dõi việc thi hành.\n")
    j = admin.jurisdiction(f.meta.jurisdiction)
    assert j is not None and j.level == "commune" and j.parent == "vn-long-an-duc-hoa"
    assert j.successor and j.successor.startswith("vn2025-tay-ninh")  # Long An joined Tây Ninh
    # the header names the district itself
    h = facts_of("ỦY BAN NHÂN DÂN HUYỆN ĐỨC HÒA\n" + COMMUNE_HEADER.split("\n", 1)[1].replace(
        "XÃ TÂN PHÚ", "ỦY BAN NHÂN DÂN XÃ TÂN PHÚ") + "I. MỤC ĐÍCH\n- Theo dõi việc thi hành.\n")
    assert h.meta.jurisdiction == f.meta.jurisdiction
    # nothing to tell them apart: no guess (not the district of the same name elsewhere)
    g = facts_of(COMMUNE_HEADER + "I. MỤC ĐÍCH\n- Theo dõi việc thi hành.\n")
    assert g.meta.jurisdiction is None
    assert any("jurisdiction not recognised" in w for w in g.warnings)


def test_a_regulation_attached_to_a_decision_takes_its_date() -> None:
    f = facts_of("ỦY BAN NHÂN DÂN\nTỈNH LONG AN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
                 "QUY CHẾ\nPHỐI HỢP KIỂM TRA CÔNG VỤ\n(Ban hành kèm theo Quyết định số "
                 "45/2023/QĐ-UBND ngày 12 tháng 5 năm 2023 của Ủy ban nhân dân tỉnh)\n"
                 "Điều 1. Phạm vi\nQuy chế này quy định việc phối hợp.\n")
    assert (f.meta.type, f.meta.number, f.meta.date) == ("quy_che", None, "2023-05-12")
    assert f.meta.jurisdiction == "vn-long-an"


@pytest.mark.parametrize(("text", "expected"), [
    # a party committee prints its number under its name, left of the motto; its seat is a city
    ("TỈNH ỦY ĐỒNG NAI\n*\nSố 05-NQ/TU\nĐẢNG CỘNG SẢN VIỆT NAM\nBiên Hòa, ngày 12 tháng 3 năm 2023\n"
     "NGHỊ QUYẾT\nVỀ CẢI CÁCH HÀNH CHÍNH GIAI ĐOẠN 2023 - 2025\nI. TÌNH HÌNH\nCác cấp ủy quan tâm.\n",
     ("nghi_quyet", "05-NQ/TU", "2023-03-12", "vn-dong-nai", "Tỉnh ủy Đồng Nai")),
    # an official letter of a department: no type line, a "V/v" subject (not part V)
    ("UBND TỈNH QUẢNG NAM\nSỞ NỘI VỤ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 812/SNV-CCHC\n"
     "V/v khảo sát mức độ hài lòng năm 2024\nQuảng Nam, ngày 02 tháng 5 năm 2024\n"
     "Kính gửi: Các sở, ban, ngành\nSở Nội vụ đề nghị các cơ quan triển khai khảo sát.\n",
     ("cong_van", "812/SNV-CCHC", "2024-05-02", "vn-quang-nam", "Sở Nội vụ Quảng Nam")),
    # a ward before 2025, dated from a place with a number ("Quận 1")
    ("ỦY BAN NHÂN DÂN\nPHƯỜNG BẾN NGHÉ\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 21/KH-UBND\n"
     "Quận 1, ngày 8 tháng 2 năm 2024\nKẾ HOẠCH\nCẢI CÁCH HÀNH CHÍNH NĂM 2024\nI. MỤC ĐÍCH\n"
     "Công chức chủ trì.\n",
     ("ke_hoach", "21/KH-UBND", "2024-02-08", "vn-ho-chi-minh-quan-1-ben-nghe",
      "Ủy ban nhân dân phường Bến Nghé")),
    # a council resolution after the reorganisation; a city party committee's action programme
    ("HỘI ĐỒNG NHÂN DÂN\nTỈNH KHÁNH HÒA\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 17/NQ-HĐND\n"
     "Khánh Hòa, ngày 10 tháng 12 năm 2025\nNGHỊ QUYẾT\nVỀ CHƯƠNG TRÌNH GIÁM SÁT NĂM 2026\n"
     "Điều 1. Thường trực giám sát.\n",
     ("nghi_quyet", "17/NQ-HĐND", "2025-12-10", "vn2025-khanh-hoa", "Hội đồng nhân dân tỉnh Khánh Hòa")),
    ("THÀNH ỦY CẦN THƠ\nĐẢNG CỘNG SẢN VIỆT NAM\nSố 30-CTr/TU\nCần Thơ, ngày 3 tháng 9 năm 2025\n"
     "CHƯƠNG TRÌNH HÀNH ĐỘNG\nTHỰC HIỆN NGHỊ QUYẾT VỀ CHUYỂN ĐỔI SỐ\nI. MỤC TIÊU\nCác cấp ủy thực hiện.\n",
     ("chuong_trinh", "30-CTr/TU", "2025-09-03", "vn2025-can-tho", "Thành ủy Cần Thơ")),
])
def test_headers_of_other_bodies(text: str, expected: tuple) -> None:
    m = facts_of(text).meta
    assert (m.type, m.number, m.date, m.jurisdiction, m.issuer) == expected
