"""Is it one of our forms, issued by this audit, with its layout intact?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

from tests.support.filling import input_map
from tests.support.intake_support import *
from tests.support.intake_support import codes
from tests.support.mutate import edit_book, rewrite, sheet_part, sub
from xlpack.intake.batch import FileResult, intake
from xlpack.model.plan import AuditPlan


def one(path: Path, plan: AuditPlan) -> FileResult:
    result = intake([path], plan)
    assert len(result.files) == 1
    return result.files[0]


def edited(filled: Path, out: Path, change: Any) -> Path:
    return edit_book(filled, out, change)


# -- the layout -----------------------------------------------------------------


def _first_section_rows(form: Path) -> tuple[int, int]:
    """(grade row, evidence row) of the form's first section, from the form's own map of input cells."""
    cells = input_map(form)
    section = next(k.split(".")[1] for k in cells if k.startswith("section."))
    grade, evidence = (cells[f"section.{section}.{r}"]["cell"] for r in ("grade", "evidence"))
    return int(grade[1:]), int(evidence[1:])


def test_a_prompt_rewritten_is_named_by_its_cell(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    grade_row, _ = _first_section_rows(filled_cp)
    prompt = f"B{grade_row - 1}"  # the questions to consider sit just above the grade
    wb = openpyxl.load_workbook(filled_cp, read_only=True)
    issued = str(wb["Audit"][prompt].value)
    wb.close()

    def change(wb: Any) -> None:
        wb["Audit"][prompt] = "• Anything you like"

    f = one(edited(filled_cp, tmp_path / "p.xlsx", change), audit_plan)
    assert f.status == "rejected" and codes(f) == ["locked-text-changed"]
    p = f.problems[0]
    assert (p.sheet, p.cell) == ("Audit", prompt)
    assert p.message.startswith(f"Sheet 'Audit', cell {prompt}: The locked text was changed: it should read "
                                f"'{issued[:30]}")
    assert p.message.endswith("but reads '• Anything you like'.")


def test_rows_inserted_are_counted_and_located(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    _, ev = _first_section_rows(filled_cp)
    f = one(edited(filled_cp, tmp_path / "i.xlsx", lambda wb: wb["Audit"].insert_rows(ev, 2)), audit_plan)
    assert f.status == "rejected" and codes(f) == ["rows-inserted"]
    assert f.problems[0].message == (f"Sheet 'Audit': 2 rows were inserted above row {ev}: 'Evidence for the "
                                     f"grade' should be in A{ev} but is in A{ev + 2}.")


def test_rows_deleted_are_counted_and_located(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    _, ev = _first_section_rows(filled_cp)
    f = one(edited(filled_cp, tmp_path / "d.xlsx", lambda wb: wb["Audit"].delete_rows(ev - 1)), audit_plan)
    assert f.status == "rejected" and codes(f) == ["rows-deleted"]
    assert f.problems[0].message == (f"Sheet 'Audit': 1 row was deleted above row {ev - 1}: 'Evidence for the "
                                     f"grade' should be in A{ev} but is in A{ev - 1}.")


def test_a_label_changed_and_rows_inserted_lower_down(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    def change(wb: Any) -> None:
        wb["Audit"]["A29"] = "Strengths"
        wb["Audit"].insert_rows(60, 1)

    f = one(edited(filled_cp, tmp_path / "x.xlsx", change), audit_plan)
    assert [(p.code, p.cell) for p in f.problems] == [("rows-inserted", None), ("locked-text-changed", "A29")]
    assert "above row 60" in f.problems[0].message


def test_the_answers_sheet_renamed(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    def change(wb: Any) -> None:
        wb["Audit"].title = "Audit (2)"

    f = one(edited(filled_cp, tmp_path / "r.xlsx", change), audit_plan)
    assert f.status == "rejected" and codes(f) == ["sheet-renamed"]
    assert f.problems[0].message == "The sheet 'Audit' with the answers was renamed to 'Audit (2)'."


def test_the_answers_sheet_removed(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    f = one(edited(filled_cp, tmp_path / "r.xlsx", lambda wb: wb.remove(wb["Audit"])), audit_plan)
    assert f.status == "rejected" and codes(f) == ["sheet-missing"]


def test_other_sheets_changed_are_warnings(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    def change(wb: Any) -> None:
        wb.remove(wb["Start here"])
        wb.create_sheet("My notes")

    f = one(edited(filled_cp, tmp_path / "o.xlsx", change), audit_plan)
    assert f.status == "accepted_with_warnings" and codes(f) == ["other-sheet-changed", "sheet-added"]


def test_protection_off_is_a_warning_and_the_answers_are_read(filled_cp: Path, audit_plan: AuditPlan,
                                                              tmp_path: Path) -> None:
    def change(wb: Any) -> None:
        wb["Audit"].protection.sheet = False
        wb.security.lockStructure = False
        wb["Audit"]["D14"] = "Please call me about this case"

    result = intake([edited(filled_cp, tmp_path / "u.xlsx", change)], audit_plan)
    f = result.files[0]
    assert f.status == "accepted_with_warnings"
    assert codes(f) == ["structure-unprotected", "sheet-unprotected", "text-outside-answers"]
    assert f.problems[2].message == ("Sheet 'Audit', cell D14: 'Please call me about this case' is outside the "
                                     "answer cells and was not read.")
    assert result.accepted[0].sections["identification"].grade == "Good"


def test_metadata_made_visible(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    def change(wb: Any) -> None:
        wb["xlpack_form"].sheet_state = "visible"

    f = one(edited(filled_cp, tmp_path / "v.xlsx", change), audit_plan)
    assert f.status == "accepted_with_warnings" and codes(f) == ["metadata-visible"]


def test_very_hidden_turned_hidden_and_libreoffice_flags_are_fine(filled_cp: Path, audit_plan: AuditPlan,
                                                                   tmp_path: Path) -> None:
    data = filled_cp.read_bytes()
    audit = sheet_part(data, "Audit")
    out = tmp_path / "lo-like.xlsx"
    out.write_bytes(rewrite(data, {
        "xl/workbook.xml": sub(rb'state="veryHidden"', b'state="hidden"'),
        audit: sub(rb'<sheetProtection [^>]*/>', b'<sheetProtection sheet="true" objects="true" scenarios="true" '
                                                 b'password="cbbd"/>')}))
    f = one(out, audit_plan)
    assert (f.status, f.problems) == ("accepted", [])


def test_macros_are_never_run_and_said(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    out = tmp_path / "form.xlsm"
    out.write_bytes(rewrite(filled_cp, {}, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really vba"}))
    f = one(out, audit_plan)
    assert f.status == "accepted_with_warnings" and codes(f) == ["has-macros"]


# -- whose form is it? ------------------------------------------------------------


def test_a_form_from_another_audit(other_audit_form: Path, audit_plan: AuditPlan) -> None:
    f = one(other_audit_form, audit_plan)
    assert f.status == "rejected" and codes(f) == ["other-audit"]
    message = f.problems[0].message
    assert message.startswith("This form belongs to another audit ('Sample Child Protection audit (fictional data)', "
                              "id ")
    assert f"not to 'Sample Child Protection audit (fictional data)' ({audit_plan.audit_id})." in message
    assert f.form_id and f.case_ref == "CP-2026-001"


def test_a_form_id_not_in_the_manifest(filled_cp: Path, audit_plan: AuditPlan) -> None:
    copy = audit_plan.model_copy(update={"issued": audit_plan.issued[1:]})
    f = one(filled_cp, copy)
    assert f.status == "rejected" and codes(f) == ["unknown-form"]
    assert "is not in the manifest of 'Sample Child Protection audit (fictional data)'" in f.problems[0].message


def test_metadata_edited(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    def change(wb: Any) -> None:
        meta = wb["xlpack_form"]
        meta["B6"] = "CP-2026-999"  # case_ref
        meta["D230"] = "Tampered label"  # a locked text

    f = one(edited(filled_cp, tmp_path / "m.xlsx", change), audit_plan)
    assert f.status == "rejected" and codes(f) == ["metadata-mismatch", "fingerprint-mismatch"]
    assert f.problems[0].message == ("The form's hidden details say the case reference is 'CP-2026-999' but the "
                                     "manifest says 'CP-2026-001'.")


def test_metadata_damaged_or_removed(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    def unschema(wb: Any) -> None:
        wb["xlpack_form"]["B1"] = "something-else/9"

    f = one(edited(filled_cp, tmp_path / "s.xlsx", unschema), audit_plan)
    assert codes(f) == ["metadata-damaged"] and "unknown schema 'something-else/9'" in f.problems[0].message
    f = one(edited(filled_cp, tmp_path / "r.xlsx", lambda wb: wb.remove(wb["xlpack_form"])), audit_plan)
    assert codes(f) == ["metadata-missing"]
    assert f.problems[0].message.startswith(f"This looks like a form (form id {audit_plan.issued[0].form_id}")


def test_not_a_form_and_an_empty_workbook(audit_plan: AuditPlan, tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(tmp_path / "budget.xlsx")
    book.add_worksheet("Budget").write("A1", "Total")
    book.close()
    empty = xlsxwriter.Workbook(tmp_path / "empty.xlsx")
    empty.add_worksheet()
    empty.close()
    result = intake([tmp_path / "budget.xlsx", tmp_path / "empty.xlsx"], audit_plan)
    assert [(f.status, codes(f)) for f in result.files] == [("rejected", ["not-a-form"]),
                                                            ("rejected", ["empty-workbook"])]
    assert result.files[0].problems[0].message == ("Not an xlpack audit form: it has no 'xlpack_form' sheet "
                                                   "(sheets: 'Budget').")
