"""Output sets written whole: every file (or folder) of a run under a temporary name, then moved into place.

``compare`` writes a workbook and a Word document; ``feedback`` a folder of
documents and their index. :func:`write_set` writes each under a hidden
temporary name beside where it goes (:func:`staged_name`, named as
:mod:`xlpack.files.temp_names` names xlpack's temporary files), and only
when all are written moves them into place, one rename each, the last
straight after the first. A run that fails or is stopped (SIGTERM, Ctrl-C)
removes what it staged; one killed outright leaves only hidden staged
files, which the next run on the same targets removes first
(:func:`sweep`). A folder that does not exist yet arrives whole; into a
folder that exists, each file is moved on its own.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from xlpack.files.temp_names import TEMP_SUFFIX, temp_beside
from xlpack.files.workers import sigterm_as_exit

STAGED = "staged"


@dataclass(frozen=True)
class Output:
    """One target of a set and how to write it: ``write(path)`` writes the file, or fills the folder, at path."""

    target: Path
    write: Callable[[Path], None]
    folder: bool = False
    last: str = ""  # in a folder: the file moved in last (an index that says the rest is there)


def staged_name(target: Path, folder: bool = False) -> Path:
    """Where ``target`` is written before it is moved into place (``.NAME.staged.tmp.xlsx``; a folder's:
    ``.NAME.staged.tmp``)."""
    staged = temp_beside(target, STAGED)
    return staged.with_name(staged.name.removesuffix(".xlsx")) if folder else staged


def sweep(targets: Sequence[tuple[Path, bool]]) -> None:
    """Remove what a killed run left for these targets: their staged files and folders, and the temporary
    files earlier xlpacks left (``.STEM.….tmp.xlsx``)."""
    for target, folder in targets:
        staged = staged_name(target, folder)
        if staged.is_dir() and not staged.is_symlink():
            shutil.rmtree(staged, ignore_errors=True)
        elif staged.is_file() or staged.is_symlink():
            with suppress(OSError):
                staged.unlink()
        with suppress(OSError):
            for name in os.listdir(target.parent):
                left = target.parent / name
                if name.startswith(f".{target.stem}.") and name.endswith(TEMP_SUFFIX) and left.is_file():
                    left.unlink()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        with suppress(OSError):
            path.unlink()


def _place(staged: Path, o: Output) -> None:
    if not o.folder or not o.target.exists():
        os.replace(staged, o.target)
        return
    target = o.target
    names = sorted(os.listdir(staged), key=lambda n: (n == o.last, n))
    for name in names:  # into a folder that exists: each file on its own
        os.replace(staged / name, target / name)
    staged.rmdir()


def write_set(outputs: Sequence[Output], last: Path | None = None) -> None:
    """Write every output under its staged name, then move them all into place (``last`` is moved last)."""
    sweep([(o.target, o.folder) for o in outputs])
    order = sorted(outputs, key=lambda o: o.target == last)
    staged: list[tuple[Output, Path]] = []
    with sigterm_as_exit():
        try:
            for o in order:
                o.target.parent.mkdir(parents=True, exist_ok=True)
                path = staged_name(o.target, o.folder)
                staged.append((o, path))
                try:
                    o.write(path)
                except Exception as exc:  # to find the system's error inside a writer's own
                    failed = exc if isinstance(exc, OSError) else exc.__context__  # xlsxwriter's FileCreateError
                    if not isinstance(failed, OSError):
                        raise
                    if failed.filename is None:  # a write that failed names no file: it was this one
                        failed.filename = str(path)
                    raise failed from None
            for o, path in staged:
                _place(path, o)
        finally:
            for _, path in staged:
                _remove(path)
