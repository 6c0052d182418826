"""National-scale benchmark: generate a corpus, build it, change one document, load, ask.

One command, per corpus size: build throughput (documents/s, MB/s) with both cores, peak RSS
of the build (its process tree, sampled), store size, store load time, one-document
incremental rebuild time, p50/p95 of every question, the time to draw a focused HTML view, the
default graph page's size and first-draw time in headless Chromium (benchmarks/viz_browser.py),
and the floor — one pass of NFC + lowercase + a citation regex over the same bytes — with the
ratio build / floor. Prints a table and writes the figures as JSON.

    python benchmarks/scale.py --docs 1000 10000 --json benchmarks/results.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import generate  # noqa: E402

# the floor's pattern: a document number after its type word, as citations are written
PAGE = 50  # the API's default page
FLOOR_RX = re.compile(r"(?:nghị quyết|nghị định|quyết định|kế hoạch|chỉ thị|kết luận|thông tư)\s+số\s+"
                      r"[0-9]+[a-zđ]?(?:/[0-9]{4})?[/-][a-zđ0-9-]+(?:/[a-zđ0-9]+)?")


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and its children, in bytes (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(x.split()[1]) for x in f if x.startswith("VmRSS:")) * 1024
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except (OSError, StopIteration):
            continue
    return total


def run_measured(cmd: list[str]) -> tuple[float, int, str]:
    """Wall time, peak RSS of the process tree (sampled every 0.1 s), output."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak, out = 0, []
    reader = threading.Thread(target=lambda: out.extend(proc.stdout), daemon=True)
    reader.start()

    def sample() -> None:
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.1)

    # the wall time from the process's end, not from the sampler's next wake (it was rounded
    # up to the 0.1 s the sampler slept: a 0.44 s command measured 0.51)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    proc.wait()
    wall = time.perf_counter() - t0
    reader.join()
    sampler.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{''.join(out)[-2000:]}")
    return wall, peak, "".join(out)


def floor_pass(corpus: Path) -> float:
    t0 = time.perf_counter()
    hits = 0
    for f in sorted(corpus.iterdir()):
        text = unicodedata.normalize("NFC", f.read_bytes().decode("utf-8")).lower()
        hits += len(FLOOR_RX.findall(text))
        text.split("\n")
    return time.perf_counter() - t0


def _latency(store: Path, fn: Any, args: list[tuple], repeat: int) -> dict[str, float]:
    """One-shot: each call opens the store's database afresh (what a CLI command does, without
    the interpreter's start and imports) and reads its first page; p50/p95 over ``repeat``
    rounds of every argument. Warm, a server's calls (one open database, a snapshot each):
    each argument once, new to it, then ``repeat`` rounds again (as paging asks again)."""
    from cchc_graph.library import open_store

    def ask(database: Any, a: tuple) -> float:
        t0 = time.perf_counter()
        with database.snapshot() as c, contextlib.suppress(LookupError):  # a sample name absent here
            answer = fn(c, *a)
            if isinstance(answer, Sequence):
                answer[:PAGE]  # what the API and a screen show: large answers are built when read
        return (time.perf_counter() - t0) * 1000

    def stats(times: list[float]) -> tuple[float, float]:
        times = sorted(times)
        return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]

    one_shot = []
    for _ in range(repeat):
        for a in args:
            t0 = time.perf_counter()
            database = open_store(store)
            ask(database, a)
            database.close()
            one_shot.append((time.perf_counter() - t0) * 1000)
    database = open_store(store)
    new = [ask(database, a) for a in args]  # each question new to the server: its SQL, warm connections
    again = [ask(database, a) for _ in range(repeat) for a in args]  # asked again (paging): keys kept
    database.close()
    (o50, o95), (a50, a95) = stats(one_shot), stats(again)
    return {"one_shot_p50_ms": o50, "one_shot_p95_ms": o95, "new_p50_ms": statistics.median(new),
            "new_max_ms": max(new), "p50_ms": a50, "p95_ms": a95, "calls": len(again)}


