"""Grades: one row per form × section, with the case's details and the coordinator's moderation columns.

The case's details (category and every column of the Cases sheet) are on
each row, so a PivotTable or a slicer over the Grades table can break the
grades down by age band, team, ethnicity or anything the partnership
records. They sit before the source file and Row id; the read-back
(:func:`xlpack.workbook.readback.read_grades`) finds its columns by header
and passes over these.
"""

from __future__ import annotations

from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.plan import AuditPlan
from xlpack.model.records import GradeRow
from xlpack.workbook.sheet_model import Block, CellLike, Column, RowsOf, Sheet, grade_cell
from xlpack.workbook.sheets.common import (
    GRADE_CASE_FIELDS_BEFORE,
    GRADE_COLUMNS,
    GRADES,
    GRADES_PRINTED,
    TABLE_ROW,
    columns,
)

GRADE_LIST = "list_grades"  # the coordinator workbook's defined name for the scale's labels
CATEGORY = "Category"


def case_columns(plan: AuditPlan) -> list[tuple[str, str, bool]]:
    """(field id, header, whole number?) of each case detail: Category, the tool's case fields, then any other
    detail the cases carry; headers made unique against the table's own."""
    taken = {header.casefold() for _, header, _ in GRADE_COLUMNS}
    out: list[tuple[str, str, bool]] = []

    def add(fid: str, label: str, number: bool = False) -> None:
        header = label.strip() or fid
        while header.casefold() in taken:
            header += " (case)"
        taken.add(header.casefold())
        out.append((fid, header, number))

    add("", CATEGORY)
    known = set()
    for q in plan.tool.case_fields:
        known.add(q.id)
        add(q.id, q.label, q.type == "whole_number")
    for case in plan.cases:
        for key in case.fields:
            if key not in known:
                known.add(key)
                add(key, key)
    return out


CASE_VALUE_WIDTH = 34  # the case's details are not printed: wide enough for their values on one line


def case_width(header: str) -> float:
    """Wide enough for the header to take three lines at most (with the filter button)."""
    return float(max(13, min(28, len(header) // 3 + 8)))


def _value(text: str, number: bool) -> CellLike:
    text = " ".join(text.split())
    if number and text.lstrip("-").isdigit():
        return int(text)
    return text


def case_values(plan: AuditPlan, fields: list[tuple[str, str, bool]]) -> dict[str, tuple[CellLike, ...]]:
    """Case reference (casefolded) -> the case's value of each field, in ``fields`` order."""
    return {c.case_ref.casefold(): tuple(_value(c.category if not fid else c.fields.get(fid, ""), number)
                                         for fid, _, number in fields) for c in plan.cases}


def build(data: ConsolidatedAudit) -> Sheet:
    fields = case_columns(data.plan)
    values = case_values(data.plan, fields)
    blank: tuple[CellLike, ...] = ("",) * len(fields)
    split = next(i for i, (f, _, _) in enumerate(GRADE_COLUMNS) if f == GRADE_CASE_FIELDS_BEFORE)

    def row(g: GradeRow) -> list[CellLike]:
        own: list[CellLike] = [g.case_ref, g.agency, g.auditor, g.tool_id, g.section_order, g.section_title,
                               grade_cell(g.grade), g.moderated_grade, g.moderation_note, g.moderation_meeting,
                               g.evidence, g.strengths,
                               g.development, g.action, g.source, g.row_id]
        return [*own[:split], *values.get(g.case_ref.casefold(), blank), *own[split:]]

    rows = RowsOf(data.grades, row)  # 13 rows a form: built as they are written, not all kept
    cols = columns(GRADE_COLUMNS, editable=("moderated_grade", "moderation_note", "moderation_meeting"),
                   styles={"section_order": "int", "row_id": "muted", "source": "muted_wrap"},
                   moderated_grade={"choices": GRADE_LIST, "colour_by": "grades"})
    longest = [max((len(str(v[i])) for v in values.values()), default=0) for i in range(len(fields))]
    extra = [Column(header, max(case_width(header), min(CASE_VALUE_WIDTH, n + 2)), style="count" if number else "wrap")
             for (_, header, number), n in zip(fields, longest, strict=True)]
    table = Block([*cols[:split], *extra, *cols[split:]], rows, name="Grades", row=TABLE_ROW)
    intro = ("Filter and sort freely; the case's details are on every row, for a PivotTable or slicer (Insert > "
             "PivotTable). After the follow-up meeting, type the agreed grade in 'Moderated grade' and why in "
             "'Moderation note': they are kept when consolidate runs again.")
    ids = "Row id (form id:section id) links each row to its form and section: do not change it."
    return Sheet(GRADES, "Grades: every section of every form", [intro, ids], [table], freeze=(TABLE_ROW + 1, 3),
                 tab_colour="#2E75B6", print_columns=GRADES_PRINTED, repeat_rows=TABLE_ROW)
