"""The overall grade is better than most section grades, or worse than all of them."""

from __future__ import annotations

from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule, cell_ref, closing_text, who
from xlpack.model.records import FlagRow

QUESTION = "overall_grade"


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    if not any(q.id == QUESTION for q in ctx.plan.tool.closing):
        return
    for form in ctx.forms:
        overall = ctx.plan.scale.normalise(closing_text(form, QUESTION))
        if overall is None or overall.rank is None:
            continue
        ranks = [a.grade_rank for a in form.sections.values() if a.grade_rank is not None]
        if not ranks:
            continue
        worse = sum(r > overall.rank for r in ranks)
        if worse * 2 > len(ranks):
            what = f"better than {worse} of its {len(ranks)} section grades"
        elif overall.rank > max(ranks):
            what = f"worse than all {len(ranks)} of its section grades"
        else:
            continue
        yield RULE.flag(about=[form.form_id], severity="medium", case_ref=form.case_ref, agencies=[form.agency],
                        cells=cell_ref(form, form.cells.get(f"closing.{QUESTION}")),
                        message=f"{who(form)} gave an overall grade of {overall.label}, {what}.")


RULE = Rule("OVR", "overall_inconsistent", "Overall grade out of line with sections",
            "A form's overall grade is better than most of its section grades, or worse than all of them.", check)
