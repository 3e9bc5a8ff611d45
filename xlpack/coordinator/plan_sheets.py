"""The coordinator's workbook: the audit plan in, everything else out.

``create_audit`` makes a new workbook; ``read_plan`` reads the plan the
coordinator typed; ``write_coordinator`` re-writes the whole workbook
(plan, issued forms and any extra sheets, such as the analysis that
consolidate adds) atomically, with a dated backup of the previous file.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.utility import quote_sheetname, xl_cell_to_rowcol, xl_range, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from xlpack.coordinator.mail_sheets import (
    GUIDE_HEADER,
    KIND_LABELS,
    LOG_COLUMNS,
    LOG_INTRO,
    MAIL_LOG,
    MESSAGE_HEADERS,
    MESSAGE_WIDTHS,
    MESSAGES,
    MESSAGES_INTRO,
    PARTS,
    log_from,
    log_rows,
    message_rows,
    messages_from,
)
from xlpack.coordinator.meetings_sheet import (
    MEETING_HEADERS,
    MEETING_WIDTHS,
    MEETINGS,
    MEETINGS_INTRO,
    meeting_rows,
    meetings_from,
)
from xlpack.coordinator.sample_sheet import SAMPLE, read_sample_sheet, write_sample_sheet
from xlpack.errors import PlanError, UsageError, WorkbookError
from xlpack.files.backups import Snapshot
from xlpack.files.text_fit import height_for, line_height, width_for
from xlpack.files.workbooks import SheetReader, cell_date, cell_text, replace_atomically
from xlpack.model.definitions import GradeScale, Question, ToolDefinition, load_definition, load_scale
from xlpack.model.plan import (
    CASE_REF_HELP,
    CASE_REF_PATTERN,
    DEFAULT_AGENCIES,
    MEETING_KINDS,
    Assignment,
    AuditPlan,
    Case,
    IssuedForm,
    TermsOfReference,
    default_period,
)

SCHEMA = "xlpack-audit/1"
START, TOR, CASES, ASSIGN, AGENCIES, ISSUED, LISTS, META = (
    "Start", "Terms of reference", "Cases", "Assignments", "Agencies", "Issued forms", "Lists", "xlpack_audit")
HEADER_ROW = 3  # 0-based row of table headers on the table sheets
FILTER_BUTTON = 2.5  # characters of a table's header cell that its filter button covers
#: On the Start sheet, below the steps: what survives xlpack rewriting the workbook.
REWRITE_NOTE = ("xlpack rewrites this workbook each time it runs. What you type in the tables and in the Moderated "
                "grade, Moderation note and Resolution columns is kept; a comment, a formula, a sheet of your own or "
                "a note typed elsewhere makes it stop and name the cell. Formatting xlpack sets (fills, colours, "
                "column widths, hidden rows and columns, filters) may be reset.")
MAX_PLAN_ROWS = 2000

#: Terms of reference rows: (field, label, kind, guidance).
TOR_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    ("title", "Audit title", "text", "A short name, used on every form and in the report."),
    ("purpose", "Purpose", "long_text", "Why this audit is being done and what it should establish."),
    ("outcomes_focus", "Outcomes focus", "long_text", "What difference for children the audit will judge."),
    ("scope", "Scope", "long_text", "Which cases, which agencies, which period; the rationale for the sample."),
    ("period_from", "Case work audited from", "date", "Start of the period of case work to audit."),
    ("period_to", "Case work audited to", "date", "End of the period (the last 12 months by default)."),
    ("deadline", "Return deadline", "date", "Date by which auditors return their forms."),
    ("coordinator", "Coordinator", "text", "Name of the audit coordinator."),
    ("coordinator_email", "Coordinator email", "text", "Where auditors return their forms."),
    ("participation_worker", "Participation worker", "text",
     "Name, if a participation worker will record the child's and family's views (one views form per case)."),
    ("participation_worker_email", "Participation worker email", "text", ""),
    ("returns_folder", "Returns folder", "text",
     ("Where returned forms are saved, for the Update button of the Excel add-in. Default: a 'returns' folder "
     "beside this workbook.")),
    ("views_min_age", "Youngest child quoted (age)", "text",
     "Views said to be a child's under this age (in years) are flagged for you to check. Blank: 4."),
)
CASE_HEADERS = ("Case reference", "Category")
ASSIGN_COLUMNS = (("case_ref", "Case reference", 18), ("agency", "Agency", 28), ("auditor", "Auditor name", 26),
                  ("email", "Auditor email", 32), ("role", "Auditor role", 28))
ISSUED_COLUMNS = (("form_id", "Form id", 38), ("file", "File", 50), ("kind", "Kind", 8),
                  ("case_ref", "Case reference", 16), ("agency", "Agency", 24), ("auditor", "Auditor", 22),
                  ("email", "Email", 28), ("role", "Role", 20), ("tool_id", "Tool", 8),
                  ("tool_version", "Tool version", 12), ("issued", "Issued", 12), ("fingerprint", "Fingerprint", 20),
                  ("sha256", "File SHA-256", 20))
#: Issued forms columns a workbook made by an earlier xlpack may lack (read as empty).
ISSUED_OPTIONAL = ("File SHA-256",)

#: How every cell a person types in looks, on the forms and the coordinator's sheets: a yellow fill that stays a
#: distinct grey in grey-scale print, and a dark medium border, so that colour is never the only signal.
INPUT_FILL = "#FFE994"
INPUT_BORDER: dict[str, Any] = {"border": 2, "border_color": "#595959"}

#: Extra sheets (e.g. the consolidated analysis) are written by callables of this shape.
SheetWriter = Callable[[xlsxwriter.Workbook, "Styles"], None]


class Styles(dict):
    """Named cell formats shared by every sheet of the coordinator workbook."""


def make_styles(wb: xlsxwriter.Workbook) -> Styles:
    base: dict[str, object] = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
    st = Styles()
    named: dict[str, dict[str, object]] = {
        "title": {"bold": True, "font_size": 16, "font_color": "#1F3864"},
        "subtitle": {"bold": True, "font_size": 12, "font_color": "#1F3864"},
        "marking": {"bold": True, "font_color": "#7F1D1D"},
        "text": {"text_wrap": True},
        "bold": {"bold": True, "text_wrap": True},
        "label": {"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True},
        "input": {"bg_color": INPUT_FILL, **INPUT_BORDER, "text_wrap": True},
        "input_date": {"bg_color": INPUT_FILL, **INPUT_BORDER, "num_format": "dd/mm/yyyy", "align": "left"},
        "title_wrap": {"bold": True, "font_size": 16, "font_color": "#1F3864", "text_wrap": True},
        "guide": {"italic": True, "font_color": "#595959", "text_wrap": True},
        "guide_line": {"italic": True, "font_color": "#595959"},
        "text_line": {},
        "date": {"num_format": "dd/mm/yyyy", "align": "left"},
        "wrap": {"text_wrap": True},
        "pct": {"num_format": "0%"},
        "int": {"num_format": "0"},
        "header": {"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF", "text_wrap": True},
    }
    for name, extra in named.items():
        st[name] = wb.add_format({**base, **extra})
    st["__wb__"] = wb
    return st


# --------------------------------------------------------------------------
# Creating


def create_audit(path: Path, tool: str | Path = "cp", *, title: str | None = None, scale: str | None = None,
                 today: date | None = None, plan: AuditPlan | None = None) -> AuditPlan:
    """Create a new coordinator workbook at ``path`` (refuses to overwrite one)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise UsageError(f"{path}: the coordinator workbook must be an .xlsx file.")
    if path.exists():
        raise UsageError(f"{path} already exists. Choose another name, or delete it first if you mean to start again.")
    if plan is None:
        definition = load_definition(tool)
        if definition.kind != "audit":
            raise UsageError(f"'{tool}' is a {definition.kind} form, not an audit tool.")
        grade_scale = load_scale(scale or definition.grade_scale or "ofsted-2009")
        start, end = default_period(today)
        plan = AuditPlan(
            audit_id=str(uuid.uuid4()), tool=definition, views=load_definition("views"), scale=grade_scale,
            terms=TermsOfReference(title=title or f"{definition.category} multi-agency case audit",
                                   period_from=start, period_to=end))
    write_coordinator(path, plan, keep_backup=False)
    return plan


