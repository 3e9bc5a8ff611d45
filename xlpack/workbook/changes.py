"""Never lose what the coordinator typed.

consolidate rewrites the whole coordinator workbook. Before it does, this
module finds every cell the coordinator typed that the new workbook would
not hold:

- on the analysis sheets, a row that differs from every row xlpack wrote
  there (a digest of each written row is kept in the hidden analysis
  sheet; the columns the coordinator is meant to type in are left out, and
  rows may be sorted or deleted freely);
- a sheet xlpack did not write (the coordinator's own notes sheet);
- on the plan sheets, a cell whose value the rewritten workbook does not
  hold in the same place (a note beside a table, an extra column);
- anywhere, a cell comment, and a formula (xlpack writes values only): on
  a plan sheet a formula showing a value is kept as that value, but one
  with no value saved, or showing an error (Excel stores text typed as
  ``- agreed`` as the formula ``=-agreed``, showing ``#NAME?``), is lost.

Each is reported with its sheet and cell, so consolidate can refuse
instead of dropping it.
"""

from __future__ import annotations

import heapq
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import compress, islice
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from xlpack.files.sheet_extras import Comment, Extras, Formula
from xlpack.files.workbooks import cell_date
from xlpack.workbook.sheet_model import Cell, Sheet, clean_text

DIGEST_CHARS = 8
SHOWN_TEXT = 60  # characters of a value, formula or comment quoted in a message
_MASK = 0xFFFFFFFF
_RUN = 1 << 14  # row sums sorted at a time (see RowSums.packed)
_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class LostCell:
    sheet: str
    cell: str  # "B14"
    value: str
    whole_row: bool = False  # a changed row: the cell is its first one, the change may be anywhere in it

    def __str__(self) -> str:
        shown = _short(self.value)
        if self.whole_row:
            row = self.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            return f"Sheet '{self.sheet}', row {row} (starting '{shown}') was changed"
        return f"Sheet '{self.sheet}', cell {self.cell}: '{shown}'"


def norm(value: Any) -> str:
    """A cell value as comparable text, the same whether written by xlpack or read back after Excel saved it."""
    if type(value) is str:
        return clean_text(value).strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return f"{float(value):.10g}"
    if isinstance(value, datetime):
        stamp = _EPOCH + timedelta(seconds=round((value - _EPOCH).total_seconds()))
        return stamp.date().isoformat() if stamp.time() == time() else stamp.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return clean_text(str(value)).strip()


def cell_hash(col: int, value: Any) -> int:
    """A cell's share of its row's digest (its text's CRC, seeded with the column); 0 for an empty cell."""
    text = norm(value)
    return zlib.crc32(text.encode("utf-8"), col + 1) or 1 if text else 0


def model_digests(sheet: Sheet) -> list[str]:
    """The digest of every row the sheet writes, leaving out the columns the coordinator types in."""
    return [f"{d:08x}" for d in _row_sums(sheet)]


def packed_digests(sheet: Sheet) -> str:
    """``pack(model_digests(sheet))`` without the list of digests (a large sheet has a hundred thousand rows)."""
    return "".join(f"{d:08x}" for d in _row_sums(sheet))


def head_sums(sheet: Sheet) -> dict[int, int]:
    """Row -> the digest sum of what a sheet writes besides its blocks' data rows: the title, the lines under it,
    and each block's title and header."""
    acc: dict[int, int] = {}

    def add(r: int, c: int, value: Any) -> None:
        h = cell_hash(c, value)
        if h:
            acc[r] = (acc.get(r, 0) + h) & _MASK

    add(0, 0, sheet.title)
    for i, line in enumerate(sheet.intro, start=1):
        add(i, 0, line)
    for b in sheet.blocks:
        if b.title:
            add(b.row - 1, b.col, b.title)
        if b.header:
            for at, col in zip(b.offsets, b.columns):
                add(b.row, at, col.header)
    return acc


