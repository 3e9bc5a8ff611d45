"""Comments and formulas the coordinator left in the workbook are refused by cell, never dropped (issue 10, 3 and 4).

Cached values hide them: Excel stores ``- agreed`` typed as a resolution as
the formula ``=-agreed`` showing ``#NAME?`` (read as empty), a script's
formula has no value at all, and comments are not cell values. Each is
written into a consolidated workbook as Excel stores it; consolidate (and
generate) must refuse, naming the sheet and cell, with the workbook
byte-identical and no backup made.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from openpyxl.comments import Comment
from xlsxwriter.utility import xl_col_to_name

from tests.office.client import Office
from tests.support.safety import TODAY, Audit, Before, audit, built  # noqa: F401  (fixtures)
from tests.support.sheet_xml import add_note, put_cell
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import KeepTypedError
from xlpack.generate import generate_forms
from xlpack.workbook.readback import Workbook
from xlpack.workbook.sheets.common import FLAG_COLUMNS, GRADE_COLUMNS


def letter(spec: tuple, field: str) -> str:
    return xl_col_to_name(next(i for i, (f, _, _) in enumerate(spec) if f == field))


RESOLUTION, MODERATED, NOTE = letter(FLAG_COLUMNS, "resolution"), letter(GRADE_COLUMNS, "moderated_grade"), \
    letter(GRADE_COLUMNS, "moderation_note")


def refused(audit: Audit) -> str:
    before = Before.of(audit.audit)
    with pytest.raises(KeepTypedError) as err:
        consolidate(audit.audit, [audit.returns], today=TODAY)
    before.assert_untouched()
    return str(err.value)


@pytest.mark.parametrize("sheet, cell, xml, expected", [
    ("Flags", f"{RESOLUTION}5", '<c r="{cell}" t="e"><f>-agreed</f><v>#NAME?</v></c>',
     "holds a formula (=-agreed, showing #NAME?), not a value typed in"),
    ("Grades", f"{MODERATED}5", '<c r="{cell}"><f>"Good"</f></c>', 'holds a formula (="Good", with no value saved)'),
    ("Grades", f"{NOTE}6", '<c r="{cell}" t="str"><f>A6&amp;" seen"</f><v>CP seen</v></c>',
     "holds a formula (=A6&\" seen\", showing 'CP seen')"),
    ("Pivots", "Z3", '<c r="{cell}"><f>1+1</f><v>2</v></c>', "holds a formula (=1+1, showing '2')"),
    ("Cases", "P9", '<c r="{cell}"><f>SUM(A1:A3)</f></c>', "holds a formula (=SUM(A1:A3), with no value saved)"),
], ids=["agreed-as-formula", "moderated-no-value", "note-with-value", "pivots", "plan-sheet-no-value"])
def test_a_formula_is_refused_by_its_cell(audit: Audit, sheet: str, cell: str, xml: str, expected: str) -> None:
    put_cell(audit.audit, sheet, xml.format(cell=cell))
    message = refused(audit)
    assert f"Sheet '{sheet}', cell {cell} {expected}" in message
    if "agreed" in xml:
        assert "type it again starting with an apostrophe (for example '-agreed)" in message


def test_the_agreed_formula_reads_as_empty_so_only_the_xml_shows_it(audit: Audit) -> None:
    """Why the sheet XML is read: the cached value of Excel's =-agreed is empty to the cell reader."""
    put_cell(audit.audit, "Flags", f'<c r="{RESOLUTION}5" t="e"><f>-agreed</f><v>#NAME?</v></c>')
    col = ord(RESOLUTION) - ord("A")
    assert Workbook(audit.audit).rows("Flags")[4][col] in ("", None)
    assert "cell " + f"{RESOLUTION}5" in refused(audit)


@pytest.mark.parametrize("sheet, cell, goes", [
    ("Flags", f"{RESOLUTION}5", "the 'Resolution' column"),
    ("Grades", f"{MODERATED}6", "the 'Moderation note' column"),
    ("Start", "B3", "a moderation note or resolution, or another workbook"),
    ("Cases", "A5", "a moderation note or resolution, or another workbook"),
])
def test_a_comment_is_refused_by_its_cell(audit: Audit, sheet: str, cell: str, goes: str) -> None:
    add_note(audit.audit, sheet, cell, "Police to confirm\nby Friday")
    message = refused(audit)
    assert (f"Sheet '{sheet}', cell {cell} has a comment ('Police to confirm by Friday'): xlpack rewrites the "
            f"workbook and would lose it. Copy what it says into {goes}") in message


def test_a_comment_added_by_a_script_is_refused(audit: Audit) -> None:
    wb = openpyxl.load_workbook(audit.audit)
    wb["Grades"][f"{NOTE}7"].comment = Comment("Ask Health for the GP letter", "Coordinator")
    wb.save(audit.audit)
    assert f"Sheet 'Grades', cell {NOTE}7 has a comment ('Ask Health for the GP letter')" in refused(audit)


def test_generate_refuses_a_comment_too(audit: Audit) -> None:
    """On a sheet generate replaces (it cannot keep a note there, so it writes the whole workbook, which would lose
    it); a note on a sheet it keeps stays (tests/forms/test_generate_parts.py)."""
    plan = read_plan(audit.audit)
    row = 5 + len(plan.assignments)  # a new assignment, so generate will record a new form
    for col, text in zip("ABC", (plan.cases[0].case_ref, "Housing", "Kim Latecomer")):
        put_cell(audit.audit, "Assignments", f'<c r="{col}{row}" t="inlineStr"><is><t>{text}</t></is></c>')
    add_note(audit.audit, "Issued forms", "A5", "Check this form went to the right auditor")
    before = Before.of(audit.audit)
    with pytest.raises(KeepTypedError) as err:
        generate_forms(audit.audit, workers=1, today=TODAY)
    assert str(err.value).startswith(f"{audit.audit} was not changed: generate would lose 1 thing typed")
    assert ("Sheet 'Issued forms', cell A5 has a comment ('Check this form went to the right auditor')"
            in str(err.value))
    before.assert_untouched()


def test_typed_in_libreoffice_text_is_kept_and_a_formula_refused(audit: Audit, office: Office) -> None:
    """LibreOffice keeps '- agreed' as text (carried over); '=A5' typed as a note is a formula (refused)."""
    edited = audit.audit.with_name("edited.xlsx")
    typed = office.type_cells(audit.audit, edited, [("Flags", f"{RESOLUTION}5", "- agreed"),
                                                    ("Grades", f"{NOTE}5", "=A5")]).check()
    assert [c.type for c in typed.results] == ["text", "formula"]
    shutil.move(edited, audit.audit)
    message = refused(audit)
    assert f"Sheet 'Grades', cell {NOTE}5 holds a formula (=A5, showing '" in message
    assert f"cell {RESOLUTION}5" not in message
    again = office.type_cells(audit.audit, edited, [("Grades", f"{NOTE}5", "'=A5")]).check()  # typed as text
    assert again.results[0].type == "text"
    shutil.move(edited, audit.audit)
    consolidate(audit.audit, [audit.returns], today=TODAY)
    flag_id = Workbook(audit.audit).rows("Flags")[4][next(i for i, (f, _, _) in enumerate(FLAG_COLUMNS)
                                                          if f == "flag_id")]
    back = read_consolidated(audit.audit)
    assert next(f for f in back.flags if f.flag_id == flag_id).resolution == "- agreed"
    assert any(g.moderation_note == again.results[0].value for g in back.grades)
