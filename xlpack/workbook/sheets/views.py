"""Views: the child and family views forms, one row each."""

from __future__ import annotations

from xlpack.analysis.dataset import views_questions
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.sheet_model import Block, CellLike, Column, Sheet
from xlpack.workbook.sheets.common import TABLE_ROW, VIEWS
from xlpack.workbook.sheets.grid import view_answer, view_dates

CASE, FORM_ID = "Case reference", "Form id"


def build(data: ConsolidatedAudit) -> Sheet:
    questions = views_questions(data.plan)
    dates = view_dates(data.plan)
    cols = [Column(CASE, 12, style="wrap"),  # the printed columns fit a landscape page at 70% or more
            *(Column(label, 11 if qid in dates else 24 if len(label) > 30 else 20,
                     style="date" if qid in dates else "wrap") for qid, label in questions),
            Column(FORM_ID, 38, style="muted", technical=True)]
    rows: list[list[CellLike]] = [[v.case_ref, *(view_answer(v.answers.get(qid, ""), qid in dates)
                                                 for qid, _ in questions), v.form_id] for v in data.views]
    return Sheet(VIEWS, "The child's and family's views", [
        "Recorded by the participation worker; also shown beside each case on the Case grid."],
        [Block(cols, rows, name="Views", row=TABLE_ROW)], freeze=(TABLE_ROW + 1, 1), repeat_rows=TABLE_ROW)
