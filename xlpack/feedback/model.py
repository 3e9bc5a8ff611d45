"""What a practitioner's feedback document says, as plain records: one form's sections, flags and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

#: Flags to act on first: at the top of a document, and counted in the index.
ACT_FIRST = ("urgent", "high")


@dataclass(frozen=True)
class SectionFeedback:
    title: str
    grade: str | None  # as returned
    moderated: str | None  # typed by the coordinator after the meeting
    note: str
    strengths: str
    development: str
    action: str
    evidence: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.moderated) and self.moderated != self.grade


@dataclass(frozen=True)
class FlagNote:
    """A flag about the agency's record, in words that name no other agency."""

    flag_id: str
    severity: str
    title: str  # the rule's title: flags of one rule are shown together
    section: str
    text: str  # what the flag says; for a flag shared with other agencies, the rule's own words (the same for each)
    resolution: str
    detail: str = ""  # for a shared flag: this agency's own grade


@dataclass
class FormFeedback:
    """Everything one feedback document says."""

    form_id: str
    case_ref: str
    agency: str
    auditor: str
    role: str = ""
    email: str = ""
    sections: list[SectionFeedback] = field(default_factory=list)
    flags: list[FlagNote] = field(default_factory=list)
    overall_grade: str | None = None
    safeguarded_now: str | None = None
    safeguarding_action: str = ""
    file_name: str = ""

    @property
    def moderated(self) -> int:
        return sum(s.changed for s in self.sections)

    @property
    def act_first(self) -> int:
        """The urgent and high flags in the document."""
        return sum(1 for f in self.flags if f.severity in ACT_FIRST)


@dataclass(frozen=True)
class FeedbackResult:
    out_dir: Path
    index: Path
    documents: list[tuple[FormFeedback, Path]]
