"""The comparison workbook (xlsxwriter): what changed between the baseline and the re-audit.

Sheets: About (the two audits, how each change is tested, what was not
compared, any map applied), By section and By agency (shares side by side,
the change, the test, with charts over the table), Grade counts (the two
distributions side by side) and Action plan (the baseline's action rows
against the sections they address). Every sheet is marked
OFFICIAL-SENSITIVE and prints on A4, landscape, one page wide. Text is
always written as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from xlpack.compare.comparison import CompareRow, Comparison
from xlpack.compare.stats import ShareChange, forms_not_records_text, how_tested, shared_cases_text, verdict_text
from xlpack.coordinator.sheet_writing import make_styles, page_setup
from xlpack.errors import WorkbookInUseError
from xlpack.files.text_fit import height_for
from xlpack.files.workbooks import lock_files, replace_atomically
from xlpack.files.xlsx_writer import close_workbook, new_workbook
from xlpack.model.marking import MARKING
from xlpack.report.document import long_date
from xlpack.workbook.sheet_model import clean_text

MARKING_LINE = f"{MARKING}: case references only, never children's names. Share only with those who need it."
BEFORE_COLOUR, AFTER_COLOUR = "#9DB3D6", "#1F3864"
BAD_BEFORE, BAD_AFTER = "#F4B6B6", "#B2182B"
#: Columns of the By section and By agency tables: (header, width, kind).
CHANGE_COLUMNS: tuple[tuple[str, float, str], ...] = (
    ("Graded, baseline", 9, "int"), ("Graded, re-audit", 9, "int"),
    ("Good or better, baseline", 10, "pct"), ("Good or better, re-audit", 10, "pct"), ("Change (points)", 9, "chg"),
    ("p (Fisher)", 8, "p"), ("Larger than chance?", 10, "yes"),
    ("Inadequate, baseline", 10, "pct"), ("Inadequate, re-audit", 10, "pct"), ("Change (points)", 9, "chg"),
    ("p (Fisher)", 8, "p"), ("Larger than chance?", 10, "yes"), ("Reading at re-audit", 14, "text"))
HEADER_ROW = 4
#: A change in percentage points, written as points (+6.25 shows "+6 pts"), signed as points_text signs it.
CHANGE_FORMAT = '+0" pts";−0" pts";0" pts"'
KEY_WIDTH = 44  # the longest section title of the bundled tools fits on one line
ABOUT_WIDTHS = (26, 52, 52)  # the About sheet's columns: a label, then the baseline and the re-audit
#: An Action plan row grows with its longest text up to this many lines (longer text is read in the cell).
ACTION_MOST_LINES = 12


class Formats(dict):
    """The workbook's named cell formats: the coordinator workbook's, and the comparison's own."""


def _formats(wb: xlsxwriter.Workbook) -> Formats:
    st = Formats(make_styles(wb))
    base: dict[str, Any] = {"font_name": "Calibri", "font_size": 11, "valign": "top", "border": 1,
                            "border_color": "#BFBFBF"}
    kinds: dict[str, dict[str, Any]] = {"cell": {"text_wrap": True}, "int": {"num_format": "0", "align": "center"},
                        "pct": {"num_format": "0%", "align": "center"},
                        "chg": {"num_format": CHANGE_FORMAT, "align": "center"},
                        "p": {"num_format": '[<0.001]"<0.001";0.000', "align": "center"},
                        "yes": {"align": "center"}, "dash": {"align": "center", "font_color": "#7F7F7F"},
                        "text": {"text_wrap": True}, "head": {"bold": True, "bg_color": "#1F3864",
                                                              "font_color": "#FFFFFF", "text_wrap": True,
                                                              "valign": "bottom"}}
    for name, extra in kinds.items():
        st[name] = wb.add_format({**base, **extra})
        st[f"{name}_total"] = wb.add_format({**base, **extra, "bold": True, "bg_color": "#D9E2F3"})
    st["yes_hit"] = wb.add_format({**base, "align": "center", "bold": True, "bg_color": "#FFF2CC"})
    st["statement"] = wb.add_format({"font_name": "Calibri", "font_size": 11, "valign": "top", "text_wrap": True})
    st["marking_line"] = wb.add_format({"font_name": "Calibri", "bold": True, "font_color": "#7F1D1D"})
    st["line"] = wb.add_format({"font_name": "Calibri", "font_size": 11})
    st["line_guide"] = wb.add_format({"font_name": "Calibri", "font_size": 11, "italic": True, "font_color": "#595959"})
    return st


