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

``--rebuild CORPUS STORE`` measures only the one-document rebuild over an existing corpus and
its built store (edited in place, restored), with where the in-process time goes (cProfile's
cumulative seconds of the build's phases, ``PHASES``), and the build's main-process CPU.
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

# the build's phases whose cumulative time the rebuild's profile reports (module:function)
PHASES = ("build.py:_read_sources", "build.py:_extract", "build.py:input_files", "build.py:_cached",
          "write.py:document", "write.py:finish", "write.py:_link", "write.py:_link_all",
          "linking.py:link", "relink.py:sync_linked", "delta.py:relink", "delta.py:_resolve",
          "resolve.py:resolve_all", "resolve.py:__init__", "delta.py:_reference", "delta.py:_agencies",
          "delta.py:_apply", "delta.py:_edges", "database.py:sync_linked_names", "findings.py:refresh",
          "findings.py:_plan", "findings.py:_write", "findings.py:_count",
          "{method 'execute' of 'sqlite3.Connection' objects}", "{orjson.loads}", "{orjson.dumps}")
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


def profile_rebuild(corpus: Path, store: Path) -> dict[str, Any]:
    """The one-document rebuild in-process under cProfile: each phase's cumulative seconds
    (median over the four rebuilds of ``_one_document``'s edits) and the process CPU."""
    import cProfile
    import pstats

    from cchc_graph.graph.store.build import Store

    victim = sorted(corpus.iterdir())[len(list(corpus.iterdir())) // 2]
    original = victim.read_bytes()
    phases: dict[str, list[float]] = {k: [] for k in PHASES}
    cpu, walls = [], []
    try:
        for content in (original + LINE, original, original + LINE, original):
            victim.write_bytes(content)
            prof = cProfile.Profile()
            c0, t0 = time.process_time(), time.perf_counter()
            prof.enable()
            assert len(Store(store).build([corpus]).loaded) == 1
            prof.disable()
            cpu.append(time.process_time() - c0)
            walls.append(time.perf_counter() - t0)
            stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
            for key, (_, _, _, cum, _) in stats.items():
                label = pstats.func_std_string(key)  # type: ignore[attr-defined]
                for k in PHASES:
                    if k in (label, f"{Path(key[0]).name}:{key[2]}"):
                        phases[k].append(cum)
    finally:
        victim.write_bytes(original)
    return {"one_document_profiled_s": statistics.median(walls), "one_document_cpu_s": statistics.median(cpu),
            "phases_s": {k: statistics.median(v) for k, v in phases.items() if v}}


def build_cpu(corpus: Path, work: Path, top: int = 0) -> dict[str, Any]:
    """A fresh build of ``corpus`` in-process: CPU seconds of the build's own process and of its
    extraction workers (``resource``: the workers are waited for when the pool closes), wall,
    and the tail: the seconds after the last document was written (linking, indexes, the
    audit's findings, the compaction), when extraction no longer keeps the cores busy;
    ``top``: print the main process's ``top`` functions by own time (cProfile, which only
    sees this process)."""
    import cProfile
    import pstats
    import resource
    import shutil

    from cchc_graph.graph.store.build import Store

    store = work / "store-build-cpu"
    shutil.rmtree(store, ignore_errors=True)
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    prof = cProfile.Profile() if top else None
    written: list[float] = []  # when the last document was written (the progress's last call)

    def progress(done: int, total: int) -> None:
        if done == total:
            written.append(time.perf_counter())

    t0 = time.perf_counter()
    if prof:
        prof.enable()
    Store(store).build([corpus], progress=progress)
    if prof:
        prof.disable()
    end = time.perf_counter()
    wall = end - t0
    me2, kids2 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    if prof:
        pstats.Stats(prof).sort_stats("tottime").print_stats(top)
    shutil.rmtree(store, ignore_errors=True)
    return {"build_wall_s": wall, "build_main_cpu_s": me2.ru_utime + me2.ru_stime - me.ru_utime - me.ru_stime,
            "build_workers_cpu_s": kids2.ru_utime + kids2.ru_stime - kids.ru_utime - kids.ru_stime,
            "build_tail_s": end - written[-1] if written else None}


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


def _rebuild_only(corpus: Path, store: Path, out: Path | None) -> None:
    """``--rebuild``: the one-document rebuild of a built store, profiled."""
    walls, inproc = _one_document(corpus, store, CLI)
    r = {"one_document_cli_s": statistics.median(walls), "one_document_cli_runs_s": walls,
         "one_document_s": statistics.median(inproc), "one_document_runs_s": inproc,
         **profile_rebuild(corpus, store)}
    print(f"one-document rebuild: {r['one_document_cli_s']:.2f} s from the CLI "
          f"({', '.join(f'{x:.2f}' for x in walls)}), {r['one_document_s']:.2f} s in-process "
          f"({', '.join(f'{x:.2f}' for x in inproc)}); profiled {r['one_document_profiled_s']:.2f} s, "
          f"CPU {r['one_document_cpu_s']:.2f} s")
    for k, v in r["phases_s"].items():
        print(f"  {k:<60} {v:6.3f} s")
    if out:
        out.write_text(json.dumps(r, indent=1), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[1000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("/tmp/cchc-bench"))
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--rebuild", type=Path, nargs=2, metavar=("CORPUS", "STORE"),
                    help="only the one-document rebuild of this corpus's built store, profiled")
    ap.add_argument("--build-cpu", type=Path, metavar="CORPUS",
                    help="only a fresh build of this corpus in-process: CPU of the build and its workers")
    ap.add_argument("--top", type=int, default=0, help="with --build-cpu: profile the build's process")
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
    if a.build_cpu:
        r = build_cpu(a.build_cpu, a.work, a.top)
        print(f"build {r['build_wall_s']:.1f} s: CPU of the build {r['build_main_cpu_s']:.2f} s, of its "
              f"workers {r['build_workers_cpu_s']:.2f} s; after the last document {r['build_tail_s']:.2f} s")
        return
    if a.rebuild:
        _rebuild_only(*a.rebuild, a.json)
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
