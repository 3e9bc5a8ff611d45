"""The Excel front end: the add-in's "Update from returns" button.

The button (``xlpack.xlam``, built by ``xlpack addin``) runs
``import xlpack; xlpack.main()`` through xlwings' RunPython. The coordinator
workbook is open in Excel, and consolidate never writes over an open file,
so the button saves the workbook, closes it, runs the same
:func:`~xlpack.consolidate.consolidate` as the CLI, and opens it again with
a message saying what happened. The workbook the coordinator gets back is
the one the CLI would have written; if anything fails it is reopened as it
was saved, with the reason. When forms accepted last time are missing from
the returns folder, the button asks (Yes/No) whether they were withdrawn on
purpose, the CLI's ``--allow-missing``, instead of only refusing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from xlpack.consolidate import ConsolidateResult, ResultsWouldBeDroppedError, consolidate
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import XlpackError

DEFAULT_RETURNS = "returns"
TITLE = "xlpack"
ASK = "click Yes below to drop them now; No leaves the workbook as it is"
ALLOWED_BY = "you clicked Yes"


def returns_folder(audit: Path) -> Path:
    """The folder named on the Terms of reference, or ``returns`` beside the workbook."""
    named = read_plan(audit, strict=False).terms.returns_folder.strip()
    folder = Path(named).expanduser() if named else Path(DEFAULT_RETURNS)
    return folder if folder.is_absolute() else audit.parent / folder


def update_book(book: Any, *, today: date | None = None) -> str:
    """Save, close, consolidate and reopen ``book`` (an xlwings Book); returns the message shown."""
    app = book.app
    path = Path(book.fullname)
    if path.suffix.lower() != ".xlsx" or not path.is_file():
        message = ("Save this coordinator workbook as an Excel workbook (.xlsx) first, then click "
                   "Update from returns again.")
        app.alert(message, title=TITLE)
        return message
    book.save()
    book.close()
    consolidated = False
    try:
        folder = returns_folder(path)
        if not folder.is_dir():
            message = (f"There is no returns folder at {folder}. Save the returned forms there (or name another "
                       "folder on the Terms of reference sheet) and click Update from returns again.")
        else:
            result = _consolidate(app, path, folder, today)
            consolidated = result is not None
            message = "\n".join(result.summary_lines()) if result else ("You clicked No: nothing was dropped and "
                                                                         "your workbook was not changed.")
    except XlpackError as exc:
        # what must not wait (a safeguarding alert due but not drafted) comes first, as on the console
        message = "\n".join([*exc.first, f"{exc}\n\nYour workbook was not changed."])
    except Exception as exc:  # noqa: BLE001 - the coordinator must get their workbook back, whatever happened
        message = f"xlpack stopped unexpectedly ({type(exc).__name__}: {exc}). Your workbook was not changed."
    finally:
        reopened = app.books.open(str(path))
    if consolidated:
        reopened.sheets["Flags"].activate()
    app.alert(message, title=TITLE)
    return message


def _consolidate(app: Any, path: Path, folder: Path, today: date | None) -> ConsolidateResult | None:
    """Consolidate; when earlier forms would be dropped, ask, and go on only if the coordinator says Yes."""
    try:
        return consolidate(path, [folder], today=today)
    except ResultsWouldBeDroppedError as exc:
        if not exc.absent:
            raise
        if app.alert(exc.told(ASK), title=TITLE, buttons="yes_no") != "yes":
            return None
    result = consolidate(path, [folder], today=today, allow_missing=True)
    result.allowed_by = ALLOWED_BY
    return result


def main() -> None:
    """Entry point of the add-in's button: update the active coordinator workbook."""
    import xlwings as xw  # optional (the excel extra): only inside Excel

    caller = xw.Book.caller()
    # Called from the add-in, the caller is the add-in itself: the coordinator's book is the active one.
    book = caller.app.books.active if str(caller.name).lower().endswith(".xlam") else caller
    update_book(book)
