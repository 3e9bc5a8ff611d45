"""Write one form workbook (.xlsx, no macros) from its layout.

Sheets: ``Start here`` (terms of reference, how to fill in and return,
grade descriptors), the audit or views sheet, a hidden ``Lists`` sheet
holding every dropdown list, and a very hidden metadata sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

import xlsxwriter
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from xlpack.coordinator.sheet_writing import INPUT_BORDER, INPUT_FILL
from xlpack.files.text_fit import height_for, line_height
from xlpack.files.xlsx_writer import close_workbook, new_workbook
from xlpack.forms.layout import (
    COVER_LABEL_WIDTH,
    COVER_SHEET,
    FORM_SCHEMA,
    LABEL_COL,
    LABEL_WIDTH,
    LAYOUT_VERSION,
    LISTS_SHEET,
    MARGINS,
    META_SHEET,
    NOT_RECORDED,
    REPEAT_ROWS,
    STATUS_COL,
    STATUS_WIDTH,
    VALUE_COL,
    VALUE_WIDTH,
    FormContext,
    FormLayout,
    InputCell,
    build_layout,
    heading_on_one_line,
)
from xlpack.model.definitions import CELL_TEXT_LIMIT, INPUT_MESSAGE_LIMIT, GradeScale
from xlpack.model.marking import MARKING

DATE_FORMAT = "dd/mm/yyyy"
LOCKED_BORDER = "#A6A6A6"


class ProtectedWorkbook(xlsxwriter.Workbook):
    """xlsxwriter workbook that also writes workbook structure protection.

    xlsxwriter has no API for it; the element goes just before bookViews,
    as the OOXML schema orders it. Without it a person could unhide the
    metadata sheet or delete and rename sheets.
    """

    structure_password_hash: str = ""

    def _write_book_views(self) -> None:
        attrs = [("lockStructure", "1")]
        if self.structure_password_hash:
            attrs.insert(0, ("workbookPassword", self.structure_password_hash))
        self._xml_empty_tag("workbookProtection", attrs)
        super()._write_book_views()


@dataclass
class RenderedForm:
    content: bytes
    layout: FormLayout
    fingerprint: str


def legacy_password_hash(password: str) -> str:
    """The 16-bit hash Excel stores for sheet and structure protection (ECMA-376 Part 4, 14.7.1)."""
    digest = 0
    for char in reversed(password):
        digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
        digest ^= ord(char)
    digest = ((digest >> 14) & 0x01) | ((digest << 1) & 0x7FFF)
    digest ^= len(password) ^ 0xCE4B
    return f"{digest:X}"


def _hf_escape(text: str) -> str:
    """Escape text for an Excel header or footer (where & starts a code)."""
    return str(text).replace("&", "&&")


def _formats(wb: xlsxwriter.Workbook) -> dict[str, object]:
    base = {"font_name": "Calibri", "font_size": 11, "valign": "top", "text_wrap": True}

    def f(**kw: object) -> object:
        return wb.add_format({**base, **kw})

    return {
        "__wb__": wb,
        "title": f(bold=True, font_size=16, font_color="#1F3864"),
        "cover_title": f(bold=True, font_size=16, font_color="#1F3864", text_wrap=False),
        "subtitle": f(bold=True, font_size=12, font_color="#1F3864"),
        "note": f(italic=True, font_color="#7F1D1D"),
        "marking": f(bold=True, font_color="#7F1D1D"),
        "heading": f(bold=True, font_size=12, font_color="#FFFFFF", bg_color="#1F3864", border=1, valign="vcenter"),
        "heading_line": f(bold=True, font_size=12, font_color="#FFFFFF", bg_color="#1F3864", border=1,
                          valign="vcenter", text_wrap=False),
        "heading_status": f(bold=True, font_color="#1F3864", bg_color="#DCE6F2", border=1, valign="vcenter"),
        "label": f(bold=True, border=1, border_color=LOCKED_BORDER, bg_color="#F2F2F2"),
        "label_mid": f(bold=True, border=1, border_color=LOCKED_BORDER, bg_color="#F2F2F2", valign="vcenter"),
        "info": f(border=1, border_color=LOCKED_BORDER, bg_color="#F2F2F2"),
        "info_date": f(border=1, border_color=LOCKED_BORDER, bg_color="#F2F2F2", num_format=DATE_FORMAT,
                       align="left"),
        "prompt": f(border=1, border_color=LOCKED_BORDER, font_color="#404040", bg_color="#F2F2F2"),
        # Inputs: a fill and a heavier border, so they stand out on screen and in grey-scale print alike.
        "input": f(locked=False, bg_color=INPUT_FILL, **INPUT_BORDER),
        "input_mid": f(locked=False, bg_color=INPUT_FILL, valign="vcenter", **INPUT_BORDER),
        "input_date": f(locked=False, bg_color=INPUT_FILL, num_format=DATE_FORMAT, align="left", valign="vcenter",
                        **INPUT_BORDER),
        "status": f(bold=True, border=1, font_color="#1F3864"),
        "text": f(),
        "bold": f(bold=True),
        "th": f(bold=True, bg_color="#1F3864", font_color="#FFFFFF", border=1),
        "td": f(border=1, border_color=LOCKED_BORDER),
    }


def render_form(ctx: FormContext, *, password: str = "") -> RenderedForm:
    """Render the workbook for one assignment; returns its bytes."""
    layout = build_layout(ctx)
    return RenderedForm(_render(ctx, layout, password, layout.fingerprint()), layout, layout.fingerprint())


def _render(ctx: FormContext, layout: FormLayout, password: str, fp: str) -> bytes:
    buf = io.BytesIO()
    wb = new_workbook(buf, f"{ctx.tool.title}: {ctx.case.case_ref}, {ctx.assignment.agency}", datetime(2000, 1, 1),
                      kind=ProtectedWorkbook, in_memory=True, properties={
                          "category": MARKING,
                          "comments": "Generated by xlpack. Fill in the yellow cells and return the file."})
    if password:
        wb.structure_password_hash = legacy_password_hash(password)
    fmt = _formats(wb)
    cover = wb.add_worksheet(COVER_SHEET)
    main = wb.add_worksheet(layout.sheet)
    lists = wb.add_worksheet(LISTS_SHEET)
    meta = wb.add_worksheet(META_SHEET)

    _write_lists(wb, lists, layout)
    _write_cover(cover, fmt, ctx, layout)
    _write_main(main, fmt, ctx, layout)
    _write_meta(meta, ctx, layout, fp)

    for ws in (cover, main, lists, meta):
        ws.protect(password, {"format_rows": True, "select_locked_cells": True, "select_unlocked_cells": True})
    lists.hide()
    meta.very_hidden()
    cover.activate()
    close_workbook(wb)
    return buf.getvalue()


def _write_lists(wb: xlsxwriter.Workbook, ws: Worksheet, layout: FormLayout) -> None:
    for col, (name, items) in enumerate(sorted(layout.lists.items())):
        ws.write_string(0, col, name)
        for i, item in enumerate(items, start=1):
            ws.write_string(i, col, item)
        first = xl_rowcol_to_cell(1, col, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(len(items), col, row_abs=True, col_abs=True)
        wb.define_name(name, f"={quote_sheetname(LISTS_SHEET)}!{first}:{last}")


def _page_setup(ws: Worksheet, ctx: FormContext, repeat_rows: int) -> None:
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.fit_to_pages(1, 0)
    left, right, top, bottom = MARGINS
    ws.set_margins(left=left, right=right, top=top, bottom=bottom)
    if repeat_rows:
        ws.repeat_rows(0, repeat_rows - 1)
    ws.set_header(f"&C&\"Calibri,Bold\"&12{MARKING}")
    footer = f"&L{_hf_escape(ctx.case.case_ref)} · {_hf_escape(ctx.assignment.agency)}&CPage &P of &N&R{MARKING}"
    ws.set_footer(footer)


@dataclass
class CoverLine:
    """One row of the ``Start here`` sheet (None in the list of lines: an empty row)."""

    label: str
    value: object = ""
    style: str = "text"
    label_style: str = "bold"

    @property
    def height(self) -> float:
        if self.label_style == "cover_title":
            return line_height(16) + 3
        if self.label_style == "subtitle":
            return line_height(12) + 6  # a little air above each part
        value = self.value.isoformat() if isinstance(self.value, date) else str(self.value)
        return max(height_for([(self.label, COVER_LABEL_WIDTH)], bold=True), height_for([(value, VALUE_WIDTH)]))


def cover_lines(ctx: FormContext, layout: FormLayout) -> list[CoverLine | None]:
    """What the ``Start here`` sheet says, line by line."""
    t = ctx.terms
    lines: list[CoverLine | None] = [
        CoverLine(ctx.tool.title, label_style="cover_title"),
        CoverLine(MARKING, "This form holds sensitive information about a child. Keep it on secure systems and "
                  "return it only by the route below.", style="note", label_style="marking"),
        None, CoverLine("This audit", label_style="subtitle"), CoverLine("Audit", t.title)]
    for label, value in (("Purpose", t.purpose), ("Outcomes focus", t.outcomes_focus), ("Scope", t.scope)):
        if value:
            lines.append(CoverLine(label, value))
    if ctx.whole_sections:
        lines.append(CoverLine("Focused audit", f"This form asks about {len(ctx.tool.sections)} of the tool's "
                               f"{ctx.whole_sections} sections, chosen for this audit; the others are left out on "
                               "purpose."))
    if t.period_from and t.period_to:
        lines.append(CoverLine("Case work audited", f"{t.period_from:%d %B %Y} to {t.period_to:%d %B %Y}"))
    lines.append(CoverLine("Return by", f"{t.deadline:%A %d %B %Y}" if t.deadline
                           else "As agreed with the audit coordinator"))
    coord = t.coordinator + (f" ({t.coordinator_email})" if t.coordinator_email else "")
    lines += [CoverLine("Audit coordinator", coord or "See the covering email"),
              CoverLine("Case reference", ctx.case.case_ref), CoverLine("Your agency", ctx.assignment.agency),
              None, CoverLine("How to fill in this form", label_style="subtitle")]
    lines += [CoverLine(f"Step {i}", step) for i, step in enumerate(_steps(ctx, layout.sheet), start=1)]
    lines += [None, CoverLine("How to return it", label_style="subtitle"),
              CoverLine("Save", "Save the file in Excel format (.xlsx) and keep its name. Excel Online and "
                                "LibreOffice are fine: choose 'Keep current format' if asked."),
              CoverLine("Send", f"Email it to {t.coordinator_email or 'the audit coordinator'} by secure email"
                                + (f" by {t.deadline:%d %B %Y}." if t.deadline else "."))]
    if ctx.scale is not None:
        lines += [None, CoverLine("Grades", label_style="subtitle"),
                  CoverLine("Grade", "What it means", style="th", label_style="th")]
        lines += [CoverLine(g.label, g.descriptor, style="td", label_style="label") for g in ctx.scale.grades]
    return lines


def _steps(ctx: FormContext, sheet: str) -> list[str]:
    steps = [
        f"Open the '{sheet}' sheet. Type in the yellow boxes with a dark border only; everything else is locked.",
        ("Read the record of this case held by your agency for the period above. Audit only cases you have "
         "not managed or worked on, and confirm that in the closing questions."),
        ("For each section, choose a grade from the dropdown, then write the evidence for it: what you found "
         "in the record, with dates. Add strengths, areas for development and any action for your agency."),
        ("If what you write is longer than its box, make the row taller (double-click or drag the line below "
         "the row number) so that all of it shows and prints."),
        ("The Progress line at the top of the sheet and the status beside each section show what is still "
         "to do."),
        "Never write the name of the child or of family members: use the case reference.",
        ("If the child is not adequately safeguarded now, tell the practitioner's manager today and record "
         "what you did in the closing questions."),
    ]
    if ctx.tool.kind == "views":  # no sections, grades or closing questions: the steps of this form only
        steps[1] = ("Talk with the child and family about the help they have had in the period above, in the way "
                    "that suits them, and record who you spoke to, when and how.")
        steps[2] = ("Record what the child and family told you, in their words where they agreed. "
                    "Choose answers from the dropdowns.")
        steps[4] = "The Progress line at the top of the sheet shows how many required answers are still to give."
        steps[6] = ("If anything said makes you worried about the child's safety now, follow your safeguarding "
                    "procedures today and tell the audit coordinator.")
    return steps


def _write_cover(ws: Worksheet, fmt: dict, ctx: FormContext, layout: FormLayout) -> None:
    ws.set_column(0, 0, COVER_LABEL_WIDTH)
    ws.set_column(1, 1, VALUE_WIDTH)
    ws.hide_gridlines(2)
    lines = cover_lines(ctx, layout)
    for r, line in enumerate(lines):
        if line is None:
            continue
        ws.set_row(r, line.height)
        ws.write_string(r, 0, line.label, fmt[line.label_style])
        if isinstance(line.value, date):
            ws.write_datetime(r, 1, datetime.combine(line.value, datetime.min.time()), fmt["info_date"])
        elif line.value != "":
            ws.write_string(r, 1, str(line.value)[:CELL_TEXT_LIMIT], fmt[line.style])
    _page_setup(ws, ctx, 0)
    ws.print_area(0, 0, len(lines) - 1, 1)


def _validation(cell: InputCell, scale: GradeScale | None) -> dict | None:
    title = cell.label[:32]
    if cell.type in ("grade", "choice"):
        options = ""
        if cell.type == "grade" and scale is not None:
            options = "Choose: " + ", ".join(scale.labels) + "."
        message = cell.help or options or "Choose from the list."
        return {"validate": "list", "source": f"={cell.list_name}", "input_title": title,
                "input_message": message[:INPUT_MESSAGE_LIMIT], "error_title": "Choose from the list",
                "error_message": ("Please choose one of the values in the dropdown list. "
                                  + (options or ""))[:INPUT_MESSAGE_LIMIT], "error_type": "stop"}
    if cell.type == "date":
        return {"validate": "date", "criteria": "between", "minimum": datetime(1990, 1, 1),
                "maximum": datetime(2100, 12, 31), "input_title": title,
                "input_message": (cell.help or "Enter a date, for example 14/03/2026.")[:INPUT_MESSAGE_LIMIT],
                "error_title": "Not a date", "error_message": "Enter a date, for example 14/03/2026.",
                "error_type": "stop"}
    if cell.type == "whole_number":
        lo, hi = cell.minimum if cell.minimum is not None else 0, cell.maximum if cell.maximum is not None else 999
        return {"validate": "integer", "criteria": "between", "minimum": lo, "maximum": hi, "input_title": title,
                "input_message": (cell.help or f"Enter a whole number from {lo} to {hi}.")[:INPUT_MESSAGE_LIMIT],
                "error_title": "Not a whole number", "error_message": f"Enter a whole number from {lo} to {hi}.",
                "error_type": "stop"}
    if cell.help:
        return {"validate": "any", "input_title": title, "input_message": cell.help[:INPUT_MESSAGE_LIMIT]}
    return None


def _write_main(ws: Worksheet, fmt: dict, ctx: FormContext, layout: FormLayout) -> None:
    ws.set_column(LABEL_COL, LABEL_COL, LABEL_WIDTH)
    ws.set_column(VALUE_COL, VALUE_COL, VALUE_WIDTH)
    ws.set_column(STATUS_COL, STATUS_COL, STATUS_WIDTH)
    ws.hide_gridlines(2)
    grade_cells: list[str] = []
    last = 0
    for row in layout.rows:
        r = last = row.row
        ws.set_row(r, row.height)
        if row.style == "title":
            ws.write_string(r, LABEL_COL, row.label, fmt["title"])
            ws.write_string(r, VALUE_COL, str(row.value), fmt["subtitle"])
        elif row.style == "note":
            ws.write_string(r, LABEL_COL, row.label, fmt["marking"])
            ws.write_string(r, VALUE_COL, str(row.value), fmt["note"])
        elif row.style == "status":
            ws.write_string(r, LABEL_COL, row.label, fmt["label"])
            ws.write_formula(r, VALUE_COL, row.status_formula or '""', fmt["status"], row.status_value)
        elif row.style == "heading":
            one_line = heading_on_one_line(row.label)
            ws.write_string(r, LABEL_COL, row.label, fmt["heading_line" if one_line else "heading"])
            ws.write_blank(r, VALUE_COL, None, fmt["heading"])
            if row.status_formula:
                ws.write_formula(r, STATUS_COL, row.status_formula, fmt["heading_status"], row.status_value)
        elif row.style in ("info", "prompt"):
            ws.write_string(r, LABEL_COL, row.label, fmt["label"])
            value = row.value
            if isinstance(value, date):
                ws.write_datetime(r, VALUE_COL, datetime.combine(value, datetime.min.time()), fmt["info_date"])
            else:
                ws.write_string(r, VALUE_COL, "" if value is None else str(value), fmt[row.style])
        elif row.style == "label" and row.input is not None:
            _write_input(ws, fmt, ctx, row.row, row.label, row.input)
            if row.input.type == "grade":
                grade_cells.append(row.input.cell)
    _grade_colours(ws, fmt, ctx.scale, grade_cells)
    status_done = _fill_format(fmt, "#E2F0D9", False)
    ws.conditional_format(0, STATUS_COL, last, STATUS_COL,
                          {"type": "text", "criteria": "begins with", "value": "To do", "format":
                           _fill_format(fmt, "#FCE4D6", False)})
    ws.conditional_format(0, STATUS_COL, last, STATUS_COL,
                          {"type": "text", "criteria": "begins with", "value": "Complete", "format": status_done})
    ws.freeze_panes(3, 0)
    _page_setup(ws, ctx, REPEAT_ROWS)
    ws.set_h_pagebreaks(layout.page_breaks)
    ws.print_area(0, 0, last, STATUS_COL)
    first_input = layout.inputs[0] if layout.inputs else None
    if first_input is not None:
        ws.set_selection(first_input.row, first_input.col, first_input.row, first_input.col)


def _write_input(ws: Worksheet, fmt: dict, ctx: FormContext, r: int, label: str, cell: InputCell) -> None:
    """A question's label and its input cell, with its dropdown or check."""
    short = cell.type != "long_text"  # one line: label and answer centred in a row tall enough to click
    ws.write_string(r, LABEL_COL, label, fmt["label_mid" if short else "label"])
    style = "input_date" if cell.type == "date" else "input_mid" if short else "input"
    ws.write_blank(r, VALUE_COL, None, fmt[style])
    rule = _validation(cell, ctx.scale)
    if rule:
        ws.data_validation(r, VALUE_COL, r, VALUE_COL, rule)


