"""The document's own header as published: where it starts, its number, place and date.

Legal portals print a metadata panel, a copyright banner or a wrong title line before the
document; a PDF or web conversion splits the header over lines or joins its two columns with
``|``. The header is found by the national motto (``CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM``,
``ĐẢNG CỘNG SẢN VIỆT NAM``): the issuing body stands left of it, in upper case, on up to
four lines before it. Number, place and date are then read in any arrangement of lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from cchc_graph.keys import fold

from ..lexicon import HEADS, TYPE_WORDS_RX
from ..model import NormDoc
from ..text import LOWER, UPPER
from .grammar import NUMBER, canonical_number, iso_date

# portal panels and banners before the header run to ~3,000 characters; a motto later than
# this belongs to a quoted or attached document
MOTTO_WINDOW = 8000
# the issuing body is printed on at most this many lines left of (before) the motto
ISSUER_LINES = 4
_MOTTO = re.compile(r"cong\s+hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam|dang\s+cong\s+san\s+viet\s+nam")
# the rules and stars printed under an issuer ("-------", "*")
_RULE = re.compile(r"[*\-–—_=]*")
# "Số: 12/QĐ-UBND" at a line start or after a table pipe; the number may be on the next line
_NUMBER_LABEL = re.compile(r"(?:^|\|)[ \t*]*Số[ \t]*:?[\s|*]*(?=\d)", re.MULTILINE)
# OCR reads 0 as O/o and 1 as I/l inside dates ("1O tháng")
_DIGIT = r"[\dOoIl]"
_OCR_DIGITS = str.maketrans("OoIl", "0011")
# a place name: capitalised words ("Phan Rang-Tháp Chàm"), the lower-case words of unit
# types ("Thành phố"), at most one line break ("Thành phố Hồ Chí" / "Minh, ngày …")
_PLACE_WORD = rf"(?:[{UPPER}][{LOWER}][\w\-.]*|phố|xã|trấn|\d{{1,2}}(?=\s*,))"
_PLACE = rf"(?P<place>{_PLACE_WORD}(?:(?:[ \t]+|[ \t]*\n[ \t]*){_PLACE_WORD}){{0,6}})"
_PLACE_DATE = re.compile(
    _PLACE + rf"[ \t]*,\s*ngày\s*(?P<d>{_DIGIT}{{1,2}})?\s*tháng\s*(?P<m>{_DIGIT}{{1,2}})?\s*"
    rf"năm\s*(?P<y>{_DIGIT}{{4}})?(?!\w)")
_PLACE_NUMERIC_DATE = re.compile(
    _PLACE + rf"[ \t]*,\s*ngày\s*(?P<d>{_DIGIT}{{1,2}})\s*/\s*(?P<m>{_DIGIT}{{1,2}})\s*/\s*"
    rf"(?P<y>{_DIGIT}{{4}})(?!\w)")
# a portal post with no header: "Ngày 5 tháng 3 năm 2025, UBND xã … đã ban hành …"
_OPENING_DATE = re.compile(
    rf"(?:^|\|)[ \t]*Ngày\s+(?P<d>{_DIGIT}{{1,2}})\s+tháng\s+(?P<m>{_DIGIT}{{1,2}})\s+năm\s+"
    rf"(?P<y>{_DIGIT}{{4}})\b[^.;\n]{{0,120}}?\bban hành\b", re.MULTILINE)
# "V/v …" (về việc): the subject line only an official letter (công văn) prints
_LETTER_SUBJECT = re.compile(r"^[ \t*|]*V/v[ \t.:]*(.+)$", re.MULTILINE)
# a regulation attached to a decision dates from it: "(Ban hành kèm theo Quyết định số 5/QĐ-UBND
# ngày 2 tháng 3 năm 2024 …)"
_ATTACHED = re.compile(r"kèm theo\s+[^\n()]{0,40}?\bsố\s*", re.IGNORECASE)
_AFTER_NUMBER_DATE = re.compile(rf"\s*,?\s*(?:ngày\s*)?(?P<d>{_DIGIT}{{1,2}})(?:\s*/\s*|\s+tháng\s+)"
                                rf"(?P<m>{_DIGIT}{{1,2}})(?:\s*/\s*|\s+năm\s+)(?P<y>{_DIGIT}{{4}})\b")
# "… ban hành Kế hoạch triển khai như sau:" names the type of a document printed without one
_ISSUES_TYPE = re.compile(rf"\bban hanh\s+({TYPE_WORDS_RX})\b[^.;:]{{0,200}}?"
                          r"(?:nhu sau|sau day|voi (?:cac |nhung )?noi dung)")


@dataclass(frozen=True, slots=True)
class HeaderDate:
    place: str | None
    date: str | None
    start: int
    end: int


def header_start(doc: NormDoc) -> tuple[int, tuple[int, int] | None]:
    """Where the document's own header begins, and the span of the issuing body printed
    left of the motto (None when no motto is printed)."""
    m = _MOTTO.search(doc.folded, 0, MOTTO_WINDOW)
    if m is None:
        return 0, None
    blocks = doc.blocks
    i = next((k for k, b in enumerate(blocks) if b.start <= m.start() < max(b.end, b.start + 1)), None)
    if i is None:
        return 0, None
    start = blocks[i].start
    issuer_end = m.start()
    for j in range(i - 1, max(-1, i - 1 - ISSUER_LINES - 2), -1):
        t = doc.text[blocks[j].start:blocks[j].end]
        if _NUMBER_LABEL.match(t) or _RULE.fullmatch(t.strip()):
            # a party document prints its number under the issuer, left of the motto
            issuer_end = min(issuer_end, blocks[j].start)
        elif not is_upper_line(t):
            break
        start = blocks[j].start
    return start, (start, issuer_end if issuer_end > start else m.start())


def is_upper_line(t: str) -> bool:
    letters = [c for c in t if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def find_number(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """The document's own number after ``Số:`` (first one in the header)."""
    for lab in _NUMBER_LABEL.finditer(text, start, end):
        num = NUMBER.match(text, lab.end())
        if num:
            return canonical_number(*num.groups()), lab.start(), num.end()
    return None


