"""Cross-document resolution: citations → loaded documents, inferred document numbers.

A citation resolves to a loaded document by number within its scope (central numbers are
national, local ones belong to the issuer's jurisdiction); when the cited document prints no
number of its own, by type, jurisdiction and title. The first match in corpus order (document
id) wins. The resolved document then carries the number it is cited by (``number_inferred``),
with the citing sentence as provenance.

Resolution reads small per-document keys (``doc_keys``, ``citation_keys``), computed once when
a document is extracted, so that changing one document of a large corpus re-resolves only the
citations it can affect (``resolve_all`` with ``previous``) — with the same result as resolving
everything again.
"""

from __future__ import annotations

import functools
import heapq
import re
from collections.abc import Iterable, Iterator
from typing import Any

from cchc_graph.keys import expand_abbreviations, fold_key, number_key
from cchc_graph.loaders import admin
from cchc_graph.loaders.model import Citation, DocumentFacts

Keys = dict[str, Any]  # plain dicts: stored in the store as JSON (doc_keys)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_STOPWORDS = {"ve", "cua", "va", "nha", "nuoc"}
_NOT_BY_TITLE = {"tieu_chuan", "luat"}  # standards and laws are cited by number only
# more changed documents than this: resolve every citation again (cheaper than checking each)
INCREMENTAL_MAX = 32
Groups = list[tuple[bool, list[int]]]  # documents of one (numbered, type, jurisdiction): (numbered, members)


def _words(text: str | None, defs: dict[str, str]) -> list[str]:
    if not text:
        return []
    return sorted(set(fold_key(expand_abbreviations(text, defs)).split()) - _STOPWORDS)


def _years(text: str | None) -> list[str]:
    return sorted(set(_YEAR.findall(text or "")))


def doc_keys(d: DocumentFacts) -> Keys:
    """What citations of other documents are matched against."""
    m = d.meta
    defs = {x.short: x.long for x in d.definitions}
    return {"id": m.id, "numbered": bool(m.number), "number": number_key(m.number) if m.number else None,
            "type": m.type or None, "jurisdiction": m.jurisdiction, "words": _words(m.title, defs),
            "years": _years(m.title)}


def citation_keys(c: Citation, defs: dict[str, str]) -> Keys:
    """What a citation is matched by (``defs``: the citing document's abbreviations)."""
    return {"id": c.id, "number": number_key(c.number) if c.number else None, "type": c.type,
            "scope": c.scope, "words": _words(c.title, defs), "years": _years(c.title)}


@functools.cache
def same_place(jurisdiction: str | None, scope: str) -> bool:
    """Whether a document of ``jurisdiction`` lies in a citation's ``scope``: the same unit, or
    the same place across the 2025 reorganisation (an old province or district and the new
    province it went into, either way round)."""
    if jurisdiction == scope:
        return True
    units = admin.units()
    old, new = units.get(jurisdiction or ""), units.get(scope)
    return bool((old and old.successor == scope) or (new and new.successor == jurisdiction))


@functools.cache
def _same_places(scope: str) -> tuple[str, ...]:
    """The jurisdictions :func:`same_place` admits for a scope: itself, its successor, and the
    old units that went into it."""
    units = admin.units()
    u = units.get(scope)
    before = tuple(sorted(x.id for x in units.values() if x.successor == scope))
    return (scope, *((u.successor,) if u and u.successor else ()), *before)


