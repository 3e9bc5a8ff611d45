"""The baseline's action plan rows, to set against what the re-audit found.

The rows of the baseline workbook's Action plan sheet (the SMART plan the
partnership agreed, as the coordinator left it: read back with the rest of
the consolidated audit). A workbook consolidated before that sheet existed
gets the rows consolidate would propose: one per section causing concern.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlpack import clock
from xlpack.analysis.actions import plan_actions, section_id_of, when_text
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import ToolDefinition
from xlpack.model.records import ActionRow

FROM_SHEET = "the baseline's Action plan sheet"
DERIVED = ("the baseline's sections causing concern (the baseline workbook has no Action plan sheet: these are "
           "the rows consolidate proposes)")


@dataclass(frozen=True)
class BaselineAction:
    """One row of the baseline's action plan; ``section_id`` is the baseline section it addresses ('' if none)."""

    action: str
    section: str
    section_id: str = ""
    owner: str = ""
    agency: str = ""
    by_when: str = ""
    measure: str = ""
    status: str = ""
    evidence: str = ""
    review_date: str = ""


def _of(a: ActionRow, tool: ToolDefinition) -> BaselineAction:
    """A row typed since the last consolidate has no Section id yet: matched by its Section, as consolidate would."""
    return BaselineAction(action=a.action, section=a.section, section_id=section_id_of(a, tool), owner=a.owner,
                          agency=a.agency, by_when=when_text(a.by_when), measure=a.measure, status=a.status,
                          evidence=a.impact, review_date=when_text(a.review_date))


def baseline_actions(audit: ConsolidatedAudit) -> tuple[list[BaselineAction], str]:
    """The baseline's action rows and where they came from (the sheet, or the sections causing concern)."""
    if audit.actions:
        return [_of(a, audit.plan.tool) for a in audit.actions], FROM_SHEET
    plan = audit.plan
    proposed = plan_actions([], audit.grades, plan.scale, plan.tool, clock.today(), plan.terms)  # no kept rows
    return [_of(a, plan.tool) for a in proposed], DERIVED
