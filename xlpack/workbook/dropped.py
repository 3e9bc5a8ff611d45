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
from collections.abc import Callable, Sequence
from pathlib import Path

from xlpack.errors import WorkbookError
from xlpack.intake.batch import FileResult
from xlpack.model.records import ReturnRow

SHOWN = 20  # absent forms listed in the message; the rest are counted
#: How the CLI goes on when earlier results are dropped on purpose; the Excel skins say it in their own words.
ALLOW_MISSING = "run again with --allow-missing"


class ResultsWouldBeDroppedError(WorkbookError):
    """Consolidating the returns given would drop results the workbook holds; nothing was written.

    ``absent`` are the forms accepted last time that were not given; :meth:`told` gives the message
    with another way of dropping them on purpose than the CLI's option (a button's tick box).
    """

    def __init__(self, compose: Callable[[str], str], absent: Sequence[ReturnRow] = ()):
        self.compose, self.absent = compose, list(absent)
        super().__init__(compose(ALLOW_MISSING))

    def told(self, how: str) -> str:
        """The message, saying ``how`` to drop the earlier results on purpose (for example "tick ...")."""
        return self.compose(how)


def _name(path: str) -> str:
    return re.split(r"[\\/]", path.rstrip("\\/"))[-1].casefold()


def absent_forms(earlier: Sequence[ReturnRow], files: Sequence[FileResult]) -> list[ReturnRow]:
    """The forms accepted last time of which no copy (by form id, or by the file's name) is among ``files``."""
    ids = {f.form_id for f in files if f.form_id}
    names = {_name(f.path) for f in files}
    return [r for r in earlier if r.form_id not in ids and not (r.source and _name(r.source) in names)]


def check_nothing_dropped(audit: Path, given: Sequence[Path], earlier: Sequence[ReturnRow],
                          files: Sequence[FileResult], *, allow_missing: bool = False) -> list[ReturnRow]:
    """Refuse if the returns read would drop earlier results; returns the forms dropped on purpose."""
    where = ", ".join(str(p) for p in given[:3]) + (f" and {len(given) - 3} more" if len(given) > 3 else "")
    absent = absent_forms(earlier, files)
    if allow_missing:
        return absent
    if not any(f.kind == "workbook" for f in files):
        lost = (f" Consolidating would drop the {len(earlier)} form(s) accepted last time, with their grades and "
                "flags (moderation and resolutions would move to the Orphaned sheet)." if earlier else "")
        raise ResultsWouldBeDroppedError(lambda how: (
            f"{audit} was not changed: no returned forms were found in {where} ({len(files)} file(s) looked at, none "
            f"of them a workbook).{lost} Check that you gave the folder holding the returned forms (for instance "
            "returns beside the workbook)." + (f" To empty the analysis on purpose, {how}." if earlier else "")),
            earlier)
    if absent:
        lines = [f"  - {r.file or _name(r.source)} (case {r.case_ref}, {r.agency}, {r.auditor}), read last time "
                 f"from {r.source or 'a file not recorded'}" for r in absent[:SHOWN]]
        if len(absent) > SHOWN:
            lines.append(f"  ... and {len(absent) - SHOWN} more.")
        raise ResultsWouldBeDroppedError(lambda how: "\n".join([
            f"{audit} was not changed: {len(absent)} form(s) accepted at the last consolidation are not among the "
            f"returns given ({where}). Consolidating would drop their grades and flags, and move their moderation "
            "and resolutions to the Orphaned sheet:", *lines,
            "Every returned form is read each time: give the folder (or files) holding all of them. If these forms "
            f"were withdrawn on purpose, {how}."]), absent)
    return []
