"""``xlpack consolidate``: returned forms in, the coordinator's analysis out.

:func:`consolidate` reads the plan and what the coordinator typed into the
analysis sheets, runs intake over the returned files, builds a
:class:`ConsolidatedAudit` (returns, grades, closing answers, views and the
consistency flags), puts the coordinator's moderation and resolutions back
on their rows, and rewrites the coordinator workbook atomically with a
dated backup. It refuses, naming the cells, rather than drop anything the
coordinator typed. :func:`read_consolidated` reads the result back.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from pydantic import BaseModel

from .analysis_sheets import analysis_sheets
from .carryover import PLAN_SHEETS, Typed, apply, read_typed
from .changes import LostCell, lost_plan_cells, packed_digests
from .consolidated import ConsolidatedAudit, OrphanRow
from .coordinator import START, SheetWriter, Styles, read_plan, write_coordinator
from .dataset import Received, accepted_forms, build_grades, build_returns, build_summaries, build_views
from .errors import UsageError, WorkbookError
from .flags import FlagContext, find_flags
from .plan import AuditPlan
from .readback import META, META_SCHEMA, Workbook, read_consolidated
from .render_xlsx import writers
from .sheetmodel import Sheet
from .workbookio import ensure_not_open, replace_atomically
from .xlsx_stream import Stream, stream_rows

__all__ = ["ConsolidateResult", "ConsolidatedAudit", "KeepTypedError", "OrphanRow", "build_consolidated",
           "consolidate", "keep_analysis", "read_consolidated", "received_from_intake"]

DIGEST_CELL = 32000  # characters of packed digests per cell
Progress = Callable[[int, int], None]
URGENT_SHOWN = 20  # urgent flags listed in the summary; the rest are on the Flags sheet


class KeepTypedError(WorkbookError):
    """consolidate would lose something the coordinator typed; nothing was written."""

    def __init__(self, path: Path, problems: list[str]):
        self.path, self.problems = path, problems
        super().__init__(str(self))

    def __str__(self) -> str:
        head = (f"{self.path} was not changed: consolidate would lose {len(self.problems)} thing(s) typed into it. "
                "Nothing is written until they are dealt with:")
        shown = self.problems[:20]
        more = [f"  ... and {len(self.problems) - len(shown)} more."] if len(self.problems) > len(shown) else []
        return "\n".join([head, *(f"  - {p}" for p in shown), *more])


@dataclass
class ConsolidateResult:
    audit: Path
    data: ConsolidatedAudit
    files: list[Any] = field(default_factory=list)  # intake's FileResult per returned file
    backup: Path | None = None
    intake: Any = None  # intake's IntakeResult

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
        lines = [(f"Consolidated {accepted} of {t['forms_issued']} issued form(s) into {self.audit}: "
                  f"{t.get('returns_overdue', 0)} overdue, {t.get('returns_missing', 0)} not returned yet, "
                  f"{t['rejected_files']} returned file(s) rejected.")]
        lines.append(f"{t['flags']} flag(s): {t.get('flags_urgent', 0)} urgent, {t.get('flags_high', 0)} high, "
                     f"{t.get('flags_medium', 0)} medium, {t.get('flags_low', 0)} low.")
        urgent = [f for f in data.flags if f.severity == "urgent"]
        for f in urgent[:URGENT_SHOWN]:
            lines.append(f"  URGENT {f.case_ref}: {f.message}")
        if len(urgent) > URGENT_SHOWN:
            lines.append(f"  ... and {len(urgent) - URGENT_SHOWN} more urgent flag(s) on the Flags sheet.")
        if data.orphaned:
            lines.append(f"{len(data.orphaned)} moderated grade(s), note(s) or resolution(s) lost their row: see the "
                         "Orphaned sheet.")
        if self.backup:
            lines.append(f"The previous version is kept as {self.backup}.")
        lines.append(f"Open {self.audit}: the Flags sheet first (urgent at the top), Returns for who to chase, "
                     "the Case grid to read each case across agencies.")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {"schema": "xlpack-consolidate/1", "audit": str(self.audit), "audit_id": self.data.plan.audit_id,
                "backup": str(self.backup) if self.backup else None, "totals": self.totals,
                "files": [f.to_dict() for f in self.files],
                "flags": [f.model_dump(mode="json") for f in self.data.flags],
                "orphaned": [o.model_dump(mode="json") for o in self.data.orphaned]}


# --------------------------------------------------------------------------
# From intake's results to records


def _naive(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: UTC times are written as UTC wall-clock time."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _detail(problems: Sequence[Any], status: str) -> str:
    """The problems worth showing on the Returns sheet, as one line."""
    wanted = {"rejected": ("error",), "accepted_with_warnings": ("warning",), "skipped": ("info", "warning"),
              "superseded": ("info",)}.get(status, ())
    parts = []
    for p in problems:
        if p.severity not in wanted:
            continue
        where = f"{p.sheet}!{p.cell}: " if p.sheet and p.cell and p.cell not in p.message else ""
        parts.append(where + p.message)
    return " ".join(parts)


_ALL_FIELDS: dict[type[BaseModel], set[str]] = {}
SHORT_TEXT = 40  # answers up to this long are held once however many forms give them


def share_field_sets(models: Iterable[BaseModel]) -> None:
    """Records given every field share one set of the field names instead of a set each (hundreds of bytes).

    Only a complete set is shared, so setting a field later (which adds
    its name to the set) changes nothing for the others.
    """
    for m in models:
        full = _ALL_FIELDS.get(type(m))
        if full is None:
            full = _ALL_FIELDS[type(m)] = set(type(m).model_fields)
        if m.__pydantic_fields_set__ == full:
            object.__setattr__(m, "__pydantic_fields_set__", full)


class FormCompactor:
    """Makes intake's forms small as they arrive: what every form of a layout repeats is held once.

    The cell maps (the same for every form made from one layout), the
    records' sets of field names (see :func:`share_field_sets`), the names
    (ids, grades, cases, agencies) and short answers are shared between
    forms instead of each form keeping its own copy; the values are
    unchanged. Shared maps must not be changed in place (they are only read).
    """

    def __init__(self) -> None:
        self._maps: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}

    def _map(self, cells: dict[str, str]) -> dict[str, str]:
        return self._maps.setdefault(tuple(cells.items()), cells)

    def __call__(self, result: Any) -> None:
        """``intake``'s ``on_file``: compact the result's form in place."""
        form = result.form
        if form is None:
            return
        intern = sys.intern
        for name in ("form_id", "case_ref", "agency", "auditor"):  # the file's own copies of the form's names
            value = getattr(result, name)
            if value is not None:
                setattr(result, name, intern(value))
        values = form.__dict__  # set directly: the fields are unchanged, only their copies shared
        for name in ("form_id", "audit_id", "case_ref", "agency", "auditor", "role", "tool_id", "tool_version",
                     "sheet"):
            values[name] = intern(values[name])
        values["cells"] = self._map(form.cells)
        for answers in (form.fields, form.closing):  # choices (Yes, No, a grade) repeat from form to form
            for key, value in answers.items():
                if type(value) is str and len(value) <= SHORT_TEXT:
                    answers[key] = intern(value)
        share_field_sets([form])
        for answer in form.sections.values():
            a = answer.__dict__
            a["section_id"] = intern(a["section_id"])
            for name in ("grade", "grade_code"):
                if a[name] is not None:
                    a[name] = intern(a[name])
            a["cells"] = self._map(answer.cells)
        share_field_sets(form.sections.values())


def received_from_intake(files: Sequence[Any]) -> list[Received]:
    """Intake's per-file results as :class:`Received` records."""
    return [Received(source=f.path, status=f.status, form_id=f.form_id or "", detail=_detail(f.problems, f.status),
                     saved_at=_naive(f.saved_at), form=f.form if f.status in ("accepted", "accepted_with_warnings")
                     else None) for f in files]


