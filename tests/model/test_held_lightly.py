"""The plan's many small records held lightly: pydantic's note of the fields given, shared, behaves as its own."""

from __future__ import annotations

from datetime import date

from xlpack.model.plan import Assignment, IssuedForm, held_lightly

EVERY_ASSIGNMENT_FIELD = {"case_ref", "agency", "auditor", "email", "role", "team"}


def _form(n: int) -> IssuedForm:
    return IssuedForm(form_id=f"id-{n}", file=f"f{n}.xlsx", kind="audit", case_ref="CP-1", agency="Police",
                      auditor="A", email="", role="", tool_id="cp", tool_version="2.0", issued=date(2026, 11, 2),
                      fingerprint="ab" * 32, sha256="cd" * 32)


def _assignment(auditor: str) -> Assignment:
    return Assignment(case_ref="CP-1", agency="Police", auditor=auditor, email="", role="", team="")


def test_records_given_every_field_share_one_note_that_stays_whole() -> None:
    a, b = held_lightly(_assignment("A")), held_lightly(_assignment("B"))
    assert a.model_fields_set is b.model_fields_set
    assert a.model_fields_set == EVERY_ASSIGNMENT_FIELD
    a.email = "a@example.org"  # setting a field: its name is in the note already
    assert b.model_fields_set == a.model_fields_set == EVERY_ASSIGNMENT_FIELD
    assert b.email == "" and a.email == "a@example.org"
    assert a.model_dump(exclude_unset=True) == a.model_dump()
    assert held_lightly(_assignment("A")) == _assignment("A")  # equality as before
    forms = [held_lightly(_form(n)) for n in range(3)]
    assert forms[0].model_fields_set is forms[2].model_fields_set
    assert forms[0].model_fields_set is not a.model_fields_set  # one note per class
    assert forms[1] == _form(1)


def test_a_copy_of_a_light_record_has_a_note_of_its_own() -> None:
    a, b = held_lightly(_assignment("A")), held_lightly(_assignment("B"))
    c = a.model_copy(update={"team": "North"})
    assert c.model_fields_set is not a.model_fields_set
    c.model_fields_set.discard("team")  # whatever happens to the copy's note leaves the shared one whole
    assert a.model_fields_set == b.model_fields_set == EVERY_ASSIGNMENT_FIELD


def test_a_record_not_given_every_field_keeps_its_own_note() -> None:
    shared = held_lightly(_assignment("A"))
    partial = held_lightly(Assignment(case_ref="CP-1", agency="Police", auditor="C"))
    assert partial.model_fields_set == {"case_ref", "agency", "auditor"}
    partial.team = "South"  # a field it was not given: added to its note only
    assert partial.model_fields_set == {"case_ref", "agency", "auditor", "team"}
    assert shared.model_fields_set == EVERY_ASSIGNMENT_FIELD
    assert partial.model_dump(exclude_unset=True) == {"case_ref": "CP-1", "agency": "Police", "auditor": "C",
                                                      "team": "South"}
