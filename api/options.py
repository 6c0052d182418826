"""Options, exit codes and error handling shared by every ``cchc`` command."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from cchc_graph.graph.questions.index import Corpus, NotFound, open_store
from cchc_graph.graph.store.build import DEFAULT_STORE, StoreError

EXIT_OK, EXIT_EMPTY, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3
# build: 1 means "some files skipped", 2 "nothing loaded"; audit --strict: 1 means violations.

STORE_OPTION = click.option(
    "--store", "store_dir", default=DEFAULT_STORE, show_default=True,
    type=click.Path(file_okay=False), help="Thư mục kho đồ thị / graph store folder.")
JSON_OPTION = click.option("--json", "as_json", is_flag=True,
                           help="Kết quả dạng JSON cho máy / JSON output for scripts.")
JURISDICTION_OPTION = click.option(
    "--jurisdiction", "-j", help="Giới hạn theo địa bàn (tên hoặc mã, gồm đơn vị trực thuộc) / "
                                 "narrow to a jurisdiction and the units inside it.")
DOCUMENT_OPTION = click.option("--document", "-d", help="Giới hạn theo văn bản (mã, số hiệu) / "
                                                        "narrow to one document (id or number).")
DEPTH_OPTION = click.option("--depth", default=1, show_default=True, type=click.IntRange(1, 10),
                            help="Số bậc / how many hops.")


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"lỗi / error: {message}", err=True)
    sys.exit(code)


@contextmanager
def answering(store_dir: str) -> Iterator[Corpus]:
    """The store's database, one snapshot for the command; a name that matches nothing exits
    2 with the reason."""
    try:
        database = open_store(store_dir)
    except StoreError as e:
        fail(str(e), EXIT_STORE)
    with database.snapshot() as c:
        try:
            yield c
        except NotFound as e:
            fail(str(e), EXIT_USAGE)


def done(found: int) -> None:
    """Exit 0 when the answer has rows, 1 when it is empty (like grep)."""
    sys.exit(EXIT_OK if found else EXIT_EMPTY)
