"""The parts of a reference read around its number or name: the type word before it, the
date, issuer and title after it, a law's name.
"""

from __future__ import annotations

import re

from cchc_graph.keys import fold

from ..lexicon import DOC_TYPES, TYPE_WORDS_RX
from .grammar import DATE_ANY, NUMBER, PERIOD, parse_date
from .relations import in_bases_list

TYPE_BEFORE = re.compile(rf"(?:^|[^a-z])({TYPE_WORDS_RX})(?:\s+(?:so|số))?\s*:?\s*$")
SUP = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_AFTER_DATE = re.compile(rf"^\s*,?\s*(?:ban hành\s+)?({DATE_ANY.pattern})", re.IGNORECASE)
_AFTER_ISSUER = re.compile(r"^\s*,?\s*của\s+", re.IGNORECASE)
_AFTER_TITLE = re.compile(r"^\s*,?\s*(?=(?:về việc|về|ban hành|quy định|hướng dẫn|phê duyệt|sửa đổi)\s)"
                          r"(?:về việc\s+|về\s+)?", re.IGNORECASE)
_TITLE_STOP = re.compile(
    r"[;\n]|\.(?=\s|$)|\s\((?!\d|(?:dự thảo )?sửa đổi\))|"
    r",\s*(?=(?:nhất là|trong đó|đồng thời|góp phần|công tác|tạo|đảm bảo|bảo đảm|nhằm|"
    r"phấn đấu|đã|được|các|theo|tiếp tục|cụ thể)\b)")
# (" - " and "|" part the items of a table cell: "Luật Đất đai 2013 - Luật Nhà ở 2014")
_LAW_STOP = re.compile(
    r"[;,.\n(|]|\s[-–]\s|\s(?:và|ngày|số|để|nhằm|trong|theo|đối với|được|đã|có|tại|cho|của|với|từ|"
    r"các|trên|đến|khi|là|về việc)\s")
_BASIS_LAW_STOP = re.compile(r"[;.\n(|]|\s[-–]\s|\s(?:ngày|số|được sửa đổi)\s|,\s*(?:ngày|số)\s")
# a cited title runs at most this far (titles of decrees reach ~300 characters)
TITLE_CHARS = 400
# a law's name, in running text (names of laws reach ~120 characters; amending laws, listing
# the laws they amend, read up to TITLE_CHARS)
LAW_NAME_CHARS = 200
LAW_NAME_WORDS = 12
# the date, issuer and title after a number, each read from this much text
TAIL_CHARS = 300
ISSUER_CHARS = 80
# a capitalised word that is not a type word goes on with a name
_NAME_GOES_ON = (r"(?!(?:" + "|".join(sorted({re.escape(n.split()[0].capitalize()) for t in DOC_TYPES
                                              for n in t.names}, key=len, reverse=True))
                 + r")\s)[A-ZĐÀ-Ỹ]")
# where an issuer's name ends: its title, a date, a clause end ("Bộ trưởng, Chủ nhiệm Văn phòng
# Chính phủ" keeps its comma), a verb of the cited title
# ("và" and "," go on inside a name: "Bộ Tài nguyên và Môi trường", "Bộ Văn hóa, Thể thao và Du
# lịch" — not before a type word: "của Chính phủ và Nghị định số …"; a line break goes on
# unless a new item or basis starts)
_ISSUER_STOP = re.compile(
    r"\s+v[ềể]\s|\s*[;.:|)]|\s+ngày\s|\s+\(|"
    r"\s+[-–]\s+(?!" + _NAME_GOES_ON + r")|\s*,(?!\s*(?:Chủ nhiệm|" + _NAME_GOES_ON + r"))|"
    r"\n(?=[\s*]*(?:Căn cứ|Theo|Xét|Điều|[-+•]|\d+[.)]|[a-zđ]\)))|"
    r"\s+và\s+(?!" + _NAME_GOES_ON + r")|\s+(?:theo|trên|để|ban hành|"
    r"hết hiệu lực|có hiệu lực|được|bị|phê duyệt|quy định|hướng dẫn|sửa đổi|thực hiện)\b")
