"""Expected returns missing, overdue or rejected."""

from __future__ import annotations

from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule
from xlpack.model.records import FlagRow, Severity

#: Return status -> (severity, what to say).
STATUSES: dict[str, tuple[Severity, str]] = {
    "overdue": ("medium", "is overdue: the deadline was {deadline}. Chase {auditor}."),
    "rejected": ("medium", "came back but was rejected ({detail}). Ask {auditor} to correct and return it."),
    "missing": ("low", "has not been returned yet. No deadline is set on the Terms of reference sheet."),
}


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    deadline = ctx.plan.terms.deadline
    issued = {f.form_id for f in ctx.plan.issued}
    accepted = {r.form_id for r in ctx.returns if r.status in ("accepted", "accepted_with_warnings")}
    seen: set[str] = set()
    for r in ctx.returns:
        if r.form_id not in issued or r.form_id in accepted or r.form_id in seen or r.status not in STATUSES:
            continue  # files matching no issued form are listed on the Returns sheet only
        if r.status == "missing" and deadline is not None:
            continue  # not yet due
        seen.add(r.form_id)
        severity, text = STATUSES[r.status]
        what = "The child and family views form" if r.kind == "views" else f"The form of {r.agency} ({r.auditor})"
        yield RULE.flag(about=[r.form_id], severity=severity, case_ref=r.case_ref, agencies=[r.agency], cells=r.file,
                        message=f"{what} " + text.format(deadline=f"{deadline:%d %B %Y}" if deadline else "",
                                                         auditor=r.auditor, detail=r.detail or "see Returns"))


RULE = Rule("RET", "return_missing", "Return missing, overdue or rejected",
            "An issued form has not come back by the deadline, or came back and was rejected.", check)
