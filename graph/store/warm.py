"""An extractor made ready on another core while a build checks its files.

A command that rebuilds one changed document spends most of its time before extracting it:
importing the extractor (its modules and ~460 patterns) and reading the administrative map,
while also listing the corpus and reading what the store holds. The two do not depend on each
other, so a build in a fresh process forks a process that gets the extractor ready, first
thing; the few documents found new or changed are extracted there and their outcomes sent
back, as a pool's worker would send them. A build that finds nothing to extract, or enough to
start the pool, stops it at once.

Only where forking is safe and worth it: on Linux (the kernel ends the process with its
parent), in a process running no other thread (the API server runs threads; forking one is
unsafe), that has not imported the extractor (one that has would gain nothing), and once: a
process that builds again (a script, a benchmark) extracts in-process after its first build,
importing the extractor once, rather than have every build's fork import it again.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cchc_graph.graph.store.parallel import Job, Keep
    from cchc_graph.loaders.read import ReadOptions

EXTRACTOR = "cchc_graph.loaders.pipeline"
_forked = False  # whether this process has forked one (it forks one at most)
Outcome = tuple[Any | None, str | None]  # what ``parallel.extract_one`` returns


class WarmExtractor:
    """The forked process: it imports the extractor, then extracts the jobs it is sent."""

    def __init__(self, pid: int, jobs: int, outcomes: int) -> None:
        self.pid = pid
        self._jobs = os.fdopen(jobs, "wb")
        self._outcomes = os.fdopen(outcomes, "rb")

    @classmethod
    def start(cls) -> WarmExtractor | None:
        """Fork one, or None where that would not be safe or would not help."""
        global _forked
        if (_forked or EXTRACTOR in sys.modules or not sys.platform.startswith("linux")
                or threading.active_count() > 1):
            return None
        _forked = True
        jobs_r, jobs_w = os.pipe()
        outcomes_r, outcomes_w = os.pipe()
        parent = os.getpid()
        try:
            pid = os.fork()
        except OSError:  # (no process to be had: the build extracts in-process)
            for fd in (jobs_r, jobs_w, outcomes_r, outcomes_w):
                os.close(fd)
            return None
        if pid == 0:  # the child: whatever happens, it leaves here, by _exit (no atexit, no
            try:      # flushing of the parent's buffers)
                os.close(jobs_w)
                os.close(outcomes_r)
                _serve(parent, jobs_r, outcomes_w)
            finally:
                os._exit(0)
        os.close(jobs_r)
        os.close(outcomes_w)
        return cls(pid, jobs_w, outcomes_r)

    @classmethod
    @contextlib.contextmanager
    def started(cls) -> Iterator[WarmExtractor | None]:
        """:meth:`start`, stopped when the block ends, however it ends."""
        warm = cls.start()
        try:
            yield warm
        finally:
            if warm is not None:
                warm.stop()

    def extract(self, jobs: list[Job], options: ReadOptions | None,
                keep: Keep[Any]) -> Iterator[Outcome]:
        """Send the jobs now; their outcomes in order, as they come (those the process could
        not send, because it died, are made here, in-process)."""
        with contextlib.suppress(OSError):  # (it died: every outcome is made here)
            pickle.dump([(path, doc_id, options, keep) for path, doc_id in jobs], self._jobs)
            self._jobs.close()
        return self._outcomes_of(jobs, options, keep)

    def _outcomes_of(self, jobs: list[Job], options: ReadOptions | None,
                     keep: Keep[Any]) -> Iterator[Outcome]:
        done = 0
        try:
            for _ in jobs:
                outcome = pickle.load(self._outcomes)
                done += 1
                yield outcome
        except (OSError, EOFError, pickle.UnpicklingError):
            from cchc_graph.graph.store.parallel import extract_one

            for path, doc_id in jobs[done:]:
                yield extract_one(path, doc_id, options, keep)
        finally:
            self.stop()

    def stop(self) -> None:
        """End the process, if it still runs (it holds nothing a build needs), and reap it."""
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self.pid = 0
        for f in (self._jobs, self._outcomes):
            with contextlib.suppress(OSError):
                f.close()


def _serve(parent: int, jobs_fd: int, outcomes_fd: int) -> None:
    """The child's work: get ready, then extract what is sent, sending each outcome back."""
    from cchc_graph.graph.store.parallel import die_with_parent, extract_one

    die_with_parent(parent)
    # no cycle collection in this short-lived process: imports and the map's 14,089 units
    # make many objects and no garbage worth its passes
    gc.disable()
    import cchc_graph.loaders.pipeline  # noqa: F401  (the point: imported before the jobs come)
    from cchc_graph.loaders import admin

    admin.prepare()
    with os.fdopen(jobs_fd, "rb") as jobs, os.fdopen(outcomes_fd, "wb") as out:
        try:
            todo = pickle.load(jobs)
        except EOFError:  # nothing to extract
            return
        for path, doc_id, options, keep in todo:
            pickle.dump(extract_one(path, doc_id, options, keep), out)
            out.flush()
