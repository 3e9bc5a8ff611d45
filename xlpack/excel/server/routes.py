"""xlpack's routes on the xlwings Server app: ``/xlpack/check`` and ``/xlpack/update``.

Both take a multipart form from the task pane: ``workbook`` (the open
workbook, from Office.js ``getFileAsync``), ``name`` (its file name),
``files`` with ``paths`` (each dropped file and the path it was dropped
with) and, for update, ``allow_missing``. Each request gets a private
folder, removed before the answer goes (:mod:`.service`). The size of a
request and its number of files are limited (:class:`~.service.Limits`);
the user is whoever xlwings Server's authentication says (Entra ID when
IT turns it on), through its ``get_user`` dependency.
"""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from xlwings_server.dependencies import get_user

from xlpack.errors import UsageError
from xlpack.excel.server.service import Limits, MiB, RequestRefused, private_folder, run_job, store

router = APIRouter(prefix="/xlpack", dependencies=[Depends(get_user)])


def _mb(size: int) -> str:
    return f"{size / MiB:.1f} MB"


def _too_many(limits: Limits) -> str:
    return (f"More files were dropped than the server takes at a time (up to {limits.files}). Drop the returns "
            "as one .zip file instead: its forms are read as if dropped one by one.")


async def _read_form(request: Request, limits: Limits) -> tuple[tuple[str, bytes], list[tuple[str, bytes]], bool]:
    """The workbook, the dropped files (path, bytes) and the allow_missing tick, within the limits."""
    declared = request.headers.get("content-length")
    if declared is None or not declared.isdigit():
        raise RequestRefused("The request did not say its size; send it from the xlpack task pane.", 411)
    if int(declared) > limits.total_bytes:
        raise RequestRefused(f"The workbook and the files dropped come to {_mb(int(declared))}; the server takes up "
                             f"to {_mb(limits.total_bytes)} at a time. Ask IT to raise XLPACK_SERVER_MAX_MB.", 413)
    try:
        form = await request.form(max_files=limits.files + 1, max_fields=2 * limits.files + 10)
    except HTTPException as exc:  # Starlette stops reading at the limits: too many files or fields
        if "files" in str(exc.detail).lower() or "fields" in str(exc.detail).lower():
            raise RequestRefused(_too_many(limits), 413) from None
        raise RequestRefused(f"The request could not be read ({exc.detail}).") from None
    try:
        workbook = form.get("workbook")
        if not isinstance(workbook, UploadFile):
            raise RequestRefused("No workbook was sent: open the coordinator workbook in Excel and try again.")
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        if len(files) > limits.files:
            raise RequestRefused(_too_many(limits), 413)
        paths = [str(p) for p in form.getlist("paths")]
        dropped = [(paths[i] if i < len(paths) and paths[i] else (f.filename or f"file {i + 1}"), await f.read())
                   for i, f in enumerate(files)]
        name = str(form.get("name") or workbook.filename or "")
        return (name, await workbook.read()), dropped, str(form.get("allow_missing", "")).lower() in ("1", "true")
    finally:
        await form.close()


async def _handle(request: Request, mode: str) -> JSONResponse:
    try:
        limits = Limits.from_environment()
    except UsageError as exc:  # set wrong by IT since the server started: say which setting, not "An error occurred"
        return JSONResponse({"ok": False, "refusal": "server", "message": str(exc)}, status_code=500)
    try:
        workbook, dropped, allow_missing = await _read_form(request, limits)
    except RequestRefused as exc:
        return JSONResponse({"ok": False, "refusal": "request", "message": str(exc)}, status_code=exc.status)
    answer = await run_in_threadpool(_run, workbook, dropped, mode, allow_missing, limits)
    return JSONResponse(answer)


def _run(workbook: tuple[str, bytes], dropped: list[tuple[str, bytes]], mode: str, allow_missing: bool,
         limits: Limits) -> dict[str, Any]:
    with private_folder() as folder:
        try:
            audit = store(folder, workbook, dropped)
        except RequestRefused as exc:
            return {"ok": False, "refusal": "request", "message": str(exc)}
        answer = run_job(folder, audit, mode, allow_missing=allow_missing, limits=limits)
        if mode == "update" and answer.get("ok"):
            answer["workbook"] = base64.b64encode(audit.read_bytes()).decode("ascii")
        return answer


@router.post("/check")
async def check(request: Request) -> JSONResponse:
    """The audit's state from the open workbook and, for files dropped, what intake makes of each."""
    return await _handle(request, "check")


@router.post("/update")
async def update(request: Request) -> JSONResponse:
    """Consolidate the dropped returns into a private copy of the open workbook; the sheets xlpack owns back."""
    return await _handle(request, "update")
