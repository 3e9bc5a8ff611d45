"""Issue 18, item 21: Action plan rows typed with a section's title or id are matched to it; others say so."""

from __future__ import annotations

from datetime import date

from xlpack.analysis.actions import FRACTION_WHY, NO_LONGER, UNMATCHED, measure, plan_actions
from xlpack.analysis.pivots import overall
from xlpack.analysis.recommendations import Recommendation
from xlpack.analysis.verdicts import Thresholds
from xlpack.demo.sample import sample_plan
from xlpack.model.records import ActionRow, GradeRow

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


def _row(case: str, agency: str, auditor: str, grade: str) -> GradeRow:
    return GradeRow(row_id=f"{case}-{agency}-{auditor}:plan", form_id=f"{case}-{agency}-{auditor}", case_ref=case,
                    agency=agency, auditor=auditor, tool_id="t", section_id="plan", section_title="The plan",
                    section_order=1, grade=grade)


def test_a_measure_read_on_its_own_says_why_its_count_is_a_fraction() -> None:
    """The Action plan's measure stands alone on its row: a count of 2.5 case records says why it is not whole."""
    plan = sample_plan(cases=1)
    shared = [_row("CP-1", "Health", "A", "Good"), _row("CP-1", "Health", "B", "No evidence"),  # one record
              _row("CP-1", "Police", "C", "Inadequate"), _row("CP-2", "Police", "D", "Good")]
    whole = [_row("CP-1", "Health", "A", "Good"), _row("CP-1", "Police", "C", "Inadequate")]
    texts = []
    for rows in (shared, whole):
        figure = overall(rows, plan.scale)
        rec = Recommendation(kind="concern", section_id="plan", section="The plan", verdict="Causing concern",
                             figure=figure, agencies=("Police",))
        texts.append(measure(rec, Thresholds(), date(2026, 12, 1)))
    assert texts[0].endswith("(when proposed on 01/12/2026: Good or better in 60%, Inadequate in 40%, of 2.5 "
                             f"graded case records{FRACTION_WHY}).")
    # recounted: Health's one record is a half Good and a half No evidence (not graded), Police's two records one
    # Good and one Inadequate: 1.5 Good and 1 Inadequate of 2.5 graded
    assert texts[1].endswith("(when proposed on 01/12/2026: Good or better in 50%, Inadequate in 50%, of 2 "
                             "graded case records).")
