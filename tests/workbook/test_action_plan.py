"""The Action plan sheet: proposed from the sections of concern, then the coordinator's, kept across consolidations.

Every form of the first three cases is returned with Assessment graded
Inadequate and every other section Good, so Assessment, and only
Assessment, causes concern (worked out here from the thresholds, not by
xlpack). The coordinator edits the plan in LibreOffice, adds a row below
the table, and later moderates Assessment up: every row stays, the
section's row is marked no longer of concern, and the report shows the
plan as typed.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from python_calamine import CalamineWorkbook

from tests.office.client import Office
from tests.support.filling import fill_form
from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import KeepTypedError
from xlpack.report import write_report
from xlpack.workbook.readback import read_consolidated

TODAY = date(2026, 12, 7)
GOOD_OR_BETTER = ("Outstanding", "Good")


def concern_by_hand(grades: dict[str, list[str]]) -> set[str]:
    """Sections causing concern: under half Good or better, or a fifth or more Inadequate (graded answers only)."""
    out = set()
    for section, given in grades.items():
        graded = [g for g in given if g in ("Outstanding", "Good", "Adequate", "Inadequate")]
        if graded and (sum(g in GOOD_OR_BETTER for g in graded) / len(graded) < 0.5
                       or sum(g == "Inadequate" for g in graded) / len(graded) >= 0.2):
            out.add(section)
    return out


def table(path: Path, sheet: str, first_header: str) -> tuple[int, list[str], list[list[Any]]]:
    """(Excel row of the header, headers, rows) of the sheet's main table."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    headers = [str(h) for h in rows[start]]
    return start + 1, headers, [r for r in rows[start + 1:] if any(v not in (None, "") for v in r)]


def col(headers: list[str], name: str) -> str:
    return chr(ord("A") + headers.index(name))


def type_in(office: Office, audit: Path, entries: list[tuple[str, str, str]]) -> None:
    edited = audit.with_name("edited.xlsx")
    office.set_cells(audit, edited, entries).check()
    shutil.move(edited, audit)


@pytest.fixture
def returned(sample_copy: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path, dict[str, list[str]]]:
    audit, forms = sample_copy
    plan = read_plan(audit)
    cases = {c.case_ref for c in plan.cases[:3]}
    returns = tmp_path / "returns"
    returns.mkdir()
    given: dict[str, list[str]] = {s.id: [] for s in plan.tool.sections}
    for f in plan.issued:
        if f.kind == "audit" and f.case_ref in cases:
            fill_form(forms / f.file, returns / f.file, {"assessment": "Inadequate"})
            for s in plan.tool.sections:
                given[s.id].append("Inadequate" if s.id == "assessment" else "Good")
    return audit, returns, given


def test_the_plan_is_proposed_then_kept_as_the_coordinator_edits_it(returned: tuple[Path, Path, dict[str, list[str]]],
                                                                   office: Office) -> None:
    audit, returns, given = returned
    plan = read_plan(audit)
    title = {s.id: s.title for s in plan.tool.sections}
    assert concern_by_hand(given) == {"assessment"}

    consolidate(audit, [returns], today=TODAY)
    header_row, headers, rows = table(audit, "Action plan", "Action id")
    # one row per recommendation: the section of concern, then good practice (every other section is all Good:
    # the first in the tool's order)
    good = next(s.id for s in plan.tool.sections if s.id != "assessment")
    cases = {c.case_ref for c in plan.cases[:3]}  # the returned cases: one record per agency, however many forms
    records = {(f.case_ref, f.agency) for f in plan.issued if f.kind == "audit" and f.case_ref in cases}
    assert len(records) < len(given["assessment"])  # agencies with two auditors on a case
    assert [r[headers.index("Section id")] for r in rows] == ["assessment", good]
    assert rows[0][headers.index("Section")] == title["assessment"]
    assert rows[0][headers.index("Section now")] == "Causing concern"
    assert re.fullmatch(
        rf"At the re-audit, {title['assessment']} working well: Good or better in at least 75% and Inadequate in "
        rf"under 10% of graded case records \(when proposed on \d\d/\d\d/\d{{4}}: Good or better in 0%, Inadequate in "
        rf"100%, of "
        rf"{len(records)} graded case records\)\.", str(rows[0][headers.index("Measure of success")]))

    first, below = header_row + 1, header_row + 3
    type_in(office, audit, [
        ("Action plan", f"{col(headers, 'Action')}{first}", "Supervision to test every assessment within 10 days."),
        ("Action plan", f"{col(headers, 'Owner')}{first}", "Head of service"),
        ("Action plan", f"{col(headers, 'By when')}{first}", "March 2027"),
        ("Action plan", f"{col(headers, 'Action')}{below}", "Audit supervision records monthly."),
        ("Action plan", f"{col(headers, 'Owner')}{below}", "QA lead"),
    ])
    for _ in range(2):  # twice: nothing typed drifts or doubles
        consolidate(audit, [returns], today=TODAY)
    actions = read_consolidated(audit).actions
    assert [(a.action_id, a.owner, a.by_when) for a in actions] == [
        ("AP-assessment", "Head of service", "March 2027"), (f"AP-{good}", "", None), ("AP-1", "QA lead", None)]
    assert actions[0].action == "Supervision to test every assessment within 10 days."
    assert actions[2].action == "Audit supervision records monthly." and actions[2].concern == ""

    # Moderation lifts Assessment: its row is marked, not deleted.
    g_row, g_headers, g_rows = table(audit, "Grades", "Case reference")
    moderated = col(g_headers, "Moderated grade")
    picks = [i for i, r in enumerate(g_rows) if r[g_headers.index("Section")] == title["assessment"]]
    assert len(picks) == len(given["assessment"])
    type_in(office, audit, [("Grades", f"{moderated}{g_row + 1 + i}", "Good") for i in picks])
    consolidate(audit, [returns], today=TODAY)
    actions = read_consolidated(audit).actions
    assert [a.action_id for a in actions] == ["AP-assessment", f"AP-{good}", "AP-1"]
    assert actions[0].concern.startswith("No longer of concern (since ")
    assert actions[0].owner == "Head of service"

    report = write_report(audit, today=TODAY)
    text = "\n".join(c.text for t in Document(str(report)).tables for row in t.rows for c in row.cells)
    for typed in ("Supervision to test every assessment within 10 days.", "Head of service", "March 2027",
                  "Audit supervision records monthly.", "QA lead"):
        assert typed in text


