"""The action plan: one proposed row per section causing concern, and the coordinator's rows kept.

:func:`plan_actions` takes the rows already on the Action plan sheet (as
the coordinator left them) and the latest grades: every row is kept as
typed, in its order; a section newly causing concern gets a proposed row;
a row whose section no longer causes concern is marked, never deleted. A
proposed row the coordinator deleted (its id is among those proposed
before, and it is no longer on the sheet) stays deleted: the sheet tells
them to delete what the partnership does not adopt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from xlpack.analysis.pivots import GOOD_SHARE, INADEQUATE_SHARE, distribution, section_ranking, share_value
from xlpack.analysis.verdicts import verdict
from xlpack.model.definitions import GradeScale, ToolDefinition
from xlpack.model.records import ActionRow, GradeRow

CONCERN = "Causing concern"
NO_LONGER = "No longer of concern"
STARTED = "Not started"


def sections_of_concern(grades: Sequence[GradeRow], scale: GradeScale,
                        tool: ToolDefinition) -> list[tuple[str, str, float | None, float | None]]:
    """(section id, title, share Good or better, share Inadequate) of each section causing concern, worst first."""
    ids = {s.title: s.id for s in tool.sections}
    out = []
    for title, row in section_ranking(grades, scale).iterrows():
        good, bad = share_value(row[GOOD_SHARE]), share_value(row[INADEQUATE_SHARE])
        if verdict(good, bad) == CONCERN:
            out.append((ids.get(str(title), str(title)), str(title), good, bad))
    return list(reversed(out))


def agencies_of_concern(grades: Sequence[GradeRow], scale: GradeScale, section_id: str) -> list[str]:
    """Agencies whose grades in a section meet the concern threshold, weakest first."""
    rows = [g for g in grades if g.section_id == section_id]
    weak = []
    for agency, row in distribution(rows, scale, "agency").iterrows():
        good, bad = share_value(row[GOOD_SHARE]), share_value(row[INADEQUATE_SHARE])
        if verdict(good, bad) == CONCERN:
            weak.append((good or 0.0, -(bad or 0.0), str(agency).casefold(), str(agency)))
    return [a for *_, a in sorted(weak)]


def when_text(value: date | str | None) -> str:
    """An action's date as the sheet and the report show it: dd/mm/yyyy, or the words typed ("March 2027")."""
    return f"{value:%d/%m/%Y}" if isinstance(value, date) else (value or "")


def proposed_action(section_id: str, title: str, good: float | None, bad: float | None,
                    agencies: Sequence[str]) -> ActionRow:
    return ActionRow(
        action_id=f"AP-{section_id}", section_id=section_id, section=title,
        action=f"Improve practice in {title.lower()}: agree the specific action at the meeting.",
        agency="; ".join(agencies) if agencies else "All agencies",
        measure=("At re-audit, Good or better in at least three quarters of graded audits and none Inadequate "
                 "(the report gives the section's figures now)."),
        status=STARTED, concern=CONCERN)


def plan_actions(kept: Sequence[ActionRow], grades: Sequence[GradeRow], scale: GradeScale, tool: ToolDefinition,
                 today: date, proposed: set[str] | None = None) -> list[ActionRow]:
    """The Action plan rows after this consolidation: the kept rows first, as they were, then new proposals.

    ``proposed``: the ids of the rows proposed at earlier consolidations; one of them no longer kept was deleted
    on purpose and is not proposed again. The ids proposed now are added to it.
    """
    proposed = proposed if proposed is not None else set()
    deleted = proposed - {r.action_id for r in kept}
    concern = sections_of_concern(grades, scale, tool)
    concerning = {sid for sid, *_ in concern}
    out: list[ActionRow] = []
    used = {r.action_id for r in kept if r.action_id}
    counter = 1
    for row in kept:
        update: dict[str, object] = {}
        if not row.action_id:  # a row the coordinator added: it gets an id of its own, kept from now on
            while f"AP-{counter}" in used:
                counter += 1
            update["action_id"] = f"AP-{counter}"
            used.add(f"AP-{counter}")
        if row.section_id:
            if row.section_id in concerning:
                update["concern"] = CONCERN
            elif not row.concern.startswith(NO_LONGER):
                update["concern"] = f"{NO_LONGER} (since {today:%d/%m/%Y})"
        out.append(row.model_copy(update=update) if update else row)
    addressed = {r.section_id for r in out if r.section_id}
    for sid, title, good, bad in concern:
        if sid not in addressed and f"AP-{sid}" not in deleted:
            out.append(proposed_action(sid, title, good, bad, agencies_of_concern(grades, scale, sid)))
            proposed.add(out[-1].action_id)
    return out
