"""The coordinator workbook's Sample sheet: the record of how the cases were drawn.

``xlpack sample`` writes it; it is a plan sheet, so every later rewrite of
the workbook (generate, consolidate) reads it back with the plan and writes
it again unchanged. The sheet holds the details of the draw (extract, seed,
method, population, filters), the allocation by stratum and a balance table
(population share against sample share for every field). Counts and
targets are read back; shares are worked out from the counts, so a rewrite
gives the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from xlpack.files.text_fit import height_for, line_height, text_lines
from xlpack.files.workbooks import cell_date, cell_text
from xlpack.model.marking import MARKING
from xlpack.model.plan import SampleBalance, SampleRecord, SampleStratum

SAMPLE = "Sample"
NONE = "(none)"
JOIN = "; "
#: The details block: (record field, label in column A).
DETAILS: tuple[tuple[str, str], ...] = (
    ("drawn_on", "Drawn on"), ("extract", "Extract"), ("extract_sha256", "Extract SHA-256"),
    ("extract_rows", "Cases in the extract"), ("reference_column", "Case reference column"),
    ("filters", "Filters"), ("excluded", "Left out: earlier audits' cases"),
    ("population", "Population (after the filters)"), ("size", "Sample size"),
    ("by", "Stratified by"), ("seed", "Seed"), ("method", "Method"))
STRATA_TITLE = "Allocation by stratum"
#: (column, header) of the two tables; the stratum's name runs over columns A and B.
STRATA_COLUMNS = ((0, "Stratum"), (2, "Population"), (3, "Target"), (4, "Drawn"))
BALANCE_TITLE = "Balance: population share and sample share"
BALANCE_COLUMNS = ((0, "Field"), (1, "Value"), (2, "Population"), (3, "Population share"), (4, "Sample"),
                   (5, "Sample share"), (6, "Difference (points)"))
FIRST_ROW = 3  # 0-based row of the details block
WIDTHS = (32, 34, 12, 12, 12, 12, 12)


def write_sample_sheet(wb: Any, st: Any, record: SampleRecord) -> None:
    """Write the Sample sheet (``st`` are the coordinator workbook's named formats), protected against edits."""
    ws = wb.add_worksheet(SAMPLE)
    base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
    fmt = {"plain": wb.add_format(base), "left": wb.add_format({**base, "align": "left"}),
           "dec": wb.add_format({**base, "num_format": "0.0"}),
           "guide": wb.add_format({**base, "italic": True, "font_color": "#595959"}),
           "wrap": wb.add_format({**base, "text_wrap": True})}
    ws.write_string(0, 0, "How the cases were drawn", st["title"])
    ws.set_row(0, line_height(16))  # the title's 16 points
    ws.write_string(1, 0, "Written by xlpack sample: the record that the cases were drawn at random, and how to "
                          "repeat the draw (the same extract and seed draw the same cases).", fmt["plain"])
    ws.write_string(2, 0, "The sheet is protected so that it is not changed by accident.", fmt["guide"])
    for c, width in enumerate(WIDTHS):
        ws.set_column(c, c, width)
    r = FIRST_ROW
    for key, label in DETAILS:
        ws.write_string(r, 0, label, st["label"])
        if key == "method":  # a paragraph, over the width of the tables below
            ws.merge_range(r, 1, r, len(WIDTHS) - 1, record.method, st["text"])
            ws.set_row(r, height_for([(record.method, WIDTHS[1:])]))
        else:
            _write_detail(ws, r, getattr(record, key), st, fmt)
        r += 1
    ws.write_string(r + 1, 2, "Target: the stratum's proportional share of the sample, before rounding.", fmt["guide"])
    breaks = [r + 1]  # each table starts a printed page, so that none is split from its last rows
    r = _table(ws, st, r + 1, STRATA_TITLE, STRATA_COLUMNS, [
        [s.label, s.population, s.target, s.drawn] for s in record.strata], {3: fmt["dec"]}, fmt)
    breaks.append(r + 1)
    _table(ws, st, r + 1, BALANCE_TITLE, BALANCE_COLUMNS, [
        [b.field, b.value, b.population, record.population_share(b), b.sample, record.sample_share(b),
         round(100 * (record.sample_share(b) - record.population_share(b)), 1)] for b in record.balance],
        {3: st["pct"], 5: st["pct"], 6: fmt["dec"]}, fmt)
    ws.freeze_panes(FIRST_ROW, 0)
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_print_scale(100)  # it fits a landscape page's width; Excel ignores page breaks when fitting to a page
    ws.set_h_pagebreaks(breaks)
    ws.repeat_rows(0)
    ws.set_header(f'&C&"Calibri,Bold"{MARKING}')
    ws.set_footer("&L&A&RPage &P of &N")
    ws.protect("", {"autofilter": True, "sort": True, "format_columns": True})


def _write_detail(ws: Any, r: int, value: Any, st: Any, fmt: dict[str, Any]) -> None:
    """A detail's value in column B (text runs on over the empty columns to its right)."""
    if isinstance(value, list):
        ws.write_string(r, 1, JOIN.join(value) or NONE, fmt["plain"])
    elif isinstance(value, int):
        ws.write_number(r, 1, value, fmt["left"])
    elif isinstance(value, date):
        ws.write_datetime(r, 1, datetime.combine(value, datetime.min.time()), st["date"])
    else:
        ws.write_string(r, 1, str(value), fmt["plain"])


def _table(ws: Any, st: Any, r: int, title: str, columns: Sequence[tuple[int, str]], rows: Sequence[Sequence[Any]],
           formats: dict[int, Any], fmt: dict[str, Any]) -> int:
    """A titled block of rows in the given columns; returns the row after it."""
    ws.write_string(r, 0, title, st["subtitle"])
    ws.set_row(r + 1, 30)
    for i, (c, header) in enumerate(columns):
        following = columns[i + 1][0] if i + 1 < len(columns) else c + 1
        if following > c + 1:
            ws.merge_range(r + 1, c, r + 1, following - 1, header, st["header"])
        else:
            ws.write_string(r + 1, c, header, st["header"])
    for n, row in enumerate(rows, start=r + 2):
        texts = []
        for (c, _), value in zip(columns, row):
            if isinstance(value, str):  # wrapped whole in its own column
                ws.write_string(n, c, value, fmt["wrap"])
                texts.append((value, WIDTHS[c]))
            else:
                ws.write_number(n, c, value, formats.get(c, fmt["plain"]))
        if any(text_lines(t, w) > 1 for t, w in texts):
            ws.set_row(n, height_for(texts))
    return r + 2 + len(rows)


# --------------------------------------------------------------------------
# Reading


def read_sample_sheet(rows: Sequence[Sequence[Any]], problems: list[str]) -> SampleRecord | None:
    """The record from the Sample sheet's rows (as calamine reads them); a problem if it cannot be read."""
    texts = [[cell_text(v).strip() for v in row] for row in rows]
    labels = {label: key for key, label in DETAILS}
    data: dict[str, Any] = {}
    try:
        for n, row in enumerate(texts):
            if row and row[0] in labels and len(row) > 1:
                key = labels[row[0]]
                data[key] = _detail(key, rows[n][1], row[1])
        data["strata"] = [SampleStratum(label=r[0], population=_int(r[2]), target=float(r[3]), drawn=_int(r[4]))
                          for r in _block(texts, STRATA_TITLE, STRATA_COLUMNS)]
        data["balance"] = [SampleBalance(field=r[0], value=r[1], population=_int(r[2]), sample=_int(r[4]))
                           for r in _block(texts, BALANCE_TITLE, BALANCE_COLUMNS)]
        return SampleRecord(**data)
    except (ValueError, IndexError, ValidationError) as exc:
        reason = str(exc).splitlines()[0]
        problems.append(f"Sheet '{SAMPLE}': the record of the case draw has been changed and cannot be read "
                        f"({reason}). Restore it from the backups folder, or delete the sheet if the cases were "
                        "not drawn by xlpack sample.")
        return None


def _detail(key: str, raw: Any, text: str) -> Any:
    if key in ("filters", "by", "excluded"):
        return [] if text in ("", NONE) else text.split(JOIN)
    if key in ("extract_rows", "population", "size", "seed"):
        return _int(text)
    if key == "drawn_on":
        return cell_date(raw)
    return text


def _int(text: str) -> int:
    return int(float(text))


def _block(texts: list[list[str]], title: str, columns: Sequence[tuple[int, str]]) -> list[list[str]]:
    """The rows under a block's title and header row, up to the first empty row."""
    start = next((i for i, row in enumerate(texts) if row and row[0] == title), None)
    if start is None:
        raise ValueError(f"the title '{title}' is missing")
    width = columns[-1][0] + 1
    header = texts[start + 1] + [""] * width
    if any(header[c] != name for c, name in columns):
        raise ValueError(f"the header row of '{title}' was changed")
    out = []
    for row in texts[start + 2:]:
        if not any(row):
            break
        out.append(row + [""] * (width - len(row)))
    return out
