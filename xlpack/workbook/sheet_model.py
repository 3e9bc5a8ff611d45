"""A neutral model of the analysis sheets: rows, widths, named styles, charts.

Consolidation describes each sheet once with these classes; a renderer
draws it (:mod:`xlpack.render_xlsx` into a file with xlsxwriter; an
xlwings front end could draw the same model into an open workbook).
Positions are 0-based (row, column).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, Literal, TypeVar, overload

from xlpack.files.text_fit import line_counter, line_height
from xlpack.model.definitions import CELL_TEXT_LIMIT

Value = str | int | float | date | datetime | None
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
        return len(self.columns)


@dataclass(frozen=True)
class Series:
    name: str
    column: int  # column index within the block
    colour: str | None = None


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
    n_rows: int | None = None  # chart only the first n rows of the block (e.g. leave out a total row)

    @property
    def categories_count(self) -> int:
        return len(self.block.rows) if self.n_rows is None else min(self.n_rows, len(self.block.rows))

    @property
    def pixel_height(self) -> int:
        return self.height or max(260, 90 + 24 * self.categories_count)


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

    def cells(self) -> Iterator[tuple[int, int, Value]]:
        """Every non-empty value the sheet writes, with its position."""
        yield 0, 0, self.title
        for i, line in enumerate(self.intro, start=1):
            yield i, 0, line
        for b in self.blocks:
            if b.title:
                yield b.row - 1, b.col, b.title
            if b.header:
                for c, col in enumerate(b.columns):
                    yield b.row, b.col + c, col.header
            for r, row in enumerate(b.rows, start=b.first_data_row):
                for c, value in enumerate(row):
                    v = value_of(value)
                    if v is not None and v != "":
                        yield r, b.col + c, v


def stack(blocks: Sequence[Block], start: int, *, gap: int = 2, col: int = 0) -> int:
    """Place blocks one under another from row ``start``; returns the first free row after them."""
    row = start
    for b in blocks:
        if b.title:
            row += 1
        b.row, b.col = row, col
        row = b.last_row + 1 + gap
    return row


#: Named styles that wrap text; rows are made tall enough for what they hold, up to MAX_LINES lines.
WRAPPING = frozenset({"wrap", "editable", "row_label", "grid", "header"})
BOLD = frozenset({"row_label", "header"})
LINE_POINTS, MAX_LINES = line_height(11), 8
FILTER_BUTTON = 2.5  # characters of an Excel Table's header cell that its filter button covers


def row_height(values: Sequence[CellLike], columns: Sequence[Column], style: str | None = None,
               table: bool = False) -> float | None:
    """Points a row needs for its wrapped text (Calibri metrics, see :mod:`xlpack.files.text_fit`); None for one line.

    ``style`` overrides the columns' styles (e.g. "header" for a header row); ``table``: a table's header
    row, whose cells lose the room of their filter buttons.
    """
    return heights_for(columns, style, table)(values)


def heights_for(columns: Sequence[Column], style: str | None = None,
                table: bool = False) -> Callable[[Sequence[CellLike]], float | None]:
    """:func:`row_height` for many rows of the same columns."""
    narrower = FILTER_BUTTON if table else 0.0
    wrapping = [(i, line_counter(max(1.0, col.width - narrower), 11, (style or col.style) in BOLD, MAX_LINES))
                for i, col in enumerate(columns) if (style or col.style) in WRAPPING]

    def height(values: Sequence[CellLike]) -> float | None:
        lines = 1
        for i, count in wrapping:
            if i >= len(values):
                continue
            value = values[i]
            if type(value) is Cell:
                value = value.value
            if type(value) is not str or not value:
                continue
            n = count(value)
            if n > lines:
                lines = n
                if lines >= MAX_LINES:
                    break
        return None if lines == 1 else lines * LINE_POINTS

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
