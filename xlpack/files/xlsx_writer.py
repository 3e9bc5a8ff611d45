"""Every workbook xlpack writes is started here, with text kept as text and the marking in its properties.

xlsxwriter by default turns text that looks like a formula, a number or a
web address into one: an answer starting with ``=`` or ``-`` would become
a formula, ``007`` a number. :func:`new_workbook` turns all three off and
sets the document properties every workbook carries (its title, the
protective marking as subject and keywords, the date it was created).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Any, TypeVar, overload

import xlsxwriter

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
