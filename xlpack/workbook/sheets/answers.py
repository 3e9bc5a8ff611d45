"""Form answers: the closing questions of every accepted audit form."""

from __future__ import annotations

from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.sheet_model import Block, Cell, CellLike, Sheet, grade_style
from xlpack.workbook.sheets.common import ANSWER_COLUMNS, ANSWERS, TABLE_ROW, columns


def build(data: ConsolidatedAudit) -> Sheet:
    rows: list[list[CellLike]] = []
    for s in data.summaries:
        unsafe = (s.safeguarded_now or "").casefold() in ("no", "unsure")
        rows.append([s.case_ref, s.agency, s.auditor, Cell(s.overall_grade, grade_style(s.overall_grade)),
                     Cell(s.safeguarded_now, "sev:urgent" if unsafe else None), s.safeguarding_action,
                     s.no_involvement, s.tool_feedback, s.form_id])
    cols = columns(ANSWER_COLUMNS, styles={"form_id": "muted"}, technical=("form_id",))
    intro = ("Overall grade, whether the child is adequately safeguarded now, the auditor's declaration and "
             "feedback on the tool.")
    return Sheet(ANSWERS, "Closing answers of each form", [intro],
                 [Block(cols, rows, name="FormAnswers", row=TABLE_ROW)], freeze=(TABLE_ROW + 1, 1),
                 repeat_rows=TABLE_ROW)