# --------------------------------------------------------------------------
# Writing


def write_coordinator(path: Path, plan: AuditPlan, extra: Sequence[SheetWriter] = (), *,
                      keep_backup: bool = True, seen: Snapshot | None = None) -> Path | None:
    """Write the whole coordinator workbook; returns the backup of the previous one, if any.

    With ``seen`` (the workbook as the command read it), it refuses if the workbook was saved since.
    """

    def write(tmp: Path) -> None:
        render_coordinator(tmp, plan, extra)

    return replace_atomically(Path(path), write, keep_backup=keep_backup, seen=seen)


def render_coordinator(tmp: Path, plan: AuditPlan, extra: Sequence[SheetWriter] = ()) -> None:
    """Write the whole coordinator workbook to the new file ``tmp`` (no swap, no backup)."""
    wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False, "constant_memory": False})
    wb.set_properties({"title": plan.terms.title, "subject": "OFFICIAL-SENSITIVE",
                       "keywords": "OFFICIAL-SENSITIVE", "created": datetime(2000, 1, 1)})
    st = make_styles(wb)
    _start_sheet(wb, st, plan, bool(extra))
    _tor_sheet(wb, st, plan)
    _cases_sheet(wb, st, plan)
    _assign_sheet(wb, st, plan)
    _agencies_sheet(wb, st, plan)
    _issued_sheet(wb, st, plan)
    if plan.sample is not None:
        write_sample_sheet(wb, st, plan.sample)
    if plan.messages:  # the draft emails' wording and log, once xlpack mail or generate has written them
        _messages_sheet(wb, st, plan)
    if plan.mail_log:
        _mail_log_sheet(wb, st, plan)
    _meetings_sheet(wb, st, plan)
    owned = owned_texts(wb)  # before the extra sheets: the plan sheets' own words
    for writer in extra:
        writer(wb, st)
    _lists_sheet(wb, plan)
    _meta_sheet(wb, plan, owned)
    try:
        wb.close()
    except FileCreateError as exc:  # xlsxwriter wraps the OSError (a full disk, a read-only folder)
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, OSError):
            raise cause from None
        raise
    del st["__wb__"]  # streams keep the styles after this: not the closed workbook and all its cells


