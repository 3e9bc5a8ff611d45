"""Re-running consolidate: what the coordinator typed is kept, moved to Orphaned, or the run refuses.

The coordinator's edits are typed in LibreOffice, like a person; the
workbook is replaced atomically, with a dated backup, never half-written.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.office.client import Office
from tests.support.cells import cell_of, col
from tests.support.filling import fill_form
from xlpack import clock
from xlpack.analysis.flags import flag_id
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import KeepTypedError, WorkbookInUseError
from xlpack.workbook import render as render_xlsx
from xlpack.workbook.readback import Workbook
from xlpack.workbook.sheets.common import FLAG_COLUMNS, GRADE_COLUMNS

TODAY = date(2026, 12, 7)


@pytest.fixture
def audit_with_returns(sample_copy: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path, list[Path]]:
    """The sample audit with the first two cases' audit forms returned: (audit, returns folder, late forms)."""
    audit, forms = sample_copy
    plan = read_plan(audit)
    cases = {c.case_ref for c in plan.cases[:2]}
    chosen = sorted((f for f in plan.issued if f.kind == "audit" and f.case_ref in cases), key=lambda f: f.file)
    returns = tmp_path / "returns"
    returns.mkdir()
    late = []
    for i, f in enumerate(chosen):
        grades = {"assessment": ["Outstanding", "Inadequate", "Good"][i % 3], "planning": "Adequate"}
        out = fill_form(forms / f.file, (returns if i % 4 else tmp_path) / f.file, grades)
        if not i % 4:
            late.append(out)  # returned after the first consolidation
    return audit, returns, late


def type_in(office: Office, audit: Path, entries: list[tuple[str, str, str]]) -> None:
    edited = audit.with_name("edited.xlsx")
    result = office.type_cells(audit, edited, entries).check()
    assert all(c.accepted for c in result.results)
    shutil.move(edited, audit)


def test_moderation_and_resolutions_follow_their_rows_as_late_returns_arrive(
        audit_with_returns: tuple[Path, Path, list[Path]], office: Office) -> None:
    audit, returns, late = audit_with_returns
    first = consolidate(audit, [returns], today=TODAY)
    grade = next(g for g in first.data.grades if g.section_id == "assessment" and g.grade == "Inadequate")
    flag = next(f for f in first.data.flags if f.rule == "agency_divergence")
    type_in(office, audit, [
        ("Grades", cell_of(audit, "Grades", col(GRADE_COLUMNS, "row_id"), grade.row_id,
                           col(GRADE_COLUMNS, "moderated_grade")), "adequate"),
        ("Grades", cell_of(audit, "Grades", col(GRADE_COLUMNS, "row_id"), grade.row_id,
                           col(GRADE_COLUMNS, "moderation_note")), "Record seen at the meeting: plan was in place."),
        ("Flags", cell_of(audit, "Flags", col(FLAG_COLUMNS, "flag_id"), flag.flag_id,
                          col(FLAG_COLUMNS, "resolution")), "Agreed: Police to share minutes.")])
    for f in late:
        shutil.copy2(f, returns / f.name)
    second = consolidate(audit, [returns], today=TODAY)
    assert len(second.data.grades) > len(first.data.grades)
    back = read_consolidated(audit)
    moved = next(g for g in back.grades if g.row_id == grade.row_id)
    assert (moved.grade, moved.moderated_grade, moved.moderation_note) == (
        "Inadequate", "Adequate", "Record seen at the meeting: plan was in place.")
    assert moved.final_grade == "Adequate"
    assert sum(1 for g in back.grades if g.moderated_grade) == 1
    assert next(f for f in back.flags if f.flag_id == flag.flag_id).resolution == "Agreed: Police to share minutes."
    assert back.orphaned == []
    rows = [r for r, g in enumerate(back.grades) if g.row_id == grade.row_id]
    assert rows != [r for r, g in enumerate(first.data.grades) if g.row_id == grade.row_id]  # the row moved


