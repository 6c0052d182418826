"""Every quote can be found in the file it came from: line and column (.txt, .md), page and
line (.pdf), paragraph (.docx), shown by the CLI, the server's pages and the graph panel.

The documents here are written for these tests; the seeds are only read.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from cchc_graph.api.cli import cli
from cchc_graph.api.render import quote as render_quote
from cchc_graph.keys import fold
from cchc_graph.loaders.model import DocumentFacts, Provenance, from_dict
from cchc_graph.loaders.pipeline import load_document
from click.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"

# Wrapped at a width, as PDF text and copied pages are: the sentences run on across lines, so
# normalization joins them; a blank line and indented lines shift offsets further.
WRAPPED = """\
ỦY BAN NHÂN DÂN TỈNH AN GIANG
Số: 41/KH-UBND

KẾ HOẠCH
Cải cách hành chính năm 2025
I. MỤC TIÊU
    Nâng cao chất lượng phục vụ người dân và doanh nghiệp trên địa
bàn tỉnh, rút ngắn thời gian giải quyết hồ sơ.
II. NHIỆM VỤ
1. Rà soát quy trình nội bộ. Sở Nội vụ chủ trì, phối hợp với Sở
Tư pháp rà soát quy trình nội bộ của các cơ quan hành chính cấp
tỉnh, hoàn thành trong quý III năm 2025.
2. Văn phòng Ủy ban nhân dân tỉnh chủ trì công bố danh mục thủ tục
hành chính mới, hoàn thành trước ngày 30 tháng 6 năm 2025.
III. TỔ CHỨC THỰC HIỆN
    Các sở, ngành báo cáo kết quả về Sở Nội vụ trước ngày 15 tháng
12 hằng năm.
"""

MARKDOWN = """\
# KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2025

**ỦY BAN NHÂN DÂN TỈNH BẾN TRE**

## I. MỤC TIÊU

Phấn đấu **100%** hồ sơ thủ tục hành chính được tiếp nhận   trực tuyến.

## II. NHIỆM VỤ

