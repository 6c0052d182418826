"""The CLI as a user runs it: build, export, stats; bad files reported, others loaded."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import click
from cchc_graph.api.cli import cli
from click.testing import CliRunner
from conftest import EXAMPLES


def commands() -> dict[str, click.Command]:
    """Every command of ``cchc`` (imported on first use: ``cli.commands`` holds none)."""
    ctx = click.Context(cli)
    return {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}


def test_every_command_is_documented_with_an_example() -> None:
    runner = CliRunner()
    assert {"build", "who-leads", "audit", "stats", "serve", "neo4j"} <= commands().keys()
    for name, cmd in commands().items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Example:" in result.output, f"'cchc {name} --help' has no example"
        assert cmd.help and cmd.help.strip(), name


def test_build_examples_then_export(tmp_path: Path) -> None:
    runner = CliRunner()
    store = str(tmp_path / "store")
    r = runner.invoke(cli, ["build", str(EXAMPLES), "--store", store])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["export", "--format", "json", "--store", store])
    data = json.loads(r.output)
    assert data["schema_version"] == 1
    plan = next(d for d in data["documents"] if d["type"] == "ke_hoach")
    cit = next(c for c in data["citations"] if c["document"] == plan["id"] and c["number"] == "07-NQ/TU")
    assert cit["resolves_to"] is not None  # the plan implements the bundled resolution
    assert [t for t in data["tasks"] if t["source"] == "table"]


def test_bad_file_is_reported_and_the_rest_still_loads(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    (corpus / "empty.txt").write_bytes(b"")
    store = str(tmp_path / "store")
    r = CliRunner().invoke(cli, ["build", str(corpus), "--store", store, "--json"])
    assert r.exit_code == 1
    report = json.loads(r.output)
    assert report["skipped"] == [{"path": str(corpus / "empty.txt"), "reason": "empty file"}]
    assert report["documents"] == 2


def test_rebuild_reuses_unchanged_files_and_add_keeps_the_rest(tmp_path: Path) -> None:
    runner = CliRunner()
    store = str(tmp_path / "store")
    files = sorted(EXAMPLES.glob("*.md"))
    docs = [f for f in files if f.name != "README.md"]
    r = runner.invoke(cli, ["build", str(docs[0]), "--store", store, "--json"])
    assert json.loads(r.output)["documents"] == 1
    r = runner.invoke(cli, ["build", str(docs[1]), "--store", store, "--add", "--json"])
    assert json.loads(r.output)["documents"] == 2
    r = runner.invoke(cli, ["build", *map(str, docs), "--store", store, "--json"])
    rep = json.loads(r.output)
    assert len(rep["cached"]) == 2 and rep["loaded"] == []


def test_export_without_a_store_says_what_to_do(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["export", "--store", str(tmp_path / "none")])
    assert r.exit_code == 3
    assert "cchc build" in r.output


# what a question has no use for: the extractors, the exporters, the server, the terminal tables
# (the model's classes too: a question reads provenance and the schema's names from loaders.schema)
NOT_FOR_QUESTIONS = ("cchc_graph.loaders.pipeline", "cchc_graph.loaders.lexicon", "cchc_graph.graph.exports.rdf",
                     "cchc_graph.loaders.model", "rdflib", "fastapi", "rich")


# the question modules a command reads (a task's answer reads the reporting lines: queries)
OWN = {"who-leads": ("queries", "match"), "audit": ("audit",), "stats": (), "cites": ("trace", "refines")}


def test_a_json_question_imports_only_what_it_uses(own_store: Path) -> None:
    """A question asked from a script waits for the imports: `cchc` imports a command's module
    when it runs, and a --json answer needs no rendering."""
    code = ("import sys; from cchc_graph.api.cli import cli\n"
            "try:\n    cli.main(sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    for question in (["who-leads", "tuyên truyền"], ["audit"], ["stats"], ["cites", "--status", "unresolved"],
                     ["cites", "--status", "inconsistent"]):
        r = subprocess.run([sys.executable, "-c", code, *question, "--json", "--store", str(own_store)],
                           capture_output=True, text=True, check=True)
        assert json.loads(r.stdout) is not None, question  # it answered
        loaded = set(r.stderr.split())
        assert not {m for m in loaded if m.split(".")[0] in NOT_FOR_QUESTIONS or m in NOT_FOR_QUESTIONS}, question
        # nor the other questions' modules (the audit's checks run at build time, not here)
        others = {"audit", "planning", "cascade", "refines", "queries", "trace"} - {*OWN.get(question[0], ())}
        assert not {f"cchc_graph.graph.questions.{m}" for m in others} & loaded, question



def test_a_build_imports_no_exporter_nor_server(tmp_path: Path) -> None:
    """`cchc build` (a one-document rebuild pays each import) loads no RDF, server or table
    renderer: the SPARQL options' defaults come from a module of their own."""
    code = ("import sys; from cchc_graph.api.cli import cli\n"
            "try:\n    cli.main(sys.argv[1:], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            "print(' '.join(sorted(sys.modules)), file=sys.stderr)")
    doc = next(f for f in sorted(EXAMPLES.glob("*.md")) if f.name != "README.md")
    r = subprocess.run([sys.executable, "-c", code, "build", str(doc), "--store", str(tmp_path / "s"), "--json"],
                       capture_output=True, text=True, check=True)
    assert json.loads(r.stdout)["documents"] == 1
    loaded = set(r.stderr.split())
    assert not {m for m in loaded if m.split(".")[0] in ("rdflib", "fastapi", "rich", "pyvis", "networkx")}
    assert "cchc_graph.graph.exports.rdf" not in loaded
    # one document is extracted by the warm process forked at the build's start (graph.store.warm):
    # no process pool, and this process never imports the extractor
    assert not {"multiprocessing", "concurrent.futures"} & loaded
    assert "cchc_graph.loaders.pipeline" not in loaded
