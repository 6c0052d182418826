"""Hostile SPARQL against a real `cchc serve`: each query stopped at its limit, the server idle
and small afterwards, health answered meanwhile, a bound on queries and requests at once, and
SIGTERM / Ctrl-C honoured with a query running. Short limits keep it fast."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cchc_graph.api.cli import cli
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from hostile import HOSTILE, in_background, probe, running, sparql, start, tree  # noqa: E402

TIMEOUT_S, MEMORY_MB = 2.0, 512
SLACK_S = 3.0  # answer, kill and reap after the deadline, on a shared 2-core machine


@pytest.fixture(scope="module")
def server(seed_store: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    proc, base = start(seed_store, "--sparql-timeout", str(TIMEOUT_S), "--sparql-memory-mb", str(MEMORY_MB),
                        "--sparql-queries", "1")
    yield proc, base
    proc.terminate()
    proc.wait(10)


@pytest.mark.parametrize("query", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_query_is_stopped_at_its_limit_and_the_server_is_idle_after(server, query: str) -> None:
    proc, base = server
    f = probe(proc, base, query)
    assert f["status"] in (504, 400), f
    assert f"{TIMEOUT_S:g} s deadline" in f["detail"] or f"{MEMORY_MB} MB memory limit" in f["detail"], f
    assert (f["status"] == 504) == ("deadline" in f["detail"])
    assert f["seconds"] < TIMEOUT_S + SLACK_S
    assert len(f["health"]) >= 2 and set(f["health"]) == {200}
    assert f["slowest_health_s"] < 1.0, f  # answered during the query, not after it
    assert f["queries_left"] == [] and f["queries_gone_after_s"] < 1.0, f  # nothing left computing
    assert f["cpu_next_second_s"] < 0.3, f  # idle: no core kept busy
    assert f["rss_after_mb"] < f["rss_before_mb"] + 50, f  # the query's memory went with its process


def test_queries_past_the_bound_get_503_with_retry_after(server) -> None:
    _, base = server
    thread, out = in_background(lambda: sparql(base, HOSTILE["count-three-way-product"]))
    time.sleep(0.5)
    t0 = time.monotonic()
    second = sparql(base, "ASK { ?s ?p ?o }")
    assert time.monotonic() - t0 < 1.0
    assert second.status_code == 503 and int(second.headers["retry-after"]) >= 1, second.text
    thread.join()
    assert out["response"].status_code == 504
    assert sparql(base, "ASK { ?s ?p ?o }").json() == {"head": {}, "boolean": True}  # the slot is free


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_server_stops_at_once_with_a_queryrunning(seed_store: Path, sig: signal.Signals) -> None:
    """Also: past --max-requests the API answers 503 with Retry-After, health still 200."""
    proc, base = start(seed_store, "--sparql-timeout", "120", "--max-requests", "1")
    try:
        _stop_with_a_queryrunning(proc, base, sig)
    finally:
        if proc.poll() is None:
            proc.kill()


def _stop_with_a_queryrunning(proc: subprocess.Popen, base: str, sig: signal.Signals) -> None:
    thread, out = in_background(lambda: sparql(base, HOSTILE["count-three-way-product"], timeout=120))
    time.sleep(1.0)
    pids = tree(proc.pid)
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
    assert [p for p in pids if running(p)] == []


def test_cli_query_is_stopped_at_its_deadline(seed_store: Path) -> None:
    t0 = time.monotonic()
    r = CliRunner().invoke(cli, ["sparql", "--store", str(seed_store), "--timeout", "1.5",
                                 HOSTILE["count-three-way-product"]])
    assert r.exit_code == 2 and "1.5 s deadline" in r.output, r.output
    assert time.monotonic() - t0 < 1.5 + 10  # the worker's start and the graph's load come first


def test_sigterm_during_an_upload_leaves_a_readable_store(seed_store: Path, tmp_path: Path) -> None:
    """The upload's build is cut or finished, never half-written: the previous graph or the new."""
    import shutil

    from cchc_graph.graph.store.build import Store

    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    before = len(Store(store).load_export()["documents"])
    plan = next(p for p in sorted((ROOT / "examples").iterdir()) if p.suffix in (".txt", ".md"))
    proc, base = start(store, "--allow-upload", env={"CCHC_UPLOAD_TOKEN": "shutdown-test-token"})
    try:
        thread, _ = in_background(lambda: httpx.post(
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


def test_a_killed_server_takes_its_upload_builder_along(seed_store: Path, tmp_path: Path) -> None:
    import shutil

    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    plan = next(p for p in sorted((ROOT / "examples").iterdir()) if p.suffix in (".txt", ".md"))
    proc, base = start(store, "--allow-upload", env={"CCHC_UPLOAD_TOKEN": "kill-test-token"})
    try:
        before = set(tree(proc.pid))
        r = httpx.post(f"{base}/documents", params={"filename": "ke-hoach-nap.txt"}, content=plan.read_bytes(),
                       headers={"Authorization": "Bearer kill-test-token"}, timeout=60)
        assert r.status_code == 200, r.text
        pids = tree(proc.pid)
        assert set(pids) - before, pids  # the upload was built by a process of its own
        proc.kill()
        proc.wait(10)
        deadline = time.monotonic() + 5
        while [p for p in pids if running(p)] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p for p in pids if running(p)] == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_answer_past_its_size_bound_is_refused(seed_store: Path) -> None:
    """One row can be gigabytes (GROUP_CONCAT over a product): it never reaches the server whole."""
    query = ("SELECT (GROUP_CONCAT(CONCAT(?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q)) AS ?all) "
             "WHERE { ?x oa:exact ?q . ?y a cchc:Task }")  # about 77 MB on the seeds
    r = CliRunner().invoke(cli, ["sparql", "--store", str(seed_store), "--timeout", "30", query])
    assert r.exit_code == 2 and "answer larger than 50 MB" in r.output, r.output
    fits = query.replace("CONCAT(?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q, ?q)", "?q")  # about 5 MB
    r = CliRunner().invoke(cli, ["sparql", "--store", str(seed_store), "--timeout", "30", "--json", fits])
    assert r.exit_code == 0, r.output[:500]
