"""How a corpus reads its tables: records by id or by a column, whole tables, answers built
as read (``index.Corpus`` holds these views over its snapshot)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar, overload

import orjson
from cchc_graph.graph.store.database import AGENCY_IDS as AGENCY_IDS  # (for the questions' SQL)
from cchc_graph.graph.store.database import TABLES, id_of, rows_of

if TYPE_CHECKING:
    from cchc_graph.graph.questions.index import Corpus

EXPORT_ORDER = "doc IS NULL, doc, ord"  # a table's rows in the export's order
IN_LIST = "IN (SELECT value FROM json_each(?))"  # membership in a list given as one parameter (json_list)
T = TypeVar("T")


def words_list(values: Iterable[str]) -> str:
    """Constant words as an SQL list: a trigger's body takes no parameters, and a partial
    index serves a query whose condition is its own, word for word."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def json_list(values: Iterable[Any]) -> str:
    """A list as one SQL parameter, read back with ``json_each(?)``."""
    return orjson.dumps(list(values)).decode()


# a row when the store's findings are those of its data (the meta row ``findings`` is its version)
KEPT = ("SELECT 1 FROM meta f JOIN meta v ON v.name = 'version' AND f.value = v.value "
        "WHERE f.name = 'findings'")


def findings_kept(c: Corpus) -> bool:
    """Whether the store keeps the audit's findings of this snapshot's data (its build made
    them: ``findings.py``)."""
    return c.derived("findings kept", lambda: bool(c.rows(KEPT)))


