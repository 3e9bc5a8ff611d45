"""From intake's results and the plan to the consolidated audit, with no files touched.

:func:`received_from_intake` turns intake's per-file results into
:class:`Received` records; :func:`build_consolidated` works out the returns,
grades, closing answers, views and flags from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from xlpack.analysis.dataset import (
    Received,
    accepted_forms,
    build_grades,
    build_returns,
    build_summaries,
    build_views,
)
from xlpack.analysis.flags import FlagContext, find_flags
from xlpack.intake.batch import FileResult
from xlpack.intake.problems import OWN_FILES, Problem
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.plan import AuditPlan


def _naive(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: UTC times are written as UTC wall-clock time."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _detail(problems: Sequence[Problem], status: str) -> str:
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


def received_from_intake(files: Sequence[FileResult]) -> list[Received]:
    """Intake's per-file results as :class:`Received` records.

    Files xlpack wrote itself (the coordinator workbook, its backups and
    temporary copies, blank forms as issued, the manifest, the report) are
    not returns: they are left out, so consolidating the audit's own folder
    gives the same Returns, grades and flags as consolidating its returns.
    """
    return [Received(source=f.path, status=f.status, form_id=f.form_id or "", detail=_detail(f.problems, f.status),
                     saved_at=_naive(f.saved_at), form=f.form if f.status in ("accepted", "accepted_with_warnings")
                     else None) for f in files if not _own_file(f)]


def _own_file(f: FileResult) -> bool:
    return f.status == "skipped" and any(p.code in OWN_FILES for p in f.problems)


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


