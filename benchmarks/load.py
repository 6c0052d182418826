"""Load test of `cchc serve` on localhost: concurrent readers, then readers during uploads.

Starts the real server (uvicorn, one process) over a copy of a store, with uploads on, and:

1. reads: CLIENTS threads loop over the API's questions for DURATION seconds; every answer
   must equal the one fetched alone before the run, status and body (nothing altered under
   load); a 5xx or a dropped connection is an error;
2. uploads: UPLOADS distinct documents sent by several clients at once while the readers go
   on; every upload must succeed, and afterwards every uploaded document must be in the store
   with its exact bytes (nothing lost, nothing altered), and readers must never see an error.

Prints requests/s, latency p50/p95/max and error counts; ``--json`` writes them as JSON.
Exit code 0 when there were no errors, mismatches or lost uploads, else 1.

    python benchmarks/load.py --store .cchc --clients 8 --duration 10 --uploads 12
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "load-test-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "cchc_graph.api.cli", "serve", "--store", str(store), "--port", str(port),
           "--allow-upload", "--max-upload-mb", "5"]
    env = {**os.environ, "CCHC_UPLOAD_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read().decode()[-2000:]}")
    proc.kill()
    raise SystemExit("server did not start within 60 s")


def question_urls(base: str) -> list[str]:
    """The API's questions, over what this store holds."""
    docs = httpx.get(f"{base}/documents", params={"limit": 5}).json()["data"]
    agencies = httpx.get(f"{base}/agencies", params={"limit": 3}).json()["data"]
    metrics = httpx.get(f"{base}/metrics").json()["data"]
    urls = ["/health", "/documents", "/agencies", "/who-leads?q=c%E1%BA%A3i%20c%C3%A1ch",
            "/search?q=noi%20vu", "/audit", "/citations", "/citations/inconsistencies", "/metrics",
            "/matrix", "/calendar"]
    for d in docs:
        i = quote(d["id"], safe="")
        urls += [f"/documents/{i}", f"/documents/{i}/citations", f"/documents/{i}/cited-by",
                 f"/documents/{i}/cascade"]
    for a in agencies:
        urls += [f"/agencies/{quote(a['id'], safe='')}",
                 f"/agencies/roles?q={quote(a['name'], safe='')}"]
    if metrics:
        urls.append(f"/compare?metric={quote(metrics[0]['key'], safe='')}")
    return urls


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.by_url: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.mismatches: list[str] = []

    def add(self, seconds: float, error: str | None = None, mismatch: str | None = None,
            url: str | None = None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if url:
                self.by_url.setdefault(url, []).append(seconds)
            if error:
                self.errors.append(error)
            if mismatch:
                self.mismatches.append(mismatch)

    def summary(self, wall: float) -> dict:
        lat = sorted(self.latencies) or [0.0]
        return {"requests": len(self.latencies), "requests_per_s": round(len(self.latencies) / wall, 1),
                "p50_ms": round(statistics.median(lat) * 1000, 1),
                "p95_ms": round(lat[int(0.95 * (len(lat) - 1))] * 1000, 1),
                "max_ms": round(lat[-1] * 1000, 1), "errors": len(self.errors),
                "mismatches": len(self.mismatches), "examples": (self.errors + self.mismatches)[:5],
                "slowest": _slowest(self.by_url)}


def _p95(values: list[float]) -> float:
    v = sorted(values)
    return v[int(0.95 * (len(v) - 1))]


def _slowest(by_url: dict[str, list[float]], n: int = 5) -> list[dict]:
    """The questions whose p95 is highest: where a phase's tail comes from."""
    top = sorted(by_url.items(), key=lambda kv: -_p95(kv[1]))[:n]
    return [{"url": u, "requests": len(v), "p95_ms": round(_p95(v) * 1000, 1)} for u, v in top]


def readers(base: str, urls: list[str], expected: dict[str, tuple[int, str]] | None, clients: int,
            stop: threading.Event, tally: Tally) -> list[threading.Thread]:
    def loop(k: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as c:
            i = k
            while not stop.is_set():
                url = urls[i % len(urls)]
                i += 1
                t = time.perf_counter()
                try:
                    r = c.get(url)
                except httpx.HTTPError as e:
                    tally.add(time.perf_counter() - t, error=f"{url}: {type(e).__name__}", url=url)
                    continue
                dt = time.perf_counter() - t
                if r.status_code >= 500:
                    tally.add(dt, error=f"{url}: HTTP {r.status_code}", url=url)
                elif expected is not None and (r.status_code, r.text) != expected[url]:
                    tally.add(dt, mismatch=f"{url}: answer differs from the one fetched alone", url=url)
                else:
                    tally.add(dt, url=url)

    threads = [threading.Thread(target=loop, args=(k,), daemon=True) for k in range(clients)]
    for th in threads:
        th.start()
    return threads


def upload_documents(base: str, sources: list[Path], n: int, workers: int) -> tuple[dict, dict[str, str]]:
    """Upload n distinct documents from several clients at once; returns timings and hashes."""
    bodies = {}
    for i in range(n):
        src = sources[i % len(sources)]
        body = src.read_bytes() + f"\n\nGhi chú bản nạp thử số {i}.\n".encode()
        bodies[f"nap-{i:03d}{src.suffix}"] = body
    tally = Tally()

    def send(name: str) -> None:
        t = time.perf_counter()
        try:
            r = httpx.post(f"{base}/documents", params={"filename": name}, content=bodies[name],
                           headers={"Authorization": f"Bearer {TOKEN}"}, timeout=300)
            err = None if r.status_code == 200 else f"{name}: HTTP {r.status_code} {r.text[:200]}"
        except httpx.HTTPError as e:
            err = f"{name}: {type(e).__name__}"
        tally.add(time.perf_counter() - t, error=err)

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(send, bodies))
    return tally.summary(time.perf_counter() - start), {
        name: hashlib.sha256(b).hexdigest() for name, b in bodies.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default=".cchc", help="store to serve (copied, never changed)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of the read phase")
    ap.add_argument("--uploads", type=int, default=12)
    ap.add_argument("--json", dest="json_out", help="write the figures to this JSON file")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="cchc-load-"))
    store = work / "store"
    shutil.copytree(args.store, store)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(store, port)
    try:
        urls = question_urls(base)
        expected, alone = {}, Tally()
        for u in urls:  # each question alone first: its answer (404 is an answer too) and time
            t = time.perf_counter()
            r = httpx.get(base + u, timeout=300)
            alone.add(time.perf_counter() - t, url=u)
            expected[u] = (r.status_code, r.text)
        before = httpx.get(f"{base}/health").json()["documents"]

        tally, stop = Tally(), threading.Event()
        start = time.perf_counter()
        threads = readers(base, urls, expected, args.clients, stop, tally)
        time.sleep(args.duration)
        stop.set()
        for th in threads:
            th.join()
        reads = tally.summary(time.perf_counter() - start)

        sources = sorted(p for p in (ROOT / "examples").glob("*.md") if p.stem != "README")
        during, stop = Tally(), threading.Event()
        start = time.perf_counter()
        threads = readers(base, urls, None, max(1, args.clients // 2), stop, during)
        uploads, hashes = upload_documents(base, sources, args.uploads, workers=4)
        stop.set()
        for th in threads:
            th.join()
        reads_during = during.summary(time.perf_counter() - start)

        after = httpx.get(f"{base}/health").json()["documents"]
        conn = sqlite3.connect(store / "cchc.sqlite")
        stored = {Path(p).name: h for p, h in conn.execute("SELECT source_path, sha256 FROM sources")}
        conn.close()
        lost = sorted(n for n in hashes if n not in stored)
        altered = sorted(n for n, h in hashes.items() if n in stored and stored[n] != h)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    result = {"clients": args.clients, "duration_s": args.duration, "questions": len(urls),
              "alone": alone.summary(1.0), "reads": reads,
              "uploads": {**uploads, "lost": lost, "altered": altered,
                          "documents_before": before, "documents_after": after},
              "reads_during_uploads": reads_during,
              "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    print(f"{'phase':24s} {'requests':>8s} {'req/s':>7s} {'p50 ms':>7s} {'p95 ms':>7s} "
          f"{'max ms':>7s} {'errors':>6s}")
    for name, s in (("reads", reads), ("uploads", uploads), ("reads during uploads", reads_during)):
        print(f"{name:24s} {s['requests']:8d} {s['requests_per_s']:7.1f} {s['p50_ms']:7.1f} "
              f"{s['p95_ms']:7.1f} {s['max_ms']:7.1f} {s['errors']:6d}")
    for name, s in (("alone (first call)", result["alone"]), ("reads", reads),
                    ("reads during uploads", reads_during)):
        print(f"slowest, {name}: " + ", ".join(f"{x['url']} {x['p95_ms']:.0f} ms" for x in s["slowest"]))
    print(f"answers differing from the single-client answer: {reads['mismatches']}; uploads lost: "
          f"{len(lost)}, altered: {len(altered)}; documents {before} → {after}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    bad = (reads["errors"] or reads["mismatches"] or uploads["errors"] or reads_during["errors"]
           or lost or altered or after != before + args.uploads)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
