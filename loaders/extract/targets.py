"""Quantitative targets: one per number and per indicator, with comparator, unit and year.

``trên 80%`` → (>, 80, %); ``từ 95% trở lên`` → (>=, 95, %); ``8/8 bộ phận`` → (=, 8, count);
``PAR INDEX và PAPI thuộc nhóm 20`` → two rank targets (<=, 20). Figures in situation or
results sections describe the past and are not targets.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from cchc_graph.keys import fold, slug

from ..lexicon import COUNT_NOUNS, METRIC_PATTERNS, METRICS, NUMBER_WORDS, find_indicators
from ..model import NormDoc, Provenance, Section, Target
from ..outline import Outline
from ..text import GuardedPattern, clauses, sentences
from .grammar import DATE_ANY, NUMBER, PERIOD, YEAR_BY

TARGET_KINDS = {"goals", "tasks", "solutions", "implementation", ""}
_NUM = r"(\d{1,3}(?:[.,]\d{1,2})?)"
_PERCENT = re.compile(_NUM + r"\s*%")
_FRACTION = re.compile(r"(?<![\d/])(\d{1,3})\s*/\s*(\d{1,3})(?![\d/])")
_RANK = re.compile(r"\b(?:nhom|top)\s+(\d{1,2})\b")
_COUNT = re.compile(r"(?<![\d.,/])(0?\d{1,3})\s+(?=\S)")
_LE = r"(?:toi da|khong qua|khong vuot qua|duoi muc|khong cao hon)"
_GE = r"(?:toi thieu|it nhat|khong thap hon|khong duoi|khong it hon)"
_COMP_BEFORE = re.compile(
    rf"(?<![a-z])(?:(?P<ge>{_GE})|(?P<le>{_LE})|(?P<gt>tren|hon|vuot)|(?P<lt>duoi|it hon)|(?P<from>tu))"
    r"(?:\s+(?:muc|dat|la|duoc|khoang|co))*\s+$")
_COMP_AFTER_GE = re.compile(r"^\s*(?:%\s*)?(?:tro len|tro len\b)")
_RANGE_AFTER = re.compile(r"^\s*(?:%\s*)?(?:den|-|–)\s")  # "từ 5 đến 10": a range, not a floor
_WORD_COUNT = re.compile(
    r"(?<![a-z])(" + "|".join(NUMBER_WORDS) + r") (?=lan\b|[a-z]{2,})")
_WORD_FLOOR = re.compile(rf"(?:{_GE}|{_LE}) (?:{'|'.join(NUMBER_WORDS)}) ")
_NOUN_AFTER = re.compile(r" [a-z]{2,}")  # a word follows the figure (units and times are masked)
# ordinals ("lần thứ hai") on folded text: the one mask that can match without a digit
_ORDINAL = GuardedPattern(r"\w", r"(?:lan thu|thu)\s+\w+")
_MASKS = (  # on folded text; each match has a digit
    re.compile(r"muc do\s+\d(?:\s*(?:,|va)\s*(?:muc do\s+)?\d)*"),
    re.compile(r"\b\d+(?:\.\d+)?\s*(?:nam|thang|ngay|tuoi|gio|phut|lan)\b"),
    re.compile(r"\d+\.0\b"),
    re.compile(r"(?m)^\s*(?:\(\d+\)\.?|\d+(?:\.\d+)*\.)"),
)
_SITUATION_VERBS = re.compile(r"\b(?:da dat|da thuc hien|da ban hanh|dat duoc|dat ket qua)\b")
_MASK_TEXT = (DATE_ANY, NUMBER, PERIOD, YEAR_BY,  # on the text; each match has a digit
              re.compile(r"(?:TCVN\s+ISO|ISO)(?:/IEC)?\s*\d{4,5}(?:\s*:\s*\d{4})?"))
_BEFORE, _AFTER = 30, 15  # how far a comparator is looked for before and after a figure
_DIGIT = re.compile(r"\d")  # every figure has one: text without a digit (once masked) has no target


def _masked(text: str, folded: str, spans: list[tuple[int, int]]) -> str:
    """Folded text with dates, numbers of documents, periods and levels blanked out in each
    of ``spans`` (blocks: a date or number never runs from one paragraph into the next)."""
    cuts: list[tuple[int, int]] = []
    for s, e in spans:
        hits = [*_ORDINAL.finditer(folded, s, e)]
        if _DIGIT.search(text, s, e):  # most blocks read only for a comparator have no digit
            hits += [m for rx in _MASK_TEXT for m in rx.finditer(text, s, e)]
            hits += [m for rx in _MASKS for m in rx.finditer(folded, s, e)]
        cuts += [m.span() for m in hits]
    # the text between the hits as it is, each hit (or run of overlapping ones) as spaces: not
    # the whole document as a list of characters, for a few dozen hits
    out, pos = [], 0
    for s, e in sorted(cuts):
        if e > pos:
            s = max(s, pos)
            out += [folded[pos:s], " " * (e - s)]
            pos = e
    out.append(folded[pos:])
    return "".join(out)


def _read_spans(doc: NormDoc, wanted: list[int]) -> list[tuple[int, int]]:
    """The blocks a target in blocks ``wanted`` reads: themselves and those its comparator
    looks into (``_BEFORE`` characters back, ``_AFTER`` on)."""
    starts = [b.start for b in doc.blocks]
    out: set[int] = set()
    for i in wanted:
        b = doc.blocks[i]
        first = max(0, bisect.bisect_right(starts, b.start - _BEFORE) - 1)
        last = bisect.bisect_left(starts, b.end + _AFTER)
        out.update(range(first, last))
    return [(doc.blocks[i].start, doc.blocks[i].end) for i in sorted(out)]


def _value(s: str) -> float:
    if re.fullmatch(r"\d{1,3}\.\d{3}", s):
        return float(s.replace(".", ""))
    return float(s.replace(",", "."))


def _comparator(text: str, masked: str, start: int, end: int) -> str:
    before = masked[max(0, start - _BEFORE):start]
    m = _COMP_BEFORE.search(before)
    after_ge = _COMP_AFTER_GE.match(masked[end:end + _AFTER])
    if m is None:
        return ">=" if after_ge else "="
    if m.group("ge"):
        return ">="
    if m.group("le"):
        return "<="
    if m.group("gt"):
        return ">"
    if m.group("lt"):
        return "<"
    # "từ 95% trở lên"; "phấn đấu mỗi năm từ 05 bộ dữ liệu" is a floor too, "từ 5 đến 10" not;
    # "điện tử đạt 95%" folds alike: the word as written decides
    fs = max(0, start - _BEFORE) + m.start("from")
    if text[fs:fs + 2].lower() not in ("từ", "tu"):
        return ">=" if after_ge else "="
    return ">=" if after_ge or not _RANGE_AFTER.match(masked[end:end + _AFTER]) else "="


def metric_key(folded_text: str) -> str:
    for metric in METRICS:
        if metric.key == "rank":
            continue
        if all(rx.search(folded_text) for rx in METRIC_PATTERNS[metric.key]):
            return metric.key
    words = [w for w in re.findall(r"[a-z]+", folded_text) if len(w) > 1][:6]
    return "other:" + (slug(" ".join(words), 40) if words else "unknown")


def _first_per_indicator(found: Sequence[tuple[int, int, str]], s: int, e: int) -> list[tuple[int, str]]:
    """(position relative to ``s``, indicator id) of each indicator's first mention in [s, e)."""
    seen: set[str] = set()
    out = []
    for start, _end, iid in found:
        if s <= start < e and iid not in seen:
            seen.add(iid)
            out.append((start - s, iid))
    return out


