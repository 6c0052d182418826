"""Neo4j: the mapping, the CSV files, the Cypher text, and — only when NEO4J_URI is set — the
real thing.

Without a server, these tests check what this project generates (rows, parameters, CSV,
Cypher accepted by Neo4j's own parser) and are named so; the tests that talk to Neo4j are the
``test_neo4j_server_*`` ones at the end, skipped with the reason when no server is given.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import defaultdict, deque
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from cchc_graph.api.app import create_app
from cchc_graph.api.cli import cli
from cchc_graph.graph.exports import cypher, neo4j_db
from cchc_graph.graph.exports.neo4j_csv import ARRAY_DELIMITER, Columns, write_csv
from cchc_graph.graph.exports.neo4j_map import (
    BASE_LABEL,
    CITATION_TYPES,
    LABELS,
    ROLE_TYPES,
    from_rows,
    rel_type,
    to_rows,
)
from cchc_graph.graph.store.build import Store
from cchc_graph.keys import number_key
from click.testing import CliRunner
from conftest import ROOT
from fastapi.testclient import TestClient

VICOUNCIL = "ag:vn-hau-giang-vi-thanh:phong-noi-vu"


def _doc(export: dict, prefix: str) -> str:
    return next(d["id"] for d in export["documents"] if d["id"].startswith(prefix))


# --- the mapping (no Neo4j) ----------------------------------------------------------------

def test_mapping_round_trips_the_seed_export_exactly(seed_export: dict) -> None:
    rows = to_rows(seed_export, "v1")
    nodes = [([BASE_LABEL, label], {**r["props"], "id": r["id"]})
             for label, rs in rows.nodes.items() for r in rs]
    rels = [(t, r["source"], r["target"], r["props"]) for t, rs in rows.rels.items() for r in rs]
    assert not rows.skipped
    assert from_rows(nodes, rels, rows.meta) == seed_export


def test_rows_hold_only_values_neo4j_can_store(seed_export: dict) -> None:
    rows = to_rows(seed_export, "v1")
    assert rows.counts() == (sum(len(seed_export[k]) for k in LABELS), len(seed_export["edges"]))
    for rs in [*rows.nodes.values(), *rows.rels.values()]:
        for r in rs:
            for key, value in r["props"].items():
                ok = isinstance(value, str | int | float | bool) or (
                    isinstance(value, list) and value and all(isinstance(v, str) for v in value))
                assert ok, (key, value)
                assert r["props"]["v"] == "v1"


def test_role_and_citation_relationships_carry_their_records(seed_export: dict) -> None:
    rows = to_rows(seed_export, "v1")
    plan, resolution = _doc(seed_export, "002_"), _doc(seed_export, "000_")
    # The Vị Thanh plan makes its Phòng Nội vụ the standing agency of the plan's follow-up task.
    standing = next(r for r in rows.rels["STANDING"] if r["source"] == VICOUNCIL)
    task = next(t for t in seed_export["tasks"] if t["id"] == standing["target"])
    assert task["document"] == plan and task["text"].startswith("Là cơ quan thường trực")
    assert standing["props"]["r_document"] == plan
    assert "thường trực" in standing["props"]["prov_quote"]
    # ... and rests on the Hậu Giang resolution 03-NQ/TU, which is in the corpus.
    based = next(r for r in rows.rels["BASED_ON"] if r["source"] == plan and r["target"] == resolution)
    assert based["props"]["c_number"] == "03-NQ/TU"
    assert based["props"]["c_number_key"] == number_key("03-NQ/TU")
    assert based["props"]["c_resolves_to"] == resolution
    decree = next(r for rs in rows.rels.values() for r in rs if r["props"].get("c_number") == "45/2020/NĐ-CP")
    assert decree["props"]["c_date"] == "2020-04-08"
    assert decree["key"] == decree["props"]["c_id"]  # one relationship per citation, MERGEd on it


@pytest.mark.parametrize("bad", ["lead]->(x) DETACH DELETE x //", "LEAD", "", "lead-to", "1lead"])
def test_relationship_types_cannot_inject_cypher(bad: str) -> None:
    with pytest.raises(ValueError):
        rel_type(bad)


def test_merge_statements_are_per_label_and_keyed() -> None:
    assert cypher.merge_nodes("Agency") == (
        "UNWIND $rows AS row MERGE (n:Cchc {id: row.id}) SET n = row.props, n:Agency")
    assert "MERGE (a)-[r:LEAD {key: row.key}]->(b) SET r = row.props" in cypher.merge_rels("LEAD")
    with pytest.raises(ValueError):
        cypher.read_citations(False, 11)
    assert "*1..3]" in cypher.read_citations(True, 3)


# --- neo4j-admin CSV (no Neo4j) -------------------------------------------------------------

def _split(line_iter: Any) -> list[list[str | None]]:
    """Read the CSV the way neo4j-admin documents it: quoted fields may hold "" and newlines;
    an unquoted empty field is no value (None)."""
    text = "".join(line_iter)
    rows, row, i, field, quoted = [], [], 0, "", False
    while i < len(text):
        ch = text[i]
        if ch == '"':
            j = i + 1
            while True:
                j = text.index('"', j)
                if text[j + 1:j + 2] == '"':
                    j += 2
                    continue
                break
            field, quoted, i = text[i + 1:j].replace('""', '"'), True, j + 1
        elif ch in ",\n":
            row.append(field if quoted or field else None)
            field, quoted = "", False
            if ch == "\n":
                rows.append(row)
                row = []
            i += 1
        else:
            field += ch
            i += 1
    return rows


def _typed(value: str | None, kind: str) -> Any:
    if value is None:
        return None
    return {"long": int, "double": float, "boolean": lambda v: v == "true",
            "string[]": lambda v: v.split(ARRAY_DELIMITER)}.get(kind, str)(value)


def test_neo4j_csv_files_hold_every_row_with_typed_headers(seed_export: dict, tmp_path: Path) -> None:
    command = write_csv(seed_export, tmp_path, "v1")
    rows = to_rows(seed_export, "v1")
    for label, rs in rows.nodes.items():
        assert f"--nodes=Cchc:{label}=nodes-{label}.csv" in command
        table = _split((tmp_path / f"nodes-{label}.csv").open(encoding="utf-8"))
        head, body = table[0], table[1:]
        assert head[0] == "id:ID"
        back = {}
        for line in body:
            props = {}
            for h, cell in zip(head[1:], line[1:], strict=True):
                name, kind = h.rsplit(":", 1)
                if cell is not None:
                    props[name] = _typed(cell, kind)
            back[line[0]] = props
        assert back == {r["id"]: {k: v for k, v in r["props"].items() if k != "id"} for r in rs}
    for rtype, rs in rows.rels.items():
        assert f"--relationships={rtype}=rels-{rtype}.csv" in command
        table = _split((tmp_path / f"rels-{rtype}.csv").open(encoding="utf-8"))
        assert table[0][:2] == [":START_ID", ":END_ID"] and len(table) == len(rs) + 1
    assert "--array-delimiter=U+001F" in command and "--multiline-fields=true" in command
    assert command in (tmp_path / "import.sh").read_text(encoding="utf-8")
    assert (tmp_path / "schema.cypher").read_text(encoding="utf-8").count(";\n") == len(cypher.SCHEMA)


@pytest.mark.parametrize(("values", "kind"), [
    ([1, 2], "long"), ([1, 2.5], "double"), ([True, False], "boolean"), (["a", 1], "string"),
    (["a"], "string"), ([["a", "b"], "c"], "string[]"), ([1.5], "double"), ([True, 1], "string"),
])
def test_a_csv_column_is_typed_by_every_value_it_holds(values: list, kind: str) -> None:
    """The header's type is read from all the column's values, whatever the row that has them."""
    columns = Columns(["id:ID"])
    for v in values:
        columns.add({"p": v})
    columns.add({"q": "x"})  # a row without the property
    assert columns.header() == f"id:ID,p:{kind},q:string\n"


def test_the_meta_node_lists_every_key_of_every_list_in_the_exports_order(seed_export: dict) -> None:
    """The fields kept to restore nulls, gathered while the lists are mapped: every list, an
    empty one and one that is no node or edge list included, each record's keys in order."""
    export = {**seed_export, "extra": [{"b": 1}, {"a": 2, "b": 3}], "areas": []}
    plain = {k: list(dict.fromkeys(f for rec in v for f in rec)) for k, v in export.items()
             if isinstance(v, list)}
    assert json.loads(to_rows(export, "v1").meta["fields_json"]) == plain
    assert list(plain)[-1] == "extra" and plain["extra"] == ["b", "a"] and plain["areas"] == []


