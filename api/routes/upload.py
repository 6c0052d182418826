"""Loading documents over HTTP: mounted only with ``cchc serve --allow-upload`` and a token."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from graph.store import StoreError
from loaders.read import SUPPORTED

from ..schemas import ErrorPublic, UploadPublic

router = APIRouter(tags=["nạp / upload"], responses={401: {"model": ErrorPublic},
                                                     413: {"model": ErrorPublic},
                                                     422: {"model": ErrorPublic}})
_SAFE_NAME = re.compile(r"^[\w][\w.-]{0,150}$")


@router.post("/documents", response_model=UploadPublic,
             summary="Nạp một văn bản / load one document (raw body, Bearer token)")
async def upload(request: Request, filename: Annotated[str, Query(min_length=1, max_length=150)],
                 authorization: Annotated[str | None, Header()] = None) -> UploadPublic:
    cfg = request.app.state.upload
    if not authorization or not secrets.compare_digest(authorization.encode(),
                                                       f"Bearer {cfg.token}".encode()):
        raise HTTPException(401, "thiếu hoặc sai mã / missing or wrong token")
    name = Path(filename).name
    if name != filename or not _SAFE_NAME.match(name) or Path(name).suffix.lower() not in SUPPORTED:
        raise HTTPException(422, f"tên tệp không hợp lệ / bad file name {filename!r} "
                                 f"(supported: {', '.join(sorted(SUPPORTED))})")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cfg.max_bytes:
            raise HTTPException(413, f"tệp quá lớn / file larger than {cfg.max_bytes} bytes")
    store = request.app.state.live.store
    target = store.root / "uploads" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(bytes(body))
    try:
        report = await run_in_threadpool(store.build, [target], True)
    except StoreError as e:
        raise HTTPException(409, str(e)) from e
    if report.skipped:
        raise HTTPException(422, f"{name}: {report.skipped[0][1]}")
    return UploadPublic(loaded=report.loaded, cached=report.cached, skipped=report.skipped,
                        documents=report.documents)
