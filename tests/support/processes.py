"""Processes seen through /proc (psutil is not a dependency): children of a process, and whether one has ended."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

import pytest


def need_proc() -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads processes from /proc, which this system does not have")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    out = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields and int(fields[1]) == pid:
                out.add(int(entry))
    return out


def running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie waiting to be reaped has ended)."""
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def still_running(pids: Iterable[int], timeout: float = 5.0) -> set[int]:
    """Those of ``pids`` still running after waiting up to ``timeout`` seconds for them to end."""
    deadline = time.monotonic() + timeout
    left = {p for p in pids if running(p)}
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = {p for p in left if running(p)}
    return left
