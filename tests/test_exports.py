"""Standard exports: GraphML/GEXF and RDF round trips, SHACL, and SPARQL answering like Python."""

from __future__ import annotations

import io
import json
from collections import Counter
from itertools import groupby
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from cchc_graph.api.app import create_app
from cchc_graph.api.cli import cli
from cchc_graph.graph.exports import formats, graphml, rdf, sparql
from cchc_graph.graph.exports.formats import FORMATS
from cchc_graph.graph.exports.rdf import (
    CCHC,
    DEFAULT_BASE,
    OA,
    Iris,
    to_rdf,
    write_jsonld,
    write_ntriples,
    write_turtle,
)
from cchc_graph.graph.questions import queries, trace
from cchc_graph.graph.questions.nx import to_networkx
from cchc_graph.graph.store.build import Store
from click.testing import CliRunner
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import ORG

SHAPES = Path(__file__).resolve().parent.parent / "graph" / "exports" / "shapes.ttl"
HG_RESOLUTION = "000_def938038e5dae73"
VI_THANH_PLAN = "002_0387e2864a5773df"


def _edges(g: nx.MultiDiGraph, key: str) -> Counter:
    return Counter((u, v, d[key]) for u, v, d in g.edges(data=True))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_load_back_with_the_same_nodes_and_edges(seed_export: dict, tmp_path: Path,
                                                                 fmt: str) -> None:
    path = tmp_path / f"g.{fmt}"
    (graphml.write_graphml if fmt == "graphml" else graphml.write_gexf)(seed_export, path)
    back = nx.read_graphml(path, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(path)
    g = to_networkx(seed_export)
    assert {n: d["type"] for n, d in back.nodes(data=True)} == {n: d["type"] for n, d in g.nodes(data=True)}
    assert _edges(back, "relation") == _edges(g, "type")
    hg = back.nodes["ag:vn-hau-giang:ban-tuyen-giao-tinh-uy"]
    assert hg["label"] == "Ban Tuyên giáo Tỉnh ủy" and hg["prov_section"] == "V.4"
    lead = [d for _u, v, d in back.out_edges("ag:vn-hau-giang:ban-tuyen-giao-tinh-uy", data=True)
            if v == f"task:{HG_RESOLUTION}:4"]
    assert lead[0]["relation"] == "lead" and lead[0]["label"] == "chủ trì"
    assert lead[0]["prov_quote"].startswith("4. Ban Tuyên giáo Tỉnh ủy chủ trì")


def _count(g: Graph, cls) -> int:
    return len(set(g.subjects(RDF.type, cls)))


@pytest.mark.parametrize(("fmt", "syntax"), [("turtle", "turtle"), ("jsonld", "json-ld"), ("nt", "nt")])
def test_rdf_round_trip_keeps_every_record(seed_export: dict, fmt: str, syntax: str) -> None:
    """What each RDF format of ``cchc export`` writes reads back as the mapping's graph."""
    g = to_rdf(seed_export)
    out = io.BytesIO()
    FORMATS[fmt].write(seed_export, out, formats.Options())  # type: ignore[misc]
    back = Graph().parse(data=out.getvalue().decode(), format=syntax)
    assert len(back) == len(g) and set(back) == set(g)  # no blank nodes: the same triples
    documents = set(back.subjects(RDF.type, CCHC.Document))
    in_corpus = {d for d in documents if back.value(d, CCHC.inCorpus) == Literal(True)}
    e = seed_export
    assert len(in_corpus) == len(e["documents"])
    assert len(documents) - len(in_corpus) == len(e["references"])
    assert _count(back, ORG.Organization) == len(e["agencies"])
    assert _count(back, CCHC.Task) == len(e["tasks"])
    assert _count(back, CCHC.Assignment) == len(e["responsibilities"])
    assert _count(back, CCHC.Target) == len(e["targets"])
    assert _count(back, CCHC.Citation) == len(e["citations"])
    assert _count(back, CCHC.Indicator) == len(e["indicators"])
    assert _count(back, CCHC.ReformArea) == len(e["areas"])
    assert _count(back, CCHC.Jurisdiction) == len(e["jurisdictions"])


def test_iris_are_deterministic_and_follow_the_document_number(seed_export: dict) -> None:
    a = set(to_rdf(seed_export))
    b = set(to_rdf(json.loads(json.dumps(seed_export))))
    assert a == b
    iri = Iris(seed_export)
    # 000 prints no number; 002 cites it as 03-NQ/TU of the Hậu Giang party committee
    assert str(iri(HG_RESOLUTION)) == f"{DEFAULT_BASE}eli/vn-hau-giang/nghi-quyet/03-nq-tu"
    other = Iris(seed_export, "https://du-lieu.example.vn/cchc")
    assert str(other(HG_RESOLUTION)) == "https://du-lieu.example.vn/cchc/eli/vn-hau-giang/nghi-quyet/03-nq-tu"
    assert len(set(iri.ids.values())) == len(iri.ids)  # no two records share an IRI


def test_shacl_shapes_pass_on_the_seeds_and_catch_a_broken_record(seed_export: dict) -> None:
    pyshacl = pytest.importorskip("pyshacl")
    shapes = Graph().parse(SHAPES)
    g = to_rdf(seed_export)
    ok, _, text = pyshacl.validate(g, shacl_graph=shapes)
    assert ok, text
    assignment = next(g.subjects(RDF.type, CCHC.Assignment))
    g.remove((assignment, CCHC.task, None))
    ok, _, text = pyshacl.validate(g, shacl_graph=shapes)
    assert not ok and "MinCountConstraintComponent" in text and "->cchc:task" in text


def test_streamed_ntriples_are_the_rdflib_graph(seed_export: dict) -> None:
    """What SPARQL loads (written without rdflib's graph) holds exactly the mapping's triples."""
    out = io.BytesIO()
    lines = write_ntriples(seed_export, out)
    g = to_rdf(seed_export)
    back = Graph().parse(data=out.getvalue().decode(), format="nt")
    assert set(back) == set(g) and lines >= len(g) > 5000
    quoted = [o for o in back.objects(None, OA.exact) if '"' in o or "\n" in o]
    assert quoted, "no quote with a double quote or a line break: the escaping is not exercised"


def test_streamed_turtle_names_the_vocabularies_and_escapes_literals(seed_export: dict) -> None:
    """Turtle written without rdflib's graph: the vocabularies' terms as prefixed names, each
    subject's run of triples one statement, and literals that need escaping read back."""
    out = io.BytesIO()
    n = write_turtle(seed_export, out)
    text = out.getvalue().decode()
    assert text.startswith("@prefix cchc: <https://w3id.org/cchc-graph/vocab#> .\n")
    assert " a eli:LegalResource ;\n    a cchc:Document ;" in text and "^^xsd:date" in text
    back = Graph().parse(data=text, format="turtle")
    assert set(back) == set(to_rdf(seed_export)) and n >= len(back)
    quoted = [o for o in back.objects(None, OA.exact) if '"' in o or "\n" in o]
    assert quoted, "no quote with a double quote or a line break: the escaping is not exercised"


def test_streamed_jsonld_gives_each_run_of_a_subject_one_node_object(seed_export: dict) -> None:
    out = io.BytesIO()
    n = write_jsonld(seed_export, out)
    nodes = json.loads(out.getvalue())
    runs = [s for s, _ in groupby(s for s, _, _ in rdf.triples(seed_export, Iris(seed_export)))]
    assert [node["@id"] for node in nodes] == list(map(str, runs)) and len(runs) < n
    first = nodes[0]
    assert set(first["@type"]) == {str(rdf.ELI.LegalResource), str(CCHC.Document)}
    back = Graph().parse(data=out.getvalue().decode(), format="json-ld")
    assert set(back) == set(to_rdf(seed_export))


@pytest.mark.parametrize(("write", "syntax"), [(write_jsonld, "json-ld"), (write_turtle, "turtle"),
                                               (write_ntriples, "nt")])
def test_an_export_of_no_documents_is_its_graph_in_every_rdf_format(write, syntax: str) -> None:
    """The smallest export: only what the mapping states whatever the data."""
    export = {"schema_version": 1, "documents": [], "edges": []}
    out = io.BytesIO()
    n = write(export, out)
    assert set(Graph().parse(data=out.getvalue().decode(), format=syntax)) == set(to_rdf(export))
    assert n == len(to_rdf(export))


@pytest.mark.parametrize(("iri", "written"), [
    ("http://data.europa.eu/eli/ontology#cites", "eli:cites"),
    ("https://w3id.org/cchc-graph/vocab#reportTo", "cchc:reportTo"),
    ("http://www.w3.org/2001/XMLSchema#gYear", "xsd:gYear"),
    ("http://purl.org/dc/terms/title", "dcterms:title"),
    ("https://w3id.org/cchc-graph/vocab#a.b", "<https://w3id.org/cchc-graph/vocab#a.b>"),  # no "." in a name
    ("https://w3id.org/cchc-graph/vocab#1st", "<https://w3id.org/cchc-graph/vocab#1st>"),
    ("https://w3id.org/cchc-graph/vocab#x/y", "<https://w3id.org/cchc-graph/vocab#x/y>"),
    ("https://w3id.org/cchc-graph/id/agency/vn/so-noi-vu", "<https://w3id.org/cchc-graph/id/agency/vn/so-noi-vu>"),
])
def test_a_turtle_name_is_prefixed_only_when_plain(iri: str, written: str) -> None:
    assert rdf._Prefixed()(URIRef(iri)) == written


@pytest.fixture(scope="module")
def oxigraph(seed_store: Path):
    from cchc_graph.graph.store.build import Store

    return sparql.open_store(Store(seed_store))


def test_sparql_who_leads_equals_the_python_answer(oxigraph, seed_corpus) -> None:
    name = "Ban Tuyên giáo Tỉnh ủy"
    rows = sparql.run(oxigraph, sparql.example("who-leads", agency=name)).rows
    python = {r.task for r in queries.agency_roles(seed_corpus, name) if r.role == "lead"}
    assert {task for task, _text, _doc in rows} == python
    assert f"task:{HG_RESOLUTION}:4" in python


def test_sparql_citation_trace_equals_the_python_answer(oxigraph, seed_corpus) -> None:
    rows = sparql.run(oxigraph, sparql.example("citation-trace", document=VI_THANH_PLAN)).rows
    relation = {f"http://data.europa.eu/eli/ontology#{r}": r for r in ("cites", "based_on", "implements")}
    got = Counter((n, relation[rel], in_corpus == "true") for n, rel, in_corpus, _q in rows)
    hops = trace.cites(seed_corpus, VI_THANH_PLAN, 1)
    assert got == Counter((h.number, h.relation, h.resolved) for h in hops)
    rests_on = sparql.run(oxigraph, sparql.example("rests-on", document=VI_THANH_PLAN)).rows
    assert rests_on == [[HG_RESOLUTION]]  # the plan implements the provincial resolution


def test_sparql_cooperating_equals_the_tasks(oxigraph, seed_export: dict) -> None:
    rows = sparql.run(oxigraph, sparql.example("cooperating", document=VI_THANH_PLAN)).rows
    names = {a["id"]: a["name"] for a in seed_export["agencies"]}
    expected = {(t["id"], names[lead], names[p]) for t in seed_export["tasks"]
                if t["document"] == VI_THANH_PLAN for lead in t["lead"] for p in t["cooperating"]}
    assert {tuple(r) for r in rows} == expected and expected


def test_docs_show_every_example_query() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "rdf.md").read_text(encoding="utf-8")
    for name, (_title, query) in sparql.EXAMPLES.items():
        assert query in doc, f"docs/rdf.md lacks the '{name}' query as the code runs it"


