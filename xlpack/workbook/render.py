"""Draw :mod:`xlpack.sheetmodel` sheets into an xlsxwriter workbook.

Text is always written as text (``write_string``), so evidence typed as
``=HYPERLINK(...)`` stays the words the auditor typed, never a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from xlpack.coordinator.plan_sheets import SheetWriter, Styles, add_table, page_setup, write_value
from xlpack.model.definitions import GradeScale
from xlpack.workbook.sheet_model import Block, Cell, Chart, Sheet, clean_text, heights_for, row_height
from xlpack.workbook.stream import Stream

SEVERITY_COLOURS = {"urgent": "#C00000", "high": "#F4B183", "medium": "#FFE699", "low": "#DDEBF7"}
STATUS_COLOURS = {"ok": "#E2F0D9", "warn": "#FFF2CC", "bad": "#F8CBAD", "wait": "#EDEDED"}
_BASE = {"font_name": "Calibri", "font_size": 11, "valign": "top"}


def add_styles(wb: xlsxwriter.Workbook, st: Styles, scale: GradeScale) -> None:
    """The named styles the analysis sheets use, beside the coordinator workbook's own."""
    if st.get("__analysis__"):
        return
    st["__analysis__"] = True

    def add(name: str, **fmt: Any) -> None:
        st[name] = wb.add_format({**_BASE, **fmt})

    add("muted", font_color="#7F7F7F", font_size=9)
    add("intro")
    add("intro_guide", italic=True, font_color="#595959")
    add("editable", bg_color="#FFFDE7", border=1, border_color="#BFBFBF", text_wrap=True, locked=False)
    add("editable_date", bg_color="#FFFDE7", border=1, border_color="#BFBFBF", num_format="dd/mm/yyyy",
        align="left", locked=False)
    add("number", num_format="0.00")
    add("datetime", num_format="dd/mm/yyyy hh:mm", align="left")
    add("centre", align="center")
    add("block_title", bold=True, font_size=12, font_color="#1F3864")
    add("case_title", bold=True, font_size=12, font_color="#FFFFFF", bg_color="#1F3864")
    add("row_label", bold=True, bg_color="#F2F2F2", border=1, text_wrap=True)
    add("grid", border=1, text_wrap=True)
    add("total", bold=True, top=1)
    add("total_pct", bold=True, top=1, num_format="0%")
    for g in scale.grades:
        dark = g.rank in (1, 4)
        add(f"grade:{g.label}", bg_color=g.colour, border=1, align="center", text_wrap=True,
            font_color="#FFFFFF" if dark else "#000000", bold=dark)
        st[f"cf:{g.label}"] = wb.add_format({"bg_color": g.colour, "font_color": "#FFFFFF" if dark else "#000000"})
    for name, colour in STATUS_COLOURS.items():
        add(f"status:{name}", bg_color=colour, text_wrap=True)
    for sev, colour in SEVERITY_COLOURS.items():
        add(f"sev:{sev}", bg_color=colour, bold=sev == "urgent", font_color="#FFFFFF" if sev == "urgent" else "#000000")


def sheet_writer(sheet: Sheet, scale: GradeScale, streams: list[Stream] | None = None) -> SheetWriter:
    """A writer for :func:`xlpack.coordinator.write_coordinator`'s ``extra`` list.

    With ``streams``, the cells of a sheet marked ``stream`` are left out and a
    :class:`~xlpack.xlsx_stream.Stream` is added for it, to be written by
    :func:`~xlpack.xlsx_stream.stream_rows` once the workbook is closed.
    """

    def write(wb: xlsxwriter.Workbook, st: Styles) -> None:
        add_styles(wb, st, scale)
        render_sheet(wb, st, sheet, scale, streams)

    return write


def render_sheet(wb: xlsxwriter.Workbook, st: Styles, sheet: Sheet, scale: GradeScale,
                 streams: list[Stream] | None = None) -> Any:
    ws = wb.add_worksheet(sheet.name)
    for c, w in sheet.widths.items():
        ws.set_column(c, c, w)
    ws.write_string(0, 0, clean_text(sheet.title), st["title"])
    for i, line in enumerate(sheet.intro[:2], start=1):
        ws.write_string(i, 0, clean_text(line), st["intro" if i == 1 else "intro_guide"])
    if sheet.stream and streams is not None:
        streams.append(_streamed_sheet(ws, st, sheet, scale))
    else:
        heights: dict[int, float] = {}
        for b in sheet.blocks:
            _render_block(ws, st, b, scale, heights)
    for chart in sheet.charts:
        _render_chart(wb, ws, sheet.name, chart)
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    if sheet.tab_colour:
        ws.set_tab_color(sheet.tab_colour)
    page_setup(ws, landscape=sheet.landscape)
    if sheet.hidden:
        ws.hide()
    return ws


def _write(ws: Worksheet, st: Styles, r: int, c: int, value: Any, fmt: Any) -> None:
    """One value, text always as text; an empty cell only gets its format (e.g. a coloured input cell)."""
    if type(value) is str:
        if value:
            ws.write_string(r, c, clean_text(value), fmt)
        elif fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif value is None:
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    else:
        write_value(ws, r, c, value, fmt, st)


def _table(ws: Worksheet, st: Styles, b: Block, last_row: int) -> None:
    add_table(ws, b.row, b.col, last_row, b.col + b.width - 1, {
        "name": b.name, "style": "Table Style Light 9", "autofilter": True,
        "columns": [{"header": col.header, "header_format": st[b.header_style]} for col in b.columns]})


