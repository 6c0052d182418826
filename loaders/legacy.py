"""Legacy Vietnamese encodings: recognise text typed in TCVN3 (ABC) or VNI fonts and convert it.

Before Unicode, Vietnamese documents were typed with font encodings: the bytes are Latin-1
letters that a .VnTime (TCVN3) or VNI-Times font draws as Vietnamese. Such text survives in
old .txt files and in .docx/.pdf files still set in those fonts, where it reads as
``Céng hßa`` or ``Coäng hoøa`` instead of ``Cộng hòa``.

The decision is made by counting common Vietnamese syllables (``data/common_syllables.tsv``)
before and after each conversion: text already in Unicode loses syllables when converted, so
it is never touched. The character tables are ``data/legacy_encodings.tsv`` (TCVN3 from the
TCVN 5712 upper range as glibc's iconv defines it; VNI Windows).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from cchc_graph.keys import numpy_if_worth

from .lexicon import table_rows
from .text import nfc

NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI", "cp1258": "Windows-1258",
         "utf-8-replace": "UTF-8 with invalid bytes replaced"}
# Characters that only Unicode Vietnamese has (never produced by reading legacy bytes).
_NATIVE = re.compile(r"[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
                     r"\u1ea0-\u1ef9]")
_LATIN1 = re.compile(r"[\u00a1-\u00ff]")
_WORD = re.compile(r"[^\W\d_]+")


@cache
def _table(encoding: str) -> tuple[re.Pattern[str], dict[str, str]]:
    pairs = {"".join(chr(int(h, 16)) for h in r["legacy"].split()): r["unicode"]
             for r in table_rows("legacy_encodings.tsv") if r["encoding"] == encoding}
    # longest first, so VNI's "oä" (ộ) wins over "ô" (ơ)
    alts = sorted(pairs, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, alts))), pairs


def convert(text: str, encoding: str) -> str:
    """Text typed in a legacy font encoding (``tcvn3`` or ``vni``) → Unicode (NFC)."""
    pattern, pairs = _table(encoding)
    return nfc(pattern.sub(lambda m: pairs[m.group()], text))


@cache
def _syllables() -> frozenset[str]:
    return frozenset(r["syllable"] for r in table_rows("common_syllables.tsv"))


def score(text: str) -> int:
    """How many common Vietnamese syllables (with their diacritics) the text contains."""
    common = _syllables()
    return sum(1 for w in _WORD.findall(nfc(text).lower()) if w in common)


def letter_counts(text: str) -> tuple[int, int]:
    """How many characters of ``text`` only Unicode Vietnamese has (``_NATIVE``), and how
    many are Latin-1 letters and signs (``_LATIN1``). A long text is counted through numpy
    (two regex scans of a document cost 0.4 ms, the arrays 0.03)."""
    if len(text) < 256 or (np := numpy_if_worth(len(text))) is None:
        return len(_NATIVE.findall(text)), len(_LATIN1.findall(text))

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    native = _native_table()
    latin1 = np.count_nonzero((codes >= 0xA1) & (codes <= 0xFF))
    return int(np.count_nonzero(native[codes[codes < len(native)]])), int(latin1)


@cache
def _native_table() -> Any:
    """For each code point up to the last one ``_NATIVE`` names, whether it names it."""
    import numpy as np

    return np.array([bool(_NATIVE.match(chr(c))) for c in range(0x1EFA)], dtype=bool)


def detect(text: str) -> str | None:
    """The legacy font encoding ``text`` is typed in, or None when it reads as it is."""
    native, latin1 = letter_counts(text)
    if native * 20 > latin1:
        return None  # Unicode Vietnamese: its own letters outnumber stray Latin-1 ones
    base = score(text)
    best, best_score = None, base
    for enc in ("tcvn3", "vni"):
        s = score(convert(text, enc))
        if s > best_score:
            best, best_score = enc, s
    return best if best_score >= base + max(3, base // 10) else None


def convert_blocks(texts: list[str]) -> tuple[str | None, Callable[[str], str]]:
    """Decide once for a document's texts; return the encoding and a per-text converter.

    Texts that already carry Unicode Vietnamese letters are left alone, so a document typed
    in a legacy font with a Unicode header (or the reverse) comes out whole.
    """
    enc = detect("\n".join(texts))
    if enc is None:
        return None, lambda t: t
    return enc, lambda t: t if _NATIVE.search(t) else convert(t, enc)


def decode_bytes(data: bytes) -> tuple[str, str | None]:
    """Bytes that are not valid UTF-8 → the most Vietnamese reading, and what it was.

    Candidates: Windows-1258, TCVN3 and VNI (read through Latin-1), and UTF-8 with the bad
    bytes replaced (a file that is UTF-8 but for a few broken bytes).
    """
    latin = data.decode("latin-1")
    candidates = {
        "utf-8-replace": data.decode("utf-8", errors="replace"),
        "cp1258": nfc(data.decode("cp1258", errors="replace")),
        "tcvn3": convert(latin, "tcvn3"),
        "vni": convert(latin, "vni"),
    }
    scores = {k: score(v) for k, v in candidates.items()}
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return candidates["utf-8-replace"], None
    return candidates[best], best
