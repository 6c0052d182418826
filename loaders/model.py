"""The typed model of facts shared by every stage (loaders → graph → api/visualizations).

Plain, hashable dataclasses. Every fact keeps its provenance: the document id, the section
path, and the character span of the quote inside the document's *normalized* text.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

# (defined in schema.py, which the readers of stored facts import without the classes below)
from .schema import CITATION_RELATIONS as CITATION_RELATIONS
from .schema import EXTRACTOR_VERSION as EXTRACTOR_VERSION
from .schema import SCHEMA_VERSION as SCHEMA_VERSION
from .schema import Provenance, Relation
from .schema import to_dict as to_dict

Role = Literal["lead", "cooperate", "standing", "report_to", "supervise", "advise"]
ROLES: tuple[str, ...] = ("lead", "cooperate", "standing", "report_to", "supervise", "advise")
Comparator = Literal[">", ">=", "=", "<=", "<"]
BlockKind = Literal["para", "heading", "item", "row", "footnote"]
TaskSource = Literal["section", "sentence", "table"]  # what a task was read from


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph, heading, list item or table row of the normalized text."""

    start: int
    end: int
    kind: BlockKind = "para"
    bold: bool = False
    level: int = 0  # markdown '#' depth or docx heading level; 0 when none
    bold_end: int = -1  # end offset of a leading bold run (title of an item), -1 when none
    cells: tuple[tuple[int, int], ...] = ()  # cell spans for table rows
    table: int = -1  # index of the table a row belongs to
    line: int = 0  # 1-based line (or paragraph) number in the source file


@dataclass(frozen=True, slots=True)
class SourceMap:
    """Where normalized text came from: normalized offset ``norm[k]`` (ascending) is source
    offset ``src[k]``, and the characters after it follow one to one up to ``norm[k + 1]``.
    The source is the file's lines joined with "\\n"; ``line_starts`` holds where each begins."""

    norm: tuple[int, ...]
    src: tuple[int, ...]
    line_starts: tuple[int, ...]
    pages: tuple[tuple[int, int], ...] = ()  # PDF: (page, line on the page) of each line
    paragraphs: bool = False  # .docx/.html: the source's lines are its paragraphs


@dataclass(frozen=True, slots=True)
class NormDoc:
    """A document as normalized text plus the blocks that make it up."""

    doc_id: str
    source_path: str
    sha256: str
    fmt: str
    text: str
    blocks: tuple[Block, ...]
    folded: str = ""  # fold(text), computed once: same length, offsets shared
    origin: SourceMap | None = None  # normalized offsets → places in the source file


@dataclass(frozen=True, slots=True)
class Section:
    """A node of a document's outline. ``path`` is like ``"III.2.a"``."""

    path: str
    marker: str  # the heading marker as written: 'III.', '2.1.', 'a)', '(1)', 'Điều 2.' ...
    style: str  # roman | arabic | letter | paren | article | bullet | bold | hash | appendix
    depth: int
    title: str
    start: int  # heading start
    title_end: int  # end of the heading text
    end: int  # end of the section's content
    kind: str = ""  # situation | viewpoint | goals | tasks | solutions | implementation | ...
    year: int | None = None  # a deadline year stated by the heading ("đến năm 2030")
    parent: str | None = None


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    id: str
    name: str
    level: Literal["national", "province", "district", "commune"]
    parent: str | None = None
    successor: str | None = None  # after the 2025 reorganisation of units
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Agency:
    id: str
    name: str
    kind: str
    jurisdiction: str | None
    aliases: tuple[str, ...] = ()
    is_group: bool = False
    provenance: Provenance | None = None  # the first mention


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    document: str
    section: str
    title: str
    text: str
    area: str
    lead: tuple[str, ...]
    cooperating: tuple[str, ...]
    deadline: str | None
    provenance: Provenance
    frequency: str | None = None
    product: str | None = None
    source: TaskSource = "sentence"
    due_date: str | None = None  # ISO day the deadline names, if it names one
    recurrence: str | None = None  # iCalendar RRULE of a recurring deadline ("… hằng năm")