def find_place_date(text: str, start: int, end: int) -> HeaderDate | None:
    """``Hà Nội, ngày 04 tháng 12 năm 2025`` (or ``ngày 4/12/2025``), in any line layout;
    ``ngày … tháng … năm …`` left blank gives the place with no date."""
    found = [m for rx in (_PLACE_DATE, _PLACE_NUMERIC_DATE) if (m := rx.search(text, start, end))]
    if not found:
        return None
    m = min(found, key=lambda x: x.start())
    place = " ".join(m.group("place").split())
    return HeaderDate(place, _date_of(m), m.start(), m.end())


def find_letter_subject(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """An official letter's subject line: ``V/v triển khai …`` (its text, start, end)."""
    m = _LETTER_SUBJECT.search(text, start, end)
    return (m.group(1).strip(), m.start(), m.end()) if m else None


def find_attached_date(text: str, start: int, end: int) -> HeaderDate | None:
    """The date of the decision a regulation is attached to (``kèm theo Quyết định số … ngày …``)."""
    for lab in _ATTACHED.finditer(text, start, end):
        num = NUMBER.match(text, lab.end())
        if num and (d := _AFTER_NUMBER_DATE.match(text, num.end())):
            return HeaderDate(None, _date_of(d), lab.start(), d.end())
    return None


def find_opening_date(text: str, start: int, end: int) -> HeaderDate | None:
    m = _OPENING_DATE.search(text, start, end)
    return HeaderDate(None, _date_of(m), m.start(), m.end()) if m else None


def _date_of(m: re.Match[str]) -> str | None:
    parts = [m.group(k) for k in ("d", "m", "y")]
    if not all(parts):
        return None
    return iso_date(*(p.translate(_OCR_DIGITS) for p in parts))


def issued_type(folded: str, start: int, end: int) -> tuple[str, int, int] | None:
    """The type a headerless document names for itself: ``… ban hành Kế hoạch … như sau``."""
    m = _ISSUES_TYPE.search(folded, start, end)
    return (m.group(1), m.start(1), m.end(1)) if m else None


def is_central(issuer: str) -> bool:
    """Whether the issuing body is a central one (Chính phủ, Văn phòng Chính phủ, a Bộ …)."""
    f = " ".join(fold(issuer).replace("|", " ").split())
    return bool(f) and _central().match(f) is not None


@cache
def _central() -> re.Pattern[str]:
    """The national heads of the agency table, optionally led by the office holder."""
    heads = [h.pattern for h in HEADS if h.level == "national"]
    return re.compile(r"(?:chu tich |bo truong )?(?:" + "|".join(heads) + r")(?![a-z0-9])")
