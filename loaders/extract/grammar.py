"""Small grammars shared by the extractors: dates, document numbers, periods, deadlines."""

from __future__ import annotations

import re
from datetime import date

from cchc_graph.keys import fold

from ..lexicon import ISSUER_CODES, TYPE_BY_CODE

# --- dates ---------------------------------------------------------------------------------

DATE_LONG = re.compile(
    r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
DATE_NUM = re.compile(r"(?<![\d/])(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?![\d/])")
DATE_ANY = re.compile(rf"(?:{DATE_LONG.pattern})|(?:ngày\s+)?{DATE_NUM.pattern}", re.IGNORECASE)


def iso_date(d: str, m: str, y: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO ``yyyy-mm-dd`` (``31/12/2020``, ``ngày 31 tháng 12 năm 2020``)."""
    m = DATE_ANY.search(text)
    if not m:
        return None
    g = [x for x in m.groups() if x is not None]
    return iso_date(*g[:3]) if len(g) >= 3 else None


# --- document numbers ----------------------------------------------------------------------

_CODE = r"[A-ZĐ][A-ZĐa-zđ0-9&]*"
# "66.2/2025/NQ-CP": a dotted number only with its year (a bare "2.1/…" is a section)
NUMBER = re.compile(
    rf"(?<![\w/.])(\d{{1,5}}(?:\.\d{{1,2}}(?=/(?:19|20)\d\d/))?[a-zđ]?)(?:\s*/\s*((?:19|20)\d\d))?\s*([/-])\s*({_CODE}(?:\s*[/-]\s*{_CODE}){{0,3}})")
# "18, 19-NQ/TW", "18 và 19-NQ/TW", "01, 02/2024/NĐ-CP": several numbers sharing one code
NUMBER_LIST = re.compile(
    rf"(?<![\w/])((?:\d{{1,5}}[a-z]?\s*(?:,|và)\s*)+)(\d{{1,5}}[a-z]?)(?:\s*/\s*((?:19|20)\d\d))?"
    rf"\s*([/-])\s*({_CODE}(?:\s*[/-]\s*{_CODE}){{0,3}})")
PARTY_CODES = {"tw", "tu", "hu", "thu", "tgu", "txu", "du", "bcs", "bct", "btc", "btgtu",
               "bdvtu", "btctu", "vptu", "qu"}


_STATE_TOO = {"btc", "bct"}  # Bộ Tài chính, Bộ Công Thương


def canonical_number(num: str, year: str | None, sep: str, code: str) -> str:
    """``1291/QĐ/TTg`` → ``1291/QĐ-TTg``; ``01 - KL/TW`` → ``01-KL/TW``; codes as written."""
    parts = [p for p in re.split(r"\s*[/-]\s*", code) if p]
    parts = [_fix_code(p) for p in parts]
    last = fold(parts[-1]) if parts else ""
    # a code both a party body's and a ministry's (BTC: Ban Tổ chức / Bộ Tài chính) follows the
    # number's own separator: "5-HD/BTC" is the party's, "12/2016/TT-BTC" the ministry's
    is_party = last in PARTY_CODES and (sep == "-" or last not in _STATE_TOO)
    head = num + (f"/{year}" if year else "")
    if is_party and len(parts) >= 2:
        # party style: number-TYPE/ISSUER
        return f"{head}-{'-'.join(parts[:-1])}/{parts[-1]}"
    if len(parts) >= 2:
        return f"{head}/{parts[0]}-{'-'.join(parts[1:])}"
    return f"{head}{sep}{parts[0]}" if parts else head


def _fix_code(code: str) -> str:
    """Restore Đ lost in conversion for the codes that carry it (ND → NĐ, QD → QĐ)."""
    up = code.upper()
    fixes = {"ND": "NĐ", "QD": "QĐ", "HDND": "HĐND", "DU": "ĐU", "DA": "ĐA"}
    if up in fixes and code not in ("TTg",):
        return fixes[up]
    return code


# an official letter's number: issuer code - drafting unit code, no type ("1284/BTTTT-CĐS")
LETTER_NUMBER = re.compile(r"^\d+[a-z]?/[A-ZĐ][A-ZĐ0-9]+-[A-ZĐ][A-ZĐ0-9]+$")


def restore_hyphen(code: str) -> str | None:
    """``NQCP`` → ``NQ-CP`` when a conversion dropped the hyphen between a type code and an
    issuer code both known (None when the code is whole or unknown)."""
    if not re.fullmatch(r"[A-ZĐ]{3,}", code):
        return None
    for i in range(1, len(code) - 1):
        if fold(code[:i]) in TYPE_BY_CODE and fold(code[i:]) in ISSUER_CODES:
            return f"{code[:i]}-{code[i:]}"
    return None


def type_from_number(number: str) -> str | None:
    parts = [p for p in re.split(r"[/-]", number) if p and not p[0].isdigit()]
    for p in parts:
        t = TYPE_BY_CODE.get(fold(p))
        if t:
            return t
    return None


def issuer_scope(number: str) -> tuple[str | None, str]:
    """(issuer name, scope) from the number's issuer code: ``CP`` → Chính phủ, national."""
    parts = [p for p in re.split(r"[/-]", number) if p and not p[0].isdigit()]
    for p in reversed(parts):
        ic = ISSUER_CODES.get(fold(p))
        if ic:
            return ic.issuer, ic.scope
        if re.fullmatch(r"(?i)(ub|qh|ubtvqh)\d*", p):
            break
    return None, "local"


# --- periods and deadlines -----------------------------------------------------------------

PERIOD = re.compile(r"(?i)giai\s+đoạn\s+((?:19|20)\d\d)\s*[-–—]\s*((?:19|20)\d\d)")
VISION = re.compile(r"(?i)(?:tầm nhìn|định hướng)\s+(?:đến|tới)\s+năm\s+((?:19|20)\d\d)")
YEAR_BY = re.compile(r"(?i)(?<!so với )(?:đến|tới|vào|trước|trong)\s+năm\s+((?:19|20)\d\d)")
DEADLINE = re.compile(
    r"(?i)(?:trước|chậm nhất|hạn chót|trong)\s+(?:ngày\s+)?"
    r"(?:\d{1,2}\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?|\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?|"
    r"(?:quý|quí)\s+[IV1-4]+(?:\s*(?:/|năm)\s*\d{4})?|tháng\s+\d{1,2}(?:\s*(?:/|năm)\s*\d{4})?|"
    r"năm\s+\d{4})")
FREQUENCY = re.compile(r"(?i)\b(hằng năm|hàng năm|hằng quý|hàng quý|hằng tháng|hàng tháng|"
                       r"định kỳ(?: hằng| hàng)?(?: năm| quý| tháng| 6 tháng)?|6 tháng|thường xuyên)\b")


_YEARLY = re.compile(r"(?i)\b(?:hằng|hàng)\s+(năm|quý|tháng)\b")


def deadline_of(text: str) -> tuple[str | None, str | None]:
    """(deadline, frequency) as written: ``trước ngày 30 tháng 10 hằng năm``, ``hằng năm``."""
    d = DEADLINE.search(text)
    yearly = _YEARLY.search(text)
    f = yearly or FREQUENCY.search(text)
    freq = " ".join(f.group(0).lower().replace("hàng", "hằng").split()) if f else None
    if d is None:
        return None, freq
    deadline = " ".join(d.group(0).split())
    if yearly and not re.search(r"\d{4}", deadline):
        deadline += f" hằng {yearly.group(1).lower()}"
    return deadline, freq


_ROMAN_QUARTER = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DAY_MONTH = re.compile(r"(?i)(?:ngày\s+)?(\d{1,2})\s*(?:tháng\s+|/\s*)(\d{1,2})(?!\s*(?:/|năm)\s*\d)")
_QUARTER = re.compile(r"(?i)qu[ýí]\s+([IV]{1,3}|[1-4])\s*(?:/|năm)\s*(\d{4})")
_MONTH = re.compile(r"(?i)(?<!ngày )(?<!\d )tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})")
_YEAR = re.compile(r"(?i)\bnăm\s+(\d{4})\b")
_BEFORE = re.compile(r"(?i)^\s*trước\s+(?!ngày)")


def _period_end(year: int, first_month: int, months: int, before: bool) -> str:
    """Last day of a period, or with ``before`` ("trước quý IV/2022") the day before it starts."""
    m = first_month - 1 if before else first_month - 1 + months
    return date.fromordinal(date(year + m // 12, m % 12 + 1, 1).toordinal() - 1).isoformat()


def schedule_of(deadline: str | None) -> tuple[str | None, str | None]:
    """(due date, iCalendar RRULE) of a deadline as written, when it names a day.

    ``trước ngày 30/6/2023`` → ``2023-06-30``; ``Quý IV/2022`` → ``2022-12-31``;
    ``trước ngày 30 tháng 10 hằng năm`` → RRULE ``FREQ=YEARLY;BYMONTH=10;BYMONTHDAY=30``.
    "trước tháng 9/2025" ends the day before that month. A bare frequency ("hằng quý",
    "thường xuyên") names no day: (None, None).
    """
    if not deadline:
        return None, None
    before = bool(_BEFORE.match(deadline))
    if DATE_ANY.search(deadline):
        return parse_date(deadline), None  # an impossible day (31/2) names no day
    every = _YEARLY.search(deadline)
    if every and (dm := _DAY_MONTH.search(deadline)):
        day, month = int(dm.group(1)), int(dm.group(2))
        if 1 <= day <= 31 and 1 <= month <= 12 and every.group(1).lower() == "năm":
            return None, f"FREQ=YEARLY;BYMONTH={month};BYMONTHDAY={day}"
    if (q := _QUARTER.search(deadline)) and (quarter := _ROMAN_QUARTER.get(q.group(1).lower())):
        return _period_end(int(q.group(2)), quarter * 3 - 2, 3, before), None
    if (m := _MONTH.search(deadline)) and 1 <= int(m.group(1)) <= 12:
        return _period_end(int(m.group(2)), int(m.group(1)), 1, before), None
    if (y := _YEAR.search(deadline)) and not every:
        return _period_end(int(y.group(1)), 1, 12, before), None
    return None, None