def page_setup(ws: Worksheet, landscape: bool = False) -> None:
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_header('&C&"Calibri,Bold"OFFICIAL-SENSITIVE')
    ws.set_footer("&L&A&RPage &P of &N")


def write_intro(ws: Worksheet, st: Styles, title: str, lines: Sequence[str], widths: Sequence[float]) -> None:
    """Sheet title in row 1 and up to two lines of guidance above a table at HEADER_ROW.

    A line that fits within the table's columns (``widths``) runs on unwrapped over the empty cells beside
    it (no merged cells: they trouble screen readers and sorting); a longer one wraps in the first column,
    in a row as tall as it needs.
    """
    ws.write_string(0, 0, title, st["title"])
    ws.set_row(0, line_height(16))
    for i, text in enumerate(lines[: HEADER_ROW - 1], start=1):
        italic = i > 1
        if width_for(text) <= sum(widths):
            ws.write_string(i, 0, text, st["guide_line" if italic else "text_line"])
        else:
            ws.write_string(i, 0, text, st["guide" if italic else "text"])
            ws.set_row(i, height_for([(text, widths[0])]))


def write_table(ws: Worksheet, st: Styles, name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]],
                widths: Sequence[float], *, first_row: int = HEADER_ROW, min_rows: int = 1,
                formats: dict[int, Any] | None = None, editable: bool = False) -> tuple[int, int]:
    """Write an Excel Table with text written as text (never as a formula). Returns (first, last) row.

    ``editable``: every body cell, empty rows included, looks like an input (fill and border). Rows are
    as tall as their wrapped text; the header row shows every label whole beside its filter button.
    """
    column_formats = formats or {}
    cell_formats = {c: column_formats.get(c, st["input"]) if editable else column_formats.get(c)
                    for c in range(len(headers))}
    wrapping = [c for c in range(len(widths)) if editable or c in column_formats]
    n = max(len(rows), min_rows)
    last = first_row + n
    add_table(ws, first_row, 0, last, len(headers) - 1, {
        "name": name, "style": "Table Style Medium 2",
        "columns": [{"header": h, "header_format": st["header"]} for h in headers]})
    for c, w in enumerate(widths):
        ws.set_column(c, c, w, column_formats.get(c))
    ws.set_row(first_row, height_for(zip(headers, [w - FILTER_BUTTON for w in widths]), bold=True))
    for r in range(first_row + 1, last + 1):
        row = rows[r - first_row - 1] if r - first_row - 1 < len(rows) else ()
        for c in range(len(headers)):
            value = row[c] if c < len(row) else None
            if value is None or value == "":
                if editable:
                    ws.write_blank(r, c, None, cell_formats[c])
                continue
            write_value(ws, r, c, value, cell_formats[c], st)
        height = height_for((str(row[c]), widths[c]) for c in wrapping if c < len(row) and isinstance(row[c], str))
        if height > line_height():
            ws.set_row(r, height)
    ws.freeze_panes(first_row + 1, 1)
    ws.repeat_rows(first_row)  # the header on every printed page
    return first_row, last


def fitted_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]], most: float = 60) -> list[float]:
    """Column widths that show every header (beside its filter button) and value on one line, up to ``most``."""
    out = []
    for c, header in enumerate(headers):
        texts = [str(r[c]) for r in rows if c < len(r) and r[c] not in (None, "")]
        out.append(min(most, max([width_for(header, bold=True) + FILTER_BUTTON, *(width_for(t) for t in texts)])))
    return out


def add_table(ws: Worksheet, first_row: int, first_col: int, last_row: int, last_col: int,
              options: dict[str, Any]) -> None:
    """``ws.add_table`` for a table whose cells are written separately, without xlsxwriter's index of its cells.

    xlsxwriter records every cell of a table's range (to refuse overlapping
    tables), well over 100 bytes a cell: a large audit's tables would hold
    tens of megabytes. The table is added over its header and first row,
    then widened to all its rows: the same table in the file.
    """
    plain = last_row <= first_row + 1 or options.get("total_row") or "data" in options or any(
        "formula" in c or "total_function" in c or "format" in c for c in options.get("columns", []))
    ws.add_table(first_row, first_col, last_row if plain else first_row + 1, last_col, options)
    if plain:
        return
    table = ws.tables[-1]
    assert {"range", "a_range"} <= set(table), "xlsxwriter's table record changed"
    table["range"] = table["a_range"] = xl_range(first_row, first_col, last_row, last_col)
    if "autofilter" in table:
        table["autofilter"] = table["a_range"]


