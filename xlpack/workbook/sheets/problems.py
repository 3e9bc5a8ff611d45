"""Problems: every problem intake found in a returned file, one row each, with where it is and what to do."""

from __future__ import annotations

from collections import Counter

from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.records import ProblemRow
from xlpack.wording import counted
from xlpack.workbook.sheet_model import Block, CellLike, RowsOf, Sheet, shared_cell
from xlpack.workbook.sheets.common import (
    PROBLEM_COLUMNS,
    PROBLEM_SEVERITY_LABELS,
    PROBLEM_SEVERITY_STYLES,
    PROBLEMS,
    PROBLEMS_PRINTED,
    RETURNS,
    STATUS_LABELS,
    TABLE_ROW,
    columns,
)


def _row(p: ProblemRow) -> list[CellLike]:
    return [shared_cell(PROBLEM_SEVERITY_LABELS.get(p.severity, p.severity), PROBLEM_SEVERITY_STYLES.get(p.severity)),
            p.case_ref, p.source, p.sheet, p.cell, p.code, p.message, p.fix, p.agency, p.auditor,
            STATUS_LABELS.get(p.status, p.status), p.form_id]


def build(data: ConsolidatedAudit) -> Sheet:
    counts = Counter(p.severity for p in data.problems)
    if data.problems:
        errors, warnings = counts["error"], counts["warning"]
        summary = (f"{counted(errors, 'error')} (the file rejected), {counted(warnings, 'warning')} (the file read "
                   f"all the same), {counted(counts['info'], 'note')} for information. Filter Severity or Returned "
                   "file.")
    else:
        summary = "No problems: every returned file was read as it should be."
    guide = (f"The '{RETURNS}' sheet has one line per file; here is each problem with the sheet and cell it is in, "
             "and what to do about it.")
    cols = columns(PROBLEM_COLUMNS, styles={"source": "muted_wrap", "form_id": "muted", "code": "muted_wrap"},
                   technical=("form_id",))
    table = Block(cols, RowsOf(data.problems, _row), name="Problems", row=TABLE_ROW)
    return Sheet(PROBLEMS, "Problems in the returned files", [summary, guide], [table], freeze=(TABLE_ROW + 1, 1),
                 tab_colour="#1F3864", print_columns=PROBLEMS_PRINTED, repeat_rows=TABLE_ROW)
