"""Normalized offsets → line and column in the source file, for people who open the file.

Spans index the normalized text (markdown stripped, broken lines joined, spaces collapsed),
so an offset there is not an offset in the file. Normalization keeps the words of the source
in their order; aligning the normalized words with the source lines, word by word, gives a
short map (an entry wherever the two texts shift against each other), and every provenance
gets the line (PDF: page and line on it; .docx/.html: paragraph) and column of its quote.
Columns are exact where the text was not rewritten inside a line (tone marks moved, NFC).
"""

from __future__ import annotations

import dataclasses
import functools
import re
import typing
from bisect import bisect_right
from collections.abc import Callable
from itertools import islice, pairwise
from typing import Any

from .model import DocumentFacts, Provenance, SourceMap
from .schema import field_names
from .text import modern_tones, nfc

_WORD = re.compile(r"\S+")
# How far past the expected place a word may be found in the source: markup dropped between
# two words (emphasis marks, "|" lines of flattened tables, a markdown table rule).
_SLACK = 160
# A word not found near is looked for this far on (lines of markup, a layout table dropped),
# and taken only where the next few words follow it too.
_FAR = 6000
_FOLLOW = 4
_CLOSE = 8  # a word this far past its expected place is where expected (marks, spaces)


def build(text: str, lines: list[str], pages: list[tuple[int, int]] | None = None,
          paragraphs: bool = False) -> SourceMap | None:
    """The map of normalized ``text`` onto the source ``lines`` (None without lines)."""
    if not lines:
        return None
    src = modern_tones(nfc("\n".join(lines)))  # as normalize does; no line is joined
    starts = [0]
    for t in src.split("\n")[:-1]:
        starts.append(starts[-1] + len(t) + 1)
    norm, offs = _align(text, src)
    return SourceMap(tuple(norm), tuple(offs), tuple(starts), tuple(pages or ()), paragraphs)


def _align(text: str, src: str) -> tuple[list[int], list[int]]:
    """Normalized and source offsets where the shift between the texts changes: a normalized
    line found whole is one step; other lines (joined, stripped of markup) are placed a word at
    a time, each word with the run after it that matches the source as it is."""
    norm: list[int] = []
    offs: list[int] = []
    pos = last = 0  # source and normalized offsets after the last text found
    i = 0
    for line in text.split("\n"):
        end = i + len(line)
        j = src.find(line, pos, pos + (i - last) + len(line) + _SLACK) if line else -1
        if j >= 0:
            _step(norm, offs, i, j)
            pos, last = j + len(line), end
        else:
            pos, last = _align_words(text, i, end, src, (pos, last), (norm, offs))
        i = end + 1
    return norm, offs


def _align_words(text: str, i: int, end: int, src: str, at: tuple[int, int],
                 out: tuple[list[int], list[int]]) -> tuple[int, int]:
    """Place the words of ``text[i:end]`` in the source after ``at`` (source and normalized
    offsets reached); returns the offsets reached after them."""
    pos, last = at
    while True:
        m = _WORD.search(text, i, end)
        if m is None:
            return pos, last
        wi, w = m.start(), m.group()
        expected = pos + wi - last
        j = src.find(w, pos, expected + len(w) + _SLACK)
        if (j < 0 or j > expected + _CLOSE) and _later_first(text, m.end(), src, pos, last, j):
            j = -1  # rewritten by normalization ("**C**hủ" → "Chủ"): the next word places it
        elif j < 0:
            j = _far(text, wi, src, pos)
        if j < 0:
            i = m.end()
            continue
        _step(*out, wi, j)
        n = _common(text, wi, end, src, j)
        i, pos, last = wi + n, j + n, wi + n


def _common(a: str, i: int, end: int, b: str, j: int) -> int:
    """How many characters ``a[i:end]`` and ``b[j:]`` share at their start (a binary search
    over prefix comparisons, which run in C)."""
    eol = b.find("\n", j)  # a run ends at the source line's end at the latest (joined lines)
    lo, hi = 0, min(end - i, (len(b) if eol < 0 else eol) - j)
    if b.startswith(a[i:i + hi], j):
        return hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if b.startswith(a[i:i + mid], j):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _step(norm: list[int], offs: list[int], i: int, j: int) -> None:
    """Normalized offset ``i`` is source offset ``j``: an entry if the shift changes."""
    if not offs or j - i != offs[-1] - norm[-1]:
        norm.append(i)
        offs.append(j)


def _later_first(text: str, i: int, src: str, pos: int, last: int, j: int) -> bool:
    """Whether one of the next few words after ``text[i]`` comes in the source before ``j``
    (the place found for the word before them; -1: none near): then that word was rewritten,
    and ``j`` is a repeat of it further on."""
    for m in islice(_WORD.finditer(text, i), _FOLLOW):
        w = m.group()
        limit = j if j >= 0 else pos + (m.start() - last) + len(w) + _SLACK
        if src.find(w, pos, limit) >= 0:
            return True
    return False