def write_value(ws: Worksheet, r: int, c: int, value: Any, fmt: Any, st: Styles) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, datetime):
        ws.write_datetime(r, c, value, fmt or st["date"])
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime.combine(value, datetime.min.time()), fmt or st["date"])
    else:
        ws.write_string(r, c, str(value)[:32767], fmt)


START_WIDTHS = (4, 110)


def _start_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan, consolidated: bool) -> None:
    ws = wb.add_worksheet(START)
    ws.set_column(0, 0, START_WIDTHS[0])
    ws.set_column(1, 1, START_WIDTHS[1])
    ws.hide_gridlines(2)
    width = START_WIDTHS[1]

    def line(r: int, text: str, style: str, size: float = 11, bold: bool = False) -> None:
        ws.write_string(r, 1, text, st[style])
        ws.set_row(r, height_for([(text, width)], size, bold))

    line(0, plan.terms.title, "title_wrap", 16, True)
    line(1, "OFFICIAL-SENSITIVE: case references only, never children's names.", "marking", bold=True)
    line(2, f"Tool: {plan.tool.title} (version {plan.tool.version}); grades: {plan.scale.title}.", "text")
    steps = [
        f"Fill in the '{TOR}' sheet: purpose, outcomes focus, scope, period audited, deadline and your details.",
        (f"List the sampled cases on the '{CASES}' sheet (pseudonymised case references only, with their details), "
         "or draw them from a management-information extract: xlpack sample EXTRACT --audit <this file>."),
        (f"On '{ASSIGN}', add one row per case, agency and auditor (two auditors per agency where you can). "
         f"Edit the agency list on '{AGENCIES}' if needed."),
        ("Save and close this workbook, then run: xlpack generate <this file>. Forms appear in a 'forms' folder "
         f"beside it and are listed on '{ISSUED}'. Then xlpack mail <this file> drafts one email per auditor with "
         "their forms attached, for you to check and send (reminders and replies to rejected returns later)."),
        ("When forms come back, save them in a 'returns' folder beside this workbook and run: xlpack consolidate "
         "<this file> returns, or click Update from returns on the xlpack tab (the Excel add-in)."),
        ("Read each case side by side on the case grid, work through the flags, record moderated grades, agree the "
         "Action plan, then run: xlpack report <this file>, and xlpack feedback <this file> for the practitioners."),
    ]
    ws.write_string(4, 1, "What to do next", st["subtitle"])
    ws.set_row(4, line_height(12) + 6)
    for i, step in enumerate(steps, start=1):
        ws.write_string(4 + i, 0, f"{i}.", st["bold"])
        line(4 + i, step, "text")
    counts = (f"Now: {len(plan.cases)} case(s), {len(plan.assignments)} assignment(s), "
              f"{len(plan.issued)} form(s) issued." + (" Returns consolidated." if consolidated else ""))
    line(6 + len(steps), counts, "bold", bold=True)
    line(8 + len(steps), REWRITE_NOTE, "guide")
    page_setup(ws)
    ws.activate()


TOR_WIDTHS = (30, 70, 60)
LONG_TEXT_ROW = 60  # points: room for a few lines of purpose or scope


def _tor_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    ws = wb.add_worksheet(TOR)
    for c, w in enumerate(TOR_WIDTHS):
        ws.set_column(c, c, w)
    write_intro(ws, st, "Terms of reference", ["Fill in the yellow cells. These details appear on every form."],
                TOR_WIDTHS)
    ws.write_row(HEADER_ROW, 0, ["Field", "Value", "Guidance"], st["header"])
    terms = plan.terms.model_dump()
    for i, (key, label, kind, guide) in enumerate(TOR_FIELDS, start=HEADER_ROW + 1):
        ws.write_string(i, 0, label, st["label"])
        value = terms.get(key)
        if kind == "date":
            if value:
                ws.write_datetime(i, 1, datetime.combine(value, datetime.min.time()), st["input_date"])
            else:
                ws.write_blank(i, 1, None, st["input_date"])
            ws.data_validation(i, 1, i, 1, {"validate": "date", "criteria": "between",
                                            "minimum": datetime(1990, 1, 1), "maximum": datetime(2100, 12, 31),
                                            "input_title": label[:32], "input_message": guide[:255],
                                            "error_message": "Enter a date, for example 31/03/2026."})
        else:
            if value:
                ws.write_string(i, 1, str(value), st["input"])
            else:
                ws.write_blank(i, 1, None, st["input"])
            if guide:
                ws.data_validation(i, 1, i, 1, {"validate": "any", "input_title": label[:32],
                                                "input_message": guide[:255]})
        ws.write_string(i, 2, guide, st["guide"])
        text = "" if kind == "date" or not value else str(value)
        height = height_for([(label, TOR_WIDTHS[0]), (text, TOR_WIDTHS[1]), (guide, TOR_WIDTHS[2])])
        ws.set_row(i, max(height, LONG_TEXT_ROW if kind == "long_text" else 0))
    ws.freeze_panes(HEADER_ROW + 1, 0)
    page_setup(ws, landscape=True)


