"""Urgent: an auditor answered No or Unsure to "Is the child adequately safeguarded now?"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from xlpack.analysis.flags.base import FlagContext, Rule, cell_ref, closing_text, excerpt, who
from xlpack.model.records import FlagRow

QUESTION = "safeguarded_now"
ACTION = "safeguarding_action"
#: Answers that put a flag at the top of the list.
NOT_SAFE = ("no", "unsure")
#: The instruction ending an urgent flag's message, left off where the coordinator has typed a resolution.
CHECK_TODAY = "Check today that the child is safe."


#: The kind of the Mail log's records of a safeguarding alert (drafted by xlpack.mail.alerts).
ALERT_KIND = "alert"


def alerts_drafted(ctx: FlagContext) -> dict[str, date]:
    """The day the first safeguarding alert was drafted for each form, from the Mail log."""
    out: dict[str, date] = {}
    for r in ctx.plan.mail_log:
        if r.kind == ALERT_KIND and (r.form_id not in out or r.drafted.date() < out[r.form_id]):
            out[r.form_id] = r.drafted.date()
    return out


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    if not any(q.id == QUESTION for q in ctx.plan.tool.closing):
        return
    drafted = alerts_drafted(ctx)
    for form in ctx.forms:
        said = closing_text(form, QUESTION)
        if said.casefold() in NOT_SAFE:
            action = closing_text(form, ACTION)
            done = f" What was done: {excerpt(action, 300)}" if action else " No action is recorded on the form."
            alert = f" Alert drafted on {drafted[form.form_id]:%d/%m/%Y}." if form.form_id in drafted else ""
            yield RULE.flag(about=[form.form_id], severity="urgent", case_ref=form.case_ref, agencies=[form.agency],
                            cells=cell_ref(form, form.cells.get(f"closing.{QUESTION}")),
                            message=f"{who(form)} answered '{said}' to 'Is the child adequately safeguarded "
                                    f"now?'.{done}{alert} {CHECK_TODAY}")
        elif not said:
            yield RULE.flag(about=[form.form_id], severity="high", case_ref=form.case_ref, agencies=[form.agency],
                            cells=cell_ref(form, form.cells.get(f"closing.{QUESTION}")),
                            message=f"{who(form)} did not answer 'Is the child adequately safeguarded now?'. "
                                    "Ask the auditor.")


RULE = Rule("SAFE", "not_safeguarded", "Child not adequately safeguarded now?",
            "An auditor answered No or Unsure (or nothing) to 'Is the child adequately safeguarded now?'.", check)
