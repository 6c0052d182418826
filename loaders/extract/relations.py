"""What a reference does, read from the words before it (as legal portals type the links).

``Căn cứ Nghị định số …`` → based_on; ``Thực hiện / Triển khai Kế hoạch số …`` → implements;
``hướng dẫn thi hành Nghị định số …`` → guides; ``sửa đổi, bổ sung một số điều của Quyết
định số …`` → amends; ``thay thế Quyết định số …`` → replaces; ``bãi bỏ …``, ``… hết hiệu
lực`` → repeals; anything else cites. The verbs count only when this document is their
subject: ``được sửa đổi, bổ sung bởi Luật số …`` names what amended the cited law.
"""

from __future__ import annotations

import re

from cchc_graph.keys import fold

from ..model import CITATION_RELATIONS

# strongest last: a document both resting on and amending another amends it
RANK = {r: i for i, r in enumerate(CITATION_RELATIONS)}
# how far before a mention its verb may stand: the verb and a type word with "số"
# ("bãi bỏ Điều 3 của Quyết định số") fit in it, the previous clause does not
VERB_WINDOW = 60
VERB_CUT = len("sua doi, ")
# over folded text; the verb, then at most a few words ("một số điều của", "cho") and the
# mention's type word and "số"
_VERB = re.compile(
    r"\b(?P<verb>sua doi,? bo sung|sua doi|bo sung|thay the|bai bo|huy bo|het hieu luc|"
    r"huong dan(?: thi hanh| thuc hien)?)\b(?=[^;.\n]*$)")
# "được sửa đổi, bổ sung bởi …": the cited document is the agent, not this one
_PASSIVE = re.compile(r"\b(?:duoc|da duoc|bi)\s+(?:\w+\s+){0,3}$")
# "Căn cứ" earlier in the line, with no sentence end between: a basis (lists of bases
# share one "Căn cứ"; a conversion may join the header line before it)
_BASIS = re.compile(r"\bcan cu\b(?!.*\.\s)")
_BASIS_LINE = re.compile(r"[\s*]*can cu\b")
# a line opening with a cue or a heading starts a sentence of its own
_OWN_CUE = re.compile(r"[\s*]*(?:theo|xet|thuc hien|trien khai|dieu\s+\d|[ivx]+\.|\d+\.|[a-z]\))")
# a basis wraps over at most a few lines
BASIS_LINES = 4
# this document is the verb's subject when the verb opens a line or clause or follows "này",
# "và", "đồng thời" ("Quyết định này … và thay thế Quyết định số …"); after an issuer or a
# type word ("của Chính phủ sửa đổi", "Luật sửa đổi") it is part of a cited title
_OWN_VERB = re.compile(r"(?:^|[,:;.]|\bnay|\bva|\bdong thoi|\bdieu \d+\.?)\s*$")
_VERB_RELATION = {"sua doi bo sung": "amends", "sua doi": "amends", "bo sung": "amends",
                  "thay the": "replaces", "bai bo": "repeals", "huy bo": "repeals",
                  "het hieu luc": "repeals", "huong dan": "guides",
                  "huong dan thi hanh": "guides", "huong dan thuc hien": "guides"}
# "… Quyết định số 12/QĐ-UBND ngày … hết hiệu lực": the verb right after the mention (its date
# and issuer are part of it), not a verb inside its title ("…, được sửa đổi, bị bãi bỏ lĩnh vực")
_AFTER_REPEAL = re.compile(r"\s*,?\s*(?:da\s+|se\s+)?(?:het hieu luc|bi bai bo|bi huy bo)\b")
# "Các Quyết định sau hết hiệu lực …:" / "Bãi bỏ các văn bản sau:" heading a list of items
# ("… có hiệu lực từ ngày … và thay thế:" heads its list too)
_LIST_INTRO = re.compile(
    r"(?:\bsau(?: day)?\s+(?P<a>het hieu luc|bi bai bo|bi huy bo|duoc thay the)|"
    r"\b(?P<b>bai bo|thay the|huy bo)\b)[^:\n]{0,120}:\s*$")