def _grade_colours(ws: Worksheet, fmt: dict, scale: GradeScale | None, grade_cells: list[str]) -> None:
    """Each grade coloured as it is chosen (the grade's words stay in the cell)."""
    if scale is None or not grade_cells:
        return
    rng = " ".join(grade_cells)
    for g in scale.grades:
        style = _fill_format(fmt, g.colour, g.rank in (1, 4))
        ws.conditional_format(grade_cells[0], {"type": "cell", "criteria": "==", "value": f'"{g.label}"',
                                               "format": style, "multi_range": rng})


def _fill_format(fmt: dict, colour: str, dark: bool) -> object:
    """One conditional format per colour, shared across the workbook."""
    key = f"cf:{colour}:{dark}"
    if key not in fmt:
        wb = fmt["__wb__"]
        fmt[key] = wb.add_format({"bg_color": colour, "font_color": "#FFFFFF" if dark else "#000000",
                                  "bold": dark})
    return fmt[key]


def _write_meta(ws: Worksheet, ctx: FormContext, layout: FormLayout, fp: str) -> None:
    a = ctx.assignment
    pairs = [
        ("schema", FORM_SCHEMA),
        ("layout_version", LAYOUT_VERSION),
        ("form_id", ctx.form_id),
        ("audit_id", ctx.audit_id),
        ("kind", ctx.tool.kind),
        ("case_ref", ctx.case.case_ref),
        ("agency", a.agency),
        ("auditor", a.auditor),
        ("tool_id", ctx.tool.id),
        ("tool_version", ctx.tool.version),
        ("scale_id", ctx.scale.id if ctx.scale else ""),
        ("sheet", layout.sheet),
        ("fingerprint", fp),
    ]
    r = 0
    for k, v in pairs:
        ws.write_string(r, 0, k)
        ws.write_string(r, 1, str(v))
        r += 1
    r += 1
    ws.write_row(r, 0, ["input", "sheet", "cell", "type", "label", "required"])
    r += 1
    for cell in layout.inputs:
        ws.write_row(r, 0, [cell.key, cell.sheet, cell.cell, cell.type, cell.label, "yes" if cell.required else "no"])
        r += 1
    r += 1
    ws.write_row(r, 0, ["locked", "sheet", "cell", "text"])
    r += 1
    for locked, text in layout.locked_cells:
        ws.write_string(r, 0, "locked")
        ws.write_string(r, 1, layout.sheet)
        ws.write_string(r, 2, locked)
        ws.write_string(r, 3, text)
        r += 1


