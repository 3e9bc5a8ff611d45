"""Grades: one row per form × section, with the coordinator's moderation columns."""

from __future__ import annotations

from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.records import GradeRow
from xlpack.workbook.sheet_model import Block, CellLike, RowsOf, Sheet, grade_cell
from xlpack.workbook.sheets.common import GRADE_COLUMNS, GRADES, TABLE_ROW, columns

GRADE_LIST = "list_grades"  # the coordinator workbook's defined name for the scale's labels


def _row(g: GradeRow) -> list[CellLike]:
    return [g.case_ref, g.agency, g.auditor, g.tool_id, g.section_order, g.section_title, grade_cell(g.grade),
            g.moderated_grade, g.moderation_note, g.evidence, g.strengths, g.development, g.action, g.source,
            g.row_id]


def build(data: ConsolidatedAudit) -> Sheet:
    rows = RowsOf(data.grades, _row)  # 13 rows a form: built as they are written, not all kept
    cols = columns(GRADE_COLUMNS, editable=("moderated_grade", "moderation_note"),
                   styles={"section_order": "int", "row_id": "muted", "source": "muted"},
                   moderated_grade={"choices": GRADE_LIST, "colour_by": "grades"})
    table = Block(cols, rows, name="Grades", row=TABLE_ROW)
    intro = ("Filter and sort freely. After the follow-up meeting, type the agreed grade in 'Moderated grade' and "
             "why in 'Moderation note': they are kept when consolidate runs again.")
    ids = "Row id (form id:section id) links each row to its form and section: do not change it."
    return Sheet(GRADES, "Grades: every section of every form", [intro, ids], [table], freeze=(TABLE_ROW + 1, 3),
                 tab_colour="#2E75B6")
