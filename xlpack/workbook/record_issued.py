"""Recording the forms generate issued: only the sheets that change, when the workbook allows it.

``generate`` changes the plan's list of issued forms (and may add the
default wording of the emails). In the coordinator workbook that changes:

- the plan sheets Start (its "Now:" line counts the forms), Issued forms,
  Messages (when its wording was added), and the hidden plan sheet (which
  records xlpack's own words, the "Now:" line among them);
- once consolidated, the Returns sheet (a form issued since joins it as not
  returned; a reissued form's row shows its auditor's email as issued), and
  when forms were added, the Return totals and the Case grid (a column for
  each new form), with their rows' digests on the hidden analysis sheet.

Nothing else of the analysis depends on the issued forms (a test compares
every sheet with the whole workbook written again). :func:`issued_recorder`,
called before any form is written, refuses as consolidate would when a cell
was typed by hand on one of those analysis sheets, and returns the function
that records the new plan: those sheets drawn again (from the rows read back,
as :func:`~xlpack.workbook.write.keep_analysis` draws them for the whole
write) and put in place of the old ones
(:func:`xlpack.workbook.parts.splice_sheets`), every other part of the
package kept byte for byte. Where that cannot be done (the workbook saved
since by Excel or LibreOffice, a sheet not there yet), the whole workbook is
written, as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from xlpack import clock
from xlpack.coordinator.mail_sheets import MESSAGES
from xlpack.coordinator.plan_sheets import ISSUED, START, render_coordinator, write_coordinator
from xlpack.coordinator.plan_sheets import META as PLAN_META
from xlpack.coordinator.sheet_writing import SheetWriter
from xlpack.errors import KeepTypedError
from xlpack.files.backups import Snapshot
from xlpack.files.workbooks import replace_atomically
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.plan import AuditPlan
from xlpack.workbook.carryover import changed_on
from xlpack.workbook.changes import packed_digests
from xlpack.workbook.parts import NotSpliceable, splice_drawn
from xlpack.workbook.readback import META, Workbook, read_grades, read_returns, read_summaries, read_views
from xlpack.workbook.render import sheet_writer
from xlpack.workbook.sheets import grid as grid_sheet
from xlpack.workbook.sheets import return_totals as totals_sheet
from xlpack.workbook.sheets import returns as returns_sheet
from xlpack.workbook.sheets.common import ANSWERS, GRADES, GRID, RETURN_TOTALS, RETURNS, VIEWS
from xlpack.workbook.write import can_splice, hidden_with_digests, issued_since, keep_analysis

#: Records the new plan in the workbook (the plan, the day forms issued since are due from, the workbook as
#: the command read it); returns the backup of the workbook as it was.
Recorder = Callable[[AuditPlan, date | None, Snapshot | None], Path | None]

#: The plan sheets generate changes (Messages too, when it adds the emails' wording).
PLAN_SHEETS = (START, ISSUED, PLAN_META)
#: The analysis sheets that follow the issued forms: Returns always, the others only when forms are added.
ADDED_SHEETS = (RETURN_TOTALS, GRID)


def issued_recorder(audit: Path, messages_change: bool, adds_forms: bool) -> Recorder:
    """How generate records the forms it issues in ``audit``; call it before any form is written.

    ``messages_change``: the Messages sheet gets the emails' default wording; ``adds_forms``: some forms are
    new (not only reissued). Refuses (:class:`~xlpack.errors.KeepTypedError`) when a cell typed by hand would
    be lost: on the analysis sheets it replaces, or, when the whole workbook is to be written, on any
    (:func:`~xlpack.workbook.write.keep_analysis`).
    """
    audit = Path(audit)
    plan_sheets = [*PLAN_SHEETS, *([MESSAGES] if messages_change else [])]
    book = Workbook(audit)
    analysis = [RETURNS, *(ADDED_SHEETS if adds_forms else ())] if book.has(META) else []
    if can_splice(audit, [*plan_sheets, *analysis]):
        problems = [p for sheet in analysis for p in changed_on(book, sheet)]
        if problems:
            raise KeepTypedError(audit, problems, "generate")
        return _splicer(audit, plan_sheets, analysis)
    return _whole(audit, keep_analysis(audit))


def _whole(audit: Path, keep: Callable[[AuditPlan, date | None], list[SheetWriter]]) -> Recorder:
    def record(plan: AuditPlan, today: date | None, seen: Snapshot | None) -> Path | None:
        return write_coordinator(audit, plan, keep(plan, today), seen=seen)

    return record


def _splicer(audit: Path, plan_sheets: Sequence[str], analysis: Sequence[str]) -> Recorder:
    def record(plan: AuditPlan, today: date | None, seen: Snapshot | None) -> Path | None:
        def draw(scratch: Path) -> list[str]:
            extra = _analysis_writers(audit, plan, analysis, today or clock.today()) if analysis else []
            # every plan sheet, as the whole write draws them: the hidden one records the words of all
            render_coordinator(scratch, plan, extra)
            return [*plan_sheets, *analysis, *([META] if analysis else [])]

        def write(tmp: Path) -> None:
            splice_drawn(audit, tmp, draw)

        try:
            return replace_atomically(audit, write, keep_backup=True, seen=seen)
        except NotSpliceable:
            return _whole(audit, keep_analysis(audit))(plan, today, seen)

    return record


def _analysis_writers(audit: Path, plan: AuditPlan, analysis: Sequence[str], today: date) -> list[SheetWriter]:
    """Writers of the ``analysis`` sheets drawn for ``plan`` from the rows read back (the forms issued since
    joining the Returns sheet), and of the hidden sheet with their rows' digests worked out again."""
    book = Workbook(audit)
    data = issued_since(ConsolidatedAudit(plan=plan, returns=read_returns(book)), plan, today)
    if GRID in analysis:
        views = read_views(book, plan.views) if book.has(VIEWS) else []
        data = data.model_copy(update={"grades": read_grades(book, plan.scale) if book.has(GRADES) else [],
                                       "summaries": read_summaries(book) if book.has(ANSWERS) else [],
                                       "views": views})
    builders = {RETURNS: returns_sheet.build, RETURN_TOTALS: totals_sheet.build, GRID: grid_sheet.build}
    sheets = [builders[name](data) for name in analysis]
    hidden = hidden_with_digests(book, {s.name: packed_digests(s) for s in sheets})
    return [*(sheet_writer(s, plan.scale) for s in sheets), hidden]
