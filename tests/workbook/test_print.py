"""Issue 18, items 25-28: what prints, at what scale, with which rows, worked out from the written files.

The consolidated workbook is the demo's (its simulated returns, with an
Excel lock file among them), with the issue emails drafted, so that every
sheet has rows. The print scale is worked out as LibreOffice fits a sheet
to a page's width (tests/support/print_scale.py, checked against
LibreOffice's own pages in test_print_office.py).
"""

from __future__ import annotations

import shutil
from itertools import takewhile
from pathlib import Path, PurePath

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from tests.support.extracts import population, write_csv
from tests.support.print_scale import column_widths, print_scale
from xlpack.consolidate import ConsolidateResult, consolidate
from xlpack.coordinator.plan_sheets import create_audit, render_coordinator
from xlpack.demo.run import DEMO_TODAY, simulate_returns
from xlpack.files.text_fit import text_lines
from xlpack.mail import draft_mail
from xlpack.sample.sampling import draw_sample
from xlpack.workbook.render import sheet_writer
from xlpack.workbook.sheet_model import WRAP_RESERVE, Block, Sheet, value_of
from xlpack.workbook.sheets import grid

pytestmark = pytest.mark.slow  # the demo audit consolidated once (about two minutes)

PEOPLE_PRINT = 70  # per cent, at least, on every sheet a person prints
FORMS_PRINT = 85  # on the forms
PRINTED_SHEETS = ("Cases", "Issued forms", "Mail log", "Returns", "Flags", "Case grid", "Grades", "Evidence",
                  "Views", "Action plan", "Agreement", "Form answers", "Problems", "Orphaned")


@pytest.fixture(scope="module")
def demo(sample_forms: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> ConsolidateResult:
    audit_src, forms_src = sample_forms
    root = tmp_path_factory.mktemp("print")
    audit, forms, returns = root / "audit.xlsx", root / "forms", root / "returns"
    shutil.copy2(audit_src, audit)
    shutil.copytree(forms_src, forms)
    draft_mail(audit, "issue")
    simulate_returns(audit, forms, returns)
    return consolidate(audit, [returns], today=DEMO_TODAY)


@pytest.fixture(scope="module")
def book(demo: ConsolidateResult) -> openpyxl.Workbook:
    return openpyxl.load_workbook(demo.audit)


@pytest.mark.parametrize("sheet", PRINTED_SHEETS)
def test_every_printed_sheet_prints_at_70_per_cent_or_more(book: openpyxl.Workbook, sheet: str) -> None:
    if sheet not in book.sheetnames:
        pytest.skip(f"no {sheet} sheet in this workbook")
    assert print_scale(book[sheet]) >= PEOPLE_PRINT, sheet


def test_forms_print_at_85_per_cent_or_more_the_status_column_within(sample_forms: tuple[Path, Path]) -> None:
    forms = sorted(sample_forms[1].glob("*.xlsx"))
    for path in (forms[0], next(p for p in forms if "Participation" in p.name or "views" in p.name.lower())):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            if ws.sheet_state == "visible":
                assert print_scale(ws) >= FORMS_PRINT, (path.name, ws.title)
                area = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area
                assert ws.title != "Audit" or area.split(":")[-1].startswith("$C$"), area  # the status column


def _table(ws: openpyxl.worksheet.worksheet.Worksheet, first: str) -> tuple[int, list[str]]:
    for row in ws.iter_rows(max_row=30):
        if row[0].value == first:
            return row[0].row, [c.value for c in row]
    raise AssertionError(first)


def test_mail_log_prints_names_whole(book: openpyxl.Workbook) -> None:
    """Item 25: every printed column wraps (nothing runs into the next cell or is cut) and the form id, xlpack's,
    is left off the page."""
    ws = book["Mail log"]
    head, headers = _table(ws, "Drafted")
    area = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area
    printed = openpyxl.utils.column_index_from_string(area.split(":")[-1].strip("$").rstrip("0123456789").strip("$"))
    assert "Form id" not in headers[:printed] and "Draft" in headers[:printed] and "Email" in headers[:printed]
    widths = {c: w for c, (w, _) in column_widths(ws).items()}
    rows = list(ws.iter_rows(min_row=head + 1, max_col=printed))
    assert rows
    for row in rows:
        lines = 1
        for cell in row[1:]:
            if isinstance(cell.value, str):
                assert cell.alignment.wrap_text, cell.coordinate
                lines = max(lines, text_lines(cell.value, widths[cell.column] - 0.71))
        assert lines == 1 or (ws.row_dimensions[row[0].row].height or 15) >= 15 * lines, row[0].row


def test_grades_and_evidence_rows_are_as_tall_as_their_printed_text(book: openpyxl.Workbook) -> None:
    """Item 27: no row is taller than its longest text needs, counted in every column (a long file path in a
    column that is not printed made most rows a line taller); the printed text decides most rows' height."""
    for name, first in (("Grades", "Case reference"), ("Evidence", "No.")):
        ws = book[name]
        head, headers = _table(ws, first)
        widths = {c: w - 0.71 - WRAP_RESERVE for c, (w, _) in column_widths(ws).items()}
        area = ws.print_area[0] if isinstance(ws.print_area, list) else ws.print_area
        printed = openpyxl.utils.column_index_from_string(area.split(":")[-1].strip("$").rstrip("0123456789")
                                                          .strip("$"))
        by_printed = 0
        rows = list(ws.iter_rows(min_row=head + 1))
        for row in rows:
            need = {c.column: text_lines(c.value, widths[c.column]) for c in row
                    if isinstance(c.value, str) and c.alignment.wrap_text}
            height = ws.row_dimensions[row[0].row].height or 15.0
            assert height <= 15.0 * max(need.values(), default=1) + 0.1, (name, row[0].row)
            by_printed += max((n for c, n in need.items() if c <= printed), default=1) == max(need.values(), default=1)
        assert by_printed >= 0.9 * len(rows), (name, by_printed, len(rows))


def test_agreement_repeats_the_most_divided_header(book: openpyxl.Workbook) -> None:
    """Item 28: the 'Most divided' table runs over pages: its header row is the sheet's print titles."""
    ws = book["Agreement"]
    title = next(c.row for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("Most divided"))
    assert ws.print_title_rows.replace("$", "") == f"{title + 1}:{title + 1}"
    assert ws.cell(title + 1, 1).value == "Section"


def test_sample_sheet_tables_start_pages_and_wrap(tmp_path: Path) -> None:
    """Item 28: each table of the Sample sheet starts a page (none split from its last rows), every value wraps
    whole in rows tall enough."""
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, "cp")
    draw_sample(write_csv(tmp_path / "extract.csv", population(120)), audit, 12, by=["Age band", "Gender"], seed=3)
    ws = openpyxl.load_workbook(audit)["Sample"]
    starts = [c.row for c in ws["A"] if c.value in ("Allocation by stratum",
                                                     "Balance: population share and sample share")]
    assert len(starts) == 2
    assert sorted(b.id + 1 for b in ws.row_breaks.brk) == starts  # a break above each title (breaks are 0-based)
    fits = ws.sheet_properties.pageSetUpPr is not None and ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.scale or 100) == 100 and not fits  # at full size: Excel keeps the breaks
    method = next(c for c in ws["A"] if c.value == "Method")  # a paragraph merged over columns B to G
    widths = column_widths(ws)
    lines = text_lines(ws.cell(method.row, 2).value, [widths[c][0] - 0.71 for c in range(2, 8)])
    assert (ws.row_dimensions[method.row].height or 15.0) >= 15.0 * lines
    for row in ws.iter_rows(min_row=starts[0] + 2):
        for cell in row[:2]:
            if isinstance(cell.value, str) and cell.row not in (starts[1], starts[1] + 1):
                assert cell.alignment.wrap_text, cell.coordinate
                width = column_widths(ws)[cell.column][0] - 0.71
                assert (ws.row_dimensions[cell.row].height or 15.0) >= 15.0 * text_lines(cell.value, width)


