"""What extraction saw but did not understand, so that nothing is lost silently (``cchc gaps``).

Three kinds: a sentence or table row with an assignment cue (``data/duty_cues.tsv``) that gave
no responsibility; a figure in a goals section that gave no target; a document field (type,
number, date, jurisdiction) that was not found.
"""

from __future__ import annotations

import bisect
import re

from ..lexicon import DUTY_CUE_NAMES, DUTY_CUE_WORDS, DUTY_CUES
from ..model import DocumentFacts, Gap, NormDoc, Provenance
from ..outline import Outline
from ..text import sentences
from .targets import followed_by_count_noun

# sections that describe rather than assign: past results, principles, the preamble
_NOT_ASSIGNING = ("situation", "viewpoint", "preamble")
_BASIS = re.compile(r"\W*(?:can cu|thuc hien|theo de nghi)\b")  # "Căn cứ …;" lines of the preamble
_FIGURE = re.compile(r"(?<![\w/.,])(\d{1,3}(?:[.,]\d+)?)\s*%|(?<![\w/])(\d+)/(\d+)(?![\w/-])")
_COUNT = re.compile(r"(?<![\w/.,])\d{1,4}(?=\s)")
_META_FIELDS = ("type", "number", "date", "jurisdiction")


def find_gaps(doc: NormDoc, outline: Outline, facts: DocumentFacts) -> list[Gap]:
    """Every gap of one document, in text order within each kind."""
    return [*_duty_gaps(doc, outline, facts), *_figure_gaps(doc, outline, facts),
            *_meta_gaps(facts)]


def _spans(provs) -> tuple[list[int], list[int]]:
    """Sorted starts and, for each, the furthest end so far: a cover test by bisection."""
    pairs = sorted((p.start, p.end) for p in provs)
    starts, reach, far = [], [], -1
    for s, e in pairs:
        far = max(far, e)
        starts.append(s)
        reach.append(far)
    return starts, reach


def _covered(spans: tuple[list[int], list[int]], s: int, e: int) -> bool:
    """Whether some span overlaps ``[s, e)``."""
    starts, reach = spans
    i = bisect.bisect_left(starts, e) - 1
    return i >= 0 and reach[i] > s


def _skipped(outline: Outline) -> list[tuple[int, int]]:
    return [p for p in (outline.recipients, outline.signature) if p] + list(outline.footnotes)


def _duty_gaps(doc: NormDoc, outline: Outline, facts: DocumentFacts) -> list[Gap]:
    text, folded = doc.text, doc.folded
    done = _spans(r.provenance for r in facts.responsibilities)
    skip = _skipped(outline)
    out: list[Gap] = []
    for b in doc.blocks:
        if b.kind == "footnote" or any(s <= b.start < e for s, e in skip):
            continue
        sec = outline.section_at(b.start)
        if sec is not None and sec.kind in _NOT_ASSIGNING:
            continue
        pieces = [(b.start, b.end)] if b.kind == "row" else sentences(text, b.start, b.end)
        for s, e in pieces:
            f = folded[s:e]
            if not any(w in f for w in DUTY_CUE_WORDS):
                continue
            m = DUTY_CUES.search(f)
            if m is None or _BASIS.match(f) or _covered(done, s, e):
                continue
            cue = DUTY_CUE_NAMES[int(m.lastgroup[1:])]  # type: ignore[index]
            if sec is not None and (e <= sec.title_end + 1 or b.start == sec.start == s) \
                    and _covered(done, sec.start, sec.end):
                continue  # "Trách nhiệm của Sở A": a heading whose items gave the duties
            out.append(Gap("duty", cue, Provenance(doc.doc_id, sec.path if sec else "", s, e, text[s:e])))
    return out


def _figure_gaps(doc: NormDoc, outline: Outline, facts: DocumentFacts) -> list[Gap]:
    text, folded = doc.text, doc.folded
    done = _spans(t.provenance for t in facts.targets)
    out: list[Gap] = []
    for sec in outline.sections:
        parent = outline.parent(sec)
        if sec.kind != "goals" or (parent is not None and parent.kind == "goals"):
            continue  # each goals section once, with its items
        for s, e in sentences(text, sec.start, sec.end):
            for pos, figure in _figures(text, folded, s, e):
                if not _covered(done, pos, pos + len(figure)):
                    out.append(Gap("figure", figure, Provenance(doc.doc_id, sec.path, s, e, text[s:e])))
    return out


def _figures(text: str, folded: str, s: int, e: int) -> list[tuple[int, str]]:
    """Percentages, ratios ("8/8") and counts of a counted noun ("05 điểm") in a sentence."""
    found = [(m.start(), m.group(0)) for m in _FIGURE.finditer(text, s, e)]
    found += [(m.start(), text[m.start():m.end()]) for m in _COUNT.finditer(folded, s, e)
              if followed_by_count_noun(folded, m.end())]
    return sorted(found)


def _meta_gaps(facts: DocumentFacts) -> list[Gap]:
    m = facts.meta
    return [Gap("metadata", name, Provenance(m.id, "", 0, 0, ""))
            for name in _META_FIELDS if getattr(m, name) is None]
