"""Issue 18, item 21: Action plan rows typed with a section's title or id are matched to it; others say so."""

from __future__ import annotations

from datetime import date

from xlpack.analysis.actions import NO_LONGER, UNMATCHED, plan_actions
from xlpack.demo.sample import sample_plan
from xlpack.model.records import ActionRow

TODAY = date(2026, 12, 7)


def test_rows_typed_with_a_title_or_id_are_matched_to_their_section() -> None:
    plan = sample_plan(cases=1)
    section = plan.tool.sections[3]
    shouted = f"  {section.title.upper().replace(' ', '  ')} "
    typed = [ActionRow(action_id="", section=shouted, action="Audit supervision notes"),
             ActionRow(action_id="", section=section.id, action="Second action"),
             ActionRow(action_id="", section="Supervision, mostly", action="Something else"),
             ActionRow(action_id="", section="", action="An action about no section")]
    rows = plan_actions(typed, [], plan.scale, plan.tool, TODAY)
    assert [r.section_id for r in rows] == [section.id, section.id, "", ""]
    assert rows[0].concern.startswith(NO_LONGER) and rows[1].concern.startswith(NO_LONGER)  # matched: followed
    assert rows[2].concern == UNMATCHED and "Section not recognised" in UNMATCHED
    assert rows[3].concern == ""  # nothing typed in Section: nothing to match
    assert [r.section for r in rows] == [t.section for t in typed]  # what was typed stays as typed
