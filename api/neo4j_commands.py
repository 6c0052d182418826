"""``cchc neo4j push`` and ``cchc neo4j cypher``: the graph in Neo4j, the questions in Cypher."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
from cchc_graph.graph.exports.neo4j_db import Target
from cchc_graph.graph.store.build import Store, StoreError

from .options import EXIT_STORE, EXIT_USAGE, STORE_OPTION, fail


def neo4j_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--uri/--user/--password/--database, also read from NEO4J_URI, NEO4J_USERNAME …"""
    for opt in reversed((
        click.option("--uri", envvar="NEO4J_URI", help="Địa chỉ Neo4j / Bolt URI "
                     "(neo4j://host:7687; env NEO4J_URI)."),
        click.option("--user", envvar=["NEO4J_USERNAME", "NEO4J_USER"], default="neo4j",
                     show_default=True, help="Tài khoản / user (env NEO4J_USERNAME)."),
        click.option("--password", envvar="NEO4J_PASSWORD",
                     help="Mật khẩu / password (env NEO4J_PASSWORD; prefer the variable)."),
        click.option("--database", envvar="NEO4J_DATABASE",
                     help="Cơ sở dữ liệu / database (default: the server's default; env NEO4J_DATABASE)."),
    )):
        f = opt(f)
    return f


def target(uri: str | None, user: str, password: str | None, database: str | None) -> Target:
    if not uri or password is None:
        raise click.UsageError("cần --uri và --password (hoặc NEO4J_URI, NEO4J_PASSWORD) / "
                               "needs --uri and --password (or NEO4J_URI, NEO4J_PASSWORD)")
    return Target(uri, user, password, database)


@click.group("neo4j")
def neo4j_group() -> None:
    """Neo4j: đẩy đồ thị lên, câu hỏi bằng Cypher / push the graph, the questions in Cypher.

    Example:

        cchc neo4j push --uri neo4j://localhost:7687 --password secret
    """


@neo4j_group.command("push")
@neo4j_options
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Số dòng mỗi giao dịch / rows per transaction.")
@STORE_OPTION
def push(uri: str | None, user: str, password: str | None, database: str | None, batch: int,
         store_dir: str) -> None:
    """Đẩy đồ thị lên Neo4j / push the graph into Neo4j (constraints, then batched MERGE).

    Idempotent: pushing the same store twice leaves the same nodes and relationships; what an
    earlier push wrote and this graph no longer has is deleted. Transient errors are retried.
    Exit 3 when the store or the server fails.

    Example:

        NEO4J_PASSWORD=secret cchc neo4j push --uri neo4j://localhost:7687
    """
    import cchc_graph
    from cchc_graph.graph.exports.neo4j_db import push as push_graph
    from cchc_graph.graph.exports.neo4j_map import LABELS
    from neo4j.exceptions import DriverError, Neo4jError
    from rich.progress import Progress

    t = target(uri, user, password, database)
    try:
        store = Store(store_dir)
        with cchc_graph.open(store_dir) as g:  # the bar's length: every node and relationship
            counts = g.stats()
        # read as it is merged (one read transaction): a large store is never held whole
        with store.streamed_export() as export, \
                Progress(disable=not sys.stderr.isatty(), transient=True) as bar:
            task = bar.add_task("Neo4j MERGE", total=sum(counts[k] for k in (*LABELS, "edges")))
            report = push_graph(export, t, store.graph_version, batch,
                                lambda done, _: bar.update(task, completed=done))
    except StoreError as e:
        fail(str(e), EXIT_STORE)
    except (DriverError, Neo4jError) as e:  # unreachable server, bad credentials, refused query
        fail(f"{t.uri}: {type(e).__name__}: {e}", EXIT_STORE)
    click.echo(f"Neo4j {t.uri}: {report.nodes} nút / nodes, {report.relationships} quan hệ / "
               f"relationships ghi / written (phiên bản / version {report.version[:12]}); "
               f"xoá cũ / stale removed {report.deleted_nodes} + {report.deleted_relationships}; "
               f"trong CSDL / in the database {report.in_database[0]} + {report.in_database[1]}.")
    if report.skipped_edges:
        click.echo(f"cảnh báo / warning: {report.skipped_edges} cạnh thiếu đầu mút / edges with an "
                   "end that is not a node were not pushed", err=True)


@neo4j_group.command("cypher")
@click.argument("name", required=False)
def cypher_questions(name: str | None) -> None:
    """Các câu hỏi chính bằng Cypher / the main questions as Cypher, for Neo4j Browser.

    Without NAME, lists them; with NAME, prints that query (parameters as $name; in Browser
    set them first, e.g. :param phrase => 'kiem soat thu tuc').

    Example:

        cchc neo4j cypher who-leads
    """
    from cchc_graph.graph.exports.cypher import QUESTIONS

    if name is None:
        for key, (about, _) in QUESTIONS.items():
            click.echo(f"{key}\t{about}")
        return
    if name not in QUESTIONS:
        fail(f"không có câu hỏi / no question {name!r}; one of {', '.join(QUESTIONS)}", EXIT_USAGE)
    click.echo(f"// {QUESTIONS[name][0]}\n{QUESTIONS[name][1]}")
