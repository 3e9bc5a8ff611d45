"""Small disks for fault tests: a tmpfs to fill up, a folder that can only be read.

Mounting needs root (``mount -t tmpfs``); where it is not possible the test
is skipped, saying why. A read-only folder is a tmpfs remounted read-only
as root (root ignores file permissions), or a folder without write
permission otherwise.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=False)


@contextmanager
def tmpfs(path: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``path`` (created if needed) for the block; the test skips if it cannot."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs (to fill a disk) needs root; not running as root here")
    path.mkdir(parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path))
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or mounted.returncode}")
    try:
        yield path
    finally:
        if _run("umount", str(path)).returncode:
            _run("umount", "-l", str(path))


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(path: Path, leave: int) -> None:
    """Fill the disk holding the folder ``path`` until about ``leave`` bytes are free."""
    with open(path / "filler.bin", "wb") as f:
        f.write(b"\0" * max(0, free_bytes(path) - leave))


@contextmanager
def read_only(path: Path, size: str = "4m") -> Iterator[Path]:
    """The folder ``path`` with its files, made read-only for the block (a read-only tmpfs as root)."""
    if os.geteuid() == 0:
        saved = path.with_name(path.name + ".contents")
        shutil.copytree(path, saved, symlinks=True)
        with tmpfs(path, size):
            shutil.copytree(saved, path, symlinks=True, dirs_exist_ok=True)
            remounted = _run("mount", "-o", "remount,ro", str(path))
            if remounted.returncode:
                pytest.skip(f"cannot make a tmpfs read-only here: {remounted.stderr.strip()}")
            yield path
        shutil.rmtree(saved)
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    path.chmod(0o555)
    try:
        yield path
    finally:
        path.chmod(mode)