def _sheet(wb: xlsxwriter.Workbook, st: Formats, name: str, title: str, lines: Sequence[str]) -> Any:
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, clean_text(title), st["title"])
    ws.write_string(1, 0, MARKING_LINE, st["marking_line"])
    for i, line in enumerate(lines, start=2):
        ws.write_string(i, 0, clean_text(line), st["line_guide"] if i > 2 else st["line"])
    page_setup(ws, landscape=True)
    return ws


def _put(ws: Any, st: Formats, r: int, c: int, value: Any, kind: str, total: bool = False) -> None:
    """One cell; a missing figure (None) as a grey dash, text always as text."""
    suffix = "_total" if total else ""
    if value is None:
        ws.write_string(r, c, "–", st["dash" + suffix])
    elif isinstance(value, str):
        ws.write_string(r, c, clean_text(value), st[kind + suffix])
    elif kind == "chg":  # a change of share, in percentage points as the document gives it: 100 x the fraction
        ws.write_number(r, c, value * 100, st[kind + suffix])
    else:
        ws.write_number(r, c, value, st[kind + suffix])


def _test_cells(change: ShareChange) -> list[tuple[Any, str]]:
    return [(change.baseline, "pct"), (change.reaudit, "pct"), (change.change, "chg"), (change.p_value, "p"),
            (verdict_text(change), "yes")]


def _change_row(ws: Any, st: Formats, r: int, row: CompareRow, *, total: bool = False) -> None:
    cells: list[tuple[Any, str]] = [(row.key, "cell"), (row.baseline.graded, "int"), (row.reaudit.graded, "int")]
    good, bad = _test_cells(row.good), _test_cells(row.inadequate)
    cells += good[:3] + [good[3], good[4]] + bad + [(row.reading, "text")]
    for c, (value, kind) in enumerate(cells):
        if kind == "yes" and value == "Yes" and not total:
            ws.write_string(r, c, "Yes", st["yes_hit"])
        else:
            _put(ws, st, r, c, value, kind, total)


def _change_sheet(wb: xlsxwriter.Workbook, st: Formats, name: str, key: str, rows: list[CompareRow],
                  overall: CompareRow, c: Comparison) -> None:
    ws = _sheet(wb, st, name, f"Re-audit comparison by {key.lower()}", [
        (f"{c.reaudit.title} (re-audit) against {c.baseline.title} (baseline): grades after moderation; shares of "
        "graded answers (Not applicable, No evidence and blanks left out)."),
        ("Change is the re-audit's share minus the baseline's, in percentage points. p is from Fisher's exact test "
        "(two-sided); 'Larger than chance?' is Yes when p < 0.05. See the About sheet.")])
    headers = [key, *(h for h, _, _ in CHANGE_COLUMNS)]
    ws.set_column(0, 0, KEY_WIDTH)
    for i, (_, width, _) in enumerate(CHANGE_COLUMNS, start=1):
        ws.set_column(i, i, width)
    ws.set_row(HEADER_ROW, 45)
    for i, h in enumerate(headers):
        ws.write_string(HEADER_ROW, i, h, st["head"])
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        _change_row(ws, st, i, row)
    last = HEADER_ROW + len(rows)
    _change_row(ws, st, last + 1, overall, total=True)
    ws.freeze_panes(HEADER_ROW + 1, 1)
    ws.repeat_rows(HEADER_ROW)
    if rows:
        _charts(wb, ws, name, key, HEADER_ROW + 1, last, last + 3)


def _charts(wb: xlsxwriter.Workbook, ws: Any, name: str, key: str, first: int, last: int, at: int) -> None:
    """Two clustered bar charts over the table: share Good or better, and share Inadequate, baseline beside re-audit."""
    height = max(280, 110 + 34 * (last - first + 1))
    for i, (label, cols, colours) in enumerate((("Good or better", (3, 4), (BEFORE_COLOUR, AFTER_COLOUR)),
                                                ("Inadequate", (8, 9), (BAD_BEFORE, BAD_AFTER)))):
        chart = wb.add_chart({"type": "bar"})
        for col, which, colour in zip(cols, ("baseline", "re-audit"), colours):
            chart.add_series({"name": f"{label}, {which}", "categories": [name, first, 0, last, 0],
                              "values": [name, first, col, last, col], "fill": {"color": colour},
                              "border": {"color": "#7F7F7F"}, "gap": 60,
                              "data_labels": {"value": True, "num_format": "0%", "font": {"size": 8}}})
        chart.set_title({"name": f"Share {label}, by {key.lower()}", "name_font": {"size": 12, "bold": True}})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9}})
        chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_gridlines": {"visible": True,
                                                                                    "line": {"color": "#D9D9D9"}}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": height})
        ws.insert_chart(at, 0 if i == 0 else 8, chart, {"object_position": 1})


