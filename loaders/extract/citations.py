"""Citations: numbered documents, congress resolutions, laws by name, standards, bases.

Each form of reference has a small finder (``find_numbered``, ``find_standards`` …) that reads
a :class:`Page` and yields :class:`Found` mentions; :func:`extract_citations` runs them in
order, merges the mentions of one cited document and types each link (``relations``).
A later finder skips the text an earlier one took (``Page.taken``): a law found with its
number is not found again by name.

``Nghị quyết số 30c/NQ-CP, ngày 08/11/2011 của Chính phủ về …`` → number, type, date, issuer,
title; ``Nghị quyết 18, 19-NQ/TW`` → two citations; ``Nghị quyết nêu trên`` → the one cited
just before.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import cast

from cchc_graph.keys import expand_abbreviations, fold, fold_key, number_key, slug

from .. import admin
from ..lexicon import TYPE_BY_FOLDED_NAME, TYPE_WORDS_RX
from ..model import Citation, NormDoc, Provenance, Relation
from ..outline import Outline
from ..text import GuardedPattern
from .agencies import Context
from .grammar import (
    LETTER_NUMBER,
    NUMBER,
    NUMBER_LIST,
    canonical_number,
    issuer_scope,
    restore_hyphen,
    type_from_number,
)
from .header import header_start
from .reference_parts import SUP, TYPE_BEFORE, law_name, tail_of, title_from
from .relations import relation_at, stronger

# "TCVN ISO 9001:2015"; the branches start with a letter so the engine skips ahead to T and I
# "TCVN 11930:2017" (a Vietnamese standard of its own), "ISO/IEC 27001:2022"
_STANDARD = GuardedPattern(
    r"\w", r"((?:TCVN\s+ISO|ISO|TCVN)(?:/IEC)?\s*(\d{3,5}(?:-\d{1,2})?)(?:\s*:\s*(\d{4}))?)(?![\d/])")
_CONGRESS = re.compile(r"nghi quyet (?:cua )?dai hoi\b")
_LAW = GuardedPattern(r"\w", r"(Bộ luật|Luật|Pháp lệnh|Hiến pháp)\s+(?=\S)")
# "Luật sửa đổi, bổ sung năm 2012" without the law it amends names no law we can tell
_UNNAMED_AMENDMENT = re.compile(r"sua doi(?:,? bo sung)?(?: nam \d{4})?")
_LAW_TYPE = {"Bộ luật": "luat", "Luật": "luat", "Pháp lệnh": "phap_lenh", "Hiến pháp": "hien_phap"}
_LAW_ISSUER = {"Pháp lệnh": "Ủy ban Thường vụ Quốc hội"}
# each begins with a letter: "not after a word character" is the word boundary
_CUE_TYPE = GuardedPattern(r"\w",
    rf"(?:theo|thuc hien|can cu|tai|trien khai)\s+(?P<plural>cac\s+)?(?P<type>{TYPE_WORDS_RX})\s+"
    r"(?:cua\s+[^,;.\d]{3,80}?\s+)?ve\s+")
_PREVIOUS = re.compile(rf"({TYPE_WORDS_RX})\s+(?:neu tren|tren|da neu|noi tren)\b")
# "Luật Đất đai số 31/2024/QH15": the law's name before its number, in the same clause
# (the nearest "Luật" wins: "… của Luật Đất đai số 31/2024/QH15, Luật Nhà ở số …")
_LAW_BEFORE = re.compile(r"(Bộ luật|Luật|Pháp lệnh)\s+((?:(?!Luật\s)[^;()\n]){1,120}?)\s+số\s*$")
# "Luật sửa đổi, bổ sung một số điều của Luật X số N ngày …": N is the amending law's when
# no other amended law follows it (", Luật Y số …" would make it X's)
_AMENDING_BEFORE = re.compile(r"(Luật)\s+sửa đổi,?\s+bổ sung\s+(?:một số điều\s+)?(?:của\s+)?$",
                              re.IGNORECASE)
_MORE_LAWS = re.compile(r"\s*(?:,|và)\s*(?:Bộ luật|Luật)\s")
# How far each reader looks, in characters. A law's name may start this far before its number:
LAW_NAME_WINDOW = 140
# an amending law's "Luật sửa đổi, bổ sung một số điều của" before the law it amends
AMENDING_WINDOW = 60
# the type word and "số" before a number ("Nghị quyết liên tịch số ")
TYPE_WINDOW = 40
# a congress resolution's name with its term ("… lần thứ XIV, nhiệm kỳ 2020 - 2025")
CONGRESS_CHARS = 220
# slugs of titles used as keys are cut here: longer titles differ earlier
TITLE_KEY_CHARS = 80


@dataclass(frozen=True, slots=True)
class Found:
    """One mention of a cited document, as a finder reads it."""

    key: str  # identity of the cited document (scoped for local numbers)
    start: int
    end: int
    number: str | None = None
    type: str | None = None
    issuer: str | None = None
    date: str | None = None
    title: str | None = None
    scope: str | None = None
    written: str | None = None  # the number as printed, when it had to be repaired


@dataclass(slots=True)
class Page:
    """What every finder reads: the document and its context, and the spans taken so far."""

    doc: NormDoc
    outline: Outline
    ctx: Context
    definitions: dict[str, str]
    doc_type: str | None
    doc_title: str | None
    own_number: str | None
    taken: list[tuple[int, int]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.doc.text

    @property
    def folded(self) -> str:
        return self.doc.folded

    def free(self, pos: int) -> bool:
        return not _inside(pos, self.taken)


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





def extract_citations(doc: NormDoc, outline: Outline, ctx: Context, doc_type: str | None,
                      doc_title: str | None, definitions: dict[str, str],
                      own_number: str | None = None,
                      warnings: list[str] | None = None) -> list[Citation]:
    """Every reference of the document, one citation per cited document; a number repaired
    on reading (a hyphen a conversion dropped) is reported in ``warnings``."""
    page = Page(doc, outline, ctx, definitions, doc_type, doc_title, own_number)
    skip = _skip_spans(doc, outline)
    first_section = outline.sections[0].start if outline.sections else len(doc.text)
    drafts: dict[str, _Draft] = {}
    for finder in FINDERS:
        for f in finder(page):
            if _inside(f.start, skip):
                continue
            rel = relation_at(doc.text, doc.folded, f.start, f.end, first_section)
            _merge(drafts, f, rel, _prov(doc.doc_id, outline, doc.text, f.start, f.end))
            page.taken.append((f.start, f.end))
            if f.written and warnings is not None:
                warnings.append(f"{doc.source_path}: số {f.written!r} đọc là / read as {f.number!r} "
                                "(dấu gạch nối bị mất khi chuyển đổi / hyphen lost in conversion)")
    _refer_back(page, drafts)
    out = []
    for i, d in enumerate(drafts.values(), 1):
        mentions = sorted(d.mentions, key=lambda p: p.start)
        best = max(mentions, key=lambda p: (p.end - p.start))
        relation = cast(Relation, d.relation)  # (one of the grammar's: ``relations.py``)
        out.append(Citation(f"cit:{doc.doc_id}:{i}", doc.doc_id, d.number, d.type, d.issuer,
                            d.date, d.title, d.key, relation, best, tuple(mentions), d.scope))
    return out


def _merge(drafts: dict[str, _Draft], f: Found, rel: str, prov: Provenance) -> None:
    """Add a mention to its cited document: first values kept, the longest title, the
    strongest relation. Numbers without a year restart every year: "02/NQ-CP" dated in
    another year than the one cited before is another document."""
    key = f.key
    d = drafts.get(key)
    if d is not None and f.date and d.date and f.date[:4] != d.date[:4] and not _has_year(f.number):
        key = f"{f.key}@{f.date[:4]}"
        d = drafts.get(key)
    if d is None:
        d = drafts[key] = _Draft(key, f.number, f.type, f.issuer, f.date, f.title, rel, f.scope)
    else:
        for name in ("number", "type", "issuer", "date", "scope"):
            if getattr(d, name) is None and getattr(f, name):
                setattr(d, name, getattr(f, name))
        if f.title and (d.title is None or len(f.title) > len(d.title)):
            d.title = f.title
        d.relation = stronger(d.relation, rel)
    d.mentions.append(prov)


def _has_year(number: str | None) -> bool:
    return bool(number and re.search(r"/(?:19|20)\d\d/", number))


# --- the finders, in the order they run ------------------------------------------------------

def find_numbered(page: Page) -> Iterator[Found]:
    """``Nghị quyết số 30c/NQ-CP ngày …``, lists ``18, 19-NQ/TW``, laws ``Luật X số 5/2024/QH15``,
    official letters ``số 1284/BTTTT-CĐS``; the document's own number is not a citation."""
    text, folded = page.text, page.folded
    for s, e, nums in _number_spans(text):
        back = folded[max(0, s - TYPE_WINDOW):s]
        tm = TYPE_BEFORE.search(back)
        mention_start = s - (len(back) - tm.start(1)) if tm else s
        written_type = TYPE_BY_FOLDED_NAME.get(tm.group(1)) if tm else None
        if _is_own_number_line(text, s):
            continue
        law = _LAW_BEFORE.search(text, max(0, s - LAW_NAME_WINDOW), s)
        date_, issuer, title, end = tail_of(text, e)
        for num, year, sep, code in nums:
            written = f"{num}{'/' + year if year else ''}{sep}{code}"
            fixed = restore_hyphen(code)
            number = canonical_number(num, year, sep, fixed or code)
            dtype = written_type or type_from_number(number)  # "pháp luật số" reads as a law word
            start, name = mention_start, title
            if law is not None and written_type in (None, "luat", "phap_lenh"):
                dtype = "luat" if law.group(1).lower() != "pháp lệnh" else "phap_lenh"
                start, name = law.start(), f"{law.group(1)} {' '.join(law.group(2).split())}"
                amending = _AMENDING_BEFORE.search(text, max(0, start - AMENDING_WINDOW), start)
                if amending and not _MORE_LAWS.match(text, e):
                    start, name = amending.start(), " ".join(text[amending.start():law.end(2)].split())
            if dtype is None and LETTER_NUMBER.match(number):
                dtype = "cong_van"
            if dtype is None or (page.own_number and number_key(number) == number_key(page.own_number)):
                continue  # not a document, or the document naming itself
            code_issuer, scope_kind = issuer_scope(number)
            scope = _scope(scope_kind, issuer, page.ctx, date_)
            yield Found(f"{scope or 'vn'}:{number_key(number)}", start, end, number, dtype,
                        issuer or code_issuer, date_, name, scope, written if fixed else None)


