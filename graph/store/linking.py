"""Per-document facts → one resolved corpus in the JSON export schema (``schema_version`` 1).

The export is the contract other tools read (``docs/json-export.md``); the store keeps its
records as rows (``database.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cchc_graph.graph.store.resolve import citation_keys, doc_keys, resolve_all
from cchc_graph.loaders.lexicon import AREAS, INDICATORS
from cchc_graph.loaders.model import SCHEMA_VERSION, DocumentFacts, to_dict

_IND = {i.id: i for i in INDICATORS}
_AREA = {a.area: a for a in AREAS}


Part = dict[str, Any]  # one document's share of the export: {"body", "keys", "agencies"}
Links = dict[str, Any]  # what ties the documents together: resolution and merged tables


def document_part(d: DocumentFacts) -> Part:
    """One document's share of the export, before cross-document linking.

    ``body``: its records and edges in export order, citations still unresolved (``ref`` the
    reference, ``cit_edges`` where their edges are). ``keys``: the little that linking reads
    (resolution keys, jurisdictions, indicators, areas, citation fields); ``agencies``: the
    agencies it names, which linking merges across documents.
    """
    m = d.meta
    defs = {x.short: x.long for x in d.definitions}
    document = {
        "id": m.id, "source_path": m.source_path, "sha256": m.sha256, "type": m.type,
        "number": m.number, "title": m.title, "issuer": m.issuer, "place": m.place,
        "date": m.date, "period_start": m.period_start, "period_end": m.period_end,
        "jurisdiction": m.jurisdiction, "signer": m.signer,
        "signer_capacity": m.signer_capacity, "recipients": list(m.recipients),
        "vision_year": m.vision_year, "format": m.format, "issuer_agency": m.issuer_agency,
        "number_inferred": None, "number_inferred_provenance": None,
        "provenance": {k: to_dict(v) for k, v in m.provenance},
        "sections": [{"path": s.path, "title": s.title, "kind": s.kind, "start": s.start,
                      "end": s.end, "parent": s.parent} for s in d.sections],
        "warnings": list(d.warnings),
        "gaps": [{"kind": g.kind, "cue": g.cue, "provenance": to_dict(g.provenance)} for g in d.gaps],
        "definitions": [{"short": x.short, "long": x.long, "provenance": to_dict(x.provenance)}
                        for x in d.definitions],
    }
    tasks, resps, targets, citations, edges, cit_edges = [], [], [], [], [], []
    indicators: set[str] = set()
    # A record and its edges share one provenance dict, and equal texts and quotes (a task's
    # text, its responsibilities' quotes, the sentence of several targets) one string: the
    # values are the same, and the part goes from the extraction worker to the build pickled,
    # which sends each object once (a quarter of a document's body is such repeats).
    same: dict[str, str] = {}

    def one(x: str | None) -> str | None:
        return x if x is None else same.setdefault(x, x)

    def prov(p: Any) -> dict[str, Any]:
        out = to_dict(p)
        out["quote"] = one(out["quote"])
        return out

    for t in d.tasks:
        tp = prov(t.provenance)
        tasks.append({"id": t.id, "document": t.document, "section": t.section,
                      "title": one(t.title), "text": one(t.text), "area": t.area,
                      "lead": [one(a) for a in t.lead], "cooperating": [one(a) for a in t.cooperating],
                      "deadline": one(t.deadline),
                      "frequency": t.frequency, "due_date": t.due_date,
                      "recurrence": t.recurrence, "product": t.product, "source": t.source,
                      "provenance": tp})
        edges.append(_edge(m.id, t.id, "has_task", tp))
        edges.append(_edge(t.id, f"area:{t.area}", "in_area", tp))
    for r in d.responsibilities:
        rp = prov(r.provenance)
        agency = one(r.agency)
        resps.append({"agency": agency, "role": r.role, "task": r.task,
                      "document": r.document, "deadline": one(r.deadline), "provenance": rp})
        edges.append(_edge(agency, r.task, r.role, rp))
    for t in d.targets:
        tp = prov(t.provenance)
        targets.append({"id": t.id, "document": t.document, "text": one(t.text),
                        "metric": t.metric, "comparator": t.comparator, "value": t.value,
                        "unit": t.unit, "year": t.year, "baseline": t.baseline,
                        "indicator": t.indicator, "provenance": tp})
        edges.append(_edge(m.id, t.id, "sets_target", tp))
        if t.indicator:
            edges.append(_edge(t.id, t.indicator, "measured_by", tp))
            indicators.add(t.indicator)
    seen_ind: set[str] = set()
    for im in d.indicators:
        indicators.add(im.indicator)
        if im.indicator not in seen_ind:
            seen_ind.add(im.indicator)
            edges.append(_edge(m.id, im.indicator, "mentions", prov(im.provenance)))
    cit_keys = []
    for c in d.citations:
        ref, cp = f"ref:{c.ref_key}", prov(c.provenance)
        citations.append({"id": c.id, "document": c.document, "number": c.number,
                          "type": c.type, "issuer": c.issuer, "date": c.date,
                          "title": c.title, "resolves_to": None,
                          "relation": c.relation, "ref": ref, "scope": c.scope,
                          "provenance": cp, "mentions": [prov(p) for p in c.mentions]})
        cit_edges.append(len(edges))
        edges.append(_edge(m.id, ref, c.relation, cp, citation=c.id))
        cit_keys.append({**citation_keys(c, defs), "ref": ref, "raw_number": c.number,
                         "title": c.title, "issuer": c.issuer, "date": c.date,
                         "provenance": cp})
    if m.jurisdiction:
        edges.append(_edge(m.id, m.jurisdiction, "in_jurisdiction", None))
    if m.issuer_agency:
        line = dict(m.provenance).get("issuer_line")
        edges.append(_edge(m.id, m.issuer_agency, "issued_by", to_dict(line) if line else None))
    return {
        "body": {"document": document, "tasks": tasks, "responsibilities": resps,
                 "targets": targets, "citations": citations, "edges": edges,
                 "cit_edges": cit_edges},
        "keys": {
            "doc": doc_keys(d),
            "citations": cit_keys,
            "jurisdictions": [{"id": j.id, "name": j.name, "level": j.level, "parent": j.parent,
                               "successor": j.successor, "code": j.code} for j in d.jurisdictions],
            "indicators": sorted(i for i in indicators if i in _IND),
            "areas": sorted({t.area for t in d.tasks}),
        },
        "agencies": [{"id": a.id, "name": a.name, "kind": a.kind, "jurisdiction": a.jurisdiction,
                      "aliases": list(a.aliases), "is_group": a.is_group,
                      "provenance": to_dict(a.provenance)} for a in d.agencies],
    }


def link(keys: list[dict[str, Any]], agencies_of: Callable[[str], list[dict]],
         previous: Links | None = None, changed: set[str] | None = None) -> Links:
    """Tie the documents together from their keys (in corpus order): citations resolved,
    numbers inferred, agencies, jurisdictions, indicators and unresolved references merged.

    ``agencies_of(document)``: the agencies it names (``document_part``'s ``agencies``).
    ``previous``/``changed``: the links of the corpus before ``changed`` documents were added,
    replaced or removed; only the citations and agencies they touch are linked again."""
    resolution = resolve_all([k["doc"] for k in keys],
                             ((k["doc"]["id"], k["citations"]) for k in keys),
                             previous["resolution"] if previous else None, changed)
    numbered = {k["doc"]["id"] for k in keys if k["doc"]["numbered"]}
    inferred: dict[str, dict[str, Any]] = {}
    jurisdictions: dict[str, dict] = {}
    indicators: set[str] = set()
    references: dict[str, dict] = {}
    areas: set[str] = set()
    for k in keys:
        doc = k["doc"]["id"]
        for j in k["jurisdictions"]:
            jurisdictions.setdefault(j["id"], j)
        indicators.update(k["indicators"])
        areas.update(k["areas"])
        for c in k["citations"]:
            target = resolution.get(c["id"])
            if target is not None:
                if c["raw_number"] and target not in numbered:
                    inferred[target] = {"number": c["raw_number"], "provenance": c["provenance"]}
                continue
            add_reference(references, c, doc)
    docs = [k["doc"]["id"] for k in keys]
    if previous is None or changed is None:
        agencies = merge_agencies((d, agencies_of(d)) for d in docs)
    else:
        agencies = _relink_agencies(previous["agencies"], docs, agencies_of, changed)
    places = sorted(jurisdictions.values(), key=lambda j: j["id"])
    return {
        "resolution": resolution, "inferred": inferred,
        "jurisdictions": places,
        "agencies": agencies,
        "indicators": [indicator(i) for i in sorted(indicators)],
        "references": sorted(references.values(), key=lambda r: r["id"]),
        "areas": [area(a) for a in sorted(areas)],
        "edges": linked_edges(agencies, places),
    }


def add_reference(references: dict[str, dict], c: dict[str, Any], doc: str) -> None:
    """Count an unresolved citation (``c``: its keys) of ``doc`` in the reference it names."""
    ref = references.setdefault(c["ref"], {
        "id": c["ref"], "number": c["raw_number"], "type": c["type"], "title": c["title"],
        "issuer": c["issuer"], "date": c["date"], "scope": c["scope"], "cited_by": []})
    ref["cited_by"].append(doc)
    for f in ("title", "issuer", "date"):
        if not ref[f] and c[f]:
            ref[f] = c[f]


def indicator(i: str) -> dict[str, Any]:
    return {"id": i, "name": _IND[i].name, "aliases": list(_IND[i].aliases)}


def area(a: str) -> dict[str, Any]:
    return {"id": f"area:{a}", "area": a, "label": _AREA[a].label if a in _AREA else "Khác"}


def linked_edges(agencies: Iterable[dict[str, Any]], places: Iterable[dict[str, Any]]
                 ) -> list[dict[str, Any]]:
    """The edges linking adds: each agency's jurisdiction, each place's parent and successor
    (``agencies`` and ``places`` sorted by id; only ``id``, ``jurisdiction``, ``parent`` and
    ``successor`` are read)."""
    edges = [_edge(a["id"], a["jurisdiction"], "in_jurisdiction", None)
             for a in agencies if a["jurisdiction"]]
    for j in places:
        if j["parent"]:
            edges.append(_edge(j["id"], j["parent"], "part_of", None))
        if j["successor"]:
            edges.append(_edge(j["id"], j["successor"], "succeeded_by", None))
    return edges


def merge_agencies(named: Iterable[tuple[str, list[dict]]], only: set[str] | None = None) -> list[dict]:
    """One record per agency (``only`` these), sorted by id, from what documents name (in corpus
    order): the first document's record, every alias in order, the documents naming it."""
    merged: dict[str, dict] = {}
    for doc, agencies in named:
        for a in agencies:
            if only is not None and a["id"] not in only:
                continue
            cur = merged.get(a["id"])
            if cur is None:
                merged[a["id"]] = {"id": a["id"], "name": a["name"], "kind": a["kind"],
                                   "jurisdiction": a["jurisdiction"], "aliases": list(a["aliases"]),
                                   "is_group": a["is_group"], "documents": [doc],
                                   "provenance": a["provenance"]}
                continue
            if a["aliases"]:
                cur["aliases"] = list(dict.fromkeys(cur["aliases"] + a["aliases"]))
            if cur["documents"][-1] != doc:  # documents come in order: only the last can be it
                cur["documents"].append(doc)
    return sorted(merged.values(), key=lambda a: a["id"])


def _relink_agencies(previous: list[dict], docs: list[str], agencies_of: Callable[[str], list[dict]],
                     changed: set[str]) -> list[dict]:
    """The merged agencies after ``changed`` documents were added, replaced or removed: only
    agencies those documents name (before or now) are merged again, from the documents that
    name them, so only theirs are read."""
    present = set(docs)
    now = {d: agencies_of(d) for d in changed & present}
    touched = {a["id"] for named in now.values() for a in named}
    touched |= {a["id"] for a in previous if not changed.isdisjoint(a["documents"])}
    readers = {d for a in previous if a["id"] in touched for d in a["documents"]} - changed
    order = {d: i for i, d in enumerate(docs)}
    remerged = merge_agencies(((d, now[d] if d in now else agencies_of(d))
                                for d in sorted(readers | now.keys(), key=order.__getitem__)), touched)
    kept = [a for a in previous if a["id"] not in touched]
    return sorted(kept + remerged, key=lambda a: a["id"])


def resolve_body(body: dict[str, Any], links: Links) -> dict[str, list[dict]]:
    """One document's records with its citations resolved by ``links``, as lists of the
    export (``documents`` holds the one document; ``edges`` its own edges). Patches the body
    in place (it is not reused)."""
    resolution, inferred = links["resolution"], links["inferred"]
    d = body["document"]
    inf = inferred.get(d["id"])
    if inf:
        d["number_inferred"], d["number_inferred_provenance"] = inf["number"], inf["provenance"]
    for c, e in zip(body["citations"], body["cit_edges"], strict=True):
        target = resolution.get(c["id"])
        if target is not None:
            c["resolves_to"] = c["ref"] = body["edges"][e]["target"] = target
    return {"documents": [d], "tasks": body["tasks"], "responsibilities": body["responsibilities"],
            "targets": body["targets"], "citations": body["citations"], "edges": body["edges"]}


def assemble(bodies: Iterable[dict[str, Any]], links: Links) -> dict[str, Any]:
    """The export: the documents' bodies (in corpus order) with their citations resolved by
    ``links``, and the merged tables. Patches the bodies in place (they are not reused)."""
    lists: dict[str, list[dict]] = {k: [] for k in ("documents", "tasks", "responsibilities", "targets",
                                                    "citations", "edges")}
    for b in bodies:
        for k, recs in resolve_body(b, links).items():
            lists[k] += recs
    return {
        "schema_version": SCHEMA_VERSION,
        "documents": lists["documents"],
        "jurisdictions": links["jurisdictions"],
        "agencies": links["agencies"],
        "tasks": lists["tasks"],
        "responsibilities": lists["responsibilities"],
        "targets": lists["targets"],
        "indicators": links["indicators"],
        "citations": lists["citations"],
        "references": links["references"],
        "areas": links["areas"],
        "edges": lists["edges"] + links["edges"],
    }


def build_export(docs: list[DocumentFacts]) -> dict[str, Any]:
    """The export of a corpus, from its documents' facts."""
    parts = {d.meta.id: document_part(d) for d in sorted(docs, key=lambda d: d.meta.id)}
    links = link([p["keys"] for p in parts.values()], lambda d: parts[d]["agencies"])
    return assemble((p["body"] for p in parts.values()), links)


def _edge(source: str, target: str, type_: str, prov: dict[str, Any] | None,
          **extra: Any) -> dict[str, Any]:
    e: dict[str, Any] = {"source": source, "target": target, "type": type_, "provenance": prov}
    e.update(extra)
    return e
