"""Read any supported file into raw blocks: .txt/.md, .docx, .pdf (text layer), .html."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

SUPPORTED = {".txt": "txt", ".md": "md", ".markdown": "md", ".docx": "docx", ".pdf": "pdf",
             ".html": "html", ".htm": "html"}


class LoadError(Exception):
    """A file that cannot be read; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = str(path)
        self.problem = problem


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


def read_document(path: str | Path) -> RawDocument:
    """Read a file into raw blocks, or raise :class:`LoadError` naming the file."""
    p = Path(path)
    fmt = SUPPORTED.get(p.suffix.lower())
    if fmt is None:
        raise LoadError(p, f"unsupported file type '{p.suffix or '(none)'}' "
                           f"(supported: {', '.join(sorted(SUPPORTED))})")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise LoadError(p, f"cannot read file ({e.strerror or e})") from e
    if not data.strip():
        raise LoadError(p, "empty file")
    sha = hashlib.sha256(data).hexdigest()
    reader = {"txt": _read_text, "md": _read_text, "docx": _read_docx, "pdf": _read_pdf,
              "html": _read_html}[fmt]
    blocks = reader(p, data)
    if not any(b.text.strip() for b in blocks):
        raise LoadError(p, "no text found")
    return RawDocument(str(path), fmt, sha, blocks)


def decode_text(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise LoadError(path, "binary content, not a text document")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoadError(path, f"not valid UTF-8 (byte {e.start})") from e


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _read_text(path: Path, data: bytes) -> list[RawBlock]:
    text = decode_text(path, data).replace("\r\n", "\n").replace("\r", "\n")
    return text_blocks(text, markdown=True)


def text_blocks(text: str, markdown: bool) -> list[RawBlock]:
    """Lines → blocks; markdown pipe tables become rows of one table."""
    blocks: list[RawBlock] = []
    table = -1
    in_table = False
    for no, line in enumerate(text.split("\n"), 1):
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


def _read_docx(path: Path, data: bytes) -> list[RawBlock]:
    import io
    import zipfile

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


def _read_pdf(path: Path, data: bytes) -> list[RawBlock]:
    import io

    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as e:  # pragma: no cover
        raise LoadError(path, "pypdf is not installed") from e
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise LoadError(path, "password-protected PDF")
            except (NotImplementedError, PdfReadError) as e:
                raise LoadError(path, "password-protected PDF") from e
        pages = [page.extract_text() or "" for page in reader.pages]
    except LoadError:
        raise
    except Exception as e:  # pypdf raises many kinds on broken files
        raise LoadError(path, f"corrupt or unreadable PDF ({type(e).__name__}: {e})") from e
    if not any(p.strip() for p in pages):
        raise LoadError(path, "PDF has no text layer (scanned image); OCR it first")
    lines: list[str] = []
    for page in pages:
        for line in page.split("\n"):
            if re.fullmatch(r"\s*(?:-\s*)?\d{1,4}(?:\s*-)?\s*", line):  # page numbers
                continue
            lines.append(line)
        lines.append("")
    return text_blocks("\n".join(lines), markdown=False)


_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "table",
               "section", "article", "blockquote", "pre", "ul", "ol", "center"}


def _read_html(path: Path, data: bytes) -> list[RawBlock]:
    from bs4 import BeautifulSoup

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
