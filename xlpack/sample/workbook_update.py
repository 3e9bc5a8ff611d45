"""Put drawn cases onto the coordinator workbook, losing nothing typed there.

:func:`open_plan` refuses a workbook the draw should not change (open in
Excel, already consolidated, already holding a draw, holding a sheet
xlpack did not write, or a plan with problems); :func:`write_sample`
rewrites it through the coordinator writer (every plan sheet read back and
written again, the new cases after those already on the Cases sheet, the
Sample sheet added) and refuses, naming the cells, if anything typed would
not survive. The previous workbook is kept in ``backups/``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from xlpack.coordinator.plan_sheets import START, read_plan, render_coordinator
from xlpack.coordinator.sample_sheet import SAMPLE
from xlpack.errors import WorkbookError
from xlpack.files.backups import Snapshot
from xlpack.files.workbooks import ensure_not_open, replace_atomically, require_coordinator, temp_beside
from xlpack.model.plan import AuditPlan, Case, SampleRecord
from xlpack.wording import counted, noun
from xlpack.workbook.carryover import KNOWN_SHEETS, PLAN_SHEETS
from xlpack.workbook.changes import LostCell, lost_plan_cells
from xlpack.workbook.readback import META as ANALYSIS_META
from xlpack.workbook.readback import Workbook


def open_plan(audit: Path) -> AuditPlan:
    """The plan of a coordinator workbook cases may be drawn into; UsageError or WorkbookError saying why not."""
    audit = require_coordinator(audit)
    ensure_not_open(audit)
    book = Workbook(audit)
    if book.has(ANALYSIS_META):
        raise WorkbookError(f"{audit} has been consolidated: its cases were audited already, and a new draw would "
                            "not match the returns. Draw the next sample into a new coordinator workbook "
                            "(xlpack init).")
    foreign = [n for n in book.names if n not in KNOWN_SHEETS]
    if foreign:
        raise WorkbookError(f"{audit}: {noun(len(foreign), 'the sheet', 'the sheets')} "
                            f"{', '.join(repr(n) for n in foreign)} {noun(len(foreign), 'was', 'were')} not written "
                            "by xlpack, and the workbook is rewritten to add the cases. Move "
                            f"{noun(len(foreign), 'it', 'them')} to another workbook, then draw again.")
    plan = read_plan(audit)
    if plan.sample is not None:
        s = plan.sample
        raise WorkbookError(f"{audit}: cases were drawn already on {s.drawn_on:%d/%m/%Y} ({s.size} from "
                            f"{s.extract}, seed {s.seed}; see the '{SAMPLE}' sheet). To draw again, delete the "
                            f"'{SAMPLE}' sheet and the cases you no longer want on the Cases sheet.")
    return plan


def write_sample(audit: Path, plan: AuditPlan, cases: Sequence[Case], record: SampleRecord, *,
                 seen: Snapshot | None = None) -> Path | None:
    """Add ``cases`` and the Sample sheet to the workbook; returns the backup of the previous version.

    With ``seen`` (the workbook as the command read it), it refuses if the workbook was saved since.
    """
    audit = Path(audit)
    new_plan = plan.model_copy(update={"cases": [*plan.cases, *cases], "sample": record})

    def write(tmp: Path) -> None:
        staged = temp_beside(tmp, "staged")
        try:
            render_coordinator(staged, new_plan)
            lost = _lost_cells(audit, staged)
            if lost:
                shown = "\n".join(f"  - {c}: it would not be kept (only the tables of the plan sheets are read). "
                                  "Move it into a table column xlpack reads, or into another workbook." for c in lost)
                raise WorkbookError(f"{audit} was not changed: adding the cases would lose "
                                    f"{counted(len(lost), 'thing')} typed into it:\n{shown}")
            os.replace(staged, tmp)
        finally:
            if staged.exists():
                staged.unlink()

    return replace_atomically(audit, write, keep_backup=True, seen=seen)


def _lost_cells(old: Path, new: Path) -> list[LostCell]:
    before, after = Workbook(old), Workbook(new)
    lost: list[LostCell] = []
    for sheet in PLAN_SHEETS:
        if before.has(sheet):
            rows = after.rows(sheet) if after.has(sheet) else []
            lost += lost_plan_cells(sheet, before.rows(sheet), rows, ignore=("Now: ",) if sheet == START else ())
    return lost
