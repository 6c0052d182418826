"""Document metadata: type, number, place and date, issuer, title, period, jurisdiction,
signer, recipients; plus inline abbreviation definitions and indicator mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cchc_graph.keys import fold

from .. import admin
from ..lexicon import TYPE_BY_FOLDED_NAME, TYPE_WORDS_RX, find_indicators
from ..model import Block, Definition, IndicatorMention, NormDoc, Provenance
from ..outline import Outline
from ..text import is_upper_word
from .agencies import Context, Mention, parse_agency
from .grammar import PERIOD, VISION, type_from_number
from .header import (
    find_attached_date,
    find_letter_subject,
    find_number,
    find_opening_date,
    find_place_date,
    header_start,
    is_central,
    is_upper_line,
    issued_type,
)

_TYPE_LINE = re.compile(rf"^\s*({TYPE_WORDS_RX})(?:\s|$)")
_ISSUER_LINE = re.compile(r"^\s*(?:cua|của)\s+(ban chap hanh dang bo|uy ban nhan dan|hoi dong nhan dan|"
                          r"ban thuong vu|tinh uy|huyen uy|thanh uy)", re.IGNORECASE)
_NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+)(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4}$")
_DEFINE = re.compile(
    r"\(\s*(?:viết tắt là|gọi tắt là|sau đây gọi là|viết tắt:)\s*([A-ZĐ][A-Za-zĐđ&\-]{1,12})\s*\)",
    re.IGNORECASE)
_PAREN_ABBR = re.compile(r"\(\s*([A-ZĐ]{2,10}|[A-Z][a-z]+[A-Z][A-Za-z]*)\s*\)")
_ISSUE_VERB = re.compile(r"\b(?:ban hanh|xay dung|de ra)\s+(?:" + TYPE_WORDS_RX + r")")


@dataclass(slots=True)
class Meta:
    type: str | None = None
    number: str | None = None
    place: str | None = None
    date: str | None = None
    title: str | None = None
    issuer: Mention | None = None
    jurisdiction: str | None = None
    period: tuple[int, int] | None = None
    vision: int | None = None
    signer: str | None = None
    signer_capacity: str | None = None
    recipients: tuple[str, ...] = ()
    provenance: dict[str, Provenance] | None = None


# the header, title and preamble fit in this many blocks; later ones are the body
HEADER_BLOCKS = 25


def header_blocks(doc: NormDoc, outline: Outline) -> list:
    """The blocks of the document's own header and preamble (portal chrome skipped)."""
    first = outline.sections[0].start if outline.sections else len(doc.text)
    start, _issuer = header_start(doc)
    return [b for b in doc.blocks if start <= b.start < first][:HEADER_BLOCKS]


def extract_metadata(doc: NormDoc, outline: Outline) -> Meta:
    """Type, number, place and date, title, period and signature of a document as published."""
    text = doc.text
    prov: dict[str, Provenance] = {}
    meta = Meta(provenance=prov)
    head = header_blocks(doc, outline)

    def note(field: str, s: int, e: int) -> None:
        sec = outline.section_at(s)
        prov[field] = Provenance(doc.doc_id, sec.path if sec else "", s, e, text[s:e])

    hs, he = (head[0].start, head[-1].end) if head else (0, 0)
    _number_place_date(doc, meta, hs, he, note)
    _type_and_title(doc, meta, head, note)
    _period_and_vision(meta, " ".join(text[b.start:b.end] for b in head[:8]))
    _signature(doc, outline, meta)
    return meta


def _number_place_date(doc: NormDoc, meta: Meta, hs: int, he: int, note) -> None:
    """The issuing body left of the motto, ``Số:``, place and date, in the header ``hs:he``."""
    text = doc.text
    _start, issuer = header_start(doc)
    if issuer and issuer[1] > issuer[0]:
        note("issuer_head", *issuer)
    if (num := find_number(text, hs, he)) is not None:
        meta.number = num[0]
        note("number", num[1], num[2])
    pd = find_place_date(text, hs, he)
    meta.place = pd.place if pd else None
    if pd is None or pd.date is None:  # no header date: the decision attaching it, a post's
        pd = find_attached_date(text, hs, he) or find_opening_date(text, hs, he) or pd
    if pd is not None:
        meta.date = pd.date
        note("date", pd.start, pd.end)


