"""Document metadata: type, number, place and date, issuer, title, period, jurisdiction,
signer, recipients; plus inline abbreviation definitions and indicator mentions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import admin
from ..lexicon import TYPE_BY_FOLDED_NAME, TYPE_WORDS_RX, find_indicators
from ..model import Definition, IndicatorMention, NormDoc, Provenance
from ..outline import Outline
from ..text import fold, is_upper_word
from .agencies import Context, Mention, parse_agency
from .grammar import NUMBER, PERIOD, VISION, canonical_number, iso_date, type_from_number

_PLACE_DATE = re.compile(
    r"(?:^|Số\s*:?\s*)(?P<place>[A-ZĐÀ-Ỹ][^,\n:]{1,40}?),\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*"
    r"(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})?", re.IGNORECASE)
_PLACE_NUMERIC_DATE = re.compile(
    r"(?:^|Số\s*:?\s*)(?P<place>[A-ZĐÀ-Ỹ][^,\n:]{1,40}?),\s*ngày\s*(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})"
    r"\s*/\s*(?P<y>\d{4})")
_NUMBER_LINE = re.compile(r"^\s*\*?\s*Số\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
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


def header_blocks(doc: NormDoc, outline: Outline) -> list:
    first = outline.sections[0].start if outline.sections else len(doc.text)
    return [b for b in doc.blocks if b.start < first][:25]


def extract_metadata(doc: NormDoc, outline: Outline) -> Meta:
    text = doc.text
    meta = Meta(provenance={})
    prov = meta.provenance
    head = header_blocks(doc, outline)

    def note(field: str, s: int, e: int) -> None:
        sec = outline.section_at(s)
        prov[field] = Provenance(doc.doc_id, sec.path if sec else "", s, e, text[s:e])

    type_block = None
    for b in head:
        t = text[b.start:b.end]
        f = fold(t)
        m = _PLACE_DATE.search(t)
        if m and meta.place is None:
            meta.place = m.group("place").strip(" *")
            if m.group("d") and m.group("m") and m.group("y"):
                meta.date = iso_date(m.group("d"), m.group("m"), m.group("y"))
            note("date", b.start + m.start(), b.start + m.end())
        if meta.place is None and (nd := _PLACE_NUMERIC_DATE.search(t)):
            meta.place = nd.group("place").strip(" *")
            meta.date = iso_date(nd.group("d"), nd.group("m"), nd.group("y"))
            note("date", b.start + nd.start(), b.start + nd.end())
        nm = _NUMBER_LINE.match(t)
        if nm and meta.number is None:
            num = NUMBER.match(nm.group("rest").strip(" *"))
            if num:
                meta.number = canonical_number(num.group(1), num.group(2), num.group(3), num.group(4))
                note("number", b.start, b.end)
        tm = _TYPE_LINE.match(f)
        if tm and type_block is None and (is_upper_word(t.split()[0]) or b.bold or b.kind == "heading"):
            meta.type = TYPE_BY_FOLDED_NAME.get(tm.group(1))
            type_block = b
            note("type", b.start, b.start + tm.end(1))
            rest = t[tm.end():].strip()
            if rest:
                _title_and_issuer(meta, rest, b.start + tm.end(), text, note)
            continue
        if type_block is not None and meta.title is None and not nm:
            _title_and_issuer(meta, t, b.start, text, note)
    if meta.type is None and meta.number:
        meta.type = type_from_number(meta.number)
    # period and vision from the title (else from the opening paragraphs)
    for src in (meta.title or "", " ".join(text[b.start:b.end] for b in head[:8])):
        p = PERIOD.search(src)
        if p and meta.period is None:
            meta.period = (int(p.group(1)), int(p.group(2)))
        y = re.search(r"(?i)\bnăm\s+((?:19|20)\d\d)\b", src)
        if y and meta.period is None and src is meta.title and not VISION.search(src):
            meta.period = (int(y.group(1)), int(y.group(1)))
        v = VISION.search(src)
        if v and meta.vision is None:
            meta.vision = int(v.group(1))
    _signature(doc, outline, meta)
    return meta


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
    if _PLACE_DATE.search(t) or len(t) > 300:
        return
    meta.title = t.strip()
    note("title", start, start + len(t))


def resolve_context(doc: NormDoc, outline: Outline, meta: Meta) -> Context:
    """Find the document's jurisdiction from its issuer level, title, place and opening."""
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
    for s, e, iid in find_indicators(folded):
        sec = outline.section_at(s)
        out.append(IndicatorMention(iid, doc.doc_id, Provenance(
            doc.doc_id, sec.path if sec else "", s, e, text[s:e])))
    return out
