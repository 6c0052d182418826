"""Loading documents over HTTP: mounted only with ``cchc serve --allow-upload`` and a token."""

from __future__ import annotations

import multiprocessing
import os
import re
import secrets
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated

from cchc_graph.graph.store.build import BuildReport, Store, StoreError, atomic_write_bytes
from cchc_graph.graph.store.parallel import die_with_parent
from cchc_graph.loaders.read import SUPPORTED, ReadOptions
from fastapi import APIRouter, Header, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from ..schemas import ErrorPublic, UploadPublic

router = APIRouter(tags=["nạp / upload"], responses={401: {"model": ErrorPublic},
                                                     413: {"model": ErrorPublic},
                                                     422: {"model": ErrorPublic}})
# in the OpenAPI schema too, so clients (and schemathesis) know what a valid name is
_EXT = "|".join(sorted({e.lstrip(".") for e in SUPPORTED} | {e.lstrip(".").upper() for e in SUPPORTED}))
NAME_PATTERN = rf"^[0-9A-Za-z_\u00C0-\u1EF9][0-9A-Za-z_.\u00C0-\u1EF9-]{{0,140}}\.(?:{_EXT})$"
_SAFE_NAME = re.compile(NAME_PATTERN)
UPLOAD_LOCK_WAIT_S = 120.0  # uploads queue behind a running build instead of failing


class BuilderDied(Exception):
    """The builder process ended while building a file, twice: reading it stops the process."""


def _build(root: str, paths: list[Path], options: ReadOptions, wait_s: float) -> BuildReport:
    """One upload's build, in the builder process."""
    return Store(root).build(paths, True, options, wait_s)


class Builder:
    """Uploads built in one child process, one after another: reading and linking a document
    then hold no lock that the server's readers wait for (the GIL), and a file whose reader
    ends its process does not end the server. A builder that died (killed while idle, say) is
    replaced once for the next upload; a server that dies (kill -9 included) takes it along."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self, fresh: bool = False) -> ProcessPoolExecutor:
        with self._lock:
            if fresh and self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
            if self._pool is None:  # spawned: forking a server's threads is not safe
                self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=die_with_parent, initargs=(os.getpid(),))
            return self._pool

    def build(self, root: Path, paths: list[Path], options: ReadOptions, wait_s: float) -> BuildReport:
        for fresh in (False, True):
            try:
                return self._executor(fresh).submit(_build, str(root), paths, options, wait_s).result()
            except BrokenProcessPool:
                continue
        raise BuilderDied()

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


@router.post("/documents", response_model=UploadPublic,
             summary="Nạp một văn bản / load one document (raw body, Bearer token)")
async def upload(request: Request,
                 filename: Annotated[str, Query(min_length=1, max_length=150, pattern=NAME_PATTERN,
                                                description="Tên tệp / file name: letters, digits, "
                                                            "_ . - and a supported extension")],
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
    store = request.app.state.store
    target = store.root / "uploads" / name
    # written whole before a build can read it; a concurrent build of the store is waited for
    atomic_write_bytes(target, bytes(body))
    options = ReadOptions(max_bytes=cfg.max_bytes)
    try:
        report = await run_in_threadpool(cfg.builder.build, store.root, [target], options, UPLOAD_LOCK_WAIT_S)
    except StoreError as e:
        raise HTTPException(409, str(e)) from e
    except BuilderDied as e:
        raise HTTPException(422, f"{name}: đọc tệp này làm dừng tiến trình nạp / reading this file "
                                 "stops the process that loads it") from e
    if report.skipped:
        raise HTTPException(422, f"{name}: {report.skipped[0][1]}")
    return UploadPublic(loaded=report.loaded, cached=report.cached, skipped=report.skipped,
                        documents=report.documents)
