"""A focused audit from ``init --sections`` to the report, compared with a full baseline; and an audit begun on
version 1.0 of a tool, which keeps that version and compares with version 2.0 through the section ids.

Every expected figure is counted here from the grades planted in the forms.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.support.cli import CliResult, run_cli
from tests.support.cycle_scenario import RANK, Built, build
from tests.support.filling import fill_form, input_map
from xlpack.compare.comparison import compare_workbooks
from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import read_plan, write_coordinator
from xlpack.demo.sample import sample_plan
from xlpack.model.definitions import load_definition
from xlpack.workbook.readback import read_consolidated

pytestmark = pytest.mark.slow

FOCUS = ["initial_conference", "core_group", "review_conferences"]
V1 = Path(__file__).resolve().parents[1] / "support" / "tools_v1"
TODAY = date(2026, 12, 7)


def run(*args: str | Path) -> CliResult:
    return run_cli(*args)


def _start(audit: Path) -> None:
    """init --sections (in another order: the tool's order is kept), then the cases and assignments typed."""
    res = run("init", audit, "--tool", "cp", "--sections", ",".join(reversed(FOCUS)))
    assert res.exit_code == 0, res.output
    assert "A focused audit of 3 of the tool's 14 sections" in res.stdout
    sample = sample_plan("cp", cases=3, seed=31)
    plan = read_plan(audit)
    write_coordinator(audit, plan.model_copy(update={
        "cases": sample.cases, "assignments": sample.assignments,
        "terms": plan.terms.model_copy(update={"deadline": TODAY - timedelta(days=10)})}))


def test_focused_audit_from_init_to_report_compared_with_a_full_baseline(tmp_path: Path, baseline: Built) -> None:
    whole = load_definition("cp")
    titles = [whole.section(s).title for s in FOCUS]
    others = [s.title for s in whole.sections if s.id not in FOCUS]
    audit = tmp_path / "focused.xlsx"
    _start(audit)
    tor = openpyxl.load_workbook(audit)["Terms of reference"]
    typed = next(r[1] for r in tor.iter_rows(values_only=True) if r[0] == "Sections audited")
    assert typed.split("\n") == titles

    assert run("generate", audit).exit_code == 0
    plan = read_plan(audit)
    forms = sorted((f for f in plan.issued if f.kind == "audit"), key=lambda f: f.file)
    returns = tmp_path / "returns"
    returns.mkdir()
    planted: dict[str, dict[str, str]] = {}
    for i, f in enumerate(forms):
        path = audit.parent / "forms" / f.file
        asked = {k.split(".")[1] for k in input_map(path) if k.startswith("section.")}
        assert asked == set(FOCUS), f.file  # the form carries only the sections chosen
        cover = " ".join(str(c) for row in openpyxl.load_workbook(path)["Start here"].iter_rows(values_only=True)
                         for c in row if c)
        assert "This form asks about 3 of the tool's 14 sections" in cover
        planted[f.form_id] = {"initial_conference": "Good", "core_group": ["Inadequate", "Good", "Adequate"][i % 3],
                              "review_conferences": ["Outstanding", "Not applicable"][i % 2]}
        fill_form(path, returns / f.file, planted[f.form_id], saved_at=datetime(2026, 11, 20, tzinfo=UTC))
    consolidate(audit, [returns], today=TODAY)
    done = read_consolidated(audit)
    assert done.plan.focused and [s.id for s in done.plan.tool.sections] == FOCUS
    assert {(g.form_id, g.section_id) for g in done.grades} == {(f, s) for f in planted for s in FOCUS}

    report = tmp_path / "report.docx"
    assert run("report", audit, "--out", report).exit_code == 0
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "Focused audit: 3 of the tool's 14 sections" in text
    assert (f"This was a focused audit: the forms asked about 3 of the tool's 14 sections: {'; '.join(titles)}. "
            f"The other 11 were not audited, so this report makes no finding about them: {'; '.join(others)}.") in text
    cells = {c.text for t in docx.Document(str(report)).tables for row in t.rows for c in row.cells}
    assert set(titles) <= cells and not cells & set(others)  # the tables show the sections audited only

    out = tmp_path / "change.xlsx"
    res = run("compare", baseline.audit, audit, "--out", out)
    assert res.exit_code == 0, res.output
    c = compare_workbooks(baseline.audit, audit)
    assert [r.section_id for r in c.sections] == FOCUS
    assert c.not_compared == [(t, "left out of the focused re-audit") for t in others]
    assert c.reaudit.tool.endswith("focused on 3 of its 14 sections") and "focused" not in c.baseline.tool
    before = [g for form in baseline.planted.values() for s, g in form.items() if s in FOCUS]
    after = [g for form in planted.values() for g in form.values()]
    for tally, grades in ((c.overall.baseline, before), (c.overall.reaudit, after)):
        assert tally.graded == sum(g in RANK for g in grades)
        assert tally.good == sum(RANK.get(g or "", 9) <= 2 for g in grades)
        assert tally.inadequate == grades.count("Inadequate")
    about = " ".join(str(v) for row in openpyxl.load_workbook(out)["About"].iter_rows(values_only=True)
                     for v in row if v)
    assert "left out of the focused re-audit" in about and "focused on 3 of its 14 sections" in about


def test_a_focus_naming_no_section_is_refused_by_name(tmp_path: Path) -> None:
    res = run("init", tmp_path / "a.xlsx", "--sections", "core_group,core_groups")
    assert res.exit_code == 2 and "'core_groups' is not a section of the Child Protection" in res.stderr
    assert not (tmp_path / "a.xlsx").exists()


def test_an_audit_begun_on_version_1_keeps_it_and_compares_with_version_2(tmp_path: Path, baseline: Built) -> None:
    v1 = load_definition(V1 / "cp.yaml")
    plan = sample_plan("cp", cases=2, seed=11).model_copy(update={"tool": v1})
    old = build(tmp_path, 11, lambda i: {"conferences": "Inadequate"}, plan=plan)
    back = read_plan(old.audit)  # the bundled tool is at 2.0 now: the workbook keeps its own definition
    assert back.tool.version == "1.0" and [s.id for s in back.tool.sections] == [s.id for s in v1.sections]
    assert {f.tool_version for f in back.issued if f.kind == "audit"} == {"1.0"}
    new = load_definition("cp")
    c = compare_workbooks(old.audit, baseline.audit)  # the 1.0 audit as the baseline of a 2.0 re-audit
    shared = [s.id for s in new.sections if s.id in {t.id for t in v1.sections}]
    assert [r.section_id for r in c.sections] == shared and len(shared) == 12
    assert c.not_compared == [(v1.section("conferences").title, "only in the baseline"),
                              (new.section("initial_conference").title, "only in the re-audit"),
                              (new.section("review_conferences").title, "only in the re-audit")]
    assert c.baseline.tool == "Child Protection case audit tool (version 1.0)"
    assert c.reaudit.tool == "Child Protection case audit tool (version 2.0)"
    graded = [g for form in old.planted.values() for s, g in form.items() if s in shared]
    assert c.overall.baseline.graded == sum(g in RANK for g in graded)
