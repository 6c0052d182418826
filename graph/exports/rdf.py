"""The JSON export as RDF with standard vocabularies (rdflib), and SPARQL over it (Oxigraph).

Mapping (``docs/rdf.md``): documents are ELI legal resources (``eli:LegalResource``: number,
date, type, title, ``eli:passed_by``, ``eli:cites`` / ``eli:based_on`` / ``eli:implements``);
agencies are W3C ORG organizations; indicators and reform areas are SKOS concepts; titles and
places DCTERMS; every fact points with ``prov:wasDerivedFrom`` to a Web Annotation specific
resource (its document, section, a text-position and a text-quote selector). A small project
vocabulary (``cchc:``) covers what none of these has: tasks, role assignments (lead,
cooperate, standing, report_to …), targets and citations as records with provenance.

IRIs are derived from the data alone under a configurable base, so the same export always
gives the same IRIs: a document's from its jurisdiction, type and number
(``{base}eli/vn-hau-giang/ke-hoach/45-kh-ubnd``), other nodes from their ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from itertools import groupby, islice
from operator import itemgetter
from typing import Any, BinaryIO
from urllib.parse import quote

from cchc_graph.keys import slug
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS

DEFAULT_BASE = "https://w3id.org/cchc-graph/id/"
MAPPING_VERSION = 2  # bump when the triples change: cached N-Triples are then rebuilt
CCHC = Namespace("https://w3id.org/cchc-graph/vocab#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
PREFIXES = {"cchc": CCHC, "eli": ELI, "oa": OA, "org": ORG, "prov": PROV, "skos": SKOS,
            "dcterms": DCTERMS, "xsd": XSD}
# ELI has no "guides"; "replaces" (thay thế) is one of the changes eli:changes covers
CITATION_PROPERTY = {"cites": ELI.cites, "based_on": ELI.based_on, "implements": ELI.implements,
                     "guides": CCHC.guides, "amends": ELI.amends, "replaces": ELI.changes,
                     "repeals": ELI.repeals}
ROLE_PROPERTY = {"lead": CCHC.lead, "cooperate": CCHC.cooperate, "standing": CCHC.standing,
                 "report_to": CCHC.reportTo, "advise": CCHC.advise, "supervise": CCHC.supervise}
VI = "vi"


def role_concept(role: str) -> URIRef:
    """``lead`` → ``cchc:LeadRole``, ``report_to`` → ``cchc:ReportToRole``."""
    return CCHC["".join(w.title() for w in role.split("_")) + "Role"]


class Iris:
    """Deterministic IRIs for the export's ids."""

    def __init__(self, export: Mapping[str, Any], base: str = DEFAULT_BASE) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self.ids: dict[str, URIRef] = {}
        taken: set[URIRef] = set()
        for d in export.get("documents", []):
            self.ids[d["id"]] = self._unique(self._document(d, d.get("jurisdiction")), d["id"], taken)
        for r in export.get("references", []):
            self.ids[r["id"]] = self._unique(self._document(r, r.get("scope")), r["id"], taken)
        for key, folder in (("jurisdictions", "place"), ("indicators", "indicator")):
            for rec in export.get(key, []):
                self.ids[rec["id"]] = self.node(folder, rec["id"])

    def _document(self, rec: dict, jurisdiction: str | None) -> URIRef:
        number = rec.get("number") or rec.get("number_inferred")
        kind = slug(rec.get("type") or "van-ban")
        tail = slug(number, 80) if number else "id/" + quote(rec["id"], safe="")
        return URIRef(f"{self.base}eli/{jurisdiction or 'vn'}/{kind}/{tail}")

    def _unique(self, iri: URIRef, rid: str, taken: set[URIRef]) -> URIRef:
        if iri in taken:  # two records with the same number: keep both, apart
            iri = URIRef(f"{iri}/{quote(rid, safe='')}")
        taken.add(iri)
        return iri

    def __call__(self, rid: str) -> URIRef:
        iri = self.ids.get(rid)
        if iri is None:
            kind, _, rest = rid.partition(":")
            folder = {"ag": "agency", "task": "task", "tgt": "target", "cit": "citation",
                      "area": "area"}.get(kind) if rest else None
            iri = self.node(folder, *rest.split(":")) if folder else self.node("node", rid)
            self.ids[rid] = iri
        return iri

    def node(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(quote(p, safe="") for p in parts))


def to_rdf(export: dict[str, Any], base: str = DEFAULT_BASE, graph: Graph | None = None) -> Graph:
    """The export as an rdflib graph (into ``graph`` when given, e.g. an Oxigraph-backed one)."""
    g = graph if graph is not None else Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for triple in triples(export, Iris(export, base)):
        g.add(triple)
    return g


