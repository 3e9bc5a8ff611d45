"""The wording of the draft emails: xlpack's defaults, the coordinator's edits, and their placeholders.

The Messages sheet of the coordinator workbook holds a subject and a body
for each kind of email (:mod:`xlpack.coordinator.mail_sheets` writes and reads it).
:func:`with_defaults` adds xlpack's wording wherever the sheet has none (or
holds one of xlpack's earlier defaults, ``EARLIER_WORDING``);
:func:`wording` checks one kind's wording - every placeholder one xlpack
knows, braces that pair up - naming the cell of each problem; :func:`render`
fills it in. Placeholders are plain names in braces ({auditor}); nothing
else of Python's format syntax is allowed, so a template can only ever
show the values xlpack gives it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from xlpack.coordinator.mail_sheets import KIND_LABELS, MESSAGES, PARTS, PLACEHOLDERS, earlier_wording
from xlpack.model.marking import MARKING
from xlpack.model.plan import MessageTemplate

DEFAULTS: dict[tuple[str, str], str] = {
    ("issue", "Subject"): "{cases}: multi-agency case audit, please return by {deadline}",
    ("issue", "Body"): (
        "Dear {auditor},\n\n"
        "Thank you for taking part in {audit_title} for {agency}. Your forms are attached ({count}):\n\n"
        "{forms}\n\n"
        "Please open each form in Excel, read its 'Start here' sheet, and {filling_in}. Save it under the same "
        "name as an Excel Workbook (.xlsx) and email it back to {coordinator_email} by {deadline}.\n\n"
        "{independence}\n\n"
        "Refer to cases by their reference only, never by a child's name.\n\n"
        "{password_note}\n\n"
        "Thank you,\n{coordinator}\n{audit_title}"),
    ("reminder", "Subject"): "Reminder: {cases}: audit form not yet returned",
    ("reminder", "Body"): (
        "Dear {auditor},\n\n"
        "I have not yet received {count} from you for {audit_title}:\n\n"
        "{forms}\n\n"
        "A copy of each form is attached again. Please fill in its yellow cells and email it back to "
        "{coordinator_email} as soon as you can. If something is stopping you, reply and let me know.\n\n"
        "{password_note}\n\n"
        "Thank you,\n{coordinator}"),
    ("rejected", "Subject"): "{cases}: your returned audit form needs correcting",
    ("rejected", "Body"): (
        "Dear {auditor},\n\n"
        "Thank you for returning your audit form for case {cases} ({agency}). I could not use it yet, because "
        "of the following:\n\n"
        "{problems}\n\n"
        "Your returned form is attached ({returned_file}). Please correct it, save it as an Excel Workbook "
        "(.xlsx) and email it back to {coordinator_email}.\n\n"
        "{password_note}\n\n"
        "Thank you,\n{coordinator}"),
    ("feedback", "Subject"): "{cases}: feedback from the case audit, for the practitioner and their manager",
    ("feedback", "Body"): (
        "Dear {auditor},\n\n"
        "Thank you for your work on {audit_title}. The feedback on each audit is attached ({count}):\n\n"
        "{forms}\n\n"
        "Each document is a copy of your audit of the case, with any grade the follow-up meeting changed and why, "
        "and the flags about the record. Please pass each one to the practitioner who holds the case and their "
        "manager, and talk it through with them: the practitioner can answer in the response section, and the "
        "manager signs it off. Please send me a copy of each completed document at {coordinator_email}.\n\n"
        "Refer to the case by its reference only, never by the child's name.\n\n"
        "{password_note}\n\n"
        "Thank you,\n{coordinator}"),
}


@dataclass(frozen=True)
class Wording:
    """The checked subject and body of one kind of email."""

    kind: str
    subject: str
    body: str


def _key(m: MessageTemplate) -> tuple[str | None, str | None]:
    kinds = {label.casefold(): k for k, label in KIND_LABELS.items()}
    parts = {p.casefold(): p for p in PARTS}
    return kinds.get(m.message.strip().casefold()), parts.get(m.part.strip().casefold())


def with_defaults(messages: Sequence[MessageTemplate]) -> list[MessageTemplate]:
    """The Messages rows with xlpack's wording where a row is missing, its wording empty or an earlier default of
    xlpack's (order kept)."""
    out: list[MessageTemplate] = []
    have: set[tuple[str | None, str | None]] = set()
    for m in messages:
        key = _key(m)
        have.add(key)
        if key in DEFAULTS and (not m.text.strip() or earlier_wording(m.text, key)):
            m = m.model_copy(update={"text": DEFAULTS[key]})
        out.append(m)
    for (kind, part), text in DEFAULTS.items():
        if (kind, part) not in have:
            out.append(MessageTemplate(message=KIND_LABELS[kind], part=part, text=text))
    return out


def _where(m: MessageTemplate, column: str = "C") -> str:
    return f"Sheet '{MESSAGES}', cell {column}{m.row}" if m.row else f"xlpack's {m.message} {m.part.lower()}"


