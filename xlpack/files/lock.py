"""xlpack's own lock beside a workbook, held by a command for its whole run.

A command that rewrites the coordinator workbook (consolidate, generate)
holds :func:`workbook_lock` from before it reads the workbook until it has
replaced it. The lock is a small file beside the workbook
(``.NAME.xlsx.xlpack-lock``), created with ``O_CREAT | O_EXCL`` and holding
the process id, the command and when it started, so a second xlpack
command on the same workbook refuses at once, naming the one running. A
lock whose process has ended (killed, or the computer restarted) is taken
over. While the lock is held, the workbook's :class:`Snapshot` is kept so
the command can check, before it replaces the file, that nobody saved it in
the meantime; xlpack's temporary files left by a killed run are removed; and
SIGTERM ends the command through its ``finally`` blocks, so temporary files
go and the lock is released.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlpack import clock
from xlpack.errors import WorkbookBusyError
from xlpack.files.backups import Snapshot, check_unchanged
from xlpack.files.disk import disk_error
from xlpack.files.workbooks import own_temporaries, real_path
from xlpack.files.workers import sigterm_as_exit

LOCK_SUFFIX = ".xlpack-lock"
UNREADABLE_GRACE = 10.0  # seconds: a lock file not yet written by the process creating it is not stale


@dataclass
class WorkbookLock:
    """A held lock: the real workbook, the lock file, and the workbook as it was when the lock was taken."""

    path: Path
    lock: Path
    command: str
    seen: Snapshot | None  # None when the workbook does not exist yet

    def check_unchanged(self) -> None:
        if self.seen is not None:
            check_unchanged(self.path, self.seen)


def is_lock_name(name: str) -> bool:
    """True for the name of xlpack's lock file beside a workbook (see :func:`lock_path`)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.startswith(".") and base.endswith(LOCK_SUFFIX)


def lock_path(path: Path) -> Path:
    """The lock file of a workbook: beside the real file, symbolic links followed."""
    real = real_path(Path(path))
    return real.with_name(f".{real.name}{LOCK_SUFFIX}")


@contextmanager
def workbook_lock(path: Path, command: str) -> Iterator[WorkbookLock]:
    """Hold xlpack's lock on the workbook ``path`` while the ``with`` block runs (``command`` names the holder)."""
    real = real_path(Path(path))
    lock = lock_path(real)
    _acquire(lock, real, command)
    try:
        with sigterm_as_exit():
            for stale in own_temporaries(real):  # left by a run that was killed: no other run can own them now
                stale.unlink(missing_ok=True)
            seen = Snapshot.of(real) if real.is_file() else None
            yield WorkbookLock(real, lock, command, seen)
    finally:
        lock.unlink(missing_ok=True)


def _acquire(lock: Path, real: Path, command: str) -> None:
    started = clock.now().isoformat(timespec="seconds")
    record = json.dumps({"pid": os.getpid(), "command": command, "started": started, "host": socket.gethostname(),
                         "process_start": _process_start(os.getpid())}).encode()
    for _ in range(5):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = _holder(lock)
            if holder is not None:
                raise WorkbookBusyError(_busy(real, lock, holder)) from None
            _take_over(lock)
            continue
        except OSError as exc:
            plain = disk_error(exc, real.parent, "taking its lock on the workbook", unchanged=real)
            if plain is None:
                raise
            raise plain from exc
        try:
            os.write(fd, record)
        except OSError as exc:
            os.close(fd)
            lock.unlink(missing_ok=True)
            plain = disk_error(exc, real.parent, "taking its lock on the workbook", unchanged=real)
            if plain is None:
                raise
            raise plain from exc
        os.close(fd)
        return
    raise WorkbookBusyError(f"{real} is being locked and unlocked by other xlpack commands. Wait for them to finish, "
                            "then run the command again.")


def _holder(lock: Path) -> dict[str, Any] | None:
    """The lock's record if its process is still running; None if the lock is stale (or already gone)."""
    try:
        raw = lock.read_bytes()
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return None
    try:
        record = json.loads(raw)
        pid = int(record["pid"])
    except (ValueError, KeyError, TypeError):
        return {"unreadable": True} if age < UNREADABLE_GRACE else None
    if record.get("host") not in (None, socket.gethostname()):
        return record  # another computer's process: it cannot be checked from here
    if not _running(pid):
        return None
    started = record.get("process_start")
    if started is not None and _process_start(pid) not in (None, started):
        return None  # the process id was reused by a process started since
    return record


def _running(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would send Ctrl-C there
        return _running_on_windows(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    return not _zombie(pid)


def _running_on_windows(pid: int) -> bool:
    kernel32 = getattr(ctypes, "WinDLL")("kernel32", use_last_error=True)  # noqa: B009 - exists only on Windows
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return bool(getattr(ctypes, "get_last_error")() == 5)  # noqa: B009 - access denied: another user's, running
    try:
        code = ctypes.c_ulong()
        return bool(kernel32.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _process_start(pid: int) -> int | None:
    """When the process started (clock ticks after boot, Linux), to tell a reused process id apart."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _take_over(lock: Path) -> None:
    """Set a stale lock aside; if another process took it over first, leave theirs in place."""
    aside = lock.with_name(f"{lock.name}.stale-{os.getpid()}")
    try:
        before = lock.read_bytes()
        os.replace(lock, aside)
    except FileNotFoundError:
        return
    try:
        if aside.read_bytes() != before:  # not the stale lock read a moment ago: put it back
            with suppress(FileExistsError):
                os.link(aside, lock)
    finally:
        aside.unlink(missing_ok=True)


def _busy(real: Path, lock: Path, holder: dict[str, Any]) -> str:
    if holder.get("unreadable"):
        who = "another xlpack command (just starting)"
    else:
        host = holder.get("host")
        where = f" on {host}" if host and host != socket.gethostname() else ""
        who = (f"xlpack {holder.get('command', '?')} (process {holder.get('pid')}{where}, started "
               f"{str(holder.get('started', '?')).replace('T', ' ')})")
    return (f"{real} is in use by {who}. Wait for it to finish, then run this command again. If no xlpack command is "
            f"running, delete the lock file {lock}.")
