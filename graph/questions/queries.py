"""Who leads what, agency profiles and search: the coordinators' questions."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cchc_graph.graph.questions.display import short
from cchc_graph.graph.questions.index import ROLES, AgencyRef, Corpus, DocRef, Lazy, NotFound, prov
from cchc_graph.graph.questions.phrases import TextTable
from cchc_graph.keys import expand_query, fold_key
from cchc_graph.loaders.model import Provenance


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
    """The folded words of ``phrase``, whole, with anything but letters and digits between.

    An edge that is not a word character (``95%``) is bounded by a lookaround: ``\\b`` after
    ``%`` would ask for a letter next."""
    words = fold_key(phrase).split()
    if not words:
        raise NotFound("cụm từ trống / empty phrase")
    head = r"\b" if words[0][0].isalnum() else r"(?<!\w)"  # fold_key keeps [0-9a-z%] only
    tail = r"\b" if words[-1][-1].isalnum() else r"(?!\w)"
    return re.compile(head + r"\W+".join(map(re.escape, words)) + tail)


def _in_scope(c: Corpus, doc_id: str, scope: set[str] | None, document: str | None) -> bool:
    if document and doc_id != document:
        return False
    return scope is None or c.documents.get(doc_id, {}).get("jurisdiction") in scope


def who_leads(c: Corpus, phrase: str, jurisdiction: str | None = None,
              document: str | None = None) -> Sequence[TaskAnswer]:
    """Tasks whose text contains ``phrase`` (diacritics-insensitive), with their agencies.

    Tasks with a lead come first; tasks nobody was given are kept, so gaps show.
    """
    rx = _phrase_rx(phrase)
    scope = c.jurisdiction_scope(jurisdiction)
    doc = c.find_document(document) if document else None
    ids = c.text_table("tasks")[1]
    hits = c.matched("tasks", (rx,))
    if scope is not None or doc is not None:
        hits = [k for k in hits if _in_scope(c, c.tasks[ids[k]]["document"], scope, doc)]
    rank = _task_rank(c)
    return Lazy(sorted(hits, key=rank.__getitem__), lambda k: task_answer(c, ids[k]))


def _task_rank(c: Corpus) -> list[int]:
    """Each task's place (by its position in the table) in who-leads order: led first, then
    by document and place in it (computed once per corpus, so a question only sorts ints)."""
    def build() -> list[int]:
        ids = c.text_table("tasks")[1]

        def order(k: int) -> tuple[bool, str, int]:
            t = c.tasks[ids[k]]
            led = any(r["role"] == "lead" for r in c.resp_by_task.get(t["id"], ()))
            return not led, t["document"], t["provenance"]["start"]
        rank = [0] * len(ids)
        for place, k in enumerate(sorted(range(len(ids)), key=order)):
            rank[k] = place
        return rank
    return c.derived("task_rank", build, large=True)


def agency_roles(c: Corpus, query: str, jurisdiction: str | None = None,
                 roles: tuple[str, ...] = ROLES, document: str | None = None) -> Sequence[AgencyRole]:
    """What the agencies named ``query`` lead, cooperate on, stand for or receive reports on,
    by role, then document and place in it."""
    doc = c.find_document(document) if document else None
    held = _roles_by_agency(c)
    hits = sorted(x for aid in c.find_agencies(query, jurisdiction) for x in held.get(aid, ())
                  if x[1]["role"] in roles and (doc is None or x[1]["document"] == doc))
    return Lazy(hits, lambda x: _agency_role(c, x[1]))


def _roles_by_agency(c: Corpus) -> dict[str, list[tuple[int, dict]]]:
    """Each agency's responsibilities with their place in agency-roles order (built once)."""
    def build() -> dict[str, list[tuple[int, dict]]]:
        place = c.places("responsibilities", lambda: c.responsibilities, _role_order)
        return {aid: sorted((place[id(r)], r) for r in rs) for aid, rs in c.resp_by_agency.items()}
    return c.derived("roles_by_agency", build, large=True)


def _role_order(r: dict) -> tuple[int, str, int, str]:
    return (ROLES.index(r["role"]) if r["role"] in ROLES else 99, r["document"], r["provenance"]["start"],
            r["agency"])


