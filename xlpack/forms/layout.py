"""Where everything sits on a form: the one place that decides cell positions.

The layout is computed from the tool definition and the assignment, then
rendered by :mod:`xlpack.forms.writer`. The input cells and the locked text
are also written into the form's metadata sheet, so intake reads a
returned form by what the form itself says, even after the YAML changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date

from xlsxwriter.utility import xl_rowcol_to_cell

from xlpack.files.text_fit import column_pixels, height_for, text_lines
from xlpack.model.definitions import RECORD_LABELS, GradeScale, Question, Section, ToolDefinition
from xlpack.model.marking import MARKING
from xlpack.model.plan import Assignment, Case, TermsOfReference

AUDIT_SHEET = "Audit"
VIEWS_SHEET = "Views"
COVER_SHEET = "Start here"
LISTS_SHEET = "Lists"
META_SHEET = "xlpack_form"
FORM_SCHEMA = "xlpack-form/1"  # the hidden sheet's schema: written on every form, checked on every return
LABEL_COL, VALUE_COL, STATUS_COL = 0, 1, 2
LABEL_WIDTH, VALUE_WIDTH, STATUS_WIDTH = 31, 58, 16  # characters: printed one page wide at 85% or more
COVER_LABEL_WIDTH = 28
LONG_TEXT_HEIGHT = 90  # points: six lines of text
INPUT_HEIGHT = 24  # points: a one-line answer (a grade, a choice, a date), tall enough to click comfortably
HEADING_HEIGHT = 21
LAYOUT_VERSION = "1"
#: Printed pages: A4 portrait, margins in inches (left, right, top, bottom), one page wide.
PAGE_POINTS = (595.28, 841.89)
MARGINS = (0.5, 0.5, 0.75, 0.75)
REPEAT_ROWS = 2  # the title and the marking print at the top of every page
PAGE_SAFETY = 0.96  # of a page's height used: room for the programs' own rounding

STATUS_DONE = "Complete"
NOT_RECORDED = "Not recorded"


@dataclass(frozen=True)
class InputCell:
    """A cell the auditor fills in."""

    key: str  # "section.<id>.<record>", "field.<id>", "closing.<id>"
    sheet: str
    row: int  # 0-based
    col: int
    type: str  # grade, text, long_text, date, choice, whole_number
    label: str
    required: bool = False
    list_name: str | None = None  # defined name of the dropdown list
    help: str | None = None
    minimum: int | None = None
    maximum: int | None = None

    @property
    def cell(self) -> str:
        return xl_rowcol_to_cell(self.row, self.col)


@dataclass
class Row:
    """One row of the audit sheet, in reading order."""

    row: int
    style: str  # title, note, heading, label, info, prompt, status
    label: str = ""
    value: object = None  # locked value in column B (None where the cell is an input)
    input: InputCell | None = None
    status_formula: str | None = None
    status_value: str = ""
    height: float = 15.0  # points, computed from the text (see row_height)


@dataclass(frozen=True)
class KeepTogether:
    """Rows printed on one page if they fit on one; else at least ``first`` to ``head_last`` stay together."""

    first: int
    last: int
    head_last: int


@dataclass
class FormLayout:
    sheet: str
    rows: list[Row] = field(default_factory=list)
    lists: dict[str, list[str]] = field(default_factory=dict)  # defined name -> items
    blocks: list[KeepTogether] = field(default_factory=list)
    page_breaks: list[int] = field(default_factory=list)  # first row of each printed page after the first

    @property
    def inputs(self) -> list[InputCell]:
        return [r.input for r in self.rows if r.input is not None]

    @property
    def locked_cells(self) -> list[tuple[str, str]]:
        """(cell, text) of every locked label and pre-filled value: what the fingerprint covers."""
        out: list[tuple[str, str]] = []
        for r in self.rows:
            if r.label:
                out.append((xl_rowcol_to_cell(r.row, LABEL_COL), r.label))
            if r.input is None and r.value not in (None, ""):
                out.append((xl_rowcol_to_cell(r.row, VALUE_COL), locked_text(r.value)))
        return out

    def fingerprint(self) -> str:
        return fingerprint(self.sheet, self.locked_cells)


def locked_text(value: object) -> str:
    """How a locked value reads back as text (dates as ISO)."""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def fingerprint(sheet: str, cells: list[tuple[str, str]]) -> str:
    payload = json.dumps([sheet, cells], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def list_name(question_id: str) -> str:
    return f"xl_list_{question_id}"


GRADE_LIST = "xl_grades"


@dataclass
class FormContext:
    """Everything about one issued form that the layout shows."""

    form_id: str
    audit_id: str
    tool: ToolDefinition
    scale: GradeScale | None
    terms: TermsOfReference
    case: Case
    assignment: Assignment
    case_field_labels: dict[str, str] = field(default_factory=dict)
    whole_sections: int = 0  # in a focused audit, how many sections the whole tool has (0: not focused)


@dataclass
class _Rows:
    """The form's rows as they are placed, one after another from the top."""

    layout: FormLayout
    n: int = 0  # the next row

    def add(self, **kw: object) -> Row:
        r = Row(row=self.n, **kw)  # type: ignore[arg-type]
        self.layout.rows.append(r)
        self.n += 1
        return r

    def blank(self) -> None:
        self.n += 1

    def question(self, q: Question, prefix: str) -> None:
        lname = None
        if q.type == "grade":
            lname = GRADE_LIST
        elif q.type == "choice":
            lname = list_name(q.id)
            self.layout.lists[lname] = list(q.choices or ())
        label = q.label + (" (required)" if q.required else "")
        cell = InputCell(key=f"{prefix}.{q.id}", sheet=self.layout.sheet, row=self.n, col=VALUE_COL, type=q.type,
                         label=label, required=q.required, list_name=lname, help=q.help, minimum=q.min, maximum=q.max)
        self.add(style="label", label=label, input=cell)