def _far(text: str, i: int, src: str, pos: int) -> int:
    """Where the word at ``text[i]`` is in the source well after ``pos``, the next words
    following it as they follow it in the normalized text; -1 when nowhere."""
    words = [(m.start(), m.group()) for m in islice(_WORD.finditer(text, i), _FOLLOW + 1)]
    w = words[0][1]
    j = src.find(w, pos, pos + _FAR)
    while j >= 0:
        at, ok = j + len(w), True
        for (i0, w0), (i1, w1) in pairwise(words):
            nxt = src.find(w1, at, at + (i1 - i0 - len(w0)) + len(w1) + 8)
            if nxt < 0:
                ok = False
                break
            at = nxt + len(w1)
        if ok:
            return j
        j = src.find(w, j + 1, pos + _FAR)
    return -1


def _source_offset(m: SourceMap, offset: int) -> int:
    k = bisect_right(m.norm, offset) - 1
    if k < 0:
        return max(0, m.src[0] - m.norm[0] + offset) if m.norm else offset
    return m.src[k] + offset - m.norm[k]


def _line(m: SourceMap, offset: int) -> tuple[int, int]:
    """The 0-based source line index and 1-based column of a normalized offset."""
    s = _source_offset(m, offset)
    i = max(0, bisect_right(m.line_starts, s) - 1)
    return i, s - m.line_starts[i] + 1


def place(m: SourceMap, start: int, end: int) -> dict[str, int]:
    """The provenance fields locating the span ``start:end`` in the source."""
    i, column = _line(m, start)
    j = _line(m, max(start, end - 1))[0]
    if m.paragraphs:
        return {"paragraph": i + 1, "column": column}
    if m.pages and i < len(m.pages) and j < len(m.pages):
        (page, line), (end_page, end_line) = m.pages[i], m.pages[j]
        out = {"page": page, "line": line, "column": column}
        return out | {"end_line": end_line} if end_page == page else out
    return {"line": i + 1, "column": column, "end_line": j + 1}


def locate(facts: DocumentFacts, m: SourceMap) -> None:
    """Fill the source place of every provenance of ``facts``, in place."""
    done: dict[Provenance, Provenance] = {}

    def fill(p: Provenance) -> Provenance:
        if p.document != facts.meta.id or p.end <= 0:
            return p  # a missing field's provenance points nowhere
        if p not in done:
            done[p] = Provenance(p.document, p.section, p.start, p.end, p.quote,
                                 **place(m, p.start, p.end))
        return done[p]

    plan = _plan(DocumentFacts)
    for k in plan.carriers:
        name = plan.names[k]
        setattr(facts, name, _walk(getattr(facts, name), fill))


_PLAIN = (str, int, float, bool, type(None))


def _walk(obj: Any, fill: Callable[[Provenance], Provenance]) -> Any:
    """``obj`` with ``fill`` applied to each Provenance inside it (unchanged parts shared)."""
    t = type(obj)
    if t is Provenance:
        return fill(obj)
    if t is list or t is tuple:
        new = [x if type(x) in _PLAIN else _walk(x, fill) for x in obj]
        return t(new) if any(a is not b for a, b in zip(new, obj, strict=True)) else obj
    plan = _plan(t)  # type: ignore[arg-type]  # (a class is hashable: typeshed's cache says Hashable)
    values: list[Any] | None = None
    for k in plan.carriers:
        v = getattr(obj, plan.names[k])
        if type(v) not in _PLAIN and (w := _walk(v, fill)) is not v:
            values = values or plan.values(obj)
            values[k] = w
    # positional: the model's dataclasses take every field in order (dataclasses.replace
    # costs three times as much)
    return obj if values is None else t(*values)


@dataclasses.dataclass(frozen=True, slots=True)
class _Plan:
    """How the walk reads one type: its fields, and those that can hold a Provenance."""

    names: tuple[str, ...] = ()
    carriers: tuple[int, ...] = ()  # places in ``names``

    def values(self, obj: Any) -> list[Any]:
        return [getattr(obj, n) for n in self.names]


@functools.cache
def _plan(t: type) -> _Plan:
    """The fields of ``t`` (a dataclass; other types have none) whose declared type can hold
    a Provenance: the walk skips the others (a document's sections, texts and names: ~half
    its cost)."""
    names = field_names(t)
    if not names:
        return _Plan()
    hints = typing.get_type_hints(t)
    return _Plan(names, tuple(k for k, n in enumerate(names) if _holds(hints[n], frozenset({t}))))


def _holds(tp: Any, seen: frozenset[type]) -> bool:
    if tp is Provenance:
        return True
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp not in seen and any(_holds(h, seen | {tp}) for h in hints.values())
    return any(_holds(a, seen) for a in typing.get_args(tp))
