"""Options, exit codes and error handling shared by every ``cchc`` command."""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn, TextIO

import click
import orjson
from cchc_graph.graph.questions.index import Corpus, NotFound
from cchc_graph.graph.store.build import DEFAULT_STORE, StoreError
from cchc_graph.library import Graph, open_store
from cchc_graph.loaders.schema import field_names, to_dict

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
    2 with the reason, a store that cannot be read (or a part of it) 3."""
    try:
        database = open_store(store_dir)
    except StoreError as e:
        fail(str(e), EXIT_STORE)
    with database.snapshot() as c:
        try:
            yield c
        except NotFound as e:
            fail(str(e), EXIT_USAGE)
        except StoreError as e:
            fail(str(e), EXIT_STORE)


def done(found: int) -> None:
    """Exit 0 when the answer has rows, 1 when it is empty (like grep)."""
    sys.exit(EXIT_OK if found else EXIT_EMPTY)


_JSON = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS


def emit_json(obj: Any) -> None:
    """``obj`` as indented JSON (orjson: a broad answer's hundreds of thousands of items are
    written ~10× faster than by the json module). A list answer, or a field of an answer
    (or of one of its items) given as an iterator or a lazy answer list, is written an item at
    a time, as it is built, so the first reach the reader at once; the text is the same as one
    dump of the whole answer."""
    _write(sys.stdout, obj, "")
    sys.stdout.write("\n")


_HELD = frozenset({str, int, float, bool, type(None), bytes, dict, list, tuple})


def _lazy(value: Any) -> bool:
    """An iterator, or an answer list that builds its items when read (not a list held whole)."""
    return type(value) not in _HELD and isinstance(value, Iterator | Sequence)


@functools.cache
def _declared_lazy(t: type) -> tuple[str, ...]:
    """The fields of a dataclass declared as a ``Sequence`` or an ``Iterator`` (a list or a
    tuple is held whole): the ones an answer may give lazily."""
    return tuple(f.name for f in dataclasses.fields(t) if _LAZY_TYPE.match(str(f.type)))


# (an annotation as written, or as typing prints it when the module evaluates annotations)
_LAZY_TYPE = re.compile(r"(?:typing\.|collections\.abc\.)?(?:Sequence|Iterator|Iterable)\[")


def _write(out: TextIO, obj: Any, indent: str) -> None:
    """``obj`` as orjson indents it at ``indent``, its lazy lists an item at a time."""
    if _lazy(obj) or type(obj) is list:
        _items(out, obj, indent)
        return
    names = field_names(type(obj))
    if names is not None:  # (an answer's fields that may be lazy are declared as such)
        fields = {n: getattr(obj, n) for n in names} if any(
            _lazy(getattr(obj, n)) for n in _declared_lazy(type(obj))) else None
    else:
        fields = obj if isinstance(obj, Mapping) else None
    if not fields or not any(_lazy(v) for v in fields.values()):
        out.write(orjson.dumps(to_dict(obj), option=_JSON).decode().replace("\n", f"\n{indent}"))
        return
    sep = f"{{\n{indent}  "
    for key, value in fields.items():
        out.write(f"{sep}{orjson.dumps(key).decode()}: ")
        _write(out, value, f"{indent}  ")
        sep = f",\n{indent}  "
    out.write(f"\n{indent}}}")


def _items(out: TextIO, items: Iterable[Any], indent: str) -> None:
    """A list, an item at a time, as orjson indents it at ``indent``."""
    sep = f"[\n{indent}  "
    for item in items:
        out.write(sep)
        _write(out, item, f"{indent}  ")
        sep = f",\n{indent}  "
    out.write("[]" if sep == f"[\n{indent}  " else f"\n{indent}]")


def lazy(name: str) -> ModuleType:
    """The module ``name``, imported when an attribute of it is first read (importlib's
    ``LazyLoader``): the terminal rendering (rich) only when a command prints a table."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None, name
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def asking(store_dir: str) -> Iterator[Graph]:
    """The store's graph (``cchc_graph.library``); a name that matches nothing exits 2."""
    with answering(store_dir) as c:
        yield Graph(c)


def show(obj: object, as_json: bool) -> None:
    """JSON, or the rendered answer; an empty table is one line saying so, not a frame."""
    if as_json:
        emit_json(obj)
    else:
        lazy("cchc_graph.api.render").show(obj)


def write_text(text: str, output: str | None) -> None:
    """A file's text into ``output``, or on stdout."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
