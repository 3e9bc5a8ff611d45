"""Every workbook xlpack writes is started here, with text kept as text and the marking in its properties.

xlsxwriter by default turns text that looks like a formula, a number or a
web address into one: an answer starting with ``=`` or ``-`` would become
a formula, ``007`` a number. :func:`new_workbook` turns all three off and
sets the document properties every workbook carries (its title, the
protective marking as subject and keywords, the date it was created).
:func:`close_workbook` finishes every one of them, so that a write the disk
refuses leaves nothing open behind it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar, overload

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError

from xlpack.model.marking import MARKING

Book = TypeVar("Book", bound=xlsxwriter.Workbook)


@overload
def new_workbook(target: Path | IO[bytes], title: str, created: datetime, *, kind: type[Book],
                 properties: dict[str, Any] | None = None, **options: Any) -> Book: ...


@overload
def new_workbook(target: Path | IO[bytes], title: str, created: datetime, *,
                 properties: dict[str, Any] | None = None, **options: Any) -> xlsxwriter.Workbook: ...


def new_workbook(target: Path | IO[bytes], title: str, created: datetime, *,
                 kind: type[xlsxwriter.Workbook] = xlsxwriter.Workbook, properties: dict[str, Any] | None = None,
                 **options: Any) -> xlsxwriter.Workbook:
    """A workbook (of class ``kind``) writing to ``target`` (a path, or a binary buffer with ``in_memory=True``).

    ``options`` are xlsxwriter's workbook options, ``properties`` document properties beyond the title,
    marking and creation date.
    """
    book = kind(str(target) if isinstance(target, Path) else target,
                {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, **options})
    book.set_properties({"title": title, "subject": MARKING, "keywords": MARKING, "created": created,
                         **(properties or {})})
    return book


def close_workbook(book: xlsxwriter.Workbook) -> None:
    """Finish ``book`` (xlsxwriter's ``close``: the package is assembled and written).

    A write the system refuses (a full disk, a folder that cannot be written) raises its OSError itself, not
    xlsxwriter's FileCreateError around it. xlsxwriter then leaves the half-written archive open, held only by the
    exception's traceback: collected later, it would try to write its end into the same file, fail again, and
    Python would print "Exception ignored in: ZipFile.__del__" (at the command's exit, or in the log of the
    long-lived Excel server). The archive is let go of here, its file closed, nothing more written into it.
    """
    try:
        book.close()
    except Exception as exc:
        cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else None
        for archive in _open_archives(exc):
            _let_go(archive)
        if isinstance(cause, OSError):
            raise cause from None
        raise


def _open_archives(exc: BaseException) -> Iterator[zipfile.ZipFile]:
    """The archives xlsxwriter had open for writing when ``exc`` (or an exception it wraps) was raised."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        todo += [e.__cause__, e.__context__, *(a for a in e.args if isinstance(a, BaseException))]
        tb = e.__traceback__
        while tb is not None:
            frame = tb.tb_frame
            if str(frame.f_globals.get("__name__", "")).startswith("xlsxwriter"):
                for value in list(frame.f_locals.values()):
                    if isinstance(value, zipfile.ZipFile) and value.mode == "w" and id(value) not in seen:
                        seen.add(id(value))
                        yield value
            tb = tb.tb_next


def _let_go(archive: zipfile.ZipFile) -> None:
    """Close ``archive``'s file without writing its end (the file is unusable; it is removed by the caller):
    with no file left, ``ZipFile.close`` and ``__del__`` do nothing."""
    fp, archive.fp = archive.fp, None
    opened_here = not getattr(archive, "_filePassed", not isinstance(archive.filename, str))
    if fp is not None and opened_here:  # a file the archive opened itself (a buffer passed in is the caller's)
        with suppress(OSError):  # flushing what is left fails again on a full disk; the file is closed all the same
            fp.close()
