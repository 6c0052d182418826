"""The Python API: build a store, open it, ask each question and get typed answers.

The ``cchc`` commands and the HTTP routes are layers over the same question functions
(``graph/questions``); a method here calls exactly the one its command calls, so the answers
are the dataclasses the command prints as JSON.

    import cchc_graph

    cchc_graph.build(["docs/"], store=".cchc")
    g = cchc_graph.open(".cchc")
    for task in g.who_leads("tuyên truyền"):
        print(task.title, [a.name for a in task.holders("lead")])
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import zstandard
from cchc_graph.graph.questions.index import ROLES, Corpus, Database, NotFound
from cchc_graph.graph.questions.tables import Answers
from cchc_graph.graph.store import database as db
from cchc_graph.graph.store.build import DEFAULT_STORE, BuildReport, Store, StoreError

# Each method imports the module of its question: a one-shot command pays only for the one it
# asks (all of them are ~30 ms of a command's start).
if TYPE_CHECKING:
    from cchc_graph.graph.questions.audit import Counts, Violation
    from cchc_graph.graph.questions.cascade import Cascade, ComparisonRow, MetricInfo
    from cchc_graph.graph.questions.planning import Deadline, Matrix
    from cchc_graph.graph.questions.queries import AgencyProfile, AgencyRole, SearchHit, TaskAnswer
    from cchc_graph.graph.questions.trace import CitationHop, Inconsistency, Link
    from cchc_graph.loaders.read import ReadOptions

__all__ = ["Dependencies", "DocumentText", "Graph", "NotFound", "StoreError", "build", "open"]


def build(paths: Iterable[str | Path], store: str | Path = DEFAULT_STORE, add: bool = False, *,
          options: ReadOptions | None = None,
          progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Read documents (files or folders) into the store; what loaded, was reused or skipped.

    Without ``add`` the store then holds exactly these documents. ``cchc build`` calls this.

        report = cchc_graph.build(["docs/"], store=".cchc")
        print(len(report.loaded), report.skipped)
    """
    return Store(store).build(list(paths), add=add, options=options, progress=progress)


def open_store(root: str | Path) -> Database:
    """The database of the store at ``root``, for questions (``Database.snapshot()``);
    ``StoreError`` when it has none, or one of another layout version."""
    Store(root).connect().close()  # says what is wrong: none yet, the earlier layout, another schema
    return Database(Path(root) / db.DB_NAME)


def open(store: str | Path = DEFAULT_STORE) -> Graph:
    """The graph of a built store (``StoreError`` when there is none, or it cannot be read),
    as one snapshot of its database: every answer reads the same state, whatever builds commit
    meanwhile, until ``close()`` (or the end of a ``with`` block); open again to see them.

        with cchc_graph.open(".cchc") as g:
            print(g.stats()["documents"])
    """
    snapshot = open_store(store).snapshot()
    return Graph(snapshot.__enter__(), Store(store), lambda: snapshot.__exit__(None, None, None))


@dataclass(frozen=True, slots=True)
class DocumentText:
    """A document's normalized text from ``start`` to ``end`` (all of it by default);
    ``length``: the whole text's."""

    document: str
    start: int
    end: int
    length: int
    text: str


@dataclass(frozen=True, slots=True)
class Dependencies:
    """What an entity rests on and what rests on it; ``task`` when the entity is a task."""

    entity: str
    task: TaskAnswer | None
    depends_on: Sequence[Link]
    depended_on_by: Sequence[Link]


