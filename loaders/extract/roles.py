"""The grammar of duties in a sentence or an item: who leads (chủ trì), cooperates (phối hợp),
is the standing agency (thường trực), receives reports (báo cáo), advises (tham mưu) or
supervises (giám sát); the subject of a sentence ("X chủ trì, phối hợp với Y …", "Giao X …",
"… yêu cầu X …"); the agencies a heading or a lead-in hands its items to ("1. Phòng Nội vụ",
"Trách nhiệm của Sở A", "Trung tâm A thực hiện các nhiệm vụ sau:"); a task's reform area.
``duties`` reads the forms of a document with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from cchc_graph.keys import fold

from ..lexicon import AREAS, DUTY_HEADING, EXHORTATION, ROLE_BODIES
from ..model import NormDoc, Section
from ..outline import Outline
from ..text import LOWER, UPPER, by_first_character, sentences
from .agencies import Context, Mention
from .agency_lists import parse_list
from .named import role_named

_LEAD_CUE = re.compile(
    r"(?:\W*(?:\(?\d+\)?[.)]|[a-zđ]\)|[-+•*–])\s*)*(?:(?:giao(?: cho)?|(?:ve )?de nghi|yeu cau)\s+)?")
_ADVERBIAL = re.compile(r"(?:can cu|tren co so|hang nam|hang quy|dinh ky|theo|de|trong|sau khi|"
                        r"nham|ngoai ra|dong thoi|ben canh do|doi voi|truong hop|khi|neu)\b")
_GIVES = re.compile(r"\s*(?:giao(?: cho)?|phan cong(?: cho)?|uy quyen(?: cho)?|yeu cau|de nghi)\s+")
_TOPIC = re.compile(r"ve [^:.;]{1,80}:\s*")
_DIRECTS = re.compile(r"\s*(?:chi dao|don doc)\s+")
# "Cơ quan phối hợp có trách nhiệm …": a body named by its role, as the subject of a duty
_ROLE_SUBJECT = re.compile(
    rf"(?:cac |nhung )?{ROLE_BODIES}(?:,? [a-z]+){{1,10}}?(?= (?:co|chiu) trach nhiem| chu tri)")
# a sentence that assigns what follows it: "Sở A thực hiện các nhiệm vụ sau:", "Giao Sở A …:"
_LEAD_IN_END = re.compile(r":\s*$")
_PAREN_ONLY = re.compile(r"\s*\([^()]*\)\s*")
_NAME_CELL_CHARS = 120  # a cell longer than this is a description, not a body's name
_ADVERBIAL_CHARS = 300  # how far into a sentence an opening adverbial ("Căn cứ …, ") may run
_STANDING = re.compile(r"\b(?:la )?(?:co quan|don vi) thuong truc\b")
CHU_TRI = re.compile(r"\bchu tri\b")
# "Điều 3. Chánh Văn phòng …, Giám đốc Sở … chịu trách nhiệm thi hành Quyết định này"
# "X có trách nhiệm <làm gì>", "… chịu trách nhiệm thi hành"; not accountability ("chịu trách
# nhiệm trước UBND tỉnh", "… về nội dung")
DUTY = re.compile(r"\b(?:co|chiu) trach nhiem (?!truoc|ve |phap ly|giai trinh)[a-z]")
# one of these is in every sentence the sentence pass takes (CHU_TRI, DUTY, COOP, _GIVES, _DIRECTS)
ASSIGNING_WORDS = ("chu tri", "trach nhiem", "giao", "yeu cau", "de nghi", "phoi hop", "chi dao", "don doc",
                   "phan cong", "uy quyen")
COOP = re.compile(r"\s*,?\s*\bphoi hop (?:voi|cung)\s+")
REPORT = re.compile(
    r"\bbao cao(?:,?\s+(?:ket qua|tinh hinh|thuc hien|dinh ky|kip thoi|ve|voi|len|cho|va|tham muu|"
    r"de xuat|so ket|tong ket|bang van ban|tien do))*\s+")
# "báo cáo … gửi (về) X": the report goes to X
_SENT_TO = re.compile(r"(?<=\bbao cao\b)[^.;:]{0,80}?\bgui (?:ve |cho |toi |den )?(?=[a-z])")
_ADVISE = re.compile(r"^(?:\W*)(?:tham muu)\b")
_SUPERVISE = re.compile(r"\bgiam sat\b")
# what follows a subject: a lower-case verb, or after a colon a capitalised one ("Chủ trì …")
_PREDICATE = re.compile(
    r"\s*(?:[,:]\s*)?(?:\(|[" + LOWER + r"]|[" + UPPER + r"][" + LOWER + r"]+\s+[" + LOWER + r"])")


@dataclass(slots=True)
class Run:
    start: int
    end: int
    subject: list[Mention]
    implicit: bool
    roles: dict[str, set[str]] = field(default_factory=dict)  # agency id → roles
    extra: list[tuple[Mention, str, int, int]] = field(default_factory=list)


def classify_area(title: str, fx: str) -> str:
    """The reform area whose keywords the task's title names most, the text breaking ties (a
    title says what the task is about; its text names whom it serves: "tuyên truyền cho cán
    bộ, công chức" is communication); ``fx``: the task's text folded."""
    best, score = "other", (0, 0)
    for a, t, n in zip(AREAS, _title_counts(title), _area_counts(fx), strict=True):
        if (t, n) > score:
            best, score = a.area, (t, n)
    return best


