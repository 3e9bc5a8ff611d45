"""A cell of a coordinator sheet's table found by its headers, for tests that type into the workbook.

Columns are found by header, not by position: the Grades table has the case's
details between its own columns. Rows are read with xlpack's reader
(``xlpack.workbook.readback.Workbook``).
"""

from __future__ import annotations

from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from xlpack.workbook.readback import Workbook
from xlpack.workbook.sheets.common import TABLE_ROW, Spec


def col(spec: Spec, field: str) -> str:
    """The header of a field's column in a sheet's column spec (``GRADE_COLUMNS``, ``FLAG_COLUMNS``, ...)."""
    return next(h for f, h, _ in spec if f == field)


def cell_of(audit: Path, sheet: str, key_header: str, key: str, header: str) -> str:
    """The cell of the column headed ``header`` on the row whose ``key_header`` column holds ``key``."""
    rows = Workbook(audit).rows(sheet)
    key_col, col_index = rows[TABLE_ROW].index(key_header), rows[TABLE_ROW].index(header)
    for r, row in enumerate(rows):
        if len(row) > key_col and row[key_col] == key:
            return xl_rowcol_to_cell(r, col_index)
    raise AssertionError(f"{key} is not on {sheet}")
