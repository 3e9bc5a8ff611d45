"""Generated forms in a real client: LibreOffice opens, fills (as a person types), saves and prints them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.office.client import Office, pdf_info
from tests.support.print_scale import pdf_page_scales
from xlpack.demo.sample import create_sample, sample_plan
from xlpack.forms.layout import FormContext, build_layout
from xlpack.forms.writer import render_form
from xlpack.generate import generate_forms
from xlpack.model.definitions import load_definition
from xlpack.model.plan import Assignment


def _form(tmp_path: Path, tool: str) -> tuple[Path, FormContext]:
    plan = sample_plan(tool, cases=1)
    case = plan.cases[0]
    ctx = FormContext(form_id="f-" + tool, audit_id=plan.audit_id, tool=plan.tool, scale=plan.scale,
                      terms=plan.terms, case=case,
                      assignment=Assignment(case_ref=case.case_ref, agency="Police", auditor="Jo Bloggs", role="DS"),
                      case_field_labels={q.id: q.label for q in plan.tool.case_fields})
    path = tmp_path / f"{tool}.xlsx"
    path.write_bytes(render_form(ctx).content)
    return path, ctx


@pytest.mark.parametrize("tool", ["cp", "cin", "ei", "cic", "views"])
def test_every_form_opens_cleanly(office: Office, tmp_path: Path, tool: str) -> None:
    if tool == "views":
        audit = tmp_path / "a.xlsx"
        create_sample(audit)
        res = generate_forms(audit, workers=1)
        path = res.out_dir / next(f.file for f in res.issued if f.kind == "views")
        main = "Views"
    else:
        path, _ = _form(tmp_path, tool)
        main = "Audit"
    info = office.open_info(path).check()
    sheets = {s.name: s for s in info.sheets}
    assert list(sheets) == ["Start here", main, "Lists", "xlpack_form"]
    assert sheets["Start here"].visible and sheets[main].visible
    assert not sheets["Lists"].visible and not sheets["xlpack_form"].visible
    assert all(s.protected for s in info.sheets)


def test_typing_like_a_person_fills_inputs_and_is_refused_on_locked_cells(office: Office, tmp_path: Path) -> None:
    path, ctx = _form(tmp_path, "cp")
    layout = build_layout(ctx)
    cells = {c.key: c.cell for c in layout.inputs}
    evidence = "Seen alone on 3 March; wishes recorded — “I want to stay at school” ✓ 子供"
    entries = [
        ("Audit", cells["section.identification.grade"], "Good"),
        ("Audit", cells["section.identification.evidence"], evidence),
        ("Audit", cells["field.service_team"], "Public protection unit"),
        ("Audit", cells["closing.safeguarded_now"], "Unsure"),
        ("Audit", "A1", "Changed title"),  # a locked label
        ("Audit", "B6", "Someone's name"),  # the locked case reference
    ]
    out = tmp_path / "filled.xlsx"
    res = office.type_cells(path, out, entries).check()
    accepted = {(r.cell, r.accepted) for r in res.results}
    assert accepted == {(cells["section.identification.grade"], True), (cells["section.identification.evidence"], True),
                        (cells["field.service_team"], True), (cells["closing.safeguarded_now"], True),
                        ("A1", False), ("B6", False)}

    wb = openpyxl.load_workbook(out)
    ws = wb["Audit"]
    assert ws[cells["section.identification.grade"]].value == "Good"
    assert ws[cells["section.identification.evidence"]].value == evidence
    assert ws["A1"].value == ctx.tool.title and ws["B6"].value == ctx.case.case_ref
    # Protection, validations and metadata survive LibreOffice's save.
    assert ws.protection.sheet and wb["Start here"].protection.sheet
    assert ws[cells["section.assessment.evidence"]].protection.locked is False
    assert ws["A1"].protection.locked is True
    assert len(ws.data_validations.dataValidation) == len(openpyxl.load_workbook(path)["Audit"]
                                                          .data_validations.dataValidation)
    assert wb["xlpack_form"].sheet_state in ("hidden", "veryHidden")  # LibreOffice downgrades very hidden
    meta = {r[0].value: r[1].value for r in wb["xlpack_form"].iter_rows(max_row=13)}
    assert meta["form_id"] == "f-cp" and meta["fingerprint"] == layout.fingerprint()
    assert "xl_grades" in wb.defined_names


def test_completeness_indicator_updates_as_the_auditor_types(office: Office, tmp_path: Path) -> None:
    path, ctx = _form(tmp_path, "cp")
    layout = build_layout(ctx)
    cells = {c.key: c.cell for c in layout.inputs}
    heads = [r for r in layout.rows if r.style == "heading" and r.status_formula]
    out = tmp_path / "filled.xlsx"
    office.type_cells(path, out, [
        ("Audit", cells["section.identification.grade"], "Good"),
        ("Audit", cells["section.identification.evidence"], "Referral on day one."),
        ("Audit", cells["section.assessment.grade"], "Adequate"),
        ("Audit", cells["section.planning.grade"], "Not applicable"),
        ("Audit", cells["field.service_team"], "PPU"),
    ]).check()
    order = [s.id for s in ctx.tool.sections]  # one status heading per section, in the tool's order
    shown = ["identification", "assessment", "planning", "voice"]
    status = [("Audit", f"C{heads[order.index(sid)].row + 1}") for sid in shown]
    values = office.recalc_read(out, [("Audit", "B3"), *status]).check().values()
    assert values[0] == f"2 of {len(order)} sections complete; 1 of 5 other required answers given"
    assert values[1:] == ["Complete", "To do: evidence", "Complete", "To do: grade and evidence"]


@pytest.mark.parametrize("tool", ["cp", "cic"])
def test_form_prints_on_a4_at_a_readable_width(office: Office, tmp_path: Path, tool: str) -> None:
    path, _ = _form(tmp_path, tool)
    res = office.convert(path, tmp_path / "pdf").check()
    assert res.path is not None
    info = pdf_info(res.path)
    assert (round(info.width_pt), round(info.height_pt)) == (595, 842)  # A4 portrait
    # One page wide, at 85% or more (issue 18, item 26): about a page a section, plus the cover.
    sections = len(load_definition(tool).sections)
    assert 4 <= info.pages <= sections + 5, info.pages
    scales = pdf_page_scales(res.path, "OFFICIAL-SENSITIVE", 12)  # the header: Calibri bold 12
    assert len(scales) == info.pages and min(scales) >= 85, [round(s) for s in scales]
