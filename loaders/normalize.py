"""Raw blocks → normalized text (NFC, conversion artefacts undone) with block offsets.

Undone: markdown emphasis (``**``, ``*``), escapes (``\\*``), ``#`` heading marks (kept as
block level), soft hyphens and zero-width characters, old-style tone marks, and lines or
paragraphs broken inside a sentence (joined with one space). Every offset of the result is
an offset into the normalized text, which is what provenance spans point into.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from cchc_graph.keys import CharMap, fold

from . import sourcemap
from .model import Block, BlockKind, NormDoc
from .outline import marker_of
from .read import RawBlock, RawDocument
from .text import LOWER, modern_tones, nfc

_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = CharMap(dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2007\u2009\u202f\t\v\f"), " "))
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MARKS = "*_\\"  # the characters ``_strip_md`` reads one at a time
_NEXT_MARK = re.compile(r"[*_\\]")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
_ONLY_MARKUP = re.compile(r"^[\s*_#>|`~=\-}{\\]*$")
_TERMINAL = re.compile(r"(?:[.;:!?…]|\./\.|[.:]\)?[\"”]?)\s*$")
_LOWER_START = re.compile(r"^[\"“(]?[" + LOWER + "]")
_LIST_MARK = re.compile(r"^(?:[a-zđ]\)|\(\d+\)|[-+•])\s")
_FOOTNOTE = re.compile(r"^\s*(?:[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d+\]|\(\d+\)\s*(?=[A-ZĐÀ-Ỹ]))")


@dataclass(slots=True)
class _Piece:
    text: str
    kind: str
    level: int
    bold: bool
    bold_end: int
    cells: list[str]
    table: int
    line: int
    last: int = 0  # the source line it ends on (a bold run joined over lines ends later)


def normalize(raw: RawDocument, doc_id: str) -> NormDoc:
    raw_blocks = _close_bold(raw.blocks)
    texts = clean_many([b.text for b in raw_blocks])
    cells = iter(clean_many([c for b in raw.blocks if b.kind == "row" for c in b.cells]))
    pieces = [p for p in (_clean(b, t, cells) for b, t in zip(raw_blocks, texts, strict=True))
              if p is not None]
    wrapped = _hard_wrapped(raw)
    pieces = _join_broken(pieces, wrapped, not wrapped and raw.fmt in ("txt", "md"))
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for p in pieces:
        start = pos
        end = start + len(p.text)
        spans: tuple[tuple[int, int], ...] = ()  # (a row's cells, each where it is)
        if p.kind == "row":
            at = []
            c = start
            for cell in p.cells:
                at.append((c, c + len(cell)))
                c += len(cell) + 3  # " | "
            spans = tuple(at)
        kind = cast(BlockKind, p.kind)  # (a reader's kind, one of Block's)
        if kind == "para" and _is_footnote(p.text):
            kind = "footnote"
        blocks.append(Block(start, end, kind, p.bold, p.level,
                            start + p.bold_end if p.bold_end >= 0 else -1, spans, p.table, p.line))
        parts.append(p.text)
        pos = end + 1
    text = "\n".join(parts)
    origin = sourcemap.build(text, raw.lines, raw.pages, raw.fmt in ("docx", "html"))
    return NormDoc(doc_id, raw.path, raw.sha256, raw.fmt, text, tuple(blocks), fold(text), origin)


# a bold run that a hard wrap split ("**Điều 2. Nhiệm" ⏎ "vụ, quyền hạn**") is one heading;
# no real heading runs longer than this many lines
_BOLD_LINES = 6


def _close_bold(blocks: list[RawBlock]) -> list[RawBlock]:
    """Markdown lines that leave ``**`` open, joined to the lines up to the one closing it."""
    out: list[RawBlock] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        i += 1
        if not (b.markdown and b.kind == "para" and b.text.count("**") % 2):
            out.append(b)
            continue
        j = i
        while j < len(blocks) and j - i < _BOLD_LINES and blocks[j].kind == "para" \
                and blocks[j].text.strip() and blocks[j].text.count("**") % 2 == 0:
            j += 1
        if j < len(blocks) and j - i < _BOLD_LINES and blocks[j].kind == "para" \
                and blocks[j].text.count("**") % 2:
            text = "\n".join(x.text.strip() for x in blocks[i - 1:j + 1])  # its lines counted
            out.append(RawBlock(text, b.line, b.kind, b.level, b.bold, markdown=True))
            i = j + 1
        else:
            out.append(b)
    return out


def _is_footnote(text: str) -> bool:
    return bool(re.match(r"^\s*[¹²³⁴⁵⁶⁷⁸⁹⁰]+\s*\S", text))


def clean_inline(text: str) -> str:
    text = _SPACES(_INVISIBLE.sub("", nfc(text)))
    return modern_tones(text)


# Characters that join the texts ``clean_many`` cleans at once: the first no text holds. No step
# of ``clean_inline`` looks across either (NFC composes nothing with them, the tone fix reads
# letters, the rest maps characters one by one), so each text comes back as cleaned alone.
_JOINS = ("\n", "\x00", "\x1f")


def clean_many(texts: list[str]) -> list[str]:
    """``clean_inline`` of each text, in one pass over them all (a document's lines, or its
    table cells: one call each costs as much again)."""
    if not texts:
        return []
    for sep in _JOINS:
        if not any(sep in t for t in texts):
            return clean_inline(sep.join(texts)).split(sep)
    return [clean_inline(t) for t in texts]


def _clean(b: RawBlock, text: str, clean_cells: Iterator[str]) -> _Piece | None:
    """One block, ``text`` its cleaned text; a row takes its cleaned cells from ``clean_cells``."""
    kind, level, bold = b.kind, b.level, b.bold
    bold_end = -1
    if b.kind == "row":
        cells = [" ".join(_strip_md(next(clean_cells))[0].split()) for _ in b.cells]
        if not any(cells):
            return None
        return _Piece(" | ".join(cells), "row", 0, False, -1, cells, b.table, b.line, b.line)
    if b.markdown:
        m = _HEADING.match(text)
        if m:
            level = len(m.group(1))
            kind = "heading"
            text = text[m.end():]
        text, bold_all, bold_end = _strip_md(text)
        bold = bold or bold_all
    text = " ".join(text.split())
    if not text or _ONLY_MARKUP.match(text):
        return None
    if bold and bold_end < 0:
        bold_end = len(text)
    return _Piece(text, kind, level, bold, min(bold_end, len(text)), [], -1, b.line,
                  b.line + b.text.count("\n"))


def _strip_md(text: str) -> tuple[str, bool, int]:
    """Remove emphasis markers and escapes; report whole-line bold and the leading bold end."""
    if "*" not in text and "_" not in text and "\\" not in text:  # most lines: nothing to strip
        return " ".join(text.split()), False, -1
    out: list[str] = []
    i = 0
    n = len(text)
    bold_open = False
    lead_bold_end = -1
    saw_content_outside_bold = False
    saw_bold = False
    while i < n:
        c = text[i]
        if c not in _MARKS:  # a run of plain characters, taken whole (not one at a time)
            m = _NEXT_MARK.search(text, i)
            j = n if m is None else m.start()
            if not bold_open and not text[i:j].isspace():
                saw_content_outside_bold = True
            out.append(text[i:j])
            i = j
            continue
        if c == "\\" and i + 1 < n and _ESCAPE.match(text, i):
            out.append(text[i + 1])
            if not bold_open and text[i + 1].strip():
                saw_content_outside_bold = True
            i += 2
            continue
        if c in "*_" and text.startswith(c * 2, i):
            run = 2
            while i + run < n and text[i + run] == c:
                run += 1
            was_open = bold_open
            bold_open = not bold_open
            if bold_open:
                saw_bold = True
            if was_open and lead_bold_end < 0 and not saw_content_outside_bold:
                lead_bold_end = len("".join(out).rstrip())
            i += run
            continue
        if c in "*_" and _is_emphasis(text, i):
            # "(*viết tắt*)": keep a space where the marker stood between two characters, as
            # readers (and plain-text converters) see a break there
            inside = 0 < i < n - 1 and bool(text[i - 1].strip()) and bool(text[i + 1].strip())
            if inside and ((out and out[-1][-1] in "()") or text[i + 1] in "()"):
                out.append(" ")
            i += 1
            continue
        if c.strip() and not bold_open:
            saw_content_outside_bold = True
        out.append(c)
        i += 1
    raw = "".join(out)
    lead = len(raw) - len(raw.lstrip())
    stripped = " ".join(raw.split())
    bold_all = saw_bold and not saw_content_outside_bold
    if lead_bold_end >= 0:
        lead_bold_end = len(" ".join(raw[:lead_bold_end].split())) if lead_bold_end > lead else -1
    return stripped, bold_all, lead_bold_end


def _is_emphasis(text: str, i: int) -> bool:
    """A single * or _ that opens or closes emphasis (not a bullet, not a word character)."""
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    if text[i] == "_" and prev.isalnum() and nxt.isalnum():
        return False  # snake_case inside a word
    # "* item" at the start of a line is a bullet, not emphasis
    return not (i == len(text) - len(text.lstrip()) and nxt == " ")


def _hard_wrapped(raw: RawDocument) -> bool:
    """Lines wrapped at a width (PDF text, copied pages): paragraphs are not set apart by
    blank lines, so a long line without final punctuation goes on in the next line."""
    if raw.fmt in ("docx", "html"):
        return False
    lines = [b.text.strip() for b in raw.blocks if b.kind != "row"]
    filled = [i for i, t in enumerate(lines) if t]
    if len(filled) < 8:
        return False
    blank_after = sum(1 for i in filled if i + 1 < len(lines) and not lines[i + 1])
    return blank_after / len(filled) < 0.25


_DIGIT_GOES_ON = re.compile(r"\d+(?![.)]\s)(?!\.\d+\.?\s)")
_NUMBER_LABEL = re.compile(r"(?:^|\s)(?:Số|số)\s*:?\s*$")
_TAIL = 12  # longer than any match of _TERMINAL or _NUMBER_LABEL in a piece (single spaces)


def _ends(rx: re.Pattern[str], text: str) -> bool:
    """Whether ``rx`` (anchored at the end) matches ``text``, a piece's text, whose spaces
    are single and not at its end: the search starts near the end, not at every character."""
    return rx.search(text, max(0, len(text) - _TAIL)) is not None


_MARGIN = 60  # a line this long reached the wrap margin (portals wrap at ~80 characters)
_BOLD_HEADINGS = 3  # bold lines in a document that sets its headings in bold


def _goes_on(prev: _Piece, p: _Piece, wrapped: bool, bold_headings: bool = False,
             by_blank_lines: bool = False) -> bool:
    """Does ``p`` continue the sentence that ``prev`` left open?"""
    if p.kind not in ("para", "heading") or prev.kind != p.kind or _FOOTNOTE.match(prev.text):
        return False
    if _marker_only(prev.text):
        return True  # "2.1." ⏎ "Trách nhiệm chung": the marker's title
    if _LIST_MARK.match(p.text) or marker_of(p.text):
        return _ends(_NUMBER_LABEL, prev.text) and bool(re.match(r"\d", p.text))
    if _ends(_NUMBER_LABEL, prev.text):
        return True  # "Số:" ⏎ "123/KH-UBND"
    if _ends(_TERMINAL, prev.text):
        return False
    if _LOWER_START.match(p.text) or _DIGIT_GOES_ON.match(p.text):
        return True
    # a wrapped line that reached the margin: "… Điều 2. Giao" ⏎ "Giám đốc Sở …"; or the
    # indented first line of a paragraph (shorter) when a full line follows it and headings
    # are set in bold, so a plain line is no heading
    if not p.text[:1].isupper() or prev.text.isupper():
        return False
    if wrapped:
        return len(prev.text) >= _MARGIN or (bold_headings and not prev.bold and len(p.text) >= _MARGIN)
    # paragraphs set apart by blank lines: the next line of the same paragraph, wrapped
    # before a capital ("… hướng dẫn: Sở" ⏎ "Khoa học và Công nghệ có trách nhiệm …")
    return by_blank_lines and p.line == prev.last + 1 and not prev.bold and len(p.text) >= _MARGIN


def _marker_only(text: str) -> bool:
    """A line holding nothing but a heading marker (``I.``, ``2.1.``, ``a)``, ``Điều 3.``)."""
    mk = marker_of(text + " X") if len(text) <= 12 else None
    return mk is not None and mk[2] >= len(text)


def _join_broken(pieces: list[_Piece], wrapped: bool = False, by_blank_lines: bool = False
                 ) -> list[_Piece]:
    """Join a paragraph broken inside a sentence (by a page or line break) to the next one."""
    out: list[_Piece] = []
    bold_headings = sum(p.bold for p in pieces) >= _BOLD_HEADINGS
    for p in pieces:
        prev = out[-1] if out else None
        if prev is not None and _goes_on(prev, p, wrapped, bold_headings, by_blank_lines):
            joined = prev.text + " " + p.text
            bold_end = prev.bold_end if prev.bold_end >= 0 else -1
            if prev.bold and p.bold:
                bold_end = len(joined)
            out[-1] = _Piece(joined, prev.kind, prev.level, prev.bold and p.bold, bold_end,
                             [], -1, prev.line, p.last)
            continue
        out.append(p)
    return out