def test_returns_rows_top_aligned_and_skipped_files_named(book: openpyxl.Workbook, demo: ConsolidateResult) -> None:
    """Item 28: every cell of the Returns table is top-aligned; a row with no case (a skipped or unknown file)
    names its file in the printed Detail column."""
    ws = book["Returns"]
    head, headers = _table(ws, "Case reference")
    detail = headers.index("Detail")
    skipped = [r for r in demo.data.returns if r.status == "skipped"]
    assert skipped
    rows = list(ws.iter_rows(min_row=head + 1))
    for row in rows:
        for cell in row:
            if cell.value not in (None, ""):
                assert cell.alignment.vertical == "top", cell.coordinate
    details = [row[detail].value for row in rows if not row[0].value]
    for r in skipped:
        assert any(str(d).startswith(PurePath(r.source).name) for d in details), r.source


def test_a_case_with_many_forms_continues_below_and_the_grid_still_prints_at_70(demo: ConsolidateResult,
                                                                                tmp_path: Path) -> None:
    """Item 26: a case audited by more agencies than fit across a page shows its forms in bands, one under another,
    each with the section titles, saying so; every form keeps its column and the sheet prints at 70% or more."""
    data = demo.data
    first = data.plan.cases[0].case_ref
    theirs = [f for f in data.plan.issued if f.case_ref == first and f.kind == "audit"]
    extra = [theirs[0].model_copy(update={"form_id": f"{theirs[0].form_id}-extra{i}", "agency": f"Extra agency {i}",
                                          "auditor": f"Extra auditor {i}"}) for i in range(13 - len(theirs))]
    big = data.model_copy(update={"plan": data.plan.model_copy(update={"issued": [*data.plan.issued, *extra]})})
    path = tmp_path / "grid.xlsx"
    render_coordinator(path, big.plan, [sheet_writer(grid.build(big), big.plan.scale)])
    ws = openpyxl.load_workbook(path)["Case grid"]
    assert print_scale(ws) >= PEOPLE_PRINT
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    titles = [r for r, row in enumerate(rows) if str(row[0]).startswith(f"Case {first} · ")]
    assert len(titles) == 2 and "the others below" in rows[titles[0]][0] and "(continued)" in rows[titles[1]][0]
    headers = [h for t in titles for h in takewhile(bool, rows[t + 1][1:])]  # up to the gap before the views
    assert sorted(headers) == sorted(f.agency for f in [*theirs, *extra])  # each form once, in one band or the other
    assert all(rows[t + 1][0] == "Section" and rows[t + 2][0] == "Return" for t in titles)
    assert "more than" in str(rows[1][0]) and "at a time" in str(rows[1][0])  # said on the sheet
    breaks = {b.id + 1 for b in ws.row_breaks.brk}
    assert titles[1] + 1 not in breaks  # the bands of one case print together


