"""Cross-document resolution: citations → loaded documents, inferred document numbers.

A citation resolves to a loaded document by number within its scope (central numbers are
national, local ones belong to the issuer's jurisdiction); when the cited document prints no
number of its own, by type, jurisdiction and title. The resolved document then carries the
number it is cited by (``number_inferred``), with the citing sentence as provenance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from loaders.extract.citations import expand_abbreviations
from loaders.extract.grammar import number_key
from loaders.model import Citation, DocumentFacts, Provenance
from loaders.text import fold_key


@dataclass(frozen=True, slots=True)
class InferredNumber:
    document: str
    number: str
    provenance: Provenance


def _scope_ok(cit: Citation, doc: DocumentFacts) -> bool:
    """A local number belongs to its issuer's jurisdiction; a central one to the nation."""
    return cit.scope is None or doc.meta.jurisdiction == cit.scope


def _words(text: str | None, defs: dict[str, str]) -> set[str]:
    if not text:
        return set()
    t = expand_abbreviations(text, defs)
    return set(fold_key(t).split()) - {"ve", "cua", "va", "nha", "nuoc"}


def _title_match(cit: Citation, cit_words: set[str], doc: DocumentFacts,
                 doc_words: set[str]) -> bool:
    if not cit_words or not doc_words:
        return False
    overlap = len(cit_words & doc_words) / min(len(cit_words), len(doc_words))
    years_a = set(re.findall(r"\b(?:19|20)\d\d\b", cit.title or ""))
    years_b = set(re.findall(r"\b(?:19|20)\d\d\b", doc.meta.title or ""))
    return overlap >= 0.8 and (not years_a or not years_b or years_a <= years_b)


def resolve(docs: list[DocumentFacts]) -> tuple[list[DocumentFacts], list[InferredNumber]]:
    """Set ``resolves_to`` on citations; return the updated facts and inferred numbers."""
    by_number: dict[str, list[DocumentFacts]] = {}
    for d in docs:
        if d.meta.number:
            by_number.setdefault(number_key(d.meta.number), []).append(d)
    title_words = {d.meta.id: _words(d.meta.title, {x.short: x.long for x in d.definitions})
                   for d in docs}
    # Title matching looks only at documents that could pass its filters (a numbered citation
    # never resolves by title to a numbered document; types must agree), so it does not grow
    # with corpus size × citations. Candidates keep corpus order: the first match wins.
    by_type: dict[str | None, list[int]] = {}
    unnumbered_by_type: dict[str | None, list[int]] = {}
    for i, d in enumerate(docs):
        by_type.setdefault(d.meta.type or None, []).append(i)
        if not d.meta.number:
            unnumbered_by_type.setdefault(d.meta.type or None, []).append(i)

    unnumbered = [i for i, d in enumerate(docs) if not d.meta.number]

    def candidates(c: Citation) -> list[DocumentFacts]:
        if not c.type:
            return [docs[i] for i in (unnumbered if c.number else range(len(docs)))]
        pool = unnumbered_by_type if c.number else by_type
        return [docs[i] for i in sorted([*pool.get(c.type, ()), *pool.get(None, ())])]

    inferred: list[InferredNumber] = []
    out = []
    for d in docs:
        defs = {x.short: x.long for x in d.definitions}
        cits = []
        for c in d.citations:
            target = None
            if c.number:
                for cand in by_number.get(number_key(c.number), []):
                    if cand.meta.id != d.meta.id and _scope_ok(c, cand):
                        target = cand
                        break
            if target is None and c.type not in ("tieu_chuan", "luat"):
                cit_words = _words(c.title, defs)
                for cand in candidates(c):
                    if cand.meta.id == d.meta.id or (cand.meta.number and c.number):
                        continue
                    if c.type and cand.meta.type and c.type != cand.meta.type:
                        continue
                    if c.scope and cand.meta.jurisdiction and not _scope_ok(c, cand):
                        continue
                    if _title_match(c, cit_words, cand, title_words[cand.meta.id]):
                        target = cand
                        break
            if target is not None:
                c = replace(c, resolves_to=target.meta.id)
                if c.number and not target.meta.number:
                    inferred.append(InferredNumber(target.meta.id, c.number, c.provenance))
            cits.append(c)
        out.append(replace(d, citations=cits))
    return out, inferred
