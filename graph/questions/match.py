"""Which records hold a phrase: FTS5 phrase queries over the store's folded texts.

The store's FTS5 tables (``fts_tasks``, ``fts_targets``, ``fts_citations``, ``fts_names``)
hold each text with ``đ`` made ``d``; their tokenizer strips the other diacritics and case the
way :func:`loaders.text.fold` does, and its words are runs of letters, digits and ``_``, as
``\\w`` is for a regex. So an FTS5 phrase query is exact for a phrase of plain words: it finds
the records whose folded text holds those words side by side, whatever is between them. (It is
a little more lenient than ``fold`` on a few letters outside Vietnamese: ``ſ``, the Kelvin
sign, read as ``s``, ``k``.) A word with ``%`` ("95%") is looked up by its letters and digits,
and the records found are checked with the phrase's pattern; a phrase with neither ("%") is
checked against every record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cchc_graph.graph.questions.index import NotFound
from cchc_graph.graph.store.database import fts_field
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
        tokens = _TOKEN.findall(" ".join(ws))
        query = '"' + " ".join(tokens) + '"'  # ASCII letters and digits: nothing to escape
        if all(w.isalnum() for w in ws):
            parts.append(f"{row} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)")
            params.append(query)
            continue
        rx = phrase_rx(ws)
        parts.append(f"{row} IN (SELECT value FROM json_each(?))")
        params.append("[" + ",".join(str(r) for r, text in _texts(c, table, query if tokens else None)
                                     if rx.search(fold(text))) + "]")
    return "(" + " OR ".join(parts) + ")", params


def _texts(c: Corpus, table: str, query: str | None) -> list[tuple[int, str]]:
    """The rows matching an FTS5 query (all without one), with the text its index holds: the
    names' own, the other tables' from their records (their indexes keep none: ``fts_field``)."""
    fts = f"fts_{table}"
    if table == "names":
        sql = f"SELECT rowid, text FROM {fts}" + (f" WHERE {fts} MATCH ?" if query else "")
        return [(r, text or "") for r, text in c.rows(sql, (query,) if query else ())]
    within = f" WHERE rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"
    sql = f"SELECT rowid, rec FROM {table}" + (within if query else "")
    return [(r, fts_field(table, c.decode(rec))) for r, rec in c.rows(sql, (query,) if query else ())]