def write_ntriples(export: Mapping[str, Any], out: BinaryIO, base: str = DEFAULT_BASE) -> int:
    """The triples as N-Triples, streamed (a triple repeated is written again: readers keep one).

    rdflib's ``Graph`` holds 10,000 documents' 8 million triples in 13.6 GB and takes 5 min to
    serialize them; this takes 1.2 GB and 77 s. Returns the number of lines written."""
    lines = (f"<{s}> <{p}> {_nt(o)} .\n" for s, p, o in triples(export, Iris(export, base)))
    return _write_batched(out, lines)


def write_turtle(export: Mapping[str, Any], out: BinaryIO, base: str = DEFAULT_BASE) -> int:
    """The triples as Turtle, streamed: the vocabularies' prefixes, then each run of triples of
    one subject as one statement (``;`` between its predicates), vocabulary terms as prefixed
    names. The same graph as rdflib's Turtle of ``to_rdf`` (which sorts, and so holds the whole
    graph: 158 s for 1,000 documents); a subject met again later starts a statement again.
    Returns the number of triples written."""
    out.write("".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()).encode() + b"\n")
    name, n = _Prefixed(), 0

    def statements() -> Iterator[str]:
        nonlocal n
        for i, (s, run) in enumerate(_runs(export, base)):
            n += len(run)
            body = " ;\n    ".join(f"{'a' if p == RDF.type else name(p)} {_nt(o, name)}" for p, o in run)
            yield ("\n" if i else "") + f"{name(s)} {body} .\n"

    _write_batched(out, statements())
    return n


def write_jsonld(export: Mapping[str, Any], out: BinaryIO, base: str = DEFAULT_BASE) -> int:
    """The triples as JSON-LD in expanded form (as rdflib writes a graph without a context),
    streamed: one node object for each run of one subject's triples (a subject met again later
    gets another, which readers merge). The same graph as rdflib's JSON-LD of ``to_rdf``, which
    builds the whole graph first (1,000 documents: 102 s). Returns the number of triples."""
    import orjson

    n = 0

    def nodes() -> Iterator[str]:
        nonlocal n
        for i, (s, run) in enumerate(_runs(export, base)):
            n += len(run)
            node: dict[str, Any] = {"@id": str(s)}
            for p, o in run:
                if p == RDF.type:
                    node.setdefault("@type", []).append(str(o))
                else:
                    node.setdefault(str(p), []).append(_jsonld_value(o))
            yield ("," if i else "") + "\n" + orjson.dumps(node).decode()

    out.write(b"[")
    _write_batched(out, nodes())
    out.write(b"\n]\n")
    return n


def _runs(export: Mapping[str, Any], base: str) -> Iterator[tuple[URIRef, list[tuple[URIRef, Any]]]]:
    """(subject, its predicates and objects) of each run of the mapping's triples that share a
    subject, in their order."""
    for s, run in groupby(triples(export, Iris(export, base)), key=itemgetter(0)):
        yield s, [(p, o) for _, p, o in run]


def _write_batched(out: BinaryIO, parts: Iterable[str], size: int = 10_000) -> int:
    """The parts written ``size`` at a time (a write a part costs more than its text); their
    number."""
    n, it = 0, iter(parts)
    while batch := list(islice(it, size)):
        out.write("".join(batch).encode())
        n += len(batch)
    return n


def _jsonld_value(term: URIRef | Literal) -> dict[str, str]:
    if not isinstance(term, Literal):
        return {"@id": str(term)}
    if term.language:
        return {"@value": str(term), "@language": term.language}
    return {"@value": str(term), "@type": str(term.datatype)} if term.datatype else {"@value": str(term)}


class _Prefixed:
    """An IRI as a prefixed name when it is a vocabulary's term with a plain local name
    (``eli:cites``), else written whole; the vocabularies' terms are remembered."""

    _LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")

    def __init__(self) -> None:
        self._known: dict[str, str] = {}
        self._spaces = sorted(((str(ns), p) for p, ns in PREFIXES.items()), key=lambda x: -len(x[0]))

    def __call__(self, iri: URIRef) -> str:
        got = self._known.get(iri)
        if got is not None:
            return got
        for ns, prefix in self._spaces:
            if iri.startswith(ns) and self._LOCAL.match(iri, len(ns)):
                got = self._known[iri] = f"{prefix}:{iri[len(ns):]}"
                return got
        return f"<{iri}>"


