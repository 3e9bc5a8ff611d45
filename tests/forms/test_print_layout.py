"""Forms and plan sheets as people see them: page breaks that keep sections whole, inputs that stand out."""

from __future__ import annotations

import io
import random
import re
import zipfile
from itertools import pairwise
from pathlib import Path

import openpyxl
import pytest

from xlpack.coordinator.plan_sheets import create_audit
from xlpack.coordinator.sheet_writing import INPUT_FILL
from xlpack.demo.sample import create_sample, sample_plan
from xlpack.files.text_fit import text_lines
from xlpack.forms.layout import (
    INPUT_HEIGHT,
    REPEAT_ROWS,
    VALUE_WIDTH,
    FormContext,
    FormLayout,
    KeepTogether,
    Row,
    build_layout,
    page_breaks,
    page_height,
)
from xlpack.forms.writer import FormTemplate, render_form
from xlpack.model.plan import Assignment

TOOLS = ["cp", "cin", "ei", "cic", "views"]


def _ctx(tool: str) -> FormContext:
    plan = sample_plan("cp" if tool == "views" else tool, cases=1)
    case = plan.cases[0]
    definition = plan.views if tool == "views" else plan.tool
    assert definition is not None
    return FormContext(form_id="f-" + tool, audit_id=plan.audit_id, tool=definition,
                       scale=plan.scale if definition.uses_grades else None, terms=plan.terms, case=case,
                       assignment=Assignment(case_ref=case.case_ref, agency="Health", auditor="Sam Example",
                                             role="Named nurse"),
                       case_field_labels={q.id: q.label for q in plan.tool.case_fields})


def _pages(layout: FormLayout, breaks: list[int]) -> list[list[int]]:
    """Rows (with a Row, or gaps of 15 points) of each printed page, the repeated rows left out."""
    last = max(r.row for r in layout.rows)
    starts = [REPEAT_ROWS, *breaks, last + 1]
    return [list(range(a, b)) for a, b in pairwise(starts)]


def _check_pages(layout: FormLayout, breaks: list[int], room: float) -> None:
    heights = {r.row: r.height for r in layout.rows}
    repeat = sum(heights.get(r, 15.0) for r in range(REPEAT_ROWS))
    pages = _pages(layout, breaks)
    page_of = {r: i for i, rows in enumerate(pages) for r in rows}
    for i, rows in enumerate(pages):
        assert sum(heights.get(r, 15.0) for r in rows if r in heights) <= room - repeat  # none runs past the foot
        assert i == 0 or rows[0] in heights  # no page starts with an empty gap row (it ends the page before)
    def fits(first: int, last: int) -> bool:
        return sum(heights.get(r, 15.0) for r in range(first, last + 1)) <= room - repeat

    for b in layout.blocks:  # the whole block on one page if it fits on one, else at least its head
        together = range(b.first, b.last + 1) if fits(b.first, b.last) else range(b.first, b.head_last + 1)
        if fits(together[0], together[-1]):
            assert len({page_of[r] for r in together}) == 1, b


def test_page_breaks_keep_blocks_together() -> None:
    rng = random.Random(4)
    for _ in range(200):
        layout = FormLayout(sheet="Audit")
        r = 0
        for _ in range(REPEAT_ROWS):
            layout.rows.append(Row(row=r, style="title", height=rng.choice([15.0, 30.0])))
            r += 1
        for _ in range(rng.randint(1, 12)):
            r += 1  # a gap row
            first = r
            for _ in range(rng.randint(1, 9)):
                layout.rows.append(Row(row=r, style="label", height=rng.choice([15.0, 24.0, 60.0, 90.0, 150.0])))
                r += 1
            layout.blocks.append(KeepTogether(first, r - 1, min(r - 1, first + 2)))
        room = rng.choice([400.0, 700.0, 1100.0])
        _check_pages(layout, page_breaks(layout, room), room)