def _cases_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    ws = wb.add_worksheet(CASES)
    fields = plan.tool.case_fields
    headers = [*CASE_HEADERS, *(q.label for q in fields)]
    widths = [18, 20, *(max(14, min(30, len(q.label) + 2)) for q in fields)]
    write_intro(ws, st, "Cases in the sample", [
        CASE_REF_HELP, ("Type in the yellow cells; choose the details from the dropdowns. Add rows by typing "
                        "below the table.")], widths)
    rows = [[c.case_ref, c.category or plan.tool.category, *(c.fields.get(q.id, "") for q in fields)]
            for c in plan.cases]
    _, last = write_table(ws, st, "Cases", headers, rows, widths, min_rows=10, editable=True)
    end = max(last, HEADER_ROW + MAX_PLAN_ROWS)
    ws.data_validation(HEADER_ROW + 1, 0, end, 0, {
        "validate": "custom", "value": f'=AND(LEN(A{HEADER_ROW + 2})<=40,ISERROR(FIND(" ",A{HEADER_ROW + 2})))',
        "input_title": "Case reference", "input_message": CASE_REF_HELP[:255],
        "error_title": "Not a case reference", "error_message": CASE_REF_HELP[:255], "error_type": "stop"})
    for c, q in enumerate(fields, start=2):
        _question_validation(ws, HEADER_ROW + 1, end, c, q)
    page_setup(ws, landscape=True)


def _question_validation(ws: Worksheet, first: int, last: int, col: int, q: Question) -> None:
    if q.type == "choice":
        ws.data_validation(first, col, last, col, {
            "validate": "list", "source": f"={list_name(q.id)}", "input_title": q.label[:32],
            "input_message": (q.help or "Choose from the list.")[:255], "error_type": "stop",
            "error_message": "Choose one of the values in the list."})
    elif q.type == "whole_number":
        ws.data_validation(first, col, last, col, {
            "validate": "integer", "criteria": "between", "minimum": q.min or 0, "maximum": q.max or 999,
            "input_title": q.label[:32], "input_message": f"A whole number from {q.min or 0} to {q.max or 999}."})
    elif q.type == "date":
        ws.data_validation(first, col, last, col, {
            "validate": "date", "criteria": "between", "minimum": datetime(1990, 1, 1),
            "maximum": datetime(2100, 12, 31), "input_title": q.label[:32], "input_message": "Enter a date."})


def list_name(qid: str) -> str:
    return f"list_{qid}"


def _assign_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    ws = wb.add_worksheet(ASSIGN)
    widths = [c[2] for c in ASSIGN_COLUMNS]
    write_intro(ws, st, "Who audits which case", [
        "One row per case, agency and auditor, typed in the yellow cells. Two auditors from one agency: two rows.",
        "Auditors should have no line management of, or involvement in, the case they audit."], widths)
    rows = [[a.case_ref, a.agency, a.auditor, a.email, a.role] for a in plan.assignments]
    _, last = write_table(ws, st, "Assignments", [c[1] for c in ASSIGN_COLUMNS], rows, widths, min_rows=10,
                          editable=True)
    end = max(last, HEADER_ROW + MAX_PLAN_ROWS)
    case_last = HEADER_ROW + 1 + max(len(plan.cases), 10) + MAX_PLAN_ROWS
    ws.data_validation(HEADER_ROW + 1, 0, end, 0, {
        "validate": "list", "source": f"={quote_sheetname(CASES)}!$A${HEADER_ROW + 2}:$A${case_last}",
        "input_title": "Case reference", "input_message": "Choose a case from the Cases sheet.",
        "error_type": "warning", "error_message": "This case is not on the Cases sheet."})
    ws.data_validation(HEADER_ROW + 1, 1, end, 1, {
        "validate": "list", "source": f"={quote_sheetname(AGENCIES)}!$A${HEADER_ROW + 2}:$A${HEADER_ROW + 101}",
        "input_title": "Agency", "input_message": "Choose the agency (edit the list on the Agencies sheet).",
        "error_type": "warning", "error_message": "This agency is not on the Agencies sheet."})
    page_setup(ws, landscape=True)


def _agencies_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    ws = wb.add_worksheet(AGENCIES)
    intro = "Edit, add or remove agencies; the Assignments dropdown uses this list."
    widths = [max(50.0, width_for(intro))]
    write_intro(ws, st, "Agencies taking part", [intro], widths)
    write_table(ws, st, "Agencies", ["Agency"], [[a] for a in plan.agencies], widths, editable=True)
    page_setup(ws)


