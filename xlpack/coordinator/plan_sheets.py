"""The coordinator's workbook: the audit plan in, everything else out.

``create_audit`` makes a new workbook; ``read_plan`` reads the plan the
coordinator typed; ``write_coordinator`` re-writes the whole workbook
(plan, issued forms and any extra sheets, such as the analysis that
consolidate adds) atomically, with a dated backup of the previous file.
"""

from __future__ import annotations

import hashlib
import sys
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import quote_sheetname, xl_cell_to_rowcol, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from xlpack.coordinator.mail_sheets import (
    GUIDE_HEADER,
    KIND_LABELS,
    LOG_COLUMNS,
    LOG_INTRO,
    LOG_PRINTED,
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
from xlpack.coordinator.sheet_writing import (
    HEADER_ROW,
    SheetWriter,
    Styles,
    fitted_widths,
    make_styles,
    page_setup,
    write_intro,
    write_table,
)
from xlpack.errors import PlanError, UsageError, WorkbookError
from xlpack.files.backups import Snapshot
from xlpack.files.text_fit import height_for, line_height
from xlpack.files.workbooks import SheetReader, cell_date, cell_text, replace_atomically, require_coordinator
from xlpack.files.xlsx_writer import close_workbook, new_workbook
from xlpack.model.definitions import GradeScale, Question, ToolDefinition, load_definition, load_scale
from xlpack.model.focus import focus_tool, left_out, match_sections, parse_sections, sections_text
from xlpack.model.marking import MARKING
from xlpack.model.plan import (
    CASE_REF_HELP,
    CASE_REF_PATTERN,
    DEFAULT_AGENCIES,
    MEETING_KINDS,
    NAME,
    NOT_A_NAME,
    Assignment,
    AuditPlan,
    Case,
    IssuedForm,
    NameWord,
    SafeguardingLead,
    TermsOfReference,
    default_period,
)
from xlpack.wording import counted, noun

SCHEMA = "xlpack-audit/1"
START, TOR, CASES, ASSIGN, AGENCIES, ISSUED, LISTS, META = (
    "Start", "Terms of reference", "Cases", "Assignments", "Agencies", "Issued forms", "Lists", "xlpack_audit")
NAME_GUARD = "Name guard"
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
    ("sections", "Sections audited", "long_text",
     ("The tool's sections, one per line. For a focused audit, delete the lines of the sections not to audit "
      "before the forms are issued: the forms then ask only about the sections left, and the report says so.")),
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
    ("partnership", "Partnership", "text", "The safeguarding partnership the audit is for; named in the report."),
    ("why_now", "Why this audit now", "long_text",
     "What prompted the audit (a review, inspection, data, a previous audit); the report's context chapter."),
    ("reaudit_date", "Re-audit date", "date", "When the partnership will audit again; the action plan's review date."),
    ("dissemination", "Dissemination plan", "long_text",
     "How the findings will reach practitioners, managers and the board (briefings, newsletters, training)."),
    ("working_well_good", "Working well: Good or better at least (%)", "percent",
     "A section is working well when at least this share of its graded answers is Good or better (default 75) ..."),
    ("working_well_inadequate", "Working well: Inadequate under (%)", "percent",
     "... and less than this share is Inadequate (default 10)."),
    ("concern_good", "Causing concern: Good or better under (%)", "percent",
     "A section causes concern when less than this share is Good or better (default 50) ..."),
    ("concern_inadequate", "Causing concern: Inadequate at least (%)", "percent",
     "... or at least this share is Inadequate (default 20)."),
    ("min_group", "Smallest group reported (cases)", "whole_number",
     "No figure is given for a group of fewer cases than this, so no child can be recognised (default 3)."),
)
#: Terms of reference kinds typed as numbers (blank: the default).
TOR_NUMBERS = ("percent", "whole_number")
CASE_HEADERS = ("Case reference", "Category")
ASSIGN_COLUMNS = (("case_ref", "Case reference", 18), ("agency", "Agency", 28), ("auditor", "Auditor name", 26),
                  ("email", "Auditor email", 32), ("role", "Auditor role", 28), ("team", "Auditor team", 26))
#: Assignments columns a workbook made by an earlier xlpack may lack (read as empty).
ASSIGN_OPTIONAL = ("Auditor team",)
AGENCY_COLUMNS = (("Agency", 40), ("Safeguarding lead", 26), ("Safeguarding lead email", 32))
NAME_GUARD_COLUMNS = (("Word or phrase", 30), ("Treat as", 14), ("Note", 66))
NAME_GUARD_INTRO = (
    "Intake warns about likely names in free text; the report, feedback and emails show them as [name].",
    "Treat as Name: a name xlpack misses. Treat as Not a name: a place or team name it takes for one.")
