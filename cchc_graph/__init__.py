"""cchc-graph: Vietnamese administrative-reform documents as a provenance-tracked knowledge graph.

A library first, a command line (``cchc``) and an HTTP API second::

    import cchc_graph

    report = cchc_graph.build(["docs/"], store=".cchc")  # BuildReport: loaded, skipped …
    g = cchc_graph.open(".cchc")  # Graph: one method per question
    for task in g.who_leads("tuyên truyền", jurisdiction="Hậu Giang"):
        print(task.title, [a.name for a in task.holders("lead")], task.provenance.quote)

These names are ``cchc_graph.library``'s, loaded on first use (a worker process that only
reads documents does not load the questions). A name that matches nothing raises
``NotFound`` (a ``LookupError``) naming the nearest ones; a missing store ``StoreError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cchc_graph.library import Dependencies, DocumentText, Graph, NotFound, StoreError, build, open

__all__ = ["Dependencies", "DocumentText", "Graph", "NotFound", "StoreError", "build", "open"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from cchc_graph import library

        return getattr(library, name)
    raise AttributeError(f"module 'cchc_graph' has no attribute {name!r}")
