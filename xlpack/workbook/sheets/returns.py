"""Returns: every issued form and every returned file, with totals: who to chase."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from xlpack.coordinator.mail_sheets import drafted_note
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.plan import MailRecord
from xlpack.model.records import ReturnRow
from xlpack.workbook.sheet_model import Block, Cell, CellLike, Column, Sheet
from xlpack.workbook.sheets.common import (
    KIND_LABELS,
    RETURN_COLUMNS,
    RETURNS,
    STATUS_LABELS,
    STATUS_STYLES,
    TABLE_ROW,
    columns,
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


def _counts_block(title: str, key_header: str, keys: Sequence[str], rows: Sequence[ReturnRow],
                  key_of: str) -> Block:
    counts: Counter[tuple[str, str]] = Counter((getattr(r, key_of), r.status) for r in rows)
    cols = [Column(key_header, 24, style="wrap"),
            *(Column(STATUS_LABELS[s], 11, style="int") for s in ISSUED_STATUSES), Column("Issued", 9, style="int")]
    body: list[list] = []
    for k in keys:
        n = [counts[(k, s)] for s in ISSUED_STATUSES]
        body.append([k, *n, sum(n)])
    totals = [sum(r[i] for r in body) for i in range(1, len(cols))]
    body.append([Cell("Total", "total"), *(Cell(t, "total") for t in totals)])
    return Block(cols, body, title=title)


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


def build(data: ConsolidatedAudit) -> Sheet:
    emails = {f.form_id: f.email for f in data.plan.issued}
    main = issued_rows(data)
    status = Counter(r.status for r in main)
    chase = status["overdue"] + status["missing"] + status["rejected"]
    summary = (f"{len(main)} forms issued: {status['accepted'] + status['accepted_with_warnings']} accepted "
               f"({status['accepted_with_warnings']} with warnings), {status['rejected']} rejected, "
               f"{status['overdue']} overdue, {status['missing']} not returned yet.")
    guide = (f"{chase} to chase: filter Status on Overdue, Not returned or Rejected. Totals by agency and case "
             "are to the right. Extra copies and files that match no issued form are listed too.")
    rows: list[list[CellLike]] = []
    for r in data.returns:
        rows.append([r.case_ref, KIND_LABELS.get(r.kind, r.kind), r.agency, r.auditor, emails.get(r.form_id, ""),
                     Cell(STATUS_LABELS.get(r.status, r.status), STATUS_STYLES.get(r.status)), r.detail, r.source,
                     r.saved_at, r.file, r.form_id])
    cols = columns(RETURN_COLUMNS, styles={"saved_at": "datetime", "form_id": "muted", "file": "muted"})
    if data.plan.mail_log:
        _add_drafted(cols, rows, data)
    table = Block(cols, rows, name="Returns", row=TABLE_ROW)
    side = len(cols) + 1
    agencies = sorted({r.agency for r in main}, key=str.casefold)
    cases = sorted({r.case_ref for r in main}, key=str.casefold)
    by_agency = _counts_block("Totals by agency", "Agency", agencies, main, "agency")
    by_case = _counts_block("Totals by case", "Case reference", cases, main, "case_ref")
    by_agency.row, by_agency.col = TABLE_ROW, side
    by_case.row, by_case.col = by_agency.last_row + 3, side
    return Sheet(RETURNS, "Returns", [summary, guide], [table, by_agency, by_case], freeze=(TABLE_ROW + 1, 1),
                 tab_colour="#1F3864")