def _type_and_title(doc: NormDoc, meta: Meta, head: list, note) -> None:
    """The type line ("QUYẾT ĐỊNH") and the title under it, else the type the number's code,
    an opening "ban hành Kế hoạch …" or a "V/v" subject line gives."""
    text, prov = doc.text, meta.provenance or {}
    hs, he = (head[0].start, head[-1].end) if head else (0, 0)
    type_block: Block | None = None
    for b in head:
        t = text[b.start:b.end]
        tm = _TYPE_LINE.match(fold(t))
        if tm and type_block is None and (is_upper_word(t.split()[0]) or b.bold or b.kind == "heading"):
            meta.type = TYPE_BY_FOLDED_NAME.get(tm.group(1))
            type_block = b
            note("type", b.start, b.start + tm.end(1))
            rest = t[tm.end():].strip()
            if rest:
                _title_and_issuer(meta, rest, b.start + tm.end(), text, note)
            continue
        if type_block is not None and meta.title is None and not _is_number_or_date(text, b, meta):
            _title_and_issuer(meta, t, b.start, text, note)
        elif meta.title and (tp := prov.get("title")) and _continues_title(doc, tp, b):
            # an upper-case title wrapped over lines: "VỀ VIỆC CÔNG BỐ … / THUỘC PHẠM VI …"
            meta.title = f"{meta.title} {t.strip()}"
            note("title", tp.start, b.end)
    if meta.type is None and meta.number is None and (it := issued_type(doc.folded, hs, he)):
        meta.type = TYPE_BY_FOLDED_NAME.get(it[0])
        note("type", it[1], it[2])
    if meta.type is None and meta.number:
        meta.type = type_from_number(meta.number)
    if meta.type is None and (subject := find_letter_subject(text, hs, he)) is not None:
        # an official letter: no type line, its subject on a "V/v …" line
        meta.type = "cong_van"
        meta.title = meta.title or subject[0]
        note("type", subject[1], subject[1] + 3)
        note("title", subject[1], subject[2])


def _period_and_vision(meta: Meta, opening: str) -> None:
    """The period and vision year from the title, else from the opening paragraphs."""
    for src in (meta.title or "", opening):
        p = PERIOD.search(src)
        if p and meta.period is None:
            meta.period = (int(p.group(1)), int(p.group(2)))
        y = re.search(r"(?i)\bnăm\s+((?:19|20)\d\d)\b", src)
        if y and meta.period is None and src is meta.title and not VISION.search(src):
            meta.period = (int(y.group(1)), int(y.group(1)))
        v = VISION.search(src)
        if v and meta.vision is None:
            meta.vision = int(v.group(1))


def _title_and_issuer(meta: Meta, t: str, start: int, text: str, note) -> None:
    f = fold(t)
    im = _ISSUER_LINE.match(f)
    if im:
        vm = re.search(r"\b[vV]ề\s", t)
        if vm:
            note("issuer_line", start, start + vm.start())
            meta.title = t[vm.start():].strip()
            note("title", start + vm.start(), start + len(t))
        else:
            note("issuer_line", start, start + len(t))
        return
    if find_place_date(t, 0, len(t)) or len(t) > 300:
        return
    meta.title = t.strip()
    note("title", start, start + len(t))


def _continues_title(doc: NormDoc, title: Provenance, b) -> bool:
    """Whether a header block goes on with an upper-case title (not the authority line
    "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …" that follows it)."""
    t = doc.text[b.start:b.end]
    return (b.start - title.end <= 2 and is_upper_line(t) and not doc.folded.startswith("can cu", b.start)
            and parse_agency(doc.text, doc.folded, b.start, Context()) is None)


def _is_number_or_date(text: str, b, meta: Meta) -> bool:
    """Whether a header block is the number or the place-and-date line."""
    prov = meta.provenance or {}
    return any(p.start < b.end and b.start < p.end for k in ("number", "date") if (p := prov.get(k)))