@dataclass(frozen=True, slots=True)
class Responsibility:
    agency: str
    role: str
    task: str | None
    document: str
    deadline: str | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Target:
    id: str
    document: str
    text: str
    metric: str
    comparator: str
    value: float
    unit: str
    year: int | None
    baseline: str | None
    indicator: str | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndicatorMention:
    indicator: str
    document: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Citation:
    """A reference from one document to another (one per cited document, all mentions kept)."""

    id: str
    document: str
    number: str | None
    type: str | None
    issuer: str | None
    date: str | None
    title: str | None
    ref_key: str  # identity of the cited document, scoped for local numbers
    relation: Relation
    provenance: Provenance
    mentions: tuple[Provenance, ...] = ()
    scope: str | None = None  # jurisdiction id for local numbers, None for national ones
    resolves_to: str | None = None


@dataclass(frozen=True, slots=True)
class Definition:
    """An abbreviation defined or used in a document: ``(viết tắt là CCHC)``."""

    short: str
    long: str
    provenance: Provenance


GapKind = Literal["duty", "figure", "metadata"]


@dataclass(frozen=True, slots=True)
class Gap:
    """Something the extractor saw but did not understand, so that no duty is lost silently:
    a sentence or table row with an assignment cue that gave no responsibility (``duty``), a
    figure in a goals section that gave no target (``figure``), a missing document field
    (``metadata``). ``cue`` is the word that flagged it (or the missing field)."""

    kind: GapKind
    cue: str
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    id: str
    source_path: str
    sha256: str
    type: str | None
    number: str | None
    title: str | None
    issuer: str | None
    place: str | None
    date: str | None
    period_start: int | None
    period_end: int | None
    jurisdiction: str | None
    signer: str | None
    signer_capacity: str | None = None
    recipients: tuple[str, ...] = ()
    format: str = "txt"
    issuer_agency: str | None = None
    vision_year: int | None = None  # "tầm nhìn / định hướng đến năm 2030"
    provenance: tuple[tuple[str, Provenance], ...] = ()  # field name → where it was read


@dataclass(slots=True)
class DocumentFacts:
    """Everything extracted from one document."""

    meta: DocumentMeta
    text: str
    sections: list[Section] = field(default_factory=list)
    jurisdictions: list[Jurisdiction] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    responsibilities: list[Responsibility] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    indicators: list[IndicatorMention] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    extractor_version: str = EXTRACTOR_VERSION


# --- (de)serialization -------------------------------------------------------------------

T = TypeVar("T")


def from_dict(cls: type[T], data: Any) -> T:
    """Inverse of :func:`to_dict` for the dataclasses of this module."""
    return _builder(cls)(data)


def _same(data: Any) -> Any:
    return data


@functools.cache
def _builder(tp: Any) -> Callable[[Any], Any]:
    """A function turning JSON data into ``tp``, made once per type: stored facts are read
    for every document of a corpus, and inspecting the annotations per value was most of it."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) != 1:
            return _same
        inner = _builder(args[0])
        return lambda d: None if d is None else inner(d)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _builder(args[0])
            if item is _same:
                return lambda d: None if d is None else tuple(d)
            return lambda d: None if d is None else tuple(map(item, d))
        items = [_builder(a) for a in args]
        return lambda d: None if d is None else tuple(f(x) for f, x in zip(items, d, strict=False))
    if origin is list:
        (arg,) = typing.get_args(tp)
        item = _builder(arg)
        return lambda d: None if d is None else [item(x) for x in d]
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        fields = [(f.name, _builder(hints[f.name])) for f in dataclasses.fields(tp)]

        def build(d: Any) -> Any:
            if d is None:
                return None
            return tp(**{name: (None if d[name] is None else f(d[name])) for name, f in fields if name in d})
        return build
    return _same
