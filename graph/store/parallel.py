"""Extract many documents on every core: one process per core, results in input order.

Extraction is pure CPU per document (no shared state), so a process pool scales with cores;
small jobs (an upload, a one-file change) run in-process, where a pool's start-up would cost
more than it saves, or in the warm process a build forked at its start (``warm.py``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from cchc_graph.loaders.read import LoadError, ReadOptions

if TYPE_CHECKING:
    from cchc_graph.graph.store.warm import WarmExtractor
    from cchc_graph.loaders.model import DocumentFacts

MIN_PARALLEL = 16  # fewer documents than this are extracted in-process
CHUNK = 8
Job = tuple[Path, str]  # (path, document id)
T = TypeVar("T")
# stores the facts and returns what the build keeps of them (made in the worker, sent back)
Keep = Callable[[str, Path, "DocumentFacts"], T]


def extract_one(path: Path, doc_id: str, options: ReadOptions | None,
                keep: Keep[T]) -> tuple[T | None, str | None]:
    """What ``keep`` makes of one document's facts, or why it could not be read; never raises
    for a bad file. Keeping happens here so that workers, not the build, serialize."""
    # (imported here: a build checking its files, and a warm process's parent, do without it)
    from cchc_graph.loaders.pipeline import load_document

    try:
        facts = load_document(path, doc_id, options)
    except LoadError as e:
        return None, e.problem
    except Exception as e:  # one bad file never stops the others
        return None, f"extraction failed ({type(e).__name__}: {e})"
    return keep(doc_id, path, facts), None


def _extract_job(job: tuple[Path, str, ReadOptions | None, Keep[T]]) -> tuple[T | None, str | None]:
    return extract_one(*job)


def die_with_parent(parent: int) -> None:
    """Worker start-up: exit when the process that started it dies (kill -9 included); a worker
    blocked on its queue would otherwise wait forever."""
    import ctypes
    import signal
    import threading
    import time

    with contextlib.suppress(OSError, AttributeError):  # Linux: the kernel signals us
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # died before we asked
        os._exit(1)

    def watch() -> None:  # elsewhere: look every second
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def extract_all(jobs: list[Job], options: ReadOptions | None, keep: Keep[T],
                warm: WarmExtractor | None = None) -> Iterator[tuple[T | None, str | None]]:
    """Outcomes in the order of ``jobs``, each as soon as it and those before it are done.

    A job too small for the pool goes to ``warm`` when there is one (sent at once: the caller
    may do other work while it is extracted), else is extracted in-process as it is iterated;
    ``warm`` is stopped when it is not used."""
    if len(jobs) < MIN_PARALLEL or workers() == 1:
        if warm is not None and jobs:
            return warm.extract(jobs, options, keep)
        if warm is not None:
            warm.stop()
        return (extract_one(path, doc_id, options, keep) for path, doc_id in jobs)
    if warm is not None:
        warm.stop()  # (its core is the pool's)
    return _pooled(jobs, options, keep)


def _pooled(jobs: list[Job], options: ReadOptions | None,
            keep: Keep[T]) -> Iterator[tuple[T | None, str | None]]:
    # (imported here: a small job, in-process, does without them: ~10 ms of a command's start)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: a worker forked here would inherit the store's lock (and outlive a
    # killed build holding it), and fork is unsafe in a process running threads (the API
    # server); the warm process is forked before the lock is taken, and only without threads
    with ProcessPoolExecutor(workers(), mp_context=multiprocessing.get_context("spawn"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        yield from pool.map(_extract_job, [(p, d, options, keep) for p, d in jobs], chunksize=CHUNK)
