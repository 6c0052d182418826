"""Memory management for building and loading large graphs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc(freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while building large acyclic data (a graph, its
    indexes): every few thousand new objects it would rescan all of them, for nothing.

    ``freeze``: afterwards, move everything alive to the collector's permanent generation, so
    later collections skip a corpus that lives as long as the process (at national scale a
    full collection otherwise pauses every question for ~1.5 s). Freed objects are still
    released by reference counting; the corpus holds no cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was:
            gc.enable()