def test_export_neo4j_csv_from_the_cli(seed_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["export", "--format", "neo4j-csv", "--store", str(seed_store)])
    assert r.exit_code == 2 and "-o" in r.output
    r = runner.invoke(cli, ["export", "--format", "neo4j-csv", "-o", str(tmp_path / "csv"),
                            "--store", str(seed_store)])
    assert r.exit_code == 0, r.output
    assert "neo4j-admin database import full neo4j" in r.output
    assert (tmp_path / "csv" / "nodes-Task.csv").exists()


# --- Cypher text (checked by Neo4j's own front end when installed; not run) ------------------

def _lint_module() -> str | None:
    candidates = [os.environ.get("CYPHER_LINT_MODULE"),
                  str(ROOT / ".ci" / "node_modules" / "@neo4j-cypher" / "language-support")]
    return next((c for c in candidates if c and Path(c).is_dir()), None)


def test_every_cypher_statement_passes_neo4j_language_support_lint() -> None:
    """Syntax and semantic checks by Neo4j's Cypher front end (npm @neo4j-cypher/language-support);
    the statements are not executed here."""
    module = _lint_module()
    if module is None or shutil.which("node") is None:
        if os.environ.get("CCHC_REQUIRE_CYPHER_LINT"):
            pytest.fail("CCHC_REQUIRE_CYPHER_LINT is set but the Cypher linter is not installed")
        pytest.skip("Cypher lint skipped: node or @neo4j-cypher/language-support not installed "
                    "(.ci/run installs it into .ci/node_modules)")
    params = {p: "" for p in ("v", "phrase", "agency", "number", "indicator", "key")}
    params |= {p: [] for p in ("rows", "words", "agencies", "tasks", "documents", "sources")}
    params |= {"meta": {}, "batch": 1}
    statements = cypher.all_statements()
    out = subprocess.run(["node", str(ROOT / "tests" / "tools" / "cypher_lint.cjs")],
                         input=json.dumps({"statements": statements, "parameters": params}),
                         capture_output=True, text=True, check=True, env={**os.environ, "CYPHER_LINT_MODULE": module})
    errors = {k: v for k, v in json.loads(out.stdout).items() if v}
    assert len(json.loads(out.stdout)) == len(statements)
    assert errors == {}
    broken = subprocess.run(["node", str(ROOT / "tests" / "tools" / "cypher_lint.cjs")],
                            input=json.dumps({"statements": {"x": "MATCH (n) RETURN m"}, "parameters": {}}),
                            capture_output=True, text=True, check=True,
                            env={**os.environ, "CYPHER_LINT_MODULE": module})
    assert json.loads(broken.stdout)["x"], "the linter must reject an undefined variable"