@lru_cache(maxsize=256)  # the tasks of a section share its title
def _title_counts(title: str) -> tuple[int, ...]:
    return tuple(_area_counts(fold(title)))


def _area_counts(fx: str) -> list[int]:
    """How often ``fx`` names each area's keywords (each counted by ``str.count``); only the
    keywords found in it are counted."""
    counts = [0] * len(AREAS)
    areas = _keyword_search()[2]
    for k in _keywords_in(fx):
        n = fx.count(k)
        for i in areas[k]:
            counts[i] += n
    return counts


@cache
def _keyword_search() -> tuple[re.Pattern[str], dict[str, tuple[str, ...]], dict[str, tuple[int, ...]]]:
    """Every area keyword, longest first and gathered by first letter; for each keyword those
    it starts with (found where it is found), and the areas (indices) that list it."""
    words = sorted({k for a in AREAS for k in a.keywords}, key=len, reverse=True)
    return (re.compile(by_first_character([re.escape(k) for k in words])),
            {k: tuple(p for p in words if k.startswith(p)) for k in words},
            {k: tuple(i for i, a in enumerate(AREAS) if k in a.keywords) for k in words})


def _keywords_in(fx: str) -> set[str]:
    """The area keywords that occur in ``fx``: one search instead of counting each (~70).

    Where keywords start at one place, the longest is found there and the others are its
    prefixes; every place is searched, so overlapping keywords are all found."""
    rx, prefixes, _areas = _keyword_search()
    out: set[str] = set()
    pos = 0
    while (m := rx.search(fx, pos)) is not None:
        out.update(prefixes[m.group()])
        pos = m.start() + 1
    return out


def subject_at(text: str, folded: str, s: int, e: int, ctx: Context
               ) -> tuple[list[Mention], int, bool]:
    """Agencies that are the grammatical subject of the sentence ``text[s:e]``, where they
    start, and whether they were given the task: by the subject ("UBND tỉnh giao Sở A …",
    "… yêu cầu Sở A …") or by the sentence's first word ("Đề nghị Sở A …")."""
    m = _LEAD_CUE.match(folded, s, e)
    pos = m.end() if m else s
    if t := _TOPIC.match(folded, pos, e):  # "3. Về tập huấn: Sở A chủ trì …"
        pos = t.end()
    cued = pos > s and _GIVES.search(folded, s, pos) is not None
    cands = [pos]
    if _ADVERBIAL.match(folded, pos):
        # after "Trên cơ sở …, " the subject opens a clause: a name, or "các …"
        cands += [pos + c.end() for c in re.finditer(r",\s+", text[pos:min(e, pos + _ADVERBIAL_CHARS)])
                  if text[pos + c.end():pos + c.end() + 1].isupper()
                  or folded.startswith("cac ", pos + c.end())]
    for c in cands:
        ms = parse_list(text, folded, c, ctx) or _role_subject(text, folded, c, e, ctx)
        if ms and _PREDICATE.match(text[ms[-1].end:ms[-1].end + 24]) and ms[-1].end < e:
            # "Ban Thường vụ Tỉnh ủy giao Sở Nội vụ chủ trì …": the one given the task acts;
            # "Chánh Văn phòng chỉ đạo Giám đốc Trung tâm triển khai …": both act
            gm = _GIVES.match(folded, ms[-1].end) or _DIRECTS.match(folded, ms[-1].end)
            if gm:
                given = parse_list(text, folded, gm.end(), ctx)
                if given:
                    both = ms + given if gm.re is _DIRECTS else given
                    return both, gm.end(), True
            return ms, c, cued and c == pos
    return [], -1, False


