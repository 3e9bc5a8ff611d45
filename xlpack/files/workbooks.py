"""Safe reading and replacing of workbooks on disk.

Reading uses python-calamine (fast, never runs anything). Writing goes to
a new file beside the target, the old file is kept as a dated backup, and
the new one is swapped in with one rename, so a crash leaves the old
workbook as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from xlpack.errors import WorkbookError, WorkbookInUseError


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


#: The folder beside a workbook that holds its dated backups.
BACKUPS = "backups"


def backup_path(path: Path, now: datetime | None = None) -> Path:
    now = now or datetime.now()
    folder = path.parent / BACKUPS
    stem = f"{path.stem} {now:%Y-%m-%d %H%M%S}"
    candidate = folder / f"{stem}{path.suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({n}){path.suffix}"
        n += 1
    return candidate


#: Every temporary workbook xlpack writes is named ".<name>.<part>.tmp.xlsx", beside the file it is for, so
#: intake recognises (and skips) one left behind by an interrupted run. Older runs left the endings below too.
TEMP_SUFFIX = ".tmp.xlsx"
_OLD_TEMP_SUFFIXES = (".staged.xlsx", ".stream.xlsx")


def temp_beside(path: Path, part: str) -> Path:
    """The name of a temporary workbook beside ``path`` (``.audit.xlsx.stream.tmp.xlsx``)."""
    name = path.name.removesuffix(TEMP_SUFFIX)
    return path.with_name(f".{name.lstrip('.')}.{part}{TEMP_SUFFIX}")


def is_temp_name(name: str) -> bool:
    """True for the name of a temporary workbook xlpack writes (see :func:`temp_beside`)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    return base.startswith(".") and base.endswith((TEMP_SUFFIX, *_OLD_TEMP_SUFFIXES))


def replace_atomically(path: Path, write: Callable[[Path], None], *, keep_backup: bool = True) -> Path | None:
    """Write a new version of ``path`` with ``write(tmp_path)`` and swap it in.

    Returns the backup's path (None when there was no previous file).
    """
    path = Path(path)
    if path.exists():
        ensure_not_open(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=TEMP_SUFFIX, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    backup: Path | None = None
    try:
        write(tmp)
        if path.exists():
            shutil.copymode(path, tmp)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        if path.exists() and keep_backup:
            backup = backup_path(path)
            backup.parent.mkdir(exist_ok=True)
            shutil.copy2(path, backup)
        os.replace(tmp, path)
    except PermissionError as exc:
        raise WorkbookInUseError(
            f"{path} could not be replaced ({exc.strerror}). If it is open in Excel, close it and try again."
        ) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return backup


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