class RowSums:
    """Row -> digest sum, for a sheet of many rows: four bytes a row in one array, and a byte saying whether the
    row has a sum (a dict of Python ints took about a hundred bytes a row: 40 MB for a large audit's sheets).

    Rows are numbered from 0; a row is counted once something is added to it (a sum of 0 included, as in a dict).
    """

    __slots__ = ("_has", "_sums")

    def __init__(self, sums: Mapping[int, int] | None = None) -> None:
        self._sums = array("I")
        self._has = bytearray()
        if self._sums.itemsize != 4:  # pragma: no cover - "I" is four bytes wherever CPython runs
            raise RuntimeError("array('I') is not four bytes here")
        for r, total in (sums or {}).items():
            self.add(r, total)

    def add(self, r: int, total: int) -> None:
        """Add ``total`` to row ``r``'s sum (modulo 2**32)."""
        if r >= len(self._has):
            more = max(r + 1, 2 * len(self._has), 64) - len(self._has)
            self._sums.frombytes(bytes(4 * more))
            self._has.extend(bytes(more))
        self._sums[r] = (self._sums[r] + total) & _MASK
        self._has[r] = 1

    def items(self) -> Iterator[tuple[int, int]]:
        """(row, sum) of each row that has one, in row order."""
        return ((r, self._sums[r]) for r in compress(range(len(self._has)), self._has))

    def __len__(self) -> int:
        return len(self._has) - self._has.count(0)

    def packed(self) -> str:
        """The sums as packed digests, sorted (as :func:`packed_sums`): sorted a run of rows at a time and the
        runs merged, so that no more than a run's sums are ever Python ints."""
        present = compress(self._sums, self._has)
        runs = []
        while run := sorted(islice(present, _RUN)):
            runs.append(array("I", run))
        ordered = runs[0] if len(runs) == 1 else array("I", heapq.merge(*runs))
        if sys.byteorder == "little":
            ordered.byteswap()  # big-endian: each sum's hex reads as the number does
        return ordered.tobytes().hex()


def packed_sums(sums: Mapping[int, int] | RowSums) -> str:
    """Row sums as packed digests (sorted: fixed-width hex sorts as the numbers do)."""
    if isinstance(sums, RowSums):
        return sums.packed()
    return "".join(f"{d:08x}" for d in sorted(sums.values()))


def _row_sums(sheet: Sheet) -> list[int]:
    """The digest of every row as a number, in the digests' order (fixed-width hex sorts as the numbers do)."""
    acc = head_sums(sheet)
    for b in sheet.blocks:
        at = b.offsets
        keep = [c for c, col in enumerate(b.columns) if not col.editable]
        for r, row in enumerate(b.rows, start=b.first_data_row):
            total = 0
            for c in keep:
                if c < len(row):
                    v = row[c]
                    total += cell_hash(at[c], v.value if type(v) is Cell else v)
            if total:
                acc[r] = (acc.get(r, 0) + total) & _MASK
    return sorted(acc.values())


def pack(digests: Sequence[str]) -> str:
    return "".join(digests)


def unpack(text: str) -> Counter[str]:
    return Counter(text[i:i + DIGEST_CHARS] for i in range(0, len(text), DIGEST_CHARS))


def changed_rows(name: str, rows: Iterable[tuple[int, Sequence[Any]]], written: Counter[str],
                 skip_columns: set[int], header_row: int) -> Iterator[LostCell]:
    """Cells of a sheet as it is now that are not as xlpack wrote them.

    ``rows`` are (0-based row, values); ``skip_columns`` (the columns the coordinator types in) are left
    out below ``header_row``. A row matching no written row is reported by the cell typed into it when
    leaving that one cell out makes it match, else by its first cell.
    """
    remaining = Counter(written)
    unmatched: list[tuple[int, list[tuple[int, Any, int]]]] = []
    for r, row in rows:
        cells = [(c, v, h) for c, v in enumerate(row)
                 if not (c in skip_columns and r > header_row) and (h := cell_hash(c, v))]
        if not cells:
            continue
        digest = f"{sum(h for _, _, h in cells) & _MASK:08x}"
        if remaining[digest] > 0:
            remaining[digest] -= 1
        else:
            unmatched.append((r, cells))
    for r, cells in unmatched:
        total = sum(h for _, _, h in cells)
        for c, v, h in cells:
            rest = f"{(total - h) & _MASK:08x}"
            if len(cells) == 1 or remaining[rest] > 0:
                if len(cells) > 1:
                    remaining[rest] -= 1
                yield LostCell(name, xl_rowcol_to_cell(r, c), norm(v))
                break
        else:
            c, v, _ = cells[0]
            yield LostCell(name, xl_rowcol_to_cell(r, c), norm(v), whole_row=True)


