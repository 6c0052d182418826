"""Read any supported file into raw blocks: .txt/.md, .docx, .pdf, .html.

The format comes from the content (the extension only breaks ties between text formats); text
in legacy Vietnamese encodings is converted and scanned PDF pages are read by OCR, each with a
note for the user. Anything unreadable raises :class:`LoadError` with one line naming the file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import legacy, ocr

SUPPORTED = {".txt": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf",
             ".html": "html", ".htm": "html"}
# Document formats found in folders that cannot be read: reported (with what to do), not ignored.
REPORTED = {".doc", ".docm", ".dot", ".rtf", ".odt", ".wpd", ".xls", ".xlsx", ".ppt", ".pptx"}
DEFAULT_MAX_MB = 100

# Leading bytes → what the file really is, whatever its extension says.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"), (b"{\\rtf", "rtf"),
    (b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"), (b"GIF8", "image"), (b"II*\x00", "image"),
    (b"MM\x00*", "image"), (b"\x1f\x8b", "archive"), (b"Rar!", "archive"), (b"7z\xbc\xaf", "archive"),
)
_REFUSED = {
    "ole": "an OLE container: a legacy Word .doc or a password-protected Office file "
           "(save it as an unprotected .docx)",
    "rtf": "an RTF document (save it as .docx or .txt)",
    "image": "an image (put scans in a PDF; OCR needs tesseract-ocr-vie)",
    "archive": "a compressed archive (extract it first)",
    "zip": "a ZIP archive that is not a Word .docx (no word/document.xml)",
    "binary": "binary content, not a text document",
}


class LoadError(Exception):
    """A file that cannot be read; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class ReadOptions:
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024
    ocr: bool = True  # OCR PDFs without a text layer when tesseract (vie) is installed


@dataclass(slots=True)
class RawBlock:
    text: str
    line: int = 0
    kind: str = "para"  # para | heading | item | row
    level: int = 0
    bold: bool = False
    cells: list[str] = field(default_factory=list)
    table: int = -1
    markdown: bool = False  # text still carries markdown markers (** # \\*)


@dataclass(slots=True)
class RawDocument:
    path: str
    fmt: str
    sha256: str
    blocks: list[RawBlock]
    notes: list[str] = field(default_factory=list)  # how the file was read, for the user
    # The source as its lines: line (or paragraph) n is ``lines[n - 1]``, the numbering of
    # ``RawBlock.line``; for a PDF, ``pages[n - 1]`` is (page, line on that page) of line n.
    lines: list[str] = field(default_factory=list)
    pages: list[tuple[int, int]] = field(default_factory=list)


def read_document(path: str | Path, options: ReadOptions | None = None) -> RawDocument:
    """Read a file into raw blocks, or raise :class:`LoadError` naming the file."""
    options = options or ReadOptions()
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > options.max_bytes:
            raise LoadError(p, f"file is {size / 1048576:.1f} MB, above the "
                               f"{options.max_bytes / 1048576:.0f} MB cap (--max-file-mb)")
        data = p.read_bytes()
    except OSError as e:
        raise LoadError(p, f"cannot read file ({e.strerror or e})") from e
    if not data.strip():
        raise LoadError(p, "empty file")
    fmt = _format(p, data)
    notes: list[str] = []
    declared = SUPPORTED.get(p.suffix.lower())
    if declared != fmt and not (declared in ("txt", "md") and fmt == "txt"):
        notes.append(f"{p}: the extension says '{p.suffix or '(none)'}' but the content is "
                     f"{fmt.upper()}; read as {fmt.upper()}")
    reader = {"txt": _read_text, "md": _read_text, "docx": _read_docx, "pdf": _read_pdf,
              "html": _read_html}[fmt]
    reading = _Reading(p, data, options, notes)
    blocks = reader(reading)
    if not any(b.text.strip() for b in blocks):
        raise LoadError(p, "no text found")
    # docx and html blocks are numbered one a paragraph (or table row): they are the lines
    lines = reading.lines or [" ".join(b.text.split("\n")) for b in blocks]
    lines = _repair_legacy(p, blocks, notes, lines)
    return RawDocument(str(path), fmt, hashlib.sha256(data).hexdigest(), blocks, notes, lines,
                       reading.pages)


@dataclass(slots=True)
class _Reading:
    path: Path
    data: bytes
    options: ReadOptions
    notes: list[str]
    lines: list[str] = field(default_factory=list)  # the text lines blocks were numbered in
    pages: list[tuple[int, int]] = field(default_factory=list)  # PDF: (page, line) of each


