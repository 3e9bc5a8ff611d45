"""The plan sheets of the draft emails: Messages (the wording) and Mail log (what was drafted).

Both belong to the plan: :func:`~xlpack.coordinator.plan_sheets.write_coordinator`
draws them from :class:`~xlpack.model.plan.AuditPlan` (only once they hold
something) and :func:`~xlpack.coordinator.plan_sheets.read_plan` reads them back, so
generate, consolidate and the Excel button keep them like the other plan
sheets. This module says what the sheets hold - their rows as written, and
the records read back from their tables' rows - and plan_sheets draws them
with the same table helpers as the other plan sheets. The wording's
defaults and the drafting are in :mod:`xlpack.mail`; the Returns sheet
shows, from the log, when each form was last chased (:func:`drafted_note`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from xlpack.files.workbooks import cell_text
from xlpack.model.plan import AuditPlan, MailRecord, MessageTemplate

MESSAGES, MAIL_LOG = "Messages", "Mail log"
#: The messages xlpack drafts, as the Message column names them.
KIND_LABELS = {"issue": "Issue", "reminder": "Reminder", "rejected": "Rejected return", "feedback": "Feedback"}
#: Every kind the Mail log may hold: the messages above, and safeguarding alerts (fixed wording, xlpack.mail.alerts).
LOG_LABELS = {**KIND_LABELS, "alert": "Safeguarding alert"}
PARTS = ("Subject", "Body")
MESSAGE_HEADERS = ("Message", "Part", "Wording")
ALL = tuple(KIND_LABELS)
#: Placeholders of the wording: name -> (what it becomes, the messages it can be used in).
PLACEHOLDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "auditor": ("The auditor's name.", ALL),
    "agency": ("The auditor's agency.", ALL),
    "cases": ("The case references, e.g. CP-2026-001, CP-2026-004.", ALL),
    "count": ("How many forms, e.g. 3 forms.", ALL),
    "forms": ("One line per form: case, agency and file (for reminders, how late).", ("issue", "reminder", "feedback")),
    "deadline": ("The return deadline, e.g. Friday 4 December 2026.", ALL),
    "coordinator": ("Your name, from the Terms of reference.", ALL),
    "coordinator_email": ("Your email, where forms are returned.", ALL),
    "audit_title": ("The audit title.", ALL),
    "filling_in": ("What to fill in, true of the forms attached: the 'Audit' sheet from the agency's records, or "
                   "the 'Views' sheet from the conversations with the child and family.", ("issue",)),
    "independence": ("The request to say before starting if the auditor managed or worked on a case (for audit "
                     "forms; empty for views forms).", ("issue",)),
    "password_note": ("A line saying the forms need a password, sent separately (empty if they do not).", ALL),
    "problems": ("Each problem: where it is (sheet and cell), what is wrong and what to do.", ("rejected",)),
    "returned_file": ("The name of the returned file, attached to the reply.", ("rejected",)),
}
#: Wordings xlpack once gave the Messages sheet as its defaults, by (message, part). generate writes the wording onto
#: the sheet, so a workbook made before a default changed holds the old one: a cell holding one of these (spaces and
#: line breaks aside) was never edited, and takes today's default (:mod:`xlpack.mail.templates`); a cell the
#: coordinator changed is kept as typed.
EARLIER_WORDING: dict[tuple[str, str], tuple[str, ...]] = {
    ("issue", "Body"): ((
        "Dear {auditor},\n\n"
        "Thank you for taking part in {audit_title} for {agency}. Your audit forms are attached ({count}):\n\n"
        "{forms}\n\n"
        "Please open each form in Excel, read the 'Start here' sheet, and fill in the yellow cells on the 'Audit' "
        "sheet from your agency's records. Save it under the same name as an Excel Workbook (.xlsx) and email "
        "it back to {coordinator_email} by {deadline}.\n\n"
        "If you have managed or been involved in any of these cases, please tell me before you start, so that "
        "the case can be given to another auditor. Refer to cases by their reference only, never by a child's "
        "name.\n\n"
        "{password_note}\n\n"
        "Thank you,\n{coordinator}\n{audit_title}"),),
    ("reminder", "Body"): ((
        "Dear {auditor},\n\n"
        "I have not yet received the audit form(s) below for {audit_title}:\n\n"
        "{forms}\n\n"
        "The form(s) are attached again. Please fill in the yellow cells and email the form(s) back to "
        "{coordinator_email} as soon as you can. If something is stopping you, reply and let me know.\n\n"
        "{password_note}\n\n"
        "Thank you,\n{coordinator}"),),
    ("feedback", "Body"): ((
        "Dear {auditor},\n\n"
        "Thank you for your audit(s) for {audit_title}. The feedback on each is attached ({count}):\n\n"
        "{forms}\n\n"
        "Each document is a copy of your audit of the case, with any grade the follow-up meeting changed and why, "
        "and the flags about the record. Please pass each one to the practitioner who holds the case and their "
        "manager, and talk it through with them: the practitioner can answer in the response section, and the "
        "manager signs it off. Please send me a copy of each completed document at {coordinator_email}.\n\n"
        "Refer to the case by its reference only, never by the child's name.\n\n"
        "{password_note}\n\n"
        "Thank you,\n{coordinator}"),),
}
_EARLIER = {key: frozenset(" ".join(t.split()) for t in texts) for key, texts in EARLIER_WORDING.items()}


def earlier_wording(text: str, key: tuple[str | None, str | None] | None = None) -> bool:
    """Whether ``text`` is one of xlpack's earlier default wordings: of the message and part ``key``, or of any."""
    plain = " ".join(str(text).split())
    if key is None:
        return any(plain in texts for texts in _EARLIER.values())
    return any(plain in texts for k, texts in _EARLIER.items() if k == key)