def extract_targets(doc: NormDoc, outline: Outline, default_year: int | None) -> list[Target]:
    text = doc.text
    folded = doc.folded
    skip = [outline.recipients, outline.signature, *outline.footnotes]
    wanted: list[tuple[int, Section]] = []  # the blocks that may hold a target: a figure has a digit
    for i, b in enumerate(doc.blocks):
        if b.kind in ("footnote", "row") or not (
                _DIGIT.search(text, b.start, b.end) or _WORD_FLOOR.search(folded, b.start, b.end)):
            continue
        if any(sp and sp[0] <= b.start < sp[1] for sp in skip):
            continue
        sec = outline.section_at(b.start)
        if sec is not None and sec.kind in TARGET_KINDS:
            wanted.append((i, sec))
    if not wanted:
        return []
    masked = _masked(text, folded, _read_spans(doc, [i for i, _ in wanted]))
    found = find_indicators(folded)
    out: list[Target] = []
    n = 0
    for i, sec in wanted:
        b = doc.blocks[i]
        for ss, se in sentences(text, b.start, b.end):
            if not (_DIGIT.search(masked, ss, se) or _WORD_FLOOR.search(folded, ss, se)):
                continue
            sent_inds = _first_per_indicator(found, ss, se)
            for cs, ce in clauses(text, ss, se):
                for t in _clause_targets(doc, outline, text, folded, masked, cs, ce, ss, se,
                                         sent_inds, default_year, sec.kind):
                    n += 1
                    out.append(Target(f"tgt:{doc.doc_id}:{n}", *t))
    return out


