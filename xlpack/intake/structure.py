"""Is a returned form's layout the one that was issued?

The form's metadata lists every locked label and pre-filled value with its
cell; their hash is the fingerprint. :func:`check_locked` compares them
with the sheet and names each cell that changed, or the rows inserted or
deleted that moved them. :func:`formula_cells` finds the cells holding a
formula in a sheet's XML (their text is not in the values calamine gives).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from xlpack.files.workbooks import cell_text
from xlpack.intake.problems import Problem, problem

MAX_SHIFT = 300  # rows searched above and below for a moved label
CONFIRM = 3  # locked cells that must agree before a shift is believed
MAX_REPORTED = 12  # changed cells named one by one; the rest are counted


@dataclass(frozen=True)
class Locked:
    cell: str
    row: int  # 0-based
    col: int
    text: str


def text_at(grid: Sequence[Sequence[Any]], row: int, col: int) -> str:
    if 0 <= row < len(grid):
        cells = grid[row]
        if 0 <= col < len(cells):
            value = cells[col]
            return value if value.__class__ is str else cell_text(value)
    return ""


def _matches(grid: Sequence[Sequence[Any]], cells: Sequence[Locked], offset: int) -> bool:
    return all(text_at(grid, c.row + offset, c.col) == c.text for c in cells)


def _find_shift(grid: Sequence[Sequence[Any]], locked: Sequence[Locked], i: int,
                offset: int) -> tuple[int, int] | None:
    """Where locked cells line up again after cell i failed: (first cell that does, new offset), nearest first.

    The run may start at cell i (rows inserted or deleted above it) or at
    the cell after it (cell i went with deleted rows, or was changed too).
    """
    for distance in range(1, MAX_SHIFT + 1):
        for candidate in (offset + distance, offset - distance):
            for start in (i, i + 1):
                window = locked[start:start + CONFIRM]
                if len(window) >= 2 and _matches(grid, window, candidate):
                    return start, candidate
    return None


def check_locked(grid: Sequence[Sequence[Any]], locked: Sequence[Locked], sheet: str) -> list[Problem]:
    """Every locked cell that changed, and every block of rows inserted or deleted."""
    shifts: list[Problem] = []
    changed: list[tuple[Locked, Problem]] = []
    offset = 0

    def change(cell: Locked) -> None:
        here = xl_rowcol_to_cell(cell.row + offset, cell.col)
        changed.append((cell, problem("locked-text-changed", sheet=sheet, cell=here, expected=cell.text,
                                      found=text_at(grid, cell.row + offset, cell.col))))

    i = 0
    while i < len(locked):
        cell = locked[i]
        if text_at(grid, cell.row + offset, cell.col) == cell.text:
            i += 1
            continue
        following = locked[i + 1:i + CONFIRM]
        found = None if not following or _matches(grid, following, offset) else _find_shift(grid, locked, i, offset)
        if found is None:  # this cell alone differs: its text was changed
            change(cell)
            i += 1
            continue
        start, shift = found
        for lost in locked[i:start]:
            change(lost)
        anchor, delta = locked[start], shift - offset
        if delta < 0:  # cells in the deleted rows went with them: not "changed"
            gone = range(anchor.row + delta, anchor.row)
            changed = [(c, p) for c, p in changed if c.row not in gone]
        shifts.append(problem("rows-inserted" if delta > 0 else "rows-deleted", sheet=sheet, count=abs(delta),
                              row=anchor.row + min(offset, shift) + 1, expected=anchor.text,
                              at=xl_rowcol_to_cell(anchor.row + offset, anchor.col),
                              moved=xl_rowcol_to_cell(anchor.row + shift, anchor.col)))
        offset = shift
        i = start + 1
    out = shifts + [p for _, p in changed[:MAX_REPORTED]]
    if len(changed) > MAX_REPORTED:
        out.append(problem("more-changes", sheet=sheet, count=len(changed) - MAX_REPORTED))
    return out


# ---------------------------------------------------------------- formulas

_F_TAG = re.compile(rb"<(\w+:)?f\b[^>]*?(/?)>")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]{1,3}[0-9]{1,7})\"[^>]*>\s*$")
_PROTECTION = re.compile(rb"<(?:\w+:)?sheetProtection\b([^>]*)>")
_SHEET_FLAG = re.compile(rb"\bsheet=\"([^\"]*)\"")


def formula_cells(sheet_xml: bytes) -> dict[str, str]:
    """Cell -> formula text (without "=") for every formula cell of a worksheet part."""
    out: dict[str, str] = {}
    for m in _F_TAG.finditer(sheet_xml):
        prefix = m.group(1) or b""
        start = sheet_xml.rfind(b"<" + prefix + b"c", 0, m.start())
        cell = _CELL_TAG.match(sheet_xml, start, m.start()) if start >= 0 else None
        if cell is None:
            continue
        text = b""
        if not m.group(2):
            end = sheet_xml.find(b"</" + prefix + b"f>", m.end())
            text = sheet_xml[m.end():end] if end >= 0 else b""
        out[cell.group(1).decode("ascii")] = html.unescape(text.decode("utf-8", "replace"))
    return out


def sheet_protected(sheet_xml: bytes) -> bool:
    """True when the worksheet part has sheet protection switched on (Excel's "1" or LibreOffice's "true")."""
    at = sheet_xml.rfind(b"sheetProtection")
    m = _PROTECTION.search(sheet_xml, max(at - 20, 0)) if at >= 0 else None
    flag = _SHEET_FLAG.search(m.group(1)) if m else None
    return flag is not None and flag.group(1).strip().lower() in (b"1", b"true")


def stray_text(grid: Sequence[Sequence[Any]], known: set[tuple[int, int]], formulas: dict[str, str],
               sheet: str, limit: int = 5) -> list[Problem]:
    """Values typed outside the answer cells (possible only with protection off): not read, so said."""
    out: list[Problem] = []
    extra = 0
    for r, cells in enumerate(grid):
        for c, value in enumerate(cells):
            if value in (None, "") or (r, c) in known:
                continue
            ref = xl_rowcol_to_cell(r, c)
            if ref in formulas:
                continue
            if len(out) < limit:
                out.append(problem("text-outside-answers", sheet=sheet, cell=ref, text=cell_text(value)))
            else:
                extra += 1
    if extra:
        out.append(problem("more-text-outside", sheet=sheet, count=extra))
    return out
