"""Who leads what, agency profiles and search: the coordinators' questions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from cchc_graph.graph.questions import match
from cchc_graph.graph.questions.display import short
from cchc_graph.graph.questions.index import ROLES, AgencyRef, Corpus, DocRef, NotFound, prov
from cchc_graph.graph.questions.named import NAME_TYPES, Names
from cchc_graph.graph.questions.tables import EXPORT_ORDER, IN_LIST, Answers, Chain, Selected, json_list
from cchc_graph.graph.store.database import AGENCY_IDS, LED_FIRST, id_of, rows_of
from cchc_graph.keys import expand_query, fold_key
from cchc_graph.loaders.schema import Provenance


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
    roles: Sequence[AgencyRole]  # by document and place, each built when read (``agency_profile``)
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


def who_leads(c: Corpus, phrase: str, jurisdiction: str | None = None,
              document: str | None = None) -> Sequence[TaskAnswer]:
    """Tasks whose text contains ``phrase`` (diacritics-insensitive), with their agencies.

    Tasks with a lead come first, then by document and place in it; tasks nobody was given
    are kept, so gaps show.
    """
    ws = match.words(phrase)
    scope = c.jurisdiction_scope(jurisdiction)
    doc = c.find_document(document) if document else None
    query = match.fts_query([ws])
    ids: Sequence[str]
    if scope is None and doc is None and query is not None:
        # the whole corpus (a common phrase: tens of thousands of tasks): the page's tasks read
        # by SQL in the order of an index, the count the full-text index's
        kept = c.kept(("who_leads", tuple(ws)), dict)
        apart = match.count_apart(c, "tasks", query, kept)
        ids = match.Ranked(c, "tasks", query, LED_FIRST, "tasks_led_first", counted=apart, kept=kept,
                           apart=apart is not None)
    else:
        ids = c.kept(("who_leads", tuple(ws), jurisdiction, doc), lambda: _led_first(c, ws, scope, doc))
    return Answers(ids, lambda tid: task_answer(c, tid), c.read_tasks)


def _led_first(c: Corpus, ws: list[str], scope: set[str] | None, doc: str | None) -> list[str]:
    """The tasks holding the words: led first, then by document and place in it."""
    where, params = match.condition(c, "tasks", [ws], "t")
    if doc is not None:
        where += " AND t.doc = ?"
        params.append(doc)
    if scope is not None:
        where += (" AND (SELECT jurisdiction FROM documents WHERE id = t.doc) IN "
                  "(SELECT value FROM json_each(?))")
        params.append(json_list(scope))
    # (a task's ``leads`` column counts its lead agencies: those it has lead rows for, one per
    # agency, tests/test_queries.py; a column read, not a lookup per hit: 10k, 50,000 hits 0.34 → 0.18 s)
    return [tid for (tid,) in c.rows(f"SELECT t.id FROM tasks t WHERE {where} ORDER BY {LED_FIRST}", params)]


def agency_roles(c: Corpus, query: str, jurisdiction: str | None = None,
                 roles: tuple[str, ...] = ROLES, document: str | None = None) -> Sequence[AgencyRole]:
    """What the agencies named ``query`` lead, cooperate on, stand for or receive reports on,
    by role, then document and place in it."""
    doc = c.find_document(document) if document else None
    agencies = json_list(c.find_agencies(query, jurisdiction))
    kept = c.kept(("agency_roles", agencies, roles, doc), dict)
    # role by role in ROLES' order (any other after them), each a window at a time in the order
    # of document, place, agency (a common name: thousands of roles, ~20 ms to sort them all)
    others = tuple(sorted(set(roles) - set(ROLES)))
    groups = [(r,) for r in ROLES if r in roles] + ([others] if others else [])
    # (a row names its agency by the row id of its id in ``agency_ids``: ``Table.keys``)
    where = (f"agency IN {rows_of(AGENCY_IDS, IN_LIST)} AND role {IN_LIST}"
             + (" AND doc = ?" if doc is not None else ""))
    if "counts" not in kept:  # (one query for every role's count)
        kept["counts"] = dict(c.rows(f"SELECT role, count(*) FROM responsibilities WHERE {where} "
                                     "GROUP BY role", (agencies, json_list(roles), *((doc,) if doc else ()))))

    def part(group: tuple[str, ...]) -> Selected[int]:
        params = (agencies, json_list(group), *((doc,) if doc is not None else ()))
        kept.setdefault(group, {}).setdefault("count", sum(kept["counts"].get(r, 0) for r in group))
        # (a document's rows are numbered in order; agencies of one place by their ids)
        order = f"doc, start, {id_of(AGENCY_IDS, 'agency')}, rowid"
        return Selected(c, f"SELECT rowid FROM responsibilities WHERE {where} ORDER BY {order}", params,
                        lambda row: row[0], kept=kept[group])  # (counted above)
    return _roles_of(c, Chain([part(g) for g in groups]))


def _roles_of(c: Corpus, rowids: Sequence[int]) -> Answers[AgencyRole]:
    """The roles of responsibilities by row id, each built when read, a page's at once."""
    read: dict[int, dict] = {}

    def read_run(run: Sequence[int]) -> None:  # a page's roles, tasks, documents, agencies at once
        read.update((r, c.decode(rec)) for r, rec in c.rows(
            f"SELECT rowid, rec FROM responsibilities WHERE rowid {IN_LIST}", (json_list(run),)))
        _read_roles(c, [read[r] for r in run])
    return Answers(rowids, lambda r: _agency_role(c, read.pop(r, None) or c.by_rowid("responsibilities", r)),
                   read_run)