_LIST_CUE = re.compile(r"\d[a-z]?\s*(?:,|và)\s*\d")  # in every match of NUMBER_LIST


def _number_spans(text: str) -> list[tuple[int, int, list[tuple[str, str | None, str, str]]]]:
    """Every document number, a list sharing one code split into its numbers."""
    spans: list[tuple[int, int, list[tuple[str, str | None, str, str]]]] = []
    # (every list holds a number, a comma or "và", a number: a text without one has no list,
    # and is read for that 2.5x faster than for the lists — most texts have none)
    for m in NUMBER_LIST.finditer(text) if _LIST_CUE.search(text) else ():
        nums = [n.strip() for n in re.split(r",|và", m.group(1)) if n.strip()] + [m.group(2)]
        spans.append((m.start(), m.end(), [(n, m.group(3), m.group(4), m.group(5)) for n in nums]))
    # the lists come in order, apart: a number inside one is inside the last list starting
    # before it (found by bisection, not by a pass over every list for every number)
    list_starts, list_ends = [s for s, _, _ in spans], [e for _, e, _ in spans]
    for m in NUMBER.finditer(text):
        i = bisect_right(list_starts, m.start()) - 1
        if i < 0 or m.start() >= list_ends[i]:
            spans.append((m.start(), m.end(), [(m.group(1), m.group(2), m.group(3), m.group(4))]))
    return sorted(spans)