#: (field, header, widest): the columns a person reads first, printed (one landscape page wide at 70% or more,
#: their text wrapped); xlpack's own after them, not printed (read back by header, in any order).
ISSUED_COLUMNS = (("file", "File", 40), ("kind", "Kind", 8), ("case_ref", "Case reference", 14),
                  ("agency", "Agency", 20), ("auditor", "Auditor", 18), ("email", "Email", 26), ("role", "Role", 18),
                  ("issued", "Issued", 11), ("tool_id", "Tool", 8), ("tool_version", "Tool version", 12),
                  ("form_id", "Form id", 38), ("fingerprint", "Fingerprint", 20), ("sha256", "File SHA-256", 70))
ISSUED_PRINTED = 8  # File to Issued
#: Issued forms columns a workbook made by an earlier xlpack may lack (read as empty).
ISSUED_OPTIONAL = ("File SHA-256",)
_ISSUED_UNIQUE = frozenset({"file", "fingerprint", "sha256"})  # not interned: no two forms share them

# --------------------------------------------------------------------------
# Creating


def create_audit(path: Path, tool: str | Path = "cp", *, title: str | None = None, scale: str | None = None,
                 today: date | None = None, plan: AuditPlan | None = None,
                 sections: Sequence[str] = ()) -> AuditPlan:
    """Create a new coordinator workbook at ``path`` (refuses to overwrite one).

    ``sections`` (ids or titles) makes it a focused audit of those sections only.
    """
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
    if sections:
        plan = focus_plan(plan, sections)
    write_coordinator(path, plan, keep_backup=False)
    return plan


def focus_plan(plan: AuditPlan, sections: Sequence[str]) -> AuditPlan:
    """``plan`` focused on the sections named (ids or titles); a name that is no section is refused."""
    whole = plan.definition
    ids, unknown = match_sections(sections, whole)
    if unknown or not ids:
        raise UsageError(f"{_list_names(unknown or list(sections))} not a section of the {whole.title}. Its "
                         f"sections (id: title) are: {'; '.join(f'{s.id}: {s.title}' for s in whole.sections)}.")
    tool = focus_tool(whole, ids)
    return plan.model_copy(update={"tool": tool, "whole_tool": whole if tool is not whole else None,
                                   "terms": plan.terms.model_copy(update={"sections": sections_text(tool)})})


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


