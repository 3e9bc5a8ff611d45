"""The coordinator workbook's Meetings sheet: the record of the audit's meetings.

The guidance has the coordinator chair two meetings: a briefing of the
auditors before the forms go out, and a follow-up meeting after the returns
where grades may change, inconsistencies are cleared up and learning is drawn
out (with feedback on how the audit itself went). The coordinator types one
row per meeting: its name, date, kind, who attended (one person a line, "name,
agency"), decisions, learning points and feedback on the audit.

It is a plan sheet, like Messages and Mail log (:mod:`xlpack.coordinator.mail_sheets`):
:func:`~xlpack.coordinator.plan_sheets.write_coordinator` draws it from
:class:`~xlpack.model.plan.AuditPlan` and
:func:`~xlpack.coordinator.plan_sheets.read_plan` reads it back, so every
command that rewrites the workbook keeps it. This module says what the sheet
holds; plan_sheets draws it with the other plan sheets' table helpers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from xlpack.files.workbooks import cell_date, cell_text
from xlpack.model.plan import MEETING_KINDS, Attendee, AuditPlan, Meeting

MEETINGS = "Meetings"
#: (record field, header, width) of the Meetings table, in column order.
MEETING_COLUMNS = (("name", "Meeting", 22), ("held", "Date", 12), ("kind", "Kind", 12),
                   ("attended", "Attended (one a line: name, agency)", 36), ("decisions", "Decisions", 44),
                   ("learning", "Learning points", 44), ("feedback", "Feedback on how the audit went", 40))
MEETING_HEADERS = tuple(h for _, h, _ in MEETING_COLUMNS)
MEETING_WIDTHS = tuple(w for _, _, w in MEETING_COLUMNS)
MEETINGS_INTRO = (
    ("One row per meeting: the briefing before the forms go out, the follow-up meeting after the returns, any other. "
     "Type in the yellow cells; the report's method and learning chapters read them."),
    ("To say which meeting moderated a grade or resolved a flag, type its name in the Meeting column of the Grades "
     "or Flags sheet. Attendees: one person a line, 'name, agency'."))
Rows = Sequence[tuple[int, dict[str, Any]]]  # a table's rows as read: (Excel row number, value by header)
_SPLIT = re.compile(r"^(?P<name>.*?)\s*(?:\((?P<paren>[^()]*)\)|[,;]\s*(?P<agency>[^,;]*))\s*$")


def meeting_rows(plan: AuditPlan) -> list[list[Any]]:
    """The Meetings table's rows as the coordinator typed them."""
    return [[m.name, m.held, m.typed.get("kind") or m.kind,
             m.typed.get("attended") or "\n".join(attendee_line(a) for a in m.attended), m.decisions, m.learning,
             m.feedback] for m in plan.meetings]


def attendee_line(a: Attendee) -> str:
    return f"{a.name}, {a.agency}" if a.agency else a.name


def parse_attendees(text: str) -> list[Attendee]:
    """People typed one a line as "name, agency" (or "name (agency)"); a line without an agency is a name alone."""
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.strip().strip("•").strip()
        if not line:
            continue
        m = _SPLIT.match(line)
        if m and m.group("name"):
            agency = (m.group("paren") or m.group("agency") or "").strip()
            out.append(Attendee(name=m.group("name").strip(), agency=agency))
        else:
            out.append(Attendee(name=line))
    return out


def meetings_from(rows: Rows, problems: list[str]) -> list[Meeting]:
    """The meetings as typed; a date that is not a date, a kind not on the list or a name used twice is a problem
    naming its cell."""
    kinds = {k.casefold(): k for k in MEETING_KINDS}
    kinds.update({"follow up": "Follow-up", "followup": "Follow-up", "initial": "Briefing"})
    out: list[Meeting] = []
    names: dict[str, int] = {}
    for n, values in rows:
        raw = {f: values.get(h) for f, h, _ in MEETING_COLUMNS}
        try:
            held = cell_date(raw["held"])
        except ValueError:
            problems.append(f"{_where(n, 1)}: '{cell_text(raw['held'])}' is not a date. "
                            "Enter a date such as 20/11/2026.")
            continue
        kind_text = cell_text(raw["kind"]).strip()
        kind = kinds.get(kind_text.casefold()) if kind_text else "Other"
        if kind is None:
            problems.append(f"{_where(n, 2)}: '{kind_text}' is not a kind of meeting. Choose one of: "
                            f"{', '.join(MEETING_KINDS)}.")
            continue
        name = " ".join(cell_text(raw["name"]).split()) or default_name(kind, held)
        if name.casefold() in names:
            problems.append(f"{_where(n, 0)}: the meeting '{name}' is listed twice (first on row "
                            f"{names[name.casefold()]}). Give each meeting its own name.")
            continue
        names[name.casefold()] = n
        attended = cell_text(raw["attended"])
        out.append(Meeting(name=name, held=held, kind=kind,  # type: ignore[arg-type]
                           attended=parse_attendees(attended), typed={"kind": kind_text, "attended": attended},
                           **{f: cell_text(raw[f]).strip() for f in ("decisions", "learning", "feedback")}, row=n))
    return out


def _where(row: int, col: int) -> str:
    return f"Sheet '{MEETINGS}', cell {xl_rowcol_to_cell(row - 1, col)}"


def default_name(kind: str, held: Any) -> str:
    """The name of a meeting typed without one: its kind and date."""
    day = f" {held:%d/%m/%Y}" if held else ""
    return f"{kind} meeting{day}"


def find_meeting(meetings: Sequence[Meeting], name: str) -> Meeting | None:
    """The meeting a Meeting column names (its name, ignoring case and spaces), if it is on the sheet."""
    key = " ".join(name.split()).casefold()
    return next((m for m in meetings if m.name.casefold() == key), None) if key else None