def find_standards(page: Page) -> Iterator[Found]:
    """``TCVN ISO 9001:2015``, ``ISO 18091:2019`` (an ISO in brackets right after its TCVN
    equivalent is the same standard)."""
    prev_end: int | None = None
    for m in _STANDARD.finditer(page.text):
        # "TCVN ISO 9001:2015 (ISO 9001:2015)": the bracket opens at most 2 characters after
        if prev_end is not None and page.text[m.start() - 1:m.start()] == "(" and m.start() - prev_end <= 2:
            continue
        number = " ".join(m.group(1).split()).replace(" :", ":").replace(": ", ":")
        prev_end = m.end()
        yield Found(f"std:{number_key(number)}", m.start(), m.end(), number, "tieu_chuan")


def find_congress(page: Page) -> Iterator[Found]:
    """``Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XIV …``: one per congress and jurisdiction."""
    for m in _CONGRESS.finditer(page.folded):
        if not page.free(m.start()):
            continue
        title, end = _congress_title(page.text, m.start())
        org_jur = _congress_scope(page.text[m.start():end], page.ctx)
        yield Found(f"congress:{org_jur}", m.start(), end, type="nghi_quyet", title=title,
                    issuer=_congress_issuer(title))


def find_laws(page: Page) -> Iterator[Found]:
    """Laws by name: ``Luật Cán bộ, công chức``, ``Luật … năm 2015``, ``Luật … ngày 19/6/2015``,
    ``Luật Quy hoạch (sửa đổi)``, and amending laws by the laws they amend."""
    text, folded = page.text, page.folded
    for m in _LAW.finditer(text):
        if not page.free(m.start()) or folded[max(0, m.start() - 5):m.start()] == "phap ":
            continue
        name, law_date = law_name(text, folded, m.end())
        if not name or fold(name).startswith(("nay", "so ")) or _UNNAMED_AMENDMENT.fullmatch(fold(name)):
            continue
        law = f"{m.group(1)} {' '.join(name.split())}"
        yield Found(f"law:{slug(expand_abbreviations(law, page.definitions))}", m.start(),
                    m.end() + len(name), type=_LAW_TYPE[m.group(1)], title=law,
                    issuer=_LAW_ISSUER.get(m.group(1), "Quốc hội"), date=law_date)


