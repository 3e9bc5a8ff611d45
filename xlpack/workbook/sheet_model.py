"""A neutral model of the analysis sheets: rows, widths, named styles, charts.

Consolidation describes each sheet once with these classes; a renderer
draws it (:mod:`xlpack.workbook.render` into a file with xlsxwriter; an
xlwings front end could draw the same model into an open workbook).
Positions are 0-based (row, column). Row heights for wrapped text are
worked out here (:func:`heights_for`), since neither Excel nor LibreOffice
can be trusted to fit them when the file opens.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Generic, Literal, TypeVar, overload

from xlpack.files.text_fit import line_counter, line_height, text_points
from xlpack.model.definitions import CELL_TEXT_LIMIT

Value = str | int | float | date | datetime | None
DEFAULT_ROW_PIXELS, DEFAULT_COLUMN_PIXELS = 20, 64  # a row of 15 points, a column 8.43 characters wide
BAR_CHART_BASE, BAR_PIXELS, BAR_CHART_MIN = 90, 24, 260  # a bar chart's height: title, axis and legend, then a bar
#: Characters XML 1.0 cannot hold; a returned form should never contain them, but never trust it.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UNCLEAN = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # the illegal ones and \r


def clean_text(text: str) -> str:
    """Text as it can be stored in a cell: no control characters, within Excel's length limit."""
    if len(text) <= CELL_TEXT_LIMIT and (text.isprintable() or _UNCLEAN.search(text) is None):
        return text  # nearly always: nothing to change (isprintable is the quick check)
    return _ILLEGAL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))[:CELL_TEXT_LIMIT]


@dataclass(frozen=True, slots=True)
class Cell:
    """A value with its own named style (e.g. a grade coloured by its grade)."""

    value: Value
    style: str | None = None


CellLike = Value | Cell
T = TypeVar("T")


class RowsOf(Sequence[Sequence[CellLike]], Generic[T]):
    """The rows of a large table, each made from its item whenever it is read and never all kept at once.

    For tables of one row per record (grades, evidence): the records are
    held anyway, so their rows cost only the time to build them again.
    """

    __slots__ = ("_items", "_row")

    def __init__(self, items: Sequence[T], row: Callable[[T], Sequence[CellLike]]):
        self._items, self._row = items, row

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> Sequence[CellLike]: ...

    @overload
    def __getitem__(self, i: slice) -> list[Sequence[CellLike]]: ...

    def __getitem__(self, i: int | slice) -> Sequence[CellLike] | list[Sequence[CellLike]]:
        if isinstance(i, slice):
            return [self._row(item) for item in self._items[i]]
        return self._row(self._items[i])

    def __iter__(self) -> Iterator[Sequence[CellLike]]:
        return map(self._row, self._items)
_shared: dict[tuple[str | None, str | None], Cell] = {}


def shared_cell(value: str | None, style: str | None) -> Cell:
    """``Cell(value, style)``, one instance for each pair (cells are frozen): large sheets repeat a few of them."""
    cell = _shared.get((value, style))
    if cell is None:
        cell = _shared[value, style] = Cell(value, style)
    return cell


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    style: str | None = None  # named style of the body cells
    editable: bool = False  # the coordinator types here; carried over by the row's key
    choices: str | None = None  # defined name of a dropdown list for editable cells
    colour_by: Literal["grades"] | None = None  # conditional colours for values typed later
    hidden: bool = False
    technical: bool = False  # for xlpack, not for reading: grouped (outline level 1), hidden and not printed
    span: int = 1  # sheet columns it covers, merged on each row (a plain grid's last column only): as wide as
    # those columns are together
    exact: bool = False  # every text's lines counted glyph by glyph, never by its length (see counter_for): for
    # the columns of a table of few rows read on paper, where a line too many on each row adds pages


