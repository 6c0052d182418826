"""The ``cchc`` commands that build, export and serve the store (the questions are in
``commands.py``); loaded by ``cli.py`` only when one of them is asked for."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from contextlib import nullcontext
from pathlib import Path
from typing import BinaryIO

import click
from cchc_graph import library
from cchc_graph.graph.exports.formats import FORMATS, Options
from cchc_graph.graph.exports.sparql_limits import Limits
from cchc_graph.graph.store.build import BuildReport, Store, StoreError
from cchc_graph.loaders.read import DEFAULT_MAX_MB, ReadOptions

from .neo4j_commands import neo4j_options
from .neo4j_commands import target as neo4j_target
from .options import EXIT_EMPTY, EXIT_OK, EXIT_STORE, EXIT_USAGE, STORE_OPTION, emit_json, fail

EXIT_SKIPPED, EXIT_NOTHING = 1, 2  # build's own codes (options.py)


READ_OPTIONS = [
    click.option("--max-file-mb", default=DEFAULT_MAX_MB, show_default=True,
                 type=click.IntRange(1, 100_000),
                 help="Bỏ qua tệp lớn hơn / skip files larger than this (MB)."),
    click.option("--ocr/--no-ocr", default=True, show_default=True,
                 help="Nhận dạng PDF scan bằng tesseract (nếu có) / OCR scanned PDFs with "
                      "tesseract-ocr-vie when installed."),
    click.option("--json", "as_json", is_flag=True, help="In báo cáo dạng JSON / JSON report."),
]


def read_options(f):
    for option in reversed(READ_OPTIONS):
        f = option(f)
    return f


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@STORE_OPTION
@click.option("--add", is_flag=True, help="Thêm vào kho hiện có / add to the existing store.")
@read_options
def build(paths: tuple[str, ...], store_dir: str, add: bool, max_file_mb: int, ocr: bool,
          as_json: bool) -> None:
    """Đọc văn bản và xây dựng đồ thị / read documents and build the graph.

    PATHS are files (.txt .md .docx .pdf .html) or folders searched recursively. A file that
    cannot be read is reported with the reason and skipped; the others still load, and a
    document already stored keeps its stored version. When nothing loads the store is left
    as it was. Exit code: 0 all loaded, 1 some files skipped, 2 nothing loaded, 3 store error.

    Example:

        cchc build ../shared/seeds --store .cchc
    """
    opts = ReadOptions(max_bytes=max_file_mb * 1024 * 1024, ocr=ocr)
    _report(lambda p: library.build(paths, store_dir, add, options=opts, progress=p), store_dir, as_json)


@click.command()
@STORE_OPTION
@read_options
def rebuild(store_dir: str, max_file_mb: int, ocr: bool, as_json: bool) -> None:
    """Đọc lại mọi văn bản của kho từ tệp nguồn / re-read every stored document.

    Use after upgrading cchc-graph (a store of an older schema says so), to import a store of
    the earlier file layout (manifest.json) once, or to refresh all facts. The source files
    are those the store lists; ones that are gone are reported, and their stored version kept
    (not from another schema or layout). Exit codes as `build`.

    Example:

        cchc rebuild --store .cchc
    """
    opts = ReadOptions(max_bytes=max_file_mb * 1024 * 1024, ocr=ocr)
    _report(lambda p: Store(store_dir).rebuild(options=opts, progress=p), store_dir, as_json)


def _report(run: Callable[[Callable[[int, int], None]], BuildReport], store_dir: str, as_json: bool) -> None:
    """Run a build with a progress bar (on a terminal only) and print what it did."""
    try:
        # (rich is imported for the bar only: a script's one-document rebuild does not wait for it)
        report = _with_bar(run) if sys.stderr.isatty() else run(lambda done, total: None)
    except StoreError as e:
        fail(str(e), EXIT_STORE)
    if as_json:
        emit_json({"loaded": report.loaded, "cached": report.cached,
                   "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
                   "kept": report.kept, "warnings": report.warnings, "gaps": dict(report.gaps),
                   "documents": report.documents, "written": report.written})
    else:
        for p, reason in report.skipped:
            click.echo(f"bỏ qua / skipped: {p}: {reason}", err=True)
        for w in report.warnings:
            click.echo(f"cảnh báo / warning: {w}", err=True)
        if report.gaps:
            click.echo("chưa hiểu / not understood: " + ", ".join(
                f"{n} {kind}" for kind, n in sorted(report.gaps.items())) + " (cchc gaps)", err=True)
        kept = f" (giữ bản cũ / kept stored {len(report.kept)})" if report.kept else ""
        click.echo(f"Đã nạp / loaded {len(report.loaded)}, dùng lại / cached {len(report.cached)}, "
                   f"bỏ qua / skipped {len(report.skipped)}{kept}; kho / store {store_dir} có "
                   f"{report.documents} văn bản / documents"
                   + ("." if report.written else "; không thay đổi / left unchanged."))
    if not report.loaded and not report.cached:
        sys.exit(EXIT_NOTHING)
    sys.exit(EXIT_SKIPPED if report.skipped else EXIT_OK)


def _with_bar(run: Callable[[Callable[[int, int], None]], BuildReport]) -> BuildReport:
    from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        task = bar.add_task("Đọc văn bản / reading", total=None)
        return run(lambda done, total: bar.update(task, completed=done, total=total))


@click.command()
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="json", show_default=True,
              help="Định dạng xuất / export format: " + "; ".join(
                  f"{f.name}: {f.description}" for f in FORMATS.values()) + ".")
@click.option("-o", "--output", type=click.Path(), help="Tệp đích (mặc định: stdout; thư mục cho "
                                                        "neo4j-csv) / output file (a folder for neo4j-csv).")
@click.option("--base", help="Gốc IRI cho RDF / base of the RDF IRIs "
                             "(default https://w3id.org/cchc-graph/id/).")
@STORE_OPTION
def export(fmt: str, output: str | None, base: str | None, store_dir: str) -> None:
    """Xuất đồ thị / export the graph.

    The formats are listed under --format; -o names the file (stdout without it), or the
    folder for neo4j-csv.

    \b
    Example:
        cchc export --format turtle -o cchc.ttl
    """
    form = FORMATS[fmt]
    if form.folder and not output:
        raise click.UsageError(f"{fmt} cần -o THƯ_MỤC / needs -o FOLDER")
    store = Store(store_dir)
    try:
        opts = Options(base=base, version=store.graph_version)
        with store.streamed_export() as data:  # written as it is read: never held whole
            if form.write_folder is not None:
                click.echo(f"Đã ghi / wrote {output}; " + form.write_folder(data, Path(output), opts))
                return
            with _output(output) as out:
                form.write(data, out, opts)  # type: ignore[misc]
    except StoreError as e:
        fail(str(e), EXIT_STORE)
    except OSError as e:  # -o in a folder that does not exist, or that cannot be written
        fail(f"không ghi được / cannot write {output}: {e.strerror or e}", EXIT_USAGE)


def _output(path: str | None) -> ContextManager[BinaryIO]:
    """The file to write, or stdout."""
    return open(path, "wb") if path else nullcontext(sys.stdout.buffer)


@click.command()
@click.argument("query")
@STORE_OPTION
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Số dòng tối đa / most rows shown.")
@click.option("--timeout", default=Limits.timeout_s, show_default=True, type=click.FloatRange(0.1, 86_400),
              help="Thời hạn (giây), quá thì dừng truy vấn / stop the query after this many seconds.")
@click.option("--memory-mb", default=Limits.memory_mb, show_default=True, type=click.IntRange(64, 1_000_000),
              help="Bộ nhớ tối đa của truy vấn, ngoài đồ thị đã nạp / memory of the query above the "
                   "loaded graph (MB).")
@click.option("--json", "as_json", is_flag=True, help="Kết quả dạng SPARQL JSON / SPARQL JSON results.")
def sparql(query: str, store_dir: str, limit: int, timeout: float, memory_mb: int, as_json: bool) -> None:
    """Truy vấn SPARQL (chỉ đọc) / a read-only SPARQL query over the graph.

    SELECT and ASK; the prefixes cchc eli oa org prov skos dcterms xsd are declared. The
    mapping and example queries are in docs/rdf.md. The query runs in a worker process and is
    stopped at --timeout or --memory-mb, with a message naming the limit (loading the graph
    is not counted). Exit 0 with rows, 1 with none, 2 when the query is invalid or stopped at
    a limit, 3 store error.

    \b
    Example:
        cchc sparql --timeout 10 'SELECT ?task WHERE { ?a skos:prefLabel "Sở Nội vụ"@vi ; cchc:lead ?task }'
    """
    from cchc_graph.graph.exports import sparql as sq

    store = Store(store_dir)
    if not store.exists():
        fail(f"{store.root}: no graph store here; run `cchc build` first", EXIT_STORE)
    engine = sq.Engine(store.root, Limits(timeout, memory_mb, 1))
    try:
        answer = engine.run(query, limit)
    except sq.Unavailable as e:  # the worker could not load the store
        fail(f"SPARQL: {e}", EXIT_STORE)
    except sq.SparqlError as e:
        fail(f"SPARQL: {e}", EXIT_USAGE)
    finally:
        engine.close()
    if as_json:
        emit_json(sq.results_json(answer))
    elif answer.boolean is not None:
        click.echo("true" if answer.boolean else "false")
    else:
        from .render import console, table

        console().print(table(f"SPARQL: {len(answer.rows)} dòng / rows", answer.variables,
                              [["" if v is None else v for v in row] for row in answer.rows]))
    sys.exit(EXIT_OK if answer.boolean or answer.rows else EXIT_EMPTY)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ / bind address.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@STORE_OPTION
@click.option("--allow-upload", is_flag=True,
              help="Cho phép nạp văn bản qua POST /documents (cần mã) / enable uploads (needs a token).")
@click.option("--upload-token", envvar="CCHC_UPLOAD_TOKEN",
              help="Mã Bearer cho việc nạp / Bearer token for uploads (or CCHC_UPLOAD_TOKEN).")
@click.option("--max-upload-mb", default=20, show_default=True, type=click.IntRange(1, 1024),
              help="Cỡ tối đa một tệp nạp / largest upload (MB).")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Cho phép trang web này gọi API (CORS; mặc định: tắt) / let this site call the "
                   "API from a browser (repeatable; '*' for any; default: off).")
@click.option("--backend", type=click.Choice(["embedded", "neo4j"]), default="embedded", show_default=True,
              help="Nguồn trả lời / where answers come from: the store, or Neo4j (after `cchc neo4j push`).")
@click.option("--sparql-timeout", default=Limits.timeout_s, show_default=True,
              type=click.FloatRange(0.1, 3600),
              help="Thời hạn mỗi truy vấn SPARQL (giây; quá hạn: 504) / deadline of a SPARQL query (s).")
@click.option("--sparql-memory-mb", default=Limits.memory_mb, show_default=True,
              type=click.IntRange(64, 1_000_000),
              help="Bộ nhớ tối đa mỗi truy vấn SPARQL, ngoài đồ thị đã nạp (quá: 400) / memory of a "
                   "SPARQL query above the loaded graph (MB).")
@click.option("--sparql-queries", default=Limits.queries, show_default=True, type=click.IntRange(1, 64),
              help="Số truy vấn SPARQL cùng lúc (thêm: 503 + Retry-After) / SPARQL queries at once.")
@click.option("--max-requests", default=64, show_default=True, type=click.IntRange(1, 10_000),
              help="Số yêu cầu đang xử lý tối đa (thêm: 503 + Retry-After; /health luôn trả lời) / "
                   "requests in progress at once.")
@neo4j_options
def serve(host: str, port: int, store_dir: str, allow_upload: bool, upload_token: str | None,
          max_upload_mb: int, cors_origins: tuple[str, ...], backend: str, sparql_timeout: float,
          sparql_memory_mb: int, sparql_queries: int, max_requests: int, uri: str | None,
          user: str, password: str | None, database: str | None) -> None:
    """Chạy trình duyệt đồ thị và API / serve the graph browser and the HTTP API.

    The graph browser is at / (same filters as `cchc viz` as query parameters: ?focus=,
    ?document=, ?jurisdiction=, ?type=, ?role=), with a page per document, agency and metric
    under /pages/. The JSON API is described at /docs (OpenAPI).

    Read-only unless started with --allow-upload and a token; uploads then go to
    POST /documents?filename=NAME with the file as the body and "Authorization: Bearer TOKEN".

    With --backend neo4j the questions (documents, agencies, who leads, citations) are read
    from Neo4j with Cypher; whole-graph questions (audit, paths, cascades, search, pages),
    SPARQL and uploads answer 501 / are not mounted (docs/neo4j.md).

    Every SPARQL query runs in a worker process, killed at --sparql-timeout or
    --sparql-memory-mb (504 / 400); a few at once (--sparql-queries), and at most
    --max-requests requests in progress, past which the answer is 503 with Retry-After.
    SIGTERM or Ctrl-C stops the server within a few seconds, queries running or not.

    \b
    Example:
        cchc serve --store .cchc --port 8000 --sparql-timeout 10
    """
    from .app import create_app
    from .server import run

    if allow_upload and not upload_token:
        raise click.UsageError("--allow-upload cần --upload-token / needs --upload-token")
    if allow_upload and backend == "neo4j":
        raise click.UsageError("--allow-upload chỉ với kho nhúng / only with the embedded backend")
    neo4j = neo4j_target(uri, user, password, database) if backend == "neo4j" else None
    from neo4j.exceptions import DriverError, Neo4jError

    try:
        app = create_app(store_dir, upload_token if allow_upload else None, max_upload_mb * 1024 * 1024,
                         cors_origins, neo4j=neo4j, max_requests=max_requests,
                         sparql_limits=Limits(sparql_timeout, sparql_memory_mb, sparql_queries))
    except StoreError as e:
        fail(str(e), EXIT_STORE)
    except (DriverError, Neo4jError, LookupError) as e:  # unreachable, bad credentials, nothing pushed
        fail(f"{neo4j.uri if neo4j else store_dir}: {type(e).__name__}: {e}", EXIT_STORE)
    run(app, host, port)