def test_a_note_beside_the_plan_is_refused_by_name(returned: tuple[Path, Path, dict[str, list[str]]],
                                                   office: Office) -> None:
    audit, returns, _ = returned
    consolidate(audit, [returns], today=TODAY)
    type_in(office, audit, [("Action plan", "P2", "remember to ask the police")])
    before = audit.read_bytes()
    with pytest.raises(KeepTypedError) as err:
        consolidate(audit, [returns], today=TODAY)
    assert "Sheet 'Action plan', cell P2: 'remember to ask the police'" in str(err.value)
    assert audit.read_bytes() == before


def test_a_deleted_or_cleared_proposal_stays_gone(sample_copy: tuple[Path, Path], tmp_path: Path) -> None:
    """Issue 18, item 6: the sheet says to delete what the partnership does not adopt; deleting a proposed row
    (or clearing its cells) is taken as meant, and the coordinator's rows below it are kept."""
    import openpyxl

    audit, forms = sample_copy
    plan = read_plan(audit)
    cases = {c.case_ref for c in plan.cases[:3]}
    returns = tmp_path / "returns"
    returns.mkdir()
    for f in plan.issued:
        if f.kind == "audit" and f.case_ref in cases:
            fill_form(forms / f.file, returns / f.file, {"assessment": "Inadequate", "planning": "Inadequate"})
    consolidate(audit, [returns], today=TODAY)
    header_row, headers, rows = table(audit, "Action plan", "Action id")
    ids = [r[headers.index("Action id")] for r in rows]
    assert {"AP-assessment", "AP-planning"} <= set(ids)  # the two concerns (and good practice, where there is some)
    kept = [i for i in ids if i != "AP-assessment"]

    wb = openpyxl.load_workbook(audit)
    ws = wb["Action plan"]
    ws.delete_rows(header_row + 1 + ids.index("AP-assessment"))  # the partnership does not adopt it
    wb.save(audit)
    for _ in range(2):
        consolidate(audit, [returns], today=TODAY)
        _, _, rows = table(audit, "Action plan", "Action id")
        assert [r[headers.index("Action id")] for r in rows] == kept

    wb = openpyxl.load_workbook(audit)
    ws = wb["Action plan"]
    own = header_row + 1 + len(kept)
    ws[f"{col(headers, 'Action')}{own}"] = "Audit supervision records monthly."  # a row of the coordinator's
    for n in range(len(kept)):  # the other proposals, cleared cell by cell instead of deleted
        for cell in ws[header_row + 1 + n]:
            cell.value = None
    wb.save(audit)
    consolidate(audit, [returns], today=TODAY)  # no refusal about the cells that moved up
    _, _, rows = table(audit, "Action plan", "Action id")
    assert [(r[headers.index("Action id")], r[headers.index("Action")]) for r in rows] == [
        ("AP-1", "Audit supervision records monthly.")]
    assert read_consolidated(audit).proposed_actions == sorted(ids)