def find_bases(page: Page) -> Iterator[Found]:
    """Bases without numbers: ``Căn cứ …; Kế hoạch phát triển kinh tế - xã hội …;``."""
    text, folded = page.text, page.folded
    for b in page.doc.blocks:
        if not folded.startswith("can cu ", b.start, b.end):
            continue
        pos = b.start
        for seg in re.split(r"(;)", text[b.start:b.end]):
            seg_start = pos
            pos += len(seg)
            if seg == ";" or _inside_any(seg_start, seg_start + len(seg), page.taken):
                continue
            lead = re.match(r"\s*(?:Căn cứ\s+)?", seg, re.IGNORECASE)
            body_start = seg_start + (lead.end() if lead else 0)
            tm = re.match(rf"({TYPE_WORDS_RX})\s+", folded[body_start:])
            if tm and text[body_start:body_start + 1].isupper():
                title, end = title_from(text, body_start, b.end)
                if title and not _is_self(title, page.doc_type, page.doc_title, page.definitions):
                    yield Found(_title_key(title, page), body_start, end,
                                type=TYPE_BY_FOLDED_NAME.get(tm.group(1)), title=title)


def find_cued_titles(page: Page) -> Iterator[Found]:
    """Unnumbered documents named after a cue: ``theo Kế hoạch của UBND tỉnh về …``."""
    text = page.text
    for m in _CUE_TYPE.finditer(page.folded):
        tstart = m.start("type")
        if not page.free(tstart) or not text[tstart:tstart + 1].isupper() or m.group("plural"):
            continue  # "các Quyết định của …: số …; số …" heads a list of numbered ones
        title, end = title_from(text, m.end(), len(text))
        if not title:
            continue
        full = text[tstart:end]
        if not _is_self(full, page.doc_type, page.doc_title, page.definitions):
            yield Found(_title_key(full, page), tstart, end,
                        type=TYPE_BY_FOLDED_NAME.get(m.group("type")), title=full)


