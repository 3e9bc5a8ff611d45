"""The audit plan: terms of reference, cases, assignments, issued forms.

These records are what the coordinator types into the coordinator
workbook; :mod:`xlpack.coordinator` reads and writes them. The wording of
the draft emails and the record of what was drafted (:mod:`xlpack.mail`)
live on plan sheets too, so every command that rewrites the workbook
keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from xlpack import clock
from xlpack.model.definitions import GradeScale, ToolDefinition
from xlpack.model.names import NameLists, name_lists

#: Agencies named in the guidance; the coordinator may edit the list. The adult services most often involved
#: with children at risk (mental health, drug and alcohol, domestic abuse) are agencies of their own, so that
#: each audits its own record and the analysis shows each apart.
DEFAULT_AGENCIES: tuple[str, ...] = (
    "Children's social care",
    "Health",
    "CAMHS",
    "School or education",
    "Police",
    "Early years",
    "Voluntary sector",
    "Adult mental health",
    "Drug and alcohol services",
    "Domestic abuse services",
    "Adult learning disability services",
)

#: A pseudonymised case reference: letters, digits and - _ / . only, no spaces.
CASE_REF_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]{0,39}$")
CASE_REF_HELP = (
    "Use the pseudonymised case reference (letters, digits and - _ / . only, "
    "no spaces), never the child's name."
)


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 months up to today."""
    today = today or clock.today()
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + timedelta(days=1)
    return start, today


class TermsOfReference(_Record):
    title: str = "Multi-agency case audit"
    purpose: str = ""
    outcomes_focus: str = ""
    scope: str = ""
    period_from: date | None = None
    period_to: date | None = None
    deadline: date | None = None
    coordinator: str = ""
    coordinator_email: str = ""
    participation_worker: str = ""
    participation_worker_email: str = ""
    returns_folder: str = ""
    sections: str = ""  # the sections audited, one per line (blank: every section of the tool)
    views_min_age: str = ""  # youngest age at which views are taken as the child's own (blank: 4)
    # the partnership's context and plans, for the report (a blank one is asked for there, never invented)
    partnership: str = ""
    why_now: str = ""
    reaudit_date: date | None = None
    dissemination: str = ""
    # when a section is working well or causing concern, in whole per cent (see xlpack.analysis.verdicts)
    working_well_good: int = Field(default=75, ge=0, le=100)
    working_well_inadequate: int = Field(default=10, ge=0, le=100)
    concern_good: int = Field(default=50, ge=0, le=100)
    concern_inadequate: int = Field(default=20, ge=0, le=100)
    #: no figure is given for a group of fewer cases than this (breakdowns by case detail)
    min_group: int = Field(default=3, ge=1, le=1000)


class Case(_Record):
    case_ref: str
    category: str = ""
    fields: dict[str, str] = Field(default_factory=dict)


class Assignment(_Record):
    case_ref: str
    agency: str
    auditor: str
    email: str = ""
    role: str = ""
    team: str = ""  # the auditor's own team, optional: checked against the case's allocated team


class SafeguardingLead(_Record):
    """An agency's safeguarding lead (the Agencies sheet): safeguarding alerts go to them and the coordinator."""

    name: str = ""
    email: str = ""


#: How the Name guard sheet's "Treat as" column says which list a word is on.
NAME, NOT_A_NAME = "Name", "Not a name"


class NameWord(_Record):
    """A row of the Name guard sheet: a word or phrase the partnership says is, or is never, a person's name."""

    word: str
    kind: str = NAME  # NAME or NOT_A_NAME
    note: str = ""


class IssuedForm(_Record):
    form_id: str
    file: str
    kind: str = "audit"  # "audit" or "views"
    case_ref: str
    agency: str
    auditor: str
    email: str = ""
    role: str = ""
    tool_id: str
    tool_version: str
    issued: date
    fingerprint: str
    sha256: str = ""  # of the file as issued: a blank form found among returns is recognised by it

    @property
    def assignment_key(self) -> tuple[str, str, str, str]:
        return assignment_key(self.kind, self.case_ref, self.agency, self.auditor)


def assignment_key(kind: str, case_ref: str, agency: str, auditor: str) -> tuple[str, str, str, str]:
    """What makes an assignment the same one across runs (case-insensitive)."""
    def fold(s: object) -> str:
        return " ".join(str(s).split()).casefold()

    return (kind, fold(case_ref), fold(agency), fold(auditor))


class SampleStratum(_Record):
    """One stratum of a case draw: how many cases it held and how many were drawn from it."""

    label: str  # the stratum's values, joined with " / "
    population: int
    target: float  # its proportional share of the sample before rounding to whole cases (to 6 decimals)
    drawn: int


class SampleBalance(_Record):
    """One value of one field: how often it occurs in the population and in the sample."""

    field: str
    value: str
    population: int
    sample: int


class SampleRecord(_Record):
    """How the cases were drawn (``xlpack sample``), as recorded on the Sample sheet."""

    drawn_on: date
    extract: str  # the extract's file name
    extract_sha256: str = ""
    extract_rows: int
    reference_column: str
    filters: list[str] = Field(default_factory=list)  # "Field = value"
    excluded: list[str] = Field(default_factory=list)  # earlier audits whose cases were left out, and how many
    population: int  # cases left after the filters
    size: int
    by: list[str] = Field(default_factory=list)
    seed: int
    method: str
    strata: list[SampleStratum] = Field(default_factory=list)
    balance: list[SampleBalance] = Field(default_factory=list)

    def largest_gap(self) -> SampleBalance | None:
        """The field value whose sample share is furthest from its population share."""
        return max(self.balance, key=lambda b: (abs(self.sample_share(b) - self.population_share(b))), default=None)

    def population_share(self, b: SampleBalance) -> float:
        return b.population / self.population if self.population else 0.0

    def sample_share(self, b: SampleBalance) -> float:
        return b.sample / self.size if self.size else 0.0


