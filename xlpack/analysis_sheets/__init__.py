"""The analysis sheets of the coordinator workbook, as :mod:`xlpack.sheetmodel` sheets."""

from __future__ import annotations

from ..consolidated import ConsolidatedAudit
from ..sheetmodel import Sheet
from . import (
    agreement_sheet,
    answers_sheet,
    charts_sheet,
    evidence_sheet,
    flags_sheet,
    grades_sheet,
    grid_sheet,
    orphaned_sheet,
    pivots_sheet,
    returns_sheet,
    views_sheet,
)
from .common import ANALYSIS_SHEETS, ANSWERS, EVIDENCE, FLAGS, GRADES, GRID, ORPHANED, VIEWS

__all__ = ["ANALYSIS_SHEETS", "STREAMED", "analysis_sheets"]

#: Sheets that grow with the audit: their cells are streamed into the file (see :mod:`xlpack.xlsx_stream`).
STREAMED = (FLAGS, GRID, GRADES, EVIDENCE, ANSWERS, VIEWS, ORPHANED)


def analysis_sheets(data: ConsolidatedAudit) -> list[Sheet]:
    """Every analysis sheet, in workbook order."""
    pivots, blocks = pivots_sheet.build(data)
    sheets = [returns_sheet.build(data), flags_sheet.build(data), grid_sheet.build(data), grades_sheet.build(data),
              pivots, charts_sheet.build(data, blocks), agreement_sheet.build(data), evidence_sheet.build(data),
              answers_sheet.build(data), views_sheet.build(data), orphaned_sheet.build(data)]
    assert tuple(s.name for s in sheets) == ANALYSIS_SHEETS
    for s in sheets:
        s.stream = s.name in STREAMED
    return sheets
