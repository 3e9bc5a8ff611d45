"""Writing the coordinator workbook's sheets with xlsxwriter: named styles, tables, page set-up.

The general pieces every sheet of the coordinator workbook is written with
(the plan sheets here in ``coordinator``, the analysis sheets, the feedback
index and the comparison workbook): one set of named cell formats
(:func:`make_styles`), an Excel Table whose text is always written as text
(:func:`write_table`, :func:`add_table`), a title with guidance above it
(:func:`write_intro`), A4 pages marked OFFICIAL-SENSITIVE (:func:`page_setup`)
and widths fitted to the text (:func:`fitted_widths`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet

from xlpack.files.text_fit import height_for, line_height, width_for
from xlpack.model.marking import MARKING

HEADER_ROW = 3  # 0-based row of table headers on the table sheets
FILTER_BUTTON = 2.5  # characters of a table's header cell that its filter button covers

#: How every cell a person types in looks, on the forms and the coordinator's sheets: a yellow fill that stays a
#: distinct grey in grey-scale print, and a dark medium border, so that colour is never the only signal.
INPUT_FILL = "#FFE994"
INPUT_BORDER: dict[str, Any] = {"border": 2, "border_color": "#595959"}

#: Extra sheets (e.g. the consolidated analysis) are written by callables of this shape.
SheetWriter = Callable[[xlsxwriter.Workbook, "Styles"], None]


class Styles(dict):
    """Named cell formats shared by every sheet of the coordinator workbook."""


def make_styles(wb: xlsxwriter.Workbook) -> Styles:
    base: dict[str, object] = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
    st = Styles()
    named: dict[str, dict[str, object]] = {
        "title": {"bold": True, "font_size": 16, "font_color": "#1F3864"},
        "subtitle": {"bold": True, "font_size": 12, "font_color": "#1F3864"},
        "marking": {"bold": True, "font_color": "#7F1D1D"},
        "text": {"text_wrap": True},
        "bold": {"bold": True, "text_wrap": True},
        "label": {"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True},
        "input": {"bg_color": INPUT_FILL, **INPUT_BORDER, "text_wrap": True},
        "input_date": {"bg_color": INPUT_FILL, **INPUT_BORDER, "num_format": "dd/mm/yyyy", "align": "left"},
        "title_wrap": {"bold": True, "font_size": 16, "font_color": "#1F3864", "text_wrap": True},
        "guide": {"italic": True, "font_color": "#595959", "text_wrap": True},
        "guide_line": {"italic": True, "font_color": "#595959"},
        "text_line": {},
        "date": {"num_format": "dd/mm/yyyy", "align": "left"},
        "wrap": {"text_wrap": True},
        "pct": {"num_format": "0%"},
        "int": {"num_format": "0"},
        "header": {"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF", "text_wrap": True},
    }
    for name, extra in named.items():
        st[name] = wb.add_format({**base, **extra})
    st["__wb__"] = wb
    return st


def page_setup(ws: Worksheet, landscape: bool = False) -> None:
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_header(f'&C&"Calibri,Bold"{MARKING}')
    ws.set_footer("&L&A&RPage &P of &N")


def write_intro(ws: Worksheet, st: Styles, title: str, lines: Sequence[str], widths: Sequence[float]) -> None:
    """Sheet title in row 1 and up to two lines of guidance above a table at HEADER_ROW.

    A line that fits within the table's columns (``widths``) runs on unwrapped over the empty cells beside
    it (no merged cells: they trouble screen readers and sorting); a longer one wraps in the first column,
    in a row as tall as it needs.
    """
    ws.write_string(0, 0, title, st["title"])
    ws.set_row(0, line_height(16))
    for i, text in enumerate(lines[: HEADER_ROW - 1], start=1):
        italic = i > 1
        if width_for(text) <= sum(widths):
            ws.write_string(i, 0, text, st["guide_line" if italic else "text_line"])
        else:
            ws.write_string(i, 0, text, st["guide" if italic else "text"])
            ws.set_row(i, height_for([(text, widths[0])]))


def write_table(ws: Worksheet, st: Styles, name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                widths: Sequence[float], *, first_row: int = HEADER_ROW, min_rows: int = 1,
                formats: dict[int, Any] | None = None, editable: bool = False) -> tuple[int, int]:
    """Write an Excel Table with text written as text (never as a formula). Returns (first, last) row.

    ``editable``: every body cell, empty rows included, looks like an input (fill and border). Rows are
    as tall as their wrapped text; the header row shows every label whole beside its filter button.
    """
    column_formats = formats or {}
    cell_formats = {c: column_formats.get(c, st["input"]) if editable else column_formats.get(c)
                    for c in range(len(headers))}
    wrapping = [c for c in range(len(widths)) if editable or c in column_formats]
    n = max(len(rows), min_rows)
    last = first_row + n
    add_table(ws, first_row, 0, last, len(headers) - 1, {
        "name": name, "style": "Table Style Medium 2",
        "columns": [{"header": h, "header_format": st["header"]} for h in headers]})
    for c, w in enumerate(widths):
        ws.set_column(c, c, w, column_formats.get(c))
    ws.set_row(first_row, height_for(zip(headers, [w - FILTER_BUTTON for w in widths]), bold=True))
    for r in range(first_row + 1, last + 1):
        row = rows[r - first_row - 1] if r - first_row - 1 < len(rows) else ()
        for c in range(len(headers)):
            value = row[c] if c < len(row) else None
            if value is None or value == "":
                if editable:
                    ws.write_blank(r, c, None, cell_formats[c])
                continue
            write_value(ws, r, c, value, cell_formats[c], st)
        height = height_for((str(row[c]), widths[c]) for c in wrapping if c < len(row) and isinstance(row[c], str))
        if height > line_height():
            ws.set_row(r, height)
    ws.freeze_panes(first_row + 1, 1)
    ws.repeat_rows(first_row)  # the header on every printed page
    return first_row, last


def fitted_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]], most: float = 60) -> list[float]:
    """Column widths that show every header (beside its filter button) and value on one line, up to ``most``."""
    out = []
    for c, header in enumerate(headers):
        texts = [str(r[c]) for r in rows if c < len(r) and r[c] not in (None, "")]
        out.append(min(most, max([width_for(header, bold=True) + FILTER_BUTTON, *(width_for(t) for t in texts)])))
    return out


def add_table(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int,
              options: dict[str, Any]) -> None:
    """``ws.add_table`` for a table whose cells are written separately, without xlsxwriter's index of its cells.

    xlsxwriter records every cell of a table's range (to refuse overlapping
    tables), well over 100 bytes a cell: a large audit's tables would hold
    tens of megabytes. The table is added over its header and first row,
    then widened to all its rows: the same table in the file.
    """
    plain = last_row <= first_row + 1 or options.get("total_row") or "data" in options or any(
        "formula" in c or "total_function" in c or "format" in c for c in options.get("columns", []))
    ws.add_table(first_row, first_col, last_row if plain else first_row + 1, last_col, options)
    if plain:
        return
    table = ws.tables[-1]
    assert {"range", "a_range"} <= set(table), "xlsxwriter's table record changed"
    table["range"] = table["a_range"] = xl_range(first_row, first_col, last_row, last_col)
    if "autofilter" in table:
        table["autofilter"] = table["a_range"]


def write_value(ws: Worksheet, r: int, c: int, value: Any, fmt: Any, st: Styles) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, fmt or st["date"])
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime.combine(value, datetime.min.time()), fmt or st["date"])
    else:
        ws.write_string(r, c, str(value)[:32767], fmt)