def has_index(c: Corpus, name: str) -> bool:
    """Whether the store has this index (a store built before it has not: its questions then
    read without it), asked once per data version."""
    return c.derived(("index", name), lambda: bool(c.rows(
        "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,))))


FIRST_PAGE = 50  # answers in a first page: what a command shows first, read before the rest


class Answers(Sequence[T]):
    """Answers in the order SQL gave their keys, each built when read: a broad question has
    thousands, of which a page shows fifty. ``read``: reads what building a run of keys needs
    at once (a command printing every answer builds thousands)."""

    RUN = 500  # keys read at once
    FIRST = FIRST_PAGE  # ... but the first run no longer than a page: a command's first lines come at once

    def __init__(self, keys: Sequence[Any], build: Callable[[Any], T],
                 read: Callable[[Sequence[Any]], object] | None = None) -> None:
        self._keys, self._build, self._read = keys, build, read

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return list(self._built(self._keys[i]))
        return self._build(self._keys[i])

    def __iter__(self) -> Iterator[T]:
        return self._built(self._keys)

    def _built(self, keys: Iterable[Any]) -> Iterator[T]:
        # (keys iterated, not sliced: keys read from SQL a window at a time are read in one go)
        it, size = iter(keys), self.FIRST
        while run := list(islice(it, size)):
            size = self.RUN
            if self._read is not None and len(run) > 1:
                self._read(run)
            yield from map(self._build, run)

    def __repr__(self) -> str:
        return f"Answers({len(self)})"


class Windowed(Sequence[T]):
    """Answers read a window at a time: a slice reads that window (``_window``), ``len``
    counts them (``_count``), each answer is made of its row by ``_build``. ``kept``: a dict
    held for the data's version (``Corpus.kept``), in which the count and the last windows read
    are kept: a client pages through an answer, or asks it again."""

    WINDOWS_KEPT = 32

    def __init__(self, kept: dict[Any, Any] | None = None) -> None:
        self._kept: dict[Any, Any] = {} if kept is None else kept

    def _count(self) -> int:
        raise NotImplementedError

    def _window(self, start: int, stop: int) -> list[Any]:
        raise NotImplementedError

    def _build(self, row: Any) -> T:
        return row  # type: ignore[no-any-return]

    def __len__(self) -> int:
        n = self._kept.get("count")
        if n is None:
            n = self._kept["count"] = self._count()
        return n

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, int):
            got = self[i:i + 1] if i >= 0 else self[len(self) + i:len(self) + i + 1]
            if not got:
                raise IndexError(i)
            return got[0]
        if i.step in (None, 1) and (i.start or 0) >= 0 and i.stop is not None and i.stop >= 0:
            # (a window counted from the start, as pages are: read without the count first, which
            # may still be being counted apart; each ``_window`` stops at the end)
            start, stop = i.start or 0, i.stop
        else:
            start, stop, step = i.indices(len(self))
            if step != 1:
                return list(self[start:stop])[::step]
        if start >= stop:
            return []
        rows = self._kept.get((start, stop))
        if rows is None:
            rows = self._kept[(start, stop)] = self._window(start, stop)
            if len(self._kept) > self.WINDOWS_KEPT + 1:  # (the count, and the latest windows)
                # (listed at once: other requests of this data version may add to it meanwhile)
                oldest = next(k for k in list(self._kept) if k != "count")
                self._kept.pop(oldest, None)
        return [self._build(r) for r in rows]


class Selected(Windowed[T]):
    """The rows of one SQL query in its order, read as asked: ``len`` counts them, a slice
    reads that window (LIMIT/OFFSET), iterating reads them in runs as they are used; ``build``
    makes an answer of a row; ``count``: an SQL statement counting them faster, with the same
    parameters. For answers too many to hold (the audit of a national corpus: hundreds of
    thousands; the calendar's 150,000 deadlines) whose order an index gives."""

    RUN = 500  # rows read at once

    def __init__(self, c: Corpus, sql: str, params: Sequence[Any], build: Callable[[tuple], T],
                 count: str | None = None, kept: dict[Any, Any] | None = None) -> None:
        super().__init__(kept)
        self._c, self._sql, self._params, self._make = c, sql, tuple(params), build
        self._counting = count or f"SELECT count(*) FROM ({sql})"  # (the same parameters)

    def _count(self) -> int:
        return int(self._c.rows(self._counting, self._params)[0][0])

    def _window(self, start: int, stop: int) -> list[Any]:
        return self._c.rows(f"{self._sql} LIMIT ? OFFSET ?", (*self._params, stop - start, start))

    def _build(self, row: Any) -> T:
        return self._make(row)

    def __iter__(self) -> Iterator[T]:
        for run in self._c.runs(self._sql, self._params, self.RUN):
            yield from map(self._make, run)

    def __repr__(self) -> str:
        return f"Selected({self._sql!r})"


class Chain(Windowed[T]):
    """Sequences one after another (search's names, then its tasks, targets, citations): a
    window reads only the parts it falls in; the length asks each part's."""

    def __init__(self, parts: Sequence[Sequence[T]]) -> None:
        super().__init__()
        self._parts = parts

    def _count(self) -> int:
        return sum(len(p) for p in self._parts)

    def _window(self, start: int, stop: int) -> list[Any]:
        out: list[Any] = []
        at = 0
        for p in self._parts:
            if at >= stop:
                break
            n = len(p)
            if start < at + n:
                out += p[max(0, start - at):stop - at]
            at += n
        return out

    def __iter__(self) -> Iterator[T]:
        for p in self._parts:
            yield from p

    def __repr__(self) -> str:
        return f"Chain({len(self._parts)} parts)"


def export_ordered(c: Corpus, table: str, column: str, where: str, params: Sequence[Any],
                   kept: dict[Any, Any]) -> Chain[Any]:
    """``column`` of a table's rows meeting ``where``, in the export's order (``EXPORT_ORDER``),
    a window at a time: the rows of documents in the order of the table's index ``(doc, ord)``,
    then the others by ``ord`` (``ORDER BY EXPORT_ORDER`` itself sorts every row: its first
    term is no index's); ``kept``: a dict kept for the question (``Corpus.kept``)."""
    def part(which: str, order: str) -> Selected[Any]:
        cond = f"doc IS {which} AND ({where})"
        sql = f"SELECT {column} FROM {table} WHERE {cond} ORDER BY {order}"
        return Selected(c, sql, params, lambda r: r[0], f"SELECT count(*) FROM {table} WHERE {cond}",
                        kept.setdefault(which, {}))
    return Chain([part("NOT NULL", "doc, ord"), part("NULL", "ord")])


class Records(Mapping[str, dict[str, Any]]):
    """One table's records by id, read when asked (and kept for the question)."""

    def __init__(self, c: Corpus, table: str) -> None:
        self._c, self._t = c, table
        self._got: dict[str, dict[str, Any]] = {}

    def __getitem__(self, key: str) -> dict[str, Any]:
        rec = self._got.get(key)
        if rec is None:
            rows = self._c.rows(f"SELECT rec FROM {self._t} WHERE id = ?", (key,))
            if not rows:
                raise KeyError(key)
            rec = self._got[key] = self._c.decode(rows[0][0])
        return rec

    def __contains__(self, key: object) -> bool:
        return key in self._got or bool(self._c.rows(f"SELECT 1 FROM {self._t} WHERE id = ?", (key,)))

    def __iter__(self) -> Iterator[str]:
        return (i for (i,) in self._c.rows(f"SELECT id FROM {self._t} ORDER BY {EXPORT_ORDER}"))

    def __len__(self) -> int:
        return self._c.rows(f"SELECT count(*) FROM {self._t}")[0][0]

    def where(self, condition: str = "", params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The records meeting an SQL condition, in the export's order."""
        sql = f"SELECT id, rec FROM {self._t}" + (f" WHERE {condition}" if condition else "")
        out = []
        for i, rec in self._c.rows(f"{sql} ORDER BY {EXPORT_ORDER}", params):
            r = self._got.get(i)
            if r is None:
                r = self._got[i] = self._c.decode(rec)
            out.append(r)
        return out

    def values(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return self.where()

    def items(self) -> list[tuple[str, dict[str, Any]]]:  # type: ignore[override]
        return [(r["id"], r) for r in self.where()]


class Grouped:
    """Records of a table by one column (``c.resp_by_task[tid]``), in the export's order."""

    def __init__(self, c: Corpus, table: str, column: str) -> None:
        self._c, self._t, self._col = c, table, column
        self._got: dict[Any, list[dict[str, Any]]] = {}
        # a column holding the row ids of another table's ids (``Table.keys``): read as ids
        ref = dict(TABLES[table].keys).get(column)
        self._value = id_of(ref, column) if ref else column
        self._of = rows_of(ref, "= ?") if ref else "?"
        self._among = f"IN {rows_of(ref, IN_LIST)}" if ref else IN_LIST

    def __getitem__(self, key: Any) -> list[dict[str, Any]]:
        got = self._got.get(key)
        if got is None:
            cond = f"{self._col} IS NULL" if key is None else f"{self._col} = {self._of}"
            params = () if key is None else (key,)
            got = self._got[key] = [self._c.decode(r) for (r,) in self._c.rows(
                f"SELECT rec FROM {self._t} WHERE {cond} ORDER BY {EXPORT_ORDER}", params)]
        return got

    def get(self, key: Any, default: Any = None) -> Any:
        return self[key] or default

    def read(self, keys: Iterable[Any]) -> None:
        """Read the records of many keys at once."""
        todo = [k for k in set(keys) if k not in self._got]
        for k in todo:
            self._got[k] = []
        sql = (f"SELECT {self._value}, rec FROM {self._t} WHERE {self._col} {self._among} "
               f"ORDER BY {EXPORT_ORDER}")
        for key, r in self._c.rows(sql, (json_list(todo),)):
            self._got[key].append(self._c.decode(r))


class _DocumentFacts:
    """One document's tasks, targets and citations (``c.by_document[d]["tasks"]``)."""

    def __init__(self, c: Corpus, doc: str) -> None:
        self._c, self._doc = c, doc

    def __getitem__(self, kind: str) -> list[dict[str, Any]]:
        return self._c.of_document(kind, self._doc)

    def get(self, kind: str, default: Any = None) -> list[dict[str, Any]]:
        return self[kind]


class ByDocument:
    """A corpus's documents' facts (``c.by_document[d]``)."""

    def __init__(self, c: Corpus) -> None:
        self._c = c

    def __getitem__(self, doc: str) -> _DocumentFacts:
        return _DocumentFacts(self._c, doc)

    def get(self, doc: str, default: Any = None) -> _DocumentFacts:
        return self[doc]