def render_coordinator(tmp: Path, plan: AuditPlan, extra: Sequence[SheetWriter] = (), *,
                       only: Collection[str] | None = None) -> None:
    """Write the whole coordinator workbook to the new file ``tmp`` (no swap, no backup).

    With ``only``, just the plan sheets named and the ``extra`` sheets (no lists, no hidden plan sheet): a
    scratch workbook to take sheets from (:func:`xlpack.workbook.write.write_plan_sheets`).
    """
    wb = new_workbook(tmp, plan.terms.title, datetime(2000, 1, 1))
    st = make_styles(wb)
    sheets = [(START, lambda: _start_sheet(wb, st, plan, bool(extra))), (TOR, lambda: _tor_sheet(wb, st, plan)),
              (CASES, lambda: _cases_sheet(wb, st, plan)), (ASSIGN, lambda: _assign_sheet(wb, st, plan)),
              (AGENCIES, lambda: _agencies_sheet(wb, st, plan)), (ISSUED, lambda: _issued_sheet(wb, st, plan)),
              (NAME_GUARD, lambda: _name_guard_sheet(wb, st, plan))]
    if plan.sample is not None:
        sample = plan.sample
        sheets.append((SAMPLE, lambda: write_sample_sheet(wb, st, sample)))
    if plan.messages:  # the draft emails' wording and log, once xlpack mail or generate has written them
        sheets.append((MESSAGES, lambda: _messages_sheet(wb, st, plan)))
    if plan.mail_log:
        sheets.append((MAIL_LOG, lambda: _mail_log_sheet(wb, st, plan)))
    sheets.append((MEETINGS, lambda: _meetings_sheet(wb, st, plan)))
    for name, draw in sheets:
        if only is None or name in only:
            draw()
    if only is None:
        owned = owned_texts(wb)  # before the extra sheets: the plan sheets' own words
        for writer in extra:
            writer(wb, st)
        _lists_sheet(wb, plan)
        _meta_sheet(wb, plan, owned)
    else:
        for writer in extra:
            writer(wb, st)
    close_workbook(wb)  # a full disk or a read-only folder raises its OSError
    del st["__wb__"]  # streams keep the styles after this: not the closed workbook and all its cells


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
    line(1, f"{MARKING}: case references only, never children's names.", "marking", bold=True)
    line(2, f"Tool: {plan.tool.title} (version {plan.tool.version}); grades: {plan.scale.title}.", "text")
    steps = [
        f"Fill in the '{TOR}' sheet: purpose, outcomes focus, scope, period audited, deadline and your details.",
        (f"List the sampled cases on the '{CASES}' sheet (pseudonymised case references only, with their details), "
         "or draw them from a management-information extract: xlpack sample EXTRACT --audit <this file>."),
        (f"On '{ASSIGN}', add one row per case, agency and auditor (two auditors per agency where you can). "
         f"Edit the agency list on '{AGENCIES}' if needed, with each agency's safeguarding lead: a form saying a "
         "child may not be safe now drafts an alert to you and the lead at once."),
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
    counts = (f"Now: {counted(len(plan.cases), 'case')}, {counted(len(plan.assignments), 'assignment')}, "
              f"{counted(len(plan.issued), 'form')} issued." + (" Returns consolidated." if consolidated else ""))
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
    terms = plan.terms.model_dump() | {"sections": sections_text(plan.tool)}
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
        elif kind in TOR_NUMBERS:
            ws.write_number(i, 1, int(value or 0), st["input"])
            ws.data_validation(i, 1, i, 1, {"validate": "integer", "criteria": "between", "minimum":
                                            0 if kind == "percent" else 1, "maximum": 100 if kind == "percent"
                                            else 1000, "input_title": label[:32], "input_message": guide[:255],
                                            "error_message": "Enter a whole number."})
        else:
            if value:
                ws.write_string(i, 1, str(value), st["input"])
            else:
                ws.write_blank(i, 1, None, st["input"])
            if guide:
                ws.data_validation(i, 1, i, 1, {"validate": "any", "input_title": label[:32],
                                                "input_message": guide[:255]})
        guide += _left_out_note(plan) if key == "sections" else ""
        ws.write_string(i, 2, guide, st["guide"])
        text = "" if kind != "text" and kind != "long_text" or not value else str(value)
        height = height_for([(label, TOR_WIDTHS[0]), (text, TOR_WIDTHS[1]), (guide, TOR_WIDTHS[2])])
        ws.set_row(i, max(height, LONG_TEXT_ROW if kind == "long_text" else 0))
    ws.freeze_panes(HEADER_ROW + 1, 0)
    page_setup(ws, landscape=True)


def _left_out_note(plan: AuditPlan) -> str:
    """For a focused audit, the sections left out, so the coordinator can type one back."""
    out = left_out(plan.definition, plan.tool)
    return f" Left out of this audit (type a title back to add it): {'; '.join(out)}." if out else ""


def _cases_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    ws = wb.add_worksheet(CASES)
    fields = plan.tool.case_fields
    headers = [*CASE_HEADERS, *(q.label for q in fields)]
    # the labels wrap over two or three lines, so that the table prints one landscape page wide at 70% or more
    widths = [16, 14, *(max(11, min(16, len(q.label) // 3 + 6)) for q in fields)]  # headers wrap: 70% in print
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
    rows = [[getattr(a, key) for key, _, _ in ASSIGN_COLUMNS] for a in plan.assignments]
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
    intro = ["Edit, add or remove agencies; the Assignments dropdown uses this list.",
             "A safeguarding alert about a case goes to you and the agency's safeguarding lead."]
    widths = [w for _, w in AGENCY_COLUMNS]
    write_intro(ws, st, "Agencies taking part", intro, widths)
    rows = []
    for agency in plan.agencies:
        lead = plan.safeguarding_leads.get(agency)
        rows.append([agency, lead.name if lead else "", lead.email if lead else ""])
    write_table(ws, st, "Agencies", [h for h, _ in AGENCY_COLUMNS], rows, widths, editable=True)
    page_setup(ws, landscape=True)


def _name_guard_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    """The partnership's own names to catch and words never to take for a name (yellow, editable)."""
    ws = wb.add_worksheet(NAME_GUARD)
    widths = [w for _, w in NAME_GUARD_COLUMNS]
    write_intro(ws, st, "Names kept out of quotes", NAME_GUARD_INTRO, widths)
    rows = [[w.word, w.kind, w.note] for w in plan.name_words]
    _, last = write_table(ws, st, "NameGuard", [h for h, _ in NAME_GUARD_COLUMNS], rows, widths, min_rows=10,
                          editable=True)
    ws.data_validation(HEADER_ROW + 1, 1, max(last, HEADER_ROW + MAX_PLAN_ROWS), 1, {
        "validate": "list", "source": [NAME, NOT_A_NAME], "input_title": "Treat as",
        "input_message": "Name: always shown as [name]. Not a name: never taken for one (a place, a team).",
        "error_type": "stop", "error_message": f"Choose {NAME} or {NOT_A_NAME}."})
    page_setup(ws)


def _issued_sheet(wb: xlsxwriter.Workbook, st: Styles, plan: AuditPlan) -> None:
    ws = wb.add_worksheet(ISSUED)
    rows = [[getattr(f, key) for key, _, _ in ISSUED_COLUMNS] for f in plan.issued]
    headers = [c[1] for c in ISSUED_COLUMNS]
    shown = [[v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in r] for r in rows]
    widths = [min(most, w) for w, (_, _, most) in zip(fitted_widths(headers, shown, most=70), ISSUED_COLUMNS,
                                                       strict=True)]
    write_intro(ws, st, "Forms issued",
                ["Written by xlpack generate. Do not edit: intake checks returns against it."], widths)
    _, last = write_table(ws, st, "IssuedForms", headers, rows, widths,
                          formats={c: st["wrap"] for c in range(ISSUED_PRINTED) if headers[c] != "Issued"})
    hidden = headers.index("Fingerprint")  # for intake's checks only: not shown, not printed
    ws.set_column(hidden, hidden, widths[hidden], None, {"hidden": True})
    page_setup(ws, landscape=True)
    ws.print_area(0, 0, last, ISSUED_PRINTED - 1)


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
    _, last = write_table(ws, st, "MailLog", [h for _, h, _ in LOG_COLUMNS], log_rows(plan), widths,
                          formats={0: stamp, **{c: st["wrap"] for c in range(1, len(LOG_COLUMNS))}})
    page_setup(ws, landscape=True)
    ws.print_area(0, 0, last, LOG_PRINTED - 1)


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
        ("tool", plan.definition.model_dump_json()), ("scale", plan.scale.model_dump_json()),
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
                raise WorkbookError(f"{reader.path}, sheet '{sheet}': {noun(len(missing), 'the column', 'the columns')}"
                                    f" {', '.join(missing)} {noun(len(missing), 'is', 'are')} missing from the header "
                                    f"row {idx + 1}. Put {noun(len(missing), 'it', 'them')} back as "
                                    f"{noun(len(missing), 'it was', 'they were')}.")
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


def _tor_number(value: object, kind: str) -> int | str | None:
    """A percentage (75, "75%", or 0.75 from a cell formatted as a percentage) or a whole number; "" when blank,
    None when it is not one."""
    text = cell_text(value).strip().rstrip("%").strip()
    if not text:
        return ""
    try:
        number = float(text)
    except ValueError:
        return None
    if kind == "percent" and 0 < number < 1 and "%" not in cell_text(value):
        number *= 100
    low, high = (0, 100) if kind == "percent" else (1, 1000)
    if number != round(number) or not low <= number <= high:
        return None
    return int(round(number))


def read_plan(path: Path, *, strict: bool = True) -> AuditPlan:
    """Read the plan the coordinator typed. With ``strict``, every problem found is raised at once.

    One reader a sheet, each adding what it finds wrong (by sheet and cell) to one list of problems.
    """
    path = require_coordinator(path)
    reader = SheetReader(path)
    meta = _meta(reader)
    whole = ToolDefinition.model_validate_json(meta["tool"])
    scale = GradeScale.model_validate_json(meta["scale"])
    views = ToolDefinition.model_validate_json(meta["views"]) if meta.get("views") else None
    problems: list[str] = []
    terms, terms_rows = _read_terms(reader, problems)
    tool = _focused(whole, terms.sections, f"Sheet '{TOR}', cell B{terms_rows.get('sections', 0)}", problems)
    agencies, leads = _read_agencies(reader)
    cases = _read_cases(reader, tool, problems)
    assignments = _read_assignments(reader, {c.case_ref.casefold() for c in cases}, problems)
    issued = _read_issued(reader, problems)
    sample = read_sample_sheet(reader.rows(SAMPLE), problems) if reader.has(SAMPLE) else None
    messages = messages_from(read_table(reader, MESSAGES, MESSAGE_HEADERS).rows) if reader.has(MESSAGES) else []
    log = log_from(read_table(reader, MAIL_LOG, [h for _, h, _ in LOG_COLUMNS]).rows, problems) \
        if reader.has(MAIL_LOG) else []
    meetings = meetings_from(read_table(reader, MEETINGS, MEETING_HEADERS).rows, problems) \
        if reader.has(MEETINGS) else []
    words = _read_name_guard(reader, problems) if reader.has(NAME_GUARD) else []
    if problems and strict:
        raise PlanError(path, problems)
    return AuditPlan(audit_id=meta["audit_id"], tool=tool, whole_tool=whole if tool is not whole else None,
                     views=views, scale=scale, terms=terms,
                     agencies=agencies or list(DEFAULT_AGENCIES), safeguarding_leads=leads, cases=cases,
                     assignments=assignments, issued=issued, sample=sample, messages=messages, mail_log=log,
                     meetings=meetings, name_words=words)


def _read_agencies(reader: SheetReader) -> tuple[list[str], dict[str, SafeguardingLead]]:
    """The agencies, and the safeguarding lead of each that has one (columns an older workbook lacks: empty)."""
    agencies: list[str] = []
    leads: dict[str, SafeguardingLead] = {}
    for _, v in read_table(reader, AGENCIES, ["Agency"]).rows:
        agency = cell_text(v["Agency"]).strip()
        lead = SafeguardingLead(name=cell_text(v.get("Safeguarding lead")).strip(),
                                email=cell_text(v.get("Safeguarding lead email")).strip())
        if agency:
            agencies.append(agency)
        if agency and (lead.name or lead.email):
            leads[agency] = lead
    return agencies, leads


def _read_name_guard(reader: SheetReader, problems: list[str]) -> list[NameWord]:
    """The Name guard sheet's rows; a row without a word, or a 'Treat as' xlpack does not know, is a problem."""
    out = []
    kinds = {k.casefold(): k for k in (NAME, NOT_A_NAME)}
    for n, v in read_table(reader, NAME_GUARD, [h for h, _ in NAME_GUARD_COLUMNS]).rows:
        word, kind, note = (cell_text(v.get(h)).strip() for h, _ in NAME_GUARD_COLUMNS)
        if not word:
            problems.append(f"Sheet '{NAME_GUARD}', cell A{n}: the word or phrase is empty (Treat as: '{kind}'). "
                            "Type it, or clear the row.")
            continue
        if kind.casefold() not in kinds:
            problems.append(f"Sheet '{NAME_GUARD}', cell B{n}: '{kind}' is not one of {NAME}, {NOT_A_NAME}. Choose "
                            "from the dropdown.")
            continue
        out.append(NameWord(word=word, kind=kinds[kind.casefold()], note=note))
    return out

def _terms_value(key: str, kind: str, value: object, n: int, problems: list[str]) -> Any:
    """One Terms of reference answer as its field holds it; None (and a problem) when it cannot be read."""
    if kind == "date":
        try:
            return cell_date(value)
        except ValueError:
            problems.append(f"Sheet '{TOR}', cell B{n}: '{cell_text(value)}' is not a date. "
                            "Enter a date such as 31/03/2026.")
            return None
    if kind in TOR_NUMBERS:
        number = _tor_number(value, kind)
        if number is None:
            problems.append(f"Sheet '{TOR}', cell B{n}: '{cell_text(value)}' is not "
                            + ("a percentage from 0 to 100." if kind == "percent" else "a whole number of at least 1."))
        return number  # "" when blank: the default stays
    text = cell_text(value).strip()
    if key == "views_min_age" and text and not text.isdigit():
        problems.append(f"Sheet '{TOR}', cell B{n}: '{text}' is not an age in whole years. Enter a number such as "
                        "4, or leave it blank.")
        return ""
    return text


def _read_terms(reader: SheetReader, problems: list[str]) -> tuple[TermsOfReference, dict[str, int]]:
    """The Terms of reference (found by their labels in column A), and the row of each."""
    data: dict[str, Any] = {}
    rows: dict[str, int] = {}
    by_label = {label: (key, kind) for key, label, kind, _ in TOR_FIELDS}
    for n, row in enumerate(reader.rows(TOR), start=1):
        label = cell_text(row[0]).strip() if row else ""
        if label not in by_label:
            continue
        key, kind = by_label[label]
        rows[key] = n
        value = _terms_value(key, kind, row[1] if len(row) > 1 else None, n, problems)
        if value is not None and (value != "" or kind not in TOR_NUMBERS):
            data[key] = value
    terms = TermsOfReference(**data)
    if terms.period_from and terms.period_to and terms.period_from > terms.period_to:
        problems.append(f"Sheet '{TOR}': the period audited starts after it ends.")
    return terms, rows


def _read_cases(reader: SheetReader, tool: ToolDefinition, problems: list[str]) -> list[Case]:
    """The Cases sheet: each reference once and well formed, each choice one of its field's choices."""
    cases: list[Case] = []
    fields = tool.case_fields
    seen: dict[str, int] = {}
    for n, values in read_table(reader, CASES, [*CASE_HEADERS, *(q.label for q in fields)]).rows:
        ref = cell_text(values["Case reference"]).strip()
        if not ref:
            problems.append(f"Sheet '{CASES}', row {n}: the case reference is empty.")
            continue
        if not CASE_REF_PATTERN.match(ref):
            problems.append(f"Sheet '{CASES}', cell A{n}: '{ref}' is not a valid case reference. {CASE_REF_HELP}")
            continue
        if ref.casefold() in seen:
            problems.append(f"Sheet '{CASES}', cell A{n}: case {ref} is listed twice (first on row "
                            f"{seen[ref.casefold()]}).")
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
    return cases


def _read_assignments(reader: SheetReader, case_refs: set[str], problems: list[str]) -> list[Assignment]:
    """The Assignments sheet: case, agency and auditor given, the case on the Cases sheet."""
    out: list[Assignment] = []
    for n, values in read_table(reader, ASSIGN, [c[1] for c in ASSIGN_COLUMNS if c[1] not in ASSIGN_OPTIONAL]).rows:
        a = {key: cell_text(values.get(label)).strip() for key, label, _ in ASSIGN_COLUMNS}
        missing = [label for key, label, _ in ASSIGN_COLUMNS[:3] if not a[key]]
        if missing:
            problems.append(f"Sheet '{ASSIGN}', row {n}: {', '.join(missing)} is empty.")
            continue
        if a["case_ref"].casefold() not in case_refs:
            problems.append(f"Sheet '{ASSIGN}', cell A{n}: case {a['case_ref']} is not on the Cases sheet.")
            continue
        out.append(Assignment(**{k: sys.intern(v) for k, v in a.items()}))
    return out


def _read_issued(reader: SheetReader, problems: list[str]) -> list[IssuedForm]:
    """The Issued forms sheet, as generate wrote it; a row changed by hand is a problem.

    Held lightly (a row per form: tens of thousands on a large audit): the texts that repeat from row to row,
    and the form ids (which intake's records share), are interned, and each date is held once.
    """
    issued: list[IssuedForm] = []
    dates: dict[date | None, date | None] = {}
    for n, values in read_table(reader, ISSUED, [c[1] for c in ISSUED_COLUMNS if c[1] not in ISSUED_OPTIONAL]).rows:
        raw = {key: values.get(label) for key, label, _ in ISSUED_COLUMNS}
        try:
            entry: dict[str, Any] = {k: cell_text(v) if k in _ISSUED_UNIQUE else sys.intern(cell_text(v))
                                     for k, v in raw.items()}
            day = cell_date(raw["issued"])  # a blank or damaged date fails validation: reported below
            entry["issued"] = dates.setdefault(day, day)
            issued.append(IssuedForm(**entry))
        except (ValueError, TypeError) as exc:
            problems.append(f"Sheet '{ISSUED}', row {n}: this row has been changed and cannot be read ({exc}).")
    return issued



def _focused(whole: ToolDefinition, text: str, where: str, problems: list[str]) -> ToolDefinition:
    """The tool cut down to the sections the Terms of reference names (the whole tool when it names every one)."""
    ids, unknown = parse_sections(text, whole)
    if unknown:
        problems.append(f"{where}: {_list_names(unknown)} not a section of the {whole.title}. Its sections are: "
                        f"{'; '.join(s.title for s in whole.sections)}.")
    return focus_tool(whole, ids) if ids and len(ids) < len(whole.sections) else whole


def _list_names(names: Sequence[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return (quoted[0] + " is") if len(quoted) == 1 else (", ".join(quoted[:-1]) + f" and {quoted[-1]} are")
