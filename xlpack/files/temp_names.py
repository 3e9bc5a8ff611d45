"""The names of xlpack's own temporary files, so every stage can tell them from real workbooks.

Every temporary workbook xlpack writes is named ".<name>.<part>.tmp.xlsx",
beside the file it is for (a backup being written too, in ``backups/``), so
intake recognises (and skips) one left behind by an interrupted run, and the
next run on the same workbook removes it. Older runs left the endings in
``_OLD_TEMP_SUFFIXES`` too.
"""

from __future__ import annotations

from pathlib import Path

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