# what turns an exhortation into a duty: "… quán triệt Nghị quyết và xây dựng kế hoạch thực hiện"
_CONCRETE = re.compile(r"\b(?:xay dung|ban hanh|trien khai|to chuc thuc hien|ke hoach|chuong trinh|"
                       r"de an|bao cao|kiem tra|giam sat)\b")


def exhorts(text: str, folded: str, run: Run) -> bool:
    """"Các cấp ủy, chính quyền, các ngành … quán triệt Nghị quyết": groups asked to study and
    spread a text, no one given a task (CONVENTIONS: not a duty)."""
    if run.implicit or not run.subject or not all(m.is_group for m in run.subject):
        return False
    pred = folded[run.subject[-1].end:run.end]
    pred = re.sub(r"^[\s,]*(?:(?:trong|cua|o) (?:tinh|huyen|thanh pho|xa)\s*)?", "", pred)
    return EXHORTATION.match(pred) is not None and not _CONCRETE.search(pred)


def _role_subject(text: str, folded: str, s: int, e: int, ctx: Context) -> list[Mention]:
    m = _ROLE_SUBJECT.match(folded, s, e)
    named = role_named(text, folded, s, m.end(), ctx) if m else None
    return [named] if named else []


def short_title(s: str, words: int = 14) -> str:
    """A title for a task: its first clause, at most ``words`` words."""
    s = re.sub(r"^\W*(?:\(?\d+\)?[.)]|[a-zđ]\)|[-+•])\s*", "", s)
    s = re.split(r"[.;:](?=\s|$)", s, maxsplit=1)[0]
    w = s.split()
    return " ".join(w[:words]) + (" …" if len(w) > words else "")


_NO_DUTIES = ("situation", "viewpoint", "goals", "preamble")


def lead_ins(doc: NormDoc, outline: Outline, ctx: Context) -> dict[str, tuple[int, list[Mention]]]:
    """Paragraphs that hand what follows to agencies ("Trung tâm A thực hiện các nhiệm vụ
    sau:"), by the path of their section: (where, agencies)."""
    text, folded = doc.text, doc.folded
    out: dict[str, tuple[int, list[Mention]]] = {}
    for b in doc.blocks:
        if b.kind != "para" or not _LEAD_IN_END.search(text, b.start, b.end):
            continue
        sec = outline.section_at(b.start)
        if sec is None or sec.kind in _NO_DUTIES or sec.path in out:
            continue
        s = max((ss for ss, _se in sentences(text, b.start, b.end)), default=b.start)
        subj, _at, _given = subject_at(text, folded, s, b.end, ctx)
        if subj:
            out[sec.path] = (b.start, subj)
    return out


def items(doc: NormDoc, outline: Outline, ctx: Context, headings: Headings,
          leads: dict[str, tuple[int, list[Mention]]]) -> list[tuple[Section, int, int, list[int]]]:
    """The items of the implementation sections and of sections a lead-in hands to agencies:
    (section, start, end, block starts) of each section's text up to its first child, less a
    heading line that only names its agencies."""
    text, folded = doc.text, doc.folded
    out: list[list[Any]] = []  # (each item's section, start, end, block starts: grown in place)
    for b in doc.blocks:
        sec = outline.section_at(b.start)
        if b.kind not in ("para", "item", "heading") or sec is None or sec.kind in _NO_DUTIES:
            continue
        handed = [leads[a.path][0] for a in outline.ancestors(sec) if a.path in leads]
        if b.start in handed:
            continue  # the lead-in itself
        if sec.kind != "implementation" and not any(at < b.start for at in handed):
            continue
        if sec.start == b.start and sec.title_end >= b.end and outline.first_child(sec) is not None:
            continue  # a heading over items ("1. Nhiệm vụ chung")
        if _LEAD_IN_END.search(text, b.start, b.end) and outline.first_child(sec) is not None \
                and not subject_at(text, folded, b.start, b.end, ctx)[0]:
            continue  # "Ngoài các nhiệm vụ trên, … như sau:": it introduces the items below
        start = b.start
        own = bool(headings(sec))
        if sec.start == b.start and (own or b.kind == "heading" or (b.bold and sec.title_end >= b.end)):
            if sec.title_end >= b.end or _PAREN_ONLY.fullmatch(text, sec.title_end, b.end):
                # a heading line ("1. Sở A (cơ quan chủ trì)"): the subject of what follows, read
                out.append([sec, b.end, b.end, [b.start]])
                continue
            start = sec.title_end
        # an item's paragraphs are one task; under a heading that only names agencies, each
        # paragraph is an item of its own
        if out and out[-1][0] is sec and not own:
            out[-1][2] = b.end
            out[-1][3].append(b.start)
        else:
            out.append([sec, start, b.end, [b.start]])
    return [(sec, start, end, starts) for sec, start, end, starts in out]


