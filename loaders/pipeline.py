"""One document from file to facts: read → normalize → outline → extract."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from cchc_graph.keys import doc_id_for, fold

from . import admin, sourcemap
from .extract.agencies import Mention
from .extract.agency_lists import scan
from .extract.citations import extract_citations
from .extract.duties import extract_roles
from .extract.gaps import find_gaps
from .extract.metadata import (
    extract_definitions,
    extract_indicator_mentions,
    extract_metadata,
    resolve_context,
    resolve_issuer,
)
from .extract.targets import extract_targets
from .model import Agency, DocumentFacts, DocumentMeta, Jurisdiction, NormDoc
from .normalize import normalize
from .outline import build_outline
from .read import ReadOptions, read_document


def load_document(path: str | Path, doc_id: str | None = None,
                  options: ReadOptions | None = None) -> DocumentFacts:
    """Read one file and extract every fact with its provenance (raises LoadError)."""
    raw = read_document(path, options)
    facts = extract(normalize(raw, doc_id or doc_id_for(path)))
    facts.warnings[:0] = raw.notes
    return facts


def extract(doc: NormDoc) -> DocumentFacts:
    outline = build_outline(doc)
    meta = extract_metadata(doc, outline)
    ctx = resolve_context(doc, outline, meta)
    ctx = replace(ctx, new_map=admin.new_map(meta.date))
    issuer = resolve_issuer(doc, meta, outline, ctx)
    definitions = extract_definitions(doc, outline)
    defs = {d.short: d.long for d in definitions}
    repaired: list[str] = []
    citations = extract_citations(doc, outline, ctx, meta.type, meta.title, defs, meta.number, repaired)
    default_year = meta.period[1] if meta.period else None
    targets = extract_targets(doc, outline, default_year)
    tasks, resps, agencies = extract_roles(doc, outline, ctx)
    by_id: dict[str, Agency] = {a.id: a for a in agencies}
    if issuer is not None:
        by_id.setdefault(issuer.id, issuer.agency(doc.doc_id, doc.text))
    folded = doc.folded
    body_end = outline.recipients[0] if outline.recipients else len(doc.text)
    for m in scan(doc.text, folded, 0, body_end, ctx):
        sec = outline.section_at(m.start)
        a = m.agency(doc.doc_id, doc.text, sec.path if sec else "")
        if a.id in by_id:
            old = by_id[a.id]
            if a.aliases and a.aliases[0] not in old.aliases:
                by_id[a.id] = Agency(old.id, old.name, old.kind, old.jurisdiction,
                                     old.aliases + a.aliases, old.is_group,
                                     old.provenance or a.provenance)
        else:
            by_id[a.id] = a
    jurs = _jurisdictions([ctx.jurisdiction, *(a.jurisdiction for a in by_id.values()),
                           *(c.scope for c in citations)])
    prov = tuple(sorted((meta.provenance or {}).items()))
    dmeta = DocumentMeta(
        id=doc.doc_id, source_path=doc.source_path, sha256=doc.sha256, type=meta.type,
        number=meta.number, title=meta.title, issuer=_issuer_display(issuer), place=meta.place,
        date=meta.date, period_start=meta.period[0] if meta.period else None,
        period_end=meta.period[1] if meta.period else None, jurisdiction=ctx.jurisdiction,
        signer=meta.signer, signer_capacity=meta.signer_capacity, recipients=meta.recipients,
        format=doc.fmt, issuer_agency=issuer.id if issuer else None, vision_year=meta.vision,
        provenance=prov)
    warnings = list(repaired)
    if not outline.sections:
        warnings.append(f"{doc.source_path}: no headings found; facts come from plain paragraphs")
    if ctx.jurisdiction is None:
        warnings.append(f"{doc.source_path}: jurisdiction not recognised")
    facts = DocumentFacts(meta=dmeta, text=doc.text, sections=outline.sections,
                          jurisdictions=jurs, agencies=sorted(by_id.values(), key=lambda a: a.id),
                          tasks=tasks, responsibilities=resps, targets=targets,
                          indicators=extract_indicator_mentions(doc, outline), citations=citations,
                          definitions=definitions, warnings=warnings)
    facts.gaps = find_gaps(doc, outline, facts)
    if doc.origin is not None:
        sourcemap.locate(facts, doc.origin)
    return facts


def _issuer_display(m: Mention | None) -> str | None:
    if m is None:
        return None
    name = m.name
    j = admin.jurisdiction(m.jurisdiction)
    if j and j.id != "vn":
        short = re.sub(r"^(tỉnh|thành phố|huyện|thị xã|quận|xã|phường|thị trấn|đặc khu)\s+", "", j.name)
        if fold(short) not in fold(name):
            name = f"{name} {short}"
    return name


def _jurisdictions(ids: list[str | None]) -> list[Jurisdiction]:
    out: dict[str, Jurisdiction] = {}
    todo = [i for i in ids if i]
    while todo:
        i = todo.pop()
        if i in out:
            continue
        j = admin.jurisdiction(i)
        if j is None:
            continue
        out[i] = j
        if j.parent:
            todo.append(j.parent)
        if j.successor:
            todo.append(j.successor)
    return sorted(out.values(), key=lambda j: j.id)