def sheet_problems(messages: Sequence[MessageTemplate]) -> list[str]:
    """Rows of the Messages sheet xlpack cannot tell the meaning of: an unknown message or part, a row twice."""
    problems: list[str] = []
    seen: dict[tuple[str | None, str | None], MessageTemplate] = {}
    for m in messages:
        kind, part = _key(m)
        if kind is None:
            problems.append(f"{_where(m, 'A')}: '{m.message}' is not one of the emails xlpack drafts. Choose "
                            f"{', '.join(KIND_LABELS.values())}.")
        elif part is None:
            problems.append(f"{_where(m, 'B')}: '{m.part}' should be Subject or Body.")
        elif (kind, part) in seen:
            problems.append(f"{_where(m, 'A')}: the {m.message} {part.lower()} is also on row "
                            f"{seen[kind, part].row}. Keep one of the two rows.")
        else:
            seen[kind, part] = m
    return problems


def placeholder_problems(text: str, kind: str) -> list[str]:
    """What is wrong with the placeholders of one wording, as phrases (empty when it can be used)."""
    allowed = [name for name, (_, kinds) in PLACEHOLDERS.items() if kind in kinds]
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return ["a brace { or } does not pair up (write {{ or }} for a brace itself)"]
    out = []
    for name, spec, conv in fields:
        if name not in allowed:
            shown = "{" + name + (f"!{conv}" if conv else "") + (f":{spec}" if spec else "") + "}"
            known = ", ".join("{" + a + "}" for a in allowed)
            out.append(f"{shown} is not a placeholder xlpack fills in for this email. Use one of: {known}")
        elif spec or conv:
            out.append(f"write {{{name}}} on its own, without ':' or '!' after the name")
    return out


def wording(messages: Sequence[MessageTemplate], kind: str) -> tuple[Wording, list[str]]:
    """The wording of ``kind`` (defaults where the sheet has none) and every problem with it, naming cells."""
    chosen = {part: MessageTemplate(message=KIND_LABELS[kind], part=part, text=DEFAULTS[kind, part])
              for part in PARTS}
    for m in messages:
        k, part = _key(m)
        if k == kind and part is not None and m.text.strip():
            shipped = earlier_wording(m.text, (k, part))
            chosen[part] = m.model_copy(update={"text": DEFAULTS[kind, part]}) if shipped else m
    problems = []
    for part, m in chosen.items():
        for p in placeholder_problems(m.text, kind):
            problems.append(f"{_where(m)} ({m.message} {part.lower()}): {p}.")
        if part == "Subject" and "\n" in m.text.strip():
            problems.append(f"{_where(m)} ({m.message} subject): a subject is one line; remove the line break.")
    return Wording(kind, chosen["Subject"].text.strip(), chosen["Body"].text), problems


#: What an issue email asks of the forms attached, by form kind (the forms' main sheet and where its answers come from).
FILLING_IN = {
    "audit": "fill in the yellow cells on its 'Audit' sheet from your agency's records",
    "views": ("record your conversations with the child and family in the yellow cells on its 'Views' sheet: who "
              "you spoke to, when, how, and what they said"),
}
_FILLING_IN_BOTH = ("fill in its yellow cells: on an audit form's 'Audit' sheet from your agency's records, on a "
                    "views form's 'Views' sheet from your conversations with the child and family")
_INDEPENDENCE = ("If you have managed or been involved in any of {which}, please tell me before you start, so that "
                 "the case can be given to another auditor.")


def what_to_fill_in(kinds: set[str]) -> dict[str, str]:
    """The ``{filling_in}`` and ``{independence}`` of an issue email whose forms are of these kinds.

    Only an audit form asks its auditor to confirm they have no involvement in the case; a views form
    (the participation worker's) records conversations, and its email says so.
    """
    views = "views" in kinds
    audit = not views or len(kinds) > 1  # any other kind is an audit form
    filling = _FILLING_IN_BOTH if audit and views else FILLING_IN["views" if views else "audit"]
    which = "the cases of the audit forms" if views else "these cases"
    return {"filling_in": filling, "independence": _INDEPENDENCE.format(which=which) if audit else ""}

def render(template: str, values: Mapping[str, str]) -> str:
    """The template with its placeholders filled in (checked by :func:`wording` first)."""
    return template.format_map(values)


def subject_line(template: str, values: Mapping[str, str]) -> str:
    """The subject, one line, starting with the protective marking whatever the template says."""
    text = " ".join(render(template, values).split())
    if not text.upper().startswith(MARKING):
        text = f"{MARKING}: {text}"
    return text


def body_text(template: str, values: Mapping[str, str]) -> str:
    """The body, marked at the top, without the empty paragraphs an empty placeholder leaves."""
    text = render(template, values).replace("\r\n", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if not text.upper().startswith(MARKING):
        text = f"{MARKING}\n\n{text}"
    return text + "\n"
