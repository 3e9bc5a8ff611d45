"""What the Flags and Themes sheets print, read back from the written file: Flags rows as tall as Excel shows their
text (no line spare, none short), the Themes header at the top of every page either table runs onto.

The sheets are built from the in-memory audit of the report tests and
drawn as consolidate draws them (the Flags sheet streamed), then read with
openpyxl; the lines a text takes are counted with xlpack.files.text_fit, as
Excel wraps it, in the column's width less Excel's padding.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from tests.report.test_model import fake_audit
from tests.support.print_scale import column_widths, print_scale
from xlpack.analysis.themes import CONCERN, EXAMPLE_WORDS, GOOD_PRACTICE, LIMIT, Theme, ThemeExample, Themes
from xlpack.coordinator.plan_sheets import render_coordinator
from xlpack.files.text_fit import line_height, text_lines
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.render import PAGE_POINTS, sheet_writer
from xlpack.workbook.sheet_model import WRAP_RESERVE, Sheet
from xlpack.workbook.sheets import flags as flags_sheet
from xlpack.workbook.sheets import themes as themes_sheet
from xlpack.workbook.sheets.common import FLAGS_PRINTED
from xlpack.workbook.stream import stream_rows

EXCEL_PADDING = 0.71  # characters xlsxwriter adds to a column's width (Excel's padding)


@pytest.fixture(scope="module")
def data() -> ConsolidatedAudit:
    return fake_audit()


def _drawn(sheet: Sheet, data: ConsolidatedAudit, path: Path) -> Worksheet:
    """``sheet`` written as consolidate writes it (streamed if it is one of the streamed sheets) and read back."""
    streams: list = []
    render_coordinator(path, data.plan, [sheet_writer(sheet, data.plan.scale, streams)], only=())
    if streams:
        stream_rows(path, streams)
    return openpyxl.load_workbook(path)[sheet.name]


def _needed(ws: Worksheet, row: int, last_col: int | None = None) -> float:
    """Points the row's wrapped texts take in Excel (columns up to ``last_col``): lines of each at its font's
    line height, one line at least."""
    widths = column_widths(ws)
    need = 15.0
    for cell in ws[row][:last_col]:
        if isinstance(cell.value, str) and cell.value and cell.alignment.wrap_text:
            size = cell.font.sz or 11.0
            width = widths[cell.column][0] - EXCEL_PADDING - WRAP_RESERVE
            need = max(need, text_lines(cell.value, width, size, bool(cell.font.b)) * line_height(size))
    return need


def _with_grades_named(data: ConsolidatedAudit) -> ConsolidatedAudit:
    """The audit's divergence flags worded as the rule words them, every agency's grade named, and the forms and
    cells to look at listed (the in-memory audit's flags are one short line each)."""
    flags = []
    for f in data.flags:
        graded = [g for g in data.grades if g.case_ref == f.case_ref and g.section_id == f.section_id
                  and g.grade not in ("", "Not applicable", "No evidence")]
        if f.rule != "agency_divergence" or not graded:
            flags.append(f)
            continue
        grades = "; ".join(f"{g.agency}: {g.grade}" for g in graded)
        flags.append(replace(f, message=f"{graded[0].section_title}: agencies' grades are 2 points apart (Good to "
                                        f"Inadequate). All grades: {grades}.",
                             cells="; ".join(f"{Path(g.source).name}: Audit!B{20 + 6 * g.section_order}"
                                             for g in graded)))
    return data.model_copy(update={"flags": flags})


def test_flags_rows_are_as_tall_as_excel_shows_their_text(data: ConsolidatedAudit, tmp_path: Path) -> None:
    """No row is short of a line (Excel would cut the text) nor a line over (a long finding was measured by its
    length, a line too many; the list of forms and cells, not printed, made rows taller than the printed texts):
    the printed columns decide every row's height."""
    data = _with_grades_named(data)
    sheet = flags_sheet.build(data)
    sheet.stream = True
    ws = _drawn(sheet, data, tmp_path / "flags.xlsx")
    head = next(c.row for c in ws["A"] if c.value == "Severity")
    rows = range(head + 1, ws.max_row + 1)
    assert len(rows) == len(data.flags) > 20
    long = 0
    for r in rows:
        height = ws.row_dimensions[r].height or 15.0
        need = _needed(ws, r)
        assert need <= height < need + 1, (r, height, need)  # never short, not a line over
        assert _needed(ws, r, FLAGS_PRINTED) == need, r  # the printed text decides
        long += need >= 5 * 15.0
    assert long >= 5  # findings long enough to have been measured by their length


def _long_themes(data: ConsolidatedAudit) -> Themes:
    """As many themes of each kind as the finder keeps, with examples as long as it quotes and a long list of
    sections: each table runs over a printed page."""
    sections = tuple(s.title for s in data.plan.tool.sections)
    agencies = tuple(sorted({g.agency for g in data.grades}))
    said = ("the plan was reviewed at every core group but the actions for the school were not followed up and "
            "nobody recorded why visits stopped")  # as many words as an example quotes
    assert len(said.split()) == EXAMPLE_WORDS

    def theme(kind: str, n: int) -> Theme:
        examples = tuple(ThemeExample(said, agencies[i], sections[n], "evidence", "Adequate")
                         for i in range(2))
        return Theme(f"{kind.lower()} phrase number {n}", kind, sections[::2], agencies[:-1], cases=n + 2,
                     forms=n + 3, records=n + 3, examples=examples)

    return Themes([theme(CONCERN, n) for n in range(LIMIT)], [theme(GOOD_PRACTICE, n) for n in range(LIMIT)])


def _rows(ws: Worksheet) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


@pytest.mark.parametrize("long", [False, True])
def test_themes_header_tops_every_printed_page(data: ConsolidatedAudit, tmp_path: Path, long: bool) -> None:
    """One header over both tables is the sheet's print titles (Excel repeats one set of rows a sheet): every page
    either table runs onto starts with it; a table's title never ends a page, and the second table starts a page
    where it would otherwise be split and fits on one."""
    themes = _long_themes(data) if long else None
    sheet = themes_sheet.build(data, themes)
    ws = _drawn(sheet, data, tmp_path / "themes.xlsx")
    rows = _rows(ws)
    headers = [h for h, _, _ in themes_sheet.COLUMNS]
    header_rows = [r + 1 for r, row in enumerate(rows) if row[:len(headers)] == headers]
    assert len(header_rows) == 1, header_rows  # one header, shared
    head = header_rows[0]
    assert ws.print_title_rows is not None and ws.print_title_rows.replace("$", "") == f"{head}:{head}"
    titles = [r + 1 for r, row in enumerate(rows) if str(row[0]).startswith(tuple(themes_sheet.TITLES.values()))]
    assert len(titles) == 2 and head < titles[0] < titles[1]
    assert rows[titles[1] - 2][:2] == [None, None]  # a blank row between the tables
    breaks = sorted(b.id + 1 for b in ws.row_breaks.brk)  # the first row of each page after the first (1-based)
    assert not {t + 1 for t in titles} & set(breaks)  # no title alone at the foot of a page
    assert head + 1 not in breaks  # nor the header
    fits = ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
    assert not fits and ws.page_setup.scale == print_scale(ws)  # a fixed scale: Excel keeps the breaks

    def points(first: int, last: int) -> float:
        return sum(ws.row_dimensions[r].height or 15.0 for r in range(first, last + 1))

    room = PAGE_POINTS[True] * 100 / ws.page_setup.scale
    starts = [1, *breaks]
    ends = [*(b - 1 for b in breaks), len(rows)]
    for first, last in zip(starts, ends):
        assert points(first, last) + (points(head, head) if first > head else 0) <= room, (first, last)
    second = points(titles[1], len(rows)) + points(head, head)
    if second <= room:  # the second table fits on a page: it is on one
        assert not [b for b in breaks if titles[1] < b <= len(rows)], (titles, breaks)
    if long:
        assert len(breaks) >= 2 and any(b < titles[1] for b in breaks)  # the first table runs over a page
    else:
        assert [r for r in rows if isinstance(r[0], int)]  # the in-memory audit has recurring phrases
