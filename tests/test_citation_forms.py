"""References of every kind and what each one does (fixtures written for these tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cchc_graph.graph.questions import audit
from cchc_graph.graph.questions.index import Corpus
from cchc_graph.graph.store.build import Store
from cchc_graph.loaders.extract.grammar import restore_hyphen
from cchc_graph.loaders.normalize import normalize
from cchc_graph.loaders.pipeline import extract
from cchc_graph.loaders.read import RawDocument, text_blocks


def facts_of(text: str, name: str = "ref"):
    raw = RawDocument(f"{name}.txt", "txt", "0" * 64, text_blocks(text, markdown=True))
    return extract(normalize(raw, name))


HEAD = "ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 9/QĐ-UBND\n" \
       "Phú Yên, ngày 2 tháng 3 năm 2024\nQUYẾT ĐỊNH\nVỀ VIỆC BAN HÀNH QUY CHẾ LƯU TRỮ\n"


def cited(f) -> dict[str, tuple]:
    return {(c.number or c.title): (c.type, c.date, c.relation) for c in f.citations}


def test_laws_with_their_numbers_and_amending_laws_by_what_they_amend() -> None:
    f = facts_of(HEAD + "Căn cứ Luật Lưu trữ số 33/2024/QH15 ngày 21 tháng 6 năm 2024;\n"
                 "Căn cứ Luật Thống kê số 89/2015/QH13, được sửa đổi, bổ sung tại Luật sửa đổi, "
                 "bổ sung một số điều của Luật Thống kê và Luật Kế toán ngày 12 tháng 11 năm 2021;\n"
                 "Điều 1. Ban hành Quy chế lưu trữ.\n")
    got = cited(f)
    assert got["33/2024/QH15"] == ("luat", "2024-06-21", "based_on")
    assert got["89/2015/QH13"] == ("luat", None, "based_on")
    amending = [c for c in f.citations if c.title and c.title.startswith("Luật sửa đổi")]
    assert len(amending) == 1 and "Luật Kế toán" in amending[0].title
    assert amending[0].date == "2021-11-12"
    # the laws named inside the amending law's title are its words, not more citations
    assert len(f.citations) == 3
    law = next(c for c in f.citations if c.number == "33/2024/QH15")
    assert law.title == "Luật Lưu trữ"


def test_letters_submissions_dotted_numbers_and_action_plans() -> None:
    f = facts_of(HEAD + "Căn cứ các văn bản của Bộ Nội vụ số 4410/BNV-CCHC và của Sở Xây dựng "
                 "số 77/SXD-QLN; Nghị quyết số 12.1/2025/NQ-CP ngày 5/5/2025 của Chính phủ; "
                 "Kế hoạch hành động số 31-KHHĐ/TU ngày 1/4/2025 của Tỉnh ủy;\n"
                 "Xét đề nghị của Sở Nội vụ tại Tờ trình số 15/TTr-SNV ngày 20/02/2024.\n"
                 "Điều 1. Ban hành Quy chế lưu trữ.\n")
    got = cited(f)
    assert got["4410/BNV-CCHC"][0] == "cong_van" and got["77/SXD-QLN"][0] == "cong_van"
    assert got["12.1/2025/NQ-CP"] == ("nghi_quyet", "2025-05-05", "based_on")
    assert got["31-KHHĐ/TU"][0] == "ke_hoach"
    assert got["15/TTr-SNV"][:2] == ("to_trinh", "2024-02-20")
    assert "1/2025/NQ-CP" not in got  # the tail of the dotted number is not a number


def test_same_number_different_years_stay_apart_and_lists_split() -> None:
    f = facts_of(HEAD + "Căn cứ Nghị định số 20/2016/NĐ-CP và Nghị định số 20/2021/NĐ-CP của "
                 "Chính phủ; Chỉ thị số 3, 4-CT/TU của Ban Thường vụ Tỉnh ủy;\n"
                 "Điều 1. Ban hành Quy chế lưu trữ.\n")
    assert {"20/2016/NĐ-CP", "20/2021/NĐ-CP", "3-CT/TU", "4-CT/TU"} <= set(cited(f))


def test_hyphen_lost_in_conversion_is_restored_with_a_warning() -> None:
    assert restore_hyphen("NQCP") == "NQ-CP" and restore_hyphen("QĐTTg") is None
    assert restore_hyphen("UBND") is None  # a whole issuer code, nothing dropped
    f = facts_of(HEAD + "Căn cứ Nghị quyết số 76/NQCP ngày 15/7/2021 của Chính phủ;\n"
                 "Điều 1. Ban hành Quy chế lưu trữ.\n")
    assert "76/NQ-CP" in cited(f)
    assert any("ref.txt" in w and "76/NQCP" in w for w in f.warnings)


@pytest.mark.parametrize(("sentence", "relation"), [
    ("Căn cứ Quyết định số 5/QĐ-UBND ngày 1/2/2020 của UBND tỉnh;", "based_on"),
    ("Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 5/QĐ-UBND "
     "ngày 1/2/2020 của UBND tỉnh.", "replaces"),
    ("Bãi bỏ Quyết định số 5/QĐ-UBND ngày 1/2/2020 của UBND tỉnh.", "repeals"),
    # some articles only: an amendment
    ("Bãi bỏ khoản 3 Điều 7 của Quyết định số 5/QĐ-UBND ngày 1/2/2020 của UBND tỉnh.", "amends"),
    ("Sửa đổi, bổ sung Điều 4 của Quyết định số 5/QĐ-UBND ngày 1/2/2020 như sau.", "amends"),
    ("Văn bản này hướng dẫn thi hành Nghị định số 5/2020/NĐ-CP ngày 1/2/2020.", "guides"),
    ("Quyết định số 5/QĐ-UBND ngày 1/2/2020 của UBND tỉnh hết hiệu lực kể từ ngày ký.", "repeals"),
    # the verb belongs to a cited title, or the cited document is its agent: no change by us
    ("Căn cứ Luật Lưu trữ số 5/2020/QH14 được sửa đổi, bổ sung bởi Luật số 9/2022/QH15;", "based_on"),
    ("Theo Nghị định số 7/2020/NĐ-CP của Chính phủ sửa đổi, bổ sung Nghị định số 5/2020/NĐ-CP.",
     "cites"),
])
def test_what_a_reference_does(sentence: str, relation: str) -> None:
    f = facts_of(HEAD + "Căn cứ Luật Tổ chức chính quyền địa phương;\nĐiều 1. Giao việc.\n"
                 f"Điều 2. {sentence}\n")
    last = [c for c in f.citations if c.number and c.number.startswith("5/")]
    assert [c.relation for c in last] == [relation]


def test_a_plan_carried_out_is_implemented_in_the_preamble_only() -> None:
    f = facts_of(HEAD + "Thực hiện Kế hoạch số 5/KH-UBND ngày 1/2/2020 của UBND tỉnh;\n"
                 "Điều 1. Sở Nội vụ thực hiện Kế hoạch số 6/KH-UBND ngày 1/3/2020 của UBND tỉnh.\n")
    got = cited(f)
    assert (got["5/KH-UBND"][2], got["6/KH-UBND"][2]) == ("implements", "cites")


def test_items_under_a_list_heading_take_its_verb() -> None:
    f = facts_of(HEAD + "Căn cứ Luật Tổ chức chính quyền địa phương;\nĐiều 1. Giao việc.\n"
                 "Điều 2. Hiệu lực\n2. Các Quyết định sau đây hết hiệu lực kể từ ngày ký:\n"
                 "a) Quyết định số 11/2019/QĐ-UBND ngày 3/4/2019 của UBND tỉnh;\n"
                 "b) Quyết định số 12/2021/QĐ-UBND ngày 3/4/2021 của UBND tỉnh.\n"
                 "Điều 3. Chánh Văn phòng chịu trách nhiệm thi hành Quyết định số 13/QĐ-UBND.\n")
    got = cited(f)
    assert got["11/2019/QĐ-UBND"][2] == got["12/2021/QĐ-UBND"][2] == "repeals"
    assert got["13/QĐ-UBND"][2] == "cites"


def test_a_list_after_its_verb_and_articles_replaced() -> None:
    f = facts_of(HEAD + "Căn cứ Luật Tổ chức chính quyền địa phương;\nĐiều 1. Giao việc.\n"
                 "Điều 2. Quyết định này có hiệu lực từ ngày ký và thay thế:\n"
                 "Quyết định số 21/2020/QĐ-UBND ngày 3/4/2020 của UBND tỉnh; Điều 6, 9 Quyết định\n"
                 "số 22/2021/QĐ-UBND ngày 3/4/2021 của UBND tỉnh.\n")
    got = cited(f)
    assert (got["21/2020/QĐ-UBND"][2], got["22/2021/QĐ-UBND"][2]) == ("replaces", "amends")


def test_audit_flags_a_basis_repealed_before_the_document(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "old.txt").write_text(
        "ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 40/QĐ-UBND\n"
        "Phú Yên, ngày 1 tháng 6 năm 2023\nQUYẾT ĐỊNH\nVỀ VIỆC SẮP XẾP KHO LƯU TRỮ\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương;\nĐiều 1. Sở Nội vụ sắp xếp kho.\n"
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký và bãi bỏ Quyết định số 8/QĐ-UBND "
        "ngày 2/1/2020 của UBND tỉnh.\n", encoding="utf-8")
    (docs / "new.txt").write_text(
        "ỦY BAN NHÂN DÂN TỈNH PHÚ YÊN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 77/KH-UBND\n"
        "Phú Yên, ngày 9 tháng 9 năm 2024\nKẾ HOẠCH\nKIỂM TRA KHO LƯU TRỮ\n"
        "Căn cứ Quyết định số 8/QĐ-UBND ngày 2/1/2020 của UBND tỉnh về kho lưu trữ;\n"
        "I. MỤC ĐÍCH\n1. Sở Nội vụ kiểm tra kho.\n", encoding="utf-8")
    store = Store(tmp_path / "store")
    store.build([docs])
    found = audit.audit(Corpus.from_export(store.load_export()), rules=("citation_superseded",))
    assert [(v.document, v.entity_label) for v in found] == [("new", "8/QĐ-UBND")]
    assert "2023-06-01" in found[0].message


def test_a_citation_resolves_across_the_2025_map(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "old.txt").write_text(
        "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 31/2022/QĐ-UBND\n"
        "Bắc Giang, ngày 4 tháng 4 năm 2022\nQUYẾT ĐỊNH\nVỀ VIỆC QUẢN LÝ CỔNG DỮ LIỆU\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương;\nĐiều 1. Sở Nội vụ quản lý cổng dữ liệu.\n",
        encoding="utf-8")
    (docs / "new.txt").write_text(
        "ỦY BAN NHÂN DÂN TỈNH BẮC NINH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 90/2025/QĐ-UBND\n"
        "Bắc Ninh, ngày 1 tháng 12 năm 2025\nQUYẾT ĐỊNH\nVỀ VIỆC QUẢN LÝ CỔNG DỮ LIỆU\n"
        "Căn cứ Quyết định số 12/2021/QĐ-UBND ngày 2/2/2021 của UBND tỉnh về lưu trữ số;\n"
        "Điều 1. Sở Nội vụ quản lý cổng dữ liệu.\n"
        "Điều 2. Quyết định này có hiệu lực từ ngày ký và thay thế Quyết định số 31/2022/QĐ-UBND "
        "ngày 4/4/2022 của UBND tỉnh Bắc Giang.\n", encoding="utf-8")
    (docs / "older.txt").write_text(
        "ỦY BAN NHÂN DÂN TỈNH BẮC NINH\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nSố: 12/2021/QĐ-UBND\n"
        "Bắc Ninh, ngày 2 tháng 2 năm 2021\nQUYẾT ĐỊNH\nVỀ LƯU TRỮ SỐ\n"
        "Căn cứ Luật Lưu trữ;\nĐiều 1. Sở Nội vụ hướng dẫn lưu trữ số.\n", encoding="utf-8")
    store = Store(tmp_path / "store")
    store.build([docs])
    export = store.load_export()
    jur = {d["id"]: d["jurisdiction"] for d in export["documents"]}
    assert jur == {"old": "vn-bac-giang", "older": "vn-bac-ninh", "new": "vn2025-bac-ninh"}
    (b,) = [c for c in export["citations"] if c["document"] == "new" and c["number"] == "12/2021/QĐ-UBND"]
    # "của UBND tỉnh": the citing province, on the new map; the old province resolves to it
    assert (b["scope"], b["relation"], b["resolves_to"]) == ("vn2025-bac-ninh", "based_on", "older")
    (c,) = [c for c in export["citations"] if c["document"] == "new" and c["number"] == "31/2022/QĐ-UBND"]
    # the old province's own number, found from the new province it went into
    assert (c["scope"], c["relation"], c["resolves_to"]) == ("vn-bac-giang", "replaces", "old")


def test_one_number_in_two_years_is_two_documents() -> None:
    f = facts_of(HEAD + "Căn cứ Nghị quyết số 02/NQ-CP ngày 10/01/2023 của Chính phủ về môi trường "
                 "kinh doanh năm 2023;\nCăn cứ Nghị quyết số 02/NQ-CP ngày 05/01/2024 của Chính phủ "
                 "về môi trường kinh doanh năm 2024;\nĐiều 1. Thực hiện Nghị quyết số 02/NQ-CP.\n")
    got = sorted((c.number, c.date, len(c.mentions)) for c in f.citations if c.number == "02/NQ-CP")
    # the undated mention joins the first one cited
    assert got == [("02/NQ-CP", "2023-01-10", 2), ("02/NQ-CP", "2024-01-05", 1)]


def test_constitution_standards_records_notices_and_lists_with_a_year() -> None:
    f = facts_of(HEAD + "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2013;\n"
                 "Căn cứ các Nghị định số 11, 12/2024/NĐ-CP của Chính phủ;\n"
                 "Căn cứ Biên bản số 3/BB-SNV ngày 2/3/2024 của Sở Nội vụ; Thông báo kết luận số "
                 "12-TB/TW ngày 1/2/2024;\n"
                 "Điều 1. Áp dụng TCVN 11930:2017 và ISO/IEC 27001:2022 trong lưu trữ.\n")
    got = cited(f)
    assert got["11/2024/NĐ-CP"][0] == got["12/2024/NĐ-CP"][0] == "nghi_dinh"
    assert got["3/BB-SNV"][:2] == ("bien_ban", "2024-03-02")
    assert got["12-TB/TW"][:2] == ("thong_bao", "2024-02-01")
    assert got["TCVN 11930:2017"][0] == got["ISO/IEC 27001:2022"][0] == "tieu_chuan"
    constitution = next(c for c in f.citations if c.type == "hien_phap")
    assert constitution.relation == "based_on" and "2013" in constitution.title


@pytest.mark.parametrize(("tail", "issuer"), [
    (" của Bộ Tài nguyên và Môi trường quy định về đất đai;", "Bộ Tài nguyên và Môi trường"),
    (" của Bộ Lao động - Thương binh và Xã hội về người có công;", "Bộ Lao động - Thương binh và Xã hội"),
    (" của Bộ Văn hóa, Thể thao và Du lịch về việc công bố;", "Bộ Văn hóa, Thể thao và Du lịch"),
    (" của Chính phủ và Nghị định số 9/2020/NĐ-CP;", "Chính phủ"),
    (" của Chính phủ - Thông tư số 3/2020/TT-BTP", "Chính phủ"),
    (" của Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ hướng dẫn", "Bộ trưởng, Chủ nhiệm Văn phòng Chính phủ"),
    (" của Ủy ban nhân dân tỉnh hết hiệu lực kể từ ngày ký.", "Ủy ban nhân dân tỉnh"),
])
def test_the_issuer_after_a_number(tail: str, issuer: str) -> None:
    from cchc_graph.loaders.extract.reference_parts import tail_of

    assert tail_of(tail, 0)[1] == issuer


def test_places_the_same_across_the_reorganisation() -> None:
    from cchc_graph.graph.store.resolve import _same_places, same_place

    assert same_place("vn-bac-giang", "vn2025-bac-ninh") and same_place("vn2025-bac-ninh", "vn-bac-ninh")
    assert same_place("vn-bac-ninh-tu-son", "vn2025-bac-ninh")  # an old district of it
    assert not same_place("vn-ha-giang", "vn2025-bac-ninh")
    assert {"vn-bac-giang", "vn-bac-ninh"} <= set(_same_places("vn2025-bac-ninh"))