# an amending law names the laws it amends: its title runs to its number, date or the clause end
_AMENDING = re.compile(r"(?i)sửa đổi,?\s+bổ sung\s+(?:một số điều\s+)?(?:của\s+)?(?=(?:Bộ luật|Luật)\s)")
# (its list of laws may go on over a line: "… Luật Đấu thầu,\nLuật Đầu tư …")
_AMENDING_STOP = re.compile(r"[;(]|\n(?!\s*(?:Bộ luật|Luật|[a-zà-ỹđ]))|\.(?=\s|$)|\s(?:ngày|số\s*(?=\d))|"
                            r",\s*(?:ngày|được|đã được)\s")


def title_from(text: str, start: int, limit: int) -> tuple[str | None, int]:
    """The title starting at ``start``: to a clause end, the next numbered reference or a period
    with its vision ("giai đoạn 2021 - 2025, tầm nhìn đến năm 2030"); and where it ends."""
    seg = text[start:min(limit, start + TITLE_CHARS)]
    end = len(seg)
    m = _TITLE_STOP.search(seg)
    if m:
        end = m.start()
    nxt = NUMBER.search(seg[:end])
    if nxt:
        tm = TYPE_BEFORE.search(fold(seg[:nxt.start()]))
        if tm:
            end = min(end, tm.start(1) if tm.start(1) > 0 else nxt.start())
    p = PERIOD.search(seg[:end])
    if p:
        tail = re.match(r"\s*,\s*(?:tầm nhìn|định hướng)\s+(?:đến|tới)\s+năm\s+\d{4}", seg[p.end():])
        end = p.end() + (tail.end() if tail else 0)
    title = SUP.sub("", seg[:end]).strip(" ,;:-")
    return (title or None), start + end


def law_name(text: str, folded: str, pos: int) -> tuple[str, str | None]:
    """The name of the law whose word ends at ``pos``, and the date printed after it."""
    rest = text[pos:pos + TITLE_CHARS]
    amending = _AMENDING.match(rest)
    if amending:
        stop = _AMENDING_STOP.search(rest, amending.end())
        name = rest[:stop.start() if stop else len(rest)].rstrip(" ,")
    else:
        in_bases = in_bases_list(text, pos, folded)
        # in a list of bases each item ends at ";": "Luật Cán bộ, công chức;"
        stop = (_BASIS_LAW_STOP if in_bases else _LAW_STOP).search(" " + rest[:LAW_NAME_CHARS])
        name = rest[:max(0, (stop.start() - 1) if stop else min(len(rest), LAW_NAME_CHARS))].strip()
        if len(name.split()) > LAW_NAME_WORDS:
            return "", None
        revised = re.match(r"\s*\((?:dự thảo )?sửa đổi\)", rest[len(name):])
        yr = re.match(r"\s*năm\s+\d{4}", rest[len(name):])
        if (after := revised or yr) is not None:
            name += after.group(0)
    dm = re.match(rf"\s*,?\s*({DATE_ANY.pattern})", rest[len(name):], re.IGNORECASE)
    return name, parse_date(dm.group(1)) if dm else None


def tail_of(text: str, pos: int) -> tuple[str | None, str | None, str | None, int]:
    """Date, issuer and title following a number, in the order documents write them."""
    date_: str | None = None
    issuer: str | None = None
    title: str | None = None
    end = pos
    for _ in range(3):
        rest = text[end:end + TAIL_CHARS]
        dm = _AFTER_DATE.match(rest)
        if dm and date_ is None:
            date_ = parse_date(dm.group(1))
            end += dm.end()
            continue
        im = _AFTER_ISSUER.match(rest)
        if im and issuer is None:
            seg = rest[im.end():]
            stop = _ISSUER_STOP.search(seg)
            raw = seg[:stop.start()] if stop else seg[:ISSUER_CHARS]
            issuer = " ".join(SUP.sub("", raw).split()) or None
            end += im.end() + len(raw)
            pm = re.match(r"\s*\((khóa [IVXLC]+)\)", text[end:end + 20], re.IGNORECASE)
            if pm and issuer:
                issuer += f" ({pm.group(1)})"
                end += pm.end()
            continue
        tm = _AFTER_TITLE.match(rest)
        if tm and title is None:
            title, end = title_from(text, end + tm.end(), len(text))
            continue
        break
    return date_, issuer, title, end
