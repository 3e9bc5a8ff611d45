"""The workbook as it was read, and a verified backup of it before it is replaced.

A command takes a :class:`Snapshot` (size, modification time, SHA-256) of
the coordinator workbook when it starts. Just before replacing the file it
checks the file still matches (:func:`check_unchanged`): if the coordinator
saved it in the meantime, their save wins and nothing is written.
:func:`make_backup` copies the workbook into ``backups/`` under a hidden
name, checks the copy (its size, every zip member's checksum, and its hash
against the snapshot), and only then gives it its dated name; a backup that
fails is removed, so ``backups/`` never holds a truncated copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from xlpack import clock
from xlpack.errors import DiskError, WorkbookChangedError
from xlpack.files.disk import disk_error
from xlpack.files.temp_names import temp_beside

BACKUPS = "backups"
CHUNK = 1 << 20


@dataclass(frozen=True)
class Snapshot:
    """What a workbook file was when a command read it."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> Snapshot:
        st = os.stat(path)
        return cls(st.st_size, st.st_mtime_ns, sha256_of(path))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_unchanged(path: Path, seen: Snapshot) -> None:
    """Refuse if ``path`` is no longer the file that was read (saved, replaced or removed since)."""
    try:
        now = Snapshot.of(path)
    except FileNotFoundError:
        now = None
    if now != seen:
        what = ("was moved or deleted" if now is None
                else "was saved by another program (Excel, LibreOffice or another xlpack)")
        raise WorkbookChangedError(
            f"{path} {what} while xlpack was running, so xlpack did not write its new version: what was saved is "
            "kept as it is, and no backup was made. Close the workbook and run the command again; it will start "
            "from what was saved.")


def backup_path(path: Path, now: datetime | None = None) -> Path:
    """``backups/NAME YYYY-MM-DD HHMMSS.xlsx`` beside the workbook, numbered if that name is taken."""
    now = now or clock.now()
    folder = path.parent / BACKUPS
    stem = f"{path.stem} {now:%Y-%m-%d %H%M%S}"
    candidate = folder / f"{stem}{path.suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({n}){path.suffix}"
        n += 1
    return candidate


def make_backup(path: Path, seen: Snapshot | None = None, target: Path | None = None) -> Path:
    """Copy ``path`` into ``backups/`` and verify the copy before naming it; returns the backup's path.

    With ``seen``, the copy must also hash to what was read (else the
    workbook changed: :class:`WorkbookChangedError`). ``target`` is the
    backup's name (by default the next free :func:`backup_path`). On any
    failure nothing is left in ``backups/``.
    """
    folder = path.parent / BACKUPS
    if folder.exists() and not folder.is_dir():
        raise DiskError(f"{folder} is a file, not a folder: xlpack keeps the earlier versions of the workbook there. "
                        f"Rename or move that file, then run the command again. {path} was not changed.")
    if folder.is_symlink() and not folder.exists():
        raise DiskError(f"{folder} is a link to {os.readlink(folder)}, which does not exist: xlpack keeps the earlier "
                        "versions of the workbook there. Create the folder the link points to (or reconnect the "
                        f"drive it is on), or remove the link, then run the command again. {path} was not changed.")
    partial: Path | None = None
    try:
        folder.mkdir(exist_ok=True)
        target = target or backup_path(path)
        partial = temp_beside(target, "partial")  # hidden, named as xlpack's temporary files are
        with open(path, "rb") as src, open(partial, "xb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
            dst.flush()
            os.fsync(dst.fileno())
        shutil.copystat(path, partial)
        _verify(partial, path, seen)
        os.replace(partial, target)
        partial = None
        return target
    except OSError as exc:
        plain = disk_error(exc, folder, "the backup of the workbook", unchanged=path)
        if plain is not None:
            raise plain from exc
        raise
    finally:
        if partial is not None and partial.exists():
            with suppress(OSError):  # a failed backup leaves nothing behind, where the disk allows it
                partial.unlink()


def _verify(copy: Path, path: Path, seen: Snapshot | None) -> None:
    size = seen.size if seen is not None else os.stat(path).st_size
    problem = None
    if copy.stat().st_size != size:
        problem = f"it holds {copy.stat().st_size:,} bytes, not {size:,}"
    elif seen is not None and sha256_of(copy) != seen.sha256:
        check_unchanged(path, seen)  # the workbook changed while it was copied: say so
        problem = "its content differs from the workbook's"
    else:
        try:
            with zipfile.ZipFile(copy) as z:
                bad = z.testzip()
            if bad is not None:
                problem = f"its part {bad} is damaged"
        except zipfile.BadZipFile as exc:
            problem = f"it is not a complete workbook ({exc})"
    if problem:
        raise DiskError(f"The backup of {path} could not be verified: {problem}. Check the disk holding "
                        f"{path.parent / BACKUPS} (is it full or failing?), then run the command again. {path} was "
                        "not changed.")
