"""Drafts are put in place whole, then recorded; a killed run's drafts are either recorded or removed.

:func:`staged` writes the drafts into a hidden staging folder beside their
folder (``.xlpack-drafts-<workbook>-…``) holding a marker
(:data:`MARKER`) that says which workbook and which run they belong to.
The staging folder is renamed into place whole, then the coordinator
workbook records the drafts (Mail log), then the marker is removed. If the
run stops before the workbook recorded them (an error, Ctrl-C, SIGTERM),
the drafts are removed again, so the Mail log never lists a draft that is
not there. After SIGKILL, :func:`sweep` (run by the next ``mail`` on the
same workbook, under its lock) removes the staging folders the killed run
left, and settles a folder still marked: kept (marker removed) if the
Mail log lists its drafts, removed if not.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta
from pathlib import Path

from xlpack.coordinator.plan_sheets import read_plan
from xlpack.model.plan import MailRecord
from xlpack.workbook.write import Keep, can_splice, keep_analysis

MARKER = ".xlpack-unrecorded"
STAGING = ".xlpack-drafts-"
SLACK = timedelta(seconds=2)  # the Mail log keeps the time to the second (Excel may round it)

ReadLog = Callable[[], list[MailRecord]]


def _prefix(audit: Path) -> str:
    return f"{STAGING}{audit.name}-"


def recorded(folder: Path, read_log: ReadLog) -> bool:
    """Whether the Mail log lists the drafts of the marked ``folder`` (the run that wrote them recorded them)."""
    try:
        mark = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        moment = datetime.fromisoformat(mark["drafted"])
    except (OSError, ValueError, KeyError, TypeError):
        return False
    names = {p.name for p in folder.glob("*.eml")}
    return any(r.kind == mark.get("kind") and r.draft in names and abs(r.drafted - moment) <= SLACK
               for r in read_log())


def workbook_state(audit: Path) -> tuple[int, int, int] | None:
    """The workbook file's identity and version (inode, size, modification time): any replacement changes it."""
    try:
        st = os.stat(audit)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def settle(folder: Path, read_log: ReadLog, *, untouched: bool = False) -> bool:
    """A marked drafts folder: keep it (removing the marker) if recorded, else remove it. True if kept.

    ``untouched``: the caller knows the workbook was not replaced since the drafts were put in place (the same
    file, see :func:`workbook_state`), so nothing recorded them, whatever an earlier run of the same second
    recorded under the same names.
    """
    if not (folder / MARKER).exists():
        return folder.is_dir()
    if not untouched and recorded(folder, read_log):
        with suppress(OSError):
            (folder / MARKER).unlink()
        return True
    shutil.rmtree(folder, ignore_errors=True)
    return False


def logged(audit: Path) -> list[MailRecord]:
    """The Mail log as the workbook holds it now (nothing, when it cannot be read)."""
    try:
        return read_plan(audit, strict=False).mail_log
    except Exception:  # noqa: BLE001 - cannot be read: nothing is taken as recorded
        return []


def settle_stopped(folder: Path, audit: Path, before: tuple[int, int, int] | None) -> bool:
    """Settle the drafts of a run stopped after putting them in place: removed when the workbook is still the
    file it was before the run (``before``, from :func:`workbook_state`), else as its Mail log says."""
    untouched = before is not None and workbook_state(audit) == before
    return settle(folder, lambda: logged(audit), untouched=untouched)


def sweep(audit: Path, parents: list[Path], read_log: ReadLog) -> list[Path]:
    """Remove what a killed ``mail`` on ``audit`` left in ``parents``; returns the folders removed."""
    removed = []
    for parent in dict.fromkeys(parents):
        if not parent.is_dir():
            continue
        for entry in sorted(parent.iterdir()):
            if not entry.is_dir() or entry.is_symlink():
                continue
            if entry.name.startswith(_prefix(audit)) or _legacy(entry):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
            elif (entry / MARKER).is_file() and _owner(entry) == audit.name and not settle(entry, read_log):
                removed.append(entry)
    return removed


def _legacy(entry: Path) -> bool:
    """A staging folder of an earlier xlpack, which did not name the workbook in it (and never removed it)."""
    return entry.name.startswith(STAGING) and ".xlsx-" not in entry.name.lower()


def _owner(folder: Path) -> str | None:
    try:
        return str(json.loads((folder / MARKER).read_text(encoding="utf-8")).get("workbook"))
    except (OSError, ValueError, AttributeError):
        return None


def keep_for(audit: Path, sheets: list[str], command: str) -> Keep | None:
    """What recording drafts on ``sheets`` needs of the analysis: nothing when only those sheets are replaced,
    else :func:`~xlpack.workbook.write.keep_analysis`, whose refusal (something typed would be lost) names
    ``command``, the one run ("mail would lose ...", not "generate would lose ...")."""
    return None if can_splice(audit, sheets) else keep_analysis(audit, command)


def stage(audit: Path, folder: Path, kind: str, moment: datetime) -> Path:
    """A new staging folder beside ``folder``, marked as the unrecorded drafts of this run."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=_prefix(audit), dir=folder.parent))
    (tmp / MARKER).write_text(json.dumps({"workbook": audit.name, "kind": kind, "drafted": moment.isoformat()}),
                              encoding="utf-8")
    return tmp


def place(tmp: Path, folder: Path) -> None:
    """Move the staged drafts into ``folder`` whole (a rename; into an empty ``folder`` given with --out)."""
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    os.rename(tmp, folder)


def unmark(folder: Path) -> None:
    """The drafts are recorded: the folder is an ordinary drafts folder from now on."""
    (folder / MARKER).unlink()