def _about_sheet(wb: xlsxwriter.Workbook, st: Formats, c: Comparison) -> None:
    ws = _sheet(wb, st, "About", "Re-audit comparison", [
        f"{c.reaudit.title} (re-audit) against {c.baseline.title} (baseline)."])
    for i, width in enumerate(ABOUT_WIDTHS):
        ws.set_column(i, i, width)
    b, r = c.baseline, c.reaudit
    facts = [("Workbook", b.path, r.path), ("Audit", b.title, r.title), ("Tool", b.tool, r.tool),
             ("Grade scale", b.scale, r.scale),
             ("Case work audited", f"{long_date(b.period_from)} to {long_date(b.period_to)}",
              f"{long_date(r.period_from)} to {long_date(r.period_to)}"),
             ("Cases", str(b.cases), str(r.cases)), ("Audit forms used", str(b.forms_used), str(r.forms_used)),
             ("Graded answers compared", str(c.overall.baseline.graded), str(c.overall.reaudit.graded)),
             ("Consolidated", _when(b.consolidated_at), _when(r.consolidated_at))]
    row = HEADER_ROW
    for i, h in enumerate(("", "Baseline", "Re-audit")):
        ws.write_string(row, i, h, st["head"])
    for label, x, y in facts:
        row += 1
        texts = (clean_text(label), clean_text(x), clean_text(y))
        ws.write_string(row, 0, texts[0], st["cell_total"])
        ws.write_string(row, 1, texts[1], st["cell"])
        ws.write_string(row, 2, texts[2], st["cell"])
        ws.set_row(row, max(height_for([(texts[0], ABOUT_WIDTHS[0])], bold=True),  # a long file name wraps whole
                            height_for(zip(texts[1:], ABOUT_WIDTHS[1:]))))
    row = _paragraph(ws, st, row + 2, "How each change is tested", how_tested(c.shared_cases))
    if c.shared_cases:
        row = _paragraph(ws, st, row, "Cases audited in both audits", shared_cases_text(c.shared_cases))
    if c.multi_form_records:
        row = _paragraph(ws, st, row, "Forms, not case records", forms_not_records_text(c.multi_form_records))
    row = _paragraph(ws, st, row, "The baseline's action plan", f"The Action plan sheet lists the rows of "
                     f"{c.actions_source}, each beside the re-audit's figures for the section it addresses.")
    if c.not_compared:
        text = "; ".join(f"{title} ({why})" for title, why in c.not_compared) + "."
        row = _paragraph(ws, st, row, "Sections not compared", text)
    if c.mapping is not None:
        text = f"{c.mapping.source}: " + "; ".join(
            f"{e.kind} {e.baseline} → {e.reaudit or '(left out)'}" for e in c.mapping.entries) + "."
        _paragraph(ws, st, row, "Map applied", text)


def _paragraph(ws: Any, st: Formats, row: int, heading: str, text: str) -> int:
    """A heading, and its text over the About sheet's three columns, the row as tall as the text wraps."""
    text = clean_text(text)
    ws.write_string(row, 0, heading, st["subtitle"])
    ws.merge_range(row + 1, 0, row + 1, 2, text, st["statement"])
    ws.set_row(row + 1, height_for([(text, ABOUT_WIDTHS)]))
    return row + 3


def _when(when: datetime | None) -> str:
    return f"{when:%d/%m/%Y %H:%M}" if when else "not recorded"