def _title_key(title: str, page: Page) -> str:
    """The identity of a document cited by title only: its words, abbreviations spelled out."""
    return f"title:{slug(expand_abbreviations(title, page.definitions), TITLE_KEY_CHARS)}"


FINDERS: tuple[Callable[[Page], Iterator[Found]], ...] = (
    find_numbered, find_standards, find_congress, find_laws, find_bases, find_cued_titles)


def _refer_back(page: Page, drafts: dict[str, _Draft]) -> None:
    """``Nghị quyết nêu trên`` → a further mention of the last document of that type before."""
    for m in _PREVIOUS.finditer(page.folded):
        if not page.free(m.start()):
            continue
        t = TYPE_BY_FOLDED_NAME.get(m.group(1))
        prior = [d for d in drafts.values() if d.type == t and d.mentions
                 and min(p.start for p in d.mentions) < m.start()]
        if prior:
            prior[-1].mentions.append(_prov(page.doc.doc_id, page.outline, page.text, m.start(), m.end()))


def _scope(scope_kind: str, issuer: str | None, ctx: Context, cited_on: str | None) -> str | None:
    """The jurisdiction a local number belongs to: the unit its issuer names, on the map of the
    cited document's date ("UBND tỉnh Bắc Giang" in 2023 is the old province), else the
    citing document's."""
    if scope_kind == "national":
        return None
    if issuer:
        own_new = (ctx.province or "").startswith(admin.NEW_PREFIX)
        after = admin.new_map(cited_on) if cited_on else own_new
        for _s, _e, u in admin.find_typed_units(issuer, ctx.province if own_new == after else None, after):
            return u.id
        fi = fold(issuer)
        if re.search(r"\b(?:tinh|tinh uy)\b", fi):
            return ctx.province or ctx.jurisdiction or "unknown"
    if scope_kind == "province":
        return ctx.province or ctx.jurisdiction or "unknown"
    return ctx.jurisdiction or ctx.province or "unknown"


def _congress_title(text: str, start: int) -> tuple[str, int]:
    seg = text[start:start + CONGRESS_CHARS]
    m = re.match(r"[^,;.\n]*", seg)
    end = m.end() if m else len(seg)
    extra = re.match(r"(?:,?\s*(?:lần thứ\s+[IVXLC\d]+|nhiệm kỳ\s+\d{4}\s*-\s*\d{4}))+", seg[end:])
    if extra:
        end += extra.end()
    title = seg[:end]
    title = re.split(r"\s+(?:và|để|nhằm|nói chung|đã|theo)\s", title)[0]
    title = SUP.sub("", title).strip(" ,")
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


def _is_own_number_line(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    return bool(re.match(r"\s*(?:\*\s*)?Số\s*:?\s*$", text[line_start:pos]))


def _skip_spans(doc: NormDoc, outline: Outline) -> list[tuple[int, int]]:
    """Text that cites nothing of the document's own: a portal's panel or a wrong title line
    before its header, the recipients, the signature and what follows it."""
    spans = []
    start, _issuer = header_start(doc)
    if start > 0:
        spans.append((0, start))
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