def _clause_targets(doc: NormDoc, outline: Outline, text: str, folded: str, masked: str,
                    cs: int, ce: int, ss: int, se: int, sent_inds: list[tuple[int, str]],
                    default_year: int | None, kind: str) -> list[tuple]:
    hits: list[tuple[int, int, float, str, str]] = []  # start, end, value, unit, comparator
    clause_m = masked[cs:ce]
    for m in _PERCENT.finditer(clause_m):
        s, e = cs + m.start(1), cs + m.end()
        hits.append((s, e, _value(m.group(1)), "%", _comparator(text, masked, s, e)))
    for m in _RANK.finditer(clause_m):
        s, e = cs + m.start(), cs + m.end()
        hits.append((s, e, float(m.group(1)), "rank", "<="))
    for m in _FRACTION.finditer(clause_m):
        s, e = cs + m.start(), cs + m.end()
        if followed_by_count_noun(folded, e):
            hits.append((s, e, float(m.group(1)), "count", "="))
    for m in _COUNT.finditer(clause_m):
        s, e = cs + m.start(1), cs + m.end(1)
        if any(h[0] <= s < h[1] for h in hits) or kind not in ("goals", "tasks", "solutions"):
            continue
        comp = _comparator(text, masked, s, e)
        # a counted noun of the table, or any noun after "tối thiểu / ít nhất / từ" in a goal
        # ("ít nhất 20 tập dữ liệu mở")
        if not followed_by_count_noun(folded, e) and not (
                comp != "=" and kind == "goals" and _NOUN_AFTER.match(masked, e)):
            continue
        hits.append((s, e, float(int(m.group(1))), "count", comp))
    # a number in words after a floor or ceiling: "tối thiểu một lần/năm"
    for m in _WORD_COUNT.finditer(clause_m):
        s, e = cs + m.start(1), cs + m.end(1)
        comp = _comparator(text, masked, s, e)
        if comp in (">=", "<="):
            hits.append((s, e, float(NUMBER_WORDS[m.group(1)]), "count", comp))
    if not hits:
        return []
    if kind != "goals" and _SITUATION_VERBS.search(folded[ss:se]):
        return []
    hits.sort()
    clause_inds = [i for p, i in sent_inds if cs <= ss + p < ce]
    year = _year(text, ss, se) or outline.year_at(cs) or default_year
    baseline = _baseline(text, cs, ce)
    out = []
    for k, (s, e, value, unit, comp) in enumerate(hits):
        seg_s = cs if k == 0 else _segment_start(text, hits[k - 1][1], s)
        seg_e = ce if k == len(hits) - 1 else _segment_start(text, e, hits[k + 1][0])
        seg_s, seg_e = _strip(text, seg_s, seg_e)
        seg_text = text[seg_s:seg_e]
        prov = Provenance(doc.doc_id, _path(outline, s), ss, se, text[ss:se])
        if unit == "rank":
            inds = clause_inds or [i for _p, i in sent_inds]
            none: list[str | None] = [None]  # (the rank of no indicator named)
            for iid in inds or none:
                out.append((doc.doc_id, seg_text, f"rank:{iid or 'unknown'}", comp, value, unit,
                            year, baseline, iid, prov))
            continue
        seg_inds = [i for p, i in sent_inds if seg_s <= ss + p < seg_e]
        # what the figure measures decides the metric ("tập huấn cho 100% cán bộ sử dụng dịch
        # vụ công trực tuyến" is training, not online services), else the figure's phrase
        measured = _measured(masked, seg_s, seg_e, s, e, unit)
        key = metric_key(measured)
        if key.startswith("other:"):
            whole = metric_key(fold(seg_text))
            key = whole if not whole.startswith("other:") else key
        out.append((doc.doc_id, seg_text, key, comp, value, unit, year, baseline,
                    seg_inds[0] if seg_inds else None, prov))
    return out