def resolve_context(doc: NormDoc, outline: Outline, meta: Meta) -> Context:
    """The document's jurisdiction: from the issuing body printed in the header and the date
    (central bodies are national; from 1 July 2025 the new map), else from the issuer level,
    title, place and opening, on the map of the document's date."""
    ctx = _issuer_context(doc, meta) or _mentioned_context(doc, outline, meta)
    if admin.new_map(meta.date) and ctx.jurisdiction and not ctx.jurisdiction.startswith(admin.NEW_PREFIX):
        # a place found on the old map: its successor on the map of the document's date
        u = admin.units().get(ctx.jurisdiction)
        if u is not None and u.successor:
            return Context(u.successor, u.successor, "province")
    return ctx


def _issuer_context(doc: NormDoc, meta: Meta) -> Context | None:
    """The unit of the issuing body printed left of the motto (``ỦY BAN NHÂN DÂN / TỈNH …``),
    else of the place beside the date when the issuer names none; national for central bodies."""
    head = (meta.provenance or {}).get("issuer_head")
    issuer = head.quote if head else ""
    after = admin.new_map(meta.date)
    found = admin.find_typed_units(issuer, after_2025=after)
    communes = [] if after else admin.find_old_communes(issuer)
    if not found and not communes and meta.date is None:  # undated: a unit only the new map has
        found = admin.find_typed_units(issuer, after_2025=True)
    if communes:
        return _old_commune_context(doc, meta, communes[0], [u for _s, _e, u in found])
    if found:
        return _context_of(max((u for _s, _e, u in found), key=lambda u: _DEPTH[u.level]))
    if (party := _party_committee_unit(issuer, after)) is not None:
        return _context_of(party)
    if is_central(issuer):
        return Context("vn", None, "national")
    if meta.place and (u := admin.lookup(meta.place, None, None, after)) is not None \
            and u.level == "province":
        return _context_of(u)
    return None


_DEPTH = {"province": 0, "district": 1, "commune": 2}
# a party committee named by its unit: "TỈNH ỦY ĐỒNG NAI", "HUYỆN ỦY …", "THÀNH ỦY …"
_PARTY_COMMITTEE = re.compile(r"\b(tinh|thanh|huyen|quan|thi) uy\s+(?=[a-z])")
_PARTY_UNIT_TYPE = {"tinh": "tỉnh", "thanh": "thành phố", "huyen": "huyện", "quan": "quận",
                    "thi": "thị xã"}


def _party_committee_unit(issuer: str, after_2025: bool) -> admin.Unit | None:
    for _s, _e, type_word, name in admin.typed_names(issuer, _PARTY_COMMITTEE):
        words = name.split()
        while words:
            u = admin.lookup(" ".join(words), _PARTY_UNIT_TYPE[fold(type_word)], None, after_2025)
            if u is not None:
                return u
            words.pop()
    return None
# the opening that may name a commune issuer's district or province ("trên địa bàn huyện …")
OPENING_CHARS = 3000


def _old_commune_context(doc: NormDoc, meta: Meta, commune: tuple[int, int, str, str],
                         above: list[admin.Unit]) -> Context:
    """A commune issuer before 2025 (``UBND XÃ TÂN PHÚ``): commune names repeat across the
    country, so the commune is the one inside a district or province the header, place or
    opening names; when none settles it, only what all candidates share is kept."""
    _s, _e, type_word, name = commune
    cands = admin.candidates(name, type_word)
    if not above:
        above = [u for src in (meta.place or "", doc.text[:OPENING_CHARS])
                 for _s, _e, u in admin.find_typed_units(src)]
    narrowed = [c for c in cands if any(a.id in admin.lineage(c) for a in above)] or cands
    if len(narrowed) == 1:
        return _context_of(narrowed[0])
    provinces = {admin.province_of(c.id) for c in narrowed}
    return Context(None, provinces.pop() if len(provinces) == 1 else None, "commune")


def _context_of(u: admin.Unit) -> Context:
    return Context(u.id, admin.province_of(u.id), u.level)


