"""Tasks and who holds them, by form: each finder reads one shape of assignment and hands what
it found to one :class:`Duties` that numbers the tasks and keeps each agency once.

- items of implementation sections and of lead-ins (``roles.items``): "1. Sở A: …",
  "Trách nhiệm của Sở A" with its items, "Trung tâm A thực hiện các nhiệm vụ sau:";
- sentences with an explicit assignment anywhere else: "Sở A chủ trì …", "Giao Sở A …",
  "… yêu cầu Sở A …", "Sở A có trách nhiệm …";
- labelled blocks (``labels``): "Cơ quan chủ trì: …; Cơ quan phối hợp: …";
- items of the task and solution sections, with no agency yet;
- task tables (``tables``), whatever their header's words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Agency, NormDoc, Provenance, Responsibility, Section, Task, TaskSource
from ..outline import Outline
from ..text import sentences
from .agencies import Context, Mention
from .agency_lists import parse_list
from .grammar import deadline_of, schedule_of
from .labels import labelled_items
from .named import cell_agencies
from .roles import (
    ASSIGNING_WORDS,
    CHU_TRI,
    COOP,
    DUTY,
    REPORT,
    Headings,
    Run,
    classify_area,
    exhorts,
    heading_agencies,
    items,
    lead_ins,
    roles_of_run,
    runs,
    short_title,
    subject_at,
)
from .tables import task_rows

_BULLETS = ("bullet", "plus", "bullet2")
_MIN_TASK_CHARS = 10  # shorter than this, a numbered line is a heading fragment, not a task


@dataclass(slots=True)
class Duties:
    """The tasks, responsibilities and agencies of one document, as the finders add them."""

    doc: NormDoc
    ctx: Context
    tasks: list[Task] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    agencies: dict[str, Agency] = field(default_factory=dict)
    seen: set[tuple[str, str, str]] = field(default_factory=set)

    def task(self, s: int, e: int, title: str, sec: Section | None, lead: list[str],
             coop: list[str], source: TaskSource, deadline: str | None = None,
             product: str | None = None, area_hint: str = "") -> Task:
        doc = self.doc
        body = doc.text[s:e]
        found, freq = deadline_of(body)
        due = deadline or found
        path = sec.path if sec else ""
        t = Task(f"task:{doc.doc_id}:{len(self.tasks) + 1}", doc.doc_id, path, title, body,
                 classify_area(f"{area_hint} {title}", doc.folded[s:e]), tuple(dict.fromkeys(lead)),
                 tuple(dict.fromkeys(coop)), due, Provenance(doc.doc_id, path, s, e, body), freq,
                 product, source, *schedule_of(due))
        self.tasks.append(t)
        return t

    def add(self, m: Mention, role: str, task: Task, s: int, e: int, deadline: str | None) -> None:
        doc = self.doc
        a = m.agency(doc.doc_id, doc.text, task.section)
        prev = self.agencies.get(a.id)
        if prev is None or (a.aliases and a.aliases[0] not in prev.aliases):
            aliases = tuple(dict.fromkeys((prev.aliases if prev else ()) + a.aliases))
            self.agencies[a.id] = Agency(a.id, a.name, a.kind, a.jurisdiction, aliases, a.is_group,
                                         prev.provenance if prev else a.provenance)
        key = (a.id, role, task.id)
        if key not in self.seen:
            self.seen.add(key)
            self.responsibilities.append(Responsibility(
                a.id, role, task.id, doc.doc_id, deadline, Provenance(doc.doc_id, task.section, s, e,
                                                                      doc.text[s:e])))

    def run(self, run: Run, title: str, sec: Section | None) -> None:
        """One task for a run of sentences, and a responsibility per agency and role."""
        text, folded = self.doc.text, self.doc.folded
        if exhorts(text, folded, run):
            return
        roles_of_run(text, folded, run, self.ctx)
        if not run.subject and not run.extra:
            return  # a sentence that assigns nothing to anyone
        lead = [m.id for m in run.subject if "lead" in run.roles.get(m.id, set())]
        coop = [m.id for m, r, _s, _e in run.extra if r == "cooperate"]
        coop += [m.id for m in run.subject if "cooperate" in run.roles.get(m.id, set())]
        task = self.task(run.start, run.end, title, sec, lead, coop, "sentence")
        for m in run.subject:
            for role in sorted(run.roles.get(m.id, set())):
                self.add(m, role, task, run.start, run.end, task.deadline)
        for m, role, _s, _e in run.extra:
            self.add(m, role, task, run.start, run.end, task.deadline if role == "report_to" else None)


def extract_roles(doc: NormDoc, outline: Outline, ctx: Context
                  ) -> tuple[list[Task], list[Responsibility], list[Agency]]:
    d = Duties(doc, ctx)
    handled = _item_duties(d, outline)
    _sentence_duties(d, outline, handled)
    labelled = _labelled_duties(d, outline)
    _section_tasks(d, outline, labelled)
    for rows in outline.tables.values():
        _table_duties(d, outline, rows)
    return d.tasks, d.responsibilities, list(d.agencies.values())


def _item_duties(d: Duties, outline: Outline) -> set[int]:
    """Items under headings or lead-ins that name their agencies; the blocks read."""
    text, folded, ctx = d.doc.text, d.doc.folded, d.ctx
    handled: set[int] = set()
    leads = lead_ins(d.doc, outline, ctx)
    headings = Headings(text, folded, ctx)
    for sec, s, e, starts in items(d.doc, outline, ctx, headings, leads):
        heading = heading_agencies(sec, outline, headings, leads)
        own_title = sec.title and s <= sec.title_end and not headings(sec)
        for run in runs(text, folded, s, e, heading, ctx):
            # a task's title is its own words: the item's title, else its first clause
            title = sec.title if own_title and run.start <= sec.title_end else short_title(
                text[run.start:run.end])
            d.run(run, title, sec)
        handled.update(starts)
    return handled


def _sentence_duties(d: Duties, outline: Outline, handled: set[int]) -> None:
    """An explicit assignment anywhere else (plans often assign inside the task list)."""
    text, folded = d.doc.text, d.doc.folded
    for b in d.doc.blocks:
        if b.start in handled or b.kind not in ("para", "item", "heading"):
            continue
        sec = outline.section_at(b.start)
        if sec is not None and sec.kind in ("situation", "viewpoint", "preamble"):
            continue
        if not any(w in folded[b.start:b.end] for w in ASSIGNING_WORDS):
            continue  # no sentence of it can pass the test below
        for s, e in sentences(text, b.start, b.end):
            f = folded[s:e]
            subj, _at, given = subject_at(text, folded, s, e, d.ctx)
            # before the first heading only a duty given to someone ("… yêu cầu Sở A …")
            if not subj or not (given or (sec is not None and (
                    CHU_TRI.search(f) or DUTY.search(f) or COOP.match(folded, subj[-1].end)))):
                continue
            d.run(Run(s, e, subj, False), short_title(text[s:e]), sec)


def _labelled_duties(d: Duties, outline: Outline) -> set[str]:
    """Items closed by "Cơ quan chủ trì: …" labels; the paths of those items."""
    text, folded = d.doc.text, d.doc.folded
    done: set[str] = set()
    for item in labelled_items(text, folded, outline):
        roles = {role: [(m, ls, ve) for ls, vs, ve in spans
                        for m in cell_agencies(text, folded, (vs, ve), d.ctx)]
                 for role, spans in (("lead", item.lead), ("cooperate", item.cooperate))}
        if not roles["lead"] and not roles["cooperate"]:
            continue
        sec = item.section
        done.add(sec.path)
        task = d.task(sec.start, item.end, sec.title or short_title(text[sec.title_end:item.end]), sec,
                      [m.id for m, _s, _e in roles["lead"]], [m.id for m, _s, _e in roles["cooperate"]],
                      "section", deadline=item.due, product=item.product)
        for role, found in roles.items():
            for m, ms, me in found:
                d.add(m, role, task, ms, me, task.deadline if role == "lead" else None)
    return done


def _section_tasks(d: Duties, outline: Outline, labelled: set[str]) -> None:
    """Items of the task and solution sections: tasks with no agency yet."""
    text = d.doc.text
    for sec in outline.sections:
        if sec.kind not in ("tasks", "solutions"):
            continue
        parent = outline.parent(sec)
        if parent is None or parent.kind != sec.kind or sec.path in labelled or sec.style in _BULLETS:
            continue
        child = outline.first_child(sec)
        # its bullets are part of its text; numbered children are tasks of their own
        s, e = sec.start, child.start if child and child.style not in _BULLETS else sec.end
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= _MIN_TASK_CHARS:
            d.task(s, e, sec.title or short_title(text[sec.title_end:e]), sec, [], [], "section")


def _table_duties(d: Duties, outline: Outline, rows) -> None:
    """Rows of a task table: lead and cooperating columns, and where reports go."""
    text, folded, ctx = d.doc.text, d.doc.folded, d.ctx
    for tr in task_rows(text, rows):
        r = tr.block
        lead_ms = cell_agencies(text, folded, tr.lead, ctx) if tr.lead else []
        coop_ms = cell_agencies(text, folded, tr.cooperate, ctx) if tr.cooperate else []
        task_text = " ".join(text[tr.task[0]:tr.task[1]].split())
        title = task_text if len(task_text) < 160 else short_title(task_text)
        t = d.task(r.start, r.end, title, outline.section_at(r.start), [m.id for m in lead_ms],
                   [m.id for m in coop_ms], "table", deadline=tr.due, product=tr.product,
                   area_hint=tr.group)
        for m in lead_ms:
            d.add(m, "lead", t, r.start, r.end, t.deadline)
        for m in coop_ms:
            d.add(m, "cooperate", t, r.start, r.end, None)
        for rm in REPORT.finditer(folded, r.start, r.end):  # "… hằng quý báo cáo về Sở A"
            for m in parse_list(text, folded, rm.end(), ctx):
                d.add(m, "report_to", t, r.start, r.end, None)
