"""Agency mentions: ``HEAD [NAME] [OWNER | LEVEL [PLACE] | các cấp | …]`` and lists of them.

Parsing runs over the folded text (diacritics-insensitive, same offsets as the original) and
checks capitalisation in the original where it separates a name from a common word
(``Sở Nội vụ`` vs ``cơ sở``). Heads, domain names and their kinds come from the data tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from cchc_graph.keys import ABBREVIATIONS, fold, slug

from .. import admin
from ..lexicon import DOMAINS, HEADS, NAME_STOPS, NOT_AGENCIES, Head, heads_at
from ..model import Agency, Provenance

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
    new_map: bool = False  # issued from 1 July 2025: places named in it are on the new map


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
_NAME_SYLLABLE = re.compile(r"(?P<join>\s+(?:và|-|–))?\s+(?P<w>[^\s,;.:()/]+)")
_NAME_SYLLABLES = 10
_WORD_TAIL = 3  # lower-case syllables that may finish one word ("Nghiên cứu phát triển")


def _syllables(text: str, folded: str, pos: int, limit: int) -> Iterator[re.Match[str]]:
    """The syllables after ``pos`` (each with the "và" or "-" joining it, if any), up to
    ``limit`` of them, stopping at a level word."""
    i = pos
    for _ in range(limit):
        lm = _LEVEL_RX.match(folded, i)
        if lm and _level_word_ok(text, lm.start(1), lm.end(1), lm.group(1)):
            return
        m = _NAME_SYLLABLE.match(text, i)
        if m is None:
            return
        yield m
        i = m.end()


def _proper_name(text: str, folded: str, pos: int) -> int:
    """End of the proper name after the space at ``pos`` (``pos`` when there is none)."""
    end = pos
    tail = 0
    for m in _syllables(text, folded, pos, _NAME_SYLLABLES):
        capital = m.group("w")[:1].isupper()
        if m.group("join") and (not capital or end == pos):
            break  # "Lao động - Thương binh và Xã hội": a join between capitalised words only
        if capital:
            tail = 0
        elif end > pos and tail < _WORD_TAIL and folded[m.start("w"):m.end("w")] not in NAME_STOPS:
            tail += 1
        else:
            break
        end = m.end()
    return end


_DESCRIBED_SYLLABLES = 14


def _described_name(text: str, folded: str, pos: int) -> int:
    """End of a name that describes its body in lower case ("Ban Quản lý các khu công
    nghệ cao và khu công nghiệp"), after the space at ``pos``: up to a level word, a verb or
    punctuation."""
    end = pos
    for m in _syllables(text, folded, pos, _DESCRIBED_SYLLABLES):
        word = folded[m.start("w"):m.end("w")]
        if (word in NAME_STOPS and word != "cac") or (m.group("join") and end == pos):
            break
        if word != "cac":
            end = m.end()
    return end


def parse_agency(text: str, folded: str, pos: int, ctx: Context, depth: int = 0,
                 allow_bare: bool = False) -> Mention | None:
    """Parse one agency mention starting exactly at ``pos``: ``[các] HEAD [NAME]`` then its
    modifiers (owner, level and place, "các cấp", "liên quan", term …) in any order."""
    start = pos
    pm = _PLURAL_PREFIX.match(folded, pos)
    plural = pm is not None
    pos = pm.end() if pm else pos
    if NOT_AGENCIES.match(folded, pos):
        return None
    hm = _head_at(text, folded, pos)
    if hm is None:
        return None
    head, pos = hm
    name = head.canonical
    if plural and not name.lower().startswith("các") and "group" not in head.flags:
        name = "các " + name
    if "name" in head.flags:
        named = _head_name(text, folded, pos, head)
        if named is None:
            return None
        name, pos = f"{name} {named[0]}", named[1]
    r = _Reading(text, folded, ctx, depth, pos, name, head.flags, plural or "group" in head.flags,
                 plural)
    for _ in range(_MODIFIER_ROUNDS):
        progressed = False
        for key, modifier in _MODIFIERS:
            if key not in r.seen and modifier(r):
                r.seen.add(key)
                progressed = True
        if not progressed:
            break
    if "need_owner" in head.flags and r.bare and not allow_bare:
        return None
    suffix = [p for p in r.suffix if p and not (p == "các cấp" and "các cấp" in r.name)]
    if r.bare and not r.is_group and "level" in head.flags and "name" not in head.flags \
            and head.level == "doc" and (own := _own_unit_word(ctx)):
        # in a city's plan "Ủy ban MTTQ Việt Nam" is the city's: one agency with "… thành phố"
        suffix.append(own)
    name = f"{r.name} {' '.join(suffix)}" if suffix else r.name
    jur = r.suffix_jur if r.suffix_jur is not None else _default_jur(head, ctx)
    name = name[:1].upper() + name[1:] if not name.startswith("các ") else name
    written = " ".join(text[start:r.pos].split())
    return Mention(start, r.pos, written, name, head.kind, jur, r.is_group, head.canonical,
                   " ".join(suffix), r.suffix_jur, r.bare, frozenset(head.flags))


def _head_name(text: str, folded: str, pos: int, head: Head) -> tuple[str, int] | None:
    """The name after a head that takes one ("Sở" Nội vụ, "Trung tâm" Chuyển đổi số): a
    domain of the table, else a proper (or, for "described" heads, descriptive) name."""
    if not (folded[pos:pos + 1] == " " and (text[pos + 1:pos + 2].isupper() or "described" in head.flags)):
        return None
    for rx, dname in DOMAINS:
        if dm := rx.match(folded, pos + 1):
            return dname, dm.end()
    end = (_described_name if "described" in head.flags else _proper_name)(text, folded, pos)
    return (" ".join(text[pos + 1:end].split()), end) if end > pos + 1 else None


@dataclass(slots=True)
class _Reading:
    """An agency mention being read: where it has got to and what its modifiers added."""

    text: str
    folded: str
    ctx: Context
    depth: int
    pos: int
    name: str
    flags: frozenset[str]
    is_group: bool
    plural: bool
    suffix: list[str] = field(default_factory=list)
    suffix_jur: str | None = None
    bare: bool = True  # no owner or level of its own
    seen: set[str] = field(default_factory=set)


_MODIFIER_ROUNDS = 6  # modifiers come in any order, each at most once
_OWNER_COMMITTEE = re.compile(r"(tinh uy|huyen uy|thanh uy|thi uy|quan uy|tu|hu)(?![a-z])")


def _country(r: _Reading) -> bool:
    """"Mặt trận Tổ quốc Việt Nam": the country's name is part of the front's."""
    if r.folded.startswith(" viet nam", r.pos) and "Mặt trận" in r.name:
        r.pos += len(" viet nam")
        return True
    return False


def _more_groups(r: _Reading) -> bool:
    """"các sở, ban, ngành": more kinds of body after a group's head."""
    if not (r.is_group or r.plural):
        return False
    found = False
    while (cm := _CONTINUE.match(r.folded, r.pos)) and r.text[cm.start(1):cm.start(1) + 1].islower():
        r.pos = cm.end()
        r.name = r.name + ", " + r.text[cm.start(1):cm.end(1)]
        found = True
    return found


def _owner(r: _Reading) -> bool:
    """"Ban Tuyên giáo Tỉnh ủy", "Văn phòng Sở Tư pháp": the body it belongs to."""
    if not ("owner" in r.flags or "party" in r.flags):
        return False
    text, folded = r.text, r.folded
    link = _OWNER_LINK.match(folded, r.pos)
    lpos = link.end() if link else r.pos
    cm = _OWNER_COMMITTEE.match(folded, lpos)
    if cm and (len(cm.group(1)) > 2 or text[lpos:lpos + 2].isupper()):
        word, level = _COMMITTEES[cm.group(1)]
        if folded[r.pos + 1:lpos].strip() in ("thuoc", "truc thuoc"):
            word = f"{text[r.pos + 1:lpos].strip()} {word}"
        pos = cm.end()
        place_end = _capital_words(text, pos + 1, 3) if folded[pos:pos + 1] == " " else pos
        place = text[pos + 1:place_end] if place_end > pos + 1 else ""
        r.suffix_jur = _resolve(level, place, r.ctx)
        r.pos = place_end if place and r.suffix_jur else pos
        r.suffix.append(word)
        r.bare = False
        return True
    if r.depth < 2 and link is not None and folded[lpos:lpos + 1].isalpha():
        owner = parse_agency(text, folded, lpos, r.ctx, r.depth + 1)
        if owner is not None and owner.kind not in ("leader", "member"):
            linkw = text[r.pos + 1:lpos].strip()
            r.suffix.append(f"{linkw} {owner.name}" if linkw else owner.name)
            r.suffix_jur = owner.jurisdiction
            r.is_group = r.is_group or owner.is_group
            r.pos = owner.end
            r.bare = False
            return True
    return False


def _unit_level(r: _Reading) -> bool:
    """"UBND các xã, phường", "các cấp", "UBND huyện Đô Lương": the level, and the place."""
    if not ({"level", "owner", "name", "party"} & r.flags):
        return False
    text, folded, pos = r.text, r.folded, r.pos
    pm = _PLURAL_UNITS.match(folded, pos)
    if pm:
        first = re.split(r", | va ", pm.group(1))[0]
        if not _level_word_ok(text, pm.start(1), pm.start(1) + len(first), first):
            pm = None
    rm = _RANGE.match(folded, pos)
    lm = _LEVEL_RX.match(folded, pos)
    if lm and not _level_word_ok(text, lm.start(1), lm.end(1), lm.group(1)):
        lm = None
    if pm:
        r.suffix.append("các " + text[pm.start(1):pm.end(1)])
        r.suffix_jur, r.is_group, r.pos = r.ctx.jurisdiction, True, pm.end()
    elif rm:
        r.suffix.append(text[rm.start() + 1:rm.end()])
        r.suffix_jur, r.pos = r.ctx.jurisdiction, rm.end()
        r.is_group = r.is_group or "cac cap" in rm.group(0)
    elif lm:
        _one_level(r, lm)
    else:
        return False
    r.bare = False
    return True


def _one_level(r: _Reading, lm: re.Match[str]) -> None:
    text, folded = r.text, r.folded
    word = lm.group(1)
    place_end = _capital_words(text, lm.end() + 1, 3) if folded[lm.end():lm.end() + 1] == " " else lm.end()
    place = text[lm.end() + 1:place_end] if place_end > lm.end() + 1 else ""
    level = _UNIT_WORDS.get(word, ("", "district"))[1]
    r.suffix_jur = _resolve(level, place, r.ctx, word)
    if level == "commune" and not place:
        r.is_group = True
    r.pos = place_end if place and r.suffix_jur else lm.end()
    unit = _UNIT_WORDS.get(word, (text[lm.start(1):lm.end(1)], ""))[0]
    if not place and (mu := _MORE_UNITS.match(folded, r.pos)):
        unit += text[r.pos:mu.end()]
        r.pos, r.is_group = mu.end(), True
    r.suffix.append(unit)


def _in_unit(r: _Reading) -> bool:
    """"… trong tỉnh", "… của huyện": the unit it serves, when no level was read."""
    if "level" in r.seen:
        return False
    um = _IN_UNIT.match(r.folded, r.pos)
    if not (um and _level_word_ok(r.text, um.start(1), um.end(1), um.group(1))):
        return False
    level = _UNIT_WORDS.get(um.group(1), ("", "district"))[1]
    r.suffix_jur = _resolve(level, "", r.ctx, um.group(1))
    r.suffix.append(r.text[um.start() + 1:um.end()].lower() if not r.is_group else "")
    r.pos = um.end()
    r.bare = False
    return True


def _concerned(r: _Reading) -> bool:
    """"các cơ quan, đơn vị (có) liên quan", "… được giao nhiệm vụ": kept in the name."""
    if not (r.is_group or r.plural) or not (cm := _CONCERNED.match(r.folded, r.pos)):
        return False
    r.name = f"{r.name} {r.text[cm.start() + 1:cm.end()]}"
    r.pos = cm.end()
    return True


def _term(r: _Reading) -> bool:
    """"Ban Chấp hành Đảng bộ tỉnh khóa XIV": the term is read, not named."""
    tm = _TERM.match(r.folded, r.pos)
    if tm:
        r.pos = tm.end()
    return tm is not None


_MODIFIERS = (("vn", _country), ("group_cont", _more_groups), ("owner", _owner),
              ("level", _unit_level), ("in_unit", _in_unit), ("concerned", _concerned),
              ("term", _term))


_UNIT_NAME = re.compile(r"^(tỉnh|thành phố|huyện|thị xã|quận|xã|phường|thị trấn|đặc khu)\s")


@lru_cache(maxsize=256)
def _own_unit_word(ctx: Context) -> str | None:
    """The unit word of the document's own jurisdiction ("thành phố" for thành phố Vị Thanh)."""
    j = admin.jurisdiction(ctx.jurisdiction) if ctx.jurisdiction else None
    m = _UNIT_NAME.match(j.name) if j is not None and j.id != "vn" else None
    return m.group(1) if m else None


def _default_jur(head: Head, ctx: Context) -> str | None:
    if head.level == "national":
        return "vn"
    if head.level == "province":
        return ctx.province or ctx.jurisdiction
    return ctx.jurisdiction


def _resolve(level: str, place: str, ctx: Context, word: str | None = None) -> str | None:
    if place:
        u = admin.lookup(place, _UNIT_WORDS.get(word or "", (None, ""))[0], ctx.province, ctx.new_map)
        if u is not None:
            return u.id
    if level == "province":
        return ctx.province or ctx.jurisdiction
    # district or commune level without a name: the document's own unit (a provincial
    # document speaking of "UBND huyện" means its districts, kept under the province)
    return ctx.jurisdiction