class Headings:
    """The agencies each section's own heading names, if that is all it says (``1. Phòng Nội
    vụ:``, ``Trách nhiệm của Sở A``, ``Các cơ quan chủ trì thẩm định (Sở A, Sở B):``); read once
    per section of one document (every block and item of a section asks)."""

    def __init__(self, text: str, folded: str, ctx: Context) -> None:
        self.text, self.folded, self.ctx = text, folded, ctx
        self._read: dict[str, list[Mention]] = {}

    def __call__(self, sec: Section) -> list[Mention]:
        if sec.path not in self._read:
            self._read[sec.path] = self._names(sec)
        return self._read[sec.path]

    def _names(self, sec: Section) -> list[Mention]:
        text, folded = self.text, self.folded
        if not sec.title:
            return []
        start = text.find(sec.title, sec.start, sec.title_end + 1)
        start = start if start >= 0 else sec.title_end - len(sec.title)
        title_end = start + len(sec.title.rstrip(" :."))
        if m := DUTY_HEADING.match(folded, start, title_end):  # "Trách nhiệm của Sở A"
            start = m.end()
        ms = parse_list(text, folded, start, self.ctx)
        if ms and ms[-1].end >= title_end - 1:
            return ms
        named = role_named(text, folded, start, title_end, self.ctx)
        return [named] if named else []


def heading_agencies(sec: Section | None, outline: Outline, headings: Headings,
                     leads: dict[str, tuple[int, list[Mention]]]) -> list[Mention]:
    """Agencies named by the heading of the section or of the nearest enclosing one, or
    handed its items by a lead-in."""
    while sec is not None and sec.kind not in _NO_DUTIES:
        ms = headings(sec)
        if ms:
            return ms
        if sec.path in leads:
            return leads[sec.path][1]
        sec = outline.parent(sec)
    return []


def runs(text: str, folded: str, s: int, e: int, heading: list[Mention], ctx: Context) -> list[Run]:
    runs: list[Run] = []
    for ss, se in sentences(text, s, e):
        subj, _, _ = subject_at(text, folded, ss, se, ctx)
        if subj:
            same = runs and [m.id for m in runs[-1].subject] == [m.id for m in subj]
            if same and not runs[-1].implicit:
                runs[-1].end = se
            else:
                runs.append(Run(ss, se, subj, False))
        elif runs:
            runs[-1].end = se
        elif heading:
            runs.append(Run(ss, se, heading, True))
        else:
            runs.append(Run(ss, se, [], True))
    return runs


def roles_of_run(text: str, folded: str, run: Run, ctx: Context) -> None:
    subj_end = run.subject[-1].end if run.subject and not run.implicit else run.start
    for ss, se in sentences(text, run.start, run.end):
        f = folded[ss:se]
        pred_start = max(ss, subj_end) if subj_end <= se else ss
        pred = folded[pred_start:se].lstrip(" ,:")
        pred = re.sub(r"^\W*(?:\(?\d+\)?[.)]|[a-zđ]\)|[-+•])\s*", "", pred)
        standing = bool(_STANDING.search(f))
        for m in run.subject:
            roles = run.roles.setdefault(m.id, set())
            if standing:
                roles.add("standing")
                rest = _STANDING.split(f, 1)[-1]
                if CHU_TRI.search(rest) or len(rest.split()) > 25:
                    roles.add("lead")
            else:  # "X phối hợp với Y <làm gì>": X acts, Y cooperates
                roles.add("lead")
            if _ADVISE.match(pred) or re.search(r"\btham muu\b", pred[:40]):
                roles.add("advise")
            if _SUPERVISE.search(pred[:80]):
                roles.add("supervise")
        for cm in COOP.finditer(folded, ss, se):
            for m in parse_list(text, folded, cm.end(), ctx):
                run.extra.append((m, "cooperate", ss, se))
        for rm in [*REPORT.finditer(folded, ss, se), *_SENT_TO.finditer(folded, ss, se)]:
            ms = parse_list(text, folded, rm.end(), ctx)
            for m in ms:
                run.extra.append((m, "report_to", ss, se))
