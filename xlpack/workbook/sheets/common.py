"""Names, columns and helpers the analysis sheets share with the reader."""

from __future__ import annotations

from collections.abc import Sequence

from xlpack.coordinator.sheet_writing import HEADER_ROW
from xlpack.workbook.sheet_model import Column

RETURNS, RETURN_TOTALS, PROBLEMS, FLAGS, GRID, GRADES, PIVOTS, CHARTS, AGREEMENT, EVIDENCE, ANSWERS, VIEWS, \
    ACTIONS, ORPHANED = ("Returns", "Return totals", "Problems", "Flags", "Case grid", "Grades", "Pivots", "Charts",
                         "Agreement", "Evidence", "Form answers", "Views", "Action plan", "Orphaned")
THEMES = "Themes"
#: Every sheet consolidate writes, in workbook order.
ANALYSIS_SHEETS = (RETURNS, RETURN_TOTALS, PROBLEMS, FLAGS, GRID, GRADES, PIVOTS, CHARTS, AGREEMENT, EVIDENCE,
                   THEMES, ANSWERS, VIEWS, ACTIONS, ORPHANED)
#: Sheets whose table belongs to the coordinator once written: kept row by row, never checked against digests.
COORDINATOR_SHEETS = (ACTIONS,)
TABLE_ROW = HEADER_ROW  # the header row of each sheet's main table

#: (record field, column header, width): the main table of each sheet, as written and as read back.
Spec = tuple[tuple[str, str, float], ...]

RETURN_COLUMNS: Spec = (
    ("case_ref", "Case reference", 15), ("kind", "Form", 8), ("agency", "Agency", 20), ("auditor", "Auditor", 18),
    ("email", "Email", 28), ("status", "Status", 13), ("detail", "Detail", 42), ("saved_at", "Saved", 16),
    ("source", "Returned file", 70), ("file", "Issued file", 36), ("form_id", "Form id", 38),
    ("sha256", "File SHA-256", 20))
#: Columns of the Returns table kept for xlpack (grouped and hidden; read back).
RETURN_TECHNICAL = ("file", "form_id", "sha256")
#: Returns columns a workbook consolidated by an earlier xlpack may lack (read as empty).
RETURN_OPTIONAL = ("sha256",)
PROBLEM_COLUMNS: Spec = (
    ("severity", "Severity", 11), ("case_ref", "Case reference", 14), ("source", "Returned file", 30),
    ("sheet", "Sheet", 8), ("cell", "Cell", 7), ("code", "Code", 18), ("message", "What was found", 48),
    ("fix", "What to do", 40), ("agency", "Agency", 20), ("auditor", "Auditor", 18), ("status", "File status", 13),
    ("form_id", "Form id", 38))
PROBLEMS_PRINTED = 8  # Severity to What to do
#: The printed columns (Case reference to Evidence) print one landscape page wide at 70% or more; the others are
#: wide, so that the rows' height is what the printed texts need (a long file path made rows a line taller).
GRADE_COLUMNS: Spec = (
    ("case_ref", "Case reference", 12), ("agency", "Agency", 18), ("auditor", "Auditor", 15), ("tool_id", "Tool", 5),
    ("section_order", "No.", 5), ("section_title", "Section", 25), ("grade", "Grade", 12),
    ("moderated_grade", "Moderated grade", 13), ("moderation_note", "Moderation note", 21),
    ("moderation_meeting", "Meeting", 11),
    ("evidence", "Evidence", 46), ("strengths", "Strengths", 50), ("development", "Areas for development", 50),
    ("action", "Action", 60), ("source", "Source file", 80), ("row_id", "Row id", 20))
GRADES_PRINTED = 11  # Case reference to Evidence
#: Where the case's details (Category and the Cases sheet's columns) go in the Grades table: before this field.
GRADE_CASE_FIELDS_BEFORE = "source"
#: 'Where to look' is not printed: wide, so that the rows' height is what the printed texts need (at 40, its list of
#: forms and cells, in 9 points, made 25 of the demo's 48 rows taller than their printed text).
FLAG_COLUMNS: Spec = (
    ("severity", "Severity", 11), ("case_ref", "Case reference", 17), ("section", "Section", 20),
    ("rule", "Rule", 18), ("agencies", "Agencies", 22), ("message", "What was found", 52),
    ("resolution", "Resolution", 34), ("resolution_meeting", "Meeting", 11),
    ("cells", "Where to look", 80), ("flag_id", "Flag id", 14),
    ("section_id", "Section id", 12), ("rule_id", "Rule id", 12))