def _streamed_sheet(ws: Worksheet, st: Styles, sheet: Sheet, scale: GradeScale) -> Stream:
    """Everything of a sheet's blocks but their cells, which are streamed in after the workbook is closed.

    Tables keep their header row (xlsxwriter writes it); the rest of each
    block is streamed.
    """
    stream = Stream(sheet.name, list(sheet.blocks), st)
    used: set[str] = {"block_title"}
    for b in sheet.blocks:
        _columns(ws, b)
        if b.name:
            _table(ws, st, b, b.last_row)  # over all the rows; the cells are streamed
            stream.header_written.add(id(b))
        _input_columns(ws, st, b, scale)
        used.add(b.header_style)
        used.update(col.style for col in b.columns if col.style)
        used.update(v.style for row in b.rows for v in row if type(v) is Cell and v.style)
    for name in used:
        if name in st:
            st[name]._get_xf_index()  # register the format, so it is in the styles part for the streamed cells
    return stream


def _columns(ws: Worksheet, b: Block) -> None:
    for c, col in enumerate(b.columns):
        ws.set_column(b.col + c, b.col + c, col.width, None, {"hidden": col.hidden} if col.hidden else None)


def _render_block(ws: Worksheet, st: Styles, b: Block, scale: GradeScale, heights: dict[int, float]) -> None:
    if b.title:
        ws.write_string(b.row - 1, b.col, clean_text(b.title), st["block_title"])
    _columns(ws, b)
    if b.name:
        _table(ws, st, b, b.last_row)
    elif b.header:
        for c, col in enumerate(b.columns):
            ws.write_string(b.row, b.col + c, clean_text(col.header), st[b.header_style])
    if b.header:
        headers = [c.header for c in b.columns]
        _height(ws, heights, b.row, row_height(headers, b.columns, b.header_style, table=bool(b.name)))
    formats = [st.get(col.style) if col.style else None for col in b.columns]
    height = heights_for(b.columns)
    for r, row in enumerate(b.rows, start=b.first_data_row):
        _height(ws, heights, r, height(row))
        for c, value in enumerate(row):
            if type(value) is Cell:
                style = value.style
                _write(ws, st, r, b.col + c, value.value, st.get(style) if style else formats[c])
            else:
                _write(ws, st, r, b.col + c, value, formats[c])
    _input_columns(ws, st, b, scale)


def _height(ws: Worksheet, heights: dict[int, float], r: int, points: float | None) -> None:
    """Make a row tall enough for its wrapped text (never lower than a taller block on the same row)."""
    if points and points > heights.get(r, 0.0):
        heights[r] = points
        ws.set_row(r, points)


def _input_columns(ws: Worksheet, st: Styles, b: Block, scale: GradeScale) -> None:
    """Dropdowns and live grade colours on the columns the coordinator types in."""
    for c, col in enumerate(b.columns):
        if not col.editable:
            continue
        first, last = b.first_data_row, max(b.last_row, b.first_data_row)
        cc = b.col + c
        if col.choices:
            ws.data_validation(first, cc, last, cc, {
                "validate": "list", "source": f"={col.choices}", "input_title": col.header[:32],
                "input_message": "Choose from the list, or leave empty.", "error_type": "stop",
                "error_message": "Choose one of the values in the list."})
        if col.colour_by == "grades":
            for g in scale.grades:
                ws.conditional_format(first, cc, last, cc, {"type": "cell", "criteria": "==",
                                                            "value": _quoted(g.label), "format": st[f"cf:{g.label}"]})


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _render_chart(wb: xlsxwriter.Workbook, ws: Worksheet, sheet_name: str, chart: Chart) -> None:
    b = chart.block
    if not chart.categories_count:
        return
    sheet_name = chart.data_sheet or sheet_name
    subtype = {"stacked": "stacked", "percent_stacked": "percent_stacked", "clustered": None}[chart.kind]
    spec: dict[str, Any] = {"type": "bar"}
    if subtype:
        spec["subtype"] = subtype
    xl = wb.add_chart(spec)
    first, last = b.first_data_row, b.first_data_row + chart.categories_count - 1
    cat = b.col + chart.categories
    for s in chart.series:
        series: dict[str, Any] = {
            "name": s.name, "categories": [sheet_name, first, cat, last, cat],
            "values": [sheet_name, first, b.col + s.column, last, b.col + s.column], "gap": 60}
        if s.colour:
            series["fill"] = {"color": s.colour}
            series["border"] = {"color": "#7F7F7F"}
        xl.add_series(series)
    xl.set_title({"name": chart.title, "name_font": {"size": 12, "bold": True}})
    xl.set_y_axis({"reverse": True, "num_font": {"size": 9}})
    if chart.x_title:
        xl.set_x_axis({"name": chart.x_title, "num_font": {"size": 9}})
    xl.set_legend({"position": "bottom"})
    xl.set_size({"width": chart.width, "height": chart.pixel_height})
    ws.insert_chart(xl_rowcol_to_cell(chart.row, chart.col), xl, {"object_position": 1})


def writers(sheets: Sequence[Sheet], scale: GradeScale, streams: list[Stream] | None = None) -> list[SheetWriter]:
    return [sheet_writer(s, scale, streams) for s in sheets]
