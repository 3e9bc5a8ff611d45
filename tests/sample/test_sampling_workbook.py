"""Drawn cases go on to be audited: forms are issued for them, and the Sample sheet survives every later step."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.office.client import Office
from tests.support.extracts import REF, population, write_csv
from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import create_audit, read_plan, write_coordinator
from xlpack.demo.simulate import Simulator, fill_plausibly
from xlpack.errors import PlanError, WorkbookError
from xlpack.files.workbooks import SheetReader
from xlpack.generate import generate_forms
from xlpack.model.plan import Assignment, AuditPlan, IssuedForm
from xlpack.report.chapters import terms_and_method
from xlpack.report.document import ReportDocument
from xlpack.report.findings import analyse
from xlpack.sample.sampling import draw_sample, read_sample
from xlpack.workbook.readback import read_consolidated
from xlpack.workbook.write import keep_analysis

TODAY = date(2026, 11, 2)


def sample_sheet(audit: Path) -> list[list[object]]:
    return SheetReader(audit).rows("Sample")


def assign(audit: Path, agencies: tuple[str, ...] = ("Children's social care", "Police")) -> AuditPlan:
    """What the coordinator types after the draw: who audits each case (keeping any analysis, as Excel would)."""
    analysis = keep_analysis(audit)
    plan = read_plan(audit)
    done = {(a.case_ref, a.agency) for a in plan.assignments}
    new = [Assignment(case_ref=c.case_ref, agency=agency, auditor=f"Auditor {i}", email=f"auditor{i}@example.org")
           for c in plan.cases for i, agency in enumerate(agencies) if (c.case_ref, agency) not in done]
    plan = plan.model_copy(update={"assignments": [*plan.assignments, *new]})
    write_coordinator(audit, plan, analysis(plan, TODAY))
    return plan


def return_one(audit: Path, forms: Path, returns: Path, form: IssuedForm) -> None:
    returns.mkdir(exist_ok=True)
    fill_plausibly(Simulator(read_plan(audit), 1), form, forms / form.file, returns / form.file)


@pytest.fixture
def drawn(tmp_path: Path) -> tuple[Path, Path, list[dict[str, str]]]:
    """An audit with 4 cases drawn from an extract of 300: (audit, extract, extract rows)."""
    rows = population(300, seed=5)
    extract = write_csv(tmp_path / "extract.csv", rows)
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, "cp", title="Sampled audit")
    draw_sample(extract, audit, 4, by=["Category of abuse"], seed=8, today=TODAY)
    return audit, extract, rows


@pytest.mark.slow
def test_forms_are_issued_for_the_drawn_cases_and_the_sample_survives_generate_and_consolidate(
        drawn: tuple[Path, Path, list[dict[str, str]]], tmp_path: Path) -> None:
    audit, extract, rows = drawn
    record, sheet = read_sample(audit), sample_sheet(audit)
    assert record is not None and record.seed == 8 and record.drawn_on == TODAY
    cases = {c.case_ref: c for c in read_plan(audit).cases}
    assign(audit)
    gen = generate_forms(audit, workers=1, today=TODAY)
    assert sorted({f.case_ref for f in gen.issued}) == sorted(cases) and len(gen.issued) == 8
    by_ref = {r[REF]: r for r in rows}
    for f in gen.issued:  # each form shows its case's details, as drawn from the extract
        texts = {str(v) for row in SheetReader(gen.out_dir / f.file).rows("Audit") for v in row}
        assert any(by_ref[f.case_ref]["Age band"] in t for t in texts) and any(f.case_ref in t for t in texts)
    assert sample_sheet(audit) == sheet and read_sample(audit) == record

    returns = tmp_path / "returns"
    return_one(audit, gen.out_dir, returns, gen.issued[0])
    consolidate(audit, [returns], today=TODAY)
    assert sample_sheet(audit) == sheet and read_consolidated(audit).plan.sample == record

    assign(audit, ("Children's social care", "Police", "Health"))  # more auditors after consolidating
    again = generate_forms(audit, workers=1, today=TODAY)
    assert len(again.issued) == 4 and "Returns" in SheetReader(audit).names
    consolidate(audit, [returns], today=TODAY)  # would refuse if any cell of the Sample sheet were lost
    assert sample_sheet(audit) == sheet and read_sample(audit) == record

    with pytest.raises(WorkbookError, match="has been consolidated"):
        draw_sample(extract, audit, 2, seed=9)

    report = ReportDocument(title="t", subject="s", author="a", when=TODAY)  # the method chapter only: no charts
    terms_and_method(report, analyse(read_consolidated(audit)))
    text = "\n".join(p.text for p in report.doc.paragraphs)
    assert "How the cases were chosen." in text and "from a management-information extract of 300 cases" in text
    assert "(seed 8)" in text  # the draw repeatable from the Sample sheet, said in words a board reads
    table = next(t for t in report.doc.tables if t.rows[0].cells[0].text == "Stratified by")
    shown = {(r.cells[1].text, r.cells[2].text, r.cells[3].text) for r in table.rows[1:]}
    for value in {r["Category of abuse"] for r in rows}:
        n = sum(r["Category of abuse"] == value for r in rows)
        k = sum(cases[ref].fields["abuse_category"] == value for ref in cases)
        assert (value, f"{n / 300:.0%}", f"{k / 4:.0%}") in shown


def test_a_changed_sample_sheet_stops_generate_with_the_reason(drawn: tuple[Path, Path, list[dict[str, str]]],
                                                               office: Office, tmp_path: Path) -> None:
    audit, _, _ = drawn
    assign(audit)
    edited = tmp_path / "edited.xlsx"
    result = office.set_cells(audit, edited, [("Sample", "A17", "Stratum (edited)")]).check()  # past protection
    assert all(c.accepted for c in result.results)
    shutil.move(edited, audit)
    with pytest.raises(PlanError, match="Sheet 'Sample': the record of the case draw has been changed"):
        generate_forms(audit, workers=1, today=TODAY)


@pytest.mark.slow
def test_the_sample_sheet_survives_the_workbook_saved_by_libreoffice(
        drawn: tuple[Path, Path, list[dict[str, str]]], office: Office, tmp_path: Path) -> None:
    audit, _, _ = drawn
    record = read_sample(audit)
    refs = [c.case_ref for c in read_plan(audit).cases]
    typed = tmp_path / "typed.xlsx"
    entries = [("Sample", "B4", "03/11/2026")]  # protected: refused, as it would be for a person
    for i, ref in enumerate(refs, start=5):
        entries += [("Assignments", f"A{i}", ref), ("Assignments", f"B{i}", "Police"),
                    ("Assignments", f"C{i}", "Sam Example")]
    result = office.type_cells(audit, typed, entries).check()
    assert [c.accepted for c in result.results] == [False] + [True] * (3 * len(refs))
    shutil.move(typed, audit)
    assert read_sample(audit) == record
    gen = generate_forms(audit, workers=1, today=TODAY)
    assert sorted(f.case_ref for f in gen.issued) == sorted(refs)
    returns = tmp_path / "returns"
    return_one(audit, gen.out_dir, returns, gen.issued[0])
    consolidate(audit, [returns], today=TODAY)  # compares every Sample cell LibreOffice saved with the rewrite
    assert read_sample(audit) == record
