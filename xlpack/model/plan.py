"""The audit plan: terms of reference, cases, assignments, issued forms.

These records are what the coordinator types into the coordinator
workbook; :mod:`xlpack.coordinator` reads and writes them.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field

from xlpack.model.definitions import GradeScale, ToolDefinition

#: Agencies named in the guidance; the coordinator may edit the list.
DEFAULT_AGENCIES: tuple[str, ...] = (
    "Children's social care",
    "Health",
    "CAMHS",
    "School or education",
    "Police",
    "Early years",
    "Voluntary sector",
    "Adult services",
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
    today = today or date.today()
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


class AuditPlan(_Record):
    """Everything the coordinator workbook says about one audit."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    audit_id: str
    tool: ToolDefinition
    views: ToolDefinition | None = None
    scale: GradeScale
    terms: TermsOfReference
    agencies: list[str] = Field(default_factory=lambda: list(DEFAULT_AGENCIES))
    cases: list[Case] = Field(default_factory=list)
    assignments: list[Assignment] = Field(default_factory=list)
    issued: list[IssuedForm] = Field(default_factory=list)

    def case(self, case_ref: str) -> Case | None:
        for c in self.cases:
            if c.case_ref.casefold() == case_ref.casefold():
                return c
        return None
