"""Plan cells lost in a rewrite are found the same whether the sheets' rows come as lists or one at a time."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from xlpack.workbook.changes import LostCell, lost_plan_cells
from xlpack.workbook.readback import Workbook


def _lost_by_index(name: str, old_rows: list[list[Any]], new_rows: list[list[Any]]) -> list[LostCell]:
    """The check as written for whole lists: each old cell against the new cell at the same index."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    from xlpack.workbook.changes import norm, same_value
    out = []
    for r, row in enumerate(old_rows):
        for c, v in enumerate(row):
            if norm(v):
                new = new_rows[r][c] if r < len(new_rows) and c < len(new_rows[r]) else None
                if not same_value(v, new):
                    out.append(LostCell(name, xl_rowcol_to_cell(r, c), norm(v)))
    return out


def test_lost_cells_from_rows_one_at_a_time_as_from_lists() -> None:
    rng = random.Random(3)
    values: list[Any] = ["", "a", "b", " a ", 1, 1.0, 2.5, True, date(2026, 11, 2), datetime(2026, 11, 2), None]
    for _ in range(200):
        old = [[rng.choice(values) for _ in range(rng.randint(0, 5))] for _ in range(rng.randint(0, 8))]
        new = [[rng.choice(values) for _ in range(rng.randint(0, 5))] for _ in range(rng.randint(0, 8))]
        expected = _lost_by_index("S", old, new)
        assert list(lost_plan_cells("S", old, new)) == expected
        assert list(lost_plan_cells("S", iter(old), iter(new))) == expected


def test_rows_from_a1_are_the_rows_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Late")  # nothing in rows 1 and 2 nor in columns A and B
    ws.write_string(2, 3, "first")
    ws.write_number(4, 2, 7)
    ws.write_string(6, 4, "last")
    whole = wb.add_worksheet("Whole")
    for r in range(30):
        for c in range(4):
            whole.write_string(r, c, f"{r}:{c}")
    wb.close()
    book = Workbook(path)
    for sheet in ("Late", "Whole"):
        rows = book.rows(sheet)
        streamed = list(book.rows_from_a1(sheet))
        assert streamed == rows
    assert list(book.rows_from_a1("Late"))[2] == ["", "", "", "first", ""]
