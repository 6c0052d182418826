"""Vietnamese text primitives: NFC, tones, regex helpers, sentences (the fold and the other
comparison keys are in ``cchc_graph.keys``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# --- patterns ------------------------------------------------------------------------------

def _tokens(pattern: str) -> Iterator[tuple[int, str, int]]:
    """Each token of a regex (an escape pair or one character) with its index and the number
    of groups open after it; an escaped token or one inside a class ``[…]`` has -1 (it never
    opens, closes or splits anything)."""
    depth, cls, i = 0, False, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            yield i, pattern[i:i + 2], -1
            i += 2
            continue
        if cls or ch == "[":
            cls = ch != "]" if cls else True
            yield i, ch, -1
        else:
            depth += (ch == "(") - (ch == ")")
            yield i, ch, depth
        i += 1


def top_level_alternatives(pattern: str) -> list[str]:
    """``a|b(?:c|d)`` → ``["a", "b(?:c|d)"]`` (splits on ``|`` outside groups and classes)."""
    out, start = [], 0
    for i, tok, depth in _tokens(pattern):
        if tok == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
    return [*out, pattern[start:]]


def _group_end(pattern: str) -> int:
    """The index just past the group that opens ``pattern``."""
    for i, tok, depth in _tokens(pattern):
        if tok == ")" and depth == 0:
            return i + 1
    raise ValueError(f"unbalanced group: {pattern!r}")


def _lead_expanded(alternative: str) -> list[str]:
    """``(?:a|b)c`` → ``["ac", "bc"]`` (same matches, tried in the same order), until each
    starts with a plain character."""
    if alternative.startswith("(?:"):
        end = _group_end(alternative)
        if alternative[end:end + 1] not in ("?", "*", "+", "{"):
            rest = alternative[end:]
            return [x for a in top_level_alternatives(alternative[3:end - 1])
                    for x in _lead_expanded(a + rest)]
    if not re.match(r"[\w ](?![?*+{])", alternative):
        raise ValueError(f"a branch must start with a plain letter, digit or space: {alternative!r}")
    return [alternative]


def first_characters(pattern: str) -> list[str]:
    """The characters a match of ``pattern`` (an alternation as :func:`by_first_character`
    takes) can start with, in the order its branches first name them."""
    return list(dict.fromkeys(a[0] for alt in top_level_alternatives(pattern)
                              for a in _lead_expanded(alt)))


def by_first_character(alternatives: list[str]) -> str:
    """The alternation of ``alternatives`` with the branches that start with one character
    gathered under it, in their order: ``so|phong|so ban`` → ``s(?:o|o ban)|p(?:hong)``.

    Branches that start with different characters never match at the same place, so the
    matches are the same; at each place the regex engine tries a handful of groups instead of
    every branch (2.5x faster for the ~120 agency heads). A leading non-capturing group is
    expanded first; capturing groups are not allowed (their numbers would change)."""
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        if re.compile(alt).groups:
            raise ValueError(f"a branch with a capturing group: {alt!r}")
        for a in _lead_expanded(alt):
            groups.setdefault(a[0], []).append(a[1:])
    return "|".join(f"{re.escape(c)}(?:{'|'.join(rest)})" for c, rest in groups.items())


# --- tones -------------------------------------------------------------------------------

# Old-style tone placement (hoá, uỷ) → the form most documents use today (hóa, ủy), so the
# same word compares equal. Only the pairs where the two spellings are the same word.
_TONE_FIX = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
    "Oà": "Òa", "Oá": "Óa", "Oả": "Ỏa", "Oã": "Õa", "Oạ": "Ọa",
    "Uỳ": "Ùy", "Uý": "Úy", "Uỷ": "Ủy", "Uỹ": "Ũy", "Uỵ": "Ụy",
}
# not after q: in "quý", "quỹ" the u belongs to the consonant and the mark sits on y (checked
# after the pair, so the regex engine can skip ahead to o, O, u, U: 10x faster)
_TONE_RE = re.compile("(" + by_first_character(list(_TONE_FIX)) + r")(?<![qQ]..)(?![a-zà-ỹ])")


def modern_tones(text: str) -> str:
    """``hoá`` → ``hóa``, ``Uỷ`` → ``Ủy`` at word end; same length, so spans survive."""
    return _TONE_RE.sub(lambda m: _TONE_FIX[m.group(1)], text)


def is_upper_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


UPPER = "".join(c for c in map(chr, range(0x41, 0x1F00)) if c.isalpha() and c.isupper())
LOWER = "".join(c for c in map(chr, range(0x61, 0x1F00)) if c.isalpha() and c.islower())

# --- sentences -----------------------------------------------------------------------------

# A sentence ends at . ! ? (or ./.) followed by space and an upper-case letter or a marker,
# not after an abbreviation or inside a number (2.087, 3.1.), nor inside brackets.
_SENT_END = re.compile(r"(?<=[.!?])(?:/\.)?\s+(?=[\"“(]?[" + UPPER + r"0-9-])")
_NO_SPLIT_BEFORE = re.compile(r"(?:\b[A-ZĐ]|\bTP|\bTT|\bThS|\bTS|\bPGS|\bGS|\bđ/c|\bĐ/c|\bb/c|\bv\.v)\.$")


_ONLY_MARKER = re.compile(r"\s*(?:\(?\d{1,3}(?:\.\d{1,3})*\)?|[IVXLC]{1,6}|[a-zđ])\.?\s*$")


def sentences(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """Yield (start, end) spans of sentences inside ``text[start:end]``."""
    end = len(text) if end is None else end
    seg = text[start:end]
    pos = 0
    depth = 0
    last = 0
    for m in _SENT_END.finditer(seg):
        chunk = seg[last:m.start()]
        depth += chunk.count("(") - chunk.count(")")
        last = m.start()
        if (depth > 0 or _NO_SPLIT_BEFORE.search(seg[max(0, m.start() - 6):m.start()])
                or _ONLY_MARKER.match(seg, pos, m.start())):
            continue
        s, e = _trim(seg, pos, m.start())
        if e > s:
            yield start + s, start + e
        pos = m.end()
    s, e = _trim(seg, pos, len(seg))
    if e > s:
        yield start + s, start + e


def _trim(seg: str, s: int, e: int) -> tuple[int, int]:
    while s < e and seg[s].isspace():
        s += 1
    while e > s and seg[e - 1].isspace():
        e -= 1
    return s, e


def clauses(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split a sentence at semicolons (outside brackets)."""
    depth = 0
    pos = start
    for i in range(start, end):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif c == ";" and depth == 0:
            s, e = _trim(text, pos, i)
            if e > s:
                yield s, e
            pos = i + 1
    s, e = _trim(text, pos, end)
    if e > s:
        yield s, e


