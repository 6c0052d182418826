"""Normalized text → outline: headings and items with their hierarchy, kinds and offsets.

Marker styles (roman ``I.``, arabic ``1.``, ``2.1.``, letters ``a)``, ``(1)``, bullets, articles
``Điều 1.``, bold or ``#`` headings) nest in the order they first appear, the way readers
of these documents read them. Footnotes, the recipients list (``Nơi nhận``), the signature
block and tables are recognised as such.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from cchc_graph.keys import fold

from .lexicon import SECTION_KINDS
from .model import Block, NormDoc, Section

_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("article", re.compile(r"(?i)^(điều|dieu)\s+(\d+)\s*[.:]?\s*")),
    ("part", re.compile(r"(?i)^(chương|phần|mục)\s+([IVXLC]+|\d+)\s*[.:]?\s*(?=[A-ZĐÀ-Ỹ])")),
    ("appendix", re.compile(r"(?i)^(phụ lục|phu luc)(\s+[IVXLC\d]+)?\s*[.:]?\s*")),
    # "V/v …" (về việc) heads an official letter's subject, not part V
    ("roman", re.compile(r"^(?![Vv]/[Vv]\b)([IVX]{1,5})\s*[.)/:-]\s*(?=\S)")),
    ("arabic3", re.compile(r"^(\d{1,2}\.\d{1,2}\.\d{1,2})\.?\s+")),
    ("arabic2", re.compile(r"^(\d{1,2}\.\d{1,2})\.?\s+(?=\D)")),
    ("arabic", re.compile(r"^(\d{1,2})\s*[.)]\s*(?=\D)")),
    ("paren", re.compile(r"^\((\d{1,2})\)\s*[.:]?\s*")),
    ("letter", re.compile(r"^([a-zđ])\s*[)]\s*")),
    ("bullet2", re.compile(r"^[-–—]\s*\+\s+")),
    ("plus", re.compile(r"^\+\s+")),
    ("bullet", re.compile(r"^[-–—•·●▪◦*]\s*(?=\S)")),
)
_RECIPIENTS = re.compile(r"(?i)^\s*(nơi nhận|noi nhan)\s*:?")
_SIGNATURE = re.compile(
    r"^(?:T/?M\.?|TM\.|KT\.|K/T|TL\.|T/L|Q\.|Q/|TUQ\.)\s*\S|"
    r"^(?:BÍ THƯ|PHÓ BÍ THƯ|CHỦ TỊCH|PHÓ CHỦ TỊCH|GIÁM ĐỐC|PHÓ GIÁM ĐỐC|TRƯỞNG BAN|"
    r"PHÓ TRƯỞNG BAN|CHÁNH VĂN PHÒNG|TRƯỞNG PHÒNG|THỦ TRƯỞNG|BỘ TRƯỞNG|THỦ TƯỚNG)\b")
# the title of a document attached after the signature ("KẾ HOẠCH", "QUY CHẾ", "PHỤ LỤC I"),
# written in capitals on a line of its own
_ATTACHED_TITLE = re.compile(
    r"^(?:KẾ HOẠCH|QUY CHẾ|QUY ĐỊNH|CHƯƠNG TRÌNH|ĐỀ ÁN|HƯỚNG DẪN|PHỤ LỤC|DANH MỤC|NỘI QUY|"
    r"ĐIỀU LỆ)(?:\s+[IVXLC\d]+)?\s*[.:]?\s*(?:$|[A-ZĐÀ-Ỹ ,–-]+$)")
_YEAR_IN_TITLE = re.compile(r"(?i)(?:đến|den|tới|toi|vào|vao)\s+năm\s+((?:19|20)\d\d)")
_LEAD_IN_YEAR = re.compile(
    r"(?i)^(?:[a-zđ]\)\s*)?(?:(?:mục tiêu|chỉ tiêu|định hướng)[^:]{0,30}?)?"
    r"(?:đến|tới|vào)\s+năm\s+((?:19|20)\d\d)")


@dataclass(slots=True)
class Outline:
    sections: list[Section]
    footnotes: list[tuple[int, int]] = field(default_factory=list)
    recipients: tuple[int, int] | None = None
    signature: tuple[int, int] | None = None
    tables: dict[int, list[Block]] = field(default_factory=dict)
    lead_ins: list[tuple[int, str, int]] = field(default_factory=list)  # (pos, section, year)
    by_path: dict[str, Section] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)  # of the sections, in order
    index: dict[str, int] = field(default_factory=dict)  # path → position in sections

    def section_at(self, pos: int) -> Section | None:
        """The innermost section containing ``pos``: sections are in document order and a
        child starts after its parent, so it is the latest-starting one that contains it."""
        sections = self.sections
        for i in range(bisect.bisect_right(self.starts, pos) - 1, -1, -1):
            if pos < sections[i].end:
                return sections[i]
        return None

    def parent(self, sec: Section) -> Section | None:
        return self.by_path.get(sec.parent) if sec.parent else None

    def first_child(self, sec: Section) -> Section | None:
        """Children follow their parent in document order."""
        i = self.index[sec.path] + 1
        return self.sections[i] if i < len(self.sections) and self.sections[i].parent == sec.path \
            else None

    def ancestors(self, sec: Section | None) -> list[Section]:
        out = []
        while sec is not None:
            out.append(sec)
            sec = self.parent(sec)
        return out

    def year_at(self, pos: int) -> int | None:
        """A deadline year stated by the enclosing headings or a lead-in paragraph."""
        sec = self.section_at(pos)
        chain = self.ancestors(sec)
        paths = {s.path for s in chain}
        lead = None
        for lp, spath, year in self.lead_ins:
            if lp <= pos and spath in paths:
                lead = (lp, year)
        for s in chain:
            if lead is not None and lead[0] >= s.start:
                return lead[1]
            if s.year is not None:
                return s.year
        return lead[1] if lead else None


def marker_of(text: str) -> tuple[str, str, int] | None:
    """(style, marker, end of marker) for a block's leading marker, or None."""
    for style, rx in _MARKERS:
        m = rx.match(text)
        if m:
            return style, m.group(0).strip(), m.end()
    return None


