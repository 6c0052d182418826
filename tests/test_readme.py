"""Every `cchc` command the README shows, run as written on the seeds: each one answers."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from cchc_graph.api.cli import cli
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

SECTIONS = ("## Using it", "## Asking questions", "## Browsing the graph")
LONG_RUNNING = {"serve"}  # a server does not exit; its routes have their own tests
# exit codes the README documents as an answer for these commands (audit --strict: 1 = violations)
EXPECTED = {"audit": {0, 1}}


def readme_commands() -> list[str]:
    """The `cchc ...` lines of the bash blocks in the README's usage sections."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out = []
    for heading in SECTIONS:
        section = text.split(heading, 1)[1].split("\n## ", 1)[0]
        for block in re.findall(r"```bash\n(.*?)```", section, re.S):
            out += [line for line in block.splitlines() if line.startswith("cchc ")]
    return out


def test_readme_shows_commands() -> None:
    assert len(readme_commands()) >= 20  # the parser found the blocks


def test_every_readme_command_answers_on_the_seeds(seeds_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # the README runs from the repository root, next to ../shared
    project = tmp_path / "project"
    (project / "more").mkdir(parents=True)
    (tmp_path / "shared").symlink_to(seeds_dir.parent)
    for f in (FIXTURES / "queries").glob("*.md"):  # `cchc build more/ --add` needs something to add
        shutil.copy(f, project / "more" / f.name)
    monkeypatch.chdir(project)
    failures = []
    for line in readme_commands():
        args = shlex.split(line, comments=True)[1:]
        if args[0] in LONG_RUNNING:
            continue
        redirect = args.index(">") if ">" in args else None
        target = args[redirect + 1] if redirect is not None else None
        args = args[:redirect]
        r = CliRunner().invoke(cli, args)
        if r.exit_code not in EXPECTED.get(args[0], {0}):
            failures.append(f"{line}\n  exit {r.exit_code}: {(r.output or str(r.exception))[-300:]}")
        elif target:
            Path(target).write_text(r.stdout, encoding="utf-8")
    assert not failures, "\n".join(failures)
    assert Path("graph.json").stat().st_size > 1000 and Path("graph.html").exists()


def help_examples() -> list[str]:
    """The `cchc ...` lines under "Example:" in every command's --help."""
    import click

    def walk(group: click.Group) -> list[click.Command]:  # `cchc` imports its commands on first use
        ctx = click.Context(group)
        return [c for cmd in map(lambda name: group.get_command(ctx, name), group.list_commands(ctx))
                for c in (walk(cmd) if isinstance(cmd, click.Group) else [cmd])]
    return [line.strip() for cmd in walk(cli) for line in (cmd.help or "").split("Example:", 1)[-1].splitlines()
            if line.strip().startswith("cchc ") and "Example:" in (cmd.help or "")]


def test_every_help_example_names_what_is_in_the_seeds(seeds_dir: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A help example is an answer (0) or an honest empty one (1), never a name that is not there."""
    (tmp_path / "shared").symlink_to(seeds_dir.parent)
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    assert CliRunner().invoke(cli, ["build", "../shared/seeds"]).exit_code == 0
    skipped = {"serve", "build", "rebuild", "neo4j", "sparql"}  # need a server, files, or are not ours
    failures = []
    examples = help_examples()
    for line in examples:
        args = shlex.split(line)[1:]
        if args[0] in skipped:
            continue
        r = CliRunner().invoke(cli, args)
        if r.exit_code not in (0, 1):
            failures.append(f"{line}: exit {r.exit_code}: {r.output[-200:]}")
    assert len(examples) > 15 and not failures, failures


def readme_python() -> str:
    """The python blocks of the README's "Python API" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return "\n".join(re.findall(r"```python\n(.*?)```", section, re.S))


def test_the_readme_python_example_runs_on_the_seeds(seeds_dir: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "shared").symlink_to(seeds_dir.parent)  # run from the repository root, as written
    (tmp_path / "project").mkdir()
    monkeypatch.chdir(tmp_path / "project")
    code = readme_python()
    assert "cchc_graph.build(" in code and "cchc_graph.open(" in code
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{len(list(seeds_dir.glob('*.txt')))} loaded, 0 skipped"
    tasks = [line.split(" | ") for line in lines[1:] if " | " in line]
    quotes = [line for line in lines[1:] if line.startswith("    ")]
    assert tasks and all(len(t) == 3 for t in tasks) and any(t[2] for t in tasks)  # a lead named
    assert len(quotes) == len(tasks) and all(q.strip() for q in quotes)
    statuses = [line.rsplit(" ", 1)[-1] for line in lines[1 + 2 * len(tasks):]]
    assert statuses and set(statuses) <= {"weaker", "equal", "stronger", "missing", "not_comparable", "extra"}
    assert Path("cchc.ttl").read_text(encoding="utf-8").startswith("@prefix")


def test_the_readme_lists_every_question_of_the_python_api() -> None:
    from cchc_graph.library import Graph

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`(\w+)`", text.split("\nThe methods: ", 1)[1].split("\n\n", 1)[0]))
    methods = {name for name, v in vars(Graph).items() if callable(v) and not name.startswith("_")}
    assert methods - {"close"} <= listed and "text" in methods
