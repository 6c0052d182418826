"""SPARQL under a deadline and a memory bound: a worker process that forks a child per query.

pyoxigraph can neither time out nor cancel a query (its Rust cancellation token is not exposed
in Python: oxigraph issue 1926), and an ORDER BY over a cross product allocates without end
before its first row. So the graph is loaded once into a *worker* process (``python -m
graph.sparql_worker``), which forks a child for each query: the child shares the loaded graph
copy-on-write, runs at a lower priority under ``RLIMIT_AS`` (the worker's size plus the
per-query memory) and ``RLIMIT_CPU``, and is killed at the wall-clock deadline. Nothing is
left computing, and a kill costs nothing to recover from: the next query forks again.

The worker reads requests as JSON lines on stdin (``{"id", "query", "limit"}``) and answers
each with a JSON header line (``{"id", "size"}``) followed by ``size`` bytes of JSON: ``{"ok":
answer}`` or ``{"error": kind, "message"}``, kind one of ``sparql``, ``timeout``, ``memory``,
``size`` (an answer over ``MAX_ANSWER_BYTES``), ``crash``. It is single-threaded (a
``select`` loop), so forking it is safe. End of stdin (the server stopped, or was killed)
kills its children and ends it.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import json
import math
import os
import resource
import select
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from cchc_graph.graph.exports.sparql import MAX_ANSWER_BYTES, SparqlError, ntriples_path, run
from cchc_graph.graph.store.build import Store, StoreError

EXIT_MEMORY = 3
# how a child that did not answer ended -> the error kind (SIGABRT: Rust's allocation failure)
DIED = {signal.SIGABRT: "memory", signal.SIGSEGV: "memory", signal.SIGKILL: "memory",
        signal.SIGXCPU: "timeout", signal.SIGBUS: "memory"}


@dataclass
class Child:
    pid: int
    fd: int
    request_id: int
    deadline: float
    data: bytearray = field(default_factory=bytearray)
    killed: bool = False


def vm_bytes() -> int:
    """This process's address space (what ``RLIMIT_AS`` counts)."""
    with open("/proc/self/status") as f:
        return next(int(x.split()[1]) for x in f if x.startswith("VmSize:")) * 1024


def _die_with_parent() -> None:
    """Be killed when the process that started this one ends (Linux), kill -9 included."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _child(ox_store: Any, request: dict, wfd: int, memory_mb: int, timeout_s: float) -> None:
    """Run one query in the forked child and write its answer; never returns."""
    try:
        os.dup2(os.open(os.devnull, os.O_RDWR), 0)
        os.dup2(0, 1)
        os.dup2(0, 2)  # Rust prints its allocation failure; the worker reports it instead
        os.closerange(3, wfd)
        _die_with_parent()  # the worker
        limit = vm_bytes() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = math.ceil(timeout_s) + 1  # a backstop: the worker kills it at the deadline
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:
            answer = run(ox_store, request["query"], request.get("limit"))
            payload = {"ok": dataclasses.asdict(answer)}
        except SparqlError as e:
            payload = {"error": "sparql", "message": str(e)}
        data = json.dumps(payload, ensure_ascii=False).encode()
        if len(data) > MAX_ANSWER_BYTES:  # one GROUP_CONCAT over a product is gigabytes in one row
            data = json.dumps({"error": "size", "message": f"{len(data)} bytes"}).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(wfd, view):]
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except BaseException:  # the worker reports a crash
        os._exit(1)
    os._exit(0)


def _send(request_id: int, payload: bytes | dict) -> None:
    body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
    out = sys.stdout.buffer
    out.write(json.dumps({"id": request_id, "size": len(body)}).encode() + b"\n" + body)
    out.flush()


def _finish(child: Child, timeout_s: float) -> None:
    """Answer the request of a child whose pipe closed (or that was killed), and reap it."""
    os.close(child.fd)
    if child.killed:  # answered first: a child of gigabytes takes a second or two to go
        _send(child.request_id, {"error": "timeout", "message": f"{timeout_s:g} s"})
        os.waitpid(child.pid, 0)
        return
    _, status = os.waitpid(child.pid, 0)
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and child.data:
        _send(child.request_id, bytes(child.data))
    elif os.WIFEXITED(status) and os.WEXITSTATUS(status) == EXIT_MEMORY:
        _send(child.request_id, {"error": "memory", "message": "MemoryError"})
    else:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        kind = DIED.get(sig, "crash") if sig else "crash"
        how = signal.Signals(sig).name if sig else f"exit {os.WEXITSTATUS(status)}"
        _send(child.request_id, {"error": kind, "message": how})


def _fork(ox_store: Any, request: dict, memory_mb: int, timeout_s: float) -> Child:
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(rfd)
        _child(ox_store, request, wfd, memory_mb, timeout_s)
    os.close(wfd)
    return Child(pid, rfd, request["id"], time.monotonic() + timeout_s)


def serve(ox_store: Any, memory_mb: int, timeout_s: float) -> None:
    """The worker's loop: fork a child per request line, relay answers, kill at deadlines."""
    children: dict[int, Child] = {}
    pending = b""
    while True:
        now = time.monotonic()
        wait = max(0.0, min((c.deadline for c in children.values()), default=now + 60) - now)
        ready, _, _ = select.select([0, *children], [], [], wait)
        for fd in ready:
            if fd == 0:
                chunk = os.read(0, 1 << 16)
                if not chunk:  # the server is gone: nothing may keep computing
                    for c in children.values():
                        os.kill(c.pid, signal.SIGKILL)
                    return
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in filter(None, lines):
                    child = _fork(ox_store, json.loads(line), memory_mb, timeout_s)
                    children[child.fd] = child
            else:
                chunk = os.read(fd, 1 << 20)
                if chunk:
                    children[fd].data += chunk
                else:
                    _finish(children.pop(fd), timeout_s)
        for fd, c in list(children.items()):
            if time.monotonic() >= c.deadline and not c.killed:
                c.killed = True
                os.kill(c.pid, signal.SIGKILL)
                _finish(children.pop(fd), timeout_s)


def _write_ntriples(store_root: str) -> str:
    """The store's N-Triples, written (when not cached) in a child, which hands its memory back."""
    pid = os.fork()
    if pid == 0:
        _die_with_parent()  # the worker
        try:
            ntriples_path(Store(store_root))
        except (StoreError, OSError) as e:
            _send(0, {"error": "load", "message": str(e)})
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    if status:
        raise SystemExit(1)
    return str(ntriples_path(Store(store_root)))


def main(argv: list[str]) -> None:
    """``python -m graph.sparql_worker STORE MEMORY_MB TIMEOUT_S``"""
    import pyoxigraph as ox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when the worker ends
    # ... and it ends with the server even while loading (minutes at 10,000 documents, before
    # it reads its input); the loading and the queries (the children inherit this) come after
    # the server's other requests and its uploads' builds
    _die_with_parent()
    os.nice(10)
    store_root, memory_mb, timeout_s = argv[1], int(argv[2]), float(argv[3])
    path = _write_ntriples(store_root)
    try:
        ox_store = ox.Store()
        ox_store.bulk_load(path=path, format=ox.RdfFormat.N_TRIPLES)
    except (OSError, SyntaxError, ValueError, MemoryError) as e:
        _send(0, {"error": "load", "message": f"{path}: {e}"})
        return
    _send(0, {"ready": len(ox_store), "vm_mb": vm_bytes() // 2**20})
    serve(ox_store, memory_mb, timeout_s)


if __name__ == "__main__":
    main(sys.argv)