_ARTICLE = re.compile(r"[\s*#]*dieu\s+\d+\s*[.:]")
# "thay thế Điều 14, 18 Quyết định số …", "bãi bỏ khoản 2 Điều 5 của Quyết định số …":
# replacing or repealing some articles of a document amends it (they are named within
# PART_WINDOW characters before it, possibly on the line before)
PART_WINDOW = 50
_PART_OF = re.compile(r"\b(?:dieu|khoan|diem|chuong|muc)\s+[\da-z][\w,\s]{0,30}(?:cua\s+)?$")
# an item of a list runs over a few lines at most; further up is another part of the text
LIST_LINES = 6


def relation_at(text: str, folded: str, start: int, end: int, first_section: int) -> str:
    """The relation of the mention at ``start:end`` to the document that makes it."""
    line_start = text.rfind("\n", 0, start) + 1
    # read a little more than the window, so that a verb cut by it ("…đổi, bổ sung") is seen whole
    window = max(line_start, start - VERB_WINDOW - VERB_CUT)
    before = folded[window:start]
    verb = next(reversed(list(_VERB.finditer(before))), None)  # the last verb before it
    if verb and verb.start() >= len(before) - VERB_WINDOW and not _PASSIVE.search(before, 0, verb.start()):
        lead = before[:verb.start("verb")]
        if (lead.strip() == "" and window == line_start) or (lead.strip() and _OWN_VERB.search(lead)):
            relation = _VERB_RELATION[" ".join(verb.group("verb").replace(",", " ").split())]
            return _partly(relation, folded, start)
    if _AFTER_REPEAL.match(folded, end, min(len(folded), end + 100)):
        return "repeals"
    if (listed := _listed_under(folded, line_start)) is not None:
        return _partly(listed, folded, start)
    if in_bases_list(text, start, folded):
        return "based_on"
    head = fold(text[line_start:line_start + 20]).lstrip(" *-+")
    if start < first_section and head.startswith(("thuc hien", "trien khai")):
        return "implements"
    return "cites"


def _partly(relation: str, folded: str, start: int) -> str:
    """A replacement or repeal of some articles only is an amendment."""
    if relation in ("replaces", "repeals") and _PART_OF.search(folded, max(0, start - PART_WINDOW), start):
        return "amends"
    return relation


def _listed_under(folded: str, line_start: int) -> str | None:
    """The relation a list heading ("Các Quyết định sau hết hiệu lực:") gives the lines under
    it, up to a sentence end or the next article."""
    if _ARTICLE.match(folded, line_start):
        return None
    pos = line_start
    for _ in range(LIST_LINES):
        if pos <= 0:
            return None
        prev = folded.rfind("\n", 0, pos - 1) + 1
        line = folded[prev:pos - 1]
        if line.rstrip(" *").endswith(":") and (m := _LIST_INTRO.search(line)):
            verb = " ".join((m.group("a") or m.group("b")).split())
            return "replaces" if "thay the" in verb else "repeals"
        if line.rstrip(" *").endswith(".") or _ARTICLE.match(line):
            return None
        pos = prev
    return None


def in_bases_list(text: str, pos: int, folded: str | None = None) -> bool:
    """Whether ``pos`` lies in a "Căn cứ …" sentence, on its line or on lines that go on
    with it ("Căn cứ A; B;\nC;" wrapped or listed), up to a line with a cue of its own."""
    f = folded if folded is not None else fold(text)
    line_start = f.rfind("\n", 0, pos) + 1
    if _BASIS.search(f, line_start, pos):
        return True
    for _ in range(BASIS_LINES):
        if line_start == 0 or _OWN_CUE.match(f, line_start):
            return False
        prev = f.rfind("\n", 0, line_start - 1) + 1
        line = f[prev:line_start - 1].rstrip(" *")
        if line.endswith((".", ":")):
            return False
        if _BASIS_LINE.match(line):
            return True
        line_start = prev
    return False


def stronger(a: str, b: str) -> str:
    return a if RANK[a] >= RANK[b] else b
