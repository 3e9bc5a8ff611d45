"""``xlpack consolidate``: returned forms in, the coordinator's analysis out.

:func:`consolidate` reads the plan and what the coordinator typed into the
analysis sheets, runs intake over the returned files, builds a
:class:`ConsolidatedAudit` (returns, grades, closing answers, views and the
consistency flags), puts the coordinator's moderation and resolutions back
on their rows, and rewrites the coordinator workbook atomically with a
dated backup. It refuses, naming the cells, rather than drop anything the
coordinator typed, and, naming the forms, rather than drop results of the
last consolidation because their returns are not among those given. It
holds xlpack's lock on the workbook for the whole run.
:func:`read_consolidated` reads the result back.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xlpack import clock
from xlpack.analysis.build import build_consolidated, received_from_intake
from xlpack.analysis.flags.safeguarded import CHECK_TODAY
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import KeepTypedError, ResultsWouldBeDroppedError, XlpackError
from xlpack.files.lock import WorkbookLock, workbook_lock
from xlpack.files.workbooks import ensure_not_open, require_coordinator
from xlpack.intake import FileResult, IntakeResult, intake
from xlpack.intake.compact import FormCompactor, gc_paused
from xlpack.mail.alerts import AlertBatch, plan_alerts, recorded_in_place, sweep_alerts
from xlpack.model.consolidated import ConsolidatedAudit, OrphanRow
from xlpack.model.records import FlagRow, ReturnRow
from xlpack.wording import counted, noun
from xlpack.workbook.carryover import Typed, apply, read_typed
from xlpack.workbook.dropped import check_nothing_dropped
from xlpack.workbook.readback import accepted_last_time, read_consolidated
from xlpack.workbook.write import analysis_writers, write_checked

__all__ = ["ConsolidateResult", "ConsolidatedAudit", "KeepTypedError", "OrphanRow", "ResultsWouldBeDroppedError",
           "build_consolidated", "consolidate", "read_consolidated", "received_from_intake"]

Progress = Callable[[int, int], None]
URGENT_SHOWN = 20  # urgent flags listed in the summary; the rest are on the Flags sheet
RESOLUTION_SHOWN = 120  # characters of a typed resolution shown with its urgent flag


@dataclass
class ConsolidateResult:
    audit: Path
    data: ConsolidatedAudit
    files: list[FileResult] = field(default_factory=list)
    backup: Path | None = None
    intake: IntakeResult | None = None
    dropped: list[ReturnRow] = field(default_factory=list)  # accepted last time, absent now (allow_missing)
    allowed_by: str = "--allow-missing"  # how the person asked for them to be dropped, in the summary
    alerts: AlertBatch = field(default_factory=AlertBatch)  # safeguarding alerts drafted in this run

    @property
    def rejected(self) -> int:
        return sum(1 for f in self.files if f.status == "rejected")

    @property
    def exit_code(self) -> int:
        """0 done and everything accepted; 3 done, but some returned files were rejected."""
        return 3 if self.rejected else 0

    @property
    def totals(self) -> dict[str, int]:
        statuses: dict[str, int] = {}
        for r in self.data.returns:
            statuses[r.status] = statuses.get(r.status, 0) + 1
        severities: dict[str, int] = {}
        for f in self.data.flags:
            severities[f.severity] = severities.get(f.severity, 0) + 1
        return {"files": len(self.files), "forms_issued": len(self.data.plan.issued),
                "forms_accepted": len({g.form_id for g in self.data.grades}) + len(self.data.views),
                "rejected_files": self.rejected, **{f"returns_{k}": v for k, v in sorted(statuses.items())},
                "flags": len(self.data.flags), **{f"flags_{k}": v for k, v in sorted(severities.items())},
                "orphaned": len(self.data.orphaned)}

    def summary_lines(self) -> list[str]:
        """What was done, what needs attention first, and what to open."""
        t = self.totals
        data = self.data
        accepted = t.get("returns_accepted", 0) + t.get("returns_accepted_with_warnings", 0)
        lines = [(f"Consolidated {accepted} of {counted(t['forms_issued'], 'issued form')} into {self.audit}: "
                  f"{t.get('returns_overdue', 0)} overdue, {t.get('returns_missing', 0)} not returned yet, "
                  f"{counted(t['rejected_files'], 'returned file')} rejected.")]
        if self.alerts.alerts:
            n = len(self.alerts.alerts)
            lines.append(f"{counted(n, 'safeguarding alert')} drafted in {self.alerts.folder}: check and send "
                         f"{noun(n, 'it', 'them')} today.")
        resolved = sum(1 for f in data.flags if f.severity == "urgent" and f.resolution.strip())
        lines.append(f"{counted(t['flags'], 'flag')}: {t.get('flags_urgent', 0)} urgent"
                     f"{f' ({resolved} with a resolution typed)' if resolved else ''}, {t.get('flags_high', 0)} high, "
                     f"{t.get('flags_medium', 0)} medium, {t.get('flags_low', 0)} low.")
        urgent = [f for f in data.flags if f.severity == "urgent"]
        for f in urgent[:URGENT_SHOWN]:
            lines.append(urgent_line(f))
        if len(urgent) > URGENT_SHOWN:
            lines.append(f"  ... and {counted(len(urgent) - URGENT_SHOWN, 'more urgent flag')} on the Flags sheet.")
        if self.dropped:
            n = len(self.dropped)
            lines.append(f"{counted(n, 'form')} accepted last time {noun(n, 'was', 'were')} not among the returns "
                         f"given and {noun(n, 'was', 'were')} dropped, as asked ({self.allowed_by}).")
        if data.orphaned:
            n = len(data.orphaned)
            what = noun(n, "moderated grade, note or resolution", "moderated grades, notes or resolutions")
            lines.append(f"{n} {what} lost {noun(n, 'its', 'their')} row: see the Orphaned sheet.")
        if self.backup:
            lines.append(f"The previous version is kept as {self.backup}.")
        lines.append(f"Open {self.audit}: the Flags sheet first (urgent at the top), Returns for who to chase, "
                     "the Case grid to read each case across agencies.")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"schema": "xlpack-consolidate/1", "audit": str(self.audit), "audit_id": self.data.plan.audit_id,
                "backup": str(self.backup) if self.backup else None, "totals": self.totals,
                "files": [f.to_dict() for f in self.files],
                "flags": [asdict(f) for f in self.data.flags],
                "orphaned": [o.model_dump(mode="json") for o in self.data.orphaned],
                "dropped": [r.form_id for r in self.dropped],
                "alerts": [{"form_id": a.form_id, "case_ref": a.case_ref, "agency": a.agency, "auditor": a.auditor,
                            "answer": a.answer, "to": [addr for _, addr in a.to], "draft": str(a.path),
                            "notes": a.notes} for a in self.alerts.alerts]}


def urgent_line(f: FlagRow) -> str:
    """An urgent flag in the summary: with its resolution, once one is typed, instead of the instruction."""
    resolution = " ".join(f.resolution.split())
    if not resolution:
        return f"  URGENT {f.case_ref}: {f.message}"
    message = f.message.removesuffix(CHECK_TODAY).rstrip()
    shown = resolution if len(resolution) <= RESOLUTION_SHOWN else resolution[:RESOLUTION_SHOWN - 1] + "…"
    return f"  URGENT {f.case_ref} (resolution typed: '{shown}'): {message}"


def consolidate(audit: Path, returns: Sequence[Path], *, password: str | None = None, today: date | None = None,
                progress: Progress | None = None, allow_missing: bool = False,
                again: bool = False) -> ConsolidateResult:
    """Consolidate the returned forms under ``returns`` into the coordinator workbook ``audit``.

    It refuses (:class:`ResultsWouldBeDroppedError`) when no returned form
    is found at all, or when forms accepted last time are absent from the
    returns given, unless ``allow_missing``. A form answering No or Unsure to "Is the child adequately
    safeguarded now?" gets a safeguarding alert drafted (once per form; ``again``: each run). It holds
    xlpack's lock on the workbook for the whole run, and refuses if the workbook is saved by someone else
    before it is replaced.
    """
    audit = require_coordinator(audit)
    ensure_not_open(audit)
    with workbook_lock(audit, "consolidate") as held, gc_paused():
        return _consolidate(audit, returns, password, today, progress, allow_missing, again, held)


def _consolidate(audit: Path, returns: Sequence[Path], password: str | None, today: date | None,
                 progress: Progress | None, allow_missing: bool, again: bool, held: WorkbookLock) -> ConsolidateResult:
    plan = read_plan(audit)
    typed: Typed = read_typed(audit, plan.scale)
    if typed.problems:
        raise KeepTypedError(audit, typed.problems)
    earlier = accepted_last_time(audit) if typed.consolidated else []
    result = intake(list(returns), plan, password=password, progress=progress, on_file=FormCompactor())
    dropped = check_nothing_dropped(audit, returns, earlier, result.files, allow_missing=allow_missing)
    gc.collect()  # what reading in processes left in cycles (collection is paused here)
    now = clock.now()
    moment = datetime.combine(today, now.time()).replace(microsecond=0) if today else now.replace(microsecond=0)
    alerts = plan_alerts(plan, result.accepted, moment, again=again)  # recorded first: the Flags rows say so
    plan = plan.model_copy(update={"mail_log": [*plan.mail_log, *alerts.records]})
    data = build_consolidated(plan, received_from_intake(result.files), today or clock.today(), now, release=True)
    for f in result.files:  # the answers are in the records now: keep large audits small
        f.form = None
    result.accepted = []
    apply(data, typed, now)
    extra, streams = analysis_writers(data)
    def record() -> Path | None:
        return write_checked(audit, plan, extra, streams, release=True, seen=held.seen)

    sweep_alerts(audit)  # what a killed run left of its alert drafts
    try:
        backup = recorded_in_place(audit, alerts, plan, moment, record) if alerts.alerts else record()
    except XlpackError as exc:  # the alerts due are shown all the same, first, as intake shows them
        if alerts.alerts:
            n = len(alerts.alerts)
            exc.first = (*alerts.console_lines(), f"{noun(n, 'The alert above was', 'The alerts above were')} not "
                         "drafted, for the reason below. Run consolidate again once it is put right: it drafts "
                         f"{noun(n, 'it', 'them')}.")
        raise
    return ConsolidateResult(audit, data, list(result.files), backup, result, dropped, alerts=alerts)