def test_typed_values_whose_row_goes_are_orphaned_then_restored(
        audit_with_returns: tuple[Path, Path, list[Path]], office: Office, tmp_path: Path) -> None:
    audit, returns, _ = audit_with_returns
    first = consolidate(audit, [returns], today=TODAY)
    grade = first.data.grades[0]
    source = Path(grade.source)
    flag = next(f for f in first.data.flags if f.rule == "return_missing")
    type_in(office, audit, [
        ("Grades", cell_of(audit, "Grades", col(GRADE_COLUMNS, "row_id"), grade.row_id,
                           col(GRADE_COLUMNS, "moderated_grade")), "Good"),
        ("Flags", cell_of(audit, "Flags", col(FLAG_COLUMNS, "flag_id"), flag.flag_id,
                          col(FLAG_COLUMNS, "resolution")), "Chased by phone on 8/12.")])
    parked = tmp_path / "parked.xlsx"
    shutil.move(source, parked)  # the form is withdrawn: its rows go
    consolidate(audit, [returns], today=TODAY, allow_missing=True)  # on purpose
    back = read_consolidated(audit)
    assert all(g.row_id != grade.row_id for g in back.grades)
    orphan = next(o for o in back.orphaned if o.key == grade.row_id)
    assert (orphan.kind, orphan.column, orphan.value) == ("grade", "Moderated grade", "Good")
    assert grade.case_ref in orphan.context and grade.agency in orphan.context
    first_since = orphan.since
    # the resolution typed on a flag that is still raised stays on it
    assert next(f for f in back.flags if f.flag_id == flag.flag_id).resolution == "Chased by phone on 8/12."
    consolidate(audit, [returns], today=TODAY)  # still gone (not accepted last time either): kept, with its first date
    again = read_consolidated(audit)
    assert [o.since for o in again.orphaned if o.key == grade.row_id] == [first_since]
    shutil.move(parked, source)  # the form is back
    consolidate(audit, [returns], today=TODAY)
    restored = read_consolidated(audit)
    assert next(g for g in restored.grades if g.row_id == grade.row_id).moderated_grade == "Good"
    assert restored.orphaned == []


def test_a_resolved_flag_that_is_no_longer_raised_keeps_its_resolution(
        audit_with_returns: tuple[Path, Path, list[Path]], office: Office) -> None:
    audit, returns, late = audit_with_returns
    consolidate(audit, [returns], today=TODAY)
    late_form = next(f for f in read_plan(audit).issued if f.file == late[0].name)
    overdue = next(f for f in read_consolidated(audit).flags if f.flag_id == flag_id("RET", late_form.form_id))
    type_in(office, audit, [("Flags", cell_of(audit, "Flags", col(FLAG_COLUMNS, "flag_id"), overdue.flag_id,
                                              col(FLAG_COLUMNS, "resolution")), "Chased on 8/12.")])
    for f in late:
        shutil.copy2(f, returns / f.name)
    consolidate(audit, [returns], today=TODAY)
    back = read_consolidated(audit)
    if any(f.flag_id == overdue.flag_id for f in back.flags):
        pytest.fail("the flag should be gone once the form came back")
    orphan = next(o for o in back.orphaned if o.key == overdue.flag_id)
    assert (orphan.kind, orphan.column, orphan.value) == ("flag", "Resolution", "Chased on 8/12.")


@pytest.mark.parametrize("sheet, cell, text, message", [
    ("Pivots", "Z3", "my own note", "Sheet 'Pivots', cell Z3: 'my own note'"),
    ("Grades", "K5", "corrected evidence", "Sheet 'Grades', row 5"),
    ("Grades", "H5", "Goodish", "Sheet 'Grades', cell H5: 'Goodish' is not a grade"),
    ("Grades", "H900", "Good",
     "Sheet 'Grades', row 900: a moderated grade or note was typed on a row without a Row id"),
    ("Cases", "P6", "note beside the table", "Sheet 'Cases', cell P6: 'note beside the table'"),
])
def test_refuses_rather_than_lose_what_was_typed(audit_with_returns: tuple[Path, Path, list[Path]], office: Office,
                                                 sheet: str, cell: str, text: str, message: str) -> None:
    audit, returns, _ = audit_with_returns
    consolidate(audit, [returns], today=TODAY)
    type_in(office, audit, [(sheet, cell, text)])
    before = audit.read_bytes()
    backups = sorted((audit.parent / "backups").iterdir())
    with pytest.raises(KeepTypedError) as err:
        consolidate(audit, [returns], today=TODAY)
    assert message in str(err.value)
    assert str(err.value).startswith(f"{audit} was not changed")
    assert audit.read_bytes() == before
    assert sorted((audit.parent / "backups").iterdir()) == backups


