"""Which records of a table hold a phrase: an SQLite FTS5 index in memory, a regex scan else.

A question like "who leads *tuyên truyền*" matches tens of thousands of tasks at national
scale. A regex per record costs about a microsecond each, so the phrase is looked up in a
full-text index instead (SQLite's FTS5, from the standard library, built in C on first use):
its phrase query is exact on adjacent words, so nothing has to be checked again.

The index holds the original text. FTS5's ``unicode61`` tokenizer strips diacritics and case
the way :func:`cchc_graph.keys.fold` does for Vietnamese (``đ`` is mapped first: it is a letter
of its own to Unicode, not a ``d`` with a mark). Its words are runs of letters, digits and
``_``, as ``\\w`` is for the regex. It is a little more lenient than ``fold`` on a few letters
outside Vietnamese (``ſ``, the Kelvin sign), which it reads as ``s``, ``k``.

A pattern that is not a plain phrase (a word with ``%``, say) is searched with one regex pass
over every record's folded text joined, as before the index existed.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence

from cchc_graph.keys import fold
from cchc_graph.loaders.text import WordStartPattern

_JOINT = "\n_\n"  # between records of the scan: ``_`` is a word character, so no phrase crosses it
_PHRASE_WORD = re.compile(r"\w+")
# The letters fold() maps to d that Unicode does not decompose into d plus a mark.
_D = (("đ", "d"), ("Đ", "d"), ("Ð", "d"))
_TOKENIZER = "unicode61 remove_diacritics 2 categories 'L* N*' tokenchars '_'"


def phrase_words(rx: re.Pattern[str]) -> list[str]:
    """The words of a phrase pattern (``\\bw1\\W+w2…\\b``, words of word characters only);
    empty for any other pattern, which is searched by scanning."""
    p = rx.pattern
    if not (p.startswith(r"\b") and p.endswith(r"\b")) or rx.flags & re.IGNORECASE:
        return []
    words = p[2:-2].split(r"\W+")
    return words if all(_PHRASE_WORD.fullmatch(w) and w.isascii() for w in words) else []


def records_matched(rx: re.Pattern[str], hay: str, starts: list[int]) -> set[int]:
    """Indices of the records of ``hay`` (starting at ``starts``) in which ``rx`` matches;
    after a hit the rest of that record is skipped. A phrase starting at a word boundary is
    searched as a :class:`~loaders.text.WordStartPattern` (20x faster over a long text)."""
    fast: re.Pattern[str] | WordStartPattern = (
        WordStartPattern(rx.pattern, rx.flags) if WordStartPattern.applies(rx.pattern) else rx)
    found: set[int] = set()
    pos = 0
    while (m := fast.search(hay, pos)) is not None:
        i = m.start()
        k = bisect.bisect_right(starts, i) - 1
        found.add(k)
        pos = starts[k + 1] if k + 1 < len(starts) else len(hay)
    return found


class _Fts:
    """A contentless FTS5 table whose rowids are record indices."""

    def __init__(self, texts: Sequence[str]) -> None:
        # one connection shared by the API's worker threads: sqlite3 serializes, the lock orders
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        self._db.execute(f"CREATE VIRTUAL TABLE r USING fts5(x, tokenize=\"{_TOKENIZER}\", "
                         "content='', detail=full)")
        self._db.executemany("INSERT INTO r(rowid, x) VALUES (?, ?)",
                             ((i, _undotted(t)) for i, t in enumerate(texts) if t))

    def phrase(self, words: list[str]) -> list[int]:
        query = '"' + " ".join(words) + '"'  # words are ASCII word characters: nothing to escape
        with self._lock:
            return [i for (i,) in self._db.execute("SELECT rowid FROM r WHERE r MATCH ? ORDER BY rowid",
                                                   (query,))]


def _undotted(text: str) -> str:
    for a, b in _D:
        text = text.replace(a, b)
    return text


def _fts(texts: Sequence[str]) -> _Fts | None:
    try:
        return _Fts(texts)
    except sqlite3.OperationalError:  # an SQLite built without FTS5: scan instead
        return None


class TextTable:
    """The texts of one table's records, by index, and the records a phrase occurs in."""

    def __init__(self, texts: Sequence[str], index: Callable[[Sequence[str]], _Fts | None] = _fts) -> None:
        self.texts = texts
        self._make_index = index
        self._index: _Fts | None = None
        self._indexed = False
        self._hay: tuple[str, list[int]] | None = None
        self._build_lock = threading.Lock()

    def matched(self, rxs: Sequence[re.Pattern[str]]) -> list[int]:
        """Indices, ascending, of the records whose folded text one of ``rxs`` matches."""
        each = [self._matched(rx) for rx in rxs]
        return each[0] if len(each) == 1 else sorted(set().union(*each))

    def prepare(self) -> None:
        """Build the phrase index now rather than on the first question."""
        self._fts()

    def _matched(self, rx: re.Pattern[str]) -> list[int]:
        words = phrase_words(rx)
        index = self._fts() if words else None
        if index is not None:
            return index.phrase(words)
        hay, starts = self._haystack()
        return sorted(records_matched(rx, hay, starts))

    def _fts(self) -> _Fts | None:
        with self._build_lock:
            if not self._indexed:
                self._index, self._indexed = self._make_index(self.texts), True
            return self._index

    def _haystack(self) -> tuple[str, list[int]]:
        with self._build_lock:
            if self._hay is None:
                parts = [fold(t or "") for t in self.texts]
                starts, pos = [], 0
                for p in parts:
                    starts.append(pos)
                    pos += len(p) + len(_JOINT)
                self._hay = _JOINT.join(parts), starts
            return self._hay


def scan_only(texts: Sequence[str]) -> None:
    """An index factory for :class:`TextTable` that builds none (every search scans)."""
    return None
