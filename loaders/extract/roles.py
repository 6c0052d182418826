"""Tasks and responsibilities: who leads (chủ trì), cooperates (phối hợp), is the standing
agency (thường trực), receives reports (báo cáo), advises (tham mưu) or supervises (giám sát).

Three shapes are read: sentences in the implementation section whose subject is a list of
agencies ("X chủ trì, phối hợp với Y …", "Giao X …"); headings that name an agency followed
by its duties ("1. Phòng Nội vụ"); and rows of appendix task tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

from ..lexicon import AREAS, DUTY_HEADING, EXHORTATION
from ..model import Agency, NormDoc, Provenance, Responsibility, Section, Task
from ..outline import Outline, marker_of
from ..text import LOWER, UPPER, by_first_character, fold, sentences
from .agencies import Context, Mention, parse_list, role_named
from .grammar import deadline_of, schedule_of
from .tables import task_rows

_LEAD_CUE = re.compile(
    r"(?:\W*(?:\(?\d+\)?[.)]|[a-zđ]\)|[-+•*–])\s*)*(?:(?:giao(?: cho)?|de nghi|yeu cau)\s+)?")
_ADVERBIAL = re.compile(r"(?:can cu|tren co so|hang nam|hang quy|dinh ky|theo|de|trong|sau khi|"
                        r"nham|ngoai ra|dong thoi|ben canh do)\b")
_GIVES = re.compile(r"\s*(?:giao(?: cho)?|phan cong(?: cho)?|uy quyen(?: cho)?|yeu cau|de nghi)\s+")
_DIRECTS = re.compile(r"\s*(?:chi dao|don doc)\s+")
# "Cơ quan phối hợp có trách nhiệm …": a body named by its role, as the subject of a duty
_ROLE_SUBJECT = re.compile(
    r"(?:cac |nhung )?(?:co quan|don vi|bo phan)(?: [a-z]+){1,10}?(?= (?:co|chiu) trach nhiem| chu tri)")
# a sentence that assigns what follows it: "Sở A thực hiện các nhiệm vụ sau:", "Giao Sở A …:"
_LEAD_IN_END = re.compile(r":\s*$")
_PAREN_ONLY = re.compile(r"\s*\([^()]*\)\s*")
_NAME_CELL_CHARS = 120  # a cell longer than this is a description, not a body's name
_ADVERBIAL_CHARS = 300  # how far into a sentence an opening adverbial ("Căn cứ …, ") may run
_STANDING = re.compile(r"\b(?:la )?(?:co quan|don vi) thuong truc\b")
_CHU_TRI = re.compile(r"\bchu tri\b")
# "Điều 3. Chánh Văn phòng …, Giám đốc Sở … chịu trách nhiệm thi hành Quyết định này"
# "X có trách nhiệm <làm gì>", "… chịu trách nhiệm thi hành"; not accountability ("chịu trách
# nhiệm trước UBND tỉnh", "… về nội dung")
_DUTY = re.compile(r"\b(?:co|chiu) trach nhiem (?!truoc|ve |phap ly|giai trinh)[a-z]")
# one of these is in every sentence that _CHU_TRI, _DUTY or "giao" takes
_ASSIGNING_WORDS = ("chu tri", "trach nhiem", "giao", "yeu cau", "de nghi", "phoi hop")
_COOP = re.compile(r"\s*,?\s*\bphoi hop (?:voi|cung)\s+")
_REPORT = re.compile(
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
class _Run:
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


def _exhorts(text: str, folded: str, run: _Run) -> bool:
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


def extract_roles(doc: NormDoc, outline: Outline, ctx: Context
                  ) -> tuple[list[Task], list[Responsibility], list[Agency]]:
    text = doc.text
    folded = doc.folded
    tasks: list[Task] = []
    resps: list[Responsibility] = []
    agencies: dict[str, Agency] = {}
    n = [0]

    def new_task(s: int, e: int, title: str, sec: Section | None, lead: list[str],
                 coop: list[str], source: str, deadline: str | None = None,
                 product: str | None = None, area_hint: str = "") -> Task:
        n[0] += 1
        body = text[s:e]
        found, freq = deadline_of(body)
        due = deadline or found
        t = Task(f"task:{doc.doc_id}:{n[0]}", doc.doc_id, sec.path if sec else "", title, body,
                 classify_area(f"{area_hint} {title}", folded[s:e]), tuple(dict.fromkeys(lead)),
                 tuple(dict.fromkeys(coop)), due,
                 Provenance(doc.doc_id, sec.path if sec else "", s, e, body), freq, product,
                 source, *schedule_of(due))
        tasks.append(t)
        return t

    def add(m: Mention, role: str, task: Task, s: int, e: int, deadline: str | None) -> None:
        a = m.agency(doc.doc_id, text, task.section)
        prev = agencies.get(a.id)
        if prev is None or (a.aliases and a.aliases[0] not in prev.aliases):
            aliases = tuple(dict.fromkeys((prev.aliases if prev else ()) + a.aliases))
            agencies[a.id] = Agency(a.id, a.name, a.kind, a.jurisdiction, aliases, a.is_group,
                                    prev.provenance if prev else a.provenance)
        key = (a.id, role, task.id)
        if key in seen:
            return
        seen.add(key)
        resps.append(Responsibility(a.id, role, task.id, doc.doc_id, deadline,
                                    Provenance(doc.doc_id, task.section, s, e, text[s:e])))

    def emit(run: _Run, title: str, sec: Section | None) -> None:
        """One task for a run of sentences, and a responsibility per agency and role."""
        if _exhorts(text, folded, run):
            return
        _roles_of_run(text, folded, run, ctx)
        if not run.subject and not run.extra:
            return  # a sentence that assigns nothing to anyone
        lead = [m.id for m in run.subject if "lead" in run.roles.get(m.id, set())]
        coop = [m.id for m, r, _s, _e in run.extra if r == "cooperate"]
        coop += [m.id for m in run.subject if "cooperate" in run.roles.get(m.id, set())]
        task = new_task(run.start, run.end, title, sec, lead, coop, "sentence")
        for m in run.subject:
            for role in sorted(run.roles.get(m.id, set())):
                add(m, role, task, run.start, run.end, task.deadline)
        for m, role, _s, _e in run.extra:
            add(m, role, task, run.start, run.end, task.deadline if role == "report_to" else None)

    seen: set[tuple[str, str, str]] = set()
    handled: set[int] = set()
    leads = _lead_ins(doc, outline, ctx)
    for sec, s, e, starts in _items(doc, outline, ctx, leads):
        heading = _heading_agencies(text, folded, sec, outline, ctx, leads)
        own_title = sec.title and s <= sec.title_end and not _own_agencies(text, folded, sec, ctx)
        for run in _runs(text, folded, s, e, heading, ctx):
            # a task's title is its own words: the item's title, else its first clause
            title = sec.title if own_title and run.start <= sec.title_end else _short(
                text[run.start:run.end])
            emit(run, title, sec)
        handled.update(starts)
    # explicit "X chủ trì" anywhere else (plans often assign inside the task list)
    for b in doc.blocks:
        if b.start in handled or b.kind not in ("para", "item", "heading"):
            continue
        sec = outline.section_at(b.start)
        if sec is not None and sec.kind in ("situation", "viewpoint", "preamble"):
            continue
        if not any(w in folded[b.start:b.end] for w in _ASSIGNING_WORDS):
            continue  # no sentence of it can pass the test below
        for s, e in sentences(text, b.start, b.end):
            f = folded[s:e]
            subj, _at, given = subject_at(text, folded, s, e, ctx)
            # before the first heading only a duty given to someone ("… yêu cầu Sở A …")
            if not subj or not (given or (sec is not None and (
                    _CHU_TRI.search(f) or _DUTY.search(f) or _COOP.match(folded, subj[-1].end)))):
                continue
            emit(_Run(s, e, subj, False), _short(text[s:e]), sec)
    # "Cơ quan chủ trì: …; Cơ quan phối hợp: …; Thời gian: …" under a task item
    by_path = outline.by_path
    labelled: set[str] = set()
    groups: dict[str, list[re.Match[str]]] = {}
    for lm in _LABEL.finditer(folded):
        sec = outline.section_at(lm.start())
        while sec is not None and sec.parent and _is_label_item(text, folded, sec):
            sec = by_path.get(sec.parent)  # a "- Cơ quan chủ trì: …" bullet belongs to its item
        if sec is None or sec.kind in ("situation", "viewpoint"):
            continue
        groups.setdefault(sec.path, []).append(lm)
    for path, labels in groups.items():
        sec = by_path[path]
        roles: dict[str, list[tuple[Mention, int, int]]] = {"lead": [], "cooperate": []}
        due = product = None
        for lm in labels:
            vstart = lm.end()
            vend = _value_end(text, vstart, sec.end)
            key = _label_key(lm)
            value = " ".join(text[vstart:vend].split()).rstrip(".;") or None
            if key in ("chu tri", "thuc hien", "phoi hop"):
                role = "cooperate" if key == "phoi hop" else "lead"
                roles[role] += [(m, lm.start(), vend)
                                for m in _cell_agencies(text, folded, (vstart, vend), ctx)]
            elif key.startswith(("thoi gian", "thoi han", "tien do")):
                due = due or value
            else:
                product = product or value
        if not roles["lead"] and not roles["cooperate"]:
            continue
        end = max(lm.end() for lm in labels)
        end = _value_end(text, end, sec.end)
        labelled.add(path)
        task = new_task(sec.start, end, sec.title or _short(text[sec.title_end:end]), sec,
                        [m.id for m, _s, _e in roles["lead"]],
                        [m.id for m, _s, _e in roles["cooperate"]], "section", deadline=due,
                        product=product)
        for role, items in roles.items():
            for m, ms, me in items:
                add(m, role, task, ms, me, task.deadline if role == "lead" else None)
    # items of the task and solution sections: tasks with no agency yet
    for sec in outline.sections:
        if sec.kind not in ("tasks", "solutions"):
            continue
        parent = outline.parent(sec)
        if (parent is None or parent.kind != sec.kind or sec.path in labelled
                or sec.style in ("bullet", "plus", "bullet2")):
            continue
        child = outline.first_child(sec)
        # its bullets are part of its text; numbered children are tasks of their own
        end = child.start if child and child.style not in ("bullet", "plus", "bullet2") else sec.end
        s, e = sec.start, end
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s < 10:
            continue
        new_task(s, e, sec.title or _short(text[sec.title_end:e]), sec, [], [], "section")
    # appendix task tables
    for rows in outline.tables.values():
        _table_tasks(doc, text, folded, rows, outline, ctx, new_task, add)
    return tasks, resps, list(agencies.values())


# every branch starts with a letter, not a group, so the regex engine skips ahead to the
# branches' first letters (5x faster over a document); the key is k1, k2 or the label itself
_LABEL = re.compile(
    r"(?:co quan\s+(?P<k1>chu tri|phoi hop|thuc hien)|don vi\s+(?P<k2>chu tri|phoi hop|thuc hien)"
    r"|chu tri(?<![a-z] chu tri)|phoi hop(?<![a-z] phoi hop)"
    r"|thoi gian(?: thuc hien| hoan thanh)?|thoi han(?: hoan thanh)?|tien do(?: thuc hien)?"
    r"|san pham|ket qua dau ra)(?P<colon>\s*:\s*)")


def _label_key(m: re.Match[str]) -> str:
    return m.group("k1") or m.group("k2") or m.string[m.start():m.start("colon")]


def _is_label_item(text: str, folded: str, sec: Section) -> bool:
    mk = marker_of(text[sec.start:sec.start + 20])
    return bool(_LABEL.match(folded, sec.start + (mk[2] if mk else 0)))


def _value_end(text: str, start: int, limit: int) -> int:
    """A labelled value ends at the line end, a semicolon before the next label, or a period."""
    m = re.search(r"\n|;\s*(?=[^;\n]{0,40}:)|\.(?=\s|$)", text[start:limit])
    return start + m.start() if m else limit


def _short(s: str, words: int = 14) -> str:
    """A title for a task: its first clause, at most ``words`` words."""
    s = re.sub(r"^\W*(?:\(?\d+\)?[.)]|[a-zđ]\)|[-+•])\s*", "", s)
    s = re.split(r"[.;:](?=\s|$)", s, maxsplit=1)[0]
    w = s.split()
    return " ".join(w[:words]) + (" …" if len(w) > words else "")


_NO_DUTIES = ("situation", "viewpoint", "goals", "preamble")


def _lead_ins(doc: NormDoc, outline: Outline, ctx: Context) -> dict[str, tuple[int, list[Mention]]]:
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


def _items(doc: NormDoc, outline: Outline, ctx: Context,
           leads: dict[str, tuple[int, list[Mention]]]) -> list[tuple[Section, int, int, list[int]]]:
    """The items of the implementation sections and of sections a lead-in hands to agencies:
    (section, start, end, block starts) of each section's text up to its first child, less a
    heading line that only names its agencies."""
    text, folded = doc.text, doc.folded
    out: list[tuple[Section, int, int, list[int]]] = []
    for b in doc.blocks:
        sec = outline.section_at(b.start)
        if b.kind not in ("para", "item", "heading") or sec is None or sec.kind in _NO_DUTIES:
            continue
        if sec.kind != "implementation" and not any(
                a.path in leads and leads[a.path][0] < b.start for a in outline.ancestors(sec)):
            continue
        if any(leads.get(a.path, (-1,))[0] == b.start for a in outline.ancestors(sec)):
            continue  # the lead-in itself
        if sec.start == b.start and sec.title_end >= b.end and outline.first_child(sec) is not None:
            continue  # a heading over items ("1. Nhiệm vụ chung")
        if _LEAD_IN_END.search(text, b.start, b.end) and outline.first_child(sec) is not None \
                and not subject_at(text, folded, b.start, b.end, ctx)[0]:
            continue  # "Ngoài các nhiệm vụ trên, … như sau:": it introduces the items below
        start = b.start
        own = bool(_own_agencies(text, folded, sec, ctx))
        if sec.start == b.start and (own or b.kind == "heading" or (b.bold and sec.title_end >= b.end)):
            if sec.title_end >= b.end or _PAREN_ONLY.fullmatch(text, sec.title_end, b.end):
                continue  # a heading line ("1. Sở A (cơ quan chủ trì)"): the subject of what follows
            start = sec.title_end
        # an item's paragraphs are one task; under a heading that only names agencies, each
        # paragraph is an item of its own
        if out and out[-1][0] is sec and not own:
            out[-1][2] = b.end  # type: ignore[index]
            out[-1][3].append(b.start)
        else:
            out.append([sec, start, b.end, [b.start]])  # type: ignore[arg-type]
    return [tuple(x) for x in out]  # type: ignore[misc]


def _own_agencies(text: str, folded: str, sec: Section, ctx: Context) -> list[Mention]:
    """Agencies that the section's own heading names, if that is all it says (``1. Phòng Nội
    vụ:``, ``Các cơ quan chủ trì thẩm định (Sở A, Sở B):``)."""
    return list(_heading_names(text, folded, sec, ctx))


@lru_cache(maxsize=1024)  # asked for every block and every item of a section (a str keeps its hash)
def _heading_names(text: str, folded: str, sec: Section, ctx: Context) -> tuple[Mention, ...]:
    if not sec.title:
        return ()
    start = text.find(sec.title, sec.start, sec.title_end + 1)
    start = start if start >= 0 else sec.title_end - len(sec.title)
    title_end = start + len(sec.title.rstrip(" :."))
    if m := DUTY_HEADING.match(folded, start, title_end):  # "Trách nhiệm của Sở A"
        start = m.end()
    ms = parse_list(text, folded, start, ctx)
    if ms and ms[-1].end >= title_end - 1:
        return tuple(ms)
    named = role_named(text, folded, start, title_end, ctx)
    return (named,) if named else ()


def _heading_agencies(text: str, folded: str, sec: Section | None, outline: Outline,
                      ctx: Context, leads: dict[str, tuple[int, list[Mention]]]) -> list[Mention]:
    """Agencies named by the heading of the section or of the nearest enclosing one, or
    handed its items by a lead-in."""
    while sec is not None and sec.kind not in _NO_DUTIES:
        ms = _own_agencies(text, folded, sec, ctx)
        if ms:
            return ms
        if sec.path in leads:
            return leads[sec.path][1]
        sec = outline.parent(sec)
    return []


def _runs(text: str, folded: str, s: int, e: int, heading: list[Mention], ctx: Context) -> list[_Run]:
    runs: list[_Run] = []
    for ss, se in sentences(text, s, e):
        subj, _, _ = subject_at(text, folded, ss, se, ctx)
        if subj:
            same = runs and [m.id for m in runs[-1].subject] == [m.id for m in subj]
            if same and not runs[-1].implicit:
                runs[-1].end = se
            else:
                runs.append(_Run(ss, se, subj, False))
        elif runs:
            runs[-1].end = se
        elif heading:
            runs.append(_Run(ss, se, heading, True))
        else:
            runs.append(_Run(ss, se, [], True))
    return runs


def _roles_of_run(text: str, folded: str, run: _Run, ctx: Context) -> None:
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
                if _CHU_TRI.search(rest) or len(rest.split()) > 25:
                    roles.add("lead")
            else:  # "X phối hợp với Y <làm gì>": X acts, Y cooperates
                roles.add("lead")
            if _ADVISE.match(pred) or re.search(r"\btham muu\b", pred[:40]):
                roles.add("advise")
            if _SUPERVISE.search(pred[:80]):
                roles.add("supervise")
        for cm in _COOP.finditer(folded, ss, se):
            for m in parse_list(text, folded, cm.end(), ctx):
                run.extra.append((m, "cooperate", ss, se))
        for rm in [*_REPORT.finditer(folded, ss, se), *_SENT_TO.finditer(folded, ss, se)]:
            ms = parse_list(text, folded, rm.end(), ctx)
            for m in ms:
                run.extra.append((m, "report_to", ss, se))


def _table_tasks(doc: NormDoc, text: str, folded: str, rows, outline: Outline,
                 ctx: Context, new_task, add) -> None:
    for tr in task_rows(text, rows):
        r = tr.block
        sec = outline.section_at(r.start)
        lead_ms = _cell_agencies(text, folded, tr.lead, ctx) if tr.lead else []
        coop_ms = _cell_agencies(text, folded, tr.cooperate, ctx) if tr.cooperate else []
        task_text = " ".join(text[tr.task[0]:tr.task[1]].split())
        title = task_text if len(task_text) < 160 else _short(task_text)
        t = new_task(r.start, r.end, title, sec, [m.id for m in lead_ms],
                     [m.id for m in coop_ms], "table", deadline=tr.due,
                     product=tr.product, area_hint=tr.group)
        for m in lead_ms:
            add(m, "lead", t, r.start, r.end, t.deadline)
        for m in coop_ms:
            add(m, "cooperate", t, r.start, r.end, None)
        for rm in _REPORT.finditer(folded, r.start, r.end):  # "… hằng quý báo cáo về Sở A"
            for m in parse_list(text, folded, rm.end(), ctx):
                add(m, "report_to", t, r.start, r.end, None)


def _cell_agencies(text: str, folded: str, span: tuple[int, int], ctx: Context) -> list[Mention]:
    """The agencies a table cell names; a cell that names its body in words the agency grammar
    does not know ("Văn phòng ĐKĐĐ hoặc Chi nhánh") is that body, kept as kind ``other``."""
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
        ms = parse_list(text, folded, pos, ctx)
        ms = [m for m in ms if m.end <= e]
        if ms:
            out.extend(ms)
            pos = ms[-1].end
        nxt = re.search(r"[,;/]\s*|\s+và\s+|\n", text[pos:e])
        if not nxt:
            break
        pos += nxt.end()
    return out
