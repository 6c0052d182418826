"""The Python API (cchc_graph.library): the same answers as the commands, typed, loaded lazily."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cchc_graph
import pytest
from cchc_graph.api.cli import cli
from cchc_graph.graph.questions.queries import TaskAnswer
from cchc_graph.loaders.model import to_dict
from click.testing import CliRunner

# (command line, the Graph call that answers it)
SAME_ANSWERS = [
    (["who-leads", "tuyên truyền", "-j", "Hậu Giang"], lambda g: g.who_leads("tuyên truyền", "Hậu Giang")),
    (["who-leads", "--agency", "Phòng Nội vụ", "--role", "lead"],
     lambda g: g.agency_roles("Phòng Nội vụ", roles=("lead",))),
    (["agency", "Phòng Nội vụ"], lambda g: g.agency("Phòng Nội vụ")),
    (["cites", "002", "--depth", "2"], lambda g: g.cites("002", 2)),
    (["cites", "--status", "unresolved"], lambda g: g.citations(False)),
    (["cited-by", "03-NQ/TU"], lambda g: g.cited_by("03-NQ/TU")),
    (["path", "ag:vn-hau-giang:ban-tuyen-giao-tinh-uy", "002"],
     lambda g: g.path("ag:vn-hau-giang:ban-tuyen-giao-tinh-uy", "002")),
    (["cascade", "002"], lambda g: g.cascade("002")),
    (["compare"], lambda g: g.metrics()),
    (["compare", "trực tuyến"], lambda g: g.compare("trực tuyến")),
    (["audit"], lambda g: g.audit()),
    (["search", "mot cua"], lambda g: g.search("mot cua")[:50]),
    (["matrix", "-d", "002"], lambda g: g.matrix("002")),
    (["calendar", "-j", "Hậu Giang"], lambda g: g.calendar(jurisdiction="Hậu Giang")),
    (["gaps"], lambda g: g.gaps()),
    (["stats"], lambda g: g.stats()),
]


@pytest.fixture(scope="module")
def graph(seed_store: Path) -> cchc_graph.Graph:
    return cchc_graph.open(seed_store)


@pytest.mark.parametrize(("args", "ask"), SAME_ANSWERS, ids=[" ".join(a) for a, _ in SAME_ANSWERS])
def test_a_method_answers_as_its_command(seed_store: Path, graph: cchc_graph.Graph, args, ask) -> None:
    r = CliRunner().invoke(cli, [*args, "--store", str(seed_store), "--json"])
    assert r.exit_code == 0, r.output
    answer = ask(graph)
    assert answer  # every question here has an answer on the seeds
    assert json.loads(r.stdout) == json.loads(json.dumps(to_dict(answer), ensure_ascii=False))


def test_answers_are_typed_and_deps_says_what_it_resolved(graph: cchc_graph.Graph) -> None:
    (task, *_) = graph.who_leads("tuyên truyền")
    assert isinstance(task, TaskAnswer) and task.provenance.quote
    d = graph.deps("task:002_0387e2864a5773df:9")
    assert d.entity == "task:002_0387e2864a5773df:9" and isinstance(d.task, TaskAnswer)
    assert ("has_task", d.task.document.id) in {(x.type, x.source) for x in d.depends_on}


def test_unknown_names_and_missing_stores_raise(graph: cchc_graph.Graph, tmp_path: Path) -> None:
    with pytest.raises(cchc_graph.NotFound, match="Phòng Nội vụ"):  # the nearest name is offered
        graph.agency("Phong Noi vuu")
    with pytest.raises(cchc_graph.StoreError):
        cchc_graph.open(tmp_path / "nothing-here")


def test_export_writes_what_cchc_export_writes(seed_store: Path, graph: cchc_graph.Graph,
                                               tmp_path: Path) -> None:
    graph.export("json", tmp_path / "g.json")
    cli_json = CliRunner().invoke(cli, ["export", "--store", str(seed_store)]).stdout_bytes
    assert (tmp_path / "g.json").read_bytes() == cli_json
    note = graph.export("neo4j-csv", tmp_path / "csv")
    assert (tmp_path / "csv" / "import.sh").exists() and "import.sh" in note


def test_importing_a_part_does_not_load_the_questions() -> None:
    """A worker that reads documents imports cchc_graph's loaders: the library (store,
    questions) loads only when asked for."""
    code = ("import sys, cchc_graph.loaders.pipeline; print('cchc_graph.library' in sys.modules); "
            "import cchc_graph; cchc_graph.open; print('cchc_graph.library' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
