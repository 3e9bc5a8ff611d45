"""A consolidated sample audit with a follow-up meeting recorded: for the meeting pack, the Meetings sheet and the
per-agency learning packs.

The sample audit's forms are filled in (tests.report.test_office's invented grades, views with and without
consent), consolidated, and then what a coordinator types after the meeting is put on the workbook: a Meetings
sheet with a briefing and a follow-up meeting, moderated grades and resolutions naming the meeting, and actions
for one agency on the Action plan. It is written by xlpack's own checked rewrite, as the Excel button leaves it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from tests.report.test_office import _fill_returns
from tests.support.audit_copy import copy_audit_folder
from xlpack.consolidate import consolidate
from xlpack.model.plan import Attendee, Meeting
from xlpack.model.records import ActionRow
from xlpack.workbook.readback import read_consolidated
from xlpack.workbook.write import analysis_writers, write_checked

TODAY = date(2026, 12, 2)
FOLLOW_UP = "Follow-up meeting"


@dataclass
class MetAudit:
    audit: Path
    returns: Path
    moderated: list[str]  # row ids moderated at the meeting
    resolved: list[str]  # flag ids resolved at the meeting


def record_meeting(audit: Path) -> tuple[list[str], list[str]]:
    """Type the meetings, two moderated grades, two resolutions and an action, as the coordinator would."""
    data = read_consolidated(audit)
    labels = [g.label for g in data.plan.scale.ranked]
    picks = [g for g in data.grades if g.grade in labels[1:]][:2]
    moderated = {g.row_id: replace(g, moderated_grade=labels[labels.index(g.grade or "") - 1],
                                   moderation_note="Agreed at the meeting.", moderation_meeting=FOLLOW_UP)
                 for g in picks}
    data.grades = [moderated.get(g.row_id, g) for g in data.grades]
    data.flags = [replace(f, resolution="Discussed and agreed.", resolution_meeting=FOLLOW_UP) if i < 2 else f
                  for i, f in enumerate(data.flags)]
    resolved = data.flags[:2]
    agency = sorted({g.agency for g in data.grades})[0]
    data.actions = [*data.actions, ActionRow(action_id="AP-90", section="Planning", action="Audit planning again.",
                                             owner="Lead auditor", agency=agency, by_when="March 2027",
                                             measure="Planning Good or better in 3 of 4 cases.", status="Not started")]
    people = [Attendee(name="Pat Coordinator", agency="Coordinator"), Attendee(name="Robin Sample", agency="Health"),
              Attendee(name="Casey Demo", agency="Police")]
    data.plan = data.plan.model_copy(update={"meetings": [
        Meeting(name="Briefing", held=date(2026, 11, 3), kind="Briefing", attended=people[:2]),
        Meeting(name=FOLLOW_UP, held=date(2026, 12, 4), kind="Follow-up", attended=people,
                decisions="Two grades moderated.\nThe urgent case was escalated on the day.",
                learning="Information sharing at strategy discussions is not recorded by every agency.",
                feedback="Auditors asked for more time between the briefing and the deadline.")]})
    writers, streams = analysis_writers(data)
    write_checked(audit, data.plan, writers, streams)
    return [g.row_id for g in picks], [f.flag_id for f in resolved]


@pytest.fixture(scope="session")
def met_audit(sample_forms: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> MetAudit:
    audit, forms = sample_forms
    root = tmp_path_factory.mktemp("met")
    work = copy_audit_folder(audit, root / "audit")
    _fill_returns(work, work.parent / forms.name, root / "returns")
    consolidate(work, [root / "returns"], today=TODAY)
    moderated, resolved = record_meeting(work)
    return MetAudit(work, root / "returns", moderated, resolved)