class MessageTemplate(_Record):
    """One wording of the draft emails, as typed on the Messages sheet (kept exactly as typed)."""

    message: str  # the Message column: "Issue", "Reminder" or "Rejected return"
    part: str  # the Part column: "Subject" or "Body"
    text: str = ""
    row: int = 0  # the Excel row it was read from, for messages naming its cell (0: not read from a sheet)


class MailRecord(_Record):
    """One form in one drafted email (a row of the Mail log sheet)."""

    drafted: datetime
    kind: str  # "issue", "reminder" or "rejected"
    case_ref: str
    agency: str
    auditor: str
    email: str
    attached: str  # the file attached: the issued form, or the returned file for a rejected return
    form_id: str
    draft: str  # the .eml file written


MeetingKind = Literal["Briefing", "Follow-up", "Other"]
MEETING_KINDS: tuple[str, ...] = ("Briefing", "Follow-up", "Other")


class Attendee(_Record):
    """Someone who attended a meeting, with their agency (as typed on the Meetings sheet)."""

    name: str
    agency: str = ""


class Meeting(_Record):
    """One meeting of the audit (a row of the Meetings sheet), as the coordinator typed it."""

    name: str  # the short name moderated grades and resolutions refer to, e.g. "Follow-up meeting"
    held: date | None = None
    kind: MeetingKind = "Other"
    attended: list[Attendee] = Field(default_factory=list)
    decisions: str = ""
    learning: str = ""  # learning points
    feedback: str = ""  # what worked well and not so well in conducting the audit
    typed: dict[str, str] = Field(default_factory=dict)  # "kind", "attended": as typed, written back unchanged
    row: int = 0  # the Excel row it was read from (0: not read from a sheet)


class AuditPlan(_Record):
    """Everything the coordinator workbook says about one audit."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    audit_id: str
    tool: ToolDefinition  # what this audit asks: in a focused audit, only the sections chosen
    views: ToolDefinition | None = None
    scale: GradeScale
    terms: TermsOfReference
    whole_tool: ToolDefinition | None = None  # the whole tool, when the audit is focused on some of its sections
    agencies: list[str] = Field(default_factory=lambda: list(DEFAULT_AGENCIES))
    safeguarding_leads: dict[str, SafeguardingLead] = Field(default_factory=dict)  # by agency, as on the Agencies sheet
    name_words: list[NameWord] = Field(default_factory=list)  # the Name guard sheet
    cases: list[Case] = Field(default_factory=list)
    assignments: list[Assignment] = Field(default_factory=list)
    issued: list[IssuedForm] = Field(default_factory=list)
    sample: SampleRecord | None = None  # how the cases were drawn, when xlpack sample drew them
    messages: list[MessageTemplate] = Field(default_factory=list)  # the Messages sheet, once written
    mail_log: list[MailRecord] = Field(default_factory=list)  # the Mail log sheet
    meetings: list[Meeting] = Field(default_factory=list)  # the Meetings sheet, as typed

    @property
    def definition(self) -> ToolDefinition:
        """The tool as chosen, with every section (what the workbook stores)."""
        return self.whole_tool or self.tool

    @property
    def focused(self) -> bool:
        """Whether this audit asks about only some of its tool's sections."""
        return len(self.tool.sections) < len(self.definition.sections)

    def lead(self, agency: str) -> SafeguardingLead | None:
        """The agency's safeguarding lead, if the Agencies sheet gives one (agency names compared ignoring case)."""
        key = " ".join(agency.split()).casefold()
        for name, lead in self.safeguarding_leads.items():
            if " ".join(name.split()).casefold() == key and (lead.name or lead.email):
                return lead
        return None

    def name_lists(self, *, keep_auditors: bool = False, also: Iterable[str] = ()) -> NameLists:
        """The name guard's lists: the built-in ones with the Name guard sheet's names and allowed words, and the
        names of the people the plan records (its auditors, the coordinator, the participation worker, the
        safeguarding leads), each taken whole wherever it is written, so that a surname no list holds is not left
        beside a redacted first name; with ``keep_auditors``, the audit's own auditors and those people are not
        taken for names (for the meeting pack, which the auditors read together and which names them beside
        their grades, and the coordinator and participation worker in its instructions);
        ``also``: more names known to be people's (who came to a meeting)."""
        allowed = [w.word for w in self.name_words if w.kind == NOT_A_NAME]
        known = [*sorted({a.auditor for a in self.assignments if a.auditor.strip()}), *self.people()]
        if keep_auditors:
            allowed += known
        return name_lists([*(w.word for w in self.name_words if w.kind == NAME), *also,
                           *([] if keep_auditors else known)], allowed)

    def people(self) -> list[str]:
        """The names of the people the plan itself records besides its auditors: the coordinator, the
        participation worker and the agencies' safeguarding leads (each a name wherever it is written whole)."""
        tor = self.terms
        named = [tor.coordinator, tor.participation_worker, *(lead.name for lead in self.safeguarding_leads.values())]
        return sorted({" ".join(n.split()) for n in named if n.strip()})

    def case(self, case_ref: str) -> Case | None:
        for c in self.cases:
            if c.case_ref.casefold() == case_ref.casefold():
                return c
        return None