class Graph:
    """One store's graph and its questions. Names are matched without accents; one that
    matches nothing raises ``NotFound`` (a ``LookupError``) saying what was asked.

        g = cchc_graph.open(".cchc")
        g.cites("03-NQ/TU", depth=2)
    """

    def __init__(self, corpus: Corpus, store: Store | None = None,
                 close: Callable[[], object] | None = None) -> None:
        self.corpus = corpus
        self.store = store
        self._close = close

    def close(self) -> None:
        """End the snapshot (``open``); the graph answers no more."""
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def who_leads(self, phrase: str, jurisdiction: str | None = None,
                  document: str | None = None) -> Sequence[TaskAnswer]:
        """Tasks containing ``phrase``, each with its lead, cooperating and standing agencies."""
        from cchc_graph.graph.questions import queries

        return queries.who_leads(self.corpus, phrase, jurisdiction, document)

    def agency_roles(self, name: str, jurisdiction: str | None = None, roles: tuple[str, ...] = ROLES,
                     document: str | None = None) -> Sequence[AgencyRole]:
        """The tasks the agencies called ``name`` hold these roles on."""
        from cchc_graph.graph.questions import queries

        return queries.agency_roles(self.corpus, name, jurisdiction, roles, document)

    def agency(self, name: str, jurisdiction: str | None = None) -> Sequence[AgencyProfile]:
        """The profile of each agency ``name`` (an id, name, alias or abbreviation) matches, made
        when read (a common name matches hundreds of agencies across the country)."""
        from cchc_graph.graph.questions import queries

        c = self.corpus
        ids = [name] if name in c.agencies else c.find_agencies(name, jurisdiction)
        return Answers(ids, lambda a: queries.agency_profile(c, a))

    def cites(self, document: str, depth: int = 1) -> list[CitationHop]:
        """What a document (id, number or title phrase) cites, transitively to ``depth``."""
        from cchc_graph.graph.questions import trace

        return trace.cites(self.corpus, document, depth)

    def cited_by(self, number: str, depth: int = 1) -> Sequence[CitationHop]:
        """Who cites a document number (or a stored document), backwards to ``depth``."""
        from cchc_graph.graph.questions import trace

        return trace.cited_by(self.corpus, number, depth)

    def citations(self, resolved: bool | None = None) -> list[CitationHop]:
        """Every citation; only those found in the store (True) or not (False)."""
        from cchc_graph.graph.questions import trace

        return trace.citation_status(self.corpus, resolved)

    def inconsistencies(self) -> Sequence[Inconsistency]:
        """Numbers cited with different dates, issuers or titles."""
        from cchc_graph.graph.questions import trace

        return trace.inconsistencies(self.corpus)

    def deps(self, entity: str, depth: int = 1) -> Dependencies:
        """What an entity (id, document number, agency name) depends on, and what on it."""
        from cchc_graph.graph.questions import queries, trace

        c = self.corpus
        nid = c.resolve_entity(entity)
        up, down = trace.dependencies(c, nid, depth)
        return Dependencies(nid, queries.task_answer(c, nid) if nid in c.tasks else None, up, down)

    def path(self, source: str, target: str, structural: bool = False) -> list[Link]:
        """The shortest chain of facts between two entities ([] when none)."""
        from cchc_graph.graph.questions import trace

        c = self.corpus
        return trace.path(c, c.resolve_entity(source), c.resolve_entity(target), structural)

    def cascade(self, child: str, parent: str | None = None) -> list[Cascade]:
        """A plan's targets against those of each document it implements (or ``parent``)."""
        from cchc_graph.graph.questions import cascade as cascade_mod

        return cascade_mod.cascade(self.corpus, child, parent)

    def metrics(self) -> list[MetricInfo]:
        """The metrics targets are measured by, most used first."""
        from cchc_graph.graph.questions import cascade as cascade_mod

        return cascade_mod.metrics(self.corpus)

    def compare(self, metric: str) -> Sequence[ComparisonRow]:
        """One metric (key or phrase of its label) across jurisdictions and documents."""
        from cchc_graph.graph.questions import cascade as cascade_mod

        return cascade_mod.compare(self.corpus, metric)

    def audit(self, rules: tuple[str, ...] = (), severity: str = "info",
              document: str | None = None) -> Sequence[Violation]:
        """Violations of the rules (``audit.RULE_NAMES``) at ``severity`` or above, most severe
        first, read as used (a national corpus has hundreds of thousands)."""
        from cchc_graph.graph.questions import audit as audit_mod

        return audit_mod.audit(self.corpus, rules, severity, document)

    def audit_counts(self, rules: tuple[str, ...] = (), severity: str = "info",
                     document: str | None = None) -> Counts:
        """The same violations counted: by rule and severity, in all, and their documents."""
        from cchc_graph.graph.questions import audit as audit_mod

        return audit_mod.counts(self.corpus, rules, severity, document)

    def audit_by_document(self, rules: tuple[str, ...] = (), severity: str = "info",
                          document: str | None = None, limit: int = 0
                          ) -> Iterator[tuple[str | None, int, Sequence[Violation]]]:
        """The same violations by document (most severe first): each document, its number of
        violations and the first ``limit`` (0: all)."""
        from cchc_graph.graph.questions import audit as audit_mod

        return audit_mod.grouped(self.corpus, rules, severity, document, limit)

    def search(self, query: str, types: tuple[str, ...] = ()) -> Sequence[SearchHit]:
        """Names, titles, numbers and quotes containing ``query``; only ``types`` when given."""
        from cchc_graph.graph.questions import queries

        return queries.search(self.corpus, query, types)

    def matrix(self, document: str | None = None, jurisdiction: str | None = None) -> Matrix:
        """Agencies × tasks with their roles (``planning.matrix_csv`` / ``matrix_xlsx`` write it)."""
        from cchc_graph.graph.questions import planning

        return planning.responsibility_matrix(self.corpus, document, jurisdiction)

    def calendar(self, document: str | None = None, jurisdiction: str | None = None,
                 agency: str | None = None) -> Sequence[Deadline]:
        """Every deadline, one-off and recurring (``planning.to_ics`` writes iCalendar)."""
        from cchc_graph.graph.questions import planning

        return planning.deadlines(self.corpus, document, jurisdiction, agency)

    def gaps(self, document: str | None = None, kinds: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        """What extraction did not understand (``duty``, ``figure``, ``metadata``)."""
        from cchc_graph.graph.questions import coverage

        c = self.corpus
        return coverage.gaps_of(c, c.find_document(document) if document else None, kinds)

    def text(self, document: str, start: int = 0, end: int | None = None) -> DocumentText:
        """A document's normalized text (by id, number or title words), or its part
        ``start:end``: a record's provenance cuts its quote out of it.

            p = task.provenance
            g.text(p.document, p.start, p.end).text == p.quote

        ``ValueError`` when the part is not inside the text."""
        doc = self.corpus.find_document(document)
        rows = self.corpus.rows("SELECT text FROM sources WHERE doc = ?", (doc,))
        if not rows:  # a cited document not in the corpus, or a store written from an export
            raise NotFound(f"không lưu văn bản của / no text stored for {doc!r}")
        try:
            whole = self.corpus.text(rows[0][0])
        except (zstandard.ZstdError, UnicodeDecodeError, LookupError) as e:  # (Lookup: no dictionary)
            raise StoreError(f"văn bản lưu của {doc} không đọc được / the stored text of {doc} is unreadable "
                             f"({e}); 'cchc rebuild' reads its file again") from e
        stop = len(whole) if end is None else end
        if not 0 <= start <= stop <= len(whole):
            raise ValueError(f"{start}:{stop} không nằm trong văn bản / is not inside the text of "
                             f"{doc} (0:{len(whole)})")
        return DocumentText(doc, start, stop, len(whole), whole[start:stop])

    def coverage(self) -> list[dict[str, Any]]:
        """Per document: responsibilities and targets found, gaps left by kind."""
        from cchc_graph.graph.questions import coverage

        return coverage.coverage(self.corpus)

    def stats(self) -> dict[str, int]:
        """How many records of each kind the store holds (documents, agencies, tasks …)."""
        from cchc_graph.graph.questions import coverage

        return coverage.record_counts(self.corpus)

    def export(self, fmt: str, output: str | Path | BinaryIO, base: str | None = None) -> str:
        """Write the graph in a format of ``cchc export --format`` (``formats.FORMATS``) to a
        file or binary stream, or into a folder (neo4j-csv: then returns what to run next).

            g.export("turtle", "graph.ttl")
        """
        from cchc_graph.graph.exports.formats import FORMATS, Options  # the exporters: only here

        form = FORMATS[fmt]
        opts = Options(base, self.store.graph_version if self.store else "")
        with self.corpus.streamed_export() as export:  # written as it is read
            if form.write_folder is not None:
                return form.write_folder(export, Path(output), opts)  # type: ignore[arg-type]
            opened = isinstance(output, str | Path)
            with builtins.open(output, "wb") if opened else nullcontext(output) as out:  # type: ignore[arg-type]
                form.write(export, out, opts)  # type: ignore[misc]
        return ""
