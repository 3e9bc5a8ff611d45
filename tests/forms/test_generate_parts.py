"""``generate`` replaces only the sheets the issued forms change (issue 19, item 10).

On a consolidated sample audit (two cases' forms returned), ``generate
--reissue`` and ``generate`` of a new assignment are run twice on copies of
the same workbook: once as they run, and once with the workbook written whole
(as before, and as when it cannot be spliced). Every sheet must hold the same
values, cell by cell, in both; and the run that splices must keep every zip
member other than those sheets' parts (and the styles and workbook parts)
byte for byte. A moderation typed on the Grades sheet shows on the Case grid
drawn again for the new form, and the next consolidate keeps it. A cell typed
on the Returns sheet is refused by its cell before any form is written.
LibreOffice opens the result.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import xlpack.workbook.record_issued as record_issued
from tests.office.client import Office
from tests.support.audit_copy import copy_audit_folder
from tests.support.cells import cell_of, col
from tests.support.filling import fill_form
from tests.support.safety import listing
from tests.support.sheet_xml import add_note, put_cell, sheet_parts
from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import ISSUED, START, read_plan
from xlpack.coordinator.plan_sheets import META as PLAN_META
from xlpack.errors import KeepTypedError
from xlpack.generate import generate_forms
from xlpack.workbook.readback import META, read_consolidated
from xlpack.workbook.sheets.common import GRADE_COLUMNS, GRID, RETURN_TOTALS, RETURNS

TODAY = date(2026, 12, 7)  # three weeks after the forms were issued: the sample audit's deadline has passed
GRADES = "Grades"


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def parts_of(path: Path, *sheets: str) -> set[str]:
    """The sheets' parts and their table parts."""
    out: set[str] = set()
    with zipfile.ZipFile(path) as z:
        where = sheet_parts(z)
        for name in sheets:
            sheet = where[name]
            rels_part = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
            rels = z.read(rels_part).decode("utf-8") if rels_part in z.namelist() else ""
            out |= {sheet, *("xl/tables/" + t for t in re.findall(r'Target="\.\./tables/([^"]+)"', rels))}
    return out


def sheet_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's rows of values (trailing empty cells and rows left out); the hidden analysis sheet's rows
    sorted, as the whole write lists the digests in the sheets' order and consolidate the streamed ones last."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        out = {}
        for ws in wb.worksheets:
            rows = [tuple(row) for row in ws.iter_rows(values_only=True)]
            rows = [row[:max((i + 1 for i, v in enumerate(row) if v not in (None, "")), default=0)] for row in rows]
            while rows and not rows[-1]:
                rows.pop()
            out[ws.title] = sorted(rows, key=repr) if ws.title == META else rows
        return out
    finally:
        wb.close()