def build_outline(doc: NormDoc) -> Outline:
    text = doc.text
    style_order: list[str] = []
    stack: list[tuple[str, int]] = []  # (style, index into raw sections)
    raw: list[dict] = []
    out = Outline([])
    counters: dict[tuple[str | None, str], int] = {}
    in_recipients = False
    after_signature = False
    first_heading_seen = False
    used_paths: set[str] = set()
    for i, b in enumerate(doc.blocks):
        btext = text[b.start:b.end]
        if b.kind == "row":
            out.tables.setdefault(b.table, []).append(b)
            continue
        if b.kind == "footnote":
            out.footnotes.append((b.start, b.end))
            continue
        if after_signature:
            if not _ATTACHED_TITLE.match(btext):
                continue
            # a regulation, plan or appendix issued with the decision: its own outline
            after_signature = in_recipients = first_heading_seen = False
            out.signature = (out.signature[0], b.start) if out.signature else None
            style_order.clear()
            continue
        if _RECIPIENTS.match(btext):
            in_recipients = True
            out.recipients = (b.start, b.end)
            _close_all(raw, stack, b.start)
            continue
        if _SIGNATURE.match(btext) and (in_recipients or i > len(doc.blocks) * 0.6 or out.signature):
            if out.signature is None:
                out.signature = (b.start, len(text))
            in_recipients = False
            after_signature = True
            _close_all(raw, stack, b.start)
            continue
        if in_recipients:
            out.recipients = (out.recipients[0], b.end) if out.recipients else (b.start, b.end)
            continue
        mk = marker_of(btext)
        style = mk[0] if mk else None
        is_heading = b.kind == "heading" or (b.bold and b.bold_end >= b.end - 1)
        if style is None and is_heading and first_heading_seen and len(btext) < 200:
            style = "bold"
        if style is None:
            if first_heading_seen and stack:
                _lead_in(out, raw, stack, b, btext)
            continue
        # the body starts at the first real heading; numbered lines before it are the header
        if style in ("roman", "article", "part", "appendix", "arabic", "arabic2", "paren", "letter"):
            first_heading_seen = True
        if not first_heading_seen:
            continue
        if style == "appendix":
            _close_all(raw, stack, b.start)
            style_order.clear()
        if style not in style_order:
            style_order.append(style)
        rank = _rank(style, style_order)
        while stack and _rank(stack[-1][0], style_order) >= rank:
            _, idx = stack.pop()
            raw[idx]["end"] = b.start
        parent = raw[stack[-1][1]] if stack else None
        marker = mk[1] if mk else ""
        body_start = b.start + (mk[2] if mk else 0)
        title, title_end = _title(text, b, body_start)
        key = (parent["path"] if parent else None, style)
        counters[key] = counters.get(key, 0) + 1
        label = _label(style, marker, counters[key])
        path = f"{parent['path']}.{label}" if parent else label
        while path in used_paths:  # repeated numbering ("VI." twice) stays unique
            path += "'"
        used_paths.add(path)
        raw.append({"path": path, "marker": marker, "style": style, "depth": len(stack),
                    "title": title, "start": b.start, "title_end": title_end, "end": len(text),
                    "parent": parent["path"] if parent else None, "bold": is_heading})
        stack.append((style, len(raw) - 1))
    closing = [p[0] for p in (out.recipients, out.signature) if p]
    last = raw[-1]["start"] if raw else 0
    _close_all(raw, stack, min([p for p in closing if p > last], default=len(text)))
    out.sections = _finish(raw, text)
    out.by_path = {s.path: s for s in out.sections}
    out.starts = [s.start for s in out.sections]
    out.index = {s.path: i for i, s in enumerate(out.sections)}
    return out


