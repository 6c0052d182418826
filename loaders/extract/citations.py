"""Citations: numbered documents, congress resolutions, laws by name, standards, bases.

``Nghị quyết số 30c/NQ-CP, ngày 08/11/2011 của Chính phủ về …`` → number, type, date, issuer,
title; ``Nghị quyết 18, 19-NQ/TW`` → two citations; ``Nghị quyết nêu trên`` → the one cited
just before. Mentions of the same cited document are merged into one citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import admin
from ..lexicon import ABBREVIATIONS, TYPE_BY_FOLDED_NAME, TYPE_WORDS_RX
from ..model import Citation, NormDoc, Provenance
from ..outline import Outline
from ..text import GuardedPattern, fold, fold_key, slug
from .agencies import Context
from .grammar import (
    DATE_ANY,
    NUMBER,
    NUMBER_LIST,
    PERIOD,
    canonical_number,
    issuer_scope,
    number_key,
    parse_date,
    type_from_number,
)

_SUP = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_TYPE_BEFORE = re.compile(rf"(?:^|[^a-z])({TYPE_WORDS_RX})(?:\s+(?:so|số))?\s*:?\s*$")
_AFTER_DATE = re.compile(rf"^\s*,?\s*(?:ban hành\s+)?({DATE_ANY.pattern})", re.IGNORECASE)
_AFTER_ISSUER = re.compile(r"^\s*,?\s*của\s+", re.IGNORECASE)
_AFTER_TITLE = re.compile(r"^\s*,?\s*(?=(?:về việc|về|ban hành|quy định|hướng dẫn|phê duyệt|sửa đổi)\s)"
                          r"(?:về việc\s+|về\s+)?", re.IGNORECASE)
# "TCVN ISO 9001:2015"; the branches start with a letter so the engine skips ahead to T and I
_STANDARD = GuardedPattern(r"\w", r"((?:TCVN\s+ISO|ISO)(?:/IEC)?\s*(\d{4,5})(?:\s*:\s*(\d{4}))?)")
_CONGRESS = re.compile(r"nghi quyet (?:cua )?dai hoi\b")
_LAW = GuardedPattern(r"\w", r"(Bộ luật|Luật|Pháp lệnh)\s+(?=\S)")
# each begins with a letter: "not after a word character" is the word boundary
_CUE_TYPE = GuardedPattern(r"\w",
    rf"(?:theo|thuc hien|can cu|tai|trien khai)\s+(?:cac\s+)?({TYPE_WORDS_RX})\s+"
    r"(?:cua\s+[^,;.]{3,80}?\s+)?ve\s+")
_PREVIOUS = re.compile(rf"({TYPE_WORDS_RX})\s+(?:neu tren|tren|da neu|noi tren)\b")
_TITLE_STOP = re.compile(
    r"[;\n]|\.(?=\s|$)|\s\((?!\d)|,\s*(?=(?:nhất là|trong đó|đồng thời|góp phần|công tác|tạo|"
    r"đảm bảo|bảo đảm|nhằm|phấn đấu|đã|được|các|theo|tiếp tục|cụ thể)\b)")
_LAW_STOP = re.compile(
    r"[;,.\n(]|\s(?:và|ngày|số|để|nhằm|trong|theo|đối với|được|đã|có|tại|cho|của|với|từ|"
    r"các|trên|đến|khi|là|về việc)\s")
_BASIS_LAW_STOP = re.compile(r"[;.\n(]|\s(?:ngày|số|được sửa đổi)\s|,\s*(?:ngày|số)\s")
_RELATION_RANK = {"cites": 0, "based_on": 1, "implements": 2}


@dataclass(slots=True)
class _Draft:
    key: str
    number: str | None
    type: str | None
    issuer: str | None
    date: str | None
    title: str | None
    relation: str
    scope: str | None
    mentions: list[Provenance] = field(default_factory=list)


def expand_abbreviations(text: str, extra: dict[str, str] | None = None) -> str:
    table = {**ABBREVIATIONS, **(extra or {})}
    return re.sub(r"\b[A-ZĐ]{2,}\b", lambda m: table.get(m.group(0), m.group(0)), text)


def _title_from(text: str, start: int, limit: int) -> tuple[str | None, int]:
    seg = text[start:min(limit, start + 400)]
    end = len(seg)
    m = _TITLE_STOP.search(seg)
    if m:
        end = m.start()
    nxt = NUMBER.search(seg[:end])
    if nxt:
        tm = _TYPE_BEFORE.search(fold(seg[:nxt.start()]))
        if tm:
            end = min(end, tm.start(1) if tm.start(1) > 0 else nxt.start())
    p = PERIOD.search(seg[:end])
    if p:
        tail = re.match(r"\s*,\s*(?:tầm nhìn|định hướng)\s+(?:đến|tới)\s+năm\s+\d{4}", seg[p.end():])
        end = p.end() + (tail.end() if tail else 0)
    title = _SUP.sub("", seg[:end]).strip(" ,;:-")
    return (title or None), start + end


def extract_citations(doc: NormDoc, outline: Outline, ctx: Context, doc_type: str | None,
                      doc_title: str | None, definitions: dict[str, str],
                      own_number: str | None = None) -> list[Citation]:
    text = doc.text
    folded = doc.folded
    skip = _skip_spans(doc, outline)
    first_section = outline.sections[0].start if outline.sections else len(text)
    drafts: dict[str, _Draft] = {}
    order: list[str] = []
    taken: list[tuple[int, int]] = []
    last_key: dict[str | None, str] = {}

    def add(key: str, start: int, end: int, **fields) -> None:
        if any(s <= start < e for s, e in skip):
            return
        rel = _relation(text, start, first_section)
        prov = _prov(doc.doc_id, outline, text, start, end)
        d = drafts.get(key)
        if d is None:
            d = _Draft(key, fields.get("number"), fields.get("type"), fields.get("issuer"),
                       fields.get("date"), fields.get("title"), rel, fields.get("scope"))
            drafts[key] = d
            order.append(key)
        else:
            for f in ("number", "type", "issuer", "date", "scope"):
                if getattr(d, f) is None and fields.get(f):
                    setattr(d, f, fields[f])
            t = fields.get("title")
            if t and (d.title is None or len(t) > len(d.title)):
                d.title = t
            if _RELATION_RANK[rel] > _RELATION_RANK[d.relation]:
                d.relation = rel
        d.mentions.append(prov)
        taken.append((start, end))
        last_key[d.type] = key
        last_key[None] = key

    # 1. numbered documents (lists first, so "18, 19-NQ/TW" is two)
    spans: list[tuple[int, int, list[tuple[str, str | None, str, str]]]] = []
    for m in NUMBER_LIST.finditer(text):
        nums = [n.strip() for n in re.split(r",|và", m.group(1)) if n.strip()] + [m.group(2)]
        spans.append((m.start(), m.end(), [(n, None, m.group(3), m.group(4)) for n in nums]))
    for m in NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e, _ in spans):
            continue
        spans.append((m.start(), m.end(), [(m.group(1), m.group(2), m.group(3), m.group(4))]))
    spans.sort()
    for s, e, nums in spans:
        tm = _TYPE_BEFORE.search(folded[max(0, s - 40):s])
        mention_start = s - (len(folded[max(0, s - 40):s]) - tm.start(1)) if tm else s
        written_type = TYPE_BY_FOLDED_NAME.get(tm.group(1)) if tm else None
        if _is_own_number_line(text, s):
            continue
        date_, issuer, title, end = _tail(text, e)
        for num, year, sep, code in nums:
            number = canonical_number(num, year, sep, code)
            dtype = written_type or type_from_number(number)
            if dtype is None or (own_number and number_key(number) == number_key(own_number)):
                continue  # not a document, or the document naming itself
            code_issuer, scope_kind = issuer_scope(number)
            scope = _scope(scope_kind, issuer, ctx)
            key = f"{scope or 'vn'}:{number_key(number)}"
            add(key, mention_start, end, number=number, type=dtype, date=date_,
                issuer=issuer or code_issuer, title=title, scope=scope)
    # 2. standards
    prev_std_end = -10
    for m in _STANDARD.finditer(text):
        if text[max(0, m.start() - 1):m.start()] == "(" and m.start() - prev_std_end <= 2:
            continue  # "(ISO 18091:2019)" right after its TCVN equivalent
        number = " ".join(m.group(1).split()).replace(" :", ":").replace(": ", ":")
        add(f"std:{number_key(number)}", m.start(), m.end(), number=number, type="tieu_chuan")
        prev_std_end = m.end()
    # 3. congress resolutions
    for m in _CONGRESS.finditer(folded):
        if _inside(m.start(), taken):
            continue
        title, end = _congress_title(text, m.start())
        org_jur = _congress_scope(text[m.start():end], ctx)
        add(f"congress:{org_jur}", m.start(), end, type="nghi_quyet", title=title,
            issuer=_congress_issuer(title))
    # 4. laws by name
    for m in _LAW.finditer(text):
        if _inside(m.start(), taken) or folded[max(0, m.start() - 5):m.start()] == "phap ":
            continue
        rest = text[m.end():m.end() + 200]
        line_start = text.rfind("\n", 0, m.start()) + 1
        in_bases = fold(text[line_start:line_start + 7]) == "can cu "
        # in a list of bases each item ends at ";": "Luật Cán bộ, công chức;"
        stop = (_BASIS_LAW_STOP if in_bases else _LAW_STOP).search(" " + rest)
        name = rest[:max(0, (stop.start() - 1) if stop else len(rest))].strip()
        yr = re.match(r"\s*năm\s+\d{4}", rest[len(name):])
        if yr:
            name += yr.group(0)
        law_date = None
        dm = re.match(rf"\s*,?\s*({DATE_ANY.pattern})", rest[len(name):], re.IGNORECASE)
        if dm:
            law_date = parse_date(dm.group(1))
        if not name or fold(name).startswith(("nay", "so ")) or len(name.split()) > 12:
            continue
        law = f"{m.group(1)} {name}"
        add(f"law:{slug(expand_abbreviations(law, definitions))}", m.start(),
            m.end() + len(name), type="luat" if m.group(1) != "Pháp lệnh" else "phap_lenh",
            title=law, issuer="Quốc hội", date=law_date)
    # 5. bases without numbers ("Căn cứ …; Kế hoạch phát triển …;") and cue + type + về
    for b in doc.blocks:
        if not folded.startswith("can cu ", b.start, b.end):
            continue
        btext = text[b.start:b.end]
        pos = b.start
        for seg in re.split(r"(;)", btext):
            seg_start = pos
            pos += len(seg)
            if seg == ";" or _inside_any(seg_start, seg_start + len(seg), taken):
                continue
            lead = re.match(r"\s*(?:Căn cứ\s+)?", seg, re.IGNORECASE)
            body_start = seg_start + (lead.end() if lead else 0)
            tm = re.match(rf"({TYPE_WORDS_RX})\s+", folded[body_start:])
            if tm and text[body_start:body_start + 1].isupper():
                title, end = _title_from(text, body_start, b.end)
                if title and not _is_self(title, doc_type, doc_title, definitions):
                    add(f"title:{slug(expand_abbreviations(title, definitions), 80)}", body_start,
                        end, type=TYPE_BY_FOLDED_NAME.get(tm.group(1)), title=title)
    for m in _CUE_TYPE.finditer(folded):
        tstart = m.start(1)
        if _inside(tstart, taken) or not text[tstart:tstart + 1].isupper():
            continue
        title, end = _title_from(text, m.end(), len(text))
        if not title:
            continue
        full = text[tstart:end]
        if _is_self(full, doc_type, doc_title, definitions):
            continue
        add(f"title:{slug(expand_abbreviations(full, definitions), 80)}", tstart, end,
            type=TYPE_BY_FOLDED_NAME.get(m.group(1)), title=full)
    # 6. "Nghị quyết nêu trên" → the citation just before
    for m in _PREVIOUS.finditer(folded):
        if _inside(m.start(), taken):
            continue
        t = TYPE_BY_FOLDED_NAME.get(m.group(1))
        prior = [k for k in order if drafts[k].type == t and drafts[k].mentions
                 and drafts[k].mentions[0].start < m.start()]
        if prior:
            drafts[prior[-1]].mentions.append(_prov(doc.doc_id, outline, text, m.start(), m.end()))
    out = []
    for i, k in enumerate(order, 1):
        d = drafts[k]
        mentions = sorted(d.mentions, key=lambda p: p.start)
        best = max(mentions, key=lambda p: (p.end - p.start))
        out.append(Citation(f"cit:{doc.doc_id}:{i}", doc.doc_id, d.number, d.type, d.issuer,
                            d.date, d.title, d.key, d.relation, best, tuple(mentions), d.scope))
    return out


def _tail(text: str, pos: int) -> tuple[str | None, str | None, str | None, int]:
    """Date, issuer and title following a number, in the order documents write them."""
    date_ = issuer = title = None
    end = pos
    for _ in range(3):
        rest = text[end:end + 300]
        dm = _AFTER_DATE.match(rest)
        if dm and date_ is None:
            date_ = parse_date(dm.group(1))
            end += dm.end()
            continue
        im = _AFTER_ISSUER.match(rest)
        if im and issuer is None:
            seg = rest[im.end():]
            stop = re.search(r"\s+về\s|\s*[,;.]|\s+ngày\s|\s+\(|\n|\s+(?:và|theo|trên|để|ban hành|"
                             r"phê duyệt|quy định|hướng dẫn|sửa đổi|thực hiện)\s", seg)
            raw = seg[:stop.start()] if stop else seg[:80]
            issuer = _SUP.sub("", raw).strip() or None
            end += im.end() + len(raw)
            pm = re.match(r"\s*\((khóa [IVXLC]+)\)", text[end:end + 20], re.IGNORECASE)
            if pm and issuer:
                issuer += f" ({pm.group(1)})"
                end += pm.end()
            continue
        tm = _AFTER_TITLE.match(rest)
        if tm and title is None:
            title, end = _title_from(text, end + tm.end(), len(text))
            continue
        break
    return date_, issuer, title, end


def _scope(scope_kind: str, issuer: str | None, ctx: Context) -> str | None:
    if scope_kind == "national":
        return None
    if issuer:
        for _s, _e, u in admin.find_typed_units(issuer, ctx.province):
            return u.id
        fi = fold(issuer)
        if re.search(r"\b(?:tinh|tinh uy)\b", fi):
            return ctx.province or ctx.jurisdiction or "unknown"
    if scope_kind == "province":
        return ctx.province or ctx.jurisdiction or "unknown"
    return ctx.jurisdiction or ctx.province or "unknown"


def _congress_title(text: str, start: int) -> tuple[str, int]:
    seg = text[start:start + 220]
    m = re.match(r"[^,;.\n]*", seg)
    end = m.end() if m else len(seg)
    extra = re.match(r"(?:,?\s*(?:lần thứ\s+[IVXLC\d]+|nhiệm kỳ\s+\d{4}\s*-\s*\d{4}))+", seg[end:])
    if extra:
        end += extra.end()
    title = seg[:end]
    title = re.split(r"\s+(?:và|để|nhằm|nói chung|đã|theo)\s", title)[0]
    title = _SUP.sub("", title).strip(" ,")
    return title, start + len(title)


def _congress_scope(title: str, ctx: Context) -> str:
    f = fold(title)
    if "toan quoc" in f or re.search(r"dai hoi (?:[xivlc]+ )?(?:cua )?dang\b(?! bo)", f):
        return "vn"
    for _s, _e, u in admin.find_typed_units(title, ctx.province):
        return u.id
    if re.search(r"dang bo (?:tinh|thanh pho truc thuoc)", f):
        return ctx.province or ctx.jurisdiction or "unknown"
    return ctx.jurisdiction or "unknown"


def _congress_issuer(title: str) -> str:
    m = re.search(r"(Đại hội.*?)(?:\s+lần thứ|\s+nhiệm kỳ|,|$)", title)
    return m.group(1).strip() if m else title


def _is_self(title: str, doc_type: str | None, doc_title: str | None,
             definitions: dict[str, str]) -> bool:
    if not doc_title:
        return False

    def words(t: str) -> set[str]:
        return set(fold_key(expand_abbreviations(t, definitions)).split()) - {"ve", "cua", "va"}

    a, b = words(title), words(doc_title)
    return bool(b) and len(a & b) >= 0.8 * len(b)


def _relation(text: str, pos: int, first_section: int) -> str:
    line_start = text.rfind("\n", 0, pos) + 1
    head = fold(text[line_start:line_start + 20])
    if head.startswith("can cu"):
        return "based_on"
    if pos < first_section and head.startswith(("thuc hien", "trien khai thuc hien")):
        return "implements"
    return "cites"


def _is_own_number_line(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return bool(re.match(r"\s*(?:\*\s*)?Số\s*:?\s*$", text[line_start:pos]))


def _skip_spans(doc: NormDoc, outline: Outline) -> list[tuple[int, int]]:
    spans = []
    if outline.recipients:
        spans.append(outline.recipients)
    if outline.signature:
        spans.append(outline.signature)  # up to a document attached after it
    return spans


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _inside_any(s: int, e: int, spans: list[tuple[int, int]]) -> bool:
    return any(a < e and s < b for a, b in spans)


def _prov(doc_id: str, outline: Outline, text: str, start: int, end: int) -> Provenance:
    sec = outline.section_at(start)
    return Provenance(doc_id, sec.path if sec else "", start, end, text[start:end])