def same_value(old: Any, new: Any) -> bool:
    """Whether a plan cell survives the rewrite (dates typed as text count as the same date)."""
    a, b = norm(old), norm(new)
    if a == b:
        return True
    if isinstance(old, (date, datetime)) or isinstance(new, (date, datetime)):
        try:
            return cell_date(old) == cell_date(new)
        except ValueError:
            return False
    return False


def lost_plan_cells(name: str, old_rows: Iterable[Sequence[Any]], new_rows: Iterable[Sequence[Any]],
                    ignore: Iterable[str] = (), owned: Callable[[int, int, str], bool] | None = None,
                    ) -> Iterator[LostCell]:
    """Cells of a plan sheet whose value is not in the same place in the rewritten sheet.

    The rows of each, from row 1, are read side by side (a large sheet need never be held whole).
    ``ignore``: prefixes of texts xlpack updates itself; ``owned(row, col, text)``:
    whether the old cell holds xlpack's own words (which a new version may
    word differently or put elsewhere).
    """
    ignored = tuple(ignore)
    after = iter(new_rows)
    for r, row in enumerate(old_rows):
        new_row = next(after, ())
        for c, v in enumerate(row):
            text = norm(v)
            if not text or (ignored and text.startswith(ignored)) or (owned is not None and owned(r, c, text)):
                continue
            new = new_row[c] if c < len(new_row) else None
            if not same_value(v, new):
                yield LostCell(name, xl_rowcol_to_cell(r, c), text)


def _short(text: str) -> str:
    return text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT - 1] + "…"


def extras_lost(extras: Extras, values_kept_on: Iterable[str], comment_goes: dict[str, str]) -> list[str]:
    """Why each formula and comment would be lost, naming its cell.

    ``values_kept_on``: the sheets on which a formula showing a value is
    kept as that value; ``comment_goes``: sheet -> where the words of a
    comment typed there belong instead.
    """
    kept = set(values_kept_on)
    out = [formula_lost(f) for f in extras.formulas if f.sheet not in kept or f.cached is None or f.error]
    out += [comment_lost(c, comment_goes.get(c.sheet, "a moderation note or resolution, or another workbook"))
            for c in extras.comments]
    return out


def formula_lost(f: Formula) -> str:
    shown = f"={_short(f.formula)}" if f.formula else "a formula shared with another cell"
    state = ("with no value saved" if f.cached is None else f"showing {f.cached}" if f.error
             else f"showing '{_short(f.cached)}'")
    head = (f"Sheet '{f.sheet}', cell {f.cell} holds a formula ({shown}, {state}), not a value typed in: xlpack "
            "writes values only and would lose it.")
    if f.error and f.formula[:1] in ("-", "+"):
        return (f"{head} Excel turns text typed starting with -, + or = into a formula: type it again starting "
                f"with an apostrophe (for example '{_short(f.formula)}), then run the command again.")
    return f"{head} Type the value itself in its place (or copy the cell and paste it as values), then run again."


def comment_lost(c: Comment, goes: str) -> str:
    return (f"Sheet '{c.sheet}', cell {c.cell} has a comment ('{_short(' '.join(c.text.split()))}'): xlpack "
            f"rewrites the workbook and would lose it. Copy what it says into {goes}, delete the comment, then run "
            "the command again.")