@dataclass
class Block:
    """A rectangle of cells: an Excel Table with filters, or a plain grid with a header row."""

    columns: list[Column]
    rows: Sequence[Sequence[CellLike]]
    name: str | None = None  # Excel Table name; None for a plain grid
    title: str | None = None  # written in the row above the header
    row: int = 0  # the header row
    col: int = 0
    header: bool = True
    header_style: str = "header"

    @property
    def first_data_row(self) -> int:
        return self.row + (1 if self.header else 0)

    @property
    def last_row(self) -> int:
        """The last row the block occupies (an empty Excel Table keeps one blank row)."""
        n = len(self.rows) if self.rows or self.name is None else 1
        return self.first_data_row + n - 1

    @property
    def width(self) -> int:
        """Sheet columns the block covers."""
        return sum(col.span for col in self.columns)

    @property
    def offsets(self) -> list[int]:
        """The sheet column of each of its columns (the first a spanning column covers)."""
        out, c = [], self.col
        for col in self.columns:
            out.append(c)
            c += col.span
        return out


@dataclass(frozen=True)
class Series:
    name: str
    column: int  # column index within the block
    colour: str | None = None
    pattern: str | None = None  # a hatch over the colour (xlsxwriter's pattern name), to tell it apart without colour


@dataclass
class Chart:
    """A chart over columns of a block: one category per block row."""

    title: str
    block: Block
    categories: int  # column index within the block
    series: list[Series]
    kind: Literal["stacked", "percent_stacked", "clustered"] = "stacked"
    row: int = 0  # where its top-left corner sits
    col: int = 0
    width: int = 720  # pixels
    height: int = 0  # 0: sized to the number of categories
    x_title: str = ""
    data_sheet: str = ""  # the sheet holding the block, when the chart sits on another sheet
    n_rows: int | None = None  # chart only n rows of the block (e.g. leave out a total row)
    first: int = 0  # from this row of the block (a long block is drawn in several charts)

    @property
    def categories_count(self) -> int:
        left = max(0, len(self.block.rows) - self.first)
        return left if self.n_rows is None else min(self.n_rows, left)

    @property
    def pixel_height(self) -> int:
        return self.height or max(BAR_CHART_MIN, BAR_CHART_BASE + BAR_PIXELS * self.categories_count)

    @property
    def rows(self) -> int:
        """Rows of the default height (20 pixels) the chart covers."""
        return -(-self.pixel_height // DEFAULT_ROW_PIXELS)


@dataclass
class Sheet:
    name: str
    title: str
    intro: list[str] = field(default_factory=list)  # up to two lines under the title
    blocks: list[Block] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    freeze: tuple[int, int] | None = None
    landscape: bool = True
    widths: dict[int, float] = field(default_factory=dict)  # column widths not set by a block
    tab_colour: str | None = None
    hidden: bool = False
    stream: bool = False  # large: the renderer may write the blocks' cells after the rest (no table header
    # may share a row with another block)
    print_columns: int | None = None  # print columns A.. up to this many (None: all the sheet uses)
    repeat_rows: int | None = None  # the header row repeated at the top of every printed page
    page_breaks: list[int] = field(default_factory=list)  # rows that start a new printed page
    print_rows: int | None = None  # print rows up to this one (e.g. below the last chart)
    keep_blocks: bool = False  # page breaks keep each block whole on a printed page (not for streamed sheets)

    def column_widths(self) -> dict[int, float]:
        """Each column's width: the widest any block gives it (blocks one above another share their columns)."""
        out = dict(self.widths)
        for b in self.blocks:
            for at, col in zip(b.offsets, b.columns):
                if col.span == 1:  # a spanning column is as wide as the columns it covers
                    out[at] = max(out.get(at, 0.0), col.width)
        return out

    def even_widths(self) -> None:
        """Give every block's columns the sheet's width of that column (a spanning column the width of those it
        covers), so row heights are worked out for the widths the columns will have."""
        widths = self.column_widths()
        for b in self.blocks:
            sheet = [sum(widths.get(at + i, 8.43) for i in range(col.span)) for at, col in zip(b.offsets, b.columns)]
            if any(col.width != w for col, w in zip(b.columns, sheet)):
                b.columns = [replace(col, width=w) for col, w in zip(b.columns, sheet)]

    def cells(self) -> Iterator[tuple[int, int, Value]]:
        """Every non-empty value the sheet writes, with its position."""
        yield 0, 0, self.title
        for i, line in enumerate(self.intro, start=1):
            yield i, 0, line
        for b in self.blocks:
            if b.title:
                yield b.row - 1, b.col, b.title
            at = b.offsets
            if b.header:
                for c, col in enumerate(b.columns):
                    yield b.row, at[c], col.header
            for r, row in enumerate(b.rows, start=b.first_data_row):
                for c, value in enumerate(row):
                    v = value_of(value)
                    if v is not None and v != "":
                        yield r, at[c], v


def stack(blocks: Sequence[Block], start: int, *, gap: int = 2, col: int = 0) -> int:
    """Place blocks one under another from row ``start``; returns the first free row after them."""
    row = start
    for b in blocks:
        if b.title:
            row += 1
        b.row, b.col = row, col
        row = b.last_row + 1 + gap
    return row


#: Named styles that wrap text (besides every "grade:..." and "status:..." style), those in bold and in 9 points.
WRAPPING = frozenset({"wrap", "wrap_right", "editable", "row_label", "grid", "header", "header_right", "muted_wrap",
                      "guide", "intro", "intro_guide"})
BOLD = frozenset({"header", "header_right", "row_label", "total"})
SMALL = frozenset({"muted", "muted_wrap"})
FONT_POINTS, SMALL_POINTS = 11.0, 9.0
#: Points per line of Calibri (as Excel gives it) at 11 and 9 points, and Excel's highest row.
LINE_POINTS, SMALL_LINE_POINTS, MAX_ROW_POINTS = line_height(FONT_POINTS), line_height(SMALL_POINTS), 409.0
FILTER_BUTTON = 2.5  # characters of an Excel Table's header cell that its filter button covers
#: Characters of each column kept back when counting the lines of its wrapped text (2 pixels): LibreOffice, given a
#: column as wide as Excel draws it, put a line that filled all but 0.3 points of the room on two lines (18 of the
#: demo's 1,876 Grades and Evidence rows); a row a line too short hides evidence.
WRAP_RESERVE = 2 / 7
TITLE_POINTS, BLOCK_TITLE_POINTS = 24.0, 18.0  # the sheet title (16 pt) and block titles (12 pt)
#: A long one-paragraph answer in a wide column is measured by its length: this many em a character on
#: average (wider than prose is, so rows come out tall enough), from this many characters and points of line.
_PROSE_EM, _LONG, _WIDE_POINTS = 0.48, 60, 150.0
#: Below this many lines by that measure a text is counted glyph by glyph: the length's answer is a line too many
#: for most texts, a third more height on a two- or three-line row (what made Grades rows 1.7 times too tall).
_MEASURED_LINES = 5

#: Number styles, right-aligned ("count_centre" is centred).
NUMERIC = frozenset({"count", "records", "int", "pct", "number", "number3", "number4", "number5", "number6", "total",
                     "total_pct"})


def header_style(b: Block, col: Column) -> str:
    """A header cell's style: right-aligned over numbers, as the numbers are (plain grids only; a table's
    header has its filter button on the right)."""
    if b.name is None and b.header_style == "header" and col.style in NUMERIC:
        return "header_right"
    return b.header_style


def wraps(style: str | None) -> bool:
    return style is not None and (style in WRAPPING or style.startswith(("grade:", "status:")))


def lines_points(lines: int, line: float = LINE_POINTS) -> float:
    return min(MAX_ROW_POINTS, lines * line)


def counter_for(width: float, size: float = FONT_POINTS, bold: bool = False,
                exact: bool = False) -> Callable[[str], int]:
    """Lines a text takes in a wrapping cell of a column ``width`` characters wide (:mod:`xlpack.files.text_fit`,
    Calibri's metrics), with a quick answer for the usual long answer: one paragraph of five lines or more in a
    wide column is measured by its length (a line more than it wraps to, at most, never fewer), unless ``exact``."""
    count = line_counter(width, size, bold)
    room = text_points(width) - size  # a line less a character, as word wrapping leaves at least that
    if exact or room + size < _WIDE_POINTS:
        return count
    per_line = room / (_PROSE_EM * size)

    def lines(text: str) -> int:
        if len(text) >= _LONG and "\n" not in text:
            quick = math.ceil(len(text) / per_line)
            if quick >= _MEASURED_LINES:
                return quick
        return count(text)

    return lines


def row_height(values: Sequence[CellLike], columns: Sequence[Column], style: str | None = None,
               table: bool = False) -> float | None:
    """Points a row needs for its wrapped text; None for one line.

    ``style`` overrides the columns' styles (e.g. "header" for a header row);
    ``table``: the row is an Excel Table's header (a filter button in each cell).
    """
    return heights_for(columns, style, table)(values)


def heights_for(columns: Sequence[Column], style: str | None = None,
                table: bool = False) -> Callable[[Sequence[CellLike]], float | None]:
    """:func:`row_height` for many rows of the same columns (the one place analysis rows get their height)."""
    narrower = FILTER_BUTTON if table and style is not None else 0.0

    def fit(col: Column, own: str | None) -> tuple[Callable[[str], int], float, int]:
        small = own in SMALL
        size = SMALL_POINTS if small else FONT_POINTS
        width = max(1.0, col.width - narrower - WRAP_RESERVE)
        sure = int(text_points(width) * 128 / size // 116)  # characters that fit on a line, whatever they are
        return counter_for(width, size, own in BOLD, col.exact), SMALL_LINE_POINTS if small else LINE_POINTS, sure

    wrapping = [(i, *fit(col, style or col.style)) for i, col in enumerate(columns) if wraps(style or col.style)]
    # cells with a wrapping style of their own (status:bad, grade:Good) in the other columns: bold, to be safe
    taken = {w[0] for w in wrapping}
    others = [] if style else [(i, *fit(col, "header")) for i, col in enumerate(columns) if i not in taken]

    def height(values: Sequence[CellLike]) -> float | None:
        points = 0.0
        n = len(values)
        for i, count, line, sure in wrapping:
            if i >= n:
                continue
            value = values[i]
            if type(value) is Cell:
                value = value.value
            if type(value) is not str or (len(value) <= sure and "\n" not in value):
                continue
            lines = count(value)
            if lines > 1:
                points = max(points, lines * line)
        for i, count, line, sure in others:
            if i < n:
                cell = values[i]
                if type(cell) is Cell and type(cell.value) is str and (len(cell.value) > sure or "\n" in cell.value) \
                        and wraps(cell.style):
                    lines = count(cell.value)
                    if lines > 1:
                        points = max(points, lines * line)
        return min(points, MAX_ROW_POINTS) if points > LINE_POINTS else None


    return height


def value_of(cell: CellLike) -> Value:
    return cell.value if isinstance(cell, Cell) else cell


def grade_style(label: str | None) -> str | None:
    return _grade_styles.setdefault(label, f"grade:{label}") if label else None


def grade_cell(label: str | None) -> Cell:
    """A grade in its grade's style: one shared (frozen) cell per grade, however many rows show it."""
    cell = _grade_cells.get(label)
    if cell is None:
        cell = _grade_cells[label] = Cell(label, grade_style(label))
    return cell


_grade_styles: dict[str, str] = {}
_grade_cells: dict[str | None, Cell] = {}