def _issued_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    ws = wb.add_worksheet(ISSUED)
    rows = [[getattr(f, key) for key, _, _ in ISSUED_COLUMNS] for f in plan.issued]
    headers = [c[1] for c in ISSUED_COLUMNS]
    widths = fitted_widths(headers, [[v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in r] for r in rows],
                           most=70)
    write_intro(ws, st, "Forms issued",
                ["Written by xlpack generate. Do not edit: intake checks returns against it."], widths)
    write_table(ws, st, "IssuedForms", headers, rows, widths)
    hidden = headers.index("Fingerprint")  # for intake's checks only: not shown, not printed
    ws.set_column(hidden, hidden, widths[hidden], None, {"hidden": True})
    page_setup(ws, landscape=True)


def _messages_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    """The wording of the draft emails (yellow, editable) with the placeholders each may use beside it."""
    ws = wb.add_worksheet(MESSAGES)
    write_intro(ws, st, "Wording of the draft emails", MESSAGES_INTRO, MESSAGE_WIDTHS)
    _, last = write_table(ws, st, "Messages", [*MESSAGE_HEADERS, GUIDE_HEADER], message_rows(plan), MESSAGE_WIDTHS,
                          formats={0: st["text"], 1: st["text"], 2: st["input"], 3: st["guide"]})
    for c, width in enumerate(MESSAGE_WIDTHS):  # the formats on the table's cells only, not on the whole column
        ws.set_column(c, c, width)
    for c, labels in ((0, list(KIND_LABELS.values())), (1, list(PARTS))):
        ws.data_validation(HEADER_ROW + 1, c, last + 20, c, {
            "validate": "list", "source": labels, "error_type": "stop",
            "error_message": "Choose one of: " + ", ".join(labels) + "."})
    ws.freeze_panes(HEADER_ROW + 1, 0)
    page_setup(ws, landscape=True)


def _mail_log_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    """What xlpack mail drafted: one row per form in each draft, oldest first."""
    ws = wb.add_worksheet(MAIL_LOG)
    widths = [w for _, _, w in LOG_COLUMNS]
    write_intro(ws, st, "Emails drafted", LOG_INTRO, widths)
    stamp = wb.add_format({"font_name": "Calibri", "font_size": 11, "valign": "top", "align": "left",
                           "num_format": "dd/mm/yyyy hh:mm"})
    write_table(ws, st, "MailLog", [h for _, h, _ in LOG_COLUMNS], log_rows(plan), widths, formats={0: stamp})
    page_setup(ws, landscape=True)


def _meetings_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    """The record of the audit's meetings, typed by the coordinator (yellow cells; see meetings_sheet)."""
    ws = wb.add_worksheet(MEETINGS)
    write_intro(ws, st, "The audit's meetings", MEETINGS_INTRO, MEETING_WIDTHS)
    _, last = write_table(ws, st, "Meetings", MEETING_HEADERS, meeting_rows(plan), MEETING_WIDTHS, min_rows=3,
                          formats={1: st["input_date"]}, editable=True)
    for c, width in enumerate(MEETING_WIDTHS):  # the date format on the table's cells only, not above the table
        ws.set_column(c, c, width)
    end = max(last, HEADER_ROW + 200)
    ws.data_validation(HEADER_ROW + 1, 1, end, 1, {
        "validate": "date", "criteria": "between", "minimum": datetime(1990, 1, 1),
        "maximum": datetime(2100, 12, 31), "input_title": "Date", "input_message": "The date of the meeting."})
    ws.data_validation(HEADER_ROW + 1, 2, end, 2, {
        "validate": "list", "source": list(MEETING_KINDS), "error_type": "stop",
        "error_message": "Choose one of: " + ", ".join(MEETING_KINDS) + "."})
    page_setup(ws, landscape=True)


def _lists_sheet(wb: xlsxwriter.Workbook, plan: AuditPlan) -> None:
    ws = wb.add_worksheet(LISTS)
    questions = [q for q in plan.tool.case_fields if q.type == "choice"]
    lists = [(list_name(q.id), list(q.choices or ())) for q in questions]
    lists.append(("list_grades", plan.scale.labels))
    for c, (name, items) in enumerate(lists):
        ws.write_string(0, c, name)
        for r, item in enumerate(items, start=1):
            ws.write_string(r, c, item)
        wb.define_name(name, f"={quote_sheetname(LISTS)}!{xl_rowcol_to_cell(1, c, True, True)}:"
                             f"{xl_rowcol_to_cell(max(1, len(items)), c, True, True)}")
    ws.hide()


def text_key(text: object) -> str:
    """A short key of a cell's text, the same however its spaces and line breaks were saved."""
    return hashlib.sha1(" ".join(str(text).split()).encode("utf-8")).hexdigest()[:10]