1. **Tăng cường kiểm tra.** Giao **Sở Nội vụ** chủ trì, phối hợp với **Sở Tư pháp** kiểm tra \
công tác cải cách hành chính tại các huyện.
"""

DOCX_PARAGRAPHS = [
    "ỦY BAN NHÂN DÂN TỈNH BẠC LIÊU", "KẾ HOẠCH", "Cải cách hành chính năm 2025", "I. MỤC TIÊU",
    "Phấn đấu 98% hồ sơ được giải quyết đúng hạn.", "II. TỔ CHỨC THỰC HIỆN",
    "1. Kiểm tra định kỳ. Sở Nội vụ chủ trì, phối hợp với Sở Tư pháp kiểm tra việc thực hiện "
    "kế hoạch tại các huyện.",
]
DOCX_TABLE = [["Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"],
              ["Công bố thủ tục hành chính", "Văn phòng Ủy ban nhân dân tỉnh", "Quý II/2025"]]
DOCX_LAST = "2. Sở Tài chính chủ trì bố trí kinh phí thực hiện kế hoạch."


def provenances(facts: DocumentFacts) -> list[Provenance]:
    """Every provenance inside ``facts``, found by looking into every field (not by the
    locator's walk, which skips the fields whose declared type holds none)."""
    out: list[Provenance] = []

    def look(obj: object) -> None:
        if isinstance(obj, Provenance):
            out.append(obj)
        elif isinstance(obj, list | tuple):
            for x in obj:
                look(x)
        elif dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                look(getattr(obj, f.name))

    look(facts)
    return [p for p in out if p.end > 0]


def starts_quote(source_line: str, column: int, quote: str) -> bool:
    """The source line, from the column on (markdown marks skipped), begins with the quote's
    first word (accents aside: old-style tone marks are modernized in the normalized text)."""
    rest = source_line[column - 1:].lstrip("*_# ")
    return fold(rest).startswith(fold(quote.split()[0].strip("*")))


def where(lines: list[str], text: str) -> tuple[int, int]:
    """1-based line and column where ``text`` first occurs in ``lines``."""
    k = next(i for i, line in enumerate(lines) if text in line)
    return k + 1, lines[k].index(text) + 1


@pytest.fixture(scope="module")
def wrapped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wrapped") / "ke-hoach-an-giang.txt"
    path.write_text(WRAPPED, encoding="utf-8")
    return path


def test_a_quote_of_a_hard_wrapped_file_is_found_at_its_line_and_column(wrapped: Path) -> None:
    facts = load_document(wrapped)
    lines = WRAPPED.split("\n")
    lead = next(r for r in facts.responsibilities if r.role == "lead" and r.agency.endswith("so-noi-vu"))
    p = lead.provenance
    assert p.quote.startswith("Sở Nội vụ chủ trì") and facts.text[p.start:p.end] == p.quote
    line, column = where(lines, "Sở Nội vụ chủ trì")
    assert (p.line, p.column) == (line, column) == (10, 30)
    assert lines[p.line - 1][p.column - 1:].startswith("Sở Nội vụ chủ trì, phối hợp với Sở")
    # it runs over three lines of the file, which normalization joined into one
    assert p.end_line == line + 2 and lines[p.end_line - 1].endswith(p.quote.split()[-1])
    assert "\n" not in p.quote
    # the normalized span is not the file's: that is why the line is given
    assert WRAPPED[p.start:p.end] != p.quote
    for q in provenances(facts):
        assert q.page is None and q.paragraph is None
        assert starts_quote(lines[q.line - 1], q.column, q.quote), q


def test_columns_skip_markdown_marks_and_collapsed_spaces(tmp_path: Path) -> None:
    path = tmp_path / "ke-hoach-ben-tre.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    facts = load_document(path)
    lines = MARKDOWN.split("\n")
    lead = next(r for r in facts.responsibilities if r.role == "lead")
    p = lead.provenance
    assert p.quote.startswith("Giao Sở Nội vụ chủ trì")  # no "**" in the normalized quote
    assert (p.line, p.column) == where(lines, "Giao **Sở Nội vụ**")
    target = next(t for t in facts.targets if t.value == 100)
    assert (target.provenance.line, target.provenance.column) == where(lines, "Phấn đấu **100%**")
    assert target.provenance.end_line == target.provenance.line
    for q in provenances(facts):
        assert starts_quote(lines[q.line - 1], q.column, q.quote), q


def test_a_docx_quote_gives_its_paragraph(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    for text in DOCX_PARAGRAPHS:
        d.add_paragraph(text)
    table = d.add_table(rows=len(DOCX_TABLE), cols=len(DOCX_TABLE[0]))
    for r, row in enumerate(DOCX_TABLE):
        for c, cell in enumerate(row):
            table.cell(r, c).text = cell
    d.add_paragraph(DOCX_LAST)
    buf = io.BytesIO()
    d.save(buf)
    path = tmp_path / "ke-hoach-bac-lieu.docx"
    path.write_bytes(buf.getvalue())
    facts = load_document(path)
    leads = {r.agency.rsplit(":", 1)[-1]: r.provenance for r in facts.responsibilities if r.role == "lead"}
    p = leads["so-noi-vu"]
    assert p.paragraph == 7 and p.line is None and p.end_line is None
    assert DOCX_PARAGRAPHS[6][p.column - 1:].startswith("Sở Nội vụ chủ trì")
    # table rows count as paragraphs: header row 8, data row 9, then the paragraph after it
    assert (leads["van-phong-uy-ban-nhan-dan-tinh"].paragraph, leads["so-tai-chinh"].paragraph) == (9, 10)


def test_a_pdf_quote_gives_its_page_and_line_on_it(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    page = PdfReader(FIXTURES / "ke-hoach-mau.pdf").pages[0]
    writer = PdfWriter()  # a blank (scanned-looking) first page, then the plan on page 2
    writer.add_blank_page(float(page.mediabox.width), float(page.mediabox.height))
    writer.add_page(page)
    path = tmp_path / "ke-hoach-nghe-an.pdf"
    writer.write(path)
    facts = load_document(path)
    page_lines = PdfReader(path).pages[1].extract_text().split("\n")
    lead = next(r for r in facts.responsibilities if r.role == "lead")
    p = lead.provenance
    assert p.quote.startswith("1. Sở Nội vụ chủ trì")  # the item with its number
    line, column = where(page_lines, "1. Sở Nội vụ chủ trì")
    assert (p.page, p.line, p.column, p.end_line) == (2, line, column, line + 1)
    for q in provenances(facts):
        assert q.page == 2 and starts_quote(page_lines[q.line - 1], q.column, q.quote), q


def test_every_seed_quote_starts_at_its_line_and_column(seeds_dir: Path, seed_facts: dict) -> None:
    checked = 0
    for facts in seed_facts.values():
        lines = Path(facts.meta.source_path).read_text(encoding="utf-8").split("\n")
        for p in provenances(facts):
            assert starts_quote(lines[p.line - 1], p.column, p.quote), p
            assert p.end_line is not None and p.end_line >= p.line
            checked += 1
    assert checked > 300


@pytest.fixture(scope="module")
def wrapped_store(wrapped: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("place-store") / "store"
    r = CliRunner().invoke(cli, ["build", str(wrapped), "--store", str(store)])
    assert r.exit_code == 0, r.output
    return store


def test_cli_answers_show_the_line(wrapped_store: Path) -> None:
    line, column = where(WRAPPED.split("\n"), "Sở Nội vụ chủ trì")
    r = CliRunner().invoke(cli, ["who-leads", "--agency", "Sở Nội vụ", "--store", str(wrapped_store)])
    assert r.exit_code == 0, r.output
    assert f"dòng {line}–{line + 2}, cột {column}" in r.output
    r = CliRunner().invoke(cli, ["who-leads", "--agency", "Sở Nội vụ", "--json", "--store",
                                 str(wrapped_store)])
    assert '"line": 10' in r.output and '"column": 30' in r.output


def test_server_pages_and_graph_panel_show_the_line(wrapped_store: Path) -> None:
    from cchc_graph.api.app import create_app
    from cchc_graph.graph.questions.index import Corpus
    from cchc_graph.graph.store.build import Store
    from cchc_graph.visualizations.view import ViewSpec, select
    from fastapi.testclient import TestClient

    line, column = where(WRAPPED.split("\n"), "Sở Nội vụ chủ trì")
    place = f"dòng {line}–{line + 2}, cột {column}"
    page = TestClient(create_app(wrapped_store)).get("/pages/documents/ke_hoach_an_giang")
    assert page.status_code == 200 and place in page.text
    view = select(Corpus.from_export(Store(wrapped_store).load_export()), ViewSpec())
    leads = [e.quote for e in view.edges if e.type == "lead" and "noi-vu" in e.source]
    assert leads and leads[0].place == place


def test_facts_stored_without_a_place_show_none() -> None:
    p = from_dict(Provenance, {"document": "d", "section": "I", "start": 0, "end": 4, "quote": "Việc"})
    assert p.line is None and render_quote(p).plain == "d §I [0:4]\n“Việc”"


def test_a_word_rewritten_by_normalization_does_not_send_the_rest_to_a_repeated_passage() -> None:
    from cchc_graph.loaders.sourcemap import build, place

    # "**C**hủ": marks inside a word (as portals bold single letters), so the normalized
    # "Chủ" is nowhere in the source as such; the same item repeated further on must not be
    # taken for it.
    lines = ["Thời hạn 02 ngày", "- **C**hủ trì, phối hợp xử lý hồ sơ.", "Thời hạn 03 ngày",
             "- Chủ trì, phối hợp xử lý hồ sơ."]
    text = ("Thời hạn 02 ngày - Chủ trì, phối hợp xử lý hồ sơ.\n"
            "Thời hạn 03 ngày - Chủ trì, phối hợp xử lý hồ sơ.")
    m = build(text, lines)
    first, second = text.index("trì"), text.rindex("- Chủ")
    assert place(m, first, first + 5) == {"line": 2, "column": lines[1].index("trì") + 1, "end_line": 2}
    assert place(m, second, len(text)) == {"line": 4, "column": 1, "end_line": 4}
    assert place(m, 0, first)["line"] == 1


def test_chart_tooltips_say_where_the_sentence_is(seed_corpus) -> None:
    import xml.etree.ElementTree as ET

    from cchc_graph.graph.questions import cascade as cascade_mod
    from cchc_graph.visualizations.charts import comparison_svg

    rows = cascade_mod.compare(seed_corpus, "dossier_online_rate")
    titles = [t.text for t in ET.fromstring(comparison_svg(rows)).iter("{http://www.w3.org/2000/svg}title")]
    drawn = [r.provenance for r in rows if r.value is not None and r.unit == "%"]
    assert drawn
    for p in drawn:
        assert any(f"“{p.quote}” (dòng {p.line}" in (t or "") for t in titles), p
