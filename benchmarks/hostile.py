"""Hostile SPARQL against a real `cchc serve`: what each query gets, how long, and the server after.

Starts the server on a store (never changed) with the given limits, waits until SPARQL
answers (the worker writes and loads the graph), then for each hostile query: the status,
the time to the answer, the slowest /health answered meanwhile, and afterwards the queries
left running, the process tree's RSS and its CPU over the next second. Last, a query is
left running and SIGTERM sent: the time until the server has stopped. Prints a table;
``--json`` writes the figures. tests/test_sparql_limits.py runs the same checks, short.

    python benchmarks/hostile.py --store .cchc --timeout 30 --memory-mb 4096
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = {  # each one runs for minutes, or grows without end, even on the five seeds
    "order-by-cross-product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "count-three-way-product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "filter-nothing-limit-1": "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f "
                              "FILTER(CONTAINS(CONCAT(STR(?c), STR(?f)), 'zzzz')) } LIMIT 1",
    "group-concat-product": "SELECT (GROUP_CONCAT(?c) AS ?all) WHERE { ?a ?b ?c . ?d ?e ?f }",
}


def children(pid: int) -> list[int]:
    """Children of every thread of a process (the SPARQL worker is started from a thread)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += children(p)
    return pids


def running(pid: int) -> bool:
    """Alive and not a zombie (one whose parent died waits for init to reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def rss_mb(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(x.split()[1]) for x in f if x.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


def cpu_s(pids: list[int]) -> float:
    ticks = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def start(store: Path, *options: str, env: dict | None = None,
          wait_s: float = 60) -> tuple[subprocess.Popen, str]:
    """`cchc serve` on a free port, returned once SPARQL answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "cchc_graph.api.cli", "serve", "--store", str(store), "--port", str(port),
           *options]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=60).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the server exited at start")
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"SPARQL did not answer within {wait_s:g} s")


def in_background(fn: Callable[[], httpx.Response]) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def go() -> None:
        t0 = time.monotonic()
        try:
            out["response"] = fn()
        except httpx.HTTPError as e:
            out["error"] = type(e).__name__
        out["seconds"] = time.monotonic() - t0

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t, out


def sparql(base: str, query: str, timeout: float = 600) -> httpx.Response:
    return httpx.get(f"{base}/sparql", params={"query": query}, timeout=timeout)


def probe(proc: subprocess.Popen, base: str, query: str) -> dict:
    """One hostile query: its answer, health meanwhile, and the server after it."""
    rss_before = rss_mb(tree(proc.pid))
    thread, out = in_background(lambda: sparql(base, query))
    health = []
    while thread.is_alive():
        t0 = time.monotonic()
        status = httpx.get(f"{base}/health", timeout=10).status_code
        health.append((status, time.monotonic() - t0))
        time.sleep(0.1)
    thread.join()
    r = out["response"]
    gone = time.monotonic()  # a killed query of gigabytes takes a moment to be torn down
    while (left := [c for w in children(proc.pid) for c in children(w)]) and time.monotonic() < gone + 5:
        time.sleep(0.05)
    gone = time.monotonic() - gone
    cpu = cpu_s(tree(proc.pid))
    time.sleep(1.0)
    return {"status": r.status_code, "detail": r.json().get("detail"), "seconds": round(out["seconds"], 2),
            "health": [s for s, _ in health], "slowest_health_s": round(max(t for _, t in health), 3),
            "queries_left": left, "queries_gone_after_s": round(gone, 2),
            "cpu_next_second_s": round(cpu_s(tree(proc.pid)) - cpu, 2),
            "rss_before_mb": round(rss_before), "rss_after_mb": round(rss_mb(tree(proc.pid)))}


def stop_with_a_query_running(proc: subprocess.Popen, base: str, sig: int = signal.SIGTERM) -> dict:
    thread, out = in_background(lambda: sparql(base, HOSTILE["count-three-way-product"]))
    time.sleep(1.0)
    pids = tree(proc.pid)
    t0 = time.monotonic()
    proc.send_signal(sig)
    proc.wait(60)
    stopped = time.monotonic() - t0
    thread.join(10)
    time.sleep(0.2)
    r = out.get("response")
    return {"processes_before": len(pids), "stop_s": round(stopped, 2), "query_status": r and r.status_code,
            "left_running": [p for p in pids if running(p)]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--memory-mb", type=int, default=4096)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    t0 = time.monotonic()
    proc, base = start(a.store, "--sparql-timeout", str(a.timeout), "--sparql-memory-mb", str(a.memory_mb),
                       wait_s=3600)
    figures: dict = {"sparql_ready_s": round(time.monotonic() - t0, 1),
                     "rss_idle_mb": round(rss_mb(tree(proc.pid)))}
    print(f"SPARQL ready after {figures['sparql_ready_s']} s; server and worker {figures['rss_idle_mb']} MB")
    try:
        for name, query in HOSTILE.items():
            figures[name] = f = probe(proc, base, query)
            print(f"{name:<26} {f['status']} in {f['seconds']:6.2f} s; health {len(f['health'])}× "
                  f"(slowest {f['slowest_health_s']} s); after: {len(f['queries_left'])} left "
                  f"({f['queries_gone_after_s']} s), "
                  f"CPU {f['cpu_next_second_s']} s/s, RSS {f['rss_before_mb']} -> {f['rss_after_mb']} MB; "
                  f"{f['detail']}", flush=True)
        figures["sigterm"] = f = stop_with_a_query_running(proc, base)
        print(f"SIGTERM with a query running: stopped in {f['stop_s']} s, the query got {f['query_status']}, "
              f"{len(f['left_running'])} of {f['processes_before']} processes left")
    finally:
        if proc.poll() is None:
            proc.kill()
    if a.json:
        a.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