def _counts_sheet(wb: xlsxwriter.Workbook, st: Formats, c: Comparison) -> None:
    ws = _sheet(wb, st, "Grade counts", "Grade counts, baseline beside re-audit", [
        ("Answers at each grade after moderation, the baseline's on the left of each pair. Not applicable, No "
        "evidence and blanks are counted here but left out of every share.")])
    labels = c.labels
    colours = {g.label: g.colour for g in c.scale.grades}
    ws.set_column(0, 0, KEY_WIDTH)
    ws.set_column(1, 2 * len(labels), 8)
    row = HEADER_ROW
    grade_heads = {label: wb.add_format({"bold": True, "text_wrap": True, "align": "center", "border": 1,
                                         "bg_color": colours.get(label, "#EDEDED"), "font_name": "Calibri"})
                   for label in labels}
    for title, rows in (("Section", [*c.sections, c.overall]), ("Agency", [*c.agencies, c.overall])):
        ws.set_row(row, 30)
        ws.merge_range(row, 0, row + 1, 0, title, st["head"])
        for i, label in enumerate(labels):
            col = 1 + 2 * i
            ws.merge_range(row, col, row, col + 1, label, grade_heads[label])
            ws.write_string(row + 1, col, "Baseline", st["head"])
            ws.write_string(row + 1, col + 1, "Re-audit", st["head"])
        for j, data in enumerate(rows, start=row + 2):
            total = data is c.overall
            _put(ws, st, j, 0, data.key, "cell", total)
            for i, label in enumerate(labels):
                _put(ws, st, j, 1 + 2 * i, data.baseline.counts.get(label, 0), "int", total)
                _put(ws, st, j, 2 + 2 * i, data.reaudit.counts.get(label, 0), "int", total)
        row += len(rows) + 4
    ws.freeze_panes(HEADER_ROW, 1)


ACTION_HEADERS: tuple[tuple[str, float], ...] = (
    ("Action", 30), ("Section", 18), ("Owner", 12), ("Agency", 14), ("By when", 10), ("Measure of success", 28),
    ("Status", 11), ("Evidence of impact", 22), ("Review date", 10), ("Good or better, baseline", 9),
    ("Good or better, re-audit", 9), ("Change (points)", 8), ("Larger than chance?", 9), ("Inadequate, baseline", 9),
    ("Inadequate, re-audit", 9), ("Change (points)", 8), ("Larger than chance?", 9), ("Reading at re-audit", 13))


def _actions_sheet(wb: xlsxwriter.Workbook, st: Formats, c: Comparison) -> None:
    ws = _sheet(wb, st, "Action plan", "The baseline's action plan against the re-audit", [
        f"Rows from {c.actions_source}.",
        "Each row beside the figures of the section it addresses; where there are none, the last column says why."])
    for i, (h, width) in enumerate(ACTION_HEADERS):
        ws.set_column(i, i, width)
        ws.write_string(HEADER_ROW, i, h, st["head"])
    ws.set_row(HEADER_ROW, 45)
    if not c.actions:
        ws.write_string(HEADER_ROW + 1, 0, "The baseline has no action plan rows.", st["guide"])
    for r, line in enumerate(c.actions, start=HEADER_ROW + 1):
        a = line.row
        cells: list[tuple[Any, str]] = [(v, "text") for v in (a.action, a.section, a.owner, a.agency, a.by_when,
                                                                a.measure, a.status, a.evidence, a.review_date)]
        for change in ((line.compared.good, line.compared.inadequate) if line.compared else ()):
            cells += [(change.baseline, "pct"), (change.reaudit, "pct"), (change.change, "chg"),
                      (verdict_text(change), "yes")]
        if line.compared is None:
            cells += [(None, "pct")] * 8
        cells.append((line.compared.reading if line.compared else line.why, "text"))
        for col, (value, kind) in enumerate(cells):
            _put(ws, st, r, col, value, kind)
        ws.set_row(r, height_for([(v, w) for (v, _), (_, w) in zip(cells, ACTION_HEADERS) if isinstance(v, str)],
                                 max_lines=ACTION_MOST_LINES))
    ws.freeze_panes(HEADER_ROW + 1, 1)
    ws.repeat_rows(HEADER_ROW)


def workbook_writer(c: Comparison) -> Any:
    """A function writing the comparison workbook to a path (for :func:`replace_atomically`)."""

    def write(path: Path) -> None:
        wb = new_workbook(path, f"Re-audit comparison: {c.reaudit.title}", datetime(2000, 1, 1))
        st = _formats(wb)
        _about_sheet(wb, st, c)
        _change_sheet(wb, st, "By section", "Section", c.sections, c.overall, c)
        _change_sheet(wb, st, "By agency", "Agency", c.agencies, c.overall, c)
        _counts_sheet(wb, st, c)
        _actions_sheet(wb, st, c)
        close_workbook(wb)

    return write


def write_comparison_workbook(c: Comparison, out: Path) -> Path:
    """Write the comparison workbook to ``out`` (replaced atomically; refused while it is open)."""
    out = Path(out)
    locks = lock_files(out)
    if locks:
        raise WorkbookInUseError(f"{out} is open in Excel or LibreOffice (lock file {locks[0].name} is beside it). "
                                 "Close it and run the command again.")
    replace_atomically(out, workbook_writer(c), keep_backup=False)
    return out