@pytest.mark.parametrize("tool", TOOLS)
def test_forms_break_pages_between_sections(tool: str) -> None:
    ctx = _ctx(tool)
    layout = build_layout(ctx)
    assert layout.page_breaks == page_breaks(layout)
    _check_pages(layout, layout.page_breaks, page_height())
    by_row = {r.row: r for r in layout.rows}
    for number, section in enumerate(ctx.tool.sections, start=1):
        head = next(r for r in layout.rows if r.label == f"Section {number}: {section.title}")
        grade = next((r for r in layout.rows if r.input and r.input.key == f"section.{section.id}.grade"), None)
        if grade is not None:  # heading, questions and grade on one page
            assert not [b for b in layout.page_breaks if head.row < b <= grade.row]
            assert grade.height >= INPUT_HEIGHT
    for r in layout.rows:
        if r.label.startswith("Period of case work audited"):
            assert r.height == 15.0, r  # one line, not two
    assert all(by_row[b].style == "heading" for b in layout.page_breaks)  # each page opens with a heading


@pytest.mark.parametrize("tool", ["cp", "views"])
def test_input_cells_stand_out_from_locked_cells(tool: str) -> None:
    ctx = _ctx(tool)
    rendered = render_form(ctx)
    ws = openpyxl.load_workbook(io.BytesIO(rendered.content))[rendered.layout.sheet]
    assert not ws.merged_cells.ranges
    inputs = {c.cell for c in rendered.layout.inputs}
    for row in ws.iter_rows(max_col=3):
        for cell in row:
            is_input = cell.coordinate in inputs
            filled = cell.fill.fgColor.rgb == "FF" + INPUT_FILL[1:]
            heavy = {cell.border.left.style, cell.border.right.style, cell.border.top.style,
                     cell.border.bottom.style} == {"medium"}
            assert is_input == (cell.protection.locked is False) == filled == heavy, cell.coordinate


@pytest.mark.parametrize("generated", [False, True])
def test_plan_tables_show_where_to_type(tmp_path: Path, generated: bool) -> None:
    path = tmp_path / "audit.xlsx"
    create_sample(path) if generated else create_audit(path, "cp")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        assert not ws.merged_cells.ranges, ws.title
    for name in ("Cases", "Assignments", "Agencies"):
        ws = wb[name]
        table = next(iter(ws.tables.values()))
        body = ws[table.ref][1:]  # the rows under the header, empty ones included
        assert len(body) >= 8
        for row in body:
            for cell in row:
                assert cell.fill.fgColor.rgb == "FF" + INPUT_FILL[1:] and cell.border.left.style == "medium", (
                    name, cell.coordinate)
    issued = wb["Issued forms"]
    assert issued.column_dimensions["L"].hidden  # the fingerprint: for intake, not for people


def _row_heights(content: bytes, part: str) -> list[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        xml = zf.read(part).decode()
    rows = re.findall(r'<row r="\d+"[^>]*>', xml)
    return [(re.findall(r' r="(\d+)"', r)[0], (re.findall(r' ht="([\d.]+)"', r) or [""])[0]) for r in rows]


def test_template_forms_get_the_row_heights_their_values_need() -> None:
    ctx = _ctx("cp")
    role = ("Designated safeguarding lead for the integrated children's community health services across the north "
            "and east localities, covering health visiting and school nursing")
    long = FormContext(**{**ctx.__dict__, "assignment": ctx.assignment.model_copy(update={"role": role})})
    template = FormTemplate(ctx)
    for case in (ctx, long):
        direct, fast = render_form(case), template.render(case)
        for part in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            heights = _row_heights(direct.content, part)
            assert len([h for _, h in heights if h]) > 10
            assert _row_heights(fast.content, part) == heights
    role_row = next(r for r in build_layout(long).rows if r.label == "Auditor's role")
    lines = text_lines(role, VALUE_WIDTH)
    assert lines >= 2 and role_row.height == 15.0 * lines  # the template's own (one line) would cut it
