"""The bounds of SPARQL queries, apart from ``sparql.py``: the CLI's options show their
defaults without importing rdflib (a tenth of a second of every store command)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds of every query. Defaults sized for 2 cores and 24 GiB: two queries at once, each
    at most 30 s and 4 GiB above the loaded graph (the worker holds one copy of the graph)."""

    timeout_s: float = 30.0
    memory_mb: int = 4096
    queries: int = 2
