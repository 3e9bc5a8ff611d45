"""Typed records passed between intake, consolidation and the report.

Intake turns each accepted form into a :class:`FormReturn`. Consolidation
turns returns plus the plan into a :class:`ConsolidatedAudit`, which is
what the coordinator workbook's analysis sheets show and what the report
is written from (read back from the workbook, so the coordinator's
moderated grades and resolutions are included).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, get_args

# The rows are plain data: frozen (a change is a new row, made with ``dataclasses.replace``) and slotted (a
# large audit holds millions of them). Each is built from values already checked (intake's reading of a cell,
# the coordinator workbook's read-back); :class:`FormReturn`, made from what a returned form says, checks its
# values itself when built (``__post_init__``), so a value of the wrong type stops at intake.

Kind = Literal["audit", "views"]
Answer = str | date | int | None  # a typed answer: text, a date, a whole number; None when blank or invalid


@dataclass(frozen=True, slots=True, kw_only=True)
class SectionAnswer:
    """One section of one returned audit form."""

    section_id: str
    grade: str | None = None  # the scale's label after normalisation, e.g. "Good"; None if blank or invalid
    grade_code: str | None = None  # "1".."4", "NA", "NE"
    grade_rank: int | None = None  # 1 (best) .. 4; None for NA / NE / blank
    evidence: str = ""
    strengths: str = ""
    development: str = ""
    action: str = ""
    cells: dict[str, str] = field(default_factory=dict)  # record ("grade", "evidence", ...) -> "B27"


@dataclass(frozen=True, slots=True, kw_only=True)
class FormReturn:
    """An accepted returned form: everything the auditor entered, and where."""

    form_id: str
    audit_id: str
    kind: Kind = "audit"
    case_ref: str
    agency: str
    auditor: str
    role: str = ""
    tool_id: str
    tool_version: str
    sheet: str = "Audit"
    source: str  # path as given on the command line; a container member as "container/member"
    saved_at: datetime | None = None  # the workbook's own last-saved time (docProps/core.xml modified)
    fields: dict[str, Answer] = field(default_factory=dict)  # form_fields by id
    sections: dict[str, SectionAnswer] = field(default_factory=dict)  # by section id, in tool order
    closing: dict[str, Answer] = field(default_factory=dict)  # closing questions by id;
    # a closing question of type grade holds the scale's label (e.g. closing["overall_grade"] == "Good")
    cells: dict[str, str] = field(default_factory=dict)  # input key ("closing.safeguarded_now") -> "B140"

    def __post_init__(self) -> None:
        check_form(self)


def _wrong(where: str, value: object, expected: str) -> TypeError:
    return TypeError(f"{where} must be {expected}, not {type(value).__name__} {value!r:.60}")


def _check_texts(record: object, names: tuple[str, ...], where: str, optional: bool = False) -> None:
    for name in names:
        value = getattr(record, name)
        if not (isinstance(value, str) or (optional and value is None)):
            raise _wrong(f"{where}.{name}", value, "text or None" if optional else "text")


_FORM_TEXTS = ("form_id", "audit_id", "case_ref", "agency", "auditor", "role", "tool_id", "tool_version", "sheet",
               "source")
_ANSWER_TEXTS = ("evidence", "strengths", "development", "action")


def check_form(form: FormReturn) -> None:
    """Refuse a form whose values are not of their declared types (a bug in reading it, never the auditor's).

    What pydantic checked when the records were its models, kept as a plain check: texts are text, the kind is
    one of :data:`Kind`, answers are text, dates, whole numbers or None, sections are :class:`SectionAnswer`.
    """
    _check_texts(form, _FORM_TEXTS, "FormReturn")
    if form.kind not in get_args(Kind):
        raise ValueError(f"FormReturn.kind must be one of {get_args(Kind)}, not {form.kind!r}")
    if form.saved_at is not None and not isinstance(form.saved_at, datetime):
        raise _wrong("FormReturn.saved_at", form.saved_at, "a datetime or None")
    for where, answers in (("fields", form.fields), ("closing", form.closing)):
        for key, value in answers.items():
            if not (value is None or isinstance(value, (str, date)) or (type(value) is int)):
                raise _wrong(f"FormReturn.{where}[{key!r}]", value, "text, a date, a whole number or None")
    for key, a in form.sections.items():
        if type(a) is not SectionAnswer:
            raise _wrong(f"FormReturn.sections[{key!r}]", a, "a SectionAnswer")
        _check_texts(a, ("section_id", *_ANSWER_TEXTS), "SectionAnswer")
        _check_texts(a, ("grade", "grade_code"), "SectionAnswer", optional=True)
        if not (a.grade_rank is None or type(a.grade_rank) is int):
            raise _wrong("SectionAnswer.grade_rank", a.grade_rank, "a whole number or None")


ReturnStatus = Literal["accepted", "accepted_with_warnings", "rejected", "skipped", "superseded", "missing", "overdue"]


# --------------------------------------------------------------------------
# The consolidated audit (what consolidate writes and the report reads)

Severity = Literal["urgent", "high", "medium", "low"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnRow:
    """One issued form and what came back for it (the Returns sheet)."""

    form_id: str
    file: str
    kind: Kind = "audit"
    case_ref: str
    agency: str
    auditor: str
    status: ReturnStatus
    detail: str = ""  # the reason for a rejection, the warnings, what superseded it
    source: str = ""  # the returned file it was read from
    saved_at: datetime | None = None
    sha256: str = ""  # of the returned file as read (empty in workbooks consolidated before it was recorded)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProblemRow:
    """One problem intake found in one returned file (the Problems sheet), with where it is and what to do."""

    source: str  # the returned file, as given; a container member as "container/member"
    status: ReturnStatus  # what happened to the file
    severity: Literal["error", "warning", "info"]
    code: str  # intake's problem code, e.g. "grade-invalid"
    message: str
    fix: str = ""
    sheet: str = ""
    cell: str = ""
    form_id: str = ""
    case_ref: str = ""
    agency: str = ""
    auditor: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class GradeRow:
    """One section of one accepted audit form (the Grades sheet)."""

    row_id: str  # "<form_id>:<section_id>": stable across runs, carries moderation over
    form_id: str
    case_ref: str
    agency: str
    auditor: str
    tool_id: str
    section_id: str
    section_title: str
    section_order: int  # 1-based order in the tool
    grade: str | None = None  # scale label as returned
    evidence: str = ""
    strengths: str = ""
    development: str = ""
    action: str = ""
    source: str = ""
    moderated_grade: str | None = None  # typed by the coordinator after the meeting
    moderation_note: str = ""
    moderation_meeting: str = ""  # the meeting it came from, as the coordinator named it (optional)

    @property
    def final_grade(self) -> str | None:
        """The grade after moderation: the moderated one where the coordinator gave one."""
        return self.moderated_grade or self.grade


@dataclass(frozen=True, slots=True, kw_only=True)
class FormSummary:
    """The closing answers of one accepted audit form."""

    form_id: str
    case_ref: str
    agency: str
    auditor: str
    overall_grade: str | None = None
    safeguarded_now: str | None = None  # Yes / No / Unsure
    safeguarding_action: str = ""
    no_involvement: str | None = None
    tool_feedback: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class FlagRow:
    """A consistency flag for the coordinator and the follow-up meeting."""

    flag_id: str  # stable: rule + case + section + agencies, so resolutions carry over
    rule: str
    severity: Severity
    case_ref: str
    section_id: str = ""
    agencies: list[str] = field(default_factory=list)
    cells: str = ""  # "CP_...xlsx: Audit!B27; ..."
    message: str
    resolution: str = ""  # typed by the coordinator
    resolution_meeting: str = ""  # the meeting that resolved it, as the coordinator named it (optional)


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewsRow:
    """One child and family views form."""

    form_id: str
    case_ref: str
    answers: dict[str, str] = field(default_factory=dict)  # question id -> answer text


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionRow:
    """One row of the SMART action plan (the Action plan sheet): proposed by consolidate, owned by the coordinator.

    Consolidate proposes one row per recommendation (sections of concern, good practice); after that the
    coordinator edits, adds and deletes rows, and consolidate only keeps
    ``concern`` (what the latest grades say about the row's section) up to date.
    """

    action_id: str  # "AP-<section id>" for a proposed row; "AP-<n>" for one the coordinator added
    section_id: str = ""  # the section the action addresses ("" for an action not tied to one)
    section: str = ""
    action: str = ""
    owner: str = ""
    agency: str = ""
    by_when: date | str | None = None  # a date, or words such as 'March 2027' kept as typed
    measure: str = ""  # measure of success
    status: str = ""
    impact: str = ""  # evidence of impact
    review_date: date | str | None = None
    concern: str = ""  # "Causing concern", "No longer of concern (since 30/11/2026)", or "" when not tied
