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

from cchc_graph.graph.questions.display import document_label, short
from cchc_graph.graph.questions.tables import EXPORT_ORDER
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
        for text, name, where in c.rows(  # each agency's name, then its aliases, agencies in order
                "SELECT n.text, a.name, a.jurisdiction FROM names n JOIN agencies a ON a.id = n.node "
                "WHERE n.grp = 0 ORDER BY n.doc IS NULL, n.doc, n.ord, n.fno"):
            k = fold_key(text)
            if k:
                places[k].add(where or "")
                name_of.setdefault(k, name)
        out = {}
        for k, js in places.items():
            if len(js) == 1:
                j = next(iter(js))
                rows = c.rows("SELECT name FROM jurisdictions WHERE id = ?", (j,))
                where = (rows[0][0] if rows else None) or j
                out[k] = f"{name_of[k]} ({where})" if where else name_of[k]
            else:
                out[k] = f"{name_of[k]} ({len(js)} địa bàn / places)"
        return out
    return c.derived("suggest_agencies", build)


def jurisdiction_choices(c: Corpus) -> dict[str, str]:
    """Each jurisdiction's name, with and without its level word ("tỉnh"), → its name."""
    out = {}
    for j, name, brief in c.rows("SELECT id, name, short FROM jurisdictions ORDER BY doc IS NULL, doc, ord"):
        name = name or j
        out[fold_key(name)] = name
        if brief is not None:  # a unit of the administrative map
            out.setdefault(fold_key(brief), name)
    return out


def document_choices(c: Corpus) -> dict[str, str]:
    """Numbers (printed, inferred, of cited documents too), id starts and titles → a label."""
    def build() -> dict[str, str]:
        # every cited document, then every document (its record over its reference's, in the
        # reference's place): only the columns offered, their folds as the store keeps them
        recs: dict[str, tuple] = {}
        cited = c.rows(f"SELECT id, number, number_fold FROM refs ORDER BY {EXPORT_ORDER}")
        for did, number, n_fold in cited:
            recs[did] = (None, number, None, None, n_fold, None, None, False)
        for did, *row in c.rows("SELECT id, type, number, number_inferred, title, number_fold, "
                                f"inferred_fold, title_fold FROM documents ORDER BY {EXPORT_ORDER}"):
            recs[did] = (*row, True)
        out: dict[str, str] = {}
        for did, (kind, number, inferred, title, n_fold, i_fold, t_fold, here) in recs.items():
            for value, folded in ((number, n_fold), (inferred, i_fold)):
                if value:
                    out[folded] = value + ("" if here else " (ngoài kho / cited only)")
            if here:
                label = f"{did} · {short(document_label(did, kind, number, inferred, title), 70)}"
                out[fold_key(did.split("_")[0])] = label
                if title:
                    out.setdefault(t_fold, label)
        return out
    return c.derived("suggest_documents", build)
