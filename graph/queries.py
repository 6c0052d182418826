"""Who leads what, agency profiles and search: the coordinators' questions."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import overload

from loaders.model import Provenance
from loaders.text import fold_key

from .index import ROLES, AgencyRef, Corpus, DocRef, NotFound, expand_query, prov


@dataclass(frozen=True, slots=True)
class RoleHolder:
    """One agency holding one role on a task, with the sentence that says so."""

    role: str
    agency: AgencyRef
    deadline: str | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class TaskAnswer:
    """A task with every agency that holds a role on it."""

    task: str
    document: DocRef
    section: str
    title: str
    text: str
    area: str
    deadline: str | None
    due_date: str | None
    recurrence: str | None
    frequency: str | None
    roles: tuple[RoleHolder, ...]
    provenance: Provenance

    def holders(self, role: str) -> tuple[AgencyRef, ...]:
        return tuple(r.agency for r in self.roles if r.role == role)


@dataclass(frozen=True, slots=True)
class AgencyRole:
    """One role an agency holds: on a task, in a document, by a deadline."""

    agency: AgencyRef
    role: str
    task: str | None
    task_title: str | None
    document: DocRef
    section: str
    deadline: str | None
    due_date: str | None
    recurrence: str | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Reporting:
    """``reporter`` reports to ``receiver`` on ``task`` (the task's lead and its report_to)."""

    reporter: AgencyRef
    receiver: AgencyRef
    task: str
    task_title: str
    document: str
    deadline: str | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class AgencyProfile:
    agency: AgencyRef
    aliases: tuple[str, ...]
    documents: tuple[DocRef, ...]
    role_counts: dict[str, int]
    roles: tuple[AgencyRole, ...]
    reports_to: tuple[Reporting, ...]
    reported_by: tuple[Reporting, ...]
    provenance: Provenance | None


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: str
    type: str
    label: str
    field: str
    snippet: str
    document: str | None
    provenance: Provenance | None


class Answers(Sequence[TaskAnswer]):
    """Answers built when read: a broad phrase matches thousands of tasks, of which a page
    shows fifty (the order is decided on the raw records first)."""

    def __init__(self, keys: list[str], build: Callable[[str], TaskAnswer]) -> None:
        self._keys, self._build = keys, build

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, i: int) -> TaskAnswer: ...
    @overload
    def __getitem__(self, i: slice) -> list[TaskAnswer]: ...
    def __getitem__(self, i: int | slice) -> TaskAnswer | list[TaskAnswer]:
        if isinstance(i, slice):
            return [self._build(k) for k in self._keys[i]]
        return self._build(self._keys[i])


def task_answer(c: Corpus, tid: str) -> TaskAnswer:
    t = c.tasks[tid]
    order = {r: i for i, r in enumerate(ROLES)}
    holders = sorted(c.resp_by_task.get(tid, []), key=lambda r: order.get(r["role"], 99))
    return TaskAnswer(
        tid, c.doc_ref(t["document"]), t["section"], c.task_title(tid), t["text"], t["area"],
        t.get("deadline"), t.get("due_date"), t.get("recurrence"), t.get("frequency"),
        tuple(RoleHolder(r["role"], c.agency_ref(r["agency"]), r.get("deadline"), prov(r["provenance"]))
              for r in holders),
        prov(t["provenance"]))


def _phrase_rx(phrase: str) -> re.Pattern[str]:
    words = fold_key(phrase).split()
    if not words:
        raise NotFound("cụm từ trống / empty phrase")
    return re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b")


def _in_scope(c: Corpus, doc_id: str, scope: set[str] | None, document: str | None) -> bool:
    if document and doc_id != document:
        return False
    return scope is None or c.documents.get(doc_id, {}).get("jurisdiction") in scope


def who_leads(c: Corpus, phrase: str, jurisdiction: str | None = None,
              document: str | None = None) -> list[TaskAnswer]:
    """Tasks whose text contains ``phrase`` (diacritics-insensitive), with their agencies.

    Tasks with a lead come first; tasks nobody was given are kept, so gaps show.
    """
    rx = _phrase_rx(phrase)
    scope = c.jurisdiction_scope(jurisdiction)
    doc = c.find_document(document) if document else None
    hits = [t for t in c.matching("tasks", (rx,)) if _in_scope(c, t["document"], scope, doc)]

    def order(t: dict) -> tuple[bool, str, int]:
        led = any(r["role"] == "lead" for r in c.resp_by_task.get(t["id"], ()))
        return not led, t["document"], t["provenance"]["start"]

    return Answers([t["id"] for t in sorted(hits, key=order)], lambda tid: task_answer(c, tid))


def agency_roles(c: Corpus, query: str, jurisdiction: str | None = None,
                 roles: tuple[str, ...] = ROLES, document: str | None = None) -> list[AgencyRole]:
    """What the agencies named ``query`` lead, cooperate on, stand for or receive reports on."""
    doc = c.find_document(document) if document else None
    out = []
    for aid in c.find_agencies(query, jurisdiction):
        for r in c.resp_by_agency.get(aid, []):
            if r["role"] in roles and (doc is None or r["document"] == doc):
                out.append(_agency_role(c, r))
    return sorted(out, key=lambda x: (ROLES.index(x.role) if x.role in ROLES else 99,
                                      x.document.id, x.provenance.start))


