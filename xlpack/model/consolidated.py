"""The consolidated audit: everything consolidate writes and the report reads.

A :class:`ConsolidatedAudit` is built from the plan and the accepted
returns (:mod:`xlpack.consolidate`) and read back from the coordinator
workbook (:func:`xlpack.workbook.readback.read_consolidated`), so what the
coordinator typed there - moderated grades, notes, flag resolutions - is
part of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from xlpack.model.plan import AuditPlan
from xlpack.model.records import ActionRow, FlagRow, FormSummary, GradeRow, ProblemRow, ReturnRow, ViewsRow

OrphanKind = Literal["grade", "flag"]


class OrphanRow(BaseModel):
    """Something the coordinator typed whose row has gone (e.g. a form later rejected).

    Kept on the Orphaned sheet until its row comes back (then it is put back
    on the row) or the coordinator deletes it.
    """

    model_config = ConfigDict(extra="forbid")

    kind: OrphanKind  # "grade": a Grades row (key = row id); "flag": a Flags row (key = flag id)
    key: str
    column: str  # the column it was typed in, as the sheet names it ("Moderated grade", "Resolution")
    value: str
    context: str = ""  # case, agency, section: enough for a person to recognise the row
    since: datetime | None = None  # when consolidate first found the row gone


class ConsolidatedAudit(BaseModel):
    """The plan plus the consolidated returns, grades, flags and views of one audit."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    plan: AuditPlan
    returns: list[ReturnRow] = Field(default_factory=list)
    problems: list[ProblemRow] = Field(default_factory=list)  # every problem in the returned files
    grades: list[GradeRow] = Field(default_factory=list)
    summaries: list[FormSummary] = Field(default_factory=list)
    flags: list[FlagRow] = Field(default_factory=list)
    views: list[ViewsRow] = Field(default_factory=list)
    orphaned: list[OrphanRow] = Field(default_factory=list)
    actions: list[ActionRow] = Field(default_factory=list)  # the Action plan sheet, as the coordinator keeps it
    proposed_actions: list[str] = Field(default_factory=list)  # ids of every row xlpack ever proposed there
    consolidated_at: datetime | None = None

    def summary(self, form_id: str) -> FormSummary | None:
        for s in self.summaries:
            if s.form_id == form_id:
                return s
        return None
