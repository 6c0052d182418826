"""What the readers of stored facts use of the model: the export schema's version and the
extractor's, the citation relations, ``Provenance`` and ``to_dict``.

The questions, the exports, the server, the pages and a store's reader (``graph.store.build``)
import this module, not ``model.py``: making the model's seventeen frozen dataclasses (~17 ms)
was most of what importing it cost a one-shot command. ``model.py`` re-exports all of it.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

SCHEMA_VERSION = 1
EXTRACTOR_VERSION = "9"  # bump whenever extraction output changes: caches are re-read

Relation = Literal["cites", "based_on", "implements", "guides", "amends", "replaces", "repeals"]
# what a citation does, weakest first: căn cứ (based_on), thực hiện / triển khai (implements),
# hướng dẫn (guides), sửa đổi, bổ sung (amends), thay thế (replaces), bãi bỏ (repeals)
CITATION_RELATIONS: tuple[str, ...] = typing.get_args(Relation)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact comes from: ``quote == normalized_text[start:end]``; and where the quote
    is in the source file, for people who open it (``loaders.sourcemap``; None if unknown)."""

    document: str
    section: str
    start: int
    end: int
    quote: str
    line: int | None = None  # 1-based line of the quote's start (.txt/.md; .pdf: on ``page``)
    column: int | None = None  # 1-based character of its start in that line (or paragraph)
    end_line: int | None = None  # the line of its last character (.pdf: if on the same page)
    page: int | None = None  # .pdf: the page it starts on
    paragraph: int | None = None  # .docx/.html: the paragraph (or table row) it starts in


_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_dict(obj: Any) -> Any:
    """Dataclasses → plain JSON-able structures (tuples become lists)."""
    t = type(obj)
    if t in _SCALARS:
        return obj
    names = field_names(t)
    # (a scalar is taken as it is, not through a call: a provenance's dict ~35 % sooner)
    if names is not None:
        return {n: v if type(v := getattr(obj, n)) in _SCALARS else to_dict(v) for n in names}
    if t is list or t is tuple:
        return [x if type(x) in _SCALARS else to_dict(x) for x in obj]
    if t is dict:
        return {k: v if type(v) in _SCALARS else to_dict(v) for k, v in obj.items()}
    if isinstance(obj, Sequence) and not isinstance(obj, str | bytes):  # lazy answer lists
        return [to_dict(x) for x in obj]
    return obj


@functools.cache
def field_names(t: type) -> tuple[str, ...] | None:
    """A dataclass's field names (None for other types), looked up once per class (``to_dict``
    and ``sourcemap`` walk the facts by them)."""
    return tuple(f.name for f in dataclasses.fields(t)) if dataclasses.is_dataclass(t) else None
