"""Bounds on the requests in progress: past them, 503 with ``Retry-After`` at once, so a burst
of slow requests cannot queue without end or starve the rest. ``/health`` is always answered.

Besides the bound on all requests, a path may have its own (the unfocused graph page of a
10,000-document store takes 30 s of CPU to draw: one at a time)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

ALWAYS = frozenset({"/health"})


class Admission:
    """Pure ASGI middleware (one event loop: the counters need no lock)."""

    def __init__(self, app: ASGIApp, limit: int, per_path: Mapping[str, int] | None = None,
                 retry_after: int = 1) -> None:
        self.app, self.limit, self.retry_after = app, limit, retry_after
        self.per_path = dict(per_path or {})
        self.active = 0
        self.active_on: Counter[str] = Counter()

    def _busy(self, path: str) -> str | None:
        if self.active >= self.limit:
            return f"{self.limit} requests in progress"
        most = self.per_path.get(path)
        if most is not None and self.active_on[path] >= most:
            return f"{most} request(s) for {path} in progress"
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in ALWAYS:
            await self.app(scope, receive, send)
            return
        busy = self._busy(path)
        if busy:
            await JSONResponse({"detail": f"máy chủ bận / {busy}; retry later"}, status_code=503,
                               headers={"Retry-After": str(self.retry_after)})(scope, receive, send)
            return
        self.active += 1
        self.active_on[path] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
            self.active_on[path] -= 1
