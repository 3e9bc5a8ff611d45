"""Focused audits: the sections chosen on the Terms of reference sheet are read back, or refused by cell."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from xlpack.coordinator.plan_sheets import create_audit, read_plan, write_coordinator
from xlpack.errors import PlanError
from xlpack.model.definitions import load_definition
from xlpack.model.focus import focus_tool, parse_sections


def test_sections_are_named_by_title_or_id_in_any_case_and_kept_in_the_tools_order() -> None:
    cic = load_definition("cic")
    title = "Reviews, the independent reviewing officer, family time and identity"  # a title with commas
    ids, unknown = parse_sections(f"  EDUCATION \n{title}; care_plan\n\nno such section", cic)
    assert ids == ["care_plan", "education", "reviews_iro"] and unknown == ["no such section"]
    assert parse_sections("health, education", cic) == (["health", "education"], [])
    assert focus_tool(cic, []) is cic
    assert [s.id for s in focus_tool(cic, ["outcomes", "health"]).sections] == ["health", "outcomes"]


def _set_sections(path: Path, text: str) -> str:
    wb = openpyxl.load_workbook(path)
    ws = wb["Terms of reference"]
    row = next(r for r in ws.iter_rows() if r[0].value == "Sections audited")
    row[1].value = text
    wb.save(path)
    return row[1].coordinate


def test_lines_deleted_on_the_terms_of_reference_focus_the_audit(tmp_path: Path) -> None:
    audit = tmp_path / "a.xlsx"
    create_audit(audit, "cin")
    whole = load_definition("cin")
    assert not read_plan(audit).focused  # every section listed at the start
    _set_sections(audit, "Child in need meetings and reviews\nOutcomes and impact")
    plan = read_plan(audit)
    assert plan.focused and [s.id for s in plan.tool.sections] == ["cin_plan", "outcomes"]
    assert plan.definition == whole  # the whole tool stays in the workbook: the focus can be widened again
    write_coordinator(audit, plan)
    again = read_plan(audit)
    assert [s.id for s in again.tool.sections] == ["cin_plan", "outcomes"] and again.definition == whole
    _set_sections(audit, "")  # blank: every section
    assert not read_plan(audit).focused


def test_a_section_not_in_the_tool_is_refused_naming_the_cell(tmp_path: Path) -> None:
    audit = tmp_path / "a.xlsx"
    create_audit(audit, "ei")
    cell = _set_sections(audit, "Safeguarding vigilance\nCore group")
    with pytest.raises(PlanError) as err:
        read_plan(audit)
    assert f"Sheet 'Terms of reference', cell {cell}: 'Core group' is not a section of the Early Intervention" \
        in str(err.value)
    assert [s.id for s in read_plan(audit, strict=False).tool.sections] == ["safeguarding_vigilance"]