# --- patterns searched fast ----------------------------------------------------------------

class GuardedPattern:
    """``(?<![guard])(?:body)`` searched as ``body``, the character before each hit checked
    against ``guard`` (a character class). A leading lookbehind stops the regex engine from
    scanning for the body's first characters (2-4x slower over a document); when the check
    fails the search goes on one character later, so the matches are those of
    ``re.finditer`` with the full pattern, groups numbered as in ``body``."""

    def __init__(self, guard: str, body: str, flags: int = 0) -> None:
        self.pattern = re.compile(f"(?<![{guard}])(?:{body})", flags)
        self.body = body
        self._fast = re.compile(body, flags)
        self._guard = re.compile(f"[{guard}]", flags)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        """The first match at or after ``pos`` (before ``endpos``), as the full pattern's
        ``search``: like its lookbehind, the guard sees the character before ``pos``."""
        end = len(text) if endpos is None else endpos
        while (m := self._fast.search(text, pos, end)) is not None:
            i = m.start()
            if i == 0 or not self._guard.match(text, i - 1):
                return m
            pos = i + 1  # guarded here: a match may still start further on
        return None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        while (m := self.search(text, pos, endpos)) is not None:
            yield m
            pos = m.end() if m.end() > m.start() else m.start() + 1


class WordStartPattern(GuardedPattern):
    """A pattern each branch of which starts with ``\\b`` and a word character: that
    ``\\b`` is a word character not preceded by another, so the branches are searched
    without it, guarded by ``\\w``."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        if not self.applies(pattern):
            raise ValueError(f"every branch must start with \\b and a letter or digit: {pattern!r}")
        super().__init__(r"\w", "|".join(b[2:] for b in top_level_alternatives(pattern)), flags)
        self.pattern = re.compile(pattern, flags)

    @staticmethod
    def applies(pattern: str) -> bool:
        """Whether every branch of ``pattern`` starts with ``\\b`` and a letter or digit."""
        return all(re.match(r"\\b[0-9a-z]", b) for b in top_level_alternatives(pattern))