def prepare(c: Corpus) -> None:
    """Build what who-leads, agency roles and search read (a server does it after loading)."""
    for table in ("tasks", "targets", "citations"):
        c.text_table(table)[0].prepare()
    _task_rank(c)
    _roles_by_agency(c)
    _names(c)[1].prepare()


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


def _snippet(text: str, m: re.Match[str], width: int = 80) -> str:
    s, e = max(0, m.start() - width), min(len(text), m.end() + width)
    return ("…" if s else "") + " ".join(text[s:e].split()) + ("…" if e < len(text) else "")


@dataclass(frozen=True, slots=True)
class _Named:
    """One name, alias, number or title of an agency, document or indicator."""

    rank: int  # agencies 0, documents and indicators 1
    id: str
    type: str
    field: str
    text: str
    document: str | None
    provenance: dict | None
    key: str  # fold_key(text): a query equal to it ranks the node first


def _names(c: Corpus) -> tuple[list[_Named], TextTable]:
    """Every name search looks in, a node's fields in the order they are tried."""
    def build() -> tuple[list[_Named], TextTable]:
        rows = [_Named(0, a["id"], "agency", f, v, None, a.get("provenance"), fold_key(v))
                for a in c.agencies.values()
                for f, v in [("name", a["name"]), *(("alias", x) for x in a.get("aliases") or [])] if v]
        for d in [*c.documents.values(), *c.references.values()]:
            p = (d.get("provenance") or {}).get("title")
            doc = d["id"] if d["id"] in c.documents else None
            rows += [_Named(1, d["id"], "document", f, d[f], doc, p, fold_key(d[f]))
                     for f in ("number", "number_inferred", "title") if d.get(f)]
        rows += [_Named(1, i["id"], "indicator", f, v, None, None, fold_key(v)) for i in c.indicators.values()
                 for f, v in [("name", i["name"]), *(("alias", x) for x in i.get("aliases") or [])] if v]
        return rows, TextTable([r.text for r in rows])
    return c.derived("search_names", build, large=True)


# the large tables search reads after the names, in this order: (table, type, field)
_SEARCHED = (("tasks", "task", "text"), ("targets", "target", "text"), ("citations", "citation", "quote"))


def search(c: Corpus, query: str, types: tuple[str, ...] = ()) -> Sequence[SearchHit]:
    """Names, titles, numbers and quotes containing ``query``, accents ignored.

    Names equal to the query come first, then other names of agencies, then of documents and
    indicators, then tasks, targets and citations, each in corpus order.
    """
    q = expand_query(query)
    rx = _phrase_rx(query)
    rxs = (rx, _phrase_rx(q)) if q != fold_key(query) else (rx,)
    keys = (fold_key(query), q)
    names, table = _names(c)
    by_rank: dict[int, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for k in table.matched(rxs):
        n = names[k]
        if (types and n.type not in types) or n.id in seen:
            continue  # a node is found once, by the first of its names that matches
        seen.add(n.id)
        by_rank[n.rank - (10 if n.key in keys else 0)].append(k)
    parts: list[tuple[Sequence[int], Callable[[int], SearchHit]]] = [
        (by_rank[r], lambda k: _hit(c, "names", k, rxs)) for r in sorted(by_rank)]
    parts += [(c.matched(name, rxs), lambda k, name=name: _hit(c, name, k, rxs))
              for name, ntype, _ in _SEARCHED if not types or ntype in types]
    return Lazy.chained(parts)


def _hit(c: Corpus, table: str, k: int, rxs: tuple[re.Pattern[str], ...]) -> SearchHit:
    if table == "names":
        n = _names(c)[0][k]
        nid, ntype, field, text, document, p = n.id, n.type, n.field, n.text, n.document, n.provenance
    else:
        _, ntype, field = next(x for x in _SEARCHED if x[0] == table)
        texts, ids = c.text_table(table)
        rec = getattr(c, table)[ids[k]]
        nid, text, document, p = rec["id"], texts.texts[k], rec["document"], rec["provenance"]
    f = c.folded(text)
    # the index reads a few letters outside Vietnamese more leniently than fold (ſ as s)
    m = next((m for m in (x.search(f) for x in rxs) if m), None)
    return SearchHit(nid, ntype, c.label(nid), field, _snippet(text, m) if m else short(text, 160),
                     document, prov(p))
