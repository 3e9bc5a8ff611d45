"""The plan read back holds the Issued forms and Assignments lightly, with every value as generate wrote it."""

from __future__ import annotations

from pathlib import Path

from xlpack.coordinator.plan_sheets import read_plan
from xlpack.demo.sample import create_sample
from xlpack.generate import generate_forms
from xlpack.model.plan import Assignment, IssuedForm


def test_issued_forms_and_assignments_read_back_equal_and_shared(tmp_path: Path) -> None:
    audit = tmp_path / "audit.xlsx"
    create_sample(audit, "cp", cases=3, seed=5)
    gen = generate_forms(audit, workers=1)
    plan = read_plan(audit)
    assert len(plan.issued) == len(gen.issued) > 3
    # every value as generate recorded it, and each record as if built afresh from its values
    assert sorted(plan.issued, key=lambda f: f.form_id) == sorted(gen.issued, key=lambda f: f.form_id)
    assert all(f == IssuedForm(**f.model_dump()) for f in plan.issued)
    assert all(a == Assignment(**a.model_dump()) for a in plan.assignments)
    # texts that repeat from row to row are held once
    for name in ("agency", "case_ref", "tool_id", "kind", "issued"):
        values = [getattr(f, name) for f in plan.issued]
        assert len({id(v) for v in values}) == len(set(values)) < len(values), name
    agencies = [a.agency for a in plan.assignments]
    assert len({id(v) for v in agencies}) == len(set(agencies)) < len(agencies)