def questions(store: Path) -> tuple[list[float], dict[str, dict[str, float]], float]:
    """Open times (three: the first may read from disk), latency per question (one-shot and
    warm), focused-view HTML time."""
    from cchc_graph.library import open_store
    from cchc_graph.visualizations.html import graph_html
    from cchc_graph.visualizations.view import ViewSpec, select

    loads = []
    for _ in range(3):
        t0 = time.perf_counter()
        open_store(store).close()
        loads.append(time.perf_counter() - t0)
    with open_store(store).snapshot() as c:
        table = question_table(c)
        aid = table["agency_profile"][1][0][0]
    lat = {name: _latency(store, fn, args, repeat=5) for name, (fn, args) in table.items()}
    t2 = time.perf_counter()
    with open_store(store).snapshot() as c:
        graph_html(select(c, ViewSpec(focus=aid, depth=2)))
    return loads, lat, time.perf_counter() - t2


def question_table(c: Any) -> dict[str, tuple[Any, list[tuple]]]:
    """Every question's function and the arguments it is asked with on this store's snapshot
    (documents sampled across it, common agency names, numbers and phrases)."""
    from cchc_graph.graph.questions import audit, cascade, planning, queries, trace

    docs = sorted(c.documents)
    metric = next(iter(cascade.metrics(c))).key if len(c.targets) else ""
    aid = next(iter(c.agencies))
    sample = docs[:: max(1, len(docs) // 10)][:10]
    agencies = ["Sở Nội vụ", "Phòng Tư pháp", "Sở Thông tin và Truyền thông", "công chức Tư pháp - Hộ tịch"]
    numbers = ["45/2020/NĐ-CP", "76/NQ-CP", "61/2018/NĐ-CP"]
    return {
        "who_leads": (queries.who_leads, [("tuyên truyền",), ("số hóa hồ sơ",), ("kiem soat thu tuc",)]),
        "agency_roles": (queries.agency_roles, [(a,) for a in agencies]),
        "agency_profile": (queries.agency_profile, [(aid,)]),
        "search": (queries.search, [("một cửa",), ("45/2020",)]),
        "cites": (trace.cites, [(d, 2) for d in sample]),
        "cited_by": (trace.cited_by, [(n, 2) for n in numbers]),
        "dependencies": (trace.dependencies, [(d, 1) for d in sample[:3]]),
        "path": (trace.path, [(sample[0], sample[-1])]),
        "cascade": (cascade.cascade, [(d,) for d in sample]),
        "compare": (cascade.compare, [(metric,)]),
        "audit": (audit.audit, [()]),
        "matrix": (planning.responsibility_matrix, [(d,) for d in sample[:3]]),
        "calendar": (planning.deadlines, [(d,) for d in sample[:3]]),
    }


CLI = [sys.executable, "-m", "cchc_graph.api.cli"]


def prepared(n: int, work: Path, seed: int) -> tuple[Path, Path, int]:
    """The generated corpus of ``n`` documents (made once per work folder), an empty store
    folder beside it, and the corpus's bytes."""
    corpus, store = work / f"corpus-{n}", work / f"store-{n}"
    if not corpus.exists():
        generate(corpus, n, seed)
    shutil.rmtree(store, ignore_errors=True)
    return corpus, store, sum(f.stat().st_size for f in corpus.iterdir())


def measure(n: int, work: Path, seed: int) -> dict[str, Any]:
    corpus, store, size = prepared(n, work, seed)
    cchc = CLI
    floor = floor_pass(corpus)
    wall, peak, _ = run_measured([*cchc, "build", str(corpus), "--store", str(store)])
    incs, inc_peak = [], 0
    files = sorted(corpus.iterdir())
    for victim in (files[n // 2], files[n // 3]):  # each changed, rebuilt, changed back, rebuilt
        original = victim.read_bytes()
        changed = original + "\n- Bổ sung: rà soát lại danh mục thủ tục hành chính.\n".encode()
        try:
            for content in (changed, original):
                victim.write_bytes(content)
                wall_inc, peak_inc, out = run_measured([*cchc, "build", str(corpus), "--store", str(store),
                                                        "--json"])
                report = json.loads(out[out.index("{"):])
                assert len(report["loaded"]) == 1, report["loaded"]
                incs.append(wall_inc)
                inc_peak = max(inc_peak, peak_inc)
        finally:
            victim.write_bytes(original)
    inc = statistics.median(incs)
    store_bytes = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    loads, lat, html = questions(store)
    from viz_browser import page_figures  # the default `cchc viz` page, drawn in Chromium

    page = page_figures(store)
    return {"documents": n, "corpus_mb": size / 1e6, "build_s": wall, "docs_per_s": n / wall,
            "mb_per_s": size / 1e6 / wall, "peak_rss_mb": peak / 1e6, "store_mb": store_bytes / 1e6,
            "incremental_s": inc, "incremental_runs_s": incs, "incremental_peak_rss_mb": inc_peak / 1e6,
            "load_s": statistics.median(loads), "load_runs_s": loads,
            "floor_s": floor, "build_over_floor": wall / floor, "focused_html_s": html, **page,
            "queries": lat}


def print_latencies(lat: dict[str, dict[str, float]]) -> None:
    print(f"  {'question':<16} {'one-shot p50':>13} {'p95 ms':>8} {'warm new p50':>13} {'max ms':>8} "
          f"{'again p50':>10} {'p95 ms':>8}")
    for name, q in lat.items():
        print(f"  {name:<16} {q['one_shot_p50_ms']:>13.1f} {q['one_shot_p95_ms']:>8.1f} "
              f"{q['new_p50_ms']:>13.1f} {q['new_max_ms']:>8.1f} {q['p50_ms']:>10.1f} {q['p95_ms']:>8.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, nargs="+", default=[1000])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("/tmp/cchc-bench"))
    ap.add_argument("--json", type=Path, help="write the figures here")
    ap.add_argument("--questions", type=Path, metavar="STORE",
                    help="only the questions' latencies, over this built store")
    a = ap.parse_args()
    if a.questions:
        loads, lat, html = questions(a.questions)
        print(f"open {statistics.median(loads) * 1000:.1f} ms, focused view {html:.2f} s")
        print_latencies(lat)
        return
    a.work.mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)
    machine = {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
               "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)}
    results = []
    for n in a.docs:
        r = measure(n, a.work, a.seed)
        results.append(r)
        print(f"\n{n} documents ({r['corpus_mb']:.0f} MB): build {r['build_s']:.1f} s "
              f"({r['docs_per_s']:.0f} docs/s, {r['mb_per_s']:.1f} MB/s, floor {r['floor_s']:.2f} s, "
              f"×{r['build_over_floor']:.0f}), peak RSS {r['peak_rss_mb']:.0f} MB, "
              f"store {r['store_mb']:.0f} MB, "
              f"one-document rebuild {r['incremental_s']:.2f} s (median of "
              f"{', '.join(f'{x:.2f}' for x in r['incremental_runs_s'])}), load {r['load_s']:.2f} s "
              f"(median of {', '.join(f'{x:.2f}' for x in r['load_runs_s'])}), "
              f"focused view {r['focused_html_s']:.2f} s")
        draw = "no chromium" if r["first_draw_s"] is None else f"first draw {r['first_draw_s']:.2f} s"
        print(f"  default page (cchc viz): {r['page_nodes']} nodes, {r['page_edges']} edges, "
              f"{r['page_mb']:.2f} MB in {r['page_s']:.1f} s; {draw} (headless Chromium)")
        print_latencies(r["queries"])
    if a.json:
        a.json.write_text(json.dumps({"machine": machine, "results": results}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