#: (record field, header, width) of the Mail log table.
#: Printed up to the draft's name (one landscape page wide at 70% or more, every text wrapped whole); the form id
#: after it, not printed (read back by header, in any order).
LOG_COLUMNS = (("drafted", "Drafted", 16), ("kind", "Message", 11), ("case_ref", "Case reference", 12),
               ("agency", "Agency", 16), ("auditor", "Auditor", 15), ("email", "Email", 24),
               ("attached", "Attached", 36), ("draft", "Draft", 28), ("form_id", "Form id", 38))
LOG_PRINTED = 8  # Drafted to Draft
GUIDE_HEADER = "You can use"
MESSAGE_WIDTHS = (16, 9, 90, 60)
MESSAGES_INTRO = (
    ("Edit the yellow cells: xlpack mail drafts every email with this wording. Words in {braces} are filled in for "
     "each email (the list is beside each wording); clear a cell to go back to xlpack's wording."),
    "Subjects always start with OFFICIAL-SENSITIVE. Name cases by their reference only, never a child.")
LOG_INTRO = (
    ("Written by xlpack mail: one row per form in each draft; the Returns sheet shows when each form was last "
     "chased. Do not edit."), "A draft is not a sent email: xlpack never sends anything.")
Rows = Sequence[tuple[int, dict[str, Any]]]  # a table's rows as read: (Excel row number, value by header)


def guide(message: str, part: str) -> str:
    """What is shown beside a wording: the placeholders its message may use."""
    if part.strip().casefold() != "body":
        return "The same as the body; one line."
    kind = {label.casefold(): k for k, label in KIND_LABELS.items()}.get(message.strip().casefold())
    if kind is None:
        return "Message must be one of: " + ", ".join(KIND_LABELS.values()) + "."
    return "\n".join("{" + name + "} " + meaning for name, (meaning, kinds) in PLACEHOLDERS.items() if kind in kinds)


def message_rows(plan: AuditPlan) -> list[list[str]]:
    """The Messages table's rows: message, part, wording (as typed) and the placeholders beside it."""
    return [[m.message, m.part, m.text, guide(m.message, m.part)] for m in plan.messages]


def log_rows(plan: AuditPlan) -> list[list[Any]]:
    """The Mail log table's rows, oldest first."""
    return [[r.drafted, LOG_LABELS.get(r.kind, r.kind), *(getattr(r, f) for f, _, _ in LOG_COLUMNS[2:])]
            for r in plan.mail_log]


def messages_from(rows: Rows) -> list[MessageTemplate]:
    """The Messages sheet's rows as typed, each with its row number."""
    out = []
    for n, values in rows:
        texts = [cell_text(values.get(h)).replace("\r\n", "\n") for h in MESSAGE_HEADERS]
        if any(t.strip() for t in texts):
            out.append(MessageTemplate(message=texts[0].strip(), part=texts[1].strip(), text=texts[2], row=n))
    return out


def log_from(rows: Rows, problems: list[str]) -> list[MailRecord]:
    """The Mail log's records; a row that cannot be read is a problem."""
    kinds = {label.casefold(): key for key, label in LOG_LABELS.items()}
    out = []
    for n, values in rows:
        raw = {f: values.get(h) for f, h, _ in LOG_COLUMNS}
        drafted = _moment(raw["drafted"])
        kind = kinds.get(cell_text(raw["kind"]).strip().casefold())
        if drafted is None or kind is None:
            problems.append(f"Sheet '{MAIL_LOG}', row {n}: this row has been changed and cannot be read (the "
                            "Drafted column must hold the date and time, Message the kind of email). Undo the change.")
            continue
        out.append(MailRecord(drafted=drafted, kind=kind,
                              **{f: cell_text(raw[f]).strip() for f, _, _ in LOG_COLUMNS[2:]}))
    return out


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    try:
        return datetime.fromisoformat(cell_text(value).strip())
    except ValueError:
        return None


#: How the Returns sheet says that an email of each kind was drafted.
DRAFTED_WORDS = {"issue": "form sent", "reminder": "reminded", "rejected": "asked to correct",
                 "alert": "safeguarding alert drafted"}


def drafted_note(records: Iterable[MailRecord]) -> str:
    """What was last drafted about one form, e.g. "form sent on 2 Nov; reminded on 12 Dec (2 reminders)"."""
    latest: dict[str, datetime] = {}
    counts: dict[str, int] = {}
    for r in records:
        counts[r.kind] = counts.get(r.kind, 0) + 1
        if r.kind not in latest or r.drafted > latest[r.kind]:
            latest[r.kind] = r.drafted
    parts = []
    for kind, words in DRAFTED_WORDS.items():
        if kind in latest:
            when = latest[kind]
            extra = f" ({counts[kind]} reminders)" if kind == "reminder" and counts[kind] > 1 else ""
            parts.append(f"{words} on {when.day} {when:%b}{extra}")
    return "; ".join(parts)
