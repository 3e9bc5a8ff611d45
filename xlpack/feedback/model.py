"""What a practitioner's feedback document says, as plain records: one form's sections, flags and answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SectionFeedback:
    title: str
    grade: str | None  # as returned
    moderated: str | None  # typed by the coordinator after the meeting
    note: str
    strengths: str
    development: str
    action: str

    @property
    def changed(self) -> bool:
        return bool(self.moderated) and self.moderated != self.grade


@dataclass(frozen=True)
class FlagNote:
    """A flag about the agency's record, in words that name no other agency."""

    flag_id: str
    severity: str
    title: str
    section: str
    text: str
    resolution: str


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


@dataclass(frozen=True)
class FeedbackResult:
    out_dir: Path
    index: Path
    documents: list[tuple[FormFeedback, Path]]
