"""The knowledge tables (``loaders/data/*.csv``) loaded once into typed, compiled form.

Everything here is general knowledge about Vietnamese administrative documents — agency
names, document types and number codes, indicators, metrics, reform areas — kept as data so
that it can be reviewed and extended without touching the extraction code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cchc_graph.keys import fold

# the tables questions read too live in kinds.py; lexicon's names for them stay
from .kinds import DOC_TYPES, METRICS, DocType, Metric, table_rows  # noqa: F401
from .kinds import alternatives as _alts
from .text import WordStartPattern, by_first_character, first_characters, top_level_alternatives

# task-table header words → the column they name: (column, how the header is matched: whole,
# prefix or contains, words), checked in this order ("Thời gian thực hiện" is a deadline, not
# a lead; "Cách thức thực hiện" is no lead since lead words must open the header)
TABLE_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (r["column"], r["match"], tuple(_alts(r["headers"]))) for r in table_rows("table_columns.tsv"))

# lower-case syllables (folded) that end an agency's proper name: verbs and function words
NAME_STOPS: frozenset[str] = frozenset(r["word"] for r in table_rows("name_stops.tsv"))

# words that assign a duty (folded patterns): a sentence with one and no responsibility is a gap
DUTY_CUE_NAMES: tuple[str, ...] = tuple(r["cue"] for r in table_rows("duty_cues.tsv"))
# a literal every match of a cue holds: most sentences have none, and are not searched
DUTY_CUE_WORDS: tuple[str, ...] = tuple(
    sorted({w for r in table_rows("duty_cues.tsv") for w in _alts(r["word"])}))
# one search finds the first cue of a sentence; the group that matched names it (c<row>)
DUTY_CUES: re.Pattern[str] = re.compile("|".join(
    f"(?P<c{i}>{r['pattern']})" for i, r in enumerate(table_rows("duty_cues.tsv"))))

# "Trách nhiệm của Sở A": words before the agencies a heading hands its items to
DUTY_HEADING: re.Pattern[str] = re.compile(
    r"(?:" + "|".join(r["prefix"] for r in table_rows("duty_headings.tsv")) + r")\s+")

# what a sentence asks of everyone without giving anyone a task ("… tổ chức quán triệt Nghị quyết")
EXHORTATION: re.Pattern[str] = re.compile(
    r"(?:to chuc |co trach nhiem |chu dong )?(?:" + "|".join(
        re.escape(r["phrase"]) for r in table_rows("exhortations.tsv")) + r")\b")

# words that open a body named by its role ("Cơ quan chủ trì …", "Cán bộ giải quyết hồ sơ")
ROLE_BODIES: str = "(?:" + "|".join(r["word"] for r in table_rows("role_bodies.tsv")) + ")"

# numbers written as words ("tối thiểu một lần/năm"), folded → value
NUMBER_WORDS: dict[str, int] = {r["word"]: int(r["value"]) for r in table_rows("number_words.tsv")}

SECTION_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (r["kind"], tuple(_alts(r["prefixes"]))) for r in table_rows("section_kinds.tsv"))


# each metric's patterns, compiled (``kinds`` keeps their text: questions read only the names)
METRIC_PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    m.key: tuple(map(re.compile, m.require)) for m in METRICS}
TYPE_BY_FOLDED_NAME: dict[str, str] = {fold(n): t.type for t in DOC_TYPES for n in t.names}
TYPE_BY_CODE: dict[str, str] = {fold(c): t.type for t in DOC_TYPES for c in t.codes}
# longest first (the regex engine takes the first that matches), gathered by first letter
TYPE_WORDS_RX = by_first_character(sorted((re.escape(fold(n)) for t in DOC_TYPES for n in t.names),
                                          key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class IssuerCode:
    code: str
    issuer: str
    scope: str  # national | province | district | local


ISSUER_CODES: dict[str, IssuerCode] = {
    fold(r["code"]): IssuerCode(r["code"], r["issuer"], r["scope"])
    for r in table_rows("issuer_codes.tsv")}


@dataclass(frozen=True, slots=True)
class IndicatorDef:
    id: str
    name: str
    aliases: tuple[str, ...]
    pattern: WordStartPattern  # over folded text


INDICATORS: tuple[IndicatorDef, ...] = tuple(
    IndicatorDef(r["id"], r["name"], tuple(_alts(r["aliases"])),
                 WordStartPattern("|".join(_alts(r["patterns"]))))
    for r in table_rows("indicators.tsv"))


@lru_cache(maxsize=4)  # targets and mentions both ask, about the same document
def find_indicators(folded: str) -> tuple[tuple[int, int, str], ...]:
    """Every indicator mention in a folded text: (start, end, indicator id), in order.

    The matches of each indicator's ``finditer``, found in one scan: where any indicator's
    branch matches (``_any_indicator``), each indicator not inside its own previous match is
    tried. An indicator matches only where one of its branches does, so none is missed; the
    text is scanned once, not once per indicator (0.65 -> 0.1 ms a document)."""
    found: list[tuple[int, int, str]] = []
    free = [0] * len(INDICATORS)  # where each indicator's next match may start
    pos = 0
    any_indicator = _any_indicator()
    while (hit := any_indicator.search(folded, pos)) is not None:
        p = hit.start()
        for k, ind in enumerate(INDICATORS):
            if p >= free[k] and (m := ind.pattern.pattern.match(folded, p)) is not None:
                found.append((p, m.end(), ind.id))
                free[k] = max(m.end(), p + 1)
        pos = p + 1
    return tuple(sorted(found))


@cache
def _any_indicator() -> re.Pattern[str]:
    """Every branch of every indicator, without its leading ``\b``, gathered by first letter."""
    branches = [b for ind in INDICATORS for b in top_level_alternatives(ind.pattern.body)]
    return re.compile(by_first_character(branches))


@dataclass(frozen=True, slots=True)
class Head:
    pattern: str
    canonical: str
    kind: str
    level: str  # national | province | district | doc
    flags: frozenset[str]


HEADS: tuple[Head, ...] = tuple(
    Head(r["pattern"], r["canonical"], r["kind"], r["level"], frozenset(r["flags"].split()))
    for r in table_rows("agency_heads.tsv"))


@cache
def heads_at() -> dict[str, re.Pattern[str]]:
    """The head regex for each first character: an alternation of the heads that can start
    with it, longest alternatives first (``head_order``), each a group named ``h<row>``, then
    no letter or digit. A match at a place is the one the alternation of all heads finds
    there; one regex of all 79 named groups cost 3 µs a place, and most places ("số", "bổ")
    name no agency, while 1-22 heads start with each letter."""
    firsts: dict[str, list[int]] = {}
    for i in head_order():
        for c in first_characters(HEADS[i].pattern):
            firsts.setdefault(c, []).append(i)
    return {c: re.compile(r"(?:" + "|".join(f"(?P<h{i}>(?:{HEADS[i].pattern}))" for i in idx)
                          + r")(?![a-z0-9])") for c, idx in firsts.items()}


@cache
def head_order() -> tuple[int, ...]:
    """Indices of HEADS, the head with the longest alternative first (the regexes try them so)."""
    return tuple(sorted(range(len(HEADS)), key=lambda i: -max(len(a) for a in HEADS[i].pattern.split("|"))))


# Phrases that start like an agency head but name something else ("Bộ Chỉ số …").
NOT_AGENCIES: re.Pattern[str] = re.compile(
    "(?:" + "|".join(re.escape(r["phrase"]) for r in table_rows("not_agencies.tsv")) + r")(?![a-z0-9])")

DOMAINS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(r"(?:" + r["pattern"] + r")(?![a-z0-9])"), r["name"])
    for r in sorted(table_rows("domains.tsv"), key=lambda r: -len(r["pattern"])))


@dataclass(frozen=True, slots=True)
class Area:
    area: str
    label: str
    keywords: tuple[str, ...]


AREAS: tuple[Area, ...] = tuple(
    Area(r["area"], r["label"], tuple(_alts(r["keywords"]))) for r in table_rows("areas.tsv"))


COUNT_NOUNS: tuple[str, ...] = tuple(
    sorted((fold(r["noun"]) for r in table_rows("count_nouns.tsv")), key=len, reverse=True))

# Agency kinds as people read them (the ``kind`` column of agency_heads.tsv).
AGENCY_KINDS: dict[str, str] = {r["kind"]: r["label"] for r in table_rows("agency_kinds.tsv")}