def sniff(data: bytes) -> str:
    """What the bytes are: pdf, docx, html, text, or one of the refused kinds."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if kind == "zip" and b"word/" in data[:65536] + data[-65536:]:
                return "docx"
            return kind
    if _utf16(data) is None and b"\x00" in data[:4096]:
        return "binary"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and re.search(rb"<(?:!doctype html|html|body)[\s>]", head):
        return "html"
    return "text"


def _format(path: Path, data: bytes) -> str:
    kind = sniff(data)
    if kind in _REFUSED:
        raise LoadError(path, f"content is {_REFUSED[kind]}")
    declared = SUPPORTED.get(path.suffix.lower())
    if kind in ("pdf", "docx", "html"):
        return kind
    if declared == "html":
        return "html"  # a fragment without <html>: still markup
    return declared if declared in ("txt", "md") else "txt"


def _utf16(data: bytes) -> str | None:
    """The UTF-16 codec of BOM-less UTF-16 text (every other byte zero), else None."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def decode_text(path: Path, data: bytes, notes: list[str]) -> str:
    """UTF-8 (with or without BOM), UTF-16, or a legacy encoding recognised and said so."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    codec = _utf16(data)
    if codec:
        return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        first_bad = e.start
    text, how = legacy.decode_bytes(data)
    bad = text.count("\ufffd")
    if how is None or (how == "utf-8-replace" and bad * 10 > len(text)):
        raise LoadError(path, f"not valid UTF-8 (byte {first_bad}) and not a recognised "
                              "Vietnamese encoding (TCVN3, VNI, Windows-1258); save it as UTF-8")
    if how == "utf-8-replace":
        notes.append(f"{path}: {bad} invalid UTF-8 sequence(s) replaced with \ufffd (first at byte "
                     f"{first_bad})")
    else:
        notes.append(f"{path}: not UTF-8; decoded as {legacy.NAMES[how]}")
    return text


def _repair_legacy(path: Path, blocks: list[RawBlock], notes: list[str],
                   lines: list[str]) -> list[str]:
    """Convert text typed in TCVN3/VNI fonts (common in old .docx/.pdf) to Unicode, blocks in
    place; the source ``lines`` converted alike are returned."""
    enc, fix = legacy.convert_blocks([b.text for b in blocks])
    if enc is None:
        return lines
    for b in blocks:
        b.text = fix(b.text)
        b.cells = [fix(c) for c in b.cells]
    notes.append(f"{path}: text typed in the {legacy.NAMES[enc]} font encoding; converted to Unicode")
    return [fix(t) for t in lines]


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _read_text(r: _Reading) -> list[RawBlock]:
    text = decode_text(r.path, r.data, r.notes).replace("\r\n", "\n").replace("\r", "\n")
    r.lines = text.split("\n")
    return text_blocks(text, markdown=True)


def text_blocks(text: str, markdown: bool) -> list[RawBlock]:
    """Lines → blocks; markdown pipe tables and tables flattened to one cell a line (below)
    become rows of one table."""
    blocks: list[RawBlock] = []
    table = -1
    in_table = False
    lines = text.split("\n")
    i = layout_end = 0
    while i < len(lines):
        line = lines[i]
        no = i + 1
        if line.strip() == "|" and i >= layout_end:
            rows, end = flat_table(lines, i)
            if rows:
                table += 1
                blocks += [RawBlock(" | ".join(cells), first + 1, "row", cells=cells,
                                    table=table, markdown=markdown) for first, cells in rows]
                in_table = False
                i = end
                continue
            layout_end = end  # a layout table: its lines are read as paragraphs
        i += 1
        if _PIPE_ROW.match(line):
            if _PIPE_SEP.match(line):
                continue
            if not in_table:
                table += 1
                in_table = True
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            blocks.append(RawBlock(line, no, "row", cells=cells, table=table, markdown=markdown))
            continue
        in_table = False
        blocks.append(RawBlock(line, no, "para", markdown=markdown))
    return blocks


# Legal portals flatten HTML tables into text as one cell after another, each cell's lines
# closed by a line holding only "|"; an empty cell ("|" right after "|") ends a row, and a
# blank line after a "|", or a "cell" longer than any real one (the body that follows a
# table), ends the table. Layout tables (the two-column header: issuer | motto, number |
# date; the recipients | signature block; portal panels of label: | value) are left as
# paragraphs: a data table opens with a header row of at least this many short labels.
_DATA_TABLE_CELLS = 3
_HEADER_CELL_CHARS = 80
_MAX_CELL_LINES = 30  # task cells of real plans run to ~15 wrapped lines


def flat_table(lines: list[str], i: int) -> tuple[list[tuple[int, list[str]]], int]:
    """The rows (first line index, cells) of the flattened table whose first "|" is
    ``lines[i]`` (none when it is a layout table), and the index of the line after it."""
    rows: list[tuple[int, list[str]]] = []
    cells: list[str] = []
    first = i + 1
    j = i
    while j < len(lines) and lines[j].strip() == "|":
        k = j + 1
        while k < len(lines) and lines[k].strip() != "|":
            k += 1
        body = lines[j + 1:k]
        filled = [t for t in body if t.strip()]
        if k >= len(lines) or (filled and len(filled) < len(body)) or len(body) > _MAX_CELL_LINES:
            break  # the last "|": what follows is no cell (text, or the end of the file)
        if filled:
            cells.append(" ".join(t.strip() for t in filled))
        elif cells:
            rows.append((first, cells))
            cells = []
        if not cells:
            first = k + 1
        j = k
    if cells:
        rows.append((first, cells))
    if not rows or not _is_header(rows[0][1]):
        return [], j + 1
    return rows, j + 1


def _is_header(cells: list[str]) -> bool:
    """Column labels: short, with no value after a colon and no number or date (a document
    header's "Số: 12/KH-UBND", "ngày 5 tháng 3 năm 2024" are values, not labels)."""
    labels = [c.replace("*", "").strip() for c in cells]
    return (len(labels) >= _DATA_TABLE_CELLS and all(len(c) <= _HEADER_CELL_CHARS for c in labels)
            and sum(c.endswith(":") for c in labels) * 2 < len(labels)
            and not any(_LABEL_VALUE.search(c) for c in labels))


_LABEL_VALUE = re.compile(r":\s*\S|\d{2}")


def _read_docx(r: _Reading) -> list[RawBlock]:
    import io
    import zipfile

    path, data = r.path, r.data
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as e:  # pragma: no cover - dependency is declared
        raise LoadError(path, "python-docx is not installed") from e
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise LoadError(path, f"corrupt or unreadable .docx ({type(e).__name__})") from e
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[RawBlock] = []
    table_no = -1
    n = 0
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            n += 1
            blocks.append(_docx_para(para, n))
        elif tag == "tbl":
            table_no += 1
            for row in Table(child, document).rows:
                n += 1
                cells: list[str] = []
                prev = None
                for cell in row.cells:
                    if prev is not None and cell._tc is prev:  # merged cell repeated
                        continue
                    prev = cell._tc
                    cells.append(" ".join(p.text.strip() for p in cell.paragraphs).strip())
                blocks.append(RawBlock(" | ".join(cells), n, "row", cells=cells, table=table_no))
    return blocks


def _docx_para(para, n: int) -> RawBlock:
    text = para.text
    style = (para.style.name if para.style is not None else "") or ""
    level = 0
    kind = "para"
    m = re.match(r"(?i)heading\s*(\d)", style)
    if m:
        level, kind = int(m.group(1)), "heading"
    elif style.lower().startswith("title"):
        level, kind = 1, "heading"
    runs = [r for r in para.runs if r.text.strip()]
    bold = bool(runs) and all(r.bold for r in runs)
    if kind == "para" and para._p.pPr is not None and para._p.pPr.numPr is not None:
        kind = "item"
    return RawBlock(text, n, kind, level=level, bold=bold)


_MIN_CHARS_PER_PAGE = 30  # below this a page's "text layer" is a stamp or a page number: a scan


def _read_pdf(r: _Reading) -> list[RawBlock]:
    import io

    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as e:  # pragma: no cover
        raise LoadError(r.path, "pypdf is not installed") from e
    try:
        reader = PdfReader(io.BytesIO(r.data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise LoadError(r.path, "password-protected PDF")
            except (NotImplementedError, PdfReadError) as e:
                raise LoadError(r.path, "password-protected PDF") from e
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except Exception as e:  # pypdf raises many kinds on broken files
        raise LoadError(r.path, f"corrupt or unreadable PDF ({type(e).__name__}: {e})") from e
    scanned = [i for i, p in enumerate(pages) if sum(ch.isalnum() for ch in p) < _MIN_CHARS_PER_PAGE]
    if scanned:
        pages = _ocr(r, pages, scanned)
    lines: list[str] = []
    for no, page in enumerate(pages, 1):
        for at, line in enumerate(page.split("\n"), 1):
            if re.fullmatch(r"\s*(?:-\s*)?\d{1,4}(?:\s*-)?\s*", line):  # page numbers
                continue
            lines.append(line)
            r.pages.append((no, at))
        lines.append("")
        r.pages.append((no, at + 1))
    r.lines = lines
    return text_blocks("\n".join(lines), markdown=False)


def _ocr(r: _Reading, pages: list[str], scanned: list[int]) -> list[str]:
    """OCR the pages without a text layer; a PDF with some text keeps it when OCR cannot run."""
    whole = len(scanned) == len(pages)
    why = "OCR is off (--no-ocr)" if not r.options.ocr else ocr.unavailable()
    if why and whole:
        raise LoadError(r.path, f"PDF has no text layer (a scan); {why}")
    listed = ", ".join(str(i + 1) for i in scanned[:10]) + (" …" if len(scanned) > 10 else "")
    if why:
        r.notes.append(f"{r.path}: page(s) {listed} have no text layer and were left out; {why}")
        return pages
    try:
        read = ocr.pdf_pages(r.data, scanned)
    except ocr.OcrError as e:
        raise LoadError(r.path, f"PDF has no text layer and OCR failed ({e})") from e
    r.notes.append(f"{r.path}: no text layer on page(s) {listed}; read by OCR (tesseract, vie): "
                   "check quotes against the scan")
    return [read.get(i, p) for i, p in enumerate(pages)]


_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "table",
               "section", "article", "blockquote", "pre", "ul", "ol", "center"}


def _read_html(r: _Reading) -> list[RawBlock]:
    from bs4 import BeautifulSoup

    path, data = r.path, r.data
    try:
        soup = BeautifulSoup(data, "lxml")
    except Exception as e:  # lxml rarely fails; fall back to the stdlib parser
        try:
            soup = BeautifulSoup(data, "html.parser")
        except Exception:
            raise LoadError(path, f"malformed HTML ({type(e).__name__})") from e
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer", "form",
                     "iframe", "svg", "button", "input", "select"]):
        tag.decompose()
    root = _html_main(soup)
    blocks: list[RawBlock] = []
    table_no = -1
    counter = [0]

    def emit(text: str, kind: str = "para", level: int = 0, bold: bool = False,
             cells: list[str] | None = None, table: int = -1) -> None:
        counter[0] += 1
        blocks.append(RawBlock(text, counter[0], kind, level, bold, cells or [], table))

    def walk(node) -> None:
        nonlocal table_no
        for child in node.children:
            name = getattr(child, "name", None)
            if name is None:
                continue
            if name == "table":
                table_no += 1
                for tr in child.find_all("tr"):
                    cells = [" ".join(td.get_text(" ", strip=True).split())
                             for td in tr.find_all(["td", "th"], recursive=False)]
                    if any(cells):
                        emit(" | ".join(cells), "row", cells=cells, table=table_no)
                continue
            has_block_child = any(getattr(c, "name", None) in _BLOCK_TAGS for c in child.children)
            if has_block_child and name not in {"p", "h1", "h2", "h3", "h4", "h5", "h6"}:
                walk(child)
                continue
            for part in _split_br(child):
                text = " ".join(part.split())
                if not text:
                    continue
                if name and re.fullmatch(r"h[1-6]", name):
                    emit(text, "heading", int(name[1]))
                else:
                    bolds = child.find_all(["b", "strong"])
                    bold_text = " ".join(" ".join(b.get_text(" ").split()) for b in bolds)
                    emit(text, "item" if name == "li" else "para",
                         bold=bool(bold_text) and bold_text.strip() == text)
    walk(root)
    return blocks


def _split_br(node) -> list[str]:
    parts = [""]
    for el in node.descendants:
        if getattr(el, "name", None) == "br":
            parts.append("")
        elif isinstance(el, str):
            parts[-1] += str(el)
    return parts


def _html_main(soup):
    """The element holding the document on portal pages: the one with the most text in <p>."""
    body = soup.body or soup
    best, best_len = body, 0
    for cand in body.find_all(["div", "article", "section", "main", "td"]):
        n = sum(len(p.get_text()) for p in cand.find_all("p", recursive=False))
        if n > best_len:
            best, best_len = cand, n
    total = sum(len(p.get_text()) for p in body.find_all("p"))
    return best if best_len > 0.5 * total else body