_FIXED_RANK = {"part": 0, "appendix": 0, "article": 1, "roman": 2, "bold": 2.5, "arabic": 3,
               "arabic2": 4, "arabic3": 5, "letter": 6, "paren": 6, "bullet": 8, "plus": 9,
               "bullet2": 9}


def _rank(style: str, order: list[str]) -> float:
    """Conventional depth of a marker style; letters and (1) nest in the order first seen."""
    r = _FIXED_RANK.get(style, 7)
    if style in ("letter", "paren") and style in order:
        other = "paren" if style == "letter" else "letter"
        if other in order and order.index(other) < order.index(style):
            r += 0.5
    return r


def _lead_in(out: Outline, raw: list[dict], stack: list[tuple[str, int]], b: Block,
             btext: str) -> None:
    m = _LEAD_IN_YEAR.match(btext)
    if m or (btext.rstrip().endswith(":") and (m := _YEAR_IN_TITLE.search(btext))):
        out.lead_ins.append((b.start, raw[stack[-1][1]]["path"], int(m.group(1))))


def _close_all(raw: list[dict], stack: list[tuple[str, int]], pos: int) -> None:
    while stack:
        _, idx = stack.pop()
        raw[idx]["end"] = min(raw[idx]["end"], pos)


def _title(text: str, b: Block, body_start: int) -> tuple[str, int]:
    """A heading's title: its bold lead, the whole block if short, else nothing."""
    if b.bold_end > body_start:
        end = b.bold_end
    elif b.kind == "heading" or b.bold or ((b.end - body_start) <= 160 and not re.search(
            r"[.;]\s+\S", text[body_start:b.end])):
        end = b.end
    else:
        end = body_start
    return text[body_start:end].strip().rstrip(".:").strip(), end


def _label(style: str, marker: str, n: int) -> str:
    """A section's label in its path: the marker's number ("2.1." → "1" under "2"), the word and
    number of articles, parts and appendices as written ("Điều 5", "Chương II", "Phụ lục I")."""
    if style in ("article", "part", "appendix"):
        words = " ".join(marker.strip(" .:").split())
        word = words.split(" ")[0] if style != "appendix" else " ".join(words.split(" ")[:2])
        number = words[len(word):].strip()
        return f"{word.capitalize()} {number}".strip() if style != "appendix" else (
            f"Phụ lục {number}".strip())
    core = re.sub(r"[^0-9A-Za-zĐđ.]+", "", marker).strip(".")
    if style in ("roman", "arabic", "arabic2", "arabic3", "letter", "paren"):
        return core.rsplit(".", 1)[-1] if style in ("arabic2", "arabic3") else (core or str(n))
    return f"{style[0]}{n}"


def _finish(raw: list[dict], text: str) -> list[Section]:
    by_path: dict[str, dict] = {}
    sections: list[Section] = []
    for r in raw:
        path = r["path"]
        by_path[path] = r
        parent = by_path.get(r["parent"]) if r["parent"] else None
        own = _kind_of(r["title"], r["style"], r.get("bold", False))
        if parent and parent["kind"] and r["style"] in ("bullet", "plus", "bullet2"):
            own = ""  # a bullet's words are its content, not a heading naming a part
        kind = own or (parent["kind"] if parent else "")
        r["kind"] = kind
        ym = _YEAR_IN_TITLE.search(r["title"]) or _LEAD_IN_YEAR.match(
            text[r["title_end"]:r["title_end"] + 80].lstrip(" .:"))
        r["year"] = int(ym.group(1)) if ym else None
        sections.append(Section(path, r["marker"], r["style"], r["depth"], r["title"],
                                r["start"], r["title_end"], r["end"], kind, r["year"],
                                r["parent"]))
    return sections


def _kind_of(title: str, style: str, heading: bool) -> str:
    """Section kind from a short heading title whose first words name it."""
    words = fold(title).split()
    if not words or (len(words) > 14 and style not in ("roman", "part", "article")):
        return ""
    head = " ".join(words[:4])
    wide = " " + " ".join(words[:8])
    best = ("", 10**6)
    for kind, prefixes in SECTION_KINDS:
        for p in prefixes:
            if head.startswith(p):
                return kind
            if style in ("roman", "part"):
                i = wide.find(" " + p)
                if 0 <= i < best[1]:
                    best = (kind, i)
    return best[0]