def test_sparql_cli_and_endpoint(seed_store: Path) -> None:
    q = sparql.example("rests-on", document=VI_THANH_PLAN)
    r = CliRunner().invoke(cli, ["sparql", "--store", str(seed_store), "--json", q])
    assert r.exit_code == 0, r.output
    cli_answer = json.loads(r.stdout)
    assert cli_answer["results"]["bindings"] == [{"ancestor": {"type": "literal", "value": HG_RESOLUTION}}]
    client = TestClient(create_app(seed_store))
    http = client.get("/sparql", params={"query": q})
    assert http.status_code == 200 and http.headers["content-type"] == "application/sparql-results+json"
    assert http.json() == cli_answer
    for bad in ("DELETE WHERE { ?s ?p ?o }", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", "SELEC ?x",
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"):
        resp = client.get("/sparql", params={"query": bad})
        assert resp.status_code == 400 and resp.json()["detail"].startswith("SPARQL: "), bad
    assert CliRunner().invoke(cli, ["sparql", "--store", str(seed_store), "SELEC ?x"]).exit_code == 2


PARSERS = {
    "json": lambda b: sum(len(v) for v in json.loads(b).values() if isinstance(v, list)),
    "turtle": lambda b: len(Graph().parse(data=b, format="turtle")),
    "jsonld": lambda b: len(Graph().parse(data=b, format="json-ld")),
    "nt": lambda b: len(Graph().parse(data=b, format="nt")),
    "graphml": lambda b: nx.read_graphml(io.BytesIO(b.encode())).number_of_nodes(),
    "gexf": lambda b: nx.read_gexf(io.BytesIO(b.encode())).number_of_nodes(),
}


def test_every_file_format_of_the_registry_is_tested() -> None:
    assert set(PARSERS) == {f.name for f in FORMATS.values() if not f.folder}


@pytest.mark.parametrize(("fmt", "parse"), PARSERS.items())
def test_cli_export_formats(seed_store: Path, tmp_path: Path, fmt: str, parse) -> None:
    out = tmp_path / f"export.{fmt}"
    r = CliRunner().invoke(cli, ["export", "--store", str(seed_store), "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert parse(out.read_text(encoding="utf-8")) > 300


@pytest.mark.parametrize("batch", [1, 2, formats.JSON_BATCH])
def test_json_export_is_written_as_json_dumps_writes_the_whole_export(
        seed_store: Path, seed_export: dict, tmp_path: Path, batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cchc export --format json`` reads the store as it writes, a batch of records at a time,
    and writes the bytes ``json.dumps`` makes of the export held whole (indent 1, UTF-8)."""
    monkeypatch.setattr(formats, "JSON_BATCH", batch)
    out = tmp_path / "export.json"
    r = CliRunner().invoke(cli, ["export", "--store", str(seed_store), "--format", "json", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == (json.dumps(seed_export, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


@pytest.mark.parametrize("export", [
    {}, {"schema_version": 1}, {"schema_version": 1, "documents": [], "edges": []},
    {"schema_version": 1, "tasks": [{"id": "t:1", "lead": [], "x": {}, "v": [1.5, None, True, "đ\n\"\\"]},
                                    {"id": "t:2", "nested": {"a": [{"b": []}]}, "tiny": 1e-05, "big": 1e16}],
     "meta": {"k": "v"}, "note": "một cửa"},
])
def test_json_writer_matches_json_dumps_on_every_shape(export: dict) -> None:
    """Empty lists and dicts, nested records, escapes, floats written with exponents, values
    that are not lists: the same bytes as ``json.dumps``, from lists or from iterables."""
    expected = (json.dumps(export, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    whole, streamed = io.BytesIO(), io.BytesIO()
    FORMATS["json"].write(export, whole, formats.Options())
    FORMATS["json"].write({k: (x for x in v) if isinstance(v, list) else v for k, v in export.items()},
                          streamed, formats.Options())
    assert whole.getvalue() == expected == streamed.getvalue()


def _written(fmt: str, export: Any, folder: Path) -> dict[str, bytes]:
    """What a format writes of an export: its file, or each file of its folder, by name."""
    form, opts = FORMATS[fmt], formats.Options(version="v1")
    if form.write_folder is not None:
        form.write_folder(export, folder, opts)
        return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}
    out = io.BytesIO()
    form.write(export, out, opts)  # type: ignore[misc]
    return {"": out.getvalue()}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_writes_from_the_stored_lists_what_it_writes_from_the_export_held_whole(
        seed_store: Path, seed_export: dict, fmt: str, tmp_path: Path) -> None:
    """The formats given the store's lists as they are read write the same bytes as from the
    export in memory."""
    held = _written(fmt, seed_export, tmp_path / "held")
    with Store(seed_store).streamed_export() as export:
        assert dict(export.items()).keys() == seed_export.keys()
        streamed = _written(fmt, export, tmp_path / "streamed")
    assert held == streamed and sum(map(len, held.values())) > 100_000


@pytest.mark.parametrize("fmt", ["json", "turtle"])
def test_an_export_to_a_folder_that_does_not_exist_says_so(seed_store: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "no-such-folder" / "export.out"
    r = CliRunner().invoke(cli, ["export", "--store", str(seed_store), "--format", fmt, "-o", str(out)])
    assert r.exit_code == 2 and str(out) in r.output + (r.stderr if r.stderr_bytes else "")
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_a_json_export_of_a_missing_store_fails_without_writing_a_file(tmp_path: Path) -> None:
    out = tmp_path / "export.json"
    r = CliRunner().invoke(cli, ["export", "--store", str(tmp_path / "nothing"), "-o", str(out)])
    assert r.exit_code == 3 and "cchc build" in r.output + (r.stderr if r.stderr_bytes else "")
    assert not out.exists()
