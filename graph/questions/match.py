"""Which records hold a phrase: FTS5 phrase queries over the store's folded texts.

The store's FTS5 tables (``fts_tasks``, ``fts_targets``, ``fts_citations``, ``fts_names``)
hold each text with ``đ`` made ``d``; their tokenizer strips the other diacritics and case the
way :func:`loaders.text.fold` does, and its words are runs of letters, digits and ``_``, as
``\\w`` is for a regex. So an FTS5 phrase query is exact for a phrase of plain words: it finds
the records whose folded text holds those words side by side, whatever is between them. (It is
a little more lenient than ``fold`` on a few letters outside Vietnamese: ``ſ``, the Kelvin
sign, read as ``s``, ``k``.) The tokenizer drops ``%``; each % that ends a word is told by a
token of its own (``database.percent_mark``: "_95" for "95%", "_" for a % after no word), so a
phrase that is one such word ("95%", "%") is exact too. Another phrase with ``%`` ("đạt 95%",
"95 %") is looked up by its words and those tokens, and the records found are checked with the
phrase's pattern; one with none of either ("%%") is checked against every record.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from cchc_graph.graph.questions.index import NotFound
from cchc_graph.graph.questions.tables import FIRST_PAGE, IN_LIST, Chain, Windowed, has_index, json_list
from cchc_graph.graph.store.database import PERCENT, fts_source, percent_mark
from cchc_graph.keys import fold, fold_key

if TYPE_CHECKING:
    from cchc_graph.graph.questions.index import Corpus

_TOKEN = re.compile(r"[0-9a-z]+")


def words(phrase: str) -> list[str]:
    """The folded words of a phrase (letters, digits and ``%``)."""
    out = fold_key(phrase).split()
    if not out:
        raise NotFound("cụm từ trống / empty phrase")
    return out


def phrase_rx(ws: Sequence[str]) -> re.Pattern[str]:
    """The words, whole, with anything but letters and digits between.

    An edge that is not a word character (``95%``) is bounded by a lookaround: ``\\b`` after
    ``%`` would ask for a letter next."""
    head = r"\b" if ws[0][0].isalnum() else r"(?<!\w)"  # fold_key keeps [0-9a-z%] only
    tail = r"\b" if ws[-1][-1].isalnum() else r"(?!\w)"
    return re.compile(head + r"\W+".join(map(re.escape, ws)) + tail)


def condition(c: Corpus, table: str, variants: Sequence[Sequence[str]], alias: str = ""
              ) -> tuple[str, list[Any]]:
    """An SQL condition on ``table``'s rows (``alias.rowid``) whose text holds one of the
    phrases (each a list of ``words``), and its parameters."""
    fts, row = f"fts_{table}", f"{alias or table}.rowid"
    parts: list[str] = []
    params: list[Any] = []
    for ws in variants:
        exact = _exact(ws)
        if exact is not None:
            parts.append(f"{row} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)")
            params.append(exact)
            continue
        rx = phrase_rx(ws)
        parts.append(f"{row} IN (SELECT value FROM json_each(?))")
        params.append("[" + ",".join(str(r) for r, folded in _texts(c, table, _candidates(ws))
                                     if rx.search(folded)) + "]")
    return "(" + " OR ".join(parts) + ")", params


def _exact(ws: Sequence[str]) -> str | None:
    """The FTS5 query of exactly the records holding a phrase: its words side by side when
    each is letters and digits, the mark of a word ending with % when it is that word alone
    ("95%": "_95"); else None."""
    if all(w.isalnum() for w in ws):
        return '"' + " ".join(ws) + '"'  # ASCII letters and digits: nothing to escape
    found = PERCENT.fullmatch(ws[0]) if len(ws) == 1 else None
    return f'"{percent_mark(found[1])}"' if found else None


def _candidates(ws: Sequence[str]) -> str | None:
    """An FTS5 query of the records that may hold a phrase with % (its letters and digits side
    by side, and the mark of each % ending a word); None when it has neither."""
    tokens = _TOKEN.findall(" ".join(ws))
    marks = [percent_mark(m[1]) for w in ws for m in PERCENT.finditer(w)]
    parts = ['"' + " ".join(tokens) + '"'] * bool(tokens) + [f'"{m}"' for m in marks]
    return " AND ".join(parts) or None


def _texts(c: Corpus, table: str, query: str | None) -> list[tuple[int, str]]:
    """The rows matching an FTS5 query (all without one), with their searched text, folded:
    the names' own, the other tables' from their records. (The record's field is folded as it
    is: ``fold`` makes ``đ`` ``d`` as ``fts_text`` does, and translating each text once, not
    twice, is half the time of a phrase with ``%``.)"""
    fts = f"fts_{table}"
    within = f" WHERE rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)" if query else ""
    if table == "names":
        rows = [(r, text or "") for r, text in c.rows(f"SELECT rowid, text FROM names{within}",
                                                      (query,) if query else ())]
    else:
        sql = f"SELECT rowid, rec FROM {table}{within}"
        rows = [(r, fts_source(table, c.decode(rec))) for r, rec in c.rows(sql, (query,) if query else ())]
    # folded as one text, cut back into each (fold is one character for one): thousands of
    # short texts go through numpy at once, where each was translated alone
    folded, at, out = fold("".join(t for _, t in rows)), 0, []
    for r, t in rows:
        out.append((r, folded[at:at + len(t)]))
        at += len(t)
    return out


def fts_query(variants: Sequence[Sequence[str]]) -> str | None:
    """The FTS5 query of the rows holding one of the phrases; None when the index cannot look
    one up exactly (``_exact``: ``condition`` checks those rows by their pattern)."""
    queries = [_exact(ws) for ws in variants]
    return None if None in queries else " OR ".join(q for q in queries if q)


_COUNT = "SELECT count(*) FROM fts_{table} WHERE fts_{table} MATCH ?"


def count(c: Corpus, table: str, query: str) -> int:
    """How many of a table's rows hold the phrases (``fts_query``): the index's count, no row read."""
    return int(c.rows(_COUNT.format(table=table), (query,))[0][0])


def count_apart(c: Corpus, table: str, query: str, kept: dict[Any, Any]) -> Callable[[], int] | None:
    """``count``, started now on another connection (``Corpus.count_apart``; a common phrase:
    FTS5 counts the 172,613 tasks holding "chủ trì" at 10,000 documents in ~14 ms) while this
    one reads the first page; the function returned gives it. None when not started, or when
    ``kept`` (the answer's kept dict, ``Windowed``) holds the count already."""
    return None if "count" in kept else c.count_apart(_COUNT.format(table=table), (query,))


# what reading a window costs (µs a row, measured at 10,000 documents, ``Ranked``): a hit read
# and sorted; a hit listed; an index entry passed against that list; an entry walked, the
# phrase's rows read in the walked entries' range of rowids
PLAN_COSTS = {"sort": 1.3, "list": 0.3, "pass": 0.2, "walk": 2.0}
# while the hits are counted apart, a window is planned on those up to BOUND counted here (all
# of them, below it); with at least BOUND, walking to the window costs at most its entries
# over BOUND of the rows, and is chosen when that is at most WALK_SURE µs (a first page)
BOUND = 8192
WALK_SURE = 5000.0
WALK_RUN = 512  # index entries walked at once
# a walk reads at most this many times the entries its plan expects (hits spread evenly over
# the index), then lists the phrase's rows instead: a phrase's hits can gather in a few
# documents far along the index (realistic 10k: "một cửa" walked 27,000 entries, 38 ms, for a
# first page planned at ~1,400; listed, 11 ms)
WALK_SLACK = 2.0
WALK_GAP = 2048  # rowids apart that are read by two range queries, not one


def among(c: Corpus, table: str, query: str, rowids: list[int]) -> set[int]:
    """Which of these rows of ``table`` hold the phrases of ``query``: the full-text index read
    only in their range of rowids (a range query for each cluster of them; one over all if they
    are scattered)."""
    ranges: list[list[int]] = []
    for r in sorted(rowids):
        if ranges and r - ranges[-1][1] <= WALK_GAP:
            ranges[-1][1] = r
        else:
            ranges.append([r, r])
    if len(ranges) > 8:
        ranges = [[ranges[0][0], ranges[-1][1]]]
    sql = f"SELECT rowid FROM fts_{table} WHERE fts_{table} MATCH ? AND rowid BETWEEN ? AND ?"
    return {r for lo, hi in ranges for (r,) in c.rows(sql, (query, lo, hi))}


class Ranked(Windowed[str]):
    """The ids of ``table``'s rows (those meeting ``where``) that hold the phrases of ``query``
    (``fts_query``), in ``order``, the order of the table's ``index``; read a window at a time,
    counted apart (``counted``; by default the full-text index's count when ``where`` is none).

    A window is read the cheapest of three ways (the same rows each way), by the costs
    measured at 10,000 documents (``PLAN_COSTS``): sorting the phrase's rows, each read (a rare
    phrase); walking ``index`` to the window's end, each entry checked against the phrase's
    rows listed once (deeper pages); or walking it in runs, each run checked against the
    phrase's rows in its range of rowids only (a common phrase's first pages, near the index's
    start: its tens of thousands of rows are not listed). A store without the index sorts."""

    RUN = 500
    FIRST = FIRST_PAGE  # read as a window when iterated

    def __init__(self, c: Corpus, table: str, query: str, order: str, index: str | None,
                 where: str = "", counted: Callable[[], int] | None = None,
                 kept: dict[Any, Any] | None = None, apart: bool = False) -> None:
        super().__init__(kept)
        self._apart = apart  # (``counted`` runs apart: windows are planned before it ends)
        self._c, self._table, self._query, self._order, self._index = c, table, query, order, index
        self._where = where or "1"
        fts = f"fts_{table}"
        self._holds = f"{self._where} AND {table}.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"
        self._counted = counted
        self._bound: int | None = None  # the hits up to BOUND, counted here (``_hits``)

    def _count(self) -> int:
        if self._counted is not None:
            return self._counted()
        if self._where == "1":
            return count(self._c, self._table, self._query)
        sql = f"SELECT count(*) FROM {self._table} WHERE {self._holds}"
        return int(self._c.rows(sql, (self._query,))[0][0])

    def _hits(self) -> tuple[int, bool]:
        """The hits and whether that is all of them: their count once known; while it is
        counted apart (``apart``), those up to ``BOUND``, counted here (all of them, below it:
        the count then)."""
        n = self._kept.get("count")
        if n is not None or not self._apart:
            return len(self), True
        if self._bound is None:
            t, fts = self._table, f"fts_{self._table}"
            joined = f" CROSS JOIN {t} ON {t}.rowid = f.rowid" if self._where != "1" else ""
            sql = (f"SELECT count(*) FROM (SELECT 1 FROM {fts} f{joined} WHERE {fts} MATCH ? "
                   f"AND {self._where} LIMIT ?)")
            self._bound = int(self._c.rows(sql, (self._query, BOUND))[0][0])
            if self._bound < BOUND:
                self._kept["count"] = self._bound
        return self._bound, self._bound < BOUND

    def _plan(self, stop: int, walk: bool = True) -> str:
        """The cheapest way to read the ids up to ``stop``: "sort", "list" or "walk"."""
        c, index = self._c, self._index
        if index is None or not has_index(c, index):
            return "sort"
        (n, exact), cost = self._hits(), PLAN_COSTS
        if not exact:  # (at least n hits: walking costs at most this; else plan on their count)
            if walk and self._passed(stop, n) * cost["walk"] <= WALK_SURE:
                return "walk"
            n = len(self)
        passed = self._passed(stop, n)
        costs = {"sort": n * cost["sort"], "list": n * cost["list"] + passed * cost["pass"]}
        if walk:
            costs["walk"] = passed * cost["walk"]
        return min(costs, key=costs.__getitem__)

    def _rows(self) -> int:
        c, table = self._c, self._table
        return c.derived(("rows", table), lambda: int(c.rows(f"SELECT count(*) FROM {table}")[0][0]))

    def _passed(self, stop: int, hits: int) -> float:
        """The index entries read to reach the ``stop``-th of ``hits`` spread evenly over it."""
        rows = self._rows()
        return min(rows, stop * rows / hits)

    def _budget(self, stop: int) -> int:
        """The index entries a walk to ``stop`` may read: ``WALK_SLACK`` times those it is
        planned to read, at least a run."""
        return max(WALK_RUN, int(WALK_SLACK * self._passed(stop, max(1, self._hits()[0]))))

    def _sql(self, plan: str) -> str:
        """The SELECT of the ids in order: sorting them, or walking the index against their list."""
        how = "NOT INDEXED" if plan == "sort" else f"INDEXED BY {self._index}"
        return f"SELECT id FROM {self._table} {how} WHERE {self._holds} ORDER BY {self._order}"

    def _window(self, start: int, stop: int) -> list[Any]:
        n, exact = self._hits()
        if start >= n and (exact or start >= len(self)):  # (past at least n hits: counted)
            return []
        plan = self._plan(stop)
        if plan == "walk":
            walked = self._walked(start, stop, self._budget(stop))
            if walked is not None:
                return walked
            plan = self._plan(stop, walk=False)  # (its hits not spread evenly: listed or sorted)
        return [i for (i,) in self._c.rows(f"{self._sql(plan)} LIMIT ? OFFSET ?",
                                           (self._query, stop - start, start))]

    def _walked(self, start: int, stop: int, budget: int) -> list[Any] | None:
        """The window's ids, walking the index from its start in runs of entries (``WALK_RUN``);
        None when ``budget`` entries hold too few of them."""
        c, t = self._c, self._table
        found: list[int] = []
        for at in itertools.count(0, WALK_RUN):
            run = [r for (r,) in c.rows(f"SELECT rowid FROM {t} INDEXED BY {self._index} WHERE {self._where} "
                                        f"ORDER BY {self._order} LIMIT ? OFFSET ?", (WALK_RUN, at))]
            hits = among(c, t, self._query, run)
            found += [r for r in run if r in hits]
            if len(found) >= stop or len(run) < WALK_RUN:
                break
            if at + WALK_RUN >= budget:
                return None
        shown = found[start:stop]
        ids = dict(c.rows(f"SELECT rowid, id FROM {t} WHERE rowid {IN_LIST}", (json_list(shown),)))
        return [ids[r] for r in shown]

    def __iter__(self) -> Iterator[str]:
        # the first page as a window (a common phrase's by walking the index: a command's first
        # lines come without sorting its tens of thousands of rows), then the rest in one query
        head = self[:self.FIRST]
        yield from head
        if len(head) == self.FIRST:
            sql = f"{self._sql(self._plan(len(self), walk=False))} LIMIT -1 OFFSET ?"
            for run in self._c.runs(sql, (self._query, self.FIRST), self.RUN):
                yield from (i for (i,) in run)

    def __repr__(self) -> str:
        return f"Ranked({self._table!r}, {self._query!r}, {self._order!r})"


def in_export_order(c: Corpus, table: str, query: str, kept: dict[Any, Any]) -> Chain[str]:
    """The ids of a table's rows holding the phrases, in the export's order (``EXPORT_ORDER``:
    the rows of documents by ``doc, ord``, which the table's ``_doc`` index gives, then any
    others by ``ord``); ``kept``: a dict kept for the question (``Corpus.kept``)."""
    loose = Ranked(c, table, query, "ord", None, "doc IS NULL", kept=kept.setdefault("loose", {}))
    held = kept.setdefault("placed", {})
    every = count_apart(c, table, query, held)
    whole = every or partial(count, c, table, query)
    placed = Ranked(c, table, query, "doc, ord", f"{table}_doc", "doc IS NOT NULL",
                    lambda: whole() - len(loose), held, apart=every is not None)
    return Chain([placed, loose])