FLAGS_PRINTED = 8  # Severity to Meeting
#: Columns of the Flags table kept for xlpack (grouped and hidden; read back).
FLAG_TECHNICAL = ("section_id", "rule_id")
ANSWER_COLUMNS: Spec = (
    ("case_ref", "Case reference", 14), ("agency", "Agency", 20), ("auditor", "Auditor", 18),
    ("overall_grade", "Overall grade", 14), ("safeguarded_now", "Safeguarded now?", 13),
    ("safeguarding_action", "If not: what was done", 42), ("no_involvement", "No involvement declared", 18),
    ("tool_feedback", "Feedback on the tool", 42), ("form_id", "Form id", 38))
#: Printed to 'Section now' (the section id is xlpack's), one landscape page wide at 70% or more.
ACTION_COLUMNS: Spec = (
    ("action_id", "Action id", 9), ("section", "Section", 18), ("action", "Action", 30), ("owner", "Owner", 14),
    ("agency", "Agency", 15), ("by_when", "By when", 11), ("measure", "Measure of success", 26),
    ("status", "Status", 12), ("impact", "Evidence of impact", 22), ("review_date", "Review date", 11),
    ("concern", "Section now", 14), ("section_id", "Section id", 12))
ACTIONS_PRINTED = 11  # Action id to Section now
#: The Action plan columns the coordinator types in (all but the ids and 'Section now').
ACTION_EDITABLE = ("section", "action", "owner", "agency", "by_when", "measure", "status", "impact", "review_date")
ORPHAN_COLUMNS: Spec = (
    ("kind", "From sheet", 12), ("context", "Row", 50), ("column", "Column", 18), ("value", "What was typed", 50),
    ("since", "Row gone since", 18), ("key", "Row id or flag id", 40))

STATUS_LABELS = {"accepted": "Accepted", "accepted_with_warnings": "Accepted with warnings", "rejected": "Rejected",
                 "skipped": "Skipped", "superseded": "Superseded", "missing": "Not returned", "overdue": "Overdue"}
STATUS_STYLES = {"accepted": "status:ok", "accepted_with_warnings": "status:warn", "rejected": "status:bad",
                 "overdue": "status:bad", "missing": "status:wait", "superseded": "muted", "skipped": "muted"}
SEVERITY_LABELS = {"urgent": "Urgent", "high": "High", "medium": "Medium", "low": "Low"}
PROBLEM_SEVERITY_LABELS = {"error": "Error", "warning": "Warning", "info": "Information"}
PROBLEM_SEVERITY_STYLES = {"error": "status:bad", "warning": "status:warn", "info": "muted_wrap"}
ORPHAN_KINDS = {"grade": GRADES, "flag": FLAGS}
#: Columns a workbook written by an earlier xlpack may lack (read as empty): the meeting a moderation came from.
OPTIONAL_FIELDS = ("moderation_meeting", "resolution_meeting")
KIND_LABELS = {"audit": "Audit", "views": "Views"}


def columns(spec: Spec, *, editable: Sequence[str] = (), styles: dict[str, str] | None = None,
            technical: Sequence[str] = (), **extra: dict) -> list[Column]:
    """Columns of a table from its spec; ``editable`` fields get the input style, ``technical`` ones are grouped
    and hidden."""
    styles = styles or {}
    out = []
    for fld, header, width in spec:
        kw = dict(extra.get(fld, {}))
        if fld in technical:
            kw["technical"] = True
        if fld in editable:
            out.append(Column(header, width, style="editable", editable=True, **kw))
        else:
            out.append(Column(header, width, style=styles.get(fld, "wrap"), **kw))
    return out


def headers(spec: Spec) -> dict[str, str]:
    """field -> header."""
    return {fld: header for fld, header, _ in spec}
