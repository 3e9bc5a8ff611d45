"""generate checks the assignments before forms go out: warnings naming cells; --strict refuses, writing nothing."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.support.cli import run_cli
from xlpack.coordinator.plan_sheets import create_audit, read_plan, write_coordinator
from xlpack.errors import AssignmentError
from xlpack.generate import generate_forms
from xlpack.model.plan import Assignment, Case

ROWS = [  # (case, agency, auditor, role, team); Excel rows 5.. on the Assignments sheet
    ("C-1", "Police", "Jo Bloggs", "Detective sergeant", ""),
    ("C-1", "Health", "Jo Bloggs", "Named nurse", ""),             # Jo Bloggs for two agencies
    ("C-2", "Police", "Ann Other", "Detective sergeant", ""),
    ("C-2", "Health", "Sam Nurse", "Named nurse", ""),
    ("C-1", "Adult services", "Kim Adult", "Detective sergeant", ""),  # one auditor only; a police role
    ("C-2", "Children's social care", "Lee Social", "Social worker", "North team"),  # the case's own team
    ("C-1", "Children's social care", "Max Social", "Team manager", "South team"),
]


@pytest.fixture
def audit(tmp_path: Path) -> Path:
    path = tmp_path / "audit.xlsx"
    plan = create_audit(path, "cp")
    cases = [Case(case_ref="C-1", fields={"team": "North team"}), Case(case_ref="C-2", fields={"team": "North team"})]
    plan = plan.model_copy(update={
        "cases": cases, "assignments": [Assignment(case_ref=c, agency=a, auditor=n, email="x@example.org", role=r,
                                                   team=t) for c, a, n, r, t in ROWS],
        "terms": plan.terms.model_copy(update={"coordinator": "Pat", "coordinator_email": "pat@example.org"})})
    write_coordinator(path, plan, keep_backup=False)
    return path


def _column(path: Path, header: str) -> str:
    ws = openpyxl.load_workbook(path)["Assignments"]
    for cell in ws[4]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(header)


def test_each_problem_is_a_warning_naming_its_cells_and_the_forms_are_issued(audit: Path) -> None:
    result = generate_forms(audit, workers=1)
    assert len(result.issued) == len(ROWS)
    checks = [w for w in result.warnings if w.startswith("Sheet 'Assignments'")]
    auditor, agency, role, team = (_column(audit, h) for h in ("Auditor name", "Agency", "Auditor role",
                                                                   "Auditor team"))
    assert auditor == "C" and team == "F"
    assert any(w.startswith(f"Sheet 'Assignments', cells {auditor}5, {auditor}6: Jo Bloggs is listed for 2 agencies "
                            "(Health and Police)") for w in checks)
    assert any(w.startswith(f"Sheet 'Assignments', cell {agency}9: Adult services has only one auditor")
               for w in checks)
    cases_team = next(c.column_letter for c in openpyxl.load_workbook(audit)["Cases"][4]
                      if c.value == "Social work team or base")
    assert any(w.startswith(f"Sheet 'Assignments', cell {team}10: Lee Social's team, 'North team', is the team "
                            "case C-2") and f"Sheet 'Cases', cell {cases_team}6" in w for w in checks)
    assert any(w.startswith(f"Sheet 'Assignments', cell {role}9: the role 'Detective sergeant' (Kim Adult) is not "
                            "one the tool definition gives for Adult services") for w in checks)
    # what is fine is not warned about: Police and Health have two auditors; Max Social is of another team
    assert not any("Police has only" in w or "Health has only" in w or "Max Social" in w for w in checks)
    assert len(checks) == 4  # one of each kind
    assert read_plan(audit).assignments[5].team == "North team"  # the new column is kept


def test_strict_refuses_and_writes_nothing(audit: Path) -> None:
    before = audit.read_bytes()
    with pytest.raises(AssignmentError) as caught:
        generate_forms(audit, workers=1, strict=True)
    assert len(caught.value.problems) == 4 and "no form was issued (--strict)" in str(caught.value)
    assert audit.read_bytes() == before and not (audit.parent / "forms").exists()
    run = run_cli("generate", audit, "--strict")
    assert run.exit_code == 1 and "Jo Bloggs is listed for 2 agencies" in run.output
    assert audit.read_bytes() == before and not (audit.parent / "forms").exists()


def test_a_tool_without_roles_or_teams_checks_neither(tmp_path: Path) -> None:
    path = tmp_path / "audit.xlsx"
    plan = create_audit(path, "cin")  # cin gives no auditor_roles
    assert plan.tool.auditor_roles == {}
    plan = plan.model_copy(update={"cases": [Case(case_ref="C-1")], "assignments": [
        Assignment(case_ref="C-1", agency=a, auditor=n, role="Detective sergeant") for a, n in
        (("Health", "A One"), ("Health", "B Two"))]})
    write_coordinator(path, plan, keep_backup=False)
    assert not [w for w in generate_forms(path, workers=1).warnings if w.startswith("Sheet 'Assignments'")]
