"""Consolidating again never drops earlier results by mistake.

Each consolidation rebuilds the analysis from the returns it is given. Given
an empty or mistyped folder, or a folder from which some returns have gone,
it would empty the rows of forms accepted last time (their moderation moving
to Orphaned). :func:`check_nothing_dropped` refuses instead, naming what
would go and how to go on: when no returned workbook was found at all, and
when forms the last consolidation accepted (read from its Returns sheet) are
simply absent from the returns given. A form that is there but rejected or
superseded this time is not absent: it keeps the usual handling. With
``allow_missing`` the absent forms are dropped on purpose.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from xlpack.errors import ResultsWouldBeDroppedError
from xlpack.intake.batch import FileResult
from xlpack.model.records import ReturnRow
from xlpack.wording import counted, noun

SHOWN = 20  # absent forms listed in the message; the rest are counted


def _name(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1].casefold()


def _issued_blank(f: FileResult) -> bool:
    """A blank form exactly as issued (recognised by its SHA-256): never a return, wherever it is found."""
    return any(p.code == "issued-blank" for p in f.problems)


def absent_forms(earlier: Sequence[ReturnRow], files: Sequence[FileResult]) -> list[ReturnRow]:
    """The forms accepted last time of which no copy (by form id, or by the file's name) is among ``files``.

    A blank form as issued carries the form id and file name of the return it stands for, but is no copy of it.
    """
    returned = [f for f in files if not _issued_blank(f)]
    ids = {f.form_id for f in returned if f.form_id}
    names = {_name(f.path) for f in returned}
    return [r for r in earlier if r.form_id not in ids and not (r.source and _name(r.source) in names)]


def check_nothing_dropped(audit: Path, given: Sequence[Path], earlier: Sequence[ReturnRow],
                          files: Sequence[FileResult], *, allow_missing: bool = False) -> list[ReturnRow]:
    """Refuse if the returns read would drop earlier results; returns the forms dropped on purpose."""
    where = ", ".join(str(p) for p in given[:3]) + (f" and {len(given) - 3} more" if len(given) > 3 else "")
    absent = absent_forms(earlier, files)
    if allow_missing:
        return absent
    if not any(f.kind == "workbook" and not _issued_blank(f) for f in files):
        blanks = sum(1 for f in files if _issued_blank(f))
        looked = f"{counted(len(files), 'file')} looked at"
        seen = (f"{looked}, {blanks} of them {noun(blanks, 'a blank form', 'blank forms')} exactly as issued, none "
                "a returned form" if blanks else f"{looked}, none of them a workbook")
        lost = (f" Consolidating would drop the {counted(len(earlier), 'form')} accepted last time, with "
                f"{noun(len(earlier), 'its', 'their')} grades and flags (moderation and resolutions would move to the "
                "Orphaned sheet)." if earlier else "")
        raise ResultsWouldBeDroppedError(lambda how: (
            f"{audit} was not changed: no returned forms were found in {where} ({seen}).{lost} Check that you gave "
            "the folder holding the returned forms (for instance returns beside the workbook)."
            + (f" To empty the analysis on purpose, {how}." if earlier else "")), earlier)
    if absent:
        lines = [f"  - {r.file or _name(r.source)} (case {r.case_ref}, {r.agency}, {r.auditor}), read last time "
                 f"from {r.source or 'a file not recorded'}" for r in absent[:SHOWN]]
        n = len(absent)
        if n > SHOWN:
            lines.append(f"  ... and {len(absent) - SHOWN} more.")
        raise ResultsWouldBeDroppedError(lambda how: "\n".join([
            f"{audit} was not changed: {counted(n, 'form')} accepted at the last consolidation {noun(n, 'is', 'are')} "
            f"not among the returns given ({where}). Consolidating would drop {noun(n, 'its', 'their')} grades and "
            f"flags, and move {noun(n, 'its', 'their')} moderation and resolutions to the Orphaned sheet:", *lines,
            "Every returned form is read each time: give the folder (or files) holding all of them. If "
            f"{noun(n, 'this form was', 'these forms were')} withdrawn on purpose, {how}."]), absent)
    return []