def build_consolidated(plan: AuditPlan, received: Sequence[Received], today: date,
                       now: datetime | None = None, *, release: bool = False) -> ConsolidatedAudit:
    """Returns, grades, closing answers, views and flags from the plan and the returned files (no I/O).

    With ``release``, the answers of the returned forms are dropped as they
    become grade rows (consolidate does this to keep large audits small).
    """
    forms = accepted_forms(plan, received)
    returns = build_returns(plan, received, today)
    flags = find_flags(FlagContext(plan, forms, returns, today))
    summaries, views = build_summaries(plan, forms), build_views(plan, forms)
    return ConsolidatedAudit(plan=plan, returns=returns, grades=build_grades(plan, forms, release=release),
                             summaries=summaries, flags=flags, views=views, consolidated_at=now)


# --------------------------------------------------------------------------
# Writing


def meta_writer(sheets: Sequence[Sheet], data: ConsolidatedAudit) -> SheetWriter:
    """The very hidden sheet holding the consolidation time and a digest of every row written."""

    def write(wb: xlsxwriter.Workbook, st: Styles) -> None:
        ws = wb.add_worksheet(META)
        ws.write_string(0, 0, "schema")
        ws.write_string(0, 1, META_SCHEMA)
        ws.write_string(1, 0, "consolidated_at")
        ws.write_string(1, 1, data.consolidated_at.isoformat(sep=" ") if data.consolidated_at else "")
        for r, sheet in enumerate(sheets, start=2):
            packed = packed_digests(sheet)
            ws.write_string(r, 0, "digest")
            ws.write_string(r, 1, sheet.name)
            for c, i in enumerate(range(0, len(packed), DIGEST_CELL), start=2):
                ws.write_string(r, c, packed[i:i + DIGEST_CELL])
        ws.very_hidden()

    return write


def _lost_plan_cells(old: Path, new: Path) -> list[LostCell]:
    before, after = Workbook(old), Workbook(new)
    lost: list[LostCell] = []
    for sheet in PLAN_SHEETS:
        if before.has(sheet):
            new_rows = after.rows(sheet) if after.has(sheet) else []
            lost += lost_plan_cells(sheet, before.rows(sheet), new_rows, ignore=("Now: ",) if sheet == START else ())
    return lost