def _nt(term: URIRef | Literal, iri: Callable[[URIRef], str] = lambda t: f"<{t}>") -> str:
    """A term as N-Triples writes it (and Turtle, with ``iri`` writing prefixed names)."""
    if not isinstance(term, Literal):
        return iri(term)
    text = str(term).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r")
    if term.language:
        return f'"{text}"@{term.language}'
    return f'"{text}"^^{iri(term.datatype)}' if term.datatype else f'"{text}"'


def triples(export: Mapping[str, Any], iri: Iris) -> Iterator[tuple]:
    """Every triple of the mapping, in a fixed order."""
    lit = _literals
    for d in export.get("documents", []):
        s = iri(d["id"])
        yield from _document(s, d, iri, in_corpus=True)
        yield s, CCHC.localId, Literal(d["id"])
        yield from lit(s, [(ELI.date_document, d.get("date"), XSD.date),
                           (CCHC.periodStart, d.get("period_start"), XSD.gYear),
                           (CCHC.periodEnd, d.get("period_end"), XSD.gYear),
                           (CCHC.issuerName, d.get("issuer"), None),
                           (CCHC.signer, d.get("signer"), None),
                           (CCHC.sourceFile, d.get("source_path"), None),
                           (CCHC.sha256, d.get("sha256"), None),
                           (CCHC.sourceFormat, d.get("format"), None)])
        if d.get("jurisdiction"):
            yield s, DCTERMS.spatial, iri(d["jurisdiction"])
        if d.get("issuer_agency"):
            yield s, ELI.passed_by, iri(d["issuer_agency"])
    for r in export.get("references", []):
        s = iri(r["id"])
        yield from _document(s, r, iri, in_corpus=False)
        yield from lit(s, [(ELI.date_document, r.get("date"), XSD.date),
                           (CCHC.issuerName, r.get("issuer"), None)])
    for j in export.get("jurisdictions", []):
        s = iri(j["id"])
        yield s, RDF.type, DCTERMS.Location
        yield s, RDF.type, CCHC.Jurisdiction
        yield from lit(s, [(SKOS.prefLabel, j.get("name"), VI), (CCHC.level, j.get("level"), None),
                           (SKOS.notation, j.get("code"), None), (CCHC.localId, j["id"], None)])
        if j.get("parent"):
            yield s, DCTERMS.isPartOf, iri(j["parent"])
        if j.get("successor"):
            yield s, DCTERMS.isReplacedBy, iri(j["successor"])
    for a in export.get("agencies", []):
        s = iri(a["id"])
        yield s, RDF.type, ORG.Organization
        yield from lit(s, [(SKOS.prefLabel, a["name"], VI), (CCHC.kind, a.get("kind"), None),
                           (CCHC.isGroup, a.get("is_group"), XSD.boolean), (CCHC.localId, a["id"], None)])
        for alias in a.get("aliases") or []:
            if alias != a["name"]:
                yield s, SKOS.altLabel, Literal(alias, lang=VI)
        if a.get("jurisdiction"):
            yield s, DCTERMS.spatial, iri(a["jurisdiction"])
        yield from _provenance(s, a.get("provenance"), iri)
    scheme_ind, scheme_area = iri.node("scheme", "indicators"), iri.node("scheme", "areas")
    yield scheme_ind, RDF.type, SKOS.ConceptScheme
    yield scheme_area, RDF.type, SKOS.ConceptScheme
    for i in export.get("indicators", []):
        s = iri(i["id"])
        yield s, RDF.type, SKOS.Concept
        yield s, RDF.type, CCHC.Indicator
        yield s, SKOS.inScheme, scheme_ind
        yield from lit(s, [(SKOS.prefLabel, i["name"], None), (SKOS.notation, i["id"], None)])
        for alias in i.get("aliases") or []:
            yield s, SKOS.altLabel, Literal(alias, lang=VI)
    for area in export.get("areas", []):
        s = iri(area["id"])
        yield s, RDF.type, SKOS.Concept
        yield s, RDF.type, CCHC.ReformArea
        yield s, SKOS.inScheme, scheme_area
        yield from lit(s, [(SKOS.prefLabel, area["label"], VI), (SKOS.notation, area["area"], None)])
    for t in export.get("tasks", []):
        s = iri(t["id"])
        yield s, RDF.type, CCHC.Task
        yield s, DCTERMS.isPartOf, iri(t["document"])
        yield from lit(s, [(DCTERMS.title, t.get("title"), VI), (CCHC.text, t.get("text"), VI),
                           (CCHC.section, t.get("section"), None), (CCHC.deadline, t.get("deadline"), VI),
                           (CCHC.frequency, t.get("frequency"), VI),
                           (CCHC.dueDate, t.get("due_date"), XSD.date),
                           (CCHC.recurrence, t.get("recurrence"), None), (CCHC.product, t.get("product"), VI),
                           (CCHC.localId, t["id"], None)])
        yield from _provenance(s, t.get("provenance"), iri)
    for n, r in enumerate(export.get("responsibilities", [])):
        s = iri.node("assignment", r["document"], str(n))
        yield s, RDF.type, CCHC.Assignment
        yield s, CCHC.agency, iri(r["agency"])
        yield s, CCHC.task, iri(r["task"])
        yield s, CCHC.role, role_concept(r["role"])
        yield from lit(s, [(CCHC.deadline, r.get("deadline"), VI)])
        yield iri(r["agency"]), ROLE_PROPERTY.get(r["role"], CCHC[r["role"]]), iri(r["task"])
        yield from _provenance(s, r.get("provenance"), iri)
    for t in export.get("targets", []):
        s = iri(t["id"])
        yield s, RDF.type, CCHC.Target
        yield iri(t["document"]), CCHC.setsTarget, s
        yield from lit(s, [(CCHC.text, t.get("text"), VI), (CCHC.metric, t.get("metric"), None),
                           (CCHC.comparator, t.get("comparator"), None),
                           (RDF.value, t.get("value"), XSD.decimal),
                           (CCHC.unit, t.get("unit"), None), (CCHC.year, t.get("year"), XSD.gYear),
                           (CCHC.baseline, t.get("baseline"), None), (CCHC.localId, t["id"], None)])
        if t.get("indicator"):
            yield s, CCHC.measuredBy, iri(t["indicator"])
        yield from _provenance(s, t.get("provenance"), iri)
    for c in export.get("citations", []):
        s, citing, cited = iri(c["id"]), iri(c["document"]), iri(c["ref"])
        yield s, RDF.type, CCHC.Citation
        yield s, CCHC.citing, citing
        yield s, CCHC.cited, cited
        yield s, CCHC.relation, CITATION_PROPERTY.get(c["relation"], ELI.cites)
        yield from lit(s, [(ELI.id_local, c.get("number"), None), (CCHC.localId, c["id"], None)])
        yield citing, CITATION_PROPERTY.get(c["relation"], ELI.cites), cited
        yield from _provenance(s, c.get("provenance"), iri)
    for e in export.get("edges", []):
        prop = {"has_task": CCHC.hasTask, "in_area": CCHC.area, "mentions": CCHC.mentions}.get(e["type"])
        if prop is not None:
            yield iri(e["source"]), prop, iri(e["target"])