def build_layout(ctx: FormContext) -> FormLayout:
    tool = ctx.tool
    rows = _Rows(FormLayout(sheet=AUDIT_SHEET if tool.kind == "audit" else VIEWS_SHEET))
    layout = rows.layout
    if ctx.scale is not None:
        layout.lists[GRADE_LIST] = ctx.scale.labels

    rows.add(style="title", label=tool.title, value=f"{ctx.case.case_ref} · {ctx.assignment.agency}")
    rows.add(style="note", label=MARKING,
             value="Use the case reference only: never write a child's or family member's name on this form.")
    summary = rows.add(style="status", label="Progress")
    rows.blank()
    _about(rows, ctx)
    section_status = [_section(rows, ctx.scale, number, section) for number, section in enumerate(tool.sections, 1)]
    if tool.closing:
        _closing(rows, tool)

    required = [c for c in layout.inputs if c.required and not c.key.startswith("section.")]
    summary.status_formula, summary.status_value = _summary(section_status, required)
    for r in layout.rows:
        r.height = row_height(r)
    layout.page_breaks = page_breaks(layout)
    return layout


def _about(rows: _Rows, ctx: FormContext) -> None:
    """The case, agency, auditor and period, then the form's own questions."""
    tool = ctx.tool
    about = rows.add(style="heading", label="About this audit")
    info: list[tuple[str, object]] = [
        ("Case reference", ctx.case.case_ref),
        ("Category of work", ctx.case.category or tool.category),
        ("Agency", ctx.assignment.agency),
        ("Auditor", ctx.assignment.auditor),
        ("Auditor's role", ctx.assignment.role),
        ("Period of case work audited: from", ctx.terms.period_from or ""),
        ("Period of case work audited: to", ctx.terms.period_to or ""),
    ]
    for q in tool.case_fields:
        info.append((ctx.case_field_labels.get(q.id, q.label), ctx.case.fields.get(q.id, "")))
    info.append(("Form id (do not change)", ctx.form_id))
    for label, value in info:
        rows.add(style="info", label=label, value=NOT_RECORDED if value in (None, "") else value)
    for q in tool.form_fields:
        rows.question(q, "field")
    rows.layout.blocks.append(KeepTogether(about.row, rows.n - 1, min(rows.n - 1, about.row + 3)))
    rows.blank()


def _section(rows: _Rows, scale: GradeScale | None, number: int, section: Section) -> str:
    """A section's heading, prompts and records; returns the cell of its status (beside the heading)."""
    head = rows.add(style="heading", label=f"Section {number}: {section.title}")
    prompts = "\n".join(f"• {p}" for p in section.prompts)
    rows.add(style="prompt", label="Questions to consider", value=prompts)
    cells: dict[str, InputCell] = {}
    for rec in section.records:
        is_grade = rec == "grade"
        cell = InputCell(key=f"section.{section.id}.{rec}", sheet=rows.layout.sheet, row=rows.n, col=VALUE_COL,
                         type="grade" if is_grade else "long_text", label=RECORD_LABELS[rec],
                         required=rec in ("grade", "evidence"), list_name=GRADE_LIST if is_grade else None)
        cells[rec] = cell
        rows.add(style="label", label=RECORD_LABELS[rec], input=cell)
    grade = cells.get("grade")
    rows.layout.blocks.append(KeepTogether(head.row, rows.n - 1, grade.row if grade else min(rows.n - 1, head.row + 2)))
    head.status_formula, head.status_value = _section_status(cells, scale)
    rows.blank()
    return xl_rowcol_to_cell(head.row, STATUS_COL)


def _closing(rows: _Rows, tool: ToolDefinition) -> None:
    """The closing questions, each group (a conversation on the views form) under its own heading."""
    closing = rows.add(style="heading",
                       label="Closing questions" if tool.kind == "audit" else "What the child and family said")
    first, group, asked = closing.row, None, 0
    for q in tool.closing:
        if q.group and q.group != group:  # a group starts on its own heading
            if asked:  # the block so far; the closing heading stays with the first group
                rows.layout.blocks.append(KeepTogether(first, rows.n - 1, first + 1))
                first = rows.n
            group, asked = q.group, 0
            rows.add(style="heading", label=q.group)
        rows.question(q, "closing")
        asked += 1
    rows.layout.blocks.append(KeepTogether(first, rows.n - 1, first + 1))