class Resolver:
    """Citations matched against one corpus's documents (their keys, in corpus order)."""

    def __init__(self, docs: list[Keys]) -> None:
        self.docs = docs
        self._words: dict[int, frozenset[str]] = {}  # made when a title is first compared
        self._years: dict[int, frozenset[str]] = {}
        self.by_number: dict[str, list[int]] = {}
        # the documents by (numbered, type, jurisdiction), in corpus order: the title pools
        # below are merged from these when first asked (a one-document rebuild asks few)
        self._groups: dict[tuple[bool, str | None, str | None], list[int]] = {}
        for i, d in enumerate(docs):
            if d["numbered"]:
                self.by_number.setdefault(d["number"], []).append(i)
            self._groups.setdefault((bool(d["numbered"]), d["type"], d["jurisdiction"]), []).append(i)
        # the groups of a type, of a jurisdiction, and all
        self._by_type: dict[str | None, Groups] = {}
        self._by_place: dict[str | None, Groups] = {}
        for (numbered, t, j), members in self._groups.items():
            self._by_type.setdefault(t, []).append((numbered, members))
            self._by_place.setdefault(j, []).append((numbered, members))
        self._all: Groups = [(k[0], members) for k, members in self._groups.items()]
        self._pools: dict[tuple, list[int]] = {}
        # a title's first match, by what the match depends on (``_first_titled``)
        self._by_title: dict[tuple, int | None] = {}

    def _pool(self, key: tuple) -> list[int]:
        """Title candidates by (population, what is known): only documents a citation's type
        and scope admit are compared, so title matching does not grow with corpus × citations.
        The population is every document, or (a citation printing a number) those printing
        none."""
        pool = self._pools.get(key)
        if pool is None:
            every, kind, *known = key
            if kind == "tj":
                groups = [(n, self._groups.get((n, *known), [])) for n in (True, False)]  # type: ignore[arg-type]
            elif kind == "all":
                groups = self._all
            else:
                groups = (self._by_type if kind == "t" else self._by_place).get(known[0], [])
            pool = self._pools[key] = list(heapq.merge(*(g for n, g in groups if every or not n)))
        return pool

    def _candidates(self, c: Keys) -> Iterator[int]:
        pop, t, s = c["number"] is None, c["type"], c["scope"]
        places = (*_same_places(s), None) if s else ()
        if t and s:
            keys: list[tuple] = [("tj", a, b) for a in (t, None) for b in places]
        elif t:
            keys = [("t", t), ("t", None)]
        elif s:
            keys = [("j", b) for b in places]
        else:
            keys = [("all",)]
        return heapq.merge(*(self._pool((pop, *k)) for k in keys))

    def by_number_ok(self, citing: str, c: Keys, i: int) -> bool:
        d = self.docs[i]
        return (c["number"] is not None and d["number"] == c["number"] and d["id"] != citing
                and (c["scope"] is None or same_place(d["jurisdiction"], c["scope"])))

    def by_title_ok(self, citing: str, c: Keys, i: int) -> bool:
        return self._title_ok(citing, c, frozenset(c["words"]), frozenset(c["years"]), i)

    def _title_ok(self, citing: str, c: Keys, cw: frozenset[str], cy: frozenset[int], i: int) -> bool:
        """:meth:`by_title_ok` with the citation's words and years as sets (made once)."""
        d = self.docs[i]
        if c["type"] in _NOT_BY_TITLE or d["id"] == citing or (d["numbered"] and c["number"] is not None):
            return False
        if c["type"] and d["type"] and c["type"] != d["type"]:
            return False
        if c["scope"] and d["jurisdiction"] and not same_place(d["jurisdiction"], c["scope"]):
            return False
        if i not in self._words:
            self._words[i], self._years[i] = frozenset(d["words"]), frozenset(d["years"])
        dw = self._words[i]
        if not cw or not dw or len(cw & dw) / min(len(cw), len(dw)) < 0.8:
            return False
        dy = self._years[i]
        return not cy or not dy or cy <= dy

    def matches(self, citing: str, c: Keys, i: int) -> bool:
        """Whether document ``i`` is a match for the citation at all (by number or title)."""
        return self.by_number_ok(citing, c, i) or self.by_title_ok(citing, c, i)

    def resolve(self, citing: str, c: Keys) -> str | None:
        """The id of the document the citation resolves to, or None."""
        for i in self.by_number.get(c["number"], ()) if c["number"] is not None else ():
            if self.by_number_ok(citing, c, i):
                return self.docs[i]["id"]
        if c["type"] not in _NOT_BY_TITLE:
            first = self._first_titled(c)
            if first is not None and self.docs[first]["id"] != citing:
                return self.docs[first]["id"]
            if first is not None:  # the citing document's own title (rare): the next match
                cw, cy = frozenset(c["words"]), frozenset(c["years"])
                for i in self._candidates(c):
                    if i > first and self._title_ok(citing, c, cw, cy, i):
                        return self.docs[i]["id"]
        return None

    def _first_titled(self, c: Keys) -> int | None:
        """The first document (in corpus order) a citation's title matches, whichever document
        cites it. A match depends only on the citation's type, scope, words, years and whether
        it prints a number, and corpora cite the same documents again and again (realistic,
        2,000 documents: 32,463 title comparisons over the candidates, 1,488 different), so
        each is looked for once."""
        cw, cy = frozenset(c["words"]), frozenset(c["years"])
        key = (c["number"] is None, c["type"], c["scope"], cw, cy)
        found = self._by_title.get(key, -1)
        if found == -1:  # ("" below: no document's id)
            found = self._by_title[key] = next(
                (i for i in self._candidates(c) if self._title_ok("", c, cw, cy, i)), None)
        return found


def resolve_all(docs: list[Keys], citations: Iterable[tuple[str, list[Keys]]],
                previous: dict[str, str] | None = None,
                changed: set[str] | None = None) -> dict[str, str]:
    """Citation id → the document it resolves to, for every resolved citation.

    ``docs`` in corpus order; ``citations``: (citing document, its citations' keys). With
    ``previous`` (the result for the corpus before ``changed`` documents were added, replaced
    or removed) only the citations those documents can affect are resolved again: those of a
    changed document, those that resolved to one, and those a changed document now matches.
    Any other citation keeps its target: the first match in corpus order is still the first.
    """
    r = Resolver(docs)
    changed = changed or set()
    incremental = previous is not None and len(changed) <= INCREMENTAL_MAX
    fresh = [i for i, d in enumerate(docs) if d["id"] in changed]
    out: dict[str, str] = {}
    for citing, cits in citations:
        for c in cits:
            if incremental and citing not in changed:
                old = previous.get(c["id"])  # type: ignore[union-attr]
                if old not in changed and not any(r.matches(citing, c, i) for i in fresh):
                    if old is not None:
                        out[c["id"]] = old
                    continue
            target = r.resolve(citing, c)
            if target is not None:
                out[c["id"]] = target
    return out
