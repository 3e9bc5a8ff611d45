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
    ("email", "Email", 30), ("status", "Status", 13), ("detail", "Detail", 44), ("saved_at", "Saved", 16),
    ("source", "Returned file", 40), ("file", "Issued file", 36), ("form_id", "Form id", 38),
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
GRADE_COLUMNS: Spec = (
    ("case_ref", "Case reference", 15), ("agency", "Agency", 20), ("auditor", "Auditor", 18), ("tool_id", "Tool", 6),
    ("section_order", "No.", 6), ("section_title", "Section", 26), ("grade", "Grade", 14),
    ("moderated_grade", "Moderated grade", 15), ("moderation_note", "Moderation note", 30),
    ("moderation_meeting", "Meeting", 16),
    ("evidence", "Evidence", 56), ("strengths", "Strengths", 40), ("development", "Areas for development", 40),
    ("action", "Action", 32), ("source", "Source file", 36), ("row_id", "Row id", 20))
GRADES_PRINTED = 11  # Case reference to Evidence
#: Where the case's details (Category and the Cases sheet's columns) go in the Grades table: before this field.
GRADE_CASE_FIELDS_BEFORE = "source"
FLAG_COLUMNS: Spec = (
    ("severity", "Severity", 10), ("case_ref", "Case reference", 14), ("section", "Section", 24),
    ("rule", "Rule", 22), ("agencies", "Agencies", 22), ("message", "What was found", 56),
    ("resolution", "Resolution", 36), ("resolution_meeting", "Meeting", 16),
    ("cells", "Where to look", 40), ("flag_id", "Flag id", 14),
    ("section_id", "Section id", 12), ("rule_id", "Rule id", 12))
FLAGS_PRINTED = 8  # Severity to Meeting
#: Columns of the Flags table kept for xlpack (grouped and hidden; read back).
FLAG_TECHNICAL = ("section_id", "rule_id")
ANSWER_COLUMNS: Spec = (
    ("case_ref", "Case reference", 16), ("agency", "Agency", 22), ("auditor", "Auditor", 20),
    ("overall_grade", "Overall grade", 14), ("safeguarded_now", "Safeguarded now?", 13),
    ("safeguarding_action", "If not: what was done", 44), ("no_involvement", "No involvement declared", 20),
    ("tool_feedback", "Feedback on the tool", 44), ("form_id", "Form id", 38))
ACTION_COLUMNS: Spec = (
    ("action_id", "Action id", 11), ("section", "Section", 24), ("action", "Action", 44), ("owner", "Owner", 20),
    ("agency", "Agency", 22), ("by_when", "By when", 12), ("measure", "Measure of success", 44),
    ("status", "Status", 13), ("impact", "Evidence of impact", 36), ("review_date", "Review date", 12),
    ("concern", "Section now", 20), ("section_id", "Section id", 12))
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