def _mentioned_context(doc: NormDoc, outline: Outline, meta: Meta) -> Context:
    """The unit the title, place and opening name most (the issuer level breaking ties)."""
    text = doc.text
    prov = meta.provenance or {}
    issuer_line = prov.get("issuer_line")
    level_hint = None
    probe = " ".join(filter(None, [issuer_line.quote if issuer_line else "",
                                   text[outline.signature[0]:outline.signature[1]]
                                   if outline.signature else ""]))
    fp = fold(probe)
    if re.search(r"dang bo (tinh|thanh pho)\b|tinh uy|uy ban nhan dan tinh|hoi dong nhan dan tinh", fp):
        level_hint = "province"
    elif re.search(r"dang bo (huyen|thi xa|quan)|huyen uy|thi uy|quan uy|"
                   r"uy ban nhan dan (huyen|quan|thi xa)", fp):
        level_hint = "district"
    head = header_blocks(doc, outline)
    opening = "\n".join(text[b.start:b.end] for b in head)
    body = text[:min(len(text), (head[-1].end if head else 0) + 3000)]
    cands: list[tuple[int, admin.Unit]] = []
    for weight, src in ((3, meta.title or ""), (2, opening), (1, body)):
        for _s, _e, u in admin.find_typed_units(src):
            cands.append((weight, u))
    if meta.place:
        for u in filter(None, [admin.lookup(meta.place)]):
            cands.append((3, u))
    if level_hint is None and meta.title and re.search(r"\b(huyen|thi xa|quan)\b", fold(meta.title)):
        level_hint = "district"
    score: dict[str, int] = {}
    units: dict[str, admin.Unit] = {}
    for w, u in cands:
        if level_hint and u.level != level_hint:
            if level_hint == "province" and u.level == "district":
                p = admin.units().get(u.parent or "")
                if p:
                    score[p.id] = score.get(p.id, 0) + w // 2
                    units[p.id] = p
            continue
        score[u.id] = score.get(u.id, 0) + w
        units[u.id] = u
    if not score and admin.new_map(meta.date):
        # a commune of the new map named in the opening ("UBND xã …")
        for _s, _e, u in admin.find_typed_units(opening, after_2025=True):
            return _context_of(u)
    if not score:
        return Context(None, None, level_hint or "province")
    best = max(score, key=lambda k: (score[k], units[k].level == "district"))
    u = units[best]
    province = u.id if u.level == "province" else u.parent
    return Context(u.id, province, u.level)


def resolve_issuer(doc: NormDoc, meta: Meta, outline: Outline, ctx: Context) -> Mention | None:
    text = doc.text
    folded = doc.folded
    prov = meta.provenance or {}
    if (head := prov.get("issuer_head")) and (found := _issuer_in_head(doc, head, ctx)):
        return found
    il = prov.get("issuer_line")
    if il:
        m = re.match(r"\s*(?:của|cua|CỦA|CUA)\s+", text[il.start:il.end])
        if m:
            found = parse_agency(text, folded, il.start + m.end(), ctx)
            if found:
                return found
    for b in header_blocks(doc, outline)[:3]:
        # the issuing body printed top left: "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "TỈNH ỦY LÂM ĐỒNG"
        head_text = text[b.start:b.end]
        if head_text.isupper():
            found = parse_agency(text, folded, b.start, ctx)
            if found and found.kind not in ("leader", "member"):
                return found
    for b in header_blocks(doc, outline)[:12]:
        for m in _ISSUE_VERB.finditer(folded, b.start, b.end):
            seg_start = b.start
            found = parse_agency(text, folded, seg_start, ctx)
            if found and found.end <= m.start():
                return found
    if outline.signature:
        s, e = outline.signature
        sm = re.match(r"\s*(?:T/?M\.?|TM\.)\s*", text[s:e])
        if sm:
            found = parse_agency(text, folded, s + sm.end(), ctx)
            if found:
                return found
    return None