def row_height(row: Row) -> float:
    """Points a row of the form needs: its texts whole (Calibri metrics), inputs big enough to type in."""
    label = [(row.label, LABEL_WIDTH)]
    value = [(locked_text(row.value), VALUE_WIDTH)] if row.value not in (None, "") else []
    if row.style == "title":
        return max(height_for(label, 16, True), height_for(value, 12, True))
    if row.style == "heading":
        width = (LABEL_WIDTH, VALUE_WIDTH) if heading_on_one_line(row.label) else LABEL_WIDTH
        return max(HEADING_HEIGHT, height_for([(row.label, width)], 12, True),
                   height_for([(row.status_value, STATUS_WIDTH)], 11, True))
    if row.style == "status":
        value = [(row.status_value, VALUE_WIDTH)]
        return max(height_for(label, bold=True), height_for(value, bold=True))
    height = max(height_for(label, bold=True), height_for(value))
    if row.input is not None:
        height = max(height, LONG_TEXT_HEIGHT if row.input.type == "long_text" else INPUT_HEIGHT)
    return height


def heading_on_one_line(label: str) -> bool:
    """Whether a heading fits on one line across the label and value columns (it is written unwrapped in the
    label cell and runs on over the empty value cell: no merged cells on forms); else it wraps in its cell."""
    return text_lines(label, (LABEL_WIDTH, VALUE_WIDTH), 12, True) == 1


def page_height(widths: tuple[float, ...] = (LABEL_WIDTH, VALUE_WIDTH, STATUS_WIDTH)) -> float:
    """Points of sheet rows a printed page holds, once scaled to fit the columns one page wide."""
    left, right, top, bottom = (72 * m for m in MARGINS)
    sheet_width = sum(column_pixels(w) for w in widths) * 0.75
    scale = min(1.0, (PAGE_POINTS[0] - left - right) / sheet_width)
    return (PAGE_POINTS[1] - top - bottom) / scale * PAGE_SAFETY


def page_breaks(layout: FormLayout, room: float | None = None) -> list[int]:
    """The first row of each printed page after the first, so that no block is split if it fits on a page.

    A section's heading, questions and grade are never split; a section that
    fits on a page is printed whole. Rows without text (the gaps between
    sections) are 15 points.
    """
    heights = {r.row: r.height for r in layout.rows}
    last = max(heights, default=0)
    repeat = sum(heights.get(r, 15.0) for r in range(REPEAT_ROWS))
    room = (room or page_height()) - repeat
    starts = {b.first: b for b in layout.blocks}

    def span(first: int, end: int) -> float:
        return sum(heights.get(r, 15.0) for r in range(first, end + 1))

    breaks: list[int] = []
    used = 0.0
    for r in range(REPEAT_ROWS, last + 1):
        h = heights.get(r, 15.0)
        block = starts.get(r)
        if block is not None:
            whole = span(block.first, block.last)
            need = whole if whole <= room else span(block.first, block.head_last)
            if used and used + need > room:
                breaks.append(r)
                used = 0.0
        elif used and used + h > room and r in heights:  # a gap row stays at the foot of its page
            breaks.append(r)
            used = 0.0
        used += h
    return breaks


def _blank(cell: str) -> str:
    return f'LEN(TRIM({cell}))=0'


def _section_status(cells: dict[str, InputCell], scale: GradeScale | None) -> tuple[str, str]:
    """A formula saying what a section still lacks; 'Complete' when graded and evidenced."""
    grade = cells.get("grade")
    evidence = cells.get("evidence")
    if grade is None and evidence is None:
        return '"' + STATUS_DONE + '"', STATUS_DONE
    g = grade.cell if grade else ""
    e = evidence.cell if evidence else ""
    na = next((x.label for x in (scale.grades if scale else ()) if x.code.upper() == "NA"), "Not applicable")
    if g and e:
        formula = (f'IF({_blank(g)},IF({_blank(e)},"To do: grade and evidence","To do: grade"),'
                   f'IF(OR({g}="{na}",NOT({_blank(e)})),"{STATUS_DONE}","To do: evidence"))')
        return formula, "To do: grade and evidence"
    only = g or e
    what = "grade" if g else "evidence"
    return f'IF({_blank(only)},"To do: {what}","{STATUS_DONE}")', f"To do: {what}"


def _summary(section_cells: list[str], required: list[InputCell]) -> tuple[str, str]:
    parts = []
    value_parts = []
    if section_cells:
        count = "+".join(f'({c}="{STATUS_DONE}")' for c in section_cells)
        parts.append(f'({count})&" of {len(section_cells)} sections complete"')
        value_parts.append(f"0 of {len(section_cells)} sections complete")
    if required:
        answered = "+".join(f"NOT({_blank(c.cell)})" for c in required)
        parts.append(f'({answered})&" of {len(required)} other required answers given"')
        value_parts.append(f"0 of {len(required)} other required answers given")
    if not parts:
        return '""', ""
    return '&"; "&'.join(parts), "; ".join(value_parts)
