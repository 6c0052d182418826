"""The names search lists, read a window at a time: agencies', documents', cited documents' and
indicators' names, numbers and titles (``database.NAME_GROUPS``, rows of ``names``).

A node is listed once, by the first of its names (in the order ``NAME_ORDER``) that holds the
phrase; those whose that name equals the query (its ``fold_key``, or the query's with
abbreviations spelled out) come first, agencies before the others, then the other agencies,
then the other names, each in that order.

A common phrase is in thousands of names ("cải cách": every document's title, 10,114 names at
10,000 documents). Its names are counted by SQL, its first page read by SQL (a sort of its
rows, cut to the page), and only the names that can equal the query are folded: those of the
agencies whose name keys (``agency_keys``) and the documents whose folded number or title
(``documents.*_fold``) are the query's, and the few cited documents' and indicators'. Folding
every name and ranking them in Python took ~40 ms for such a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from cchc_graph.graph.questions import match
from cchc_graph.graph.questions.tables import IN_LIST, Windowed, json_list
from cchc_graph.keys import expand_query, fold, fold_key

if TYPE_CHECKING:
    from cchc_graph.graph.questions.index import Corpus

NAME_TYPES = ("agency", "document", "document", "indicator")  # by ``names.grp``
NAME_ORDER = "n.grp, n.doc IS NULL, n.doc, n.ord, n.fno"  # the order names are listed in
RUN = 500  # names read at once when listed whole
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
            groups = f"n.grp IN ({','.join(map(str, self._groups))})"
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

    def _scan(self) -> tuple[int, list[tuple[int, str]]]:
        """The nodes counted and those listed first, in one pass over the names holding the
        phrases, which also lists those of the names that can equal the query."""
        got = self._question.get("names scan")
        if got is not None:
            return got  # type: ignore[no-any-return]
        sql, params = self._matched()
        keyed = self._keyed()
        n, rowids = self._c.rows(
            "SELECT count(DISTINCT n.node), group_concat(CASE WHEN n.grp >= 2 OR n.node "
            f"{IN_LIST} THEN n.rowid END) {sql}", [json_list(keyed), *params])[0]
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
        got = self._question["names scan"] = (int(n), exact)
        return got

    def _keyed(self) -> list[str]:
        """The agencies and documents with a name whose ``fold_key`` can be the query's: those
        with a name key (``expand_query``) of the query's, or a folded number or title of it."""
        keys = json_list(sorted(set(self._keys)))
        spelled = json_list(sorted({expand_query(k) for k in self._keys}))
        return [i for (i,) in self._c.rows(
            f"SELECT agency FROM agency_keys WHERE key {IN_LIST} UNION SELECT id FROM documents "
            f"WHERE number_fold {IN_LIST} OR inferred_fold {IN_LIST} OR title_fold {IN_LIST}",
            (spelled, keys, keys, keys))]

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
        the first rows in order, as many as it takes (a node's other names are passed)."""
        sql, params = self._matched()
        limit = n + len(skip) + 16
        while True:
            rows = self._c.rows(f"SELECT n.rowid, n.node {sql} ORDER BY {NAME_ORDER} LIMIT ?",
                                [*params, limit])
            out = _firsts(rows, set(skip))
            if len(out) >= n or len(rows) < limit:
                return out[:n]
            limit *= 4

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
