"""The child and family views forms read as conversations: who gave the views, when, and whether they may be quoted.

A views form records one or more conversations. In the form's definition
each conversation's questions carry its number (``c1_given_by``,
``c2_given_by``...; the label starts "Conversation 1: "); a definition
without numbered questions (views forms of xlpack before 2.0) holds one
conversation. Each conversation says who gave the views (a child or young
person, a parent, a carer or someone else), the child's age where a child
gave them, the date, how, and whether they agreed to their words being
quoted. Only words given with consent ("Yes") are quotable: the report and
the meeting pack quote nothing else.

:func:`view_checks` lists what the coordinator should check: views said to
be a child's under the partnership's age, and conversations dated before the
sample was drawn or after the return deadline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from xlpack.files.workbooks import cell_date, cell_text
from xlpack.model.definitions import Question, ToolDefinition
from xlpack.model.plan import AuditPlan
from xlpack.model.records import ViewsRow

NUMBERED = re.compile(r"^c(\d+)_(.+)$")
LABEL_PREFIX = re.compile(r"^Conversation \d+:\s*")
#: The questions a conversation's roles are read from, by id (the second id: views forms before 2.0).
ROLES = {"given_by": ("given_by", "spoken_to"), "child_age": ("child_age",), "held": ("date", "contact_date"),
         "method": ("method",), "consent": ("consent",)}
CHILD = "child"  # who gave the views: an answer starting with this word is a child's
DEFAULT_MIN_AGE = 4


@dataclass
class Conversation:
    """One conversation of a views form."""

    case_ref: str
    form_id: str
    number: int
    given_by: str = ""
    child_age: int | None = None
    held: date | None = None
    method: str = ""
    consent: str = ""
    said: list[tuple[str, str]] = field(default_factory=list)  # (question, words) of the free-text answers
    choices: list[tuple[str, str]] = field(default_factory=list)  # (question, answer) of the other questions
    by_label: dict[str, str] = field(default_factory=dict)  # every answer given, by its question's label

    @property
    def quotable(self) -> bool:
        """The person agreed to their words being quoted."""
        return self.consent.strip().casefold() == "yes"

    @property
    def by_child(self) -> bool:
        return self.given_by.strip().casefold().startswith(CHILD)


def questions(definition: ToolDefinition | None) -> list[Question]:
    return [*definition.form_fields, *definition.closing] if definition else []


def base_questions(definition: ToolDefinition | None) -> list[tuple[str, str, Question]]:
    """(base id, label without the conversation number, question) of one conversation, in form order."""
    out = []
    for q in questions(definition):
        m = NUMBERED.match(q.id)
        if m is None or m.group(1) == "1":
            label = LABEL_PREFIX.sub("", q.label)
            out.append((m.group(2) if m else q.id, label[:1].upper() + label[1:], q))
    return out


def conversation_numbers(definition: ToolDefinition | None) -> list[int]:
    numbers = sorted({int(m.group(1)) for q in questions(definition) if (m := NUMBERED.match(q.id))})
    return numbers or [1]


def answer_id(definition: ToolDefinition | None, number: int, base: str) -> str:
    """The question id of a conversation's answer to a base question."""
    numbered = any(NUMBERED.match(q.id) for q in questions(definition))
    return f"c{number}_{base}" if numbered else base


def conversations_of(case_ref: str, form_id: str, answers: Mapping[str, object],
                     definition: ToolDefinition | None) -> list[Conversation]:
    """The conversations one views form records (a conversation with no answer at all is left out)."""
    out = []
    base = base_questions(definition)
    for n in conversation_numbers(definition):
        values = {b: answers.get(answer_id(definition, n, b)) for b, _, _ in base}
        if not any(cell_text(v).strip() for v in values.values()):
            continue
        c = Conversation(case_ref, form_id, n)
        roles = {b for ids in ROLES.values() for b in ids}
        for role, ids in ROLES.items():
            value = next((values[i] for i in ids if i in values and cell_text(values[i]).strip()), None)
            _set_role(c, role, value)
        for b, label, q in base:
            text = cell_text(values.get(b)).strip()
            if text:
                c.by_label[label] = text
            if b in roles or not text:
                continue
            (c.said if q.type == "long_text" else c.choices).append((label, text))
        out.append(c)
    return out


def _set_role(c: Conversation, role: str, value: object) -> None:
    if value is None:
        return
    if role == "held":
        try:
            c.held = cell_date(value if not isinstance(value, str) else value[:10])
        except ValueError:
            c.held = None
    elif role == "child_age":
        text = cell_text(value).strip()
        c.child_age = int(text) if text.isdigit() else None
    else:
        setattr(c, role, cell_text(value).strip())


def conversations(rows: Iterable[ViewsRow], definition: ToolDefinition | None) -> list[Conversation]:
    """The conversations of views forms as consolidated, case by case."""
    out = []
    for v in sorted(rows, key=lambda r: (r.case_ref.casefold(), r.form_id)):
        out += conversations_of(v.case_ref, v.form_id, v.answers, definition)
    return out


def min_child_age(plan: AuditPlan) -> int:
    """The youngest age at which views are taken as a child's own (the Terms of reference; 4 by default)."""
    text = plan.terms.views_min_age.strip()
    return int(text) if text.isdigit() else DEFAULT_MIN_AGE


def view_checks(c: Conversation, plan: AuditPlan) -> list[str]:
    """What the coordinator should check about a conversation, in words (empty: nothing)."""
    out = []
    age = min_child_age(plan)
    if too_young(c, plan):
        out.append(f"views given by a child aged {c.child_age}, under {age}: check who gave them")
    drawn = plan.sample.drawn_on if plan.sample else None
    if c.held and drawn and c.held < drawn:
        out.append(f"dated {c.held:%d/%m/%Y}, before the sample was drawn on {drawn:%d/%m/%Y}")
    deadline = plan.terms.deadline
    if c.held and deadline and c.held > deadline:
        out.append(f"dated {c.held:%d/%m/%Y}, after the return deadline of {deadline:%d/%m/%Y}")
    return out


def too_young(c: Conversation, plan: AuditPlan | None) -> bool:
    """Views said to be a child's under the partnership's age: not quoted (a very young child cannot consent)."""
    return c.by_child and c.child_age is not None and c.child_age < (min_child_age(plan) if plan else DEFAULT_MIN_AGE)


def quotable_words(items: Sequence[Conversation], plan: AuditPlan | None = None) -> list[tuple[str, str, str]]:
    """(question, words, case reference) of every free-text answer given with consent to quote, leaving out views
    said to be a child's under the partnership's age until the coordinator corrects who gave them."""
    return [(label, text, c.case_ref) for c in items if c.quotable and not too_young(c, plan) for label, text in c.said]