def _grid_cases(sheet: Sheet) -> list[tuple[list[Block], list[Block]]]:
    """Each case of a built Case grid: its grid's bands (titled "Case ...") and the blocks of views and details."""
    cases: list[tuple[list[Block], list[Block]]] = []
    for b in sorted(sheet.blocks, key=lambda b: (b.row, b.col)):
        if b.title and b.title.startswith("Case "):
            if "(continued)" in b.title:
                cases[-1][0].append(b)
            else:
                cases.append(([b], []))
        else:
            cases[-1][1].append(b)
    return cases


def test_the_grid_says_where_each_cases_views_and_details_are(demo: ConsolidateResult) -> None:
    """The sheet's intro says whether the views and details sit beside each case's grades or below them, as laid out
    (long cases put them below, to keep the grades on one page)."""
    sheet = grid.build(demo.data)
    below: set[int] = set()
    beside: set[int] = set()
    for bands, sides in _grid_cases(sheet):
        assert len(sides) == 2  # the views and the details
        end = bands[-1].last_row
        where = {side.row > end for side in sides}
        assert len(where) == 1, bands[0].title  # both beside, or both below
        (below if where == {True} else beside).add(bands[0].row)
    intro = sheet.intro[0]
    assert below or beside
    if not below:
        assert "on the right of its grades." in intro and "below" not in intro
    elif not beside:
        assert "below its grades, side by side." in intro and "right" not in intro
    else:
        assert "on the right of its grades where the whole case prints on one page so, otherwise below them, side by " \
               "side." in intro


def test_views_and_details_below_a_grid_use_the_width_from_the_left_edge(demo: ConsolidateResult,
                                                                          book: openpyxl.Workbook,
                                                                          tmp_path: Path) -> None:
    """A long case's views and details, below its grid, sit side by side: the views from column A, their answers
    across the form columns (merged, as wide as they are together), the details in their own columns; each starts
    a page where the grid leaves too little room (the old layout put both in the right-hand columns, one under the
    other, leaving the left of their pages empty)."""
    sheet = grid.build(demo.data)
    cases = _grid_cases(sheet)
    forms = max(b.width for bands, _ in cases for b in bands) - 1  # the form columns: as many as the most forms
    under = [(bands, sides) for bands, sides in cases if sides[0].row > bands[-1].last_row]
    assert len(under) >= 7  # the demo's cases, but for ones whose views and details fit beside
    for bands, (views, details) in under:
        assert views.col == 0 and views.row == details.row == bands[-1].last_row + 2, bands[0].title
        assert [c.header for c in views.columns] == ["Child and family views", "What they said"]
        assert views.columns[-1].span == forms and details.col > views.col + views.width
        assert views.row in sheet.page_breaks
    path = tmp_path / "grid.xlsx"  # drawn by xlsxwriter, as well as streamed (the consolidated workbook)
    render_coordinator(path, demo.data.plan, [sheet_writer(grid.build(demo.data), demo.data.plan.scale)])
    for ws in (book["Case grid"], openpyxl.load_workbook(path)["Case grid"]):
        merged = {str(m) for m in ws.merged_cells.ranges}
        checked = 0
        last = get_column_letter(1 + forms)
        for _, (views, _) in under:
            for r in range(views.row, views.last_row + 1):
                assert f"B{r + 1}:{last}{r + 1}" in merged  # every row's answer across the form columns
            for r, row in enumerate(views.rows, start=views.first_data_row + 1):
                answer = value_of(row[1])
                if isinstance(answer, str) and answer:
                    assert ws.cell(r, 2).value == answer and (ws.cell(r, 1).value or "") == value_of(row[0])
                    checked += 1
        assert checked > 50
    widths = column_widths(book["Case grid"])
    assert sum(widths[c][0] for c in range(2, forms + 2)) >= grid.VIEW_WIDTH
