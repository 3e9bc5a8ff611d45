"""The auditor declared involvement in the case (or did not confirm independence)."""

from __future__ import annotations

from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule, cell_ref, closing_text, who
from xlpack.model.records import FlagRow

QUESTION = "no_involvement"


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    question = next((q for q in ctx.plan.tool.closing if q.id == QUESTION), None)
    if question is None:
        return
    confirm = (question.choices or ("Yes",))[0].casefold()
    for form in ctx.forms:
        said = closing_text(form, QUESTION)
        if said.casefold() == confirm:
            continue
        cells = cell_ref(form, form.cells.get(f"closing.{QUESTION}"))
        if said:
            yield RULE.flag(about=[form.form_id], severity="high", case_ref=form.case_ref, agencies=[form.agency],
                            cells=cells, message=f"{who(form)} declared: '{said}'. An auditor should not audit a "
                                                 "case they managed or worked on: weigh or re-audit this form.")
        else:
            yield RULE.flag(about=[form.form_id], severity="low", case_ref=form.case_ref, agencies=[form.agency],
                            cells=cells, message=f"{who(form)} did not confirm having no involvement in the case.")


RULE = Rule("INV", "auditor_involved", "Auditor involved in the case",
            "The auditor declared involvement in, or management of, the case, or did not confirm independence.",
            check)
