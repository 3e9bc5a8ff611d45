"""The analysis sheets of the coordinator workbook, as :mod:`xlpack.workbook.sheet_model` sheets."""

from __future__ import annotations

from xlpack.files.memory import give_back_freed_memory
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.sheet_model import Sheet
from xlpack.workbook.sheets import action_plan as action_plan_sheet
from xlpack.workbook.sheets import agreement as agreement_sheet
from xlpack.workbook.sheets import answers as answers_sheet
from xlpack.workbook.sheets import charts as charts_sheet
from xlpack.workbook.sheets import evidence as evidence_sheet
from xlpack.workbook.sheets import flags as flags_sheet
from xlpack.workbook.sheets import grades as grades_sheet
from xlpack.workbook.sheets import grid as grid_sheet
from xlpack.workbook.sheets import orphaned as orphaned_sheet
from xlpack.workbook.sheets import pivots as pivots_sheet
from xlpack.workbook.sheets import problems as problems_sheet
from xlpack.workbook.sheets import return_totals as return_totals_sheet
from xlpack.workbook.sheets import returns as returns_sheet
from xlpack.workbook.sheets import themes as themes_sheet
from xlpack.workbook.sheets import views as views_sheet
from xlpack.workbook.sheets.common import (
    ANALYSIS_SHEETS,
    ANSWERS,
    EVIDENCE,
    FLAGS,
    GRADES,
    GRID,
    ORPHANED,
    PROBLEMS,
    RETURNS,
    VIEWS,
)

__all__ = ["ANALYSIS_SHEETS", "STREAMED", "analysis_sheets"]

#: Sheets that grow with the audit: their cells are streamed into the file (see :mod:`xlpack.workbook.stream`).
STREAMED = (RETURNS, PROBLEMS, FLAGS, GRID, GRADES, EVIDENCE, ANSWERS, VIEWS, ORPHANED)


def analysis_sheets(data: ConsolidatedAudit) -> list[Sheet]:
    """Every analysis sheet, in workbook order."""
    themes = themes_sheet.build(data)  # first: finding them takes the most memory for a moment, none after
    give_back_freed_memory()  # what finding them freed, so that the other sheets do not start above it
    pivots, blocks = pivots_sheet.build(data)
    sheets = [returns_sheet.build(data), return_totals_sheet.build(data), problems_sheet.build(data),
              flags_sheet.build(data), grid_sheet.build(data), grades_sheet.build(data), pivots,
              charts_sheet.build(data, blocks), agreement_sheet.build(data), evidence_sheet.build(data),
              themes, answers_sheet.build(data), views_sheet.build(data),
              action_plan_sheet.build(data), orphaned_sheet.build(data)]
    assert tuple(s.name for s in sheets) == ANALYSIS_SHEETS
    for s in sheets:
        s.stream = s.name in STREAMED
    return sheets