def _read_roles(c: Corpus, resps: list[dict]) -> None:
    """Read at once what the roles of many responsibilities read: tasks, documents, agencies."""
    c.read_tasks([r["task"] for r in resps if r["task"]], roles=False)
    c.read_refs([r["document"] for r in resps], [r["agency"] for r in resps])


def _agency_role(c: Corpus, r: dict) -> AgencyRole:
    t = c.tasks.get(r["task"] or "", {})
    return AgencyRole(c.agency_ref(r["agency"]), r["role"], r["task"],
                      c.task_title(r["task"]) if t else None,
                      c.doc_ref(r["document"]), r["provenance"]["section"],
                      r.get("deadline") or t.get("deadline"), t.get("due_date"), t.get("recurrence"),
                      prov(r["provenance"]))


def _lines(c: Corpus, resps: list[dict]) -> list[Reporting]:
    """The reporting lines of tasks, from their responsibilities (in the export's order): each
    task's leads report to its ``report_to`` agencies."""
    by_task: dict[str, list[dict]] = {}
    for r in resps:
        if r["task"] is not None:
            by_task.setdefault(r["task"], []).append(r)
    out = []
    for tid, rs in by_task.items():
        leads = [r for r in rs if r["role"] == "lead"]
        for rec in (r for r in rs if r["role"] == "report_to"):
            for lead in leads:
                if lead["agency"] != rec["agency"]:
                    out.append(Reporting(c.agency_ref(lead["agency"]), c.agency_ref(rec["agency"]),
                                         tid, c.task_title(tid), rec["document"],
                                         rec.get("deadline"), prov(rec["provenance"])))
    return out


def _lines_of(c: Corpus, role: str, agency: str | None = None) -> list[Reporting]:
    """The reporting lines of the tasks on which ``agency`` (any, when None) holds ``role``."""
    held = "SELECT task FROM responsibilities WHERE role = ?" + (
        f" AND agency = {rows_of(AGENCY_IDS, '= ?')}" if agency else "")
    params = (role, agency) if agency else (role,)
    # only tasks with both a lead and a report_to make lines: the others' records are not read
    # (an agency leading thousands of tasks, of which a few name whom to report to)
    other = "report_to" if role == "lead" else "lead"
    both = ("EXISTS (SELECT 1 FROM responsibilities o WHERE o.task = responsibilities.task "
            "AND o.role = ?)")
    return _lines(c, c.recs("responsibilities", f"task IN ({held}) AND {both}", (*params, other)))


def reporting_lines(c: Corpus) -> list[Reporting]:
    """Every reporting line: the leads of a task report to the task's ``report_to`` agencies."""
    return c.derived("reporting", lambda: _lines_of(c, "report_to"))


def agency_profile(c: Corpus, agency_id: str) -> AgencyProfile:
    """Every role an agency holds, its documents, whom it reports to and who reports to it
    (kept for the data's version, its roles read on ``c`` as they are used: a provincial
    centre holds tens of thousands)."""
    # (kept: the profile without its roles; they are read on this snapshot, which a server's
    # next request does not share)
    return replace(c.kept(("agency profile", agency_id), lambda: _profile(c, agency_id)),
                   roles=roles_held(c, agency_id))


def roles_held(c: Corpus, agency_id: str, role: str | None = None) -> Sequence[AgencyRole]:
    """The roles an agency holds (of one kind, with ``role``: through the index by agency and
    role, a window read without sorting the others), by document and place, each built when
    read; their count and last windows kept for the data's version."""
    of_kind, params = (" AND role = ?", (agency_id, role)) if role else ("", (agency_id,))
    return _roles_of(c, Selected(
        c, f"SELECT rowid FROM responsibilities WHERE {_OF_AGENCY}{of_kind} ORDER BY {_BY_PLACE}",
        params, lambda row: row[0], kept=c.kept(("roles held", agency_id, role), dict)))


_OF_AGENCY = f"agency = {rows_of(AGENCY_IDS, '= ?')}"  # (its id's row in ``agency_ids``)
_BY_PLACE = "doc, start, rowid"  # (a document's rows are numbered in its order)