def analysis_writers(data: ConsolidatedAudit) -> tuple[list[SheetWriter], list[Stream]]:
    """The writers of every analysis sheet and of the hidden sheet, and the tables they leave to stream."""
    sheets = analysis_sheets(data)
    streams: list[Stream] = []
    return [*writers(sheets, data.plan.scale, streams), meta_writer(sheets, data)], streams


def write_checked(audit: Path, plan: AuditPlan, extra: Sequence[SheetWriter],
                  streams: Sequence[Stream] = (), *, release: bool = False) -> Path | None:
    """Rewrite the workbook atomically, refusing if a plan cell the coordinator typed would not survive.

    With ``release`` (lists only), ``extra`` and ``streams`` are emptied once
    written, so the analysis sheets are not held while the result is checked.
    """

    def write(tmp: Path) -> None:
        staged = tmp.with_name(tmp.name + ".staged.xlsx")
        try:
            write_coordinator(staged, plan, extra, keep_backup=False)
            stream_rows(staged, streams)
            if release:
                for used in (extra, streams):
                    if isinstance(used, list):
                        used.clear()
            if audit.exists():
                lost = _lost_plan_cells(audit, staged)
                if lost:
                    raise KeepTypedError(audit, [
                        f"{c}: consolidate would not keep it (only the tables of the plan sheets are read). Move "
                        "it into a table column xlpack reads, or into another workbook." for c in lost])
            os.replace(staged, tmp)
        finally:
            if staged.exists():
                staged.unlink()

    return replace_atomically(audit, write, keep_backup=True)


def keep_analysis(audit: Path) -> Callable[[AuditPlan, date | None], list[SheetWriter]]:
    """For commands that rewrite the plan sheets (generate): keep the last consolidation.

    Call it before changing anything: it refuses, like consolidate, when
    something typed into the analysis sheets would be lost. It returns a
    function giving the writers that put the analysis back for the new plan
    (none when the workbook has not been consolidated); forms issued since
    are added to the Returns sheet as not returned, and moderation, notes
    and resolutions are kept.
    """
    audit = Path(audit)
    if not audit.is_file() or not Workbook(audit).has(META):
        def nothing(plan: AuditPlan, today: date | None = None) -> list[SheetWriter]:
            return []

        return nothing
    typed = read_typed(audit, read_plan(audit, strict=False).scale)
    if typed.problems:
        raise KeepTypedError(audit, typed.problems)
    data = read_consolidated(audit)

    def extra(plan: AuditPlan, today: date | None = None) -> list[SheetWriter]:
        listed = {r.form_id for r in data.returns}
        new = [f for f in plan.issued if f.form_id not in listed]
        added = build_returns(plan.model_copy(update={"issued": new}), [], today or date.today())
        kept = data.model_copy(update={"plan": plan, "returns": [*data.returns, *added]})
        sheets = analysis_sheets(kept)  # all written by xlsxwriter: generate writes the file itself
        return [*writers(sheets, plan.scale), meta_writer(sheets, kept)]

    return extra


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of small, acyclic records are built (it only slows it down)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def consolidate(audit: Path, returns: Sequence[Path], *, password: str | None = None, today: date | None = None,
                progress: Progress | None = None) -> ConsolidateResult:
    """Consolidate the returned forms under ``returns`` into the coordinator workbook ``audit``."""
    with _gc_paused():
        return _consolidate(audit, returns, password, today, progress)


def _consolidate(audit: Path, returns: Sequence[Path], password: str | None, today: date | None,
                 progress: Progress | None) -> ConsolidateResult:
    from .intake import intake

    audit = Path(audit)
    if audit.suffix.lower() != ".xlsx":
        raise UsageError(f"{audit}: the coordinator workbook must be an .xlsx file.")
    if not audit.is_file():
        raise UsageError(f"The coordinator workbook {audit} does not exist.")
    ensure_not_open(audit)
    plan = read_plan(audit)
    share_field_sets([*plan.cases, *plan.assignments, *plan.issued])  # large audits: tens of thousands of rows
    typed: Typed = read_typed(audit, plan.scale)
    if typed.problems:
        raise KeepTypedError(audit, typed.problems)
    result = intake(list(returns), plan, password=password, progress=progress, on_file=FormCompactor())
    gc.collect()  # what reading in processes left in cycles (collection is paused here)
    now = datetime.now().replace(microsecond=0)
    data = build_consolidated(plan, received_from_intake(result.files), today or date.today(), now, release=True)
    for f in result.files:  # the answers are in the records now: keep large audits small
        f.form = None
    share_field_sets([*data.returns, *data.summaries, *data.views])
    result.accepted = []
    apply(data, typed, now)
    extra, streams = analysis_writers(data)
    backup = write_checked(audit, plan, extra, streams, release=True)
    return ConsolidateResult(audit, data, list(result.files), backup, result)
