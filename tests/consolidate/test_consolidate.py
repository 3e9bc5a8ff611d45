"""End to end: the sample audit's forms filled with known answers (openpyxl and LibreOffice), consolidated.

Every expectation is worked out by hand in tests/consolidate_scenario.py.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from tests.office.client import Office, pdf_info
from tests.support.scenario import (
    FORMULA,
    Scenario,
    build,
    expected_flag_ids,
    expected_section_counts,
    expected_statuses,
    sheet_block,
    used_audits,
)
from xlpack.consolidate import ConsolidatedAudit, ConsolidateResult, consolidate, read_consolidated
from xlpack.workbook.readback import Workbook
from xlpack.workbook.sheets import ANALYSIS_SHEETS


@pytest.fixture(scope="module")
def scenario(sample_forms: tuple[Path, Path], office: Office, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build(tmp_path_factory.mktemp("consolidate"), *sample_forms, office)


@pytest.fixture(scope="module")
def done(scenario: Scenario) -> ConsolidateResult:
    return consolidate(scenario.audit, [scenario.returns], today=scenario.today)


@pytest.fixture(scope="module")
def back(done: ConsolidateResult) -> ConsolidatedAudit:
    return read_consolidated(done.audit)


def test_exit_code_says_some_returns_were_rejected(done: ConsolidateResult, scenario: Scenario) -> None:
    assert done.exit_code == 3
    rejected = sorted(Path(f.path).name for f in done.files if f.status == "rejected")
    assert rejected == sorted([scenario.by_role("rejected").form.file, scenario.foreign.name])


def test_returns_statuses(back: ConsolidatedAudit, scenario: Scenario) -> None:
    expected = expected_statuses(scenario)
    issued = {f.form_id for f in scenario.plan.issued}
    main: dict[str, str] = {}
    for r in back.returns:
        if r.form_id in issued:
            main.setdefault(r.form_id, r.status)
    assert main == expected
    twice = scenario.by_role("twice").form
    copies = [(Path(r.source).name, r.status) for r in back.returns if r.form_id == twice.form_id]
    assert copies == [(twice.file, "accepted"), (f"older {twice.file}", "superseded")]
    foreign = [r for r in back.returns if r.form_id not in issued]
    assert [(Path(r.source).name, r.status, r.file) for r in foreign] == [(scenario.foreign.name, "rejected", "")]
    assert "another audit" in foreign[0].detail
    rejected = next(r for r in back.returns if r.form_id == scenario.by_role("rejected").form.form_id)
    assert "'Goodish' is not a grade" in rejected.detail and "B" in rejected.detail
    overdue = next(r for r in back.returns if r.form_id == scenario.by_role("missing_a").form.form_id)
    assert overdue.detail == f"Due {scenario.plan.terms.deadline:%d %B %Y}: 7 days late."


def test_returns_totals_by_agency_on_their_own_sheet(done: ConsolidateResult, scenario: Scenario) -> None:
    header, body = sheet_block(Workbook(done.audit).rows("Return totals"), "Totals by agency")
    by_agency = {row[0]: dict(zip(header[1:], row[1:])) for row in body if row[0] != "Total"}
    expected = expected_statuses(scenario)
    want: dict[str, Counter[str]] = {}
    for p in scenario.planted:
        want.setdefault(p.form.agency, Counter())[expected[p.form.form_id]] += 1
    assert set(by_agency) == set(want)
    for agency, counts in want.items():
        got = by_agency[agency]
        assert got["Accepted"] == counts["accepted"] and got["Overdue"] == counts["overdue"]
        assert got["Accepted with warnings"] == counts["accepted_with_warnings"]
        assert got["Rejected"] == counts["rejected"] and got["Issued"] == sum(counts.values())


def test_the_returns_table_stands_alone_so_a_filter_hides_nothing_else(done: ConsolidateResult) -> None:
    rows = Workbook(done.audit).rows("Returns")
    header = rows[3]
    width = header.index("") if "" in header else len(header)
    assert header[:2] == ["Case reference", "Form"]
    beside = [(r, c) for r, row in enumerate(rows[3:], start=3) for c, v in enumerate(row) if c >= width and v != ""]
    assert beside == []
    below = [row for row in rows[4:] if not any(v != "" for v in row[:width])]
    assert below == []  # nothing under the table either: every row below the header is a row of it


def test_problems_sheet_has_one_row_per_problem_and_returns_sums_them_up(
        done: ConsolidateResult, back: ConsolidatedAudit) -> None:
    want = Counter((f.path, p.code, p.sheet or "", p.cell or "", p.message) for f in done.files for p in f.problems
                   if not (f.kind == "container" and f.status == "skipped"))
    got = Counter((p.source, p.code, p.sheet, p.cell, p.message) for p in back.problems)
    assert got == want and got
    rows = Workbook(done.audit).rows("Problems")
    header = rows[3]
    for needed in ("Returned file", "Sheet", "Cell", "Code", "What was found", "What to do"):
        assert needed in header
    assert [p.severity for p in back.problems] == sorted((p.severity for p in back.problems),
                                                        key=["error", "warning", "info"].index)
    by_source = {r.source: r for r in back.returns if r.source}
    for f in done.files:
        warnings = [p for p in f.problems if p.severity == "warning"]
        if f.status == "accepted_with_warnings":
            n = len(warnings)
            assert by_source[f.path].detail == f"{n} warning{'s' if n != 1 else ''}: see Problems"
        elif f.status == "rejected":
            first = next(p for p in f.problems if p.severity == "error")
            assert by_source[f.path].detail.split(" (")[0].rstrip(".") in first.message


def test_grades_sheet_has_one_row_per_form_and_section(back: ConsolidatedAudit, scenario: Scenario) -> None:
    used = used_audits(scenario)
    assert len(back.grades) == len(used) * len(scenario.plan.tool.sections)
    by_row = {g.row_id: g for g in back.grades}
    for p in used:
        for sid, grade in p.grades.items():
            g = by_row[f"{p.form.form_id}:{sid}"]
            assert (g.grade, g.case_ref, g.agency, g.auditor) == (grade, p.form.case_ref, p.form.agency,
                                                                  p.form.auditor)
            assert g.moderated_grade is None and g.final_grade == grade


def test_pivot_counts_by_section(done: ConsolidateResult, scenario: Scenario) -> None:
    rows = Workbook(done.audit).rows("Pivots")
    want = expected_section_counts(scenario)
    for title in ("Grades by section, after moderation: counts", "Grades by section, as returned: counts"):
        header, body = sheet_block(rows, title)
        labels = header[1:header.index("Total")]
        got = {row[0]: {lab: float(row[1 + i]) for i, lab in enumerate(labels)} for row in body if row[0] != "All"}
        assert set(got) == set(want)
        for t, c in want.items():
            assert got[t] == pytest.approx({lab: c[lab] for lab in labels}), t
        total = next(row for row in body if row[0] == "All")
        assert float(total[header.index("Total")]) == pytest.approx(sum(sum(c.values()) for c in want.values()))
        for row in body:
            if row[0] == "All":
                continue
            c = want[row[0]]
            graded = c["Outstanding"] + c["Good"] + c["Adequate"] + c["Inadequate"]
            share = row[header.index("Good or better")]
            assert (share == "" if not graded else share == pytest.approx((c["Outstanding"] + c["Good"]) / graded))


def test_flags_are_exactly_the_planted_ones(back: ConsolidatedAudit, scenario: Scenario) -> None:
    want = expected_flag_ids(scenario)
    got: dict[str, set[str]] = {}
    for f in back.flags:
        got.setdefault(f.flag_id.split("-")[0], set()).add(f.flag_id)
    assert got == want
    assert len(want["SAFE"]) == 2 and "INV" in want and "DUP" in want and "NOEV" in want and "NOGR" in want


def test_urgent_flags_first_with_the_cells(back: ConsolidatedAudit, scenario: Scenario) -> None:
    assert [f.severity for f in back.flags[:2]] == ["urgent", "urgent"]
    assert all(f.severity != "urgent" for f in back.flags[2:])
    no = scenario.by_role("unsafe_no").form
    flag = next(f for f in back.flags if f.agencies == [no.agency] and f.case_ref == no.case_ref
                and f.rule == "not_safeguarded")
    assert "answered 'No'" in flag.message and "Told the team manager on 1/12." in flag.message
    assert re.fullmatch(re.escape(no.file) + r": Audit!B\d+", flag.cells)


def test_formula_text_is_written_as_text_everywhere(done: ConsolidateResult, back: ConsolidatedAudit,
                                                    scenario: Scenario) -> None:
    p = scenario.by_role("formula")
    row = next(g for g in back.grades if g.row_id == f"{p.form.form_id}:assessment")
    assert row.evidence == FORMULA
    wb = openpyxl.load_workbook(done.audit)
    hits = [(ws.title, c.coordinate, c.data_type) for ws in wb.worksheets for r in ws.iter_rows() for c in r
            if c.value == FORMULA]
    assert {t for t, _, _ in hits} == {"Grades", "Evidence"}
    assert all(dtype == "s" for _, _, dtype in hits)
    with zipfile.ZipFile(done.audit) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_case_grid_puts_every_issued_form_of_a_case_side_by_side(done: ConsolidateResult,
                                                                  scenario: Scenario) -> None:
    rows = Workbook(done.audit).rows("Case grid")
    expected = expected_statuses(scenario)
    words = {"overdue": "Overdue", "rejected": "Rejected"}
    checked_missing = 0
    for case in scenario.plan.cases:
        title = next(r for r, row in enumerate(rows) if str(row[0]).startswith(f"Case {case.case_ref} · "))
        header = rows[title + 1]
        issued = [p for p in scenario.audits if p.form.case_ref == case.case_ref]
        agencies = Counter(p.form.agency for p in issued)
        names = {(p.form.agency if agencies[p.form.agency] == 1 else f"{p.form.agency} ({p.form.auditor})"): p
                 for p in issued}
        shown = header[1:1 + len(issued)]
        assert sorted(shown) == sorted(names)
        assert rows[title + 2][0] == "Return"
        for i, section in enumerate(scenario.plan.tool.sections):
            row = rows[title + 3 + i]
            assert row[0] == f"{i + 1}. {section.title}"
            for col, h in enumerate(shown, start=1):
                p = names[h]
                if p.used:
                    assert row[col] == (p.grades[section.id] or "")
                else:
                    assert row[col] == words[expected[p.form.form_id]]
                    checked_missing += 1
        for col, h in enumerate(shown, start=1):
            status = str(rows[title + 2][col])
            if expected[names[h].form.form_id] == "rejected":
                assert status.startswith("Rejected: ") and "'Goodish' is not a grade" in status
        following = next((r for r in range(title + 1, len(rows)) if str(rows[r][0]).startswith("Case ")), len(rows))
        assert any("Child and family views" in row for row in rows[title + 1:following])  # beside the grid or below
    assert checked_missing >= 3 * len(scenario.plan.tool.sections)


def test_grades_carry_the_case_details(done: ConsolidateResult, scenario: Scenario) -> None:
    rows = Workbook(done.audit).rows("Grades")
    header = rows[3]
    labels = {q.id: q.label for q in scenario.plan.tool.case_fields}
    columns = {"Category": header.index("Category"), **{fid: header.index(label) for fid, label in labels.items()}}
    cases = {c.case_ref: c for c in scenario.plan.cases}
    body = [row for row in rows[4:] if row[0]]
    assert body
    for row in body:
        case = cases[row[0]]
        assert row[columns["Category"]] == case.category
        for fid in labels:
            value = row[columns[fid]]
            assert str(value) == case.fields.get(fid, "")


def test_read_back_equals_what_was_written(done: ConsolidateResult, back: ConsolidatedAudit) -> None:
    data = done.data
    assert back.returns == data.returns
    assert back.problems == data.problems
    assert back.grades == data.grades
    assert back.summaries == data.summaries
    assert back.flags == data.flags
    assert back.views == data.views and len(back.views) == sum(1 for r in data.returns if r.kind == "views"
                                                                  and r.status == "accepted")
    assert back.orphaned == [] and back.consolidated_at == data.consolidated_at
    assert back.plan.audit_id == data.plan.audit_id


def test_every_analysis_sheet_is_there_in_order(done: ConsolidateResult) -> None:
    names = Workbook(done.audit).names
    assert [n for n in names if n in ANALYSIS_SHEETS] == list(ANALYSIS_SHEETS)
    assert names[:6] == ["Start", "Terms of reference", "Cases", "Assignments", "Agencies", "Issued forms"]


def test_opens_in_libreoffice_and_the_charts_render(done: ConsolidateResult, office: Office, tmp_path: Path) -> None:
    info = office.open_info(done.audit).check()
    visible = [s.name for s in info.sheets if s.visible]
    assert [n for n in visible if n in ANALYSIS_SHEETS] == list(ANALYSIS_SHEETS)
    pdf = office.convert(done.audit, tmp_path).check().path
    assert pdf is not None and pdf_info(pdf).pages >= len(ANALYSIS_SHEETS)
    import subprocess

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for title in ("Grades by section, after moderation (share of answers)", "Grades by agency, after moderation"):
        assert title in text  # the chart titles are drawn in the PDF


def test_tables_cover_their_rows_and_headers_match_as_excel_requires(done: ConsolidateResult) -> None:
    """Excel repairs a file whose table header cells differ from the table's column names, or whose rows are
    out of order: check both in the XML, for the tables whose rows are streamed in too."""
    import re as regex

    from xlpack.files.package import PackageReader

    book = Workbook(done.audit)
    with zipfile.ZipFile(done.audit) as z:
        parts = PackageReader(z).sheet_parts()
        rels = {n: z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/_rels/")}
        checked = 0
        for sheet, part in parts.items():
            xml = z.read(part).decode()
            rows = [int(r) for r in regex.findall(r'<row r="(\d+)"', xml)]
            assert rows == sorted(set(rows)), sheet
            rel = rels.get(part.replace("worksheets/", "worksheets/_rels/") + ".rels", "")
            for target in regex.findall(r'Target="\.\./tables/(table\d+\.xml)"', rel):
                table = z.read(f"xl/tables/{target}").decode()
                ref = regex.search(r'<table [^>]*ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"', table)
                assert ref is not None
                names = regex.findall(r'<tableColumn id="\d+" name="([^"]*)"', table)
                values = book.rows(sheet)
                first, last = int(ref.group(2)), int(ref.group(4))
                data_rows = [r for r, row in enumerate(values, start=1)
                             if r > first and any(v != "" for v in row[:len(names)])]
                assert [str(v) for v in values[first - 1][:len(names)]] == [
                    n.replace("&amp;", "&").replace("&apos;", "'") for n in names], sheet
                assert not data_rows or max(data_rows) <= last, sheet
                checked += 1
    assert checked >= 7
