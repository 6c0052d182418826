"""Running the app with uvicorn, and stopping it within seconds on SIGTERM or Ctrl-C.

uvicorn stops accepting, lets requests in progress finish for ``SHUTDOWN_GRACE_S``, then
cancels them; SPARQL queries are stopped at once (their worker is closed on the signal), and
threads still computing past the grace (a large page, an upload's build) do not hold the
process: a build cut short leaves the store as a killed build does (the previous graph or the
new one, docs/robustness.md)."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import time
from types import FrameType

import uvicorn
from fastapi import FastAPI

SHUTDOWN_GRACE_S = 5.0


class _Server(uvicorn.Server):
    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        engines = getattr(self.config.app.state, "sparql", None)
        if engines is not None:  # the queries' answers: 503, so their connections close now
            threading.Thread(target=engines.close, daemon=True, name="cchc-sparql-stop").start()


def run(app: FastAPI, host: str, port: int, grace: float = SHUTDOWN_GRACE_S) -> None:
    """Serve until SIGTERM or Ctrl-C; return (or end the process) within about ``grace`` s."""
    server = _Server(uvicorn.Config(app, host=host, port=port, timeout_graceful_shutdown=grace))
    # What the process made before serving (modules, the app, its schemas: ~100,000 objects) is
    # never garbage: frozen, the collector's full passes, which stop every request's thread, do
    # not walk it again (at 10,000 documents they took 60–130 ms during uploads).
    gc.collect()
    gc.freeze()
    with contextlib.suppress(KeyboardInterrupt):  # uvicorn raises Ctrl-C again once it has stopped
        server.run()
    deadline = time.monotonic() + grace
    for t in threading.enumerate():
        if t is not threading.main_thread() and not t.daemon:
            t.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
