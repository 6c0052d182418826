"""Lists of agency mentions: "Sở A, Sở B và UBND các huyện", one head shared by several names
("Giám đốc các Sở: Nội vụ, Tư pháp"), an owner shared by the list ("Các ban Đảng, Văn phòng
Tỉnh ủy"); and the scan of a whole text for every agency it names."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache

from ..lexicon import DOMAINS, HEADS, head_order
from ..text import by_first_character, top_level_alternatives
from .agencies import Context, Mention, parse_agency

_SEP = re.compile(r"\s*(?:,\s*(?:và\s+|cùng\s+)?|\s+và\s+|\s+cùng\s+|\s*&\s*|\s*;\s*(?=[A-ZĐÀ-Ỹa-zđ]))")


def parse_list(text: str, folded: str, pos: int, ctx: Context) -> list[Mention]:
    """A list of agencies separated by ',', 'và', 'cùng' starting at ``pos``."""
    out: list[Mention] = []
    first = _items_at(text, folded, pos, ctx)
    if not first:
        return out
    out.extend(first)
    pos = first[-1].end
    while True:
        sm = _SEP.match(text, pos)
        if not sm:
            break
        nxt = _items_at(text, folded, sm.end(), ctx)
        if not nxt:
            break
        out.extend(nxt)
        pos = nxt[-1].end
    out = _share_suffixes(out)
    while out and "need_owner" in out[-1].flags and out[-1].bare:
        out.pop()
    return [m for m in out if not ("need_owner" in m.flags and m.bare)] if out else out


def _items_at(text: str, folded: str, pos: int, ctx: Context) -> list[Mention]:
    """The agencies one list item names: one, or several in "Giám đốc Sở: A, B"."""
    shared = _distributive(text, folded, pos, ctx)
    if shared:
        return shared
    m = parse_agency(text, folded, pos, ctx, allow_bare=True)
    return [m] if m else []


# "Giám đốc Sở: Nội vụ, Tư pháp", "Giám đốc các Sở: …": one head shared by several names
_DISTRIBUTIVE = re.compile(r"(?:(giam doc|truong phong|thu truong) )?(?:cac )?(so|phong|bo)\s*:\s*")
_SHARED_HEADS = {"so": ("Sở", "department"), "phong": ("Phòng", "district_office"),
                 "bo": ("Bộ", "ministry")}
_LEADERS = {"giam doc": "Giám đốc", "truong phong": "Trưởng phòng", "thu truong": "Thủ trưởng"}
_DOMAIN_SEP = re.compile(r"\s*(?:,|và)\s*")


def _distributive(text: str, folded: str, pos: int, ctx: Context) -> list[Mention]:
    m = _DISTRIBUTIVE.match(folded, pos)
    if m is None or not text[m.start(2)].isupper():
        return []
    head, kind = _SHARED_HEADS[m.group(2)]
    leader = _LEADERS.get(m.group(1) or "")
    jur = "vn" if m.group(2) == "bo" else (ctx.province or ctx.jurisdiction
                                           if m.group(2) == "so" else ctx.jurisdiction)
    out: list[Mention] = []
    p = m.end()
    while True:
        dm = next((d for d in (rx.match(folded, p) for rx, _n in DOMAINS) if d), None)
        if dm is None:
            break
        dname = next(n for rx, n in DOMAINS if rx.match(folded, p))
        name = f"{leader} {head} {dname}" if leader else f"{head} {dname}"
        start = pos if not out else p
        out.append(Mention(start, dm.end(), " ".join(text[start:dm.end()].split()), name,
                           "leader" if leader else kind, jur, False, head, bare=False))
        sep = _DOMAIN_SEP.match(text, dm.end())
        if sep is None or not any(rx.match(folded, sep.end()) for rx, _n in DOMAINS):
            break
        p = sep.end()
    return out


def _share_suffixes(items: list[Mention]) -> list[Mention]:
    """``Các ban Đảng, Ủy ban Kiểm tra, Văn phòng Tỉnh ủy``: the last owner serves all."""
    for i in range(len(items) - 2, -1, -1):
        cur, nxt = items[i], items[i + 1]
        if not cur.bare or nxt.bare or not nxt.suffix:
            continue
        takes = ("party" in cur.flags and nxt.suffix in (
            "Tỉnh ủy", "Huyện ủy", "Thành ủy", "Thị ủy", "Quận ủy")) or (
            "need_owner" in cur.flags) or (cur.kind == nxt.kind == "party_committee")
        if not takes and "level" in cur.flags and nxt.suffix == "các cấp":
            takes = True
        if takes and nxt.suffix == "các cấp" and "các cấp" in cur.name:
            takes = False
        if takes:
            items[i] = replace(cur, name=f"{cur.name} {nxt.suffix}", jurisdiction=nxt.suffix_jur
                               or cur.jurisdiction, suffix=nxt.suffix, suffix_jur=nxt.suffix_jur,
                               bare=False, is_group=cur.is_group or nxt.is_group)
    return items


def scan(text: str, folded: str, start: int, end: int, ctx: Context) -> list[Mention]:
    """Every specific agency mentioned in ``text[start:end]`` (no bare groups).

    One pass of the head pattern over the text (searching again after every failed parse
    made this the slowest step of extraction)."""
    out: list[Mention] = []
    pos = start
    for m in _word_start_heads().finditer(folded, start, end):
        s = m.start()
        if s < pos:
            continue
        if folded[max(0, s - 4):s] == "cac ":
            s -= 4
        mentions = [x for x in parse_list(text, folded, s, ctx) if x.end <= end]
        if mentions:
            out.extend(x for x in mentions if not (x.is_group and x.bare))
            pos = mentions[-1].end
    return out


@cache
def _word_start_heads() -> re.Pattern[str]:
    """Where a head may start: the alternatives of :func:`heads_at` in the same order, but
    flat, without groups and gathered by first letter (:func:`by_first_character`): at each
    place the regex engine then tries a few letters, not every branch (2.5x faster scan)."""
    alts = [alt for i in head_order() for alt in top_level_alternatives(HEADS[i].pattern)]
    return re.compile(r"(?<![a-z0-9])(?:" + by_first_character(alts) + r")(?![a-z0-9])")
