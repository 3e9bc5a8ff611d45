"""The files to look at, from the paths a person gave: folders walked, links followed once, nothing opened.

:func:`discover` lists every file under the paths, in a stable order and
each once (a file reached by two paths or links is listed at the first),
and puts a problem in the place of what is not a file to read: a path
that is not there, a broken link, a device or pipe, a link into a folder
of the operating system (not followed).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlpack.intake.items import WORKBOOK_SUFFIXES
from xlpack.intake.problems import Problem, problem

#: Folders of the operating system that hold no files of returns: a link into one is not followed.
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


@dataclass
class Found:
    """A file (or a problem where one was expected) found by :func:`discover`."""

    path: str
    disk: Path
    problem: Problem | None = None


def discover(paths: Sequence[Path]) -> list[Found]:
    """Every file under ``paths``, in a stable order, each once."""
    walk = _Walk()
    for p in paths:
        walk.visit(Path(p), str(p))
    return walk.out


@dataclass
class _Walk:
    out: list[Found] = field(default_factory=list)
    seen_files: set[tuple[int, int]] = field(default_factory=set)
    seen_dirs: set[tuple[int, int]] = field(default_factory=set)

    def visit(self, disk: Path, shown: str) -> None:
        st = self._stat(disk, shown)
        if st is None:
            return
        key = (st.st_dev, st.st_ino)
        if stat.S_ISDIR(st.st_mode):
            if key not in self.seen_dirs:
                self.seen_dirs.add(key)
                self._folder(disk, shown)
        elif stat.S_ISREG(st.st_mode):
            if key not in self.seen_files:
                self.seen_files.add(key)
                self.out.append(Found(shown, disk))
        else:
            self.out.append(Found(shown, disk, problem("not-a-file", what="a device, pipe or socket")))

    def _stat(self, disk: Path, shown: str) -> os.stat_result | None:
        """What ``disk`` is (a link followed); None, with the problem listed, when it cannot be looked at."""
        try:
            lst = os.lstat(disk)
        except FileNotFoundError:
            self.out.append(Found(shown, disk, problem("not-found")))
            return None
        except OSError as exc:
            self.out.append(Found(shown, disk, problem("unreadable", detail=exc.strerror or exc)))
            return None
        if not stat.S_ISLNK(lst.st_mode):
            return lst
        system = _system_target(disk)
        if system is not None:
            self.out.append(Found(shown, disk, problem("not-a-file", what=f"a link into {system}, a folder of the "
                                                       "operating system (not followed)")))
            return None
        try:
            return os.stat(disk)
        except OSError:
            self.out.append(Found(shown, disk, problem("broken-link", target=_link_target(disk))))
            return None

    def _folder(self, disk: Path, shown: str) -> None:
        if disk.suffix.lower() in WORKBOOK_SUFFIXES:
            self.out.append(Found(shown, disk, problem("not-a-file", what="a folder (the files inside it were read)")))
        try:
            children = sorted(os.listdir(disk))
        except OSError as exc:
            self.out.append(Found(shown, disk, problem("unreadable", detail=exc.strerror or exc)))
            return
        for child in children:
            self.visit(disk / child, f"{shown.rstrip('/')}/{child}")


def _system_target(link: Path) -> str | None:
    """The system folder a link leads into (following every link on the way), if it does."""
    if os.name != "posix":
        return None
    try:
        target = os.path.realpath(link)
    except (OSError, ValueError):
        return None
    return next((top for top in SYSTEM_FOLDERS if target == top or target.startswith(top + "/")), None)


def _link_target(link: Path) -> str:
    try:
        return os.readlink(link)
    except (OSError, ValueError) as exc:
        return f"where it leads cannot be read: {getattr(exc, 'strerror', None) or exc}"
