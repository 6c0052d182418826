"""A bound on the requests in progress: past it, 503 with ``Retry-After`` at once, so a burst of
slow requests cannot queue without end or starve the rest. ``/health`` is always answered."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

ALWAYS = frozenset({"/health"})


class Admission:
    """Pure ASGI middleware (one event loop: the counter needs no lock)."""

    def __init__(self, app: ASGIApp, limit: int, retry_after: int = 1) -> None:
        self.app, self.limit, self.retry_after = app, limit, retry_after
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in ALWAYS:
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            busy = JSONResponse({"detail": f"máy chủ bận / {self.limit} requests in progress; retry later"},
                                status_code=503, headers={"Retry-After": str(self.retry_after)})
            await busy(scope, receive, send)
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
