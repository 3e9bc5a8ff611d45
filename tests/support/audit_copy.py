"""A private copy of an audit's folder for a test that changes it: the workbook and what sits beside it (the
forms generate wrote, the drafts, ...), without its backups."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_audit_folder(audit: Path, to: Path, *, leave: tuple[str, ...] = ()) -> Path:
    """Copy the folder holding the workbook ``audit`` to ``to`` (created), leaving out its ``backups`` folder and any
    other names or patterns in ``leave``; returns the copied workbook (``to / audit.name``)."""
    shutil.copytree(audit.parent, to, ignore=shutil.ignore_patterns("backups", *leave))
    return to / audit.name