def _issuer_in_head(doc: NormDoc, head: Provenance, ctx: Context) -> Mention | None:
    """The issuing body printed left of the motto, its lines joined ("ỦY BAN NHÂN / DÂN /
    TỈNH …"); a leader ("CHỦ TỊCH ỦY BAN NHÂN DÂN") issues too. Under its parent body
    ("UBND TỈNH … / SỞ NỘI VỤ") the body printed last is the issuer."""
    s, e = head.start, head.end
    text = doc.text[:s] + doc.text[s:e].replace("\n", " ") + doc.text[e:]  # same offsets
    folded = doc.folded[:s] + doc.folded[s:e].replace("\n", " ") + doc.folded[e:]
    lead = re.match(r"[\s|*#]*", text[s:e])
    found = parse_agency(text, folded, s + (lead.end() if lead else 0), ctx)
    for line in re.finditer(r"\n[\s|*#]*(?=\S)", doc.text[s:e]):
        at = s + line.end()
        if found is None or at > found.start:
            body = parse_agency(text, folded, at, ctx)
            found = body if body is not None and body.end <= e else found
    return found


def _signature(doc: NormDoc, outline: Outline, meta: Meta) -> None:
    text = doc.text
    blocks = list(doc.blocks)
    tail = blocks[-8:]
    for b in reversed(tail):
        t = text[b.start:b.end].strip(" *")
        if _NAME.match(t) and not re.search(r"(?i)\b(ban|sở|phòng|ủy|văn phòng|nơi|lưu)\b", t):
            meta.signer = t
            if meta.provenance is not None:
                meta.provenance["signer"] = Provenance(doc.doc_id, "", b.start, b.end, text[b.start:b.end])
            break
    if outline.signature:
        s, e = outline.signature  # from the signature to a document attached after it
        caps = []
        for b in blocks:
            if s <= b.start < e and text[b.start:b.end].strip() != (meta.signer or ""):
                t = text[b.start:b.end].strip()
                if t.isupper() or re.match(r"(?:T/?M|TM|KT|TL)\b", t):
                    caps.append(t)
        if caps:
            meta.signer_capacity = " ".join(" ".join(caps).split())
    if outline.recipients:
        rs, re_ = outline.recipients
        items = []
        for line in text[rs:re_].split("\n")[1:]:
            item = re.sub(r"^[\s\-–+•*]+", "", line).strip(" ,;.")
            item = re.sub(r"\s*[}\]]\s*", " ", item).strip()
            if item and not re.fullmatch(r"(?i)nơi nhận:?", item):
                items.append(item)
        meta.recipients = tuple(items)


def extract_definitions(doc: NormDoc, outline: Outline) -> list[Definition]:
    """``thủ tục hành chính (viết tắt là TTHC)`` and ``… hành chính (CCHC)``."""
    text = doc.text
    out = []
    for rx in (_DEFINE, _PAREN_ABBR):
        for m in rx.finditer(text):
            short = m.group(1)
            before = text[max(0, m.start() - 120):m.start()]
            words = re.findall(r"[\wÀ-ỹđĐ]+", before)
            long_ = _expansion(short, words) if rx is _PAREN_ABBR else _expansion(short, words, loose=True)
            if long_:
                sec = outline.section_at(m.start())
                s = m.start() - len(before) + before.rfind(long_.split()[0]) if long_ else m.start()
                out.append(Definition(short, long_, Provenance(doc.doc_id, sec.path if sec else "",
                                                             s, m.end(), text[s:m.end()])))
    return out


def _expansion(short: str, words: list[str], loose: bool = False) -> str | None:
    """The words before an abbreviation whose initials spell it (CCHC = cải cách hành chính)."""
    letters = fold(short).replace("&", "")
    for n in range(len(letters), min(len(words), len(letters) + 3) + 1):
        cand = words[-n:] if n else []
        initials = "".join(fold(w)[0] for w in cand)
        if initials == letters:
            return " ".join(cand)
    if loose:
        k = min(len(words), max(2, len(letters)))
        return " ".join(words[-k:]) if k else None
    return None


def extract_indicator_mentions(doc: NormDoc, outline: Outline) -> list[IndicatorMention]:
    text = doc.text
    folded = doc.folded
    out = []
    first, _issuer = header_start(doc)  # a portal's panel or wrong title line names nothing
    for s, e, iid in find_indicators(folded):
        if s < first:
            continue
        sec = outline.section_at(s)
        out.append(IndicatorMention(iid, doc.doc_id, Provenance(
            doc.doc_id, sec.path if sec else "", s, e, text[s:e])))
    return out
