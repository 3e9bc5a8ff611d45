"""From intake's results and the plan to the consolidated audit, with no files touched.

:func:`received_from_intake` turns intake's per-file results into
:class:`Received` records; :func:`build_consolidated` works out the returns,
grades, closing answers, views and flags from them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

from xlpack.analysis.dataset import (
    Received,
    accepted_forms,
    build_grades,
    build_problems,
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


_WHERE = re.compile(r"^Sheet '[^']*', cell [A-Z]+[0-9]+: ")


def first_sentence(message: str) -> str:
    """The first sentence of an intake message, without its full stop ("'Goodish' is not a grade")."""
    for i in range(20, len(message) - 2):
        if message[i] == "." and message[i + 1] == " " and message[i + 2].isupper():
            return message[:i]
    return message.rstrip(".")


def _detail(problems: Sequence[Problem], status: str) -> str:
    """The Returns sheet's one line about a file; every problem itself is on the Problems sheet."""
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    if status == "rejected" and errors:
        p = errors[0]
        message = _WHERE.sub("", p.message)  # the place goes after the message, shortly
        where = f" ({p.sheet}!{p.cell})" if p.sheet and p.cell else ""
        more = len(errors) + len(warnings) - 1
        return first_sentence(message) + where + (f"; {more} more on the Problems sheet" if more else "")
    if status == "accepted_with_warnings" and warnings:
        return f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}: see Problems"
    if status == "skipped":
        return " ".join(p.message for p in problems if p.severity in ("info", "warning"))
    return ""


def _opened_container(f: FileResult) -> bool:
    """A container (.zip, .eml, .msg) opened without trouble: its members are listed, it adds nothing."""
    return f.kind == "container" and f.status == "skipped" and all(p.severity == "info" for p in f.problems)


def received_from_intake(files: Sequence[FileResult]) -> list[Received]:
    """Intake's per-file results as :class:`Received` records.

    Files xlpack wrote itself (the coordinator workbook, its backups and
    temporary copies, blank forms as issued, the manifest, the report) are
    not returns: they are left out, so consolidating the audit's own folder
    gives the same Returns, grades and flags as consolidating its returns.
    Containers opened without trouble are left out too: their members are
    the returns.
    """
    return [Received(source=f.path, status=f.status, form_id=f.form_id or "", detail=_detail(f.problems, f.status),
                     saved_at=_naive(f.saved_at), form=f.form if f.status in ("accepted", "accepted_with_warnings")
                     else None, problems=tuple(f.problems), case_ref=f.case_ref or "", agency=f.agency or "",
                     auditor=f.auditor or "", sha256=f.sha256 or "")
            for f in files if not _own_file(f) and not _opened_container(f)]


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
    problems = build_problems(plan, received)
    flags = find_flags(FlagContext(plan, forms, returns, today))
    summaries, views = build_summaries(plan, forms), build_views(plan, forms)
    grades = build_grades(plan, forms, release=release)
    return ConsolidatedAudit(plan=plan, returns=returns, problems=problems, grades=grades, summaries=summaries,
                             flags=flags, views=views, consolidated_at=now)


