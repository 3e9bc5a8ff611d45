"""What the overview report says about the audit's meetings, from the Meetings sheet.

The method chapter says which meetings were held, when and with whom; the
consistency chapter which moderated grades and resolutions name the meeting
they came from; the learning part of the themes chapter what the follow-up
meeting agreed, the learning points it drew out and its feedback on how the
audit went, as recorded. Where the sheet records nothing, a "Coordinator:"
note asks for it instead of a sentence that would guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from xlpack.coordinator.meetings_sheet import MEETINGS, find_meeting
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.names import redact_names
from xlpack.model.plan import Meeting
from xlpack.report.document import ReportDocument, long_date
from xlpack.wording import counted, noun

KIND_WORDS = {"Briefing": "briefing meeting", "Follow-up": "follow-up meeting", "Other": "meeting"}


def _dated(meetings: Sequence[Meeting]) -> list[Meeting]:
    return sorted(meetings, key=lambda m: (m.held is None, m.held or date.min, m.row))


def who_came(m: Meeting) -> str:
    """"7 people from 5 agencies (Police, Health, ...)", from the Attended column."""
    if not m.attended:
        return "attendance not recorded"
    agencies = sorted({a.agency for a in m.attended if a.agency}, key=str.casefold)
    people = f"{len(m.attended)} {'person' if len(m.attended) == 1 else 'people'}"
    if not agencies:
        return people
    return f"{people} from {len(agencies)} {'agency' if len(agencies) == 1 else 'agencies'} ({', '.join(agencies)})"


def describe(m: Meeting) -> str:
    """"The follow-up meeting 'Follow-up' on 20 November 2026": how a sentence names a meeting."""
    when = f"on {long_date(m.held)}" if m.held else "(no date recorded)"
    return f"the {KIND_WORDS.get(m.kind, 'meeting')} '{m.name}' {when}"


def method(doc: ReportDocument, audit: ConsolidatedAudit) -> None:
    """Under Method: the meetings held, when and who attended."""
    meetings = _dated(audit.plan.meetings)
    if not meetings:
        doc.note(f"The {MEETINGS} sheet records no meeting. Record the briefing of the auditors and the follow-up "
                 "meeting there (date, kind, who attended), or say here how the auditors were briefed and how the "
                 "returns were discussed.")
        return
    lines = [f"{describe(m)[0].upper()}{describe(m)[1:]}: {who_came(m)}." for m in meetings]
    doc.para(f"The {MEETINGS} sheet of the coordinator workbook records {len(meetings)} "
             f"meeting{'s' if len(meetings) > 1 else ''}:", keep_with_next=True)
    doc.bullets(lines)
    kinds = {m.kind for m in meetings}
    for kind, words in (("Briefing", "briefing of the auditors"), ("Follow-up", "follow-up meeting")):
        if kind not in kinds:
            doc.note(f"No {words} is recorded on the {MEETINGS} sheet: add it there, or say here why there was none.")


def resolutions(doc: ReportDocument, audit: ConsolidatedAudit) -> None:
    """Under 'What the meeting resolved': which moderation and resolutions name the meeting they came from."""
    meetings = audit.plan.meetings
    named: dict[str, list[int]] = {}
    unknown: set[str] = set()
    for label, values in (("grades", [g.moderation_meeting for g in audit.grades if g.moderated_grade]),
                          ("flags", [f.resolution_meeting for f in audit.flags if f.resolution.strip()])):
        for value in values:
            if not value:
                continue
            m = find_meeting(meetings, value)
            if m is None:
                unknown.add(value)
                continue
            counts = named.setdefault(m.name, [0, 0])
            counts[0 if label == "grades" else 1] += 1
    for m in _dated(meetings):
        if m.name in named:
            grades, flags = named[m.name]
            doc.para(f"At {describe(m)}, attended by {who_came(m)}, {counted(grades, 'grade')} "
                     f"{noun(grades, 'was', 'were')} moderated and {counted(flags, 'flag')} resolved, as recorded in "
                     "the Meeting column of the Grades and Flags sheets.")
    if unknown:
        doc.note(f"The Meeting column names {', '.join(sorted(unknown))}, not on the {MEETINGS} sheet: add the "
                 "meeting there, or correct the name.")


def _points(text: str) -> list[str]:
    return [line.strip().lstrip("-•* ").strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def learning(doc: ReportDocument, audit: ConsolidatedAudit, *, internal: bool = False) -> None:
    """A part of its own: what each meeting decided and learned, and the feedback on the audit, as recorded.

    The report names no one who came (it counts them): what is recorded is shown with the people it names as
    [name] (who came, any name the guard finds, and the auditors but in the ``internal`` version).
    """
    doc.heading("What the meetings agreed and learned", 2)
    recorded = [m for m in _dated(audit.plan.meetings) if m.decisions or m.learning or m.feedback]
    if not recorded:
        doc.note(f"The {MEETINGS} sheet records no decisions, learning points or feedback. Record what the "
                 "follow-up meeting agreed and learned there, or summarise it here.")
        return
    people = [a.name for m in recorded for a in m.attended if a.name.strip()]
    names = audit.plan.name_lists(keep_auditors=internal, also=people)
    for m in recorded:
        doc.para(f"At {describe(m)}, attended by {who_came(m)}:", keep_with_next=True)
        for label, text in (("Decisions", m.decisions), ("Learning points", m.learning),
                            ("Feedback on how the audit went", m.feedback)):
            if text:
                doc.para(bold_lead=f"{label}", keep_with_next=True)
                doc.bullets([redact_names(point, names) for point in _points(text)])
    if not any(m.feedback for m in recorded):
        doc.note("No feedback on how the audit went is recorded: add what worked well and not so well, for the "
                 "next audit.")
