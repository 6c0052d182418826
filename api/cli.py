"""The ``cchc`` command line: a thin layer over the Python API (``cchc_graph.library``).

Each command's module is imported when that command runs (or when help lists them all): a
question asked from a script pays for what it uses, not for the extractors, the exports or the
server (click's lazy loading of subcommands).
"""

from __future__ import annotations

import importlib

import click

# command name → "module:attribute" under cchc_graph.api
COMMANDS = {
    **{name: f"store_commands:{name}" for name in ("build", "rebuild", "export", "sparql", "serve")},
    **{name: f"gaps_commands:{name}" for name in ("stats", "gaps", "text")},
    **{name: f"commands:{name.replace('-', '_')}" for name in (
        "who-leads", "agency", "cites", "cited-by", "deps", "path", "search")},
    **{name: f"planning_commands:{name}" for name in ("cascade", "compare", "matrix", "calendar")},
    "audit": "audit_commands:audit",
    "viz": "viz_commands:viz", "chart": "viz_commands:chart", "neo4j": "neo4j_commands:neo4j_group",
}


class LazyGroup(click.Group):
    """A group whose commands are imported by name, on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute = COMMANDS[cmd_name].split(":")
        return getattr(importlib.import_module(f"{__package__}.{module}"), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cchc-graph")
def cli() -> None:
    """cchc-graph: đồ thị tri thức từ văn bản cải cách hành chính (CCHC).

    Knowledge graph of Vietnamese administrative-reform documents, every fact traced to
    its sentence.
    """


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
