"""Safe reading and replacing of workbooks on disk.

Reading uses python-calamine (fast, never runs anything). Writing goes to
a new file beside the target (beside the real file, when the path is a
symbolic link), the old file is kept as a dated, verified backup, and the
new one is swapped in with one rename, so a crash leaves the old workbook
as it was; a run stopped at any point leaves no temporary file (a killed
one's are found by :func:`own_temporaries` and removed by the next run).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from python_calamine import CalamineWorkbook

from xlpack.errors import UsageError, WorkbookError, WorkbookInUseError
from xlpack.files.backups import BACKUPS, Snapshot, backup_path, check_unchanged, make_backup
from xlpack.files.disk import disk_error, writable
from xlpack.files.temp_names import TEMP_SUFFIX as TEMP_SUFFIX
from xlpack.files.temp_names import is_temp_name as is_temp_name
from xlpack.files.temp_names import temp_beside as temp_beside


def require_coordinator(path: Path | str) -> Path:
    """The coordinator workbook ``path`` as a Path; a usage error, in one wording, if it is not there."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"{path}: the coordinator workbook must be an .xlsx file.")
    if not path.is_file():
        raise UsageError(f"The coordinator workbook {path} does not exist. (xlpack init creates one.)")
    return path


def lock_files(path: Path) -> list[Path]:
    """Lock files Excel (``~$name``) and LibreOffice (``.~lock.name#``) leave beside an open file."""
    path = Path(path)
    candidates = [path.with_name("~$" + path.name), path.with_name(".~lock." + path.name + "#")]
    if len(path.name) > 2:  # Excel sometimes drops the first two characters
        candidates.append(path.with_name("~$" + path.name[2:]))
    return [p for p in candidates if p.exists()]


def ensure_not_open(path: Path) -> None:
    locks = lock_files(path)
    if locks:
        raise WorkbookInUseError(
            f"{path} is open in Excel or LibreOffice (lock file {locks[0].name} is beside it). "
            "Save and close it, then run the command again. If it is not open, delete the lock file."
        )


def temporary_name(path: Path, name: str) -> bool:
    """Whether ``name`` is one of xlpack's temporary files for the workbook ``path`` (in its folder)."""
    return is_temp_name(name) and name.lstrip(".").startswith(f"{path.stem}.")


def own_temporaries(path: Path) -> list[Path]:
    """xlpack's temporary files for ``path`` left in its folder and in ``backups/`` (by a run that was killed)."""
    path = Path(path)
    found: list[Path] = []
    for folder, owned in ((path.parent, lambda n: temporary_name(path, n)),
                          (path.parent / BACKUPS, lambda n: n.startswith(f".{path.stem} ") and is_temp_name(n))):
        try:
            found += [folder / n for n in os.listdir(folder) if owned(n) and (folder / n).is_file()]
        except OSError:
            continue
    return sorted(found)


def real_path(path: Path) -> Path:
    """The file a path names, symbolic links followed (the link itself is kept when the file is replaced)."""
    return Path(os.path.realpath(path))


def replace_atomically(path: Path, write: Callable[[Path], None], *, keep_backup: bool = True,
                       seen: Snapshot | None = None) -> Path | None:
    """Write a new version of ``path`` with ``write(tmp_path)`` and swap it in.

    A symbolic link is followed: the file it points to is replaced and the
    link kept. With ``seen`` (the :class:`Snapshot` taken when the command
    read the workbook), it refuses if the file was saved since. The
    backup is written and verified before anything is replaced. Disk
    failures (full, read-only, no permission, a file where ``backups/``
    should be) are a :class:`~xlpack.files.disk.DiskError` naming the path.
    Returns the backup's path (None when there was no previous file or no
    backup was asked for).
    """
    link = Path(path)
    path = real_path(link)
    exists = path.exists()
    if exists:
        ensure_not_open(link)
        if link != path:
            ensure_not_open(path)
    tmp: Path | None = None
    backup: Path | None = None  # its name is chosen first, so it can be removed if the run stops at any point
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=TEMP_SUFFIX, dir=path.parent)
            os.close(fd)
            tmp = Path(tmp_name)
            write(tmp)
            _settle(tmp, path if exists else None)
        except OSError as exc:
            _raise_plain(exc, path, f"writing the new version of {path.name}")
        if exists and seen is not None:
            check_unchanged(path, seen)
        if exists and keep_backup:
            backup = backup_path(path)
            make_backup(path, seen, backup)
        if exists and seen is not None:
            check_unchanged(path, seen)
        _swap(tmp, path)
    except BaseException:
        swapped = tmp is not None and not tmp.exists()  # the rename took place (the run stopped just after it)
        if backup is not None and not swapped and backup.exists():
            with suppress(OSError):
                backup.unlink()  # nothing was replaced: no backup made either
        raise
    finally:
        if tmp is not None and tmp.exists():
            with suppress(OSError):
                tmp.unlink()
    return backup


def _settle(tmp: Path, old: Path | None) -> None:
    """Give the new file the old one's permissions (or the usual ones) and make sure it is on the disk."""
    if old is not None:
        shutil.copymode(old, tmp)
    else:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())


def _swap(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except PermissionError as exc:
        if not writable(path.parent):
            _raise_plain(exc, path, f"replacing {path.name}")
        raise WorkbookInUseError(
            f"{path} could not be replaced ({exc.strerror}). If it is open in Excel, close it and try again."
        ) from exc
    except OSError as exc:
        _raise_plain(exc, path, f"replacing {path.name}")


def _raise_plain(exc: OSError, path: Path, doing: str) -> NoReturn:
    """Raise the plain message for a disk failure, or ``exc`` itself when it is something else."""
    plain = disk_error(exc, path.parent, doing, unchanged=path)
    if plain is None:
        raise exc
    raise plain from exc


class SheetReader:
    """Read the sheets of one workbook as rows of Python values (calamine)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self._wb = CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises several types for bad files
            raise WorkbookError(f"{self.path} cannot be read as an Excel workbook ({exc}).") from exc
        self.names: list[str] = list(self._wb.sheet_names)

    def rows(self, sheet: str) -> list[list[Any]]:
        if sheet not in self.names:
            raise WorkbookError(f"{self.path}: the sheet '{sheet}' is missing. Sheets found: {', '.join(self.names)}.")
        return self._wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)

    def has(self, sheet: str) -> bool:
        return sheet in self.names


def cell_text(value: Any) -> str:
    """A cell's value as the text a person sees (numbers without '.0', dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cell_date(value: Any) -> date | None:
    """A date typed as a date, an ISO string or dd/mm/yyyy; None if empty; ValueError if not a date."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date")
