"""Nearest names for a query that matched nothing: agencies, jurisdictions, documents, numbers.

Typos ("Phong Noi vuu"), a missing "và", a place appended, TW for TU: the query and every
name are compared folded (accents and punctuation ignored) with rapidfuzz's token-set ratio, which
scores a name whose words are a subset of the query's (or the other way round) as a match and
a typo by its edit distance; only names near the best one are offered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cchc_graph.graph.questions.display import short
from cchc_graph.keys import fold_key

if TYPE_CHECKING:
    from cchc_graph.graph.questions.index import Corpus

CUTOFF = 70  # below this a "suggestion" is more often noise than the name meant
SPREAD = 12  # names scoring this far below the best are left out
LIMIT = 5


def nearest(query: str, choices: dict[str, str], limit: int = LIMIT, cutoff: float = CUTOFF) -> list[str]:
    """The displays of the ``choices`` (folded key → display) closest to ``query``, best first."""
    from rapidfuzz import fuzz, process

    q = fold_key(query)
    if not q or not choices:
        return []
    hits = process.extract(q, list(choices), scorer=fuzz.token_set_ratio, limit=limit * 3,
                           score_cutoff=cutoff)
    out: list[str] = []
    for key, score, _ in hits:
        if score >= hits[0][1] - SPREAD and choices[key] not in out:
            out.append(choices[key])
    return out[:limit]


def hint(names: Iterable[str]) -> str:
    """"; gần nhất / did you mean: “a”, “b”" or nothing."""
    names = list(names)
    return "; gần nhất / did you mean: " + ", ".join(f"“{n}”" for n in names) if names else ""


def agency_choices(c: Corpus) -> dict[str, str]:
    """Each agency name and alias (folded) → the name with where it is, or how many places."""
    def build() -> dict[str, str]:
        places: dict[str, set[str]] = defaultdict(set)
        name_of: dict[str, str] = {}
        for a in c.agencies.values():
            for n in [a["name"], *(a.get("aliases") or [])]:
                k = fold_key(n)
                if k:
                    places[k].add(a.get("jurisdiction") or "")
                    name_of.setdefault(k, a["name"])
        out = {}
        for k, js in places.items():
            if len(js) == 1:
                j = next(iter(js))
                where = c.jurisdictions.get(j, {}).get("name") or j
                out[k] = f"{name_of[k]} ({where})" if where else name_of[k]
            else:
                out[k] = f"{name_of[k]} ({len(js)} địa bàn / places)"
        return out
    return c.derived("suggest_agencies", build)


def jurisdiction_choices(c: Corpus) -> dict[str, str]:
    """Each jurisdiction's name, with and without its level word ("tỉnh"), → its name."""
    from cchc_graph.loaders import admin

    units = admin.units()
    out = {}
    for j, rec in c.jurisdictions.items():
        name = rec.get("name") or j
        out[fold_key(name)] = name
        if j in units:
            out.setdefault(fold_key(units[j].short), name)
    return out


def document_choices(c: Corpus) -> dict[str, str]:
    """Numbers (printed, inferred, of cited documents too), id starts and titles → a label."""
    def build() -> dict[str, str]:
        out: dict[str, str] = {}
        for did, rec in {**c.references, **c.documents}.items():
            for f in ("number", "number_inferred"):
                if rec.get(f):
                    where = "" if did in c.documents else " (ngoài kho / cited only)"
                    out[fold_key(rec[f])] = rec[f] + where
            if did in c.documents:
                label = f"{did} · {short(c.label(did), 70)}"
                out[fold_key(did.split("_")[0])] = label
                if rec.get("title"):
                    out.setdefault(fold_key(rec["title"]), label)
        return out
    return c.derived("suggest_documents", build)