def owned_texts(wb: xlsxwriter.Workbook) -> list[str]:
    """Keys of the words xlpack wrote outside the tables' bodies of the sheets written so far.

    Kept in the hidden sheet, so a later run knows which cells beside the
    tables hold xlpack's own guidance (rewritten freely, even when a new
    version words it differently) and which were typed by the coordinator.
    """
    strings = {index: text for text, index in wb.str_table.string_table.items()}
    keys = set()
    for ws in wb.worksheets():
        bodies = [_range(t["range"]) for t in ws.tables]
        for r, cells in ws.table.items():
            for c, cell in cells.items():
                if type(cell).__name__ == "String" and not any(_in_body(r, c, b) for b in bodies):
                    keys.add(text_key(strings[cell.string]))
    return sorted(keys)


def _range(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.replace("$", "").partition(":")
    return (*xl_cell_to_rowcol(first), *xl_cell_to_rowcol(last or first))


def owned_keys(path: Path) -> set[str] | None:
    """The keys of xlpack's own words recorded in the workbook at ``path``; None if it predates the record."""
    meta = _meta(SheetReader(path))
    return set(meta["owned_texts"].split()) if "owned_texts" in meta else None


def _in_body(r: int, c: int, body: tuple[int, int, int, int]) -> bool:
    first_row, first_col, last_row, last_col = body
    return first_row < r <= last_row and first_col <= c <= last_col


def _meta_sheet(wb: xlsxwriter.Workbook, plan: AuditPlan, owned: Sequence[str] = ()) -> None:
    ws = wb.add_worksheet(META)
    pairs: list[tuple[str, str]] = [
        ("schema", SCHEMA), ("audit_id", plan.audit_id),
        ("tool", plan.tool.model_dump_json()), ("scale", plan.scale.model_dump_json()),
        ("views", plan.views.model_dump_json() if plan.views else ""),
        ("owned_texts", " ".join(owned)),
    ]
    for r, (key, value) in enumerate(pairs):
        # Long JSON is split over several cells of the row (32,767 characters each).
        chunks = [value[i:i + 30000] for i in range(0, len(value), 30000)] or [""]
        ws.write_string(r, 0, key)
        for c, chunk in enumerate(chunks, start=1):
            ws.write_string(r, c, chunk)
    ws.very_hidden()


# --------------------------------------------------------------------------
# Reading


@dataclass
class Table:
    """Rows of one table sheet, by header."""

    sheet: str
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (Excel row number, values by header)


def read_table(reader: SheetReader, sheet: str, required: Sequence[str]) -> Table:
    rows = reader.rows(sheet)
    for idx, row in enumerate(rows[:20]):
        texts = [cell_text(v).strip() for v in row]
        if required and required[0] in texts:
            headers = texts
            missing = [h for h in required if h not in headers]
            if missing:
                raise WorkbookError(f"{reader.path}, sheet '{sheet}': the column(s) {', '.join(missing)} are "
                                    f"missing from the header row {idx + 1}. Put the header(s) back as they were.")
            out = []
            for n, data in enumerate(rows[idx + 1:], start=idx + 2):
                values = {h: data[i] if i < len(data) else None for i, h in enumerate(headers) if h}
                if all(cell_text(v).strip() == "" for v in values.values()):
                    continue
                out.append((n, values))
            return Table(sheet, headers, out)
    raise WorkbookError(f"{reader.path}, sheet '{sheet}': no header row with '{required[0]}' was found in the "
                        "first 20 rows. Restore the table's header row.")


def _meta(reader: SheetReader) -> dict[str, str]:
    if not reader.has(META):
        raise WorkbookError(f"{reader.path} is not an xlpack coordinator workbook (its hidden '{META}' sheet is "
                            "missing). Create one with: xlpack init")
    out = {}
    for row in reader.rows(META):
        if row and row[0]:
            out[str(row[0])] = "".join(cell_text(v) for v in row[1:])
    if out.get("schema") != SCHEMA:
        raise WorkbookError(f"{reader.path}: unknown coordinator workbook schema '{out.get('schema')}'.")
    return out


def read_plan(path: Path, *, strict: bool = True) -> AuditPlan:
    """Read the plan the coordinator typed. With ``strict``, every problem found is raised at once."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"The coordinator workbook {path} does not exist.")
    reader = SheetReader(path)
    meta = _meta(reader)
    tool = ToolDefinition.model_validate_json(meta["tool"])
    scale = GradeScale.model_validate_json(meta["scale"])
    views = ToolDefinition.model_validate_json(meta["views"]) if meta.get("views") else None
    problems: list[str] = []

    # Terms of reference: label -> value
    terms_data: dict[str, Any] = {}
    by_label = {label: (key, kind) for key, label, kind, _ in TOR_FIELDS}
    for n, row in enumerate(reader.rows(TOR), start=1):
        if not row:
            continue
        label = cell_text(row[0]).strip()
        if label in by_label:
            key, kind = by_label[label]
            value = row[1] if len(row) > 1 else None
            if kind == "date":
                try:
                    terms_data[key] = cell_date(value)
                except ValueError:
                    problems.append(f"Sheet '{TOR}', cell B{n}: '{cell_text(value)}' is not a date. "
                                    "Enter a date such as 31/03/2026.")
            else:
                terms_data[key] = cell_text(value).strip()
    if terms_data.get("views_min_age") and not str(terms_data["views_min_age"]).isdigit():
        at = next(n for n, cells in enumerate(reader.rows(TOR), start=1) if cells and cell_text(cells[0]).strip() ==
                  "Youngest child quoted (age)")
        problems.append(f"Sheet '{TOR}', cell B{at}: '{terms_data['views_min_age']}' is not an age in whole "
                        "years. Enter a number such as 4, or leave it blank.")
        terms_data["views_min_age"] = ""
    terms = TermsOfReference(**terms_data)
    if terms.period_from and terms.period_to and terms.period_from > terms.period_to:
        problems.append(f"Sheet '{TOR}': the period audited starts after it ends.")

    agencies = [cell_text(v["Agency"]).strip() for _, v in read_table(reader, AGENCIES, ["Agency"]).rows]

    cases: list[Case] = []
    fields = tool.case_fields
    case_table = read_table(reader, CASES, [*CASE_HEADERS, *(q.label for q in fields)])
    seen: dict[str, int] = {}
    for n, values in case_table.rows:
        ref = cell_text(values["Case reference"]).strip()
        if not ref:
            problems.append(f"Sheet '{CASES}', row {n}: the case reference is empty.")
            continue
        if not CASE_REF_PATTERN.match(ref):
            problems.append(f"Sheet '{CASES}', cell A{n}: '{ref}' is not a valid case reference. {CASE_REF_HELP}")
            continue
        if ref.casefold() in seen:
            first = seen[ref.casefold()]
            problems.append(f"Sheet '{CASES}', cell A{n}: case {ref} is listed twice (first on row {first}).")
            continue
        seen[ref.casefold()] = n
        field_values: dict[str, str] = {}
        for col, q in enumerate(fields, start=2):
            text = cell_text(values.get(q.label)).strip()
            if q.type == "choice" and text and text not in (q.choices or ()):
                problems.append(f"Sheet '{CASES}', cell {xl_rowcol_to_cell(n - 1, col)}: '{text}' is not one of "
                                f"the choices for {q.label}: {', '.join(q.choices or ())}.")
            field_values[q.id] = text
        cases.append(Case(case_ref=ref, category=cell_text(values["Category"]).strip() or tool.category,
                          fields=field_values))

    assignments: list[Assignment] = []
    for n, values in read_table(reader, ASSIGN, [c[1] for c in ASSIGN_COLUMNS]).rows:
        a = {key: cell_text(values[label]).strip() for key, label, _ in ASSIGN_COLUMNS}
        missing = [label for key, label, _ in ASSIGN_COLUMNS[:3] if not a[key]]
        if missing:
            problems.append(f"Sheet '{ASSIGN}', row {n}: {', '.join(missing)} is empty.")
            continue
        if a["case_ref"].casefold() not in seen:
            problems.append(f"Sheet '{ASSIGN}', cell A{n}: case {a['case_ref']} is not on the Cases sheet.")
            continue
        assignments.append(Assignment(**a))

    issued: list[IssuedForm] = []
    for n, values in read_table(reader, ISSUED, [c[1] for c in ISSUED_COLUMNS if c[1] not in ISSUED_OPTIONAL]).rows:
        raw = {key: values.get(label) for key, label, _ in ISSUED_COLUMNS}
        try:
            entry: dict[str, Any] = {k: cell_text(v) for k, v in raw.items()}
            entry["issued"] = cell_date(raw["issued"])  # a blank or damaged date fails validation: reported below
            issued.append(IssuedForm(**entry))
        except (ValueError, TypeError) as exc:
            problems.append(f"Sheet '{ISSUED}', row {n}: this row has been changed and cannot be read ({exc}).")

    sample = read_sample_sheet(reader.rows(SAMPLE), problems) if reader.has(SAMPLE) else None
    messages = messages_from(read_table(reader, MESSAGES, MESSAGE_HEADERS).rows) if reader.has(MESSAGES) else []
    log = log_from(read_table(reader, MAIL_LOG, [h for _, h, _ in LOG_COLUMNS]).rows, problems) \
        if reader.has(MAIL_LOG) else []
    meetings = meetings_from(read_table(reader, MEETINGS, MEETING_HEADERS).rows, problems) \
        if reader.has(MEETINGS) else []
    if problems and strict:
        raise PlanError(path, problems)
    return AuditPlan(audit_id=meta["audit_id"], tool=tool, views=views, scale=scale, terms=terms,
                     agencies=agencies or list(DEFAULT_AGENCIES), cases=cases, assignments=assignments,
                     issued=issued, sample=sample, messages=messages, mail_log=log, meetings=meetings)
