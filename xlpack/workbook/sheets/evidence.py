"""Evidence: the auditors' words by section, good practice and concerns apart."""

from __future__ import annotations

from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import good_or_better
from xlpack.model.records import GradeRow
from xlpack.workbook.sheet_model import Block, CellLike, Column, RowsOf, Sheet, grade_cell
from xlpack.workbook.sheets.common import EVIDENCE, TABLE_ROW

GOOD, MIXED, CONCERN, GAP, OTHER = "Good practice", "Mixed", "Concern", "Gap: no evidence", "Other"
KIND_ORDER = {GOOD: 0, CONCERN: 1, MIXED: 2, GAP: 3, OTHER: 4}
#: The printed columns (No. to Areas for development) print one landscape page wide at 70% or more.
COLUMNS = (("No.", 5, "int"), ("Section", 22, "wrap"), ("Example", 13, "wrap"), ("Grade", 11, None),
           ("Case reference", 11, "wrap"), ("Agency", 16, "wrap"), ("Evidence", 48, "wrap"), ("Strengths", 28, "wrap"),
           ("Areas for development", 28, "wrap"), ("Action", 40, "wrap"), ("Auditor", 18, "wrap"))
PRINTED = 9  # No. to Areas for development


def example_kind(g: GradeRow, rank: dict[str, int | None], codes: dict[str, str]) -> str:
    """Where a grade row's words belong: good practice (Good or better), concern (the worst grade), ..."""
    grade = g.final_grade or ""
    r = rank.get(grade)
    if r is not None:
        worst = max(v for v in rank.values() if v is not None)
        return GOOD if good_or_better(r) else CONCERN if r == worst else MIXED
    return GAP if codes.get(grade, "").upper() == "NE" else OTHER


def build(data: ConsolidatedAudit) -> Sheet:
    rank = {g.label: g.rank for g in data.plan.scale.grades}
    codes = {g.label: g.code for g in data.plan.scale.grades}
    chosen = [g for g in data.grades if any(t.strip() for t in (g.evidence, g.strengths, g.development, g.action))]
    chosen.sort(key=lambda g: (g.section_order, KIND_ORDER[example_kind(g, rank, codes)],
                               rank.get(g.final_grade or "") or 9, g.case_ref.casefold(), g.agency.casefold(),
                               g.auditor.casefold()))

    def row(g: GradeRow) -> list[CellLike]:
        return [g.section_order, g.section_title, example_kind(g, rank, codes), grade_cell(g.final_grade),
                g.case_ref, g.agency, g.evidence, g.strengths, g.development, g.action, g.auditor]

    rows = RowsOf(chosen, row)  # one row a graded section: built as they are written, not all kept
    cols = [Column(h, w, style=s) for h, w, s in COLUMNS]
    intro = ("What the auditors wrote, by section: good practice (graded Good or better) first, then concerns "
             "(Inadequate), then the rest. Filter 'Example' and 'Section' to find examples for the report.")
    return Sheet(EVIDENCE, "Evidence by section", [intro, "Grades are after moderation."],
                 [Block(cols, rows, name="Evidence", row=TABLE_ROW)], freeze=(TABLE_ROW + 1, 2),
                 print_columns=PRINTED, repeat_rows=TABLE_ROW)
