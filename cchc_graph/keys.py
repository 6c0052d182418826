"""Comparison keys, shared by ``loaders`` (which writes them) and ``graph`` (which matches on them).

Two spellings of one name or number must give one key: the diacritics fold (accent- and
case-insensitive, one character for one), word keys, document-number keys, slugs for ids and
the spelling-out of known abbreviations ("UBND" → "Ủy ban nhân dân").

    >>> fold_key("Phòng Nội vụ, UBND") == fold_key("phong noi vu ubnd")
    True
    >>> number_key("03 - NQ/TU") == number_key("3-NQ/TU")
    True
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

# characters a process handles without numpy before it is worth importing: its import and a
# lookup table cost ~0.18 s, what str.translate takes for ~2 million characters (~80 ns each)
NUMPY_AFTER = 2_000_000
_without_numpy = 0


def numpy_if_worth(n: int) -> Any | None:
    """numpy, when it is loaded already or this process has handled enough text without it
    to pay its import; else None, and ``n`` more characters are handled without it. A
    one-document rebuild does not import it (0.18 s, for ~1 ms saved); a build of many does."""
    global _without_numpy
    if "numpy" in sys.modules or _without_numpy >= NUMPY_AFTER:
        import numpy as np

        return np
    _without_numpy += n
    return None


class CharMap:
    """A one-for-one character map (``{code point: one character}``), the same as
    ``str.translate`` with it.

    ``str.translate`` looks every non-ASCII character up in its table: in a list indexed by
    code point (an index past its end leaves the character as it is, as a key missing from a
    dict does) ~40 ns each on Vietnamese text, in the dict ~85 ns. On a page a lookup array
    (numpy) is faster still, once numpy is worth importing (``numpy_if_worth``); short texts
    keep ``str.translate``.
    """

    LONG = 256  # shorter texts are translated directly

    def __init__(self, table: dict[int, str]) -> None:
        if any(len(v) != 1 for v in table.values()):
            raise ValueError("a CharMap maps each character to exactly one character")
        self.table = table
        self._size = max(table, default=-1) + 1
        self._list = [table.get(cp, chr(cp)) for cp in range(self._size)]
        self._array: object = None

    def __call__(self, text: str) -> str:
        if len(text) < self.LONG or not self._size or (np := numpy_if_worth(len(text))) is None:
            return text.translate(self._list)

        if self._array is None:
            array = np.arange(self._size, dtype=np.uint32)
            for cp, ch in self.table.items():
                array[cp] = ord(ch)
            self._array = array
        # surrogatepass: a lone surrogate (from a badly decoded file) goes through unchanged
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
        inside = codes < self._size
        codes[inside] = self._array[codes[inside]]  # type: ignore[index]
        return codes.tobytes().decode("utf-32-le", "surrogatepass")


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        low = base.lower()
        if len(low) == 1:
            table[cp] = low
    table[ord("Đ")] = "d"
    table[ord("đ")] = "d"
    table[ord("Ð")] = "d"
    return table


_FOLD = CharMap(_build_fold_table())


def fold(text: str) -> str:
    """Lowercase and strip diacritics, one character for one: ``len(fold(s)) == len(s)``.

    Offsets found in the folded text are offsets in the original, so patterns can match
    noisy, accent-less documents while the original text is kept for display.
    """
    return _FOLD(text)


def fold_key(text: str) -> str:
    """A comparison key: folded, punctuation dropped, spaces collapsed."""
    t = fold(text)
    t = re.sub(r"[^0-9a-z%]+", " ", t)
    return " ".join(t.split())


_NOT_SLUG = re.compile(r"[^0-9a-z]+")


def slug(text: str, max_len: int = 60) -> str:
    s = _NOT_SLUG.sub("-", fold(text)).strip("-")
    return s[:max_len].rstrip("-") or "x"


def doc_id_for(path: str | Path) -> str:
    """A document's id from its file name, stable and readable: ``000_def938038e5dae73``."""
    return slug((path if isinstance(path, Path) else Path(path)).stem, 80).replace("-", "_")


def number_key(number: str) -> str:
    """A comparison key: folded, no spaces, no leading zeros."""
    n = fold(number).replace(" ", "")
    return re.sub(r"^0+(?=\d)", "", n)


def _abbreviations() -> dict[str, str]:
    # the loaders' data folder, wherever the package maps it (importlib.resources: ~5 ms more
    # for every command)
    spec = importlib.util.find_spec("cchc_graph.loaders")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "abbreviations.tsv"
    with path.open(encoding="utf-8", newline="") as f:
        return {(r["short"] or "").strip(): (r["long"] or "").strip()
                for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


# Abbreviations every reader of these documents knows (loaders/data/abbreviations.tsv); a
# document's own definitions add more.
ABBREVIATIONS: dict[str, str] = _abbreviations()
_ABBREVIATION_KEYS = {fold_key(k): fold_key(v) for k, v in ABBREVIATIONS.items()}


def expand_abbreviations(text: str, extra: dict[str, str] | None = None) -> str:
    """``UBND tỉnh`` → ``Ủy ban nhân dân tỉnh`` (known and the document's own abbreviations)."""
    table = {**ABBREVIATIONS, **(extra or {})}
    return re.sub(r"\b[A-ZĐ]{2,}\b", lambda m: table.get(m.group(0), m.group(0)), text)


def expand_query(query: str) -> str:
    """Folded key of a query with known abbreviations spelled out ("UBND tỉnh")."""
    return " ".join(_ABBREVIATION_KEYS.get(w, w) for w in fold_key(query).split())