def test_refuses_a_sheet_it_did_not_write(audit_with_returns: tuple[Path, Path, list[Path]]) -> None:
    audit, returns, _ = audit_with_returns
    wb = openpyxl.load_workbook(audit)
    wb.create_sheet("My notes")["A1"] = "Ask Health about the GP letter"
    wb.save(audit)
    with pytest.raises(KeepTypedError, match="The sheet 'My notes' was not written by xlpack"):
        consolidate(audit, [returns], today=TODAY)


def test_says_when_the_workbook_is_open(audit_with_returns: tuple[Path, Path, list[Path]]) -> None:
    audit, returns, _ = audit_with_returns
    lock = audit.with_name("~$" + audit.name)
    lock.write_bytes(b"\x00" * 162)
    before = audit.read_bytes()
    with pytest.raises(WorkbookInUseError, match="is open in Excel or LibreOffice"):
        consolidate(audit, [returns], today=TODAY)
    assert audit.read_bytes() == before


def test_a_crash_while_writing_leaves_the_old_workbook(audit_with_returns: tuple[Path, Path, list[Path]],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    audit, returns, _ = audit_with_returns
    consolidate(audit, [returns], today=TODAY)
    before = audit.read_bytes()
    files = sorted(p.name for p in audit.parent.iterdir())
    real = render_xlsx.render_sheet
    calls = []

    def crash(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(render_xlsx, "render_sheet", crash)
    with pytest.raises(OSError, match="disk full"):
        consolidate(audit, [returns], today=TODAY)
    assert audit.read_bytes() == before
    assert sorted(p.name for p in audit.parent.iterdir()) == files  # no temporary file left behind


def test_keeps_a_dated_backup_of_the_previous_version(audit_with_returns: tuple[Path, Path, list[Path]]) -> None:
    audit, returns, _ = audit_with_returns
    before = audit.read_bytes()
    result = consolidate(audit, [returns], today=TODAY)
    assert result.backup is not None and result.backup.parent == audit.parent / "backups"
    assert result.backup.read_bytes() == before
    assert result.backup.name.startswith(f"{audit.stem} {clock.today():%Y-%m-%d}")


def test_the_same_inputs_give_the_same_workbook_content(audit_with_returns: tuple[Path, Path, list[Path]],
                                                        tmp_path: Path) -> None:
    audit, returns, _ = audit_with_returns
    twin = tmp_path / "twin" / audit.name
    twin.parent.mkdir()
    shutil.copy2(audit, twin)
    consolidate(audit, [returns], today=TODAY)
    consolidate(twin, [returns], today=TODAY)
    a, b = Workbook(audit), Workbook(twin)
    assert a.names == b.names
    for name in a.names:
        rows_a, rows_b = a.rows(name), b.rows(name)
        if name == "xlpack_analysis":  # the time of consolidation, then the digests
            assert rows_a[0] == rows_b[0] and rows_a[2:] == rows_b[2:]
        else:
            assert rows_a == rows_b, name


def test_generate_after_consolidate_keeps_the_analysis_and_moderation(
        audit_with_returns: tuple[Path, Path, list[Path]], office: Office) -> None:
    from xlpack.generate import generate_forms

    audit, returns, _ = audit_with_returns
    first = consolidate(audit, [returns], today=TODAY)
    grade = first.data.grades[3]
    plan = read_plan(audit)
    row = 5 + len(plan.assignments)  # the first empty row of the Assignments table (header on row 4)
    type_in(office, audit, [
        ("Grades", cell_of(audit, "Grades", col(GRADE_COLUMNS, "row_id"), grade.row_id,
                           col(GRADE_COLUMNS, "moderated_grade")), "Inadequate"),
        ("Assignments", f"A{row}", plan.cases[0].case_ref), ("Assignments", f"B{row}", "Housing"),
        ("Assignments", f"C{row}", "Kim Latecomer")])
    result = generate_forms(audit, workers=1, today=TODAY)
    assert [(f.agency, f.auditor) for f in result.issued] == [("Housing", "Kim Latecomer")]
    back = read_consolidated(audit)
    assert back.grades == [replace(g, moderated_grade="Inadequate") if g.row_id == grade.row_id
                           else g for g in first.data.grades]
    assert back.flags == first.data.flags
    new = [r for r in back.returns if r.form_id == result.issued[0].form_id]
    assert [(r.agency, r.status) for r in new] == [("Housing", "overdue")]  # past the deadline on TODAY
    assert len(back.returns) == len(first.data.returns) + 1
