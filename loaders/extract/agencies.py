"""Agency mentions: ``HEAD [NAME] [OWNER | LEVEL [PLACE] | các cấp | …]`` and lists of them.

Parsing runs over the folded text (diacritics-insensitive, same offsets as the original) and
checks capitalisation in the original where it separates a name from a common word
(``Sở Nội vụ`` vs ``cơ sở``). Heads, domain names and their kinds come from the data tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

from .. import admin
from ..lexicon import ABBREVIATIONS, DOMAINS, HEADS, NAME_STOPS, NOT_AGENCIES, Head, head_order, heads_at
from ..model import Agency, Provenance
from ..text import by_first_character, fold, slug, top_level_alternatives

_ABBREV_FORMS = {fold(k) for k in ABBREVIATIONS} | {"tt", "vcci", "ubmttq", "bch", "btv", "ubkt"}
_COMMITTEES = {"tinh uy": ("Tỉnh ủy", "province"), "huyen uy": ("Huyện ủy", "district"),
               "thanh uy": ("Thành ủy", "district"), "thi uy": ("Thị ủy", "district"),
               "quan uy": ("Quận ủy", "district"), "tu": ("Tỉnh ủy", "province"),
               "hu": ("Huyện ủy", "district")}
# unit words as folded → (as written, level)
_UNIT_WORDS = {"tinh": ("tỉnh", "province"), "huyen": ("huyện", "district"),
               "dac khu": ("đặc khu", "commune"),
               "thanh pho": ("thành phố", "district"), "thi xa": ("thị xã", "district"),
               "quan": ("quận", "district"), "xa": ("xã", "commune"),
               "phuong": ("phường", "commune"), "thi tran": ("thị trấn", "commune"),
               "tp": ("thành phố", "district")}
_UNIT_WORD = r"(?:thi tran|thi xa|thanh pho|xa|phuong|dac khu|huyen|quan|tinh)"
# "UBND xã, phường, đặc khu": more unit words after the first, for a group of units
_MORE_UNITS = re.compile(rf"(?:(?:,| va) {_UNIT_WORD}(?![a-z]))+")
# "các cơ quan, đơn vị (có) liên quan": the concerned ones, as written
_CONCERNED = re.compile(r" (?:(?:co )?lien quan|duoc (?:phan cong|giao)(?: nhiem vu)?)(?![a-z])")
_PLURAL_UNITS = re.compile(rf" (?:cac|nhung) ({_UNIT_WORD}(?:(?:, | va ){_UNIT_WORD})*)(?![a-z])")
_LEVEL_RX = re.compile(r" (thanh pho|thi tran|thi xa|tinh|huyen|quan|xa|phuong|dac khu|tp)(?![a-z])")
_RANGE = re.compile(
    r" (?:cac cap|cap (?:tinh|huyen|xa|co so)|tu (?:tinh|huyen) den (?:co so|xa|huyen))(?![a-z])")
_TERM = re.compile(r" khoa ([ivxlc]+)(?![a-z])")
_OWNER_LINK = re.compile(r" (?:cua |thuoc |truc thuoc |trong )?")
_IN_UNIT = re.compile(r" (?:trong|cua|tren dia ban|thuoc) (tinh|huyen|thanh pho|thi xa)(?![a-z])")
_CONTINUE = re.compile(
    r"(?:, | va )(nganh|doan the|don vi|dia phuong|thi tran|phuong|xa|so|ban|thi|thanh uy|"
    r"thi uy|huyen uy|dang uy|dang bo|bao chi|giup viec|thanh|huyen|thi xa|thanh pho)(?![a-z])")
_PLURAL_PREFIX = re.compile(r"(?:cac|nhung|toan the)\s+")


@dataclass(frozen=True, slots=True)
class Context:
    """Where a document sits: resolves ``tỉnh``/``huyện`` and bare names to jurisdictions."""

    jurisdiction: str | None = None  # the document's own unit id
    province: str | None = None
    level: str = "province"  # level of the document's unit


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    text: str
    name: str
    kind: str
    jurisdiction: str | None
    is_group: bool
    head: str
    suffix: str = ""  # owner/level words as canonically written, shared in lists
    suffix_jur: str | None = None
    bare: bool = True  # no owner/level of its own
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def id(self) -> str:
        return agency_id(self.name, self.jurisdiction)

    def agency(self, doc_id: str = "", text: str = "", section: str = "") -> Agency:
        """The agency this mention names; with the document text, where it is mentioned."""
        aliases = (self.text,) if self.text != self.name else ()
        prov = (Provenance(doc_id, section, self.start, self.end, text[self.start:self.end])
                if text else None)
        return Agency(self.id, self.name, self.kind, self.jurisdiction, aliases, self.is_group,
                      prov)


@lru_cache(maxsize=8192)  # a document names its agencies again and again
def agency_id(name: str, jurisdiction: str | None) -> str:
    return f"ag:{jurisdiction or 'unknown'}:{slug(name, 80)}"


def _head_at(text: str, folded: str, pos: int) -> tuple[Head, int] | None:
    rx = heads_at().get(folded[pos:pos + 1])
    m = rx.match(folded, pos) if rx is not None else None
    if not m:
        return None
    idx = int(m.lastgroup[1:])  # type: ignore[index]  # the head's group closes last
    head = HEADS[idx]
    orig = text[m.start():m.end()]
    key = folded[m.start():m.end()]
    if key.replace(" ", "") in _ABBREV_FORMS and " " not in key and not orig.isupper():
        return None
    if "cap" in head.flags and not orig[:1].isupper():
        return None
    if "name" in head.flags and not _same_word(orig, head.canonical):
        return None  # "SỐ" is not "Sở", "bổ" is not "Bộ"
    return head, m.end()


def _same_word(orig: str, accented: str) -> bool:
    """The word as written is the accented one, or written with no diacritics at all."""
    o = orig.lower()
    return o == accented.lower() or o == fold(orig)


def _level_word_ok(text: str, start: int, end: int, folded_word: str) -> bool:
    """'quán triệt' folds like 'quận', 'địa phương' like 'phường': check the original."""
    if folded_word == "tp":  # the abbreviation is checked as written
        return _same_word(text[start:end], "tp")
    return _same_word(text[start:end], _UNIT_WORDS.get(folded_word, (folded_word, ""))[0])


def _capital_words(text: str, pos: int, max_words: int = 5) -> int:
    """End of a run of capitalised words (joined by 'và', '-', ',') starting at pos."""
    end = pos
    i = pos
    n = 0
    while n < max_words:
        m = re.match(r"\s*([^\s,;.()]+)", text[i:])
        if not m or not m.group(1)[:1].isupper():
            break
        i += m.end()
        end = i
        n += 1
        j = re.match(r"\s*(?:và|-|–|,)\s*(?=[A-ZĐÀ-Ỹ])", text[i:])
        if j:
            i += j.end()
    return end


# A proper name is capitalised syllables, each opening a word that may run on in lower case
# ("Khu Kinh tế", "Chuyển đổi số"); a level word ("Thành phố", "tỉnh") or a verb ends it.
_NAME_SYLLABLE = re.compile(r"\s+([^\s,;.:()/]+)")
_NAME_JOIN = re.compile(r"\s+(?:và|-|–)(?=\s+[A-ZĐÀ-Ỹ])")
_NAME_SYLLABLES = 10
_WORD_TAIL = 3  # lower-case syllables that may finish one word ("Nghiên cứu phát triển")


def _proper_name(text: str, folded: str, pos: int) -> int:
    """End of the proper name after the space at ``pos`` (``pos`` when there is none)."""
    end = i = pos
    tail = 0
    for _ in range(_NAME_SYLLABLES):
        lm = _LEVEL_RX.match(folded, i)
        if lm and _level_word_ok(text, lm.start(1), lm.end(1), lm.group(1)):
            break
        m = _NAME_SYLLABLE.match(text, i)
        if m is None:
            break
        word = m.group(1)
        if word[:1].isupper():
            tail = 0
        elif end > pos and tail < _WORD_TAIL and folded[m.start(1):m.end(1)] not in NAME_STOPS:
            tail += 1
        else:
            break
        i = end = m.end()
        j = _NAME_JOIN.match(text, i)
        if j and not tail:
            i = j.end()
    return end


def parse_agency(text: str, folded: str, pos: int, ctx: Context, depth: int = 0,
                 allow_bare: bool = False) -> Mention | None:
    """Parse one agency mention starting exactly at ``pos``."""
    start = pos
    plural = False
    pm = _PLURAL_PREFIX.match(folded, pos)
    if pm:
        plural = True
        pos = pm.end()
    if NOT_AGENCIES.match(folded, pos):
        return None
    hm = _head_at(text, folded, pos)
    if hm is None:
        return None
    head, pos = hm
    flags = set(head.flags)
    name = head.canonical
    if plural and not name.lower().startswith("các") and "group" not in flags:
        name = "các " + name
    if "name" in flags:
        dm = None
        if pos < len(folded) and folded[pos] == " " and text[pos + 1:pos + 2].isupper():
            for rx, dname in DOMAINS:
                dm = rx.match(folded, pos + 1)
                if dm:
                    name = f"{name} {dname}"
                    pos = dm.end()
                    break
            if dm is None:
                end = _proper_name(text, folded, pos)
                if end <= pos + 1:
                    return None
                name = f"{name} {' '.join(text[pos + 1:end].split())}"
                pos = end
        else:
            return None
    is_group = plural or "group" in flags
    jur: str | None = None
    suffix_parts: list[str] = []
    suffix_jur: str | None = None
    bare = True
    # modifiers, in any order, each at most once
    seen: set[str] = set()
    for _ in range(6):
        progressed = False
        if "vn" not in seen and folded.startswith(" viet nam", pos) and "Mặt trận" in name:
            pos += len(" viet nam")
            seen.add("vn")
            progressed = True
        if "group_cont" not in seen and (is_group or plural):
            cm = _CONTINUE.match(folded, pos)
            while cm and text[cm.start(1):cm.start(1) + 1].islower():
                pos = cm.end()
                name = name + ", " + text[cm.start(1):cm.end(1)]
                seen.add("group_cont")
                progressed = True
                cm = _CONTINUE.match(folded, pos)
        if "owner" not in seen and ("owner" in flags or "party" in flags):
            link = _OWNER_LINK.match(folded, pos)
            lpos = link.end() if link else pos
            cm = re.match(r"(tinh uy|huyen uy|thanh uy|thi uy|quan uy|tu|hu)(?![a-z])", folded[lpos:])
            if cm and (len(cm.group(1)) > 2 or text[lpos:lpos + 2].isupper()):
                word, level = _COMMITTEES[cm.group(1)]
                linkw = folded[pos + 1:lpos].strip()
                if linkw in ("thuoc", "truc thuoc"):
                    word = f"{text[pos + 1:lpos].strip()} {word}"
                pos = lpos + cm.end()
                place_end = _capital_words(text, pos + 1, 3) if folded[pos:pos + 1] == " " else pos
                place = text[pos + 1:place_end] if place_end > pos + 1 else ""
                suffix_jur = _resolve(level, place, ctx)
                if place and suffix_jur:
                    pos = place_end
                suffix_parts.append(word)
                seen.add("owner")
                bare = False
                progressed = True
            elif depth < 2 and link is not None and folded[lpos:lpos + 1].isalpha():
                owner = parse_agency(text, folded, lpos, ctx, depth + 1)
                if owner is not None and owner.kind not in ("leader", "member"):
                    linkw = text[pos + 1:lpos].strip()
                    suffix_parts.append(f"{linkw} {owner.name}" if linkw else owner.name)
                    suffix_jur = owner.jurisdiction
                    is_group = is_group or owner.is_group
                    pos = owner.end
                    seen.add("owner")
                    bare = False
                    progressed = True
        if "level" not in seen and ("level" in flags or "owner" in flags or "name" in flags
                                    or "party" in flags):
            pm2 = _PLURAL_UNITS.match(folded, pos)
            if pm2:
                first = re.split(r", | va ", pm2.group(1))[0]
                if not _level_word_ok(text, pm2.start(1), pm2.start(1) + len(first), first):
                    pm2 = None
            rm = _RANGE.match(folded, pos)
            lm = _LEVEL_RX.match(folded, pos)
            if lm and not _level_word_ok(text, lm.start(1), lm.end(1), lm.group(1)):
                lm = None
            if pm2:
                suffix_parts.append("các " + text[pm2.start(1):pm2.end(1)])
                suffix_jur = ctx.jurisdiction
                is_group = True
                pos = pm2.end()
            elif rm:
                suffix_parts.append(text[rm.start() + 1:rm.end()])
                suffix_jur = ctx.jurisdiction
                is_group = is_group or "cac cap" in rm.group(0)
                pos = rm.end()
            elif lm:
                word = lm.group(1)
                place_end = lm.end()
                if folded[lm.end():lm.end() + 1] == " ":
                    place_end = _capital_words(text, lm.end() + 1, 3)
                place = text[lm.end() + 1:place_end] if place_end > lm.end() + 1 else ""
                level = _UNIT_WORDS.get(word, ("", "district"))[1]
                suffix_jur = _resolve(level, place, ctx, word)
                if level == "commune" and not place:
                    is_group = True
                pos = place_end if place and suffix_jur else lm.end()
                unit = _UNIT_WORDS.get(word, (text[lm.start(1):lm.end(1)], ""))[0]
                if not place and (mu := _MORE_UNITS.match(folded, pos)):
                    unit += text[pos:mu.end()]
                    pos, is_group = mu.end(), True
                suffix_parts.append(unit)
            if pm2 or rm or lm:
                seen.add("level")
                bare = False
                progressed = True
        if "in_unit" not in seen and "level" not in seen:
            um = _IN_UNIT.match(folded, pos)
            if um and _level_word_ok(text, um.start(1), um.end(1), um.group(1)):
                level = _UNIT_WORDS.get(um.group(1), ("", "district"))[1]
                suffix_jur = _resolve(level, "", ctx, um.group(1))
                suffix_parts.append(text[um.start() + 1:um.end()].lower()
                                    if not is_group else "")
                pos = um.end()
                seen.add("in_unit")
                bare = False
                progressed = True
        if "concerned" not in seen and (is_group or plural) and (cm := _CONCERNED.match(folded, pos)):
            name = f"{name} {text[cm.start() + 1:cm.end()]}"
            pos = cm.end()
            seen.add("concerned")
            progressed = True
        if "term" not in seen:
            tm = _TERM.match(folded, pos)
            if tm:
                pos = tm.end()
                seen.add("term")
                progressed = True
        if not progressed:
            break
    if "need_owner" in flags and bare and not allow_bare:
        return None
    suffix_parts = [p for p in suffix_parts if p and not (p == "các cấp" and "các cấp" in name)]
    if suffix_parts:
        name = f"{name} {' '.join(suffix_parts)}"
    jur = suffix_jur if suffix_jur is not None else _default_jur(head, ctx)
    name = name[:1].upper() + name[1:] if not name.startswith("các ") else name
    written = " ".join(text[start:pos].split())
    return Mention(start, pos, written, name, head.kind, jur, is_group, head.canonical,
                   " ".join(suffix_parts), suffix_jur, bare, frozenset(flags))


def _default_jur(head: Head, ctx: Context) -> str | None:
    if head.level == "national":
        return "vn"
    if head.level == "province":
        return ctx.province or ctx.jurisdiction
    return ctx.jurisdiction


def _resolve(level: str, place: str, ctx: Context, word: str | None = None) -> str | None:
    if place:
        u = admin.lookup(place, _UNIT_WORDS.get(word or "", (None, ""))[0], ctx.province)
        if u is not None:
            return u.id
    if level == "province":
        return ctx.province or ctx.jurisdiction
    # district or commune level without a name: the document's own unit (a provincial
    # document speaking of "UBND huyện" means its districts, kept under the province)
    return ctx.jurisdiction


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