def _profile(c: Corpus, agency_id: str) -> AgencyProfile:
    """The profile without its roles (``agency_profile`` gives them)."""
    a = c.agencies.get(agency_id)
    if a is None:
        raise NotFound(f"không có cơ quan / no agency with id {agency_id!r}")
    # each role counted, in the order of its first row (through the index by agency and role)
    firsts = sorted((c.rows(f"SELECT {_BY_PLACE} FROM responsibilities WHERE {_OF_AGENCY} AND role = ? "
                            f"ORDER BY {_BY_PLACE} LIMIT 1", (agency_id, role))[0], role, n)
                    for role, n in c.rows(f"SELECT role, count(*) FROM responsibilities WHERE {_OF_AGENCY} "
                                          "GROUP BY role", (agency_id,)))
    return AgencyProfile(
        c.agency_ref(agency_id), tuple(a.get("aliases") or ()),
        tuple(c.doc_ref(d) for d in a.get("documents") or ()), {role: n for _, role, n in firsts},
        (),
        tuple(x for x in _lines_of(c, "lead", agency_id) if x.reporter.id == agency_id),
        tuple(x for x in _lines_of(c, "report_to", agency_id) if x.receiver.id == agency_id),
        prov(a.get("provenance")))


def _snippet(text: str, m: re.Match[str], width: int = 80) -> str:
    s, e = max(0, m.start() - width), min(len(text), m.end() + width)
    return ("…" if s else "") + " ".join(text[s:e].split()) + ("…" if e < len(text) else "")


# what search reads, in its order: names (agencies', then documents', cited documents' and
# indicators': ``database.NAME_GROUPS``, ``named.NAME_TYPES``), then the large tables: (table, type, field)
_SEARCHED = (("tasks", "task", "text"), ("targets", "target", "text"), ("citations", "citation", "quote"))


def search(c: Corpus, query: str, types: tuple[str, ...] = ()) -> Sequence[SearchHit]:
    """Names, titles, numbers and quotes containing ``query``, accents ignored.

    Names equal to the query come first, then other names of agencies, then of documents and
    indicators, then tasks, targets and citations, each in corpus order.
    """
    q = expand_query(query)
    variants = [match.words(query)] + ([q.split()] if q != fold_key(query) else [])
    rxs = tuple(match.phrase_rx(ws) for ws in variants)
    return Answers(_found(c, variants, types), lambda k: _hit(c, *k, rxs))


def _found(c: Corpus, variants: list[list[str]], types: tuple[str, ...]) -> Sequence[tuple[str, Any]]:
    """What search lists, in its order: (table, row). The names (``named.Names``), and the
    tasks, targets and citations of phrases of plain words, are read a window at a time, the
    latter in the order of the tables' index, counted by the full-text index."""
    kept = c.kept(("search", tuple(map(tuple, variants)), types), dict)
    asked = not types or set(types) & set(NAME_TYPES)  # (no name asked: none read)
    parts: list[Sequence[tuple[str, Any]]] = [Names(c, variants, types, kept)] if asked else []
    query = match.fts_query(variants)
    for table, ntype, _ in _SEARCHED:
        if types and ntype not in types:
            continue
        if query is not None:
            ids = match.in_export_order(c, table, query, kept.setdefault(table, {}))
            parts.append(Answers(ids, lambda i, t=table: (t, i)))
            continue
        if table not in kept:
            where, params = match.condition(c, table, variants)
            kept[table] = [(table, i) for (i,) in c.rows(f"SELECT id FROM {table} WHERE {where} "
                                                           f"ORDER BY {EXPORT_ORDER}", params)]
        parts.append(kept[table])
    return Chain(parts)


def _hit(c: Corpus, table: str, key: Any, rxs: tuple[re.Pattern[str], ...]) -> SearchHit:
    if table == "names":
        grp, nid, field, text = c.rows("SELECT grp, node, field, text FROM names WHERE rowid = ?", (key,))[0]
        ntype = NAME_TYPES[grp]
        if ntype == "agency":
            document, p = None, c.agencies[nid].get("provenance")
        elif ntype == "document":
            rec = c.documents[nid] if grp == 1 else c.references[nid]
            document, p = (nid if nid in c.documents else None), (rec.get("provenance") or {}).get("title")
        else:
            document, p = None, None
    else:
        _, ntype, field = next(x for x in _SEARCHED if x[0] == table)
        rec = getattr(c, table)[key]
        nid, document, p = rec["id"], rec["document"], rec["provenance"]
        text = (rec["provenance"]["quote"] if table == "citations" else rec["text"]) or ""
    f = c.folded(text)
    # FTS5 reads a few letters outside Vietnamese more leniently than fold (ſ as s)
    m = next((m for m in (x.search(f) for x in rxs) if m), None)
    return SearchHit(nid, ntype, c.label(nid), field, _snippet(text, m) if m else short(text, 160),
                     document, prov(p))
