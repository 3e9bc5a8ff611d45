"""Intake reads every answer: grades, dates, numbers, choices and free text, each checked by its cell."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.support.filling import fill_form, input_map
from tests.support.intake_support import *
from tests.support.intake_support import codes
from xlpack.intake.batch import FileResult, IntakeResult, intake
from xlpack.model.plan import AuditPlan

GRADES = "Outstanding, Good, Adequate, Inadequate, Not applicable, No evidence"


def one(path: Path, plan: AuditPlan) -> tuple[FileResult, IntakeResult]:
    result = intake([path], plan)
    assert len(result.files) == 1
    return result.files[0], result


def test_a_filled_form_is_accepted_with_every_answer(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    grades = {"identification": "Outstanding", "assessment": "Adequate", "voice": "Not applicable",
              "planning": "No evidence"}
    out = fill_form(blank_cp, tmp_path / "f.xlsx", grades, evidence={"voice": ""}, strengths="Strong {section}.",
                    closing={"overall_grade": "Adequate", "safeguarded_now": "Unsure",
                             "safeguarding_action": "Manager told on 2 November."})
    f, result = one(out, audit_plan)
    assert (f.status, f.problems) == ("accepted", [])
    form = result.accepted[0]
    assert form.form_id == f.form_id and form.source == str(out)
    ident = form.sections["identification"]
    assert (ident.grade, ident.grade_code, ident.grade_rank) == ("Outstanding", "1", 1)
    assert ident.evidence == "Evidence for identification." and ident.strengths == "Strong identification."
    cells = input_map(blank_cp)
    assert ident.cells == {r: cells[f"section.identification.{r}"]["cell"]
                           for r in ("grade", "evidence", "strengths", "development", "action")}
    assert (form.sections["voice"].grade_code, form.sections["voice"].evidence) == ("NA", "")
    assert (form.sections["planning"].grade, form.sections["planning"].grade_rank) == ("No evidence", None)
    assert list(form.sections) == [s.id for s in audit_plan.tool.sections]  # in the tool's order
    assert form.closing["overall_grade"] == "Adequate" and form.closing["safeguarded_now"] == "Unsure"
    assert form.fields["audit_date"] == date(2026, 11, 1)
    assert form.cells["closing.safeguarded_now"] == input_map(blank_cp)["closing.safeguarded_now"]["cell"]


def test_grades_typed_past_the_dropdown(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    cells = {"section.identification.grade": "Goood", "section.assessment.grade": "good ",
             "section.planning.grade": "  OUTSTANDING", "section.voice.grade": 3,
             "section.information_sharing.grade": 7, "section.recording.grade": "ne",
             "section.management.grade": "None on file"}
    f, _ = one(fill_form(blank_cp, tmp_path / "g.xlsx", cells=cells), audit_plan)
    assert f.status == "rejected"
    messages = {p.cell: (p.code, p.message) for p in f.problems}
    at = {k.split(".")[1]: v["cell"] for k, v in input_map(blank_cp).items() if k.endswith(".grade")}
    assert messages[at["identification"]] == ("grade-invalid", f"Sheet 'Audit', cell {at['identification']}: "
                                              f"'Goood' is not a grade. Choose one of: {GRADES}.")
    assert messages[at["assessment"]] == ("grade-normalised", f"Sheet 'Audit', cell {at['assessment']}: 'good ' "
                                          "was read as the grade 'Good'.")
    assert messages[at["planning"]][0] == "grade-normalised" and "'Outstanding'" in messages[at["planning"]][1]
    assert messages[at["voice"]] == ("grade-normalised", f"Sheet 'Audit', cell {at['voice']}: '3' was read as the "
                                     "grade 'Adequate'.")
    assert messages[at["information_sharing"]][0] == "grade-invalid"
    assert "'7' is not a grade" in messages[at["information_sharing"]][1]
    assert messages[at["recording"]][0] == "grade-normalised" and "'No evidence'" in messages[at["recording"]][1]
    assert messages[at["management"]][0] == "grade-normalised"


def test_normalised_grades_are_accepted_with_warnings(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    f, result = one(fill_form(blank_cp, tmp_path / "g.xlsx", cells={"section.assessment.grade": "good "}), audit_plan)
    assert f.status == "accepted_with_warnings" and codes(f) == ["grade-normalised"]
    assert result.accepted[0].sections["assessment"].grade == "Good"


def test_a_formula_in_a_grade_cell_is_rejected(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    cell = input_map(blank_cp)["section.identification.grade"]["cell"]
    f, _ = one(fill_form(blank_cp, tmp_path / "f.xlsx", cells={cell: '=Lists!A3'}), audit_plan)
    assert f.status == "rejected"
    assert [(p.code, p.cell, p.message) for p in f.problems] == [
        ("grade-formula", cell, (f"Sheet 'Audit', cell {cell}: The grade cell holds a formula (=Lists!A3) instead of "
                                 "a chosen grade."))]


def test_text_typed_as_a_formula_is_kept_as_typed(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    f, result = one(fill_form(blank_cp, tmp_path / "f.xlsx",
                              cells={"section.identification.evidence": "=seen by the manager, 3 visits"}),
                    audit_plan)
    assert f.status == "accepted_with_warnings" and codes(f) == ["text-was-formula"]
    assert f.problems[0].cell == input_map(blank_cp)["section.identification.evidence"]["cell"]
    assert result.accepted[0].sections["identification"].evidence == "=seen by the manager, 3 visits"


def test_free_text_is_kept_exactly(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    texts = {"identification": "Line one\nline two  with  spaces ", "assessment": "تقييم الحالة — 評価 — 🙂👍🏽",
             "planning": "x" * 32767}
    f, result = one(fill_form(blank_cp, tmp_path / "t.xlsx", evidence=texts), audit_plan)
    assert f.status == "accepted", f.problems
    sections = result.accepted[0].sections
    for section, text in texts.items():
        assert sections[section].evidence == text


def test_dates_numbers_and_choices(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    cells = {"field.audit_date": "14/03/2026", "field.episode_start": "next Tuesday",
             "closing.safeguarded_now": "yes", "closing.no_involvement": "Maybe"}
    f, _ = one(fill_form(blank_cp, tmp_path / "d.xlsx", cells=cells), audit_plan)
    found = {p.cell: (p.code, p.message) for p in f.problems}
    at = {k: v["cell"] for k, v in input_map(blank_cp).items()}
    audit_date, start = at["field.audit_date"], at["field.episode_start"]
    label = next(q.label for q in audit_plan.tool.form_fields if q.id == "episode_start")
    assert found[audit_date] == ("date-as-text", (f"Sheet 'Audit', cell {audit_date}: '14/03/2026' was typed as "
                                                  "text; read as the date 14 March 2026."))
    assert found[start] == ("not-a-date", f"Sheet 'Audit', cell {start}: 'next Tuesday' is not a date ({label}).")
    safe, declared = at["closing.safeguarded_now"], at["closing.no_involvement"]
    assert found[safe] == ("value-normalised", f"Sheet 'Audit', cell {safe}: 'yes' was read as 'Yes'.")
    assert found[declared][0] == "choice-invalid"
    assert found[declared][1].endswith("Choose one of: Yes, I confirm, No, I have been involved.")
    assert f.status == "rejected"


def test_a_date_typed_as_text_is_read_as_the_date(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    f, result = one(fill_form(blank_cp, tmp_path / "d.xlsx", fields={"audit_date": "14/03/2026"}), audit_plan)
    assert f.status == "accepted_with_warnings"
    assert result.accepted[0].fields["audit_date"] == date(2026, 3, 14)


def test_required_answers_missing_are_warnings(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    out = fill_form(blank_cp, tmp_path / "r.xlsx", {"identification": None, "voice": "Not applicable"},
                    evidence={"voice": "", "assessment": ""}, fields={"service_team": None})
    f, result = one(out, audit_plan)
    assert f.status == "accepted_with_warnings"
    at = {k: v["cell"] for k, v in input_map(blank_cp).items()}
    grade = at["section.identification.grade"]
    assert [(p.code, p.cell) for p in f.problems] == [
        ("required-missing", at["field.service_team"]), ("required-missing", grade),
        ("required-missing", at["section.assessment.evidence"])]
    title = audit_plan.tool.section("identification").title
    assert f.problems[1].message == f"Sheet 'Audit', cell {grade}: '{title}: Grade' is required but was left blank."
    assert result.accepted[0].sections["identification"].grade is None


def test_a_form_returned_blank_is_rejected(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    from xlpack.demo.simulate import set_saved_at

    saved = fresh_copy(blank_cp, tmp_path)  # opened and saved again without an answer: not the bytes issued
    set_saved_at(saved, T0)
    f, result = one(saved, audit_plan)
    assert f.status == "rejected" and "no-answers" in codes(f, "error")
    assert result.accepted == [] and result.exit_code == 3


def test_the_views_form(blank_views: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    out = fill_form(blank_views, tmp_path / "v.xlsx", closing={"c1_quotes": "“I want to stay with Nan.” 🏠"})
    f, result = one(out, audit_plan)
    assert f.status == "accepted", f.problems
    form = result.accepted[0]
    assert (form.kind, form.sheet, form.sections) == ("views", "Views", {})
    assert form.closing["c1_quotes"] == "“I want to stay with Nan.” 🏠"
    assert form.closing["c1_given_by"] == "Child or young person"


def test_whole_numbers_formulas_and_long_text_in_a_custom_tool(audit_plan: AuditPlan) -> None:
    from xlpack.intake.answers import InputRef, read_answers
    from xlpack.model.definitions import ToolDefinition

    tool = ToolDefinition.model_validate({
        "id": "custom", "title": "Custom", "category": "Test", "version": "1", "grade_scale": "ofsted-2009",
        "form_fields": [{"id": "visits", "label": "Visits", "type": "whole_number", "min": 0, "max": 20},
                        {"id": "seen", "label": "Date seen", "type": "date"}],
        "sections": [{"id": "s", "title": "S", "prompts": ["p"], "records": ["grade", "evidence"]}]})
    inputs = [InputRef("field.visits", "Audit", f"B{r + 1}", r, 1, "whole_number", "Visits", False) for r in range(5)]
    inputs += [InputRef("field.seen", "Audit", "B6", 5, 1, "date", "Date seen", False),
               InputRef("section.s.evidence", "Audit", "B7", 6, 1, "long_text", "Evidence", True)]
    grid = [["", v] for v in (7, " 3 ", 25, 2.5, "many", None, "y" * 32768)]
    answers = read_answers(inputs, grid, {"B6": "TODAY()"}, tool, audit_plan.scale)
    assert [(p.cell, p.code) for p in answers.problems] == [
        ("B2", "value-normalised"), ("B3", "number-out-of-range"), ("B4", "not-a-whole-number"),
        ("B5", "not-a-whole-number"), ("B6", "answer-formula"), ("B7", "text-too-long")]
    assert answers.problems[1].message == "Sheet 'Audit', cell B3: 25 is outside 0 to 20 (Visits)."
    assert answers.problems[4].message == ("Sheet 'Audit', cell B6: The answer is a formula (=TODAY()), not a value "
                                           "(Date seen).")
    assert answers.problems[5].message == ("Sheet 'Audit', cell B7: The text is 32,768 characters, more than Excel's "
                                           "32,767 (Evidence).")


def test_many_changes_are_counted_not_listed() -> None:
    from xlpack.intake.structure import Locked, check_locked, stray_text

    locked = [Locked(f"A{r + 1}", r, 0, f"Label {r}") for r in range(20)]
    grid = [[f"Changed {r}", ""] for r in range(20)]
    found = check_locked(grid, locked, "Audit")
    assert [p.code for p in found] == ["locked-text-changed"] * 12 + ["more-changes"]
    assert found[-1].message == "Sheet 'Audit': 8 more locked cells were changed."
    stray = stray_text([["", "note"]] * 8, set(), {}, "Audit")
    assert [p.code for p in stray] == ["text-outside-answers"] * 5 + ["more-text-outside"]