@pytest.fixture(scope="module")
def consolidated(sample_forms: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated sample audit with the first two cases' audit forms returned and consolidated."""
    audit, forms = sample_forms
    root = tmp_path_factory.mktemp("generate-parts")
    copy = copy_audit_folder(audit, root / "audit")
    plan = read_plan(copy)
    cases = {c.case_ref for c in plan.cases[:2]}
    returns = root / "returns"
    returns.mkdir()
    for f in sorted((f for f in plan.issued if f.kind == "audit" and f.case_ref in cases), key=lambda f: f.file):
        fill_form(forms / f.file, returns / f.file, {"assessment": "Good", "planning": "Adequate"})
    consolidate(copy, [returns], today=TODAY)
    return copy


@dataclass
class Copies:
    spliced: Path  # generate as it runs
    whole: Path  # generate writing the whole workbook
    returns: Path


@pytest.fixture
def copies(consolidated: Path, tmp_path: Path) -> Copies:
    for name in ("spliced", "whole"):
        shutil.copytree(consolidated.parent, tmp_path / name / "audit", symlinks=True)
    shutil.copytree(consolidated.parent.parent / "returns", tmp_path / "returns")
    return Copies(tmp_path / "spliced" / "audit" / consolidated.name, tmp_path / "whole" / "audit" /
                  consolidated.name, tmp_path / "returns")


@contextmanager
def written_whole() -> Iterator[None]:
    """Within it, generate writes the whole workbook (as it does one it cannot splice)."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(record_issued, "can_splice", lambda audit, sheets: False)
        yield


@contextmanager
def same_form_ids() -> Iterator[None]:
    """Within it, the forms issued get the ids 1, 2, ... (as UUIDs), so that two runs issue the same forms."""
    ids = iter(range(1, 1000))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(ids)))
        yield


def add_assignment(audit: Path) -> None:
    """A new assignment on the first case, typed on the Assignments sheet: one new form to issue."""
    plan = read_plan(audit)
    row = 5 + len(plan.assignments)
    for c, text in zip("ABC", (plan.cases[0].case_ref, "Housing", "Kim Latecomer"), strict=True):
        put_cell(audit, "Assignments", f'<c r="{c}{row}" t="inlineStr"><is><t>{text}</t></is></c>')


def moderate(audit: Path) -> str:
    """A grade of the first returned form moderated on the Grades sheet (typed as a script or Excel stores
    text); returns its row id."""
    grade = read_consolidated(audit).grades[0]
    ref = cell_of(audit, GRADES, col(GRADE_COLUMNS, "row_id"), grade.row_id, col(GRADE_COLUMNS, "moderated_grade"))
    put_cell(audit, GRADES, f'<c r="{ref}" t="inlineStr"><is><t>Inadequate</t></is></c>')
    return grade.row_id


def changed(before: dict[str, bytes], path: Path) -> set[str]:
    after = members(path)
    assert set(after) == set(before)
    return {n for n in after if after[n] != before[n]}


def test_a_reissue_replaces_its_sheets_as_the_whole_write_draws_them(copies: Copies) -> None:
    case = read_plan(copies.spliced).cases[0].case_ref  # returned and consolidated: its Returns rows stay
    before = members(copies.spliced)
    was = {f.form_id: f for f in read_plan(copies.spliced).issued}
    spliced = generate_forms(copies.spliced, reissue=[case], workers=1, today=TODAY)
    assert spliced.issued and {f.case_ref for f in spliced.issued} == {case}
    replaced = parts_of(copies.spliced, START, ISSUED, PLAN_META, RETURNS, META)
    moved = changed(before, copies.spliced)
    assert parts_of(copies.spliced, ISSUED) & moved  # the issue date of each reissued form
    assert moved <= replaced | {"xl/styles.xml", "xl/workbook.xml"}, moved - replaced
    now = {f.form_id: f for f in read_plan(copies.spliced).issued}
    assert all(now[f.form_id].issued == TODAY != was[f.form_id].issued for f in spliced.issued)
    # the same, written whole
    with written_whole():
        whole = generate_forms(copies.whole, reissue=[case], workers=1, today=TODAY)
    assert [f.model_dump() for f in whole.issued] == [f.model_dump() for f in spliced.issued]
    assert len(changed(before, copies.whole)) > len(moved) + 10  # every part written again
    assert sheet_values(copies.spliced) == sheet_values(copies.whole)


def test_a_new_form_joins_returns_totals_and_grid_as_the_whole_write_draws_them(copies: Copies) -> None:
    for audit in (copies.spliced, copies.whole):
        add_assignment(audit)
    before = members(copies.spliced)
    with same_form_ids():
        spliced = generate_forms(copies.spliced, workers=1, today=TODAY)
    assert [(f.agency, f.auditor) for f in spliced.issued] == [("Housing", "Kim Latecomer")]
    replaced = parts_of(copies.spliced, START, ISSUED, PLAN_META, RETURNS, RETURN_TOTALS, GRID, META)
    moved = changed(before, copies.spliced)
    assert parts_of(copies.spliced, START, ISSUED, PLAN_META, RETURNS, RETURN_TOTALS, GRID, META) <= moved
    assert moved <= replaced | {"xl/styles.xml", "xl/workbook.xml"}, moved - replaced
    with written_whole(), same_form_ids():
        generate_forms(copies.whole, workers=1, today=TODAY)
    values, whole = sheet_values(copies.spliced), sheet_values(copies.whole)
    # the Assignments sheet is kept as typed (the row below its table); the whole write draws the row into it
    assert [k for k in values if values[k] != whole[k]] == ["Assignments"]
    assert values[RETURNS] == whole[RETURNS] and any("Kim Latecomer" in r and "Overdue" in r for r in values[RETURNS])
    assert any("Housing" in row for row in values[GRID]) and any("Housing" in row for row in values[RETURN_TOTALS])


def test_the_case_grid_drawn_for_a_new_form_shows_a_moderation_typed_since(copies: Copies) -> None:
    """The replaced sheets are drawn from the moderation typed since, as the whole write draws them (the sheets
    not replaced, such as the pivots, show it at the next consolidate, and the whole write shows it now)."""
    for audit in (copies.spliced, copies.whole):
        add_assignment(audit)
        row_id = moderate(audit)
    with same_form_ids():
        generate_forms(copies.spliced, workers=1, today=TODAY)
    with written_whole(), same_form_ids():
        generate_forms(copies.whole, workers=1, today=TODAY)
    values, whole = sheet_values(copies.spliced), sheet_values(copies.whole)
    for sheet in (START, ISSUED, PLAN_META, RETURNS, RETURN_TOTALS, GRID):
        assert values[sheet] == whole[sheet], sheet
    replaced = {RETURNS, RETURN_TOTALS, GRID}  # the hidden sheet's digests of those, and its other rows
    assert ([r for r in values[META] if r[0] != "digest" or r[1] in replaced]
            == [r for r in whole[META] if r[0] != "digest" or r[1] in replaced])
    assert "Good → Inadequate" in [v for row in values[GRID] for v in row]
    consolidate(copies.spliced, [copies.returns], today=TODAY)  # finds nothing typed on the sheets replaced
    assert next(g for g in read_consolidated(copies.spliced).grades if g.row_id == row_id).moderated_grade == (
        "Inadequate")


def test_the_next_consolidate_keeps_a_moderation_typed_before_the_reissue(copies: Copies) -> None:
    audit = copies.spliced
    row_id = moderate(audit)
    grades = parts_of(audit, GRADES)
    before = members(audit)
    generate_forms(audit, reissue=[read_plan(audit).cases[0].case_ref], workers=1, today=TODAY)
    after = members(audit)
    assert all(after[p] == before[p] for p in grades)  # the typed cell as it was
    consolidate(audit, [copies.returns], today=TODAY)  # raises KeepTypedError if it finds a cell typed
    grade = next(g for g in read_consolidated(audit).grades if g.row_id == row_id)
    assert grade.moderated_grade == "Inadequate"


def test_a_cell_typed_on_returns_is_refused_before_any_form_is_written(copies: Copies) -> None:
    audit = copies.spliced
    put_cell(audit, RETURNS, '<c r="B2" t="inlineStr"><is><t>Chase health by phone</t></is></c>')
    before, files = audit.read_bytes(), listing(audit.parent)
    with pytest.raises(KeepTypedError, match=r"B2"):
        generate_forms(audit, reissue=[read_plan(audit).cases[0].case_ref], workers=1, today=TODAY)
    assert audit.read_bytes() == before and listing(audit.parent) == files


def test_a_note_on_a_sheet_generate_keeps_stays_there(copies: Copies) -> None:
    """A note (cell comment) on the Assignments sheet: generate keeps that sheet and the note's parts as they
    are (written whole, the workbook would lose it, so generate refused it before: tests/workbook/
    test_typed_extras.py). The next consolidate refuses it, naming its cell."""
    audit = copies.spliced
    add_note(audit, "Assignments", "A5", "Check this auditor is independent")
    add_assignment(audit)
    with zipfile.ZipFile(audit) as z:
        sheet = sheet_parts(z)["Assignments"]
        kept = {sheet, sheet.replace("worksheets/", "worksheets/_rels/") + ".rels",
                *(n for n in z.namelist() if n.startswith("xl/comments"))}
    assert len(kept) == 3
    before = members(audit)
    assert generate_forms(audit, workers=1, today=TODAY).issued
    after = members(audit)
    assert {n for n in kept if after[n] != before[n]} == set()
    with pytest.raises(KeepTypedError, match=r"Sheet 'Assignments', cell A5 has a comment"):
        consolidate(audit, [copies.returns], today=TODAY)


def test_saved_by_another_program_the_whole_workbook_is_written(copies: Copies) -> None:
    audit = copies.spliced
    openpyxl.load_workbook(audit).save(audit)  # as a spreadsheet program would: no longer xlsxwriter's package
    generate_forms(audit, reissue=[read_plan(audit).cases[0].case_ref], workers=1, today=TODAY)
    with zipfile.ZipFile(audit) as z:
        assert b'rupBuild="4505"' in z.read("xl/workbook.xml")  # written again by xlpack, whole


@pytest.mark.office
def test_libreoffice_opens_the_spliced_workbook(copies: Copies, office: Office, tmp_path: Path) -> None:
    audit = copies.spliced
    add_assignment(audit)
    result = generate_forms(audit, workers=1, today=TODAY)
    new = result.issued[0]
    issued = cell_of(audit, ISSUED, "Form id", new.form_id, "File")
    returned = cell_of(audit, RETURNS, "Form id", new.form_id, "Auditor")
    read = office.recalc_read(audit, [{"sheet": ISSUED, "cell": issued}, {"sheet": RETURNS, "cell": returned}])
    assert read.check().values() == [new.file, "Kim Latecomer"]
    pdf = office.convert(audit, tmp_path).check().path
    assert pdf is not None
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Kim Latecomer" in text