def _document(s: URIRef, rec: dict, iri: Iris, in_corpus: bool) -> Iterator[tuple]:
    yield s, RDF.type, ELI.LegalResource
    yield s, RDF.type, CCHC.Document
    yield s, CCHC.inCorpus, Literal(in_corpus)
    yield from _literals(s, [(ELI.id_local, rec.get("number") or rec.get("number_inferred"), None),
                             (CCHC.docType, rec.get("type"), None), (DCTERMS.title, rec.get("title"), VI)])


def _literals(s: URIRef, rows: list[tuple]) -> Iterator[tuple]:
    for prop, value, kind in rows:
        if value is None or value == "":
            continue
        if kind == VI:
            yield s, prop, Literal(value, lang=VI)
        elif kind == XSD.decimal:
            yield s, prop, Literal(Decimal(str(value)), datatype=kind)
        elif kind is not None:
            yield s, prop, Literal(str(value) if kind == XSD.gYear else value, datatype=kind)
        else:
            yield s, prop, Literal(value)


def _provenance(fact: URIRef, p: dict | None, iri: Iris) -> Iterator[tuple]:
    """fact → a Web Annotation specific resource: the document, a position and a quote."""
    if not p:
        return
    src = iri.node("source", p["document"], f"{p['start']}-{p['end']}")
    yield fact, PROV.wasDerivedFrom, src
    yield src, RDF.type, OA.SpecificResource
    yield src, OA.hasSource, iri(p["document"])
    if p.get("section"):
        yield src, CCHC.section, Literal(p["section"])
    pos, quote_ = URIRef(f"{src}/position"), URIRef(f"{src}/quote")
    yield src, OA.hasSelector, pos
    yield pos, RDF.type, OA.TextPositionSelector
    yield pos, OA.start, Literal(p["start"], datatype=XSD.nonNegativeInteger)
    yield pos, OA.end, Literal(p["end"], datatype=XSD.nonNegativeInteger)
    yield src, OA.hasSelector, quote_
    yield quote_, RDF.type, OA.TextQuoteSelector
    yield quote_, OA.exact, Literal(p["quote"], lang=VI)
