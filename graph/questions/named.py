"""The names search lists, read a window at a time: agencies', documents', cited documents' and
indicators' names, numbers and titles (``database.NAME_GROUPS``, rows of ``names``).

A node is listed once, by the first of its names (in the order ``NAME_ORDER``) that holds the
phrase; those whose that name equals the query (its ``fold_key``, or the query's with
abbreviations spelled out) come first, agencies before the others, then the other agencies,
then the other names, each in that order.

A common phrase is in thousands of names ("cải cách": every document's title, 10,114 names at
10,000 documents). Its names are counted by SQL; its first names are read by walking the index
of their order (``names_order``) from the start of each group holding the phrase, or by
sorting them where that is cheaper (a rarer phrase); and only the names that can equal the
query are folded: those of the agencies whose name keys (``agency_keys``) and the documents
whose folded number or title (``documents.*_fold``) are the query's, and the few cited
documents' and indicators'. Folding every name and ranking them in Python took ~40 ms for such
a phrase; search of it, 50–85 ms, now 15–17 (``benchmarks/warm.py``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cchc_graph.graph.questions import match
from cchc_graph.graph.questions.tables import IN_LIST, Windowed, has_index, json_list
from cchc_graph.graph.store.database import NAME_ORDER as ORDER
from cchc_graph.keys import expand_query, fold, fold_key

if TYPE_CHECKING:
    from cchc_graph.graph.questions.index import Corpus

NAME_TYPES = ("agency", "document", "document", "indicator")  # by ``names.grp``
NAME_ORDER = re.sub(r"\b(grp|doc|ord|fno)\b", r"n.\1", ORDER)  # the order names are listed in (of ``n``)
RUN = 500  # names read at once when listed whole
# what reading the first names costs (µs a name, measured at 10,000 documents): each name
# holding the phrases read and sorted; each entry of the index of their order walked
NAME_COSTS = {"sort": 0.35, "walk": 2.0}
# what tells whether a name can equal the query: its node, group, start and whether that is all of it
_CHECKED = "SELECT n.rowid, n.grp, n.node, substr(n.text, 1, ?), length(n.text) <= ?"
_UNKEPT = re.compile(r"[^0-9a-z%]+")  # what fold_key drops of a folded text


class Names(Windowed[tuple[str, int]]):
    """The names holding one of the phrases ``variants`` (each a list of ``match.words``), of
    the ``types`` asked (all when none), in search's order: ("names", rowid) of each node's
    first such name. ``kept``: the question's dict (``Corpus.kept``)."""

    def __init__(self, c: Corpus, variants: list[list[str]], types: tuple[str, ...],
                 kept: dict[Any, Any]) -> None:
        super().__init__(kept.setdefault("names", {}))
        self._c, self._variants, self._question = c, variants, kept
        self._keys = (" ".join(variants[0]), " ".join(variants[-1]))  # the query's, spelled out
        self._groups = [g for g, t in enumerate(NAME_TYPES) if not types or t in types]
        self._from: tuple[str, list[Any]] | None = None

    def _matched(self) -> tuple[str, list[Any]]:
        """FROM and WHERE of the names (``n``) holding the phrases, and their parameters."""
        if self._from is None:
            # (each row's group tested only when some are not asked: ~0.5 ms over 10,000 names)
            asked = ",".join(map(str, self._groups))
            groups = "1" if len(self._groups) == len(NAME_TYPES) else f"n.grp IN ({asked})"
            query = match.fts_query(self._variants)
            if query is not None:  # (the index's rows joined to theirs: no list of rowids made)
                self._from = ("FROM fts_names f CROSS JOIN names n ON n.rowid = f.rowid "
                              f"WHERE fts_names MATCH ? AND {groups}", [query])
            else:
                where, params = match.condition(self._c, "names", self._variants, "n")
                self._from = f"FROM names n WHERE {where} AND {groups}", params
        return self._from

    def _count(self) -> int:
        return self._scan()[0]

    def _exact(self) -> list[tuple[int, str]]:
        """(rowid, node) of the names equal to the query, in order."""
        return self._scan()[1]

    def _scan(self) -> tuple[int, list[tuple[int, str]], int, set[int]]:
        """The nodes counted, those listed first, how many names hold the phrases and of which
        groups, in one pass over these names, which also lists those that can equal the query."""
        got = self._question.get("names scan")
        if got is not None:
            return got  # type: ignore[no-any-return]
        sql, params = self._matched()
        keyed = self._keyed()
        also = f" OR n.node {IN_LIST}" if keyed else ""  # (most phrases: none)
        n, rowids, held, groups = self._c.rows(
            f"SELECT count(DISTINCT n.node), group_concat(CASE WHEN n.grp >= 2{also} THEN n.rowid END), "
            f"count(*), group_concat(DISTINCT n.grp) {sql}", [json_list(keyed)] * bool(keyed) + params)[0]
        rows = self._c.rows(f"{_CHECKED} FROM names n WHERE n.rowid {IN_LIST} ORDER BY {NAME_ORDER}",
                            [*self._head(), f"[{rowids or ''}]"])
        clashing = {node for _, grp, node, _, _ in rows if grp >= 2} - set(keyed)
        if clashing and self._elsewhere(clashing):
            # (a cited document's or indicator's id that is another node's too: its first name
            # may be of another group; all its names are read)
            also = f"AND (n.grp >= 2 OR n.node {IN_LIST})"
            rows = self._c.rows(f"{_CHECKED} {sql} {also} ORDER BY {NAME_ORDER}",
                                [*self._head(), *params, json_list(clashing | set(keyed))])
        seen: set[str] = set()
        exact = []
        for rowid, _, node, start, whole in rows:
            if node in seen:
                continue  # a node is found once, by the first of its names that holds the phrase
            seen.add(node)
            if self._equal(rowid, start, whole):
                exact.append((rowid, node))
        got = (int(n), exact, int(held), {int(g) for g in (groups or "").split(",") if g})
        self._question["names scan"] = got
        return got

    def _keyed(self) -> list[str]:
        """The agencies and documents with a name whose ``fold_key`` can be the query's: those
        with a name key (``expand_query``) of the query's, or a folded number or title of it
        (each by its index: lists of values, not ``json_each``, which would be read per row)."""
        keys = sorted(set(self._keys))
        marks = ", ".join("?" * len(keys))
        parts, params = [], []
        if 0 in self._groups:
            spelled = sorted({expand_query(k) for k in keys})
            parts.append(f"SELECT agency FROM agency_keys WHERE key IN ({', '.join('?' * len(spelled))})")
            params += spelled
        if 1 in self._groups:
            parts += [f"SELECT id FROM documents WHERE {col} IN ({marks})"
                      for col in ("number_fold", "inferred_fold", "title_fold")]
            params += keys * 3
        return [i for (i,) in self._c.rows(" UNION ".join(parts), params)] if parts else []

    def _elsewhere(self, nodes: set[str]) -> bool:
        """Whether any of these ids of cited documents or indicators is an agency's or a
        document's too (whose names come first)."""
        ids = json_list(nodes)
        return bool(self._c.rows(f"SELECT 1 FROM agencies WHERE id {IN_LIST} UNION ALL "
                                 f"SELECT 1 FROM documents WHERE id {IN_LIST} LIMIT 1", (ids, ids)))

    def _head(self) -> tuple[int, int]:
        """How much of a name is read to tell whether it can equal the query: a name whose start
        alone holds more letters and digits than a key is none (fold_key keeps a folded
        text's letters, digits and % one for one)."""
        return (2 * max(map(len, self._keys)) + 8,) * 2  # type: ignore[return-value]

    def _equal(self, rowid: int, start: str, whole: bool) -> bool:
        """Whether a name (its start, or all of it) folds to one of the query's keys."""
        most = max(len(k.replace(" ", "")) for k in self._keys)
        if not whole and len(_UNKEPT.sub("", fold(start))) > most:
            return False
        text = start if whole else self._c.rows("SELECT text FROM names WHERE rowid = ?", (rowid,))[0][0]
        return fold_key(text) in self._keys

    def _window(self, start: int, stop: int) -> list[Any]:
        exact = self._exact()
        out = [("names", r) for r, _ in exact[start:stop]]
        if stop > len(exact):
            rest = self._rest(stop - len(exact), {node for _, node in exact})
            out += [("names", r) for r in rest[max(0, start - len(exact)):]]
        return out

    def _rest(self, n: int, skip: set[str]) -> list[int]:
        """The first ``n`` names listed after those equal to the query (``skip``: their nodes):
        walking the names' order (``names_order``) where that is cheaper than sorting them."""
        if self._plan(n + len(skip)) == "walk":
            walked = self._walked(n, skip)
            if walked is not None:
                return walked
        return self._sorted(n, skip)

    def _plan(self, stop: int) -> str:
        """"walk" or "sort", the cheaper for the first ``stop`` names, by the costs measured at
        10,000 documents (``NAME_COSTS``; the names holding the phrases spread evenly)."""
        c, held = self._c, self._scan()[2]
        if not held or match.fts_query(self._variants) is None or not has_index(c, "names_order"):
            return "sort"
        rows = c.derived(("rows", "names"), lambda: int(c.rows("SELECT count(*) FROM names")[0][0]))
        walk = min(rows, stop * rows / held) * NAME_COSTS["walk"]
        return "walk" if walk < held * NAME_COSTS["sort"] else "sort"

    def _sorted(self, n: int, skip: set[str]) -> list[int]:
        """The first ``n`` names after ``skip``'s, their rows sorted (cut to as many as it takes:
        a node's other names are passed)."""
        sql, params = self._matched()
        limit = n + len(skip) + 16
        while True:
            rows = self._c.rows(f"SELECT n.rowid, n.node {sql} ORDER BY {NAME_ORDER} LIMIT ?",
                                [*params, limit])
            out = _firsts(rows, set(skip))
            if len(out) >= n or len(rows) < limit:
                return out[:n]
            limit *= 4

    def _walked(self, n: int, skip: set[str]) -> list[int] | None:
        """The first ``n`` names after ``skip``'s, walking the index of the names' order group by
        group in runs of entries, each run's checked in the full-text index over its rowids
        only; None once the walk has passed four times the entries expected (the names
        holding the phrases were not spread evenly: sorting them is then cheaper)."""
        c, query = self._c, match.fts_query(self._variants) or ""
        rows = c.derived(("rows", "names"), lambda: int(c.rows("SELECT count(*) FROM names")[0][0]))
        _, _, held, groups = self._scan()
        if not held:
            return []
        budget = 4 * (n + len(skip)) * rows / held + match.WALK_RUN
        seen, out, passed = set(skip), [], 0
        for grp in sorted(groups):  # (those holding the phrases: an agency's name holds no title's words)
            for at in itertools.count(0, match.WALK_RUN):
                run = [r for (r,) in c.rows(f"SELECT rowid FROM names INDEXED BY names_order WHERE grp = ? "
                                            f"ORDER BY {ORDER} LIMIT ? OFFSET ?", (grp, match.WALK_RUN, at))]
                holding = match.among(c, "names", query, run)
                hits = [r for r in run if r in holding]
                nodes = dict(c.rows(f"SELECT rowid, node FROM names WHERE rowid {IN_LIST}",
                                    (json_list(hits),)))
                out += _firsts([(r, nodes[r]) for r in hits], seen)
                passed += len(run)
                if len(out) >= n:
                    return out[:n]
                if passed > budget:
                    return None
                if len(run) < match.WALK_RUN:
                    break
        return out

    def __iter__(self) -> Iterator[tuple[str, int]]:
        exact = self._exact()
        yield from (("names", r) for r, _ in exact)
        sql, params = self._matched()
        seen = {node for _, node in exact}
        for run in self._c.runs(f"SELECT n.rowid, n.node {sql} ORDER BY {NAME_ORDER}", params, RUN):
            yield from (("names", r) for r in _firsts(run, seen))

    def __repr__(self) -> str:
        return f"Names({self._variants!r})"


def _firsts(rows: Sequence[tuple[int, str]], seen: set[str]) -> list[int]:
    """The rowids of the rows whose node is not ``seen`` yet, each node once (``seen`` grows)."""
    out = []
    for rowid, node in rows:
        if node not in seen:
            seen.add(node)
            out.append(rowid)
    return out
