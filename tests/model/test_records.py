"""The records are plain frozen data; a returned form's values are checked when it is built; Good or better is
defined once, on the scale."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date, datetime

import pytest

from xlpack.analysis.pivots import distribution
from xlpack.model.definitions import GradeScale, good_or_better, load_scale
from xlpack.model.records import FormReturn, GradeRow, SectionAnswer


def _form(**changes: object) -> FormReturn:
    values: dict[str, object] = dict(
        form_id="F1", audit_id="A1", case_ref="C-1", agency="Police", auditor="Sam", tool_id="cp", tool_version="1",
        source="F1.xlsx", saved_at=datetime(2026, 11, 2, 9, 30), fields={"seen": date(2026, 10, 1), "n": 3},
        sections={"planning": SectionAnswer(section_id="planning", grade="Good", grade_code="2", grade_rank=2)},
        closing={"safeguarded_now": "Yes", "overall_grade": None})
    return FormReturn(**{**values, **changes})  # type: ignore[arg-type]  # wrong types on purpose: checked at run time


def test_rows_are_frozen_slotted_and_survive_pickling() -> None:
    row = GradeRow(row_id="F1:planning", form_id="F1", case_ref="C-1", agency="Police", auditor="Sam", tool_id="cp",
                   section_id="planning", section_title="Planning", section_order=1, grade="Good")
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.grade = "Inadequate"  # type: ignore[misc]  # the assignment a frozen row refuses
    assert not hasattr(row, "__dict__")
    moderated = dataclasses.replace(row, moderated_grade="Inadequate")
    assert (row.final_grade, moderated.final_grade) == ("Good", "Inadequate")
    form = _form()
    assert pickle.loads(pickle.dumps(form)) == form  # intake's reading processes send forms back pickled


@pytest.mark.parametrize(("changes", "where"), [
    ({"kind": "survey"}, "FormReturn.kind"),
    ({"agency": 7}, "FormReturn.agency"),
    ({"saved_at": "2026-11-02"}, "FormReturn.saved_at"),
    ({"fields": {"n": 2.5}}, "FormReturn.fields['n']"),
    ({"closing": {"ok": True}}, "FormReturn.closing['ok']"),
    ({"sections": {"planning": {"grade": "Good"}}}, "FormReturn.sections['planning']"),
    ({"sections": {"planning": SectionAnswer(section_id="planning", grade_rank="2")}},  # type: ignore[arg-type]  # a text rank, refused
     "SectionAnswer.grade_rank"),
    ({"sections": {"planning": SectionAnswer(section_id="planning", evidence=None)}},  # type: ignore[arg-type]  # None evidence, refused
     "SectionAnswer.evidence"),
])
def test_a_form_with_a_value_of_the_wrong_type_is_refused(changes: dict[str, object], where: str) -> None:
    with pytest.raises((TypeError, ValueError), match=rf"^{where.replace('[', '.').replace(']', '.')}"):
        _form(**changes)


def test_a_well_typed_form_is_accepted() -> None:
    form = _form(kind="views")
    assert form.kind == "views" and form.fields["seen"] == date(2026, 10, 1)


@pytest.mark.parametrize("scale_id", ["ofsted-2009", "ilacs"])
def test_good_or_better_is_the_two_best_grades_of_the_scale(scale_id: str) -> None:
    scale: GradeScale = load_scale(scale_id)
    best, second, third, worst = scale.ranked
    assert scale.good_or_better == [best.label, second.label]
    assert scale.inadequate == [worst.label] and scale.worst_rank == worst.rank
    assert [good_or_better(g.rank) for g in scale.grades] == [g.good_or_better for g in scale.grades]
    assert not good_or_better(None) and not third.good_or_better
    rows = [GradeRow(row_id=f"F{i}:s", form_id=f"F{i}", case_ref=f"C{i}", agency="Police", auditor="Sam",
                     tool_id="cp", section_id="s", section_title="S", section_order=1, grade=g.label)
            for i, g in enumerate(scale.grades)]
    d = distribution(rows, scale, "section")["S"]
    assert (d.good, d.inadequate, d.graded, d.total) == (2, 1, 4, len(scale.grades))
    assert (d.good_text, d.inadequate_text) == ("50%", "25%")
