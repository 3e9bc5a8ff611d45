"""Read a management-information extract (.xlsx or .csv): one row per child or case.

The header row is found by the case reference column's name; columns are
matched by header name, ignoring case and extra spaces. Values are read as
the text a person sees in the cell. Rows are numbered as a spreadsheet
program shows them, so every message can name the row. Reading never runs
or changes anything (python-calamine for workbooks, the csv module for
text).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from xlpack.errors import ExtractError, UsageError, XlpackError
from xlpack.files.workbooks import SheetReader, cell_text
from xlpack.wording import noun

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
TEXT_SUFFIXES = (".csv", ".txt")
HEADER_SEARCH_ROWS = 20
MAX_PROBLEMS_SHOWN = 25
MAX_BYTES = 200 * 1024 * 1024


@lru_cache(maxsize=8192)  # an extract repeats a few values per column many times over
def fold(text: str) -> str:
    """How names and values are compared: case and runs of spaces ignored."""
    return " ".join(text.split()).casefold()


@dataclass
class ExtractRow:
    row: int  # as a spreadsheet program numbers it (1 = the first row of the file)
    values: dict[str, str]  # folded header -> text


@dataclass
class Extract:
    path: Path
    sheet: str | None  # the worksheet read, for a workbook
    header_row: int
    headers: list[str]  # as written in the file
    rows: list[ExtractRow] = field(default_factory=list)
    sha256: str = ""

    def where(self, row: int, column: str) -> str:
        sheet = f"sheet '{self.sheet}', " if self.sheet else ""
        return f"{sheet}row {row}, column '{self.header(column)}'"

    def header(self, name: str) -> str:
        """The column's header as written in the file."""
        return next((h for h in self.headers if fold(h) == fold(name)), name)

    def has(self, name: str) -> bool:
        return fold(name) in {fold(h) for h in self.headers}


def read_extract(path: Path, reference_column: str, required: Sequence[str] = ()) -> Extract:
    """Read the extract; refuses an empty one, or one without the reference column or a required column."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"The extract {path} does not exist.")
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES + TEXT_SUFFIXES:
        raise UsageError(f"{path.name}: an extract must be an Excel workbook (.xlsx) or a .csv file. Save it as one "
                         "of those from the system it came from (or from Excel, with File > Save As).")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise UsageError(f"{path.name} is {len(data) // 1024 // 1024} MB: too large for a case extract.")
    if suffix in WORKBOOK_SUFFIXES:
        sheets = _workbook_sheets(path)
    else:
        sheets = [(None, _csv_rows(path, data))]
    want = [reference_column, *required]
    chosen = _find_header(sheets, reference_column)
    if chosen is None:
        found = _first_row(sheets)
        if found is None:
            raise ExtractError(path, [("The extract is empty: it has no rows at all. Export it again from the case "
                                      "management system.")])
        raise ExtractError(path, [_missing_message(want, found)])
    sheet, rows, index = chosen
    headers = [cell_text(v).strip() for v in rows[index]]
    missing = [name for name in want if fold(name) not in {fold(h) for h in headers}]
    if missing:
        raise ExtractError(path, [_missing_message(want, headers)])
    doubled = _doubled(headers, want)
    if doubled:
        raise ExtractError(path, doubled)
    extract = Extract(path, sheet, index + 1, headers, sha256=hashlib.sha256(data).hexdigest())
    keys = [fold(h) for h in headers]
    for n, raw in enumerate(rows[index + 1:], start=index + 2):
        texts = [cell_text(v).strip() for v in raw]
        if not any(texts):
            continue
        extract.rows.append(ExtractRow(n, {k: (texts[i] if i < len(texts) else "") for i, k in enumerate(keys) if k}))
    if not extract.rows:
        raise ExtractError(path, [(f"The extract is empty: it has a header row (row {index + 1}) but no cases under "
                                  "it. Export it again from the case management system.")])
    return extract


def _workbook_sheets(path: Path) -> list[tuple[str | None, list[list[Any]]]]:
    try:
        reader = SheetReader(path)
        return [(name, reader.rows(name)) for name in reader.names]
    except XlpackError as exc:
        reason = exc.__cause__ or exc  # the reader's own message already says the file cannot be read: once is enough
        raise UsageError(f"{path.name} cannot be read as an Excel workbook ({reason}). Open it in Excel and save it "
                         "again as an Excel workbook (.xlsx), or export the extract as .csv.") from exc


def _csv_rows(path: Path, data: bytes) -> list[list[Any]]:
    try:
        # Excel's "Unicode Text" is UTF-16 with a byte order mark; its .csv is UTF-8 (with or without one)
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # what Excel on Windows writes for "CSV" without UTF-8
    if "\x00" in text:
        raise UsageError(f"{path.name} is not a text (.csv) file. Export the extract as .csv or .xlsx.")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), dialect)]
    except csv.Error as exc:
        raise UsageError(f"{path.name} cannot be read as a .csv file ({exc}).") from exc


def _find_header(sheets: list[tuple[str | None, list[list[Any]]]],
                 reference_column: str) -> tuple[str | None, list[list[Any]], int] | None:
    """The first sheet and row (within the first rows) naming the reference column."""
    for name, rows in sheets:
        for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
            if fold(reference_column) in {fold(cell_text(v)) for v in row}:
                return name, rows, i
    return None


def _first_row(sheets: list[tuple[str | None, list[list[Any]]]]) -> list[str] | None:
    """The first non-empty row of the first sheet with one (what the header row probably is)."""
    for _, rows in sheets:
        for row in rows[:HEADER_SEARCH_ROWS]:
            texts = [cell_text(v).strip() for v in row]
            if any(texts):
                return texts
    return None


def _missing_message(want: Sequence[str], found: Sequence[str]) -> str:
    have = {fold(h) for h in found}
    missing = [name for name in want if fold(name) not in have]
    columns = ", ".join(f"'{h}'" for h in found if h) or "none"
    return (f"{noun(len(missing), 'The column', 'The columns')} {', '.join(repr(m) for m in missing)} "
            f"{noun(len(missing), 'is', 'are')} missing from the extract (headers are matched "
            f"ignoring case). Columns found: {columns}. Rename the column in the extract, or name the one to use "
            "(--ref for the case reference).")


def _doubled(headers: Sequence[str], want: Sequence[str]) -> list[str]:
    out = []
    for name in want:
        cols = [i for i, h in enumerate(headers) if fold(h) == fold(name)]
        if len(cols) > 1:
            letters = ", ".join(xl_col_to_name(i) for i in cols)
            out.append(f"Two or more columns are headed '{headers[cols[0]]}' (columns {letters}): say which one to "
                       "use by renaming the others.")
    return out

