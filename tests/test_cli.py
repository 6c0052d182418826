"""The CLI as a user runs it: build, export, stats; bad files reported, others loaded."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cchc_graph.api.cli import cli
from click.testing import CliRunner
from conftest import EXAMPLES


def test_every_command_is_documented_with_an_example() -> None:
    runner = CliRunner()
    for name, cmd in cli.commands.items():
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