# words around a figure that say how much or by when, not what is measured
_FILLER = re.compile(r"\b(?:phan dau|den nam|den het nam|dat|chiem|toi thieu|it nhat|tren|duoi|tu|muc|"
                     r"khoang|co|la|duoc|hang nam|moi nam|tro len|tang|giam|so voi)\b")


def _measured(masked: str, seg_s: int, seg_e: int, s: int, e: int, unit: str) -> str:
    """What a figure measures: the noun counted after a count ("05 bộ dữ liệu mở" → "bộ dữ liệu
    mở"), else the phrase before the figure ("Tỷ lệ hồ sơ trực tuyến đạt 80%")."""
    def clean(phrase: str) -> str:
        first = re.split(r"[,;.:(]", phrase.strip(" ,;:-"), maxsplit=1)[0]
        return " ".join(_FILLER.sub(" ", first).split())

    before = "" if unit == "count" else clean(masked[seg_s:s])
    return before if len(before.split()) >= 2 else clean(masked[e:seg_e])  # "đạt 95% hồ sơ …"


def followed_by_count_noun(folded: str, pos: int) -> bool:
    """A counted noun of the table (``data/count_nouns.tsv``) follows ``pos``."""
    rest = folded[pos:pos + 25].lstrip()
    return any(rest.startswith(n + " ") or rest == n for n in COUNT_NOUNS)


def _segment_start(text: str, prev_end: int, nxt: int) -> int:
    """The comma (or 'và') between two figures that separates their phrases."""
    cut = max(text.rfind(",", prev_end, nxt), text.rfind(" và ", prev_end, nxt))
    return cut + 1 if cut >= 0 else nxt


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " ,;:-–+.":
        s += 1
    while e > s and text[e - 1] in " ,;:":
        e -= 1
    return s, e


def _year(text: str, s: int, e: int) -> int | None:
    m = YEAR_BY.search(text, s, e)
    return int(m.group(1)) if m else None


def _baseline(text: str, s: int, e: int) -> str | None:
    m = re.search(r"(?i)so với\s+((?:năm|giai đoạn|cùng kỳ|kỳ|quy định|đầu kỳ)[^,;.]*?)(?=[,;.]|$)",
                  text[s:e])
    return " ".join(m.group(1).split()) if m else None


def _path(outline: Outline, pos: int) -> str:
    sec = outline.section_at(pos)
    return sec.path if sec else ""
