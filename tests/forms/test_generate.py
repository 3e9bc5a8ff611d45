"""The coordinator workbook and issuing forms: names, manifest, re-runs, structure of a form."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.support.cli import run_cli
from xlpack import clock
from xlpack.coordinator.plan_sheets import create_audit, read_plan, write_coordinator
from xlpack.demo.sample import sample_plan
from xlpack.errors import PlanError, UsageError, WorkbookInUseError
from xlpack.forms.layout import FormContext
from xlpack.forms.writer import FormTemplate, render_form
from xlpack.generate import form_filename, generate_forms
from xlpack.model.plan import DEFAULT_AGENCIES, Assignment, Case


def test_init_creates_a_workbook_the_plan_reads_back(tmp_path: Path) -> None:
    audit = tmp_path / "audit.xlsx"
    plan = create_audit(audit, "cin", title="CIN audit", scale="ilacs", today=date(2026, 3, 15))
    wb = openpyxl.load_workbook(audit)
    assert wb.sheetnames[:6] == ["Start", "Terms of reference", "Cases", "Assignments", "Agencies", "Issued forms"]
    assert wb["xlpack_audit"].sheet_state == "veryHidden" and wb["Lists"].sheet_state == "hidden"
    assert set(wb["Cases"].tables) == {"Cases"} and set(wb["Assignments"].tables) == {"Assignments"}
    assert wb["Cases"].freeze_panes == "B5"
    back = read_plan(audit)
    assert back.audit_id == plan.audit_id and back.tool.id == "cin" and back.scale.id == "ilacs"
    assert back.terms.title == "CIN audit"
    assert (back.terms.period_from, back.terms.period_to) == (date(2025, 3, 16), date(2026, 3, 15))
    assert "Police" in back.agencies and "CAMHS" in back.agencies and back.agencies == list(DEFAULT_AGENCIES)
    # The adult services most often involved in child protection are agencies of their own.
    assert {"Adult mental health", "Drug and alcohol services", "Domestic abuse services"} <= set(back.agencies)
    with pytest.raises(UsageError, match="already exists"):
        create_audit(audit, "cp")


def test_plan_problems_are_all_listed_with_sheet_and_cell(tmp_path: Path) -> None:
    plan = sample_plan(cases=3)
    bad_cases = [Case(case_ref="Jane Smith", category="Child Protection", fields=plan.cases[0].fields),
                 plan.cases[1], plan.cases[1]]
    bad = plan.model_copy(update={"cases": bad_cases, "assignments": [
        Assignment(case_ref="CP-9999", agency="Police", auditor="A Person")]})
    audit = tmp_path / "audit.xlsx"
    write_coordinator(audit, bad, keep_backup=False)
    with pytest.raises(PlanError) as info:
        read_plan(audit)
    problems = info.value.problems
    assert problems[0].startswith("Sheet 'Cases', cell A5: 'Jane Smith' is not a valid case reference.")
    assert "never the child's name" in problems[0]
    assert problems[1] == f"Sheet 'Cases', cell A7: case {plan.cases[1].case_ref} is listed twice (first on row 6)."
    assert problems[2] == "Sheet 'Assignments', cell A5: case CP-9999 is not on the Cases sheet."


def test_generate_names_records_and_never_overwrites(sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    plan = read_plan(audit)
    audit_forms = [f for f in plan.issued if f.kind == "audit"]
    views = [f for f in plan.issued if f.kind == "views"]
    assert len(audit_forms) == len(plan.assignments) and len(views) == len(plan.cases)
    first = plan.assignments[0]
    expected = form_filename("cp", first.case_ref, first.agency, first.auditor)
    assert (forms / expected).is_file()
    assert expected.startswith(f"CP_{first.case_ref}_")
    manifest = json.loads((forms / "manifest.json").read_text())
    assert manifest["audit_id"] == plan.audit_id
    assert {f["form_id"] for f in manifest["forms"]} == {f.form_id for f in plan.issued}
    assert sorted(p.name for p in forms.glob("*.xlsx")) == sorted(f.file for f in plan.issued)

    before = {p.name: p.stat().st_mtime_ns for p in forms.glob("*.xlsx")}
    again = generate_forms(audit, workers=1)
    assert again.issued == [] and len(again.skipped) == len(plan.issued)
    assert {p.name: p.stat().st_mtime_ns for p in forms.glob("*.xlsx")} == before

    # A new assignment: only its form is issued; a stranger's file with the same name is not overwritten.
    case = plan.cases[0].case_ref
    new = Assignment(case_ref=case, agency="Police", auditor="New Auditor", email="new@example.org")
    stranger = forms / form_filename("cp", case, "Police", "New Auditor")
    stranger.write_bytes(b"someone else's file")
    write_coordinator(audit, plan.model_copy(update={"assignments": [*plan.assignments, new]}))
    third = generate_forms(audit, workers=1)
    assert [f.auditor for f in third.issued] == ["New Auditor"]
    assert third.issued[0].file == stranger.stem + "_2.xlsx"
    assert stranger.read_bytes() == b"someone else's file"
    assert len(read_plan(audit).issued) == len(plan.issued) + 1


def test_reissue_keeps_the_form_id_and_replaces_the_file(sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    plan = read_plan(audit)
    target = plan.issued[3]
    (forms / target.file).write_bytes(b"damaged")
    res = generate_forms(audit, reissue=[target.file], workers=1)
    assert [(f.form_id, f.file) for f in res.issued] == [(target.form_id, target.file)]
    assert zipfile.is_zipfile(forms / target.file)
    with pytest.raises(UsageError, match="Nothing to reissue for: nope"):
        generate_forms(audit, reissue=["nope"], workers=1)
    # a case reference typed in another letter case, with spaces, names the same case (as everywhere else)
    case = plan.issued[0].case_ref
    again = generate_forms(audit, reissue=[f" {case.lower()} "], workers=1)
    assert again.issued and {f.case_ref for f in again.issued} == {case}
    assert {f.form_id for f in again.issued} == {f.form_id for f in plan.issued if f.case_ref == case}


def test_generate_refuses_while_the_workbook_is_open(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    plan = read_plan(audit)
    write_coordinator(audit, plan.model_copy(update={"assignments": [
        *plan.assignments, Assignment(case_ref=plan.cases[0].case_ref, agency="CAMHS", auditor="Late Addition")]}))
    (audit.parent / f"~${audit.name}").write_bytes(b"lock")
    with pytest.raises(WorkbookInUseError, match="is open in Excel or LibreOffice"):
        generate_forms(audit, workers=1)


def _ctx(tool: str = "cp", **case_fields: str) -> FormContext:
    plan = sample_plan(tool, cases=1)
    case = plan.cases[0]
    if case_fields:
        case = case.model_copy(update={"fields": {**case.fields, **case_fields}})
    a = Assignment(case_ref=case.case_ref, agency="Drug & alcohol <service>", auditor="Jo Bloggs", role="")
    return FormContext(form_id="11111111-2222-4333-8444-555555555555", audit_id=plan.audit_id, tool=plan.tool,
                       scale=plan.scale, terms=plan.terms, case=case, assignment=a,
                       case_field_labels={q.id: q.label for q in plan.tool.case_fields})


def _sheet_values(content: bytes, tmp: Path) -> dict[str, list]:
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "x.xlsx"
    path.write_bytes(content)
    wb = CalamineWorkbook.from_path(str(path))
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


@pytest.mark.parametrize("tool", ["cp", "cin", "ei", "cic"])
def test_template_path_writes_the_same_form_as_direct_rendering(tool: str, tmp_path: Path) -> None:
    ctx = _ctx(tool)
    direct = render_form(ctx)
    fast = FormTemplate(ctx).render(ctx)
    assert fast.fingerprint == direct.fingerprint
    assert _sheet_values(fast.content, tmp_path) == _sheet_values(direct.content, tmp_path)
    with zipfile.ZipFile(io.BytesIO(fast.content)) as a, zipfile.ZipFile(io.BytesIO(direct.content)) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            if name != "xl/sharedStrings.xml" and "worksheets/sheet" not in name:
                assert a.read(name) == b.read(name), name
        footer = a.read("xl/worksheets/sheet2.xml").decode()
        assert "Drug &amp;&amp; alcohol &lt;service&gt;" in footer  # '&' doubled for the footer, then escaped


def test_form_structure(tmp_path: Path) -> None:
    ctx = _ctx("cp")
    rendered = render_form(ctx)
    path = tmp_path / "form.xlsx"
    path.write_bytes(rendered.content)
    names = zipfile.ZipFile(path).namelist()
    assert not [n for n in names if "vba" in n.lower() or n.endswith(".bin")]  # macro-free
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Start here", "Audit", "Lists", "xlpack_form"]
    assert [ws.sheet_state for ws in wb] == ["visible", "visible", "hidden", "veryHidden"]
    assert wb.security.lockStructure
    ws = wb["Audit"]
    assert all(s.protection.sheet for s in wb)
    assert not ws.merged_cells.ranges
    inputs = rendered.layout.inputs
    sections = len(ctx.tool.sections)
    assert len(inputs) == 3 + sections * 5 + 5
    for cell in inputs:
        assert ws[cell.cell].protection.locked is False, cell.key
        assert ws.cell(cell.row + 1, 1).value == cell.label  # labelled beside it
        assert ws.cell(cell.row + 1, 1).protection.locked is True
    dv = {str(d.sqref): d for d in ws.data_validations.dataValidation}
    grade_cells = [c for c in inputs if c.type == "grade"]
    assert len(grade_cells) == sections + 1  # one per section and the overall grade
    for c in grade_cells:
        rule = dv[c.cell]
        assert rule.type == "list" and rule.formula1 == "xl_grades" and rule.errorStyle in (None, "stop")
        assert rule.showErrorMessage and "Outstanding, Good, Adequate" in (rule.prompt or "")
    assert wb.defined_names["xl_grades"].attr_text == "Lists!$A$2:$A$7"
    assert [c.value for c in wb["Lists"]["A"][1:7]] == ["Outstanding", "Good", "Adequate", "Inadequate",
                                                          "Not applicable", "No evidence"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.fitToWidth in (1, None)
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert "OFFICIAL-SENSITIVE" in ws.oddHeader.center.text
    assert ctx.case.case_ref in ws.oddFooter.left.text and "&P" in ws.oddFooter.center.text
    assert ws.print_title_rows == "$1:$2"
    meta = {r[0].value: r[1].value for r in wb["xlpack_form"].iter_rows(max_row=13)}
    assert meta["form_id"] == ctx.form_id and meta["audit_id"] == ctx.audit_id
    assert meta["case_ref"] == ctx.case.case_ref and meta["tool_id"] == "cp"
    assert meta["tool_version"] == ctx.tool.version == "2.0"
    assert meta["fingerprint"] == rendered.fingerprint
    # The role was left blank in the plan: the locked cell says so rather than staying empty.
    role_row = next(r for r in rendered.layout.rows if r.label == "Auditor's role")
    assert ws.cell(role_row.row + 1, 2).value == "Not recorded"


def test_sheet_password_and_encryption(tmp_path: Path) -> None:
    import msoffcrypto

    from xlpack.generate import encrypt

    ctx = _ctx("cp")
    content = render_form(ctx, password="s3cret").content
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb["Audit"].protection.password and wb.security.workbookPassword
    locked = encrypt(content, "open-me")
    assert not zipfile.is_zipfile(io.BytesIO(locked))
    office = msoffcrypto.OfficeFile(io.BytesIO(locked))
    assert office.is_encrypted()
    out = io.BytesIO()
    office.load_key(password="open-me")
    office.decrypt(out)
    assert openpyxl.load_workbook(out).sheetnames[1] == "Audit"


def test_cli_init_and_generate(tmp_path: Path) -> None:
    audit = tmp_path / "a.xlsx"
    res = run_cli("init", audit, "--tool", "ei")
    assert res.exit_code == 0, res.output
    assert "Created" in res.stdout and read_plan(audit).tool.id == "ei"
    res = run_cli("generate", audit)
    assert res.exit_code == 1 and "the Cases sheet is empty" in res.stderr  # a plan problem: nothing done
    res = run_cli("init", tmp_path / "b.xlsx", "--tool", "nope")
    assert res.exit_code == 2 and "'nope' is neither a tool id" in res.stderr
    plan = sample_plan("ei", cases=2)
    write_coordinator(audit, read_plan(audit).model_copy(update={
        "cases": plan.cases, "assignments": plan.assignments[:3],
        "terms": plan.terms.model_copy(update={"deadline": clock.today() + timedelta(days=20)})}))
    res = run_cli("generate", audit, "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    assert "Issued 5 forms" in res.stdout  # 3 audit forms and 2 views forms
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 5


def test_the_bundled_sample_is_what_create_sample_makes(tmp_path: Path) -> None:
    from xlpack.demo.sample import create_sample

    committed = Path(__file__).resolve().parents[2] / "samples" / "sample-audit.xlsx"
    fresh = tmp_path / "sample.xlsx"
    create_sample(fresh)
    assert _sheet_values(committed.read_bytes(), tmp_path / "a") == _sheet_values(fresh.read_bytes(), tmp_path / "b")
    plan = read_plan(committed)
    assert len(plan.cases) == 10
    per_case = {c.case_ref: {a.agency for a in plan.assignments if a.case_ref == c.case_ref} for c in plan.cases}
    assert all(5 <= len(agencies) <= 7 for agencies in per_case.values())
    pairs = [(a.case_ref, a.agency) for a in plan.assignments]
    assert any(pairs.count(p) == 2 for p in pairs)  # two auditors for some agencies
    assert all("fictional" in plan.terms.title.lower() or "example" in a.email for a in plan.assignments)


def test_generate_warns_about_blanks_the_forms_will_show_but_still_issues(tmp_path: Path) -> None:
    audit = tmp_path / "a.xlsx"
    create_audit(audit, "cp")
    plan = sample_plan("cp", cases=1)
    blank_email = plan.assignments[0].model_copy(update={"email": ""})
    write_coordinator(audit, read_plan(audit).model_copy(update={
        "cases": plan.cases, "assignments": [blank_email, *plan.assignments[1:2]],
        "terms": plan.terms.model_copy(update={"deadline": None, "coordinator_email": ""})}))
    res = run_cli("generate", audit)
    assert res.exit_code == 0, res.output
    assert "Issued 3 forms" in res.stdout
    assert "Warning: Terms of reference: the Return deadline is blank" in res.stderr
    assert "Warning: Terms of reference: Coordinator email is blank" in res.stderr
    assert f"Warning: Assignments: no email for {blank_email.auditor} ({blank_email.agency}" in res.stderr
    assert res.stderr.count("Warning: Assignments") == 1  # the other auditor has an email
    again = run_cli("generate", audit)  # nothing new issued: nothing to warn about
    assert again.exit_code == 0 and "Warning" not in again.stderr
