"""The action plan: one proposed row per recommendation, and the coordinator's rows kept.

:func:`plan_actions` takes the rows already on the Action plan sheet (as
the coordinator left them) and the latest grades: every row is kept as
typed, in its order; a recommendation (:mod:`xlpack.analysis.recommendations`)
on a section no row addresses yet gets a proposed row, with the agency that
drives it (where one does), a measure from the audit's own figure and the
partnership's threshold, and the re-audit date of the Terms of reference;
a row whose section no longer causes concern is marked, never deleted. A
proposed row the coordinator deleted (its id is among those proposed
before, and it is no longer on the sheet) stays deleted: the sheet tells
them to delete what the partnership does not adopt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from xlpack.analysis.pivots import count_text, distribution, section_ranking
from xlpack.analysis.recommendations import Recommendation, recommendations
from xlpack.analysis.verdicts import DEFAULT, Thresholds
from xlpack.model.definitions import GradeScale, ToolDefinition
from xlpack.model.plan import TermsOfReference
from xlpack.model.records import ActionRow, GradeRow

CONCERN = "Causing concern"
GOOD_PRACTICE = "Good practice to build on"
NO_LONGER = "No longer of concern"
UNMATCHED = ("Section not recognised: type a section's title (or id) as the Grades sheet gives it, to see how it "
             "fares")
STARTED = "Not started"


def sections_of_concern(grades: Sequence[GradeRow], scale: GradeScale, tool: ToolDefinition,
                        thresholds: Thresholds = DEFAULT) -> list[tuple[str, str, float | None, float | None]]:
    """(section id, title, share Good or better, share Inadequate) of each section causing concern, worst first."""
    ids = {s.title: s.id for s in tool.sections}
    out = []
    for d in section_ranking(grades, scale, thresholds=thresholds):
        good, bad = d.good_share, d.inadequate_share
        if thresholds.verdict(good, bad) == CONCERN:
            out.append((ids.get(d.key, d.key), d.key, good, bad))
    return list(reversed(out))


def agencies_of_concern(grades: Sequence[GradeRow], scale: GradeScale, section_id: str,
                        thresholds: Thresholds = DEFAULT) -> list[str]:
    """Agencies whose grades in a section meet the concern threshold, weakest first."""
    rows = [g for g in grades if g.section_id == section_id]
    weak = []
    for agency, d in distribution(rows, scale, "agency").items():
        good, bad = d.good_share, d.inadequate_share
        if thresholds.verdict(good, bad) == CONCERN:
            weak.append((good or 0.0, -(bad or 0.0), agency.casefold(), agency))
    return [a for *_, a in sorted(weak)]


def when_text(value: date | str | None) -> str:
    """An action's date as the sheet and the report show it: dd/mm/yyyy, or the words typed ("March 2027")."""
    return f"{value:%d/%m/%Y}" if isinstance(value, date) else (value or "")


#: Why a count of case records can be a fraction, where a sentence stands alone (the report says it in its method).
FRACTION_WHY = "; not a whole number because an agency's forms for one case share that case's one count"


def measure(rec: Recommendation, thresholds: Thresholds, proposed: date | None = None) -> str:
    """The measure of success: the partnership's working-well threshold, against the audit's own figure (in a
    row kept on the Action plan sheet, dated: later moderation may change the figure, which the report gives
    beside it)."""
    f = rec.figure
    when = f"when proposed on {proposed:%d/%m/%Y}" if proposed else "at this audit"
    # read on its own on the Action plan sheet: a count that is not whole says why there
    shared = "" if count_text(f.graded).isdigit() else FRACTION_WHY
    now = (f"{when}: Good or better in {f.good_text}, Inadequate in {f.inadequate_text}, of "
           f"{count_text(f.graded)} graded case records{shared}")
    target = (f"Good or better in at least {thresholds.well_good}% and Inadequate in under "
              f"{thresholds.well_inadequate}% of graded case records")
    if rec.kind == "good practice" and rec.verdict == "Working well":  # a mixed section is not working well yet
        return f"At the re-audit, {rec.section} still working well: {target} ({now})."
    return f"At the re-audit, {rec.section} working well: {target} ({now})."


