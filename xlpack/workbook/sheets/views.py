"""Views: the child and family views forms, one row per conversation, with what the coordinator should check."""

from __future__ import annotations

from xlpack.analysis.views import answer_id, base_questions, conversation_numbers, conversations_of, view_checks
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.sheet_model import Block, CellLike, Column, Sheet
from xlpack.workbook.sheets.common import TABLE_ROW, VIEWS
from xlpack.workbook.sheets.grid import view_answer

CASE, CONVERSATION, CHECK, FORM_ID = "Case reference", "Conversation", "To check", "Form id"


def build(data: ConsolidatedAudit) -> Sheet:
    definition = data.plan.views
    base = base_questions(definition)
    numbered = len(conversation_numbers(definition)) > 1
    cols = [Column(CASE, 11, style="wrap"), Column(CONVERSATION, 8, style="count"),  # narrow: printed on one page
            *(Column(label, 11 if q.type == "date" else 19 if q.type == "long_text" else 11,
                     style="date" if q.type == "date" else "wrap") for _, label, q in base),
            Column(CHECK, 19, style="wrap"), Column(FORM_ID, 38, style="muted", technical=True)]
    rows: list[list[CellLike]] = []
    for v in data.views:
        talks = {c.number: c for c in conversations_of(v.case_ref, v.form_id, v.answers, definition)}
        for n in sorted(talks) or [1]:
            answers = [view_answer(v.answers.get(answer_id(definition, n, b), ""), q.type == "date")
                       for b, _, q in base]
            checks = "; ".join(view_checks(talks[n], data.plan)) if n in talks else ""
            rows.append([v.case_ref, n, *answers, checks[:1].upper() + checks[1:], v.form_id])
    intro = ("Recorded by the participation worker, one row per conversation" + (" (up to three a form)" if numbered
             else "") + "; also shown with each case on the Case grid. Only words given with consent are quoted.")
    if not any(f.kind == "views" for f in data.plan.issued):  # an empty table says why
        intro = "No child and family views forms were issued for this audit, so this sheet has no rows."
    return Sheet(VIEWS, "The child's and family's views", [
        intro, "'To check': views said to be a very young child's, or dated before the draw or after the deadline."],
        [Block(cols, rows, name="Views", row=TABLE_ROW)], freeze=(TABLE_ROW + 1, 1), repeat_rows=TABLE_ROW)
