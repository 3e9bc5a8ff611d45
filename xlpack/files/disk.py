"""Disk failures in plain words: a full disk, a read-only folder, no permission, a file where a folder should be.

Writing the coordinator workbook (and its lock and backup) can fail for
reasons the coordinator can fix. :func:`disk_error` turns the operating
system's error into one :class:`~xlpack.errors.WorkbookError` naming the
path and what to do, so no command shows a traceback for them. Errors it
does not know are left to the caller (a bug should still be seen).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from xlpack.errors import DiskError

FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
READ_ONLY = {errno.EROFS}
DENIED = {errno.EACCES, errno.EPERM}
NOT_A_FOLDER = {errno.ENOTDIR, errno.EEXIST}


def disk_error(exc: BaseException, path: Path, doing: str, unchanged: Path | None = None) -> DiskError | None:
    """A plain error for ``exc`` raised while ``doing`` something in the folder ``path``; None if not a disk failure.

    ``unchanged`` is the file the message says was left as it was.
    """
    code = getattr(exc, "errno", None)
    if not isinstance(exc, OSError) or code is None:
        return None
    named = _named(exc)
    folder = _shown(named.parent if named is not None else path)
    tail = f" {unchanged} was not changed." if unchanged is not None else ""
    if code in FULL:
        return DiskError(f"The disk holding {folder} is full: xlpack could not finish {doing}. Free some space on it "
                         f"(or move the workbook and its folder to a disk with room), then run the command again."
                         f"{tail}")
    if code in READ_ONLY:
        return DiskError(f"{folder} is on a disk that can only be read, so xlpack could not finish {doing}. Copy the "
                         f"workbook to a folder you can change, and run the command there.{tail}")
    if code in DENIED:
        return DiskError(f"You do not have permission to write in {folder}, so xlpack could not finish {doing}. Ask "
                         "for permission to change that folder, or copy the workbook to a folder you can change, and "
                         f"run the command there.{tail}")
    if code in NOT_A_FOLDER:
        blocking = _file_in_the_way(named or path)
        if blocking is not None:
            return DiskError(f"{blocking} is a file, not a folder, so xlpack could not finish {doing}. Rename or move "
                             f"that file, then run the command again.{tail}")
    return None


def _shown(folder: Path) -> Path:
    """The folder as a person can find it: a relative one ("." for an --out given as a bare name) made absolute."""
    try:
        return Path(os.path.abspath(folder)) if not folder.is_absolute() else folder
    except OSError:  # the working folder itself is gone
        return folder


def plain_failure(exc: OSError, doing: str, where: Path | None = None) -> DiskError:
    """Always a plain error for ``exc`` raised while ``doing`` something: :func:`disk_error`'s, or one naming the
    path and the system's reason (a folder that does not exist, a name too long, ...).

    ``where`` is the folder the command was writing into: named when the system's error names no file (a full
    disk often does not), rather than the current folder, which may be on another disk."""
    named = _named(exc)
    plain = disk_error(exc, named.parent if named is not None else where or Path("."), doing)
    if plain is not None:
        return plain
    reason = (exc.strerror or str(exc)).rstrip(".").lower()
    if named is None:
        return DiskError(f"xlpack could not finish {doing}: {reason}. Check the paths given, then run the command "
                         "again.")
    if exc.errno == errno.ENOENT:
        missing = next((p for p in (named.parent, *named.parent.parents) if not p.exists()), named.parent)
        return DiskError(f"{missing} does not exist, so xlpack could not finish {doing}. Create the folder, or give "
                         "a path in a folder that exists, then run the command again.")
    return DiskError(f"{named}: {reason}, so xlpack could not finish {doing}. Give another path (with --out), "
                     "then run the command again.")


def _named(exc: OSError) -> Path | None:
    """The path ``exc`` is about: for a rename (a temporary file moved into place), its destination, the path the
    coordinator gave, rather than the hidden temporary name."""
    for name in (exc.filename2, exc.filename):
        if isinstance(name, (str, os.PathLike)):
            return Path(name)
    return None


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest of ``path`` and its parents that exists, if it is a file rather than a folder."""
    for p in (path, *path.parents):
        if p.exists():
            return p if not p.is_dir() else None
    return None


def writable(folder: Path) -> bool:
    """Whether this process may create files in ``folder`` (permissions only; a read-only disk shows on writing)."""
    return os.access(folder, os.W_OK | os.X_OK)