def _agency_role(c: Corpus, r: dict) -> AgencyRole:
    t = c.tasks.get(r["task"] or "", {})
    return AgencyRole(c.agency_ref(r["agency"]), r["role"], r["task"],
                      c.task_title(r["task"]) if t else None,
                      c.doc_ref(r["document"]), r["provenance"]["section"],
                      r.get("deadline") or t.get("deadline"), t.get("due_date"), t.get("recurrence"),
                      prov(r["provenance"]))


def reporting_lines(c: Corpus) -> list[Reporting]:
    """Every reporting line: the leads of a task report to the task's ``report_to`` agencies."""
    if "reporting" in c.memo:
        return c.memo["reporting"]
    out = []
    for tid, resps in c.resp_by_task.items():
        if tid is None:
            continue
        leads = [r for r in resps if r["role"] == "lead"]
        for rec in (r for r in resps if r["role"] == "report_to"):
            for lead in leads:
                if lead["agency"] != rec["agency"]:
                    out.append(Reporting(c.agency_ref(lead["agency"]), c.agency_ref(rec["agency"]),
                                         tid, c.task_title(tid), rec["document"],
                                         rec.get("deadline"), prov(rec["provenance"])))
    c.memo["reporting"] = out
    return out


def agency_profile(c: Corpus, agency_id: str) -> AgencyProfile:
    """Every role an agency holds, its documents, whom it reports to and who reports to it."""
    a = c.agencies.get(agency_id)
    if a is None:
        raise NotFound(f"không có cơ quan / no agency with id {agency_id!r}")
    roles = sorted((_agency_role(c, r) for r in c.resp_by_agency.get(agency_id, [])),
                   key=lambda x: (x.document.id, x.provenance.start))
    counts: dict[str, int] = defaultdict(int)
    for r in roles:
        counts[r.role] += 1
    lines = reporting_lines(c)
    return AgencyProfile(
        c.agency_ref(agency_id), tuple(a.get("aliases") or ()),
        tuple(c.doc_ref(d) for d in a.get("documents") or ()), dict(counts), tuple(roles),
        tuple(x for x in lines if x.reporter.id == agency_id),
        tuple(x for x in lines if x.receiver.id == agency_id), prov(a.get("provenance")))


def _snippet(text: str, folded: str, m: re.Match[str], width: int = 80) -> str:
    s, e = max(0, m.start() - width), min(len(text), m.end() + width)
    return ("…" if s else "") + " ".join(text[s:e].split()) + ("…" if e < len(text) else "")


def search(c: Corpus, query: str, types: tuple[str, ...] = ()) -> list[SearchHit]:
    """Names, titles, numbers and quotes containing ``query``, accents ignored; names first."""
    q = expand_query(query)
    rx = _phrase_rx(query)
    rx_expanded = _phrase_rx(q) if q != fold_key(query) else rx
    hits: list[tuple[int, SearchHit]] = []

    def look(rank: int, nid: str, ntype: str, field: str, text: str | None,
             document: str | None, p: dict | None) -> bool:
        if not text or (types and ntype not in types):
            return False
        f = c.folded(text)
        m = rx.search(f) or rx_expanded.search(f)
        if m is None:
            return False
        exact = fold_key(text) in (fold_key(query), q)
        hits.append((rank - (10 if exact else 0),
                     SearchHit(nid, ntype, c.label(nid), field, _snippet(text, f, m), document, prov(p))))
        return True

    for a in c.agencies.values():
        any(look(0, a["id"], "agency", f, v, None, a.get("provenance"))
            for f, v in [("name", a["name"]), *(("alias", x) for x in a.get("aliases") or [])])
    for d in [*c.documents.values(), *c.references.values()]:
        p = (d.get("provenance") or {}).get("title")
        any(look(1, d["id"], "document", f, d.get(f), d["id"] if d["id"] in c.documents else None, p)
            for f in ("number", "number_inferred", "title"))
    for i in c.indicators.values():
        any(look(1, i["id"], "indicator", f, v, None, None)
            for f, v in [("name", i["name"]), *(("alias", x) for x in i.get("aliases") or [])])
    rxs = (rx, rx_expanded)
    # the large tables: only the records one pass over all of them found
    for t in c.matching("tasks", rxs):
        look(2, t["id"], "task", "text", t["text"], t["document"], t["provenance"])
    for t in c.matching("targets", rxs):
        look(3, t["id"], "target", "text", t["text"], t["document"], t["provenance"])
    for ci in c.matching("citations", rxs):
        look(4, ci["id"], "citation", "quote", ci["provenance"]["quote"], ci["document"],
             ci["provenance"])
    return [h for _, h in sorted(hits, key=lambda x: x[0])]
