"""Bodies named outside the agency grammar: by the role they play ("Các cơ quan đăng ký đầu
tư", "Cơ quan chủ trì"), or in a table column or label whose header says they are the ones
responsible. Both are kept with kind ``other`` rather than dropped."""

from __future__ import annotations

import re

from ..lexicon import ROLE_BODIES
from .agencies import Context, Mention
from .agency_lists import parse_list

# "Các cơ quan đăng ký đầu tư (Sở A, Ban B)", "Cơ quan chủ trì giải quyết thủ tục": bodies named
# by the role they play, as headings over their duties; the words run to the heading's end
_ROLE_NAMED = re.compile(rf"(?:cac |nhung )?{ROLE_BODIES}(?:,? [a-z0-9&]+){{0,14}}")
_ROLE_NAMED_CHARS = 200  # a heading, with a parenthesised list of members
# words of a sentence, not of a name: "Các cơ quan có trách nhiệm …", "… phối hợp với Sở A …"
_DUTY_VERB = re.compile(r"\b(?:co|chiu) trach nhiem\b|\bla\b|\bphoi hop (?:voi|cung)\b|\bchu tri,")


def role_named(text: str, folded: str, start: int, end: int, ctx: Context) -> Mention | None:
    """A heading that names a body by its role rather than its name: kept as kind ``other``."""
    m = _ROLE_NAMED.match(folded, start, end)
    if m is None or end - start > _ROLE_NAMED_CHARS or text[start:end].isupper():
        return None
    rest = folded[m.end():end].strip(" ,")
    if rest and not (rest.startswith("(") and rest.endswith(")")):
        return None
    if _DUTY_VERB.search(folded, start, m.end()):
        return None  # "Các cơ quan có trách nhiệm báo cáo": a sentence, not a name
    written = " ".join(text[start:end].split())
    name = written[:1].upper() + written[1:]
    return Mention(start, end, written, name, "other", ctx.jurisdiction,
                   folded.startswith(("cac ", "nhung "), start), "", bare=False)


_NAME_CELL_CHARS = 120  # a cell longer than this is a description, not a body's name
_CELL_SEP = re.compile(r"[,;/]\s*|\s+và\s+|\n")


def cell_agencies(text: str, folded: str, span: tuple[int, int], ctx: Context) -> list[Mention]:
    """The agencies a table cell or a label's value names; one that names its body in words
    the agency grammar does not know ("Tổ một cửa liên thông cấp xã") is that body, kept as
    kind ``other``: the column or the label says it is the one responsible."""
    found = _cell_mentions(text, folded, span, ctx)
    if found or not text[span[0]:span[1]].strip() or span[1] - span[0] > _NAME_CELL_CHARS:
        return found
    s, e = span
    name = " ".join(text[s:e].split()).rstrip(".;")
    return [Mention(s, e, name, name[:1].upper() + name[1:], "other", ctx.jurisdiction, False, "",
                    bare=False)]


def _cell_mentions(text: str, folded: str, span: tuple[int, int], ctx: Context) -> list[Mention]:
    s, e = span
    out: list[Mention] = []
    pos = s
    while pos < e:
        ms = [m for m in parse_list(text, folded, pos, ctx) if m.end <= e]
        if ms:
            out.extend(ms)
            pos = ms[-1].end
        nxt = _CELL_SEP.search(text, pos, e)
        if not nxt:
            break
        pos = nxt.end()
    return out
