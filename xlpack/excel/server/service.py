"""The server's side of a request, without the web framework: a private folder, the uploads, the job.

:func:`private_folder` makes a folder only the server's user can read and
removes it on every way out, a failure included. :func:`store` writes the
open workbook and the dropped files into it, under names that cannot leave it.
:func:`run_job` runs :mod:`.job` there in its own process, with a time limit.
Nothing about a child is kept once the answer has been sent.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from xlpack.errors import UsageError
from xlpack.excel.server.job import RETURNS

MiB = 1024 * 1024
PREFIX = "xlpack-web-"  # the private folders' names start so: a test (and IT) can see none is left behind


@dataclass(frozen=True)
class Limits:
    """What one request may send: IT can change them with XLPACK_SERVER_MAX_FILES / _MAX_MB / _TIMEOUT."""

    files: int = 2000  # dropped files per request
    total_bytes: int = 200 * MiB  # the workbook and every dropped file together
    seconds: float = 600  # the consolidation's time limit

    @classmethod
    def from_environment(cls) -> Limits:
        """The limits IT set (the defaults where unset); a setting that is not a positive number is refused by name
        (:class:`~xlpack.errors.UsageError`)."""
        return cls(files=int(_setting("XLPACK_SERVER_MAX_FILES", cls.files, whole=True)),
                   total_bytes=int(_setting("XLPACK_SERVER_MAX_MB", cls.total_bytes / MiB) * MiB),
                   seconds=_setting("XLPACK_SERVER_TIMEOUT", cls.seconds))


def _setting(name: str, default: float, *, whole: bool = False) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = 0
    if not 0 < value < 1e9:  # NaN and infinity fail too
        raise UsageError(f"{name}='{text}' is not a positive {'whole ' if whole else ''}number under 1,000,000,000: "
                         f"set it to one (or leave it unset for {default:g}), then start the server again.")
    return value


class RequestRefused(Exception):
    """The request cannot be handled as sent (too large, too many files, a name that cannot be used)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@contextmanager
def private_folder() -> Iterator[Path]:
    """A folder readable by the server's user only, removed with everything in it however the block ends."""
    folder = Path(tempfile.mkdtemp(prefix=PREFIX))  # mode 0o700
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        if folder.exists():  # a file still held open (Windows): try once more before giving up
            shutil.rmtree(folder, ignore_errors=True)


#: Characters a file name cannot hold here: controls everywhere, and Windows' reserved ones on Windows.
_UNSAFE_PART = re.compile(r'[\x00-\x1f<>:"|?*]' if os.name == "nt" else r"[\x00-\x1f]")


_PART_BYTES = 200  # a name's bytes in UTF-8 (file systems take 255), room left for " (2)"
_PATH_BYTES = 1000  # the folders dropped with a file, all together; deeper than that, the name alone is kept


def _fitted(part: str) -> str:
    """One part of a dropped path, its unsafe characters replaced, cut to :data:`_PART_BYTES` keeping its
    extension (so intake still reads ``….xlsx`` as a workbook)."""
    part = _UNSAFE_PART.sub("_", part)
    if len(part.encode("utf-8")) <= _PART_BYTES:
        return part
    stem, dot, suffix = part.rpartition(".")
    suffix = f".{suffix}" if dot and stem and len(suffix.encode("utf-8")) <= 16 else ""
    stem = part[:len(part) - len(suffix)]
    room = _PART_BYTES - len(suffix.encode("utf-8"))
    return stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip() + suffix


def safe_relative(name: str) -> PurePosixPath:
    """A dropped file's name (with the folders it was dropped in) as a path that stays inside the folder."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "/")]
    if not parts or any(p == ".." for p in parts):
        raise RequestRefused(f"The file name '{name}' cannot be used: drop the file itself, not a link to it.")
    fitted = [_fitted(p) for p in parts]
    if sum(len(p.encode("utf-8")) + 1 for p in fitted) > _PATH_BYTES:
        fitted = fitted[-1:]
    return PurePosixPath(*fitted)


def workbook_name(name: str) -> str:
    """The open workbook's file name, as xlpack's messages will name it (an .xlsx, as Excel sends it)."""
    base = safe_relative(name or "Coordinator workbook.xlsx").name
    return base if base.lower().endswith(".xlsx") else f"{Path(base).stem or 'Coordinator workbook'}.xlsx"


def store(folder: Path, workbook: tuple[str, bytes], dropped: Sequence[tuple[str, bytes]]) -> Path:
    """Write the workbook and the dropped files into ``folder``; returns the workbook's path there."""
    audit = folder / workbook_name(workbook[0])
    audit.write_bytes(workbook[1])
    returns = folder / RETURNS
    returns.mkdir()
    for name, data in dropped:
        relative = safe_relative(name)
        target = returns / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):  # one of its folders was dropped as a file: beside it instead
            target = returns / relative.name
        n = 1
        while target.exists():  # the same name dropped twice (from two folders flattened by the browser)
            n += 1
            target = target.with_name(f"{Path(relative.name).stem} ({n}){target.suffix}")
        target.write_bytes(data)
    return audit


def run_job(folder: Path, audit: Path, mode: str, *, allow_missing: bool, limits: Limits) -> dict[str, Any]:
    """Run :mod:`.job` in ``folder``; its JSON answer, or a plain failure if it stopped unexpectedly."""
    command = [sys.executable, "-m", "xlpack.excel.server.job", mode, audit.name]
    if allow_missing:
        command.append("--allow-missing")
    env = {**os.environ, "TMPDIR": str(folder)}  # anything the job writes on the side goes in the private folder
    try:
        done = subprocess.run(command, cwd=folder, env=env, capture_output=True, timeout=limits.seconds, check=False)
    except subprocess.TimeoutExpired:
        return {"ok": False, "refusal": "timeout", "message": (
            f"The update took longer than {limits.seconds:g} seconds and was stopped. Your workbook was not changed. "
            "Ask IT to raise the server's time limit (XLPACK_SERVER_TIMEOUT).")}
    try:
        answer: dict[str, Any] = json.loads(done.stdout.decode("utf-8"))
        return answer
    except (UnicodeDecodeError, json.JSONDecodeError):
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        return {"ok": False, "refusal": "error", "message": (
            f"xlpack stopped unexpectedly ({tail[0][:300]}). Your workbook was not changed.")}