def test_docs_show_the_questions_verbatim() -> None:
    doc = (ROOT / "docs" / "neo4j.md").read_text(encoding="utf-8")
    for name, (_, query) in cypher.QUESTIONS.items():
        assert query in doc, f"docs/neo4j.md lacks the Cypher of {name}"


def test_cypher_command_lists_and_prints_the_questions() -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["neo4j", "cypher"])
    assert r.exit_code == 0 and "who-leads" in r.output and "citation-trace" in r.output
    r = runner.invoke(cli, ["neo4j", "cypher", "who-leads"])
    assert cypher.QUESTIONS["who-leads"][1] in r.output
    assert runner.invoke(cli, ["neo4j", "cypher", "nope"]).exit_code == 2


def test_push_without_a_server_fails_with_the_uri(seed_store: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(cli, ["neo4j", "push", "--store", str(seed_store)], env={"NEO4J_URI": ""})
    assert r.exit_code == 2 and "--uri" in r.output
    r = runner.invoke(cli, ["neo4j", "push", "--store", str(seed_store), "--uri", "bolt://127.0.0.1:9",
                            "--password", "x"])
    assert r.exit_code == 3 and "bolt://127.0.0.1:9" in r.output


# --- what a push sends, recorded by a stand-in for the driver (not Neo4j) ---------------------

class RecordingDriver:
    """Takes the statements a push sends and answers as an empty database would; it records
    what is sent and checks nothing of Neo4j (the ``test_neo4j_server_*`` tests do that)."""

    def __init__(self) -> None:
        self.writes: list[tuple[str, dict]] = []
        self.schema: list[str] = []

    def __enter__(self) -> RecordingDriver:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def verify_connectivity(self) -> None:
        return None

    def execute_query(self, query: str, **kw: Any) -> Any:
        self.schema.append(query)
        return type("Result", (), {"records": [{"nodes": 0, "rels": 0}]})()

    def session(self, database: str | None = None) -> Any:
        driver = self

        class Tx:
            def run(self, query: str, **params: Any) -> Any:
                driver.writes.append((query, json.loads(json.dumps(params))))  # as sent, copied
                stale = query in (cypher.DELETE_STALE_RELS, cypher.DELETE_STALE_NODES)
                return type("Res", (), {"data": lambda _: [{"n": 0}] if stale else []})()

        class Session:
            def __enter__(self) -> Session:
                return self

            def __exit__(self, *exc: object) -> None:
                return None

            def execute_write(self, work: Any) -> Any:
                return work(Tx())
        return Session()


@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_a_push_sends_every_row_once_in_batches_nodes_first_meta_last_recorded(
        seed_store: Path, seed_export: dict, batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """From the store's lists as they are read: the rows ``to_rows`` maps, each sent once, in
    batches of at most ``batch`` rows of one label or type, every node before the first
    relationship, the meta node last."""
    driver = RecordingDriver()
    target = neo4j_db.Target("bolt://recorded", "u", "p")
    monkeypatch.setattr(neo4j_db.Target, "driver", lambda self: driver)
    with Store(seed_store).streamed_export() as export:
        report = neo4j_db.push(export, target, "v1", batch)
    rows = to_rows(seed_export, "v1")
    sent: dict[str, list] = defaultdict(list)
    kinds = []
    for query, params in driver.writes:
        if "rows" in params:
            assert 0 < len(params["rows"]) <= batch
            sent[query] += params["rows"]
            kinds.append("rel" if query in {cypher.merge_rels(t) for t in rows.rels} else "node")
    assert kinds == sorted(kinds, key=lambda k: k == "rel") and "rel" in kinds
    expected = {**{cypher.merge_nodes(lb): rs for lb, rs in rows.nodes.items()},
                **{cypher.merge_rels(t): rs for t, rs in rows.rels.items()}}
    assert {q: sorted(map(json.dumps, rs)) for q, rs in sent.items()} == {
        q: sorted(map(json.dumps, rs)) for q, rs in expected.items()}
    assert driver.writes[-1] == (cypher.MERGE_META, {"meta": rows.meta})
    assert (report.nodes, report.relationships, report.skipped_edges) == (*rows.counts(), 0)


def test_the_push_command_reports_what_it_sent_recorded(
        seed_store: Path, seed_export: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cchc neo4j push`` from the store to the recording stand-in (not Neo4j): every batch
    sent, the counts reported."""
    driver = RecordingDriver()
    monkeypatch.setattr(neo4j_db.Target, "driver", lambda self: driver)
    r = CliRunner().invoke(cli, ["neo4j", "push", "--store", str(seed_store), "--uri", "bolt://recorded",
                                 "--password", "x", "--batch", "50"])
    assert r.exit_code == 0, r.output
    nodes, rels = to_rows(seed_export, "v").counts()
    assert f"{nodes} nút / nodes, {rels} quan hệ / relationships" in r.output
    assert sum(len(p["rows"]) for _, p in driver.writes if "rows" in p) == nodes + rels


# --- the neo4j backend's reads, simulated in Python (not Neo4j) ------------------------------

class SelectionReader:
    """Answers the backend's reads by selecting from the pushed rows in Python, the way the
    Cypher in graph/cypher.py selects. It checks that the facts each question reads are enough
    for the same answer as the whole corpus; it is a simulation, not a test of Neo4j."""

    DIMENSION_LABELS = frozenset({"Document", "Reference", "Jurisdiction", "Agency", "Indicator", "Area"})
    STRUCTURE = frozenset({"IN_JURISDICTION", "ISSUED_BY", "PART_OF", "SUCCEEDED_BY"})
    ROLES = frozenset(map(rel_type, ROLE_TYPES))
    CITES = frozenset(map(rel_type, CITATION_TYPES))

    def __init__(self, export: dict) -> None:
        rows = to_rows(export, "v1")
        self._meta = rows.meta
        self.nodes = {r["id"]: ([BASE_LABEL, label], {**r["props"], "id": r["id"]})
                      for label, rs in rows.nodes.items() for r in rs}
        self.rels = [(t, r["source"], r["target"], r["props"]) for t, rs in rows.rels.items() for r in rs]

    def meta(self) -> dict:
        return self._meta

    def _label(self, nid: str) -> str:
        return self.nodes[nid][0][1]

    def ids(self, query: str, **p: Any) -> list[str]:
        if query == cypher.READ_TASKS_WITH_WORDS:
            return [i for i, (lb, props) in self.nodes.items()
                    if lb[1] == "Task" and all(w in props["text_fold"] for w in p["words"])]
        if query == cypher.READ_TASKS_OF_AGENCIES:
            return sorted({t for ty, s, t, _ in self.rels if ty in self.ROLES and s in p["agencies"]})
        if query == cypher.READ_CITED_NUMBER:
            return sorted({t for ty, _, t, pr in self.rels if ty in self.CITES and pr.get("c_number_key") == p["key"]})
        raise AssertionError(query)

    def _chains(self, query: str, sources: list[str]) -> list[tuple]:
        inwards, depth = next((i, d) for i in (True, False) for d in range(1, 11)
                              if cypher.read_citations(i, d) == query)
        dist = {s: 0 for s in sources}
        queue, out = deque(sources), []
        while queue:
            n = queue.popleft()
            for rel in self.rels:
                near, far = (rel[2], rel[1]) if inwards else (rel[1], rel[2])
                if rel[0] in self.CITES and near == n and dist[n] < depth:
                    out.append(rel)
                    if far not in dist:
                        dist[far] = dist[n] + 1
                        queue.append(far)
        return out

    def export(self, node_queries: Any = (), rel_queries: Any = ()) -> dict:
        nodes = [v for v in self.nodes.values() if v[0][1] in self.DIMENSION_LABELS]
        rels = [r for r in self.rels if r[0] in self.STRUCTURE]
        for query, p in node_queries:
            if query == cypher.READ_TASKS:
                nodes += [self.nodes[t] for t in p["tasks"]]
                rels += [r for r in self.rels if (r[0] in self.ROLES and r[2] in p["tasks"])
                         or (r[0] == "HAS_TASK" and r[2] in p["tasks"]) or (r[0] == "IN_AREA" and r[1] in p["tasks"])]
            elif query == cypher.READ_DOCUMENT_FACTS:
                nodes += [v for v in self.nodes.values()
                          if v[0][1] in ("Task", "Target") and v[1]["document"] in p["documents"]]
            else:
                raise AssertionError(query)
        for query, p in rel_queries:
            if query == cypher.READ_CITATIONS_OF:
                rels += [r for r in self.rels if r[0] in self.CITES and r[1] in p["documents"]]
            else:
                rels += self._chains(query, p["sources"])
        return from_rows(nodes, rels, self._meta)


def api_questions(export: dict) -> list[str]:
    """API calls the neo4j backend answers, on the seeds (the same table runs against Neo4j)."""
    resolution, plan = _doc(export, "000_"), _doc(export, "002_")
    urls = ["/health", "/documents", "/documents?jurisdiction=Hậu Giang", "/documents?limit=2&offset=1",
            f"/documents/{resolution}/citations?depth=2", f"/documents/{plan}/citations?depth=3",
            f"/documents/{resolution}/cited-by?depth=2", "/documents/03-NQ%2FTU",
            "/cited-by?number=03-NQ/TU&depth=2", "/cited-by?number=45/2020/NĐ-CP",
            "/cited-by?number=TCVN ISO 9001:2015", "/who-leads?q=tuyên truyền",
            "/who-leads?q=tuyen truyen&jurisdiction=Hậu Giang", "/who-leads?q=kiểm soát thủ tục hành chính",
            f"/who-leads?q=cải cách&document={plan}", "/who-leads?q=không có cụm này",
            "/agencies?q=Phòng Nội vụ", "/agencies?jurisdiction=Vị Thanh&limit=500",
            "/agencies/roles?q=Phòng Nội vụ", "/agencies/roles?q=Sở Nội vụ", "/agencies/roles?q=Ban Tuyên giáo Tỉnh ủy&role=lead",
            "/agencies/roles?q=UBND huyện&role=report_to", f"/agencies/{VICOUNCIL}", "/agencies/ag:nope"]
    urls += [f"/documents/{d['id']}" for d in export["documents"]]
    return [u.replace(" ", "%20") if "?" not in u else u.split("?")[0] + "?" + quote(u.split("?")[1], safe="=&%")
            for u in urls]


def _compare(embedded: TestClient, neo: TestClient, urls: list[str]) -> None:
    for url in urls:
        a, b = embedded.get(url), neo.get(url)
        assert a.status_code == b.status_code, url
        body_a, body_b = a.json(), b.json()
        if url == "/health":
            body_a.pop("backend"), body_b.pop("backend")
        assert body_a == body_b, url


def test_neo4j_backend_reads_enough_for_the_same_answers_simulated(
        seed_store: Path, seed_export: dict, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setattr(neo4j_db, "Reader", lambda target: SelectionReader(seed_export))
    embedded = TestClient(create_app(seed_store))
    neo = TestClient(create_app(seed_store, neo4j=neo4j_db.Target("bolt://simulated", "u", "p")),
                     raise_server_exceptions=False)
    urls = api_questions(seed_export)
    _compare(embedded, neo, urls)
    assert any(embedded.get(u).json().get("count") for u in urls if "who-leads" in u)
    for url in ("/audit", "/path?source=a&target=b", "/search?q=x", "/"):
        assert neo.get(url).status_code == 501, url
    assert neo.get("/sparql?query=ASK{}").status_code == 404  # not mounted on this backend
    assert neo.get("/health").json()["backend"] == "neo4j"


# --- a real Neo4j server: only when NEO4J_URI is set -----------------------------------------

def _server() -> Any:
    from cchc_graph.graph.exports.neo4j_db import Target

    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("Neo4j integration skipped: NEO4J_URI is not set (also NEO4J_USERNAME, NEO4J_PASSWORD, "
                    "NEO4J_DATABASE); the cchc-graph nodes in that database are replaced")
    return Target(uri, os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""),
                  os.environ.get("NEO4J_DATABASE") or None)


def test_neo4j_server_push_is_idempotent_and_syncs(seed_store: Path, seed_export: dict) -> None:
    from cchc_graph.graph.exports.neo4j_db import push

    target = _server()
    n, r = to_rows(seed_export, "v1").counts()
    first = push(seed_export, target, "v1")
    assert first.in_database == (n, r)
    again = push(seed_export, target, "v1")
    assert again.in_database == (n, r) and again.deleted_nodes == 0 and again.deleted_relationships == 0
    dropped = _doc(seed_export, "004_")
    smaller = json.loads(json.dumps(seed_export))
    for key in ("tasks", "targets", "responsibilities", "citations"):
        smaller[key] = [x for x in smaller[key] if x["document"] != dropped]
    smaller["documents"] = [d for d in smaller["documents"] if d["id"] != dropped]
    keep = {x["id"] for k in LABELS for x in smaller[k]}
    smaller["edges"] = [e for e in smaller["edges"] if e["source"] in keep and e["target"] in keep]
    shrunk = push(smaller, target, "v2")
    assert shrunk.in_database == to_rows(smaller, "v2").counts() and shrunk.deleted_nodes > 0
    assert push(seed_export, target, "v3").in_database == (n, r)


def test_neo4j_server_answers_like_the_embedded_store(seed_store: Path, seed_export: dict) -> None:
    from cchc_graph.graph.exports.neo4j_db import Reader, push

    target = _server()
    push(seed_export, target, "v1")
    embedded = TestClient(create_app(seed_store))
    neo = TestClient(create_app(seed_store, neo4j=target))
    _compare(embedded, neo, api_questions(seed_export))
    reader = Reader(target)
    try:
        assert from_rows([(r["labels"], r["props"]) for r in reader.read(
            f"MATCH (n:{BASE_LABEL}) RETURN labels(n) AS labels, properties(n) AS props")],
            reader.relationships(f"MATCH (a:{BASE_LABEL})-[r]->(b:{BASE_LABEL}) RETURN type(r) AS type, "
                         "a.id AS source, b.id AS target, properties(r) AS props"), reader.meta()) == seed_export
        params: dict[str, Any] = defaultdict(str, phrase="tuyen truyen", agency="Phòng Nội vụ",
                                             number="03-NQ/TU", indicator="PAR INDEX")
        for name, (_, query) in cypher.QUESTIONS.items():
            rows = reader.read(query, **params)
            assert rows, f"{name} returned no rows on the seeds"
    finally:
        reader.close()
