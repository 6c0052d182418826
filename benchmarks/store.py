"""The SQLite store at scale: full build, one-document rebuild, size on disk, read_export.

Per corpus size (``benchmarks/synth.py``, seed 7): ``cchc build`` into a new store (wall time
and peak RSS of the process tree), the one-document rebuild (a line appended to one file,
then taken back: ``cchc build`` again, as a user runs it, and the same in-process, without the
interpreter's start), the store's size on disk against the corpus bytes (and its largest
tables), and the time to read the whole export back (``Store.read_export``). Prints a table
and writes the figures as JSON. ``--sizes STORE`` prints only an existing store's size, per
table and index (SQLite's ``dbstat``).

    python benchmarks/store.py --docs 1000 10000 --json benchmarks/store.json
    python benchmarks/store.py --sizes /tmp/cchc-bench/store-10000 [--read-export]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale import CLI, prepared, run_measured  # noqa: E402

LINE = "\n- Bổ sung: rà soát lại danh mục thủ tục hành chính.\n".encode()


def _sizes(store: Path) -> tuple[int, dict[str, float]]:
    """Bytes of the store's files, and the MB of each table and index, largest first."""
    total = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    # read as an immutable file: no journal files made beside it (the store may be another's)
    conn = sqlite3.connect(f"{(store / 'cchc.sqlite').resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        top = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    except sqlite3.OperationalError:  # SQLite built without dbstat
        top = []
    finally:
        conn.close()
    return total, {name: size / 1e6 for name, size in top}


def _one_document(corpus: Path, store: Path, cli: list[str]) -> tuple[list[float], list[float]]:
    """One file changed and changed back, rebuilt each time: CLI walls, in-process walls."""
    from cchc_graph.graph.store.build import Store

    files = sorted(corpus.iterdir())
    walls, inproc = [], []
    for victim in (files[len(files) // 2], files[len(files) // 3]):
        original = victim.read_bytes()
        try:
            for content in (original + LINE, original):
                victim.write_bytes(content)
                wall, _, out = run_measured([*cli, "build", str(corpus), "--store", str(store), "--json"])
                assert len(json.loads(out[out.index("{"):])["loaded"]) == 1
                walls.append(wall)
            for content in (original + LINE, original):
                victim.write_bytes(content)
                t0 = time.perf_counter()
                assert len(Store(store).build([corpus]).loaded) == 1
                inproc.append(time.perf_counter() - t0)
        finally:
            victim.write_bytes(original)
    return walls, inproc


def measure(n: int, work: Path, seed: int) -> dict[str, Any]:
    from cchc_graph.graph.store.build import Store

    corpus, store, size = prepared(n, work, seed)
    cli = CLI
    build, peak, _ = run_measured([*cli, "build", str(corpus), "--store", str(store)])
    store_bytes, tables = _sizes(store)
    walls, inproc = _one_document(corpus, store, cli)
    reads = []
    for _ in range(3):
        t0 = time.perf_counter()
        Store(store).read_export()
        reads.append(time.perf_counter() - t0)
    return {"documents": n, "corpus_mb": size / 1e6, "build_s": build, "peak_rss_mb": peak / 1e6,
            "store_mb": store_bytes / 1e6, "store_over_corpus": store_bytes / size, "largest_mb": tables,
            "one_document_cli_s": statistics.median(walls), "one_document_cli_runs_s": walls,
            "one_document_s": statistics.median(inproc), "one_document_runs_s": inproc,
            "read_export_s": statistics.median(reads), "read_export_runs_s": reads}


def _time_read_export(store: Path) -> None:
    from cchc_graph.graph.store.build import Store

    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        Store(store).read_export()
        print(f"  read_export {time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU")


def _print_sizes(tables: dict[str, float]) -> None:
    print("  by table and index (MB): " + ", ".join(f"{k} {v:.1f}" for k, v in tables.items() if v >= 0.05))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[1000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("/tmp/cchc-bench"))
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--sizes", type=Path, metavar="STORE", help="only print this store's size")
    ap.add_argument("--read-export", action="store_true", help="with --sizes: time read_export (3 runs)")
    a = ap.parse_args()
    if a.sizes:
        total, tables = _sizes(a.sizes)
        print(f"{a.sizes}: {total / 1e6:.1f} MB")
        _print_sizes(tables)
        if a.read_export:
            _time_read_export(a.sizes)
        return
    a.work.mkdir(parents=True, exist_ok=True)
    results = []
    for n in a.docs:
        r = measure(n, a.work, a.seed)
        results.append(r)
        print(f"\n{n} documents ({r['corpus_mb']:.1f} MB): build {r['build_s']:.1f} s, peak RSS "
              f"{r['peak_rss_mb']:.0f} MB; store {r['store_mb']:.0f} MB (×{r['store_over_corpus']:.1f} the "
              f"corpus); one-document rebuild {r['one_document_cli_s']:.2f} s from the CLI "
              f"({', '.join(f'{x:.2f}' for x in r['one_document_cli_runs_s'])}), "
              f"{r['one_document_s']:.2f} s in-process; read_export {r['read_export_s']:.2f} s")
        _print_sizes(r["largest_mb"])
    if a.json:
        a.json.write_text(json.dumps({"results": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