def agree_with(agencies: Sequence[str]) -> str:
    """Who a change is agreed with: the one agency whose records drove a concern, by name, else "the agencies"."""
    return agencies[0] if len(agencies) == 1 else "the agencies"


def _whose(agencies: Sequence[str]) -> str:
    """" in the records of Health", "... of Health and Police", or "... of 5 agencies" (the Agency column names
    them)."""
    if not agencies:
        return ""
    if len(agencies) <= 2:
        return " in the records of " + " and ".join(agencies)
    return f" in the records of {len(agencies)} agencies"


def proposed_action(rec: Recommendation, thresholds: Thresholds, reaudit: date | None,
                    proposed: date | None = None) -> ActionRow:
    """The proposed Action plan row for one recommendation."""
    if rec.kind == "good practice":
        action = (f"Share what makes {rec.section.lower()} work well{_whose(rec.agencies)} with every agency, and "
                  "build it into practice guidance.")
    else:
        action = (f"Find out why {rec.section.lower()} falls short{_whose(rec.agencies)}, and agree with "
                  f"{agree_with(rec.agencies)} what will change.")
    return ActionRow(
        action_id=f"AP-{rec.section_id}", section_id=rec.section_id, section=rec.section, action=action,
        agency=rec.owner_agency or ("; ".join(rec.agencies) or "All agencies"), by_when=reaudit,
        review_date=reaudit, measure=measure(rec, thresholds, proposed), status=STARTED,
        concern=GOOD_PRACTICE if rec.kind == "good practice" else CONCERN)


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _sections_by_name(tool: ToolDefinition) -> dict[str, str]:
    """A section's id by its id and by its title, case and spacing ignored."""
    return {_key(name): s.id for s in tool.sections for name in (s.id, s.title)}


def section_id_of(row: ActionRow, tool: ToolDefinition) -> str:
    """The id of the section an Action plan row addresses: its Section id, else its Section typed as a section's
    id or title (case and spacing ignored); '' if none matches."""
    return row.section_id or _sections_by_name(tool).get(_key(row.section), "")


def plan_actions(kept: Sequence[ActionRow], grades: Sequence[GradeRow], scale: GradeScale, tool: ToolDefinition,
                 today: date, terms: TermsOfReference | None = None,
                 proposed: set[str] | None = None) -> list[ActionRow]:
    """The Action plan rows after this consolidation: the kept rows first, as they were, then new proposals.

    ``proposed``: the ids of the rows proposed at earlier consolidations; one of them no longer kept was deleted
    on purpose and is not proposed again. The ids proposed now are added to it.
    """
    proposed = proposed if proposed is not None else set()
    deleted = proposed - {r.action_id for r in kept}
    thresholds = Thresholds.of(terms)
    concerning = {sid for sid, *_ in sections_of_concern(grades, scale, tool, thresholds)}
    out: list[ActionRow] = []
    used = {r.action_id for r in kept if r.action_id}
    counter = 1
    sections = _sections_by_name(tool)
    for row in kept:
        update: dict[str, Any] = {}
        if not row.section_id and row.section.strip():  # typed by the coordinator: matched by id or title
            found = sections.get(_key(row.section))
            if found is None:
                update["concern"] = UNMATCHED
            else:
                row = replace(row, section_id=found)
        if not row.action_id:  # a row the coordinator added: it gets an id of its own, kept from now on
            while f"AP-{counter}" in used:
                counter += 1
            update["action_id"] = f"AP-{counter}"
            used.add(f"AP-{counter}")
        if row.section_id and row.concern != GOOD_PRACTICE:
            if row.section_id in concerning:
                update["concern"] = CONCERN
            elif not row.concern.startswith(NO_LONGER):
                update["concern"] = f"{NO_LONGER} (since {today:%d/%m/%Y})"
        out.append(replace(row, **update) if update else row)
    addressed = {r.section_id for r in out if r.section_id}
    reaudit = terms.reaudit_date if terms else None
    for rec in recommendations(grades, scale, tool, thresholds):
        if rec.section_id not in addressed and f"AP-{rec.section_id}" not in deleted:
            out.append(proposed_action(rec, thresholds, reaudit, today))
            proposed.add(out[-1].action_id)
    return out
