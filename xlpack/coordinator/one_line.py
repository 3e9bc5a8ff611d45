"""Names and addresses typed on one line: a line break (Alt+Enter) or a tab in one is refused, naming the cell.

An auditor's name, agency, role and email, and the coordinator's and the
participation worker's, go into form file names, email headers and
recipients.csv, none of which can hold a line break. ``generate`` and
``mail`` call :func:`control_character_problems` before writing anything.
"""

from __future__ import annotations

from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from xlpack.coordinator.plan_sheets import ASSIGN, ASSIGN_COLUMNS, TOR, TOR_FIELDS, read_table
from xlpack.errors import visible
from xlpack.files.workbooks import SheetReader, cell_text

#: The Terms of reference rows that name a person or give an address.
TOR_NAMES = ("Coordinator", "Coordinator email", "Participation worker", "Participation worker email")
ASSIGN_NAMES = tuple(label for key, label, _ in ASSIGN_COLUMNS if key != "case_ref")


def has_control(text: str) -> bool:
    """Whether ``text`` (stripped as it is read) holds a line break, tab or other control character."""
    return any(ch < " " or "\x7f" <= ch <= "\x9f" or ch in "\u2028\u2029" for ch in text.strip())


def _problem(cell: str, sheet: str, label: str, text: str) -> str:
    return (f"Sheet '{sheet}', cell {cell}: the {label.lower()} '{visible(text.strip())}' holds a line break or "
            "another control character (Alt+Enter in Excel makes one), which cannot go into a file name or an "
            "email. Type it on one line.")


def control_character_problems(path: Path) -> list[str]:
    """Every name or address cell of the plan holding a control character, with its cell."""
    reader = SheetReader(Path(path))
    out = []
    labels = {label for _, label, _, _ in TOR_FIELDS}
    for n, row in enumerate(reader.rows(TOR), start=1):
        label = cell_text(row[0]).strip() if row else ""
        if label in TOR_NAMES and label in labels and len(row) > 1 and has_control(cell_text(row[1])):
            out.append(_problem(f"B{n}", TOR, label, cell_text(row[1])))
    table = read_table(reader, ASSIGN, [label for _, label, _ in ASSIGN_COLUMNS])
    for n, values in table.rows:
        for label in ASSIGN_NAMES:
            text = cell_text(values.get(label))
            if has_control(text):
                out.append(_problem(xl_rowcol_to_cell(n - 1, table.headers.index(label)), ASSIGN, label, text))
    return out
