"""What a reference does, read from the words before it (as legal portals type the links).

``Căn cứ Nghị định số …`` → based_on; ``Thực hiện / Triển khai Kế hoạch số …`` → implements;
``hướng dẫn thi hành Nghị định số …`` → guides; ``sửa đổi, bổ sung một số điều của Quyết
định số …`` → amends; ``thay thế Quyết định số …`` → replaces; ``bãi bỏ …``, ``… hết hiệu
lực`` → repeals; anything else cites. The verbs count only when this document is their
subject: ``được sửa đổi, bổ sung bởi Luật số …`` names what amended the cited law.
"""

from __future__ import annotations

import re

from ..text import fold

# strongest last: a document both resting on and amending another amends it
RELATIONS: tuple[str, ...] = ("cites", "based_on", "implements", "guides", "amends", "replaces", "repeals")
RANK = {r: i for i, r in enumerate(RELATIONS)}
# how far before a mention its verb may stand: the verb and a type word with "số"
# ("bãi bỏ Điều 3 của Quyết định số") fit in it, the previous clause does not
VERB_WINDOW = 60
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
# this document is the verb's subject when the verb opens a line or clause or follows "này",
# "và", "đồng thời" ("Quyết định này … và thay thế Quyết định số …"); after an issuer or a
# type word ("của Chính phủ sửa đổi", "Luật sửa đổi") it is part of a cited title
_OWN_VERB = re.compile(r"(?:^|[,:;.]|\bnay|\bva|\bdong thoi|\bdieu \d+\.?)\s*$")
_VERB_RELATION = {"sua doi bo sung": "amends", "sua doi": "amends", "bo sung": "amends",
                  "thay the": "replaces", "bai bo": "repeals", "huy bo": "repeals",
                  "het hieu luc": "repeals", "huong dan": "guides",
                  "huong dan thi hanh": "guides", "huong dan thuc hien": "guides"}
# "… Quyết định số 12/QĐ-UBND hết hiệu lực": the verb after the mention
_AFTER_REPEAL = re.compile(r"[^;.\n]{0,80}?\b(?:het hieu luc|bi bai bo|bi huy bo)\b")


def relation_at(text: str, folded: str, start: int, end: int, first_section: int) -> str:
    """The relation of the mention at ``start:end`` to the document that makes it."""
    line_start = text.rfind("\n", 0, start) + 1
    window = max(line_start, start - VERB_WINDOW)
    before = folded[window:start]
    verb = next(reversed(list(_VERB.finditer(before))), None)  # the last verb before it
    if verb and not _PASSIVE.search(before, 0, verb.start()):
        lead = before[:verb.start("verb")]
        if (lead.strip() == "" and window == line_start) or (lead.strip() and _OWN_VERB.search(lead)):
            return _VERB_RELATION[" ".join(verb.group("verb").replace(",", " ").split())]
    if _AFTER_REPEAL.match(folded, end, min(len(folded), end + 100)):
        return "repeals"
    if in_bases_list(text, start, folded):
        return "based_on"
    head = fold(text[line_start:line_start + 20]).lstrip(" *-+")
    if start < first_section and head.startswith(("thuc hien", "trien khai")):
        return "implements"
    return "cites"


def in_bases_list(text: str, pos: int, folded: str | None = None) -> bool:
    """Whether ``pos`` lies in a "Căn cứ …" sentence."""
    line_start = text.rfind("\n", 0, pos) + 1
    before = folded[line_start:pos] if folded is not None else fold(text[line_start:pos])
    return _BASIS.search(before) is not None


def stronger(a: str, b: str) -> str:
    return a if RANK[a] >= RANK[b] else b
