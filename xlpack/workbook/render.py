"""Draw :mod:`xlpack.workbook.sheet_model` sheets into an xlsxwriter workbook.

Text is always written as text (``write_string``), so evidence typed as
``=HYPERLINK(...)`` stays the words the auditor typed, never a formula.
Every row whose text wraps gets the height it needs, and each sheet its
print layout: A4, one page wide, the header row repeated on every page,
technical columns grouped, hidden and left out of print.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from xlpack.coordinator.sheet_writing import SheetWriter, Styles, add_table, page_setup, write_value
from xlpack.files.text_fit import text_lines
from xlpack.model.definitions import GradeScale
from xlpack.workbook.changes import RowSums, head_sums
from xlpack.workbook.sheet_model import (
    BLOCK_TITLE_POINTS,
    DEFAULT_COLUMN_PIXELS,
    LINE_POINTS,
    TITLE_POINTS,
    Block,
    Cell,
    Chart,
    Sheet,
    clean_text,
    header_style,
    heights_for,
    lines_points,
    row_height,
)
from xlpack.workbook.stream import Stream, Streamed

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
    add("muted_wrap", font_color="#7F7F7F", font_size=9, text_wrap=True)
    add("intro", text_wrap=True)
    add("intro_guide", italic=True, font_color="#595959", text_wrap=True)
    add("editable", bg_color="#FFFDE7", border=1, border_color="#BFBFBF", text_wrap=True, locked=False)
    add("editable_date", bg_color="#FFFDE7", border=1, border_color="#BFBFBF", num_format="dd/mm/yyyy",
        align="left", locked=False)
    add("number", num_format="0.00")
    for places in range(3, 7):  # alpha, where two decimals would round it across a cut-off
        add(f"number{places}", num_format="0." + "0" * places)
    add("count", num_format="#,##0")
    add("records", num_format="General")  # a count of case records: whole, or shared between two forms (8.5)
    add("count_centre", num_format="#,##0", align="center")
    add("wrap_right", text_wrap=True, align="right")
    add("datetime", num_format="dd/mm/yyyy hh:mm", align="left")
    add("centre", align="center")
    add("block_title", bold=True, font_size=12, font_color="#1F3864")
    add("header_right", bold=True, bg_color="#1F3864", font_color="#FFFFFF", text_wrap=True, align="right")
    add("case_title", bold=True, font_size=12, font_color="#FFFFFF", bg_color="#1F3864")
    add("row_label", bold=True, bg_color="#F2F2F2", border=1, text_wrap=True)
    add("grid", border=1, text_wrap=True)
    add("grid_date", border=1, num_format="dd/mm/yyyy", align="left")
    add("total", bold=True, top=1)
    add("total_pct", bold=True, top=1, num_format="0%")
    for g in scale.grades:
        dark = g.rank in (1, 4)
        add(f"grade:{g.label}", bg_color=g.colour, border=1, align="center", text_wrap=True,
            font_color="#FFFFFF" if dark else "#000000", bold=dark)
        st[f"cf:{g.label}"] = wb.add_format({"bg_color": g.colour, "font_color": "#FFFFFF" if dark else "#000000"})
    for name, colour in STATUS_COLOURS.items():
        add(f"status:{name}", bg_color=colour, text_wrap=True)
        add(f"status:{name}_pct", bg_color=colour, num_format="0%")
    for sev, colour in SEVERITY_COLOURS.items():
        add(f"sev:{sev}", bg_color=colour, bold=sev == "urgent", font_color="#FFFFFF" if sev == "urgent" else "#000000")


def sheet_writer(sheet: Sheet, scale: GradeScale, streams: list[Streamed] | None = None) -> SheetWriter:
    """A writer for :func:`xlpack.coordinator.plan_sheets.write_coordinator`'s ``extra`` list.

    With ``streams``, the cells of a sheet marked ``stream`` are left out and a
    :class:`~xlpack.workbook.stream.Stream` is added for it, to be written by
    :func:`~xlpack.workbook.stream.stream_rows` once the workbook is closed.
    """

    def write(wb: xlsxwriter.Workbook, st: Styles) -> None:
        add_styles(wb, st, scale)
        render_sheet(wb, st, sheet, scale, streams)

    return write


def render_sheet(wb: xlsxwriter.Workbook, st: Styles, sheet: Sheet, scale: GradeScale,
                 streams: list[Streamed] | None = None) -> Any:
    ws = wb.add_worksheet(sheet.name)
    sheet.even_widths()
    for c, w in sheet.widths.items():
        ws.set_column(c, c, w)
    ws.write_string(0, 0, clean_text(sheet.title), st["title"])
    ws.set_row(0, TITLE_POINTS)
    intro = _intro(ws, st, sheet)
    if sheet.stream and streams is not None:
        streams.append(_streamed_sheet(ws, st, sheet, scale))
    else:
        heights: dict[int, float] = {0: TITLE_POINTS, **intro}
        for b in sheet.blocks:
            _render_block(ws, st, b, scale, heights)
        if sheet.keep_blocks:
            sheet.page_breaks = blocks_kept_whole(sheet, heights)
    for chart in sheet.charts:
        _render_chart(wb, ws, sheet.name, chart)
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)
    if sheet.tab_colour:
        ws.set_tab_color(sheet.tab_colour)
    _print_layout(ws, sheet)
    if sheet.hidden:
        ws.hide()
    return ws


def printed_columns(sheet: Sheet) -> int:
    """How many columns from A are printed: the sheet's choice, else up to the last column before the
    technical ones (or the last used)."""
    if sheet.print_columns:
        return sheet.print_columns
    last = 0
    for b in sheet.blocks:
        shown = [at + col.span for at, col in zip(b.offsets, b.columns) if not col.technical and not col.hidden]
        if shown:
            last = max(last, max(shown))
    return max(last, 1)


def _intro(ws: Worksheet, st: Styles, sheet: Sheet) -> dict[int, float]:
    """The lines under the title, each across the printed width, wrapped, in a row as tall as it needs (the rows
    given a height are returned)."""
    widths = sheet.column_widths()
    across = printed_columns(sheet)
    merged = [widths.get(c, 8.43) for c in range(across)]
    heights: dict[int, float] = {}
    for i, line in enumerate(sheet.intro[:2], start=1):
        style = st["intro" if i == 1 else "intro_guide"]
        text = clean_text(line)
        if across > 1:
            ws.merge_range(i, 0, i, across - 1, "", style)
        ws.write_string(i, 0, text, style)
        lines = text_lines(text, merged)
        if lines > 1:
            heights[i] = lines_points(lines)
            ws.set_row(i, heights[i])
    return heights


def _print_layout(ws: Worksheet, sheet: Sheet) -> None:
    page_setup(ws, landscape=sheet.landscape)
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.75)
    last_row = max([b.last_row for b in sheet.blocks] + [len(sheet.intro), sheet.print_rows or 0])
    ws.print_area(0, 0, last_row, printed_columns(sheet) - 1)
    if sheet.repeat_rows is not None:
        ws.repeat_rows(sheet.repeat_rows)
    if sheet.page_breaks:  # Excel ignores manual page breaks when fitting to a page: a scale that fits instead
        ws.set_print_scale(print_scale(sheet))
        ws.set_h_pagebreaks(sorted(sheet.page_breaks))


#: Width of an A4 page inside the margins (0.4 inch each side), in pixels at 96 to the inch.
PAGE_PIXELS = {True: round((11.69 - 0.8) * 96), False: round((8.27 - 0.8) * 96)}
#: Points of rows a printed A4 page holds at full size, inside the margins and under the header, with room to
#: spare: landscape, Excel's body is 487 (the page's 595 less the top and bottom margins of 0.75 inch) and
#: LibreOffice's about 500 (measured on the demo's Case grid and Evidence pages, at their scales).
PAGE_POINTS = {True: 440.0, False: 640.0}


def blocks_kept_whole(sheet: Sheet, heights: dict[int, float]) -> list[int]:
    """Page breaks that keep each block (its title, header and rows) on one page where it fits on one.

    ``heights``: the rows given a height (others are 15 points), at the scale
    the sheet prints at (:func:`print_scale`). No break comes above the first
    block (the sheet's title and intro would be alone on a page), nor between
    a header standing alone (the header row of the blocks below it, Themes')
    and the block under it; a page below the sheet's repeated header row has
    that row's height less room.
    """
    full = PAGE_POINTS[sheet.landscape] * 100 / print_scale(sheet)
    titles = sheet.repeat_rows
    below_titles = full - heights.get(titles, LINE_POINTS) if titles is not None else full
    heads = {b.last_row + 1: b.row for b in sheet.blocks if b.header and not b.rows and b.name is None}
    spans = sorted({(b.row - 1 if b.title else b.row, b.last_row) for b in sheet.blocks
                    if not (b.header and not b.rows and b.name is None)})
    spans = [(heads.get(first, first), last) for first, last in spans]
    if spans:
        spans[0] = (0, spans[0][1])
    breaks: list[int] = []
    top = 0  # the first row of the current page

    def points(first: int, last: int) -> float:
        return sum(heights.get(r, LINE_POINTS) for r in range(first, last + 1))

    def room(top: int) -> float:
        return below_titles if titles is not None and top > titles else full

    for first, last in spans:
        if points(top, last) <= room(top):
            continue
        if first > top and points(first, last) <= room(first):  # it fits on a page of its own: start one
            breaks.append(first)
            top = first
        else:  # longer than a page: it runs on from where it is, at the row filling each page
            while points(top, last) > room(top):
                r = top
                while points(top, r + 1) <= room(top):
                    r += 1
                top = r + 1
                breaks.append(top)
    return breaks


def print_scale(sheet: Sheet) -> int:
    """The print scale (per cent, at most 100) at which the printed columns fit the page's width."""
    widths = sheet.column_widths()
    # 7.6 pixels a character, not Excel's 7: LibreOffice's columns come out wider (Carlito's digits)
    pixels = sum(int(widths.get(c, 8.43) * 7.6 + 5) for c in range(printed_columns(sheet)))
    if sheet.charts:
        pixels = max(pixels, max(c.col * DEFAULT_COLUMN_PIXELS + c.width for c in sheet.charts))
    return max(10, min(100, PAGE_PIXELS[sheet.landscape] * 100 // max(1, pixels) - 1))


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
    # the head's digest sums; the rows' are added as they are streamed
    stream = Stream(sheet.name, list(sheet.blocks), st, sums=RowSums(head_sums(sheet)))
    for name, fmt in st.items():  # every cell style is registered, so it is in the styles part for the streamed
        if isinstance(fmt, Format) and not name.startswith("cf:"):  # cells (finding the ones used would take a pass
            fmt._get_xf_index()  # over all the rows); "cf:" ones are conditional formats
    for b in sheet.blocks:
        _columns(ws, b)
        if b.name:
            _table(ws, st, b, b.last_row)  # over all the rows; the cells are streamed
            stream.header_written.add(id(b))
            height = header_height(b)
            if height:
                ws.set_row(b.row, height)
        _input_columns(ws, st, b, scale)
    return stream


def header_height(b: Block) -> float | None:
    return row_height([c.header for c in b.columns], b.columns, b.header_style, table=b.name is not None)


def _columns(ws: Worksheet, b: Block) -> None:
    """Column widths; technical columns grouped (outline level 1), collapsed and hidden."""
    technical = False
    for at, col in zip(b.offsets, b.columns):
        if col.span > 1:
            continue  # the columns it covers have their own widths
        options: dict[str, Any] = {}
        if col.hidden or col.technical:
            options["hidden"] = True
        if col.technical:
            options["level"] = 1
            technical = True
        ws.set_column(at, at, col.width, None, options or None)
    if technical:
        after = b.col + b.width
        ws.set_column(after, after, None, None, {"collapsed": True})


def _render_block(ws: Worksheet, st: Styles, b: Block, scale: GradeScale, heights: dict[int, float]) -> None:
    if b.title:
        ws.write_string(b.row - 1, b.col, clean_text(b.title), st["block_title"])
        _height(ws, heights, b.row - 1, BLOCK_TITLE_POINTS)
    _columns(ws, b)
    at = b.offsets
    spans = [(c, at[c] + col.span - 1) for c, col in enumerate(b.columns) if col.span > 1]
    if b.name:
        _table(ws, st, b, b.last_row)
    elif b.header:
        for c, last in spans:  # merged first, then written: the merge writes its first cell empty
            ws.merge_range(b.row, at[c], b.row, last, "", st[header_style(b, b.columns[c])])
        for c, col in enumerate(b.columns):
            ws.write_string(b.row, at[c], clean_text(col.header), st[header_style(b, col)])
    if b.header:
        _height(ws, heights, b.row, header_height(b))
    formats = [st.get(col.style) if col.style else None for col in b.columns]
    height = heights_for(b.columns)
    for r, row in enumerate(b.rows, start=b.first_data_row):
        _height(ws, heights, r, height(row))
        for c, last in spans:
            value = row[c] if c < len(row) else None
            style = value.style if type(value) is Cell else None
            ws.merge_range(r, at[c], r, last, "", st.get(style) if style else formats[c])
        for c, value in enumerate(row):
            if type(value) is Cell:
                style = value.style
                _write(ws, st, r, at[c], value.value, st.get(style) if style else formats[c])
            else:
                _write(ws, st, r, at[c], value, formats[c])
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
        cc = b.offsets[c]
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
    first = b.first_data_row + chart.first
    last = first + chart.categories_count - 1
    cat = b.col + chart.categories
    for s in chart.series:
        series: dict[str, Any] = {
            "name": s.name, "categories": [sheet_name, first, cat, last, cat],
            "values": [sheet_name, first, b.col + s.column, last, b.col + s.column], "gap": 60}
        if s.pattern:
            series["pattern"] = {"pattern": s.pattern, "fg_color": "#404040", "bg_color": s.colour or "#FFFFFF"}
            series["border"] = {"color": "#404040"}
        elif s.colour:
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


def writers(sheets: Sequence[Sheet], scale: GradeScale, streams: list[Streamed] | None = None) -> list[SheetWriter]:
    return [sheet_writer(s, scale, streams) for s in sheets]
