"""Returns: every issued form and every returned file, one row each: who to chase.

The table stands alone on its sheet, so filtering Status hides nothing
else; the totals by agency and by case are on the Return totals sheet
(:mod:`xlpack.workbook.sheets.return_totals`) and each problem found in a
file is a row of the Problems sheet (:mod:`xlpack.workbook.sheets.problems`).
"""

from __future__ import annotations

from collections import Counter
from pathlib import PurePath

from xlpack.coordinator.mail_sheets import drafted_note
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.plan import MailRecord
from xlpack.model.records import ReturnRow
from xlpack.wording import counted
from xlpack.workbook.sheet_model import Block, Cell, CellLike, Column, Sheet
from xlpack.workbook.sheets.common import (
    KIND_LABELS,
    PROBLEMS,
    RETURN_COLUMNS,
    RETURN_TECHNICAL,
    RETURN_TOTALS,
    RETURNS,
    STATUS_LABELS,
    STATUS_STYLES,
    TABLE_ROW,
    columns,
    headers,
)

#: Statuses counted per agency and case, for issued forms (one row each).
ISSUED_STATUSES = ("accepted", "accepted_with_warnings", "rejected", "overdue", "missing")
DRAFTED_HEADER = "Emails drafted"


def issued_rows(data: ConsolidatedAudit) -> list[ReturnRow]:
    """The one row per issued form (not the extra copies or unknown files)."""
    issued = {f.form_id for f in data.plan.issued}
    seen: set[str] = set()
    out = []
    for r in data.returns:
        if r.form_id in issued and r.form_id not in seen and r.status in ISSUED_STATUSES:
            seen.add(r.form_id)
            out.append(r)
    return out


def _add_drafted(cols: list[Column], rows: list[list[CellLike]], data: ConsolidatedAudit) -> None:
    """An "Emails drafted" column after Detail, from the Mail log, on each issued form's first row.

    It is not one of the columns read back (the Mail log is the record), so
    workbooks consolidated before it existed read back the same.
    """
    at = next(i for i, (f, _, _) in enumerate(RETURN_COLUMNS) if f == "detail") + 1
    cols.insert(at, Column(DRAFTED_HEADER, 26, style="wrap"))
    by_form: dict[str, list[MailRecord]] = {}
    for rec in data.plan.mail_log:
        by_form.setdefault(rec.form_id, []).append(rec)
    seen: set[str] = set()
    for r, row in zip(data.returns, rows):
        note = ""
        if r.form_id and r.form_id not in seen:
            seen.add(r.form_id)
            note = drafted_note(by_form.get(r.form_id, ()))
        row.insert(at, note)


def _detail(r: ReturnRow) -> str:
    """The row's detail; a file that is no form of this audit (no case on its row) is named first, as the
    'Returned file' column is not printed."""
    name = PurePath(r.source).name
    if r.case_ref or not r.source or r.detail == name or r.detail.startswith(f"{name}: "):
        return r.detail  # read back from the sheet, the name is there already
    return f"{name}: {r.detail}" if r.detail else name


def build(data: ConsolidatedAudit) -> Sheet:
    emails = {f.form_id: f.email for f in data.plan.issued}
    main = issued_rows(data)
    status = Counter(r.status for r in main)
    chase = status["overdue"] + status["missing"] + status["rejected"]
    summary = (f"{counted(len(main), 'form')} issued: {status['accepted'] + status['accepted_with_warnings']} accepted "
               f"({status['accepted_with_warnings']} with warnings), {status['rejected']} rejected, "
               f"{status['overdue']} overdue, {status['missing']} not returned yet.")
    guide = (f"{chase} to chase: filter Status on Overdue, Not returned or Rejected. Each problem found in a file is "
             f"on the '{PROBLEMS}' sheet; totals by agency and case on '{RETURN_TOTALS}'. Extra copies and files that "
             "match no issued form are listed too.")
    rows: list[list[CellLike]] = []
    for r in data.returns:
        kind = KIND_LABELS.get(r.kind, r.kind) if r.file or r.case_ref else ""  # unknown for a file not a form
        rows.append([r.case_ref, kind, r.agency, r.auditor, emails.get(r.form_id, ""),
                     Cell(STATUS_LABELS.get(r.status, r.status), STATUS_STYLES.get(r.status)), _detail(r),
                     r.saved_at, r.source, r.file, r.form_id, r.sha256])
    cols = columns(RETURN_COLUMNS, styles={"saved_at": "datetime", "form_id": "muted", "file": "muted",
                                           "source": "muted_wrap", "sha256": "muted"}, technical=RETURN_TECHNICAL)
    if data.plan.mail_log:
        _add_drafted(cols, rows, data)
    table = Block(cols, rows, name="Returns", row=TABLE_ROW)
    printed = next(i for i, c in enumerate(cols) if c.header == headers(RETURN_COLUMNS)["saved_at"]) + 1
    return Sheet(RETURNS, "Returns", [summary, guide], [table], freeze=(TABLE_ROW + 1, 1), tab_colour="#1F3864",
                 print_columns=printed, repeat_rows=TABLE_ROW)