# --------------------------------------------------------------------------
# Fast path: one template per tool, per-form values substituted


_TOKEN = "@@XLPK{}@@"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_text(value: str) -> bytes:
    value = _CONTROL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode("utf-8")


class FormTemplate:
    """All forms of one tool in one audit, rendered once with placeholders.

    Every per-form value (case, agency, auditor, case details, form id,
    fingerprint) is a unique token in the template's XML; ``render``
    substitutes the XML-escaped values and zips the parts again. The
    result holds the same cells, formats, validations and protection as
    :func:`render_form` (a test compares the two), about ten times faster.
    """

    def __init__(self, ctx: FormContext, *, password: str = ""):
        self.password = password
        self.field_ids = sorted(ctx.case.fields)
        self._token_ctx = self._tokens(ctx)
        layout = build_layout(self._token_ctx)
        self._shape = _print_shape(self._token_ctx, layout)
        content = _render(self._token_ctx, layout, password, _TOKEN.format("fingerprint"))
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            self._parts = [(info, zf.read(info)) for info in zf.infolist()]
        self._needle = b"@@XLPK"

    @staticmethod
    def key(ctx: FormContext, password: str = "") -> tuple:
        """Forms with the same key can share one template."""
        return (ctx.tool.model_dump_json(), ctx.scale.model_dump_json() if ctx.scale else "",
                ctx.terms.model_dump_json(), ctx.audit_id, tuple(sorted(ctx.case.fields)),
                tuple(sorted(ctx.case_field_labels.items())), ctx.whole_sections, password)

    def _tokens(self, ctx: FormContext) -> FormContext:
        t = _TOKEN.format
        case = ctx.case.model_copy(update={"case_ref": t("case_ref"), "category": t("category"),
                                           "fields": {k: t("f_" + k) for k in self.field_ids}})
        a = ctx.assignment.model_copy(update={"case_ref": t("case_ref"), "agency": t("agency"),
                                              "auditor": t("auditor"), "role": t("role")})
        return FormContext(form_id=t("form_id"), audit_id=ctx.audit_id, tool=ctx.tool, scale=ctx.scale,
                           terms=ctx.terms, case=case, assignment=a, case_field_labels=ctx.case_field_labels)

    def _values(self, ctx: FormContext, fp: str) -> dict[str, str]:
        a, c = ctx.assignment, ctx.case
        values = {"case_ref": c.case_ref, "category": c.category or ctx.tool.category, "agency": a.agency,
                  "auditor": a.auditor, "role": a.role, "form_id": ctx.form_id,
                  "fingerprint": fp}
        for k in self.field_ids:
            values["f_" + k] = c.fields.get(k, "")
        return values

    def render(self, ctx: FormContext) -> RenderedForm:
        layout = build_layout(ctx)
        if sorted(ctx.case.fields) != self.field_ids or _print_shape(ctx, layout) != self._shape:
            return render_form(ctx, password=self.password)  # e.g. a value long enough to need a taller row
        fp = layout.fingerprint()
        values = self._values(ctx, fp)
        # Shown values: empty locked details read "Not recorded", as build_layout shows them.
        shown = {k: (v if v else NOT_RECORDED) for k, v in values.items()}
        subs = [(_TOKEN.format(k).encode(), _xml_text(shown[k])) for k in values]
        hf = [(_TOKEN.format(k).encode(), _xml_text(_hf_escape(shown[k]))) for k in ("case_ref", "agency")]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            for info, data in self._parts:
                if self._needle in data:
                    if b"<oddFooter>" in data:
                        data = _sub_footer(data, hf)
                    for token, value in subs:
                        data = data.replace(token, value)
                out.writestr(info, data)
        return RenderedForm(buf.getvalue(), layout, fp)


def _print_shape(ctx: FormContext, layout: FormLayout) -> tuple:
    """Row heights and page breaks: a form can use the template only where its values give the same."""
    cover = tuple(line.height if line else None for line in cover_lines(ctx, layout))
    return cover, tuple(r.height for r in layout.rows), tuple(layout.page_breaks)


def _sub_footer(data: bytes, subs: list[tuple[bytes, bytes]]) -> bytes:
    """Header and footer text doubles '&'; substitute there first."""
    start = data.find(b"<headerFooter")
    end = data.find(b"</headerFooter>")
    if start < 0 or end < 0:
        return data
    part = data[start:end]
    for token, value in subs:
        part = part.replace(token, value)
    return data[:start] + part + data[end:]
