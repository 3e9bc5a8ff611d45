"""The analysis sheets as LibreOffice lays them out: rows tall enough, numbers as people read them, charts whole.

The workbook is the demo's consolidated one (its returns, with one form
sent zipped, as auditors do), measured in one LibreOffice load: each row's
height in the file against LibreOffice's optimal height for what it holds,
the text LibreOffice displays for every number, and the printed pages the
charts fall on.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.office.client import Office, SheetLayoutResult, pdf_info
from tests.support.scenario import sheet_block
from xlpack.analysis.agreement import alpha_text
from xlpack.analysis.pivots import share_percent
from xlpack.consolidate import ConsolidateResult, consolidate
from xlpack.demo.run import DEMO_TODAY, simulate_returns
from xlpack.workbook.readback import Workbook
from xlpack.workbook.sheets import ANALYSIS_SHEETS, analysis_sheets
from xlpack.workbook.sheets.themes import TITLES

TOLERANCE = 1.5  # points: LibreOffice's optimal heights are rounded to its own units
DECIMALS = re.compile(r"\d[.,]\d{3,}")


@pytest.fixture(scope="module")
def demo(sample_forms: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> ConsolidateResult:
    audit_src, forms_src = sample_forms
    root = tmp_path_factory.mktemp("layout")
    audit, forms, returns = root / "audit.xlsx", root / "forms", root / "returns"
    shutil.copy2(audit_src, audit)
    shutil.copytree(forms_src, forms)
    simulate_returns(audit, forms, returns)
    sent = sorted(returns.glob("CP_*.xlsx"))[0]  # one auditor zipped their form
    with zipfile.ZipFile(returns / "from the auditor.zip", "w") as z:
        z.write(sent, sent.name)
    sent.unlink()
    return consolidate(audit, [returns], today=DEMO_TODAY)


@pytest.fixture(scope="module")
def layout(demo: ConsolidateResult, office: Office) -> SheetLayoutResult:
    return office.sheet_layout(demo.audit, ANALYSIS_SHEETS).check()


def test_every_row_is_tall_enough_for_its_text(layout: SheetLayoutResult) -> None:
    short = {s.name: s.short_rows(TOLERANCE)[:5] for s in layout.sheets if s.short_rows(TOLERANCE)}
    assert short == {}
    assert sorted(s.name for s in layout.sheets) == sorted(ANALYSIS_SHEETS)
    assert any(h > 30 for s in layout.sheets for h in s.loaded)  # wrapped text did get taller rows


def test_numbers_show_as_what_they_are(layout: SheetLayoutResult) -> None:
    """Counts whole, shares whole percentages, alpha as the report writes it (two decimals; more only where two
    would round it across a cut-off)."""
    odd = []
    for s in layout.sheets:
        for n in s.numbers:
            if DECIMALS.search(n.shown) and not (s.name == "Agreement" and n.shown == alpha_text(n.value)):
                odd.append((s.name, n.row, n.col, n.shown))
    assert odd == []
    agreement = layout.sheet("Agreement")
    shown = [n.shown for n in agreement.numbers]
    assert any(t.endswith("%") for t in shown) and all(not t.endswith(".00") for t in shown)


def test_shares_are_rounded_as_the_report_rounds_them(demo: ConsolidateResult, layout: SheetLayoutResult) -> None:
    rows = Workbook(demo.audit).rows("Pivots")
    title = "Grades by section, after moderation: counts"
    header, body = sheet_block(rows, title)
    first = next(r for r, row in enumerate(rows) if row and row[0] == title) + 2
    shown = {(n.row, n.col): n.shown for n in layout.sheet("Pivots").numbers}
    graded_col, good_col = header.index("Graded"), header.index("Good or better")
    good_labels = ("Outstanding", "Good")
    checked = 0
    for i, row in enumerate(body):
        graded = float(row[graded_col])  # case records: an agency's two forms share one count (halves)
        if not graded:
            continue
        good = sum(float(row[header.index(lab)]) for lab in good_labels)
        assert shown[first + i, good_col] == share_percent(good, graded)
        checked += 1
    assert checked >= 10


def test_every_chart_prints_whole_on_one_page(layout: SheetLayoutResult) -> None:
    charts = layout.sheet("Charts")
    assert len(charts.shapes) >= 4
    for shape in charts.shapes:
        page = charts.page_of(shape.first_row)
        assert page is not None and page == charts.page_of(shape.last_row), (shape, charts.pages)


def test_view_dates_show_as_uk_dates(layout: SheetLayoutResult) -> None:
    dates = [n.shown for n in layout.sheet("Views").numbers if n.col == 4]  # case, conversation, who, age, date
    assert dates and all(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in dates)
    assert any(re.fullmatch(r"\d\d/\d\d/\d{4}", n.shown) for n in layout.sheet("Case grid").numbers)


def test_a_zipped_return_is_read_but_the_zip_is_not_a_row(demo: ConsolidateResult) -> None:
    sources = [r.source for r in demo.data.returns]
    assert not any(s.endswith(".zip") for s in sources)
    assert any(".zip/" in s and r.status == "accepted" for s, r in zip(sources, demo.data.returns))
    assert not any(p.code == "container-opened" for p in demo.data.problems)


def test_each_case_of_the_grid_prints_on_one_page(demo: ConsolidateResult, layout: SheetLayoutResult) -> None:
    rows = Workbook(demo.audit).rows("Case grid")
    grid = layout.sheet("Case grid")
    titles = [r for r, row in enumerate(rows) if str(row[0]).startswith("Case ") and " · " in str(row[0])]
    assert len(titles) == len(demo.data.plan.cases)
    for title in titles:
        last = next((r for r in range(title + 1, len(rows)) if rows[r][0] == ""), len(rows)) - 1
        assert last > title + 10
        page = grid.page_of(title)
        assert page is not None and page == grid.page_of(last), (title, last, grid.pages)


def test_no_page_of_the_grid_leaves_its_left_columns_empty(demo: ConsolidateResult, layout: SheetLayoutResult) -> None:
    """A long case's views and details, below its grades, are printed side by side from the left edge: every page
    has something in column A, and a case takes two pages at most (its grades, then its views and details). The
    old layout put them one under the other in the right-hand columns: 21 pages for the demo's 10 cases, 11 of
    them empty on the left."""
    rows = Workbook(demo.audit).rows("Case grid")
    grid = layout.sheet("Case grid")
    assert grid.pages
    for first, last in grid.pages:
        assert any(row and row[0] not in ("", None) for row in rows[first:last + 1]), (first, last, grid.pages)
    assert len(grid.pages) <= 2 * len(demo.data.plan.cases), grid.pages


def test_every_sheet_prints_one_page_wide(layout: SheetLayoutResult) -> None:
    """A sheet cut down the side prints the same rows on two pages."""
    for s in layout.sheets:
        firsts = [first for first, _ in s.pages]
        assert s.pages and len(firsts) == len(set(firsts)), (s.name, s.pages)


def test_tables_of_the_summary_sheets_are_not_split_from_their_titles(demo: ConsolidateResult,
                                                                       layout: SheetLayoutResult) -> None:
    """A table's title never ends a page with its table on the next, and a table that fits on a page is on one."""
    sheets = {s.name: s for s in analysis_sheets(demo.data)}
    checked = 0
    for name in ("Pivots", "Agreement", "Return totals", "Themes"):
        printed = layout.sheet(name)
        for b in sheets[name].blocks:
            if not b.title or b.col:
                continue
            first, last = b.row - 1, b.last_row
            assert printed.page_of(first) == printed.page_of(b.row), (name, b.title, printed.pages)
            if sum(printed.loaded[first:last + 1]) < 350:
                assert printed.page_of(first) == printed.page_of(last), (name, b.title, printed.pages)
            checked += 1
    assert checked >= 10


def test_the_themes_header_tops_every_page_either_table_runs_onto(demo: ConsolidateResult, office: Office,
                                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    """The demo's themes run over three pages: LibreOffice prints the shared header (the sheet's print titles)
    above the rows of each, the good practice table's pages too (the two tables had a header each, and a page
    that a table ran onto began with a row of it)."""
    pdf = office.convert(demo.audit, tmp_path_factory.mktemp("themes-pdf")).check().path
    assert pdf is not None
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = [[line for line in page.splitlines() if line.strip()] for page in text.split("\f")]
    assert len(pages) >= pdf_info(pdf).pages
    themes = [lines for lines in pages if lines and lines[-1].split()[0] == "Themes"]  # the footer names the sheet
    assert len(themes) >= 2
    for n, lines in enumerate(themes):
        first_row = next(i for i, line in enumerate(lines) if re.match(r"\s*\d+ +[a-z]", line))
        assert any("Two examples (agency, section)" in line for line in lines[:first_row]), (n, lines[:first_row])
    both = " ".join(" ".join(lines) for lines in themes)
    assert all(title.split(" (")[0] in both for title in TITLES.values())
