"""Hostile SPARQL against a real `cchc serve`: each query stopped at its limit, the server idle
and small afterwards, health answered meanwhile, a bound on queries and requests at once, and
SIGTERM / Ctrl-C honoured with a query running. Short limits keep it fast."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from api.cli import cli

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S, MEMORY_MB = 2.0, 512
SLACK_S = 3.0  # answer, kill and reap after the deadline, on a shared 2-core machine
HOSTILE = {  # each one would run for minutes, or grow without end, on the five seeds
    "order-by-cross-product": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f",
    "count-three-way-product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "filter-nothing-limit-1": "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f "
                              "FILTER(CONTAINS(CONCAT(STR(?c), STR(?f)), 'zzzz')) } LIMIT 1",
    "group-concat-product": "SELECT (GROUP_CONCAT(?c) AS ?all) WHERE { ?a ?b ?c . ?d ?e ?f }",
}


def _children(pid: int) -> list[int]:
    """Children of every thread of a process (the worker is started from a thread)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


def _running(pid: int) -> bool:
    """Alive and not a zombie (one whose parent died waits for init to reap it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(x.split()[1]) for x in f if x.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total / 1024


def _cpu_s(pids: list[int]) -> float:
    ticks = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def _start(store: Path, *options: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--store", str(store), "--port", str(port),
                             *options], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:  # up once SPARQL answers (its worker loads the graph in the background)
            if httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, "the server exited at start"
        time.sleep(0.2)
    proc.kill()
    raise AssertionError("the server did not start")


def _worker(proc: subprocess.Popen) -> int:
    (pid,) = _children(proc.pid)  # the SPARQL worker; its children are the queries running
    return pid


def _in_background(fn) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def go() -> None:
        t0 = time.monotonic()
        out["response"] = fn()
        out["seconds"] = time.monotonic() - t0

    t = threading.Thread(target=go, daemon=True)
    t.start()
    return t, out


def _sparql(base: str, query: str, timeout: float = 60) -> httpx.Response:
    return httpx.get(f"{base}/sparql", params={"query": query}, timeout=timeout)


@pytest.fixture(scope="module")
def server(seed_store: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    proc, base = _start(seed_store, "--sparql-timeout", str(TIMEOUT_S), "--sparql-memory-mb", str(MEMORY_MB),
                        "--sparql-queries", "1")
    yield proc, base
    proc.terminate()
    proc.wait(10)


@pytest.mark.parametrize("query", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_query_is_stopped_at_its_limit_and_the_server_is_idle_after(server, query: str) -> None:
    proc, base = server
    worker = _worker(proc)
    rss_before = _rss_mb(_tree(proc.pid))
    thread, out = _in_background(lambda: _sparql(base, query))
    health = []
    while thread.is_alive():
        t0 = time.monotonic()
        status = httpx.get(f"{base}/health", timeout=5).status_code
        health.append((status, time.monotonic() - t0))
        time.sleep(0.1)
    thread.join()
    r = out["response"]
    detail = r.json()["detail"]
    assert r.status_code in (504, 400), r.text
    assert f"{TIMEOUT_S:g} s deadline" in detail or f"{MEMORY_MB} MB memory limit" in detail, detail
    assert (r.status_code == 504) == ("deadline" in detail)
    assert out["seconds"] < TIMEOUT_S + SLACK_S
    assert len(health) >= 2 and all(s == 200 for s, _ in health)
    assert max(t for _, t in health) < 1.0, health  # answered during the query, not after it
    assert _children(worker) == []  # nothing left computing
    cpu = _cpu_s(_tree(proc.pid))
    time.sleep(1.0)
    assert _cpu_s(_tree(proc.pid)) - cpu < 0.3  # idle: no core kept busy
    assert _rss_mb(_tree(proc.pid)) < rss_before + 50  # the query's memory went with its process


def test_queries_past_the_bound_get_503_with_retry_after(server) -> None:
    _, base = server
    thread, out = _in_background(lambda: _sparql(base, HOSTILE["count-three-way-product"]))
    time.sleep(0.5)
    t0 = time.monotonic()
    second = _sparql(base, "ASK { ?s ?p ?o }")
    assert time.monotonic() - t0 < 1.0
    assert second.status_code == 503 and int(second.headers["retry-after"]) >= 1, second.text
    thread.join()
    assert out["response"].status_code == 504
    assert _sparql(base, "ASK { ?s ?p ?o }").json() == {"head": {}, "boolean": True}  # the slot is free


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_server_stops_at_once_with_a_query_running(seed_store: Path, sig: signal.Signals) -> None:
    """Also: past --max-requests the API answers 503 with Retry-After, health still 200."""
    proc, base = _start(seed_store, "--sparql-timeout", "120", "--max-requests", "1")
    try:
        _stop_with_a_query_running(proc, base, sig)
    finally:
        if proc.poll() is None:
            proc.kill()


def _stop_with_a_query_running(proc: subprocess.Popen, base: str, sig: signal.Signals) -> None:
    thread, out = _in_background(lambda: _sparql(base, HOSTILE["count-three-way-product"], timeout=120))
    time.sleep(1.0)
    pids = _tree(proc.pid)
    assert len(pids) == 3, pids  # the server, the SPARQL worker, the query
    busy = httpx.get(f"{base}/documents", timeout=5)
    assert busy.status_code == 503 and busy.headers["retry-after"] == "1", busy.text
    assert httpx.get(f"{base}/health", timeout=5).status_code == 200
    t0 = time.monotonic()
    proc.send_signal(sig)
    proc.wait(15)
    assert time.monotonic() - t0 < 8.0
    thread.join(5)
    assert not thread.is_alive()
    assert out["response"].status_code == 503  # told, not left hanging
    time.sleep(0.2)
    assert [p for p in pids if _running(p)] == []


def test_cli_query_is_stopped_at_its_deadline(seed_store: Path) -> None:
    t0 = time.monotonic()
    r = CliRunner().invoke(cli, ["sparql", "--store", str(seed_store), "--timeout", "1.5",
                                 HOSTILE["count-three-way-product"]])
    assert r.exit_code == 2 and "1.5 s deadline" in r.output, r.output
    assert time.monotonic() - t0 < 1.5 + 10  # the worker's start and the graph's load come first


def test_sigterm_during_an_upload_leaves_a_readable_store(seed_store: Path, tmp_path: Path) -> None:
    """The upload's build is cut or finished, never half-written: the previous graph or the new."""
    import shutil

    from graph.store import Store

    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    before = len(Store(store).load_export()["documents"])
    plan = next(p for p in sorted((ROOT / "examples").iterdir()) if p.suffix in (".txt", ".md"))
    proc, base = _start(store, "--allow-upload", env={"CCHC_UPLOAD_TOKEN": "shutdown-test-token"})
    try:
        thread, _ = _in_background(lambda: httpx.post(
            f"{base}/documents", params={"filename": "ke-hoach-nap.txt"}, content=plan.read_bytes(),
            headers={"Authorization": "Bearer shutdown-test-token"}, timeout=60))
        time.sleep(0.3)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        assert time.monotonic() - t0 < 8.0
        thread.join(5)
    finally:
        if proc.poll() is None:
            proc.kill()
    after = Store(store).load_export()["documents"]
    assert len(after) in (before, before + 1)
