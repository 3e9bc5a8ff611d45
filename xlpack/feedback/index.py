"""The feedback index (xlsxwriter): which document goes to whom.

One row per feedback document: the file, the case, the agency, the auditor
who completed the form and passes the feedback on (with the email from the
Assignments sheet), the urgent and high flags in it and the grades the
meeting changed. The last two columns are for the coordinator to record
who it went to and when. Marked OFFICIAL-SENSITIVE; prints on A4.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from xlpack.coordinator.sheet_writing import HEADER_ROW, make_styles, page_setup, write_table
from xlpack.feedback.model import FormFeedback
from xlpack.files.workbooks import replace_atomically
from xlpack.files.xlsx_writer import close_workbook, new_workbook
from xlpack.model.marking import MARKING
from xlpack.model.plan import AuditPlan

SHEET = "Feedback"
COLUMNS: tuple[tuple[str, float], ...] = (
    ("Document", 62), ("Case reference", 16), ("Agency", 24), ("Auditor (passes it on)", 22), ("Auditor's email", 30),
    ("Auditor's role", 18), ("Urgent or high flags", 11), ("Grades changed at moderation", 13),
    ("Sent to (practitioner and manager)", 32), ("Sent on", 12))


def write_index(plan: AuditPlan, items: Sequence[FormFeedback], out: Path, today: date) -> Path:
    """Write the index of the feedback documents to ``out``."""

    def write(tmp: Path) -> None:
        wb = new_workbook(tmp, f"Feedback index: {plan.terms.title}", datetime(today.year, today.month, today.day))
        st = make_styles(wb)
        ws = wb.add_worksheet(SHEET)
        ws.write_string(0, 0, f"Feedback to practitioners: {plan.terms.title}", st["title"])
        line = wb.add_format({"font_name": "Calibri", "font_size": 11})
        ws.write_string(1, 0, f"{MARKING}. One document per accepted audit form, written {today:%d/%m/%Y}: "
                        "send each to its auditor, who passes it to the practitioner who holds the case and their "
                        "manager.", line)
        ws.write_string(2, 0, "Urgent or high flags counts the flags at the top of each document: send those "
                        "documents first. Record whom each went to, and when, in the yellow cells.", line)
        rows = [[f.file_name, f.case_ref, f.agency, f.auditor, f.email or "not recorded", f.role or "",
                 f.act_first, f.moderated] for f in items]
        write_table(ws, st, "FeedbackIndex", [h for h, _ in COLUMNS], rows, [w for _, w in COLUMNS])
        ws.set_row(HEADER_ROW, 30)
        for r in range(HEADER_ROW + 1, HEADER_ROW + 1 + len(rows)):
            ws.write_blank(r, 8, None, st["input"])
            ws.write_blank(r, 9, None, st["input_date"])
        page_setup(ws, landscape=True)
        close_workbook(wb)

    replace_atomically(Path(out), write, keep_backup=False)
    return Path(out)
