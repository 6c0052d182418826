"""Per-document facts → one resolved corpus in the JSON export schema (``schema_version`` 1).

The export is the contract other tools read (``docs/json-export.md``); the store keeps it as
``graph.json`` and the networkx graph is built from it.
"""

from __future__ import annotations

from typing import Any

from loaders.lexicon import AREAS, INDICATORS
from loaders.model import SCHEMA_VERSION, DocumentFacts, to_dict

from .resolve import resolve

_IND = {i.id: i for i in INDICATORS}
_AREA = {a.area: a for a in AREAS}


def build_export(docs: list[DocumentFacts]) -> dict[str, Any]:
    docs = sorted(docs, key=lambda d: d.meta.id)
    docs, inferred = resolve(docs)
    inferred_by_doc = {i.document: i for i in inferred}
    documents, agencies, jurisdictions = [], {}, {}
    tasks, resps, targets, citations, edges = [], [], [], [], []
    indicators: dict[str, dict] = {}
    references: dict[str, dict] = {}
    for d in docs:
        m = d.meta
        inf = inferred_by_doc.get(m.id)
        documents.append({
            "id": m.id, "source_path": m.source_path, "sha256": m.sha256, "type": m.type,
            "number": m.number, "title": m.title, "issuer": m.issuer, "place": m.place,
            "date": m.date, "period_start": m.period_start, "period_end": m.period_end,
            "jurisdiction": m.jurisdiction, "signer": m.signer,
            "signer_capacity": m.signer_capacity, "recipients": list(m.recipients),
            "vision_year": m.vision_year, "format": m.format, "issuer_agency": m.issuer_agency,
            "number_inferred": inf.number if inf else None,
            "number_inferred_provenance": to_dict(inf.provenance) if inf else None,
            "provenance": {k: to_dict(v) for k, v in m.provenance},
            "sections": [{"path": s.path, "title": s.title, "kind": s.kind, "start": s.start,
                          "end": s.end, "parent": s.parent} for s in d.sections],
            "warnings": list(d.warnings),
            "definitions": [{"short": x.short, "long": x.long, "provenance": to_dict(x.provenance)}
                            for x in d.definitions],
        })
        for j in d.jurisdictions:
            jurisdictions.setdefault(j.id, {"id": j.id, "name": j.name, "level": j.level,
                                            "parent": j.parent, "successor": j.successor,
                                            "code": j.code})
        for a in d.agencies:
            cur = agencies.get(a.id)
            if cur is None:
                agencies[a.id] = {"id": a.id, "name": a.name, "kind": a.kind,
                                  "jurisdiction": a.jurisdiction, "aliases": list(a.aliases),
                                  "is_group": a.is_group, "documents": [m.id],
                                  "provenance": to_dict(a.provenance)}
            else:
                cur["aliases"] = list(dict.fromkeys(cur["aliases"] + list(a.aliases)))
                if m.id not in cur["documents"]:
                    cur["documents"].append(m.id)
        # A record and its edges share one provenance dict (and a quote equal to the text shares
        # the text): the values are the same, and the store's marshal copy keeps each once.
        for t in d.tasks:
            tp = _prov(t.provenance, t.text)
            tasks.append({"id": t.id, "document": t.document, "section": t.section,
                          "title": t.title, "text": t.text, "area": t.area, "lead": list(t.lead),
                          "cooperating": list(t.cooperating), "deadline": t.deadline,
                          "frequency": t.frequency, "due_date": t.due_date,
                          "recurrence": t.recurrence, "product": t.product, "source": t.source,
                          "provenance": tp})
            edges.append(_edge(m.id, t.id, "has_task", tp))
            edges.append(_edge(t.id, f"area:{t.area}", "in_area", tp))
        for r in d.responsibilities:
            rp = to_dict(r.provenance)
            resps.append({"agency": r.agency, "role": r.role, "task": r.task,
                          "document": r.document, "deadline": r.deadline, "provenance": rp})
            edges.append(_edge(r.agency, r.task, r.role, rp))
        for t in d.targets:
            tp = _prov(t.provenance, t.text)
            targets.append({"id": t.id, "document": t.document, "text": t.text,
                            "metric": t.metric, "comparator": t.comparator, "value": t.value,
                            "unit": t.unit, "year": t.year, "baseline": t.baseline,
                            "indicator": t.indicator, "provenance": tp})
            edges.append(_edge(m.id, t.id, "sets_target", tp))
            if t.indicator:
                edges.append(_edge(t.id, t.indicator, "measured_by", tp))
                _add_indicator(indicators, t.indicator)
        seen_ind: set[str] = set()
        for im in d.indicators:
            _add_indicator(indicators, im.indicator)
            if im.indicator in seen_ind:
                continue
            seen_ind.add(im.indicator)
            edges.append(_edge(m.id, im.indicator, "mentions", to_dict(im.provenance)))
        for c in d.citations:
            target = c.resolves_to or f"ref:{c.ref_key}"
            cp = to_dict(c.provenance)
            citations.append({"id": c.id, "document": c.document, "number": c.number,
                              "type": c.type, "issuer": c.issuer, "date": c.date,
                              "title": c.title, "resolves_to": c.resolves_to,
                              "relation": c.relation, "ref": target, "scope": c.scope,
                              "provenance": cp, "mentions": [to_dict(p) for p in c.mentions]})
            edges.append(_edge(m.id, target, c.relation, cp, citation=c.id))
            if c.resolves_to is None:
                ref = references.setdefault(target, {
                    "id": target, "number": c.number, "type": c.type, "title": c.title,
                    "issuer": c.issuer, "date": c.date, "scope": c.scope, "cited_by": []})
                ref["cited_by"].append(m.id)
                for f in ("title", "issuer", "date"):
                    if not ref[f] and getattr(c, f):
                        ref[f] = getattr(c, f)
        if m.jurisdiction:
            edges.append(_edge(m.id, m.jurisdiction, "in_jurisdiction", None))
        if m.issuer_agency:
            line = dict(m.provenance).get("issuer_line")
            edges.append(_edge(m.id, m.issuer_agency, "issued_by", to_dict(line) if line else None))
    for a in agencies.values():
        if a["jurisdiction"]:
            edges.append(_edge(a["id"], a["jurisdiction"], "in_jurisdiction", None))
    for j in jurisdictions.values():
        if j["parent"]:
            edges.append(_edge(j["id"], j["parent"], "part_of", None))
        if j["successor"]:
            edges.append(_edge(j["id"], j["successor"], "succeeded_by", None))
    areas = sorted({t["area"] for t in tasks})
    return {
        "schema_version": SCHEMA_VERSION,
        "documents": documents,
        "jurisdictions": sorted(jurisdictions.values(), key=lambda j: j["id"]),
        "agencies": sorted(agencies.values(), key=lambda a: a["id"]),
        "tasks": tasks,
        "responsibilities": resps,
        "targets": targets,
        "indicators": sorted(indicators.values(), key=lambda i: i["id"]),
        "citations": citations,
        "references": sorted(references.values(), key=lambda r: r["id"]),
        "areas": [{"id": f"area:{a}", "area": a,
                   "label": _AREA[a].label if a in _AREA else "Khác"} for a in areas],
        "edges": edges,
    }


def _add_indicator(out: dict[str, dict], iid: str) -> None:
    if iid in out or iid not in _IND:
        return
    i = _IND[iid]
    out[iid] = {"id": i.id, "name": i.name, "aliases": list(i.aliases)}


def _prov(p: Any, text: str) -> dict[str, Any]:
    out = to_dict(p)
    if out["quote"] == text:
        out["quote"] = text
    return out


def _edge(source: str, target: str, type_: str, prov: dict[str, Any] | None,
          **extra: Any) -> dict[str, Any]:
    e: dict[str, Any] = {"source": source, "target": target, "type": type_, "provenance": prov}
    e.update(extra)
    return e
