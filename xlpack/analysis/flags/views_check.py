"""A conversation on a child and family views form the coordinator should check before its words are used.

Raised when views are said to be a child's under the partnership's age
(Terms of reference; 4 by default), or when the conversation is dated
before the sample was drawn (it cannot be about this audit) or after the
return deadline.
"""

from __future__ import annotations

from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule, cell_ref
from xlpack.analysis.views import answer_id, conversations_of, view_checks
from xlpack.model.records import FlagRow


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    definition = ctx.plan.views
    for form in ctx.views_forms:
        answers = {**form.fields, **form.closing}
        for c in conversations_of(form.case_ref, form.form_id, answers, definition):
            found = view_checks(c, ctx.plan)
            if not found:
                continue
            cells = [form.cells.get(f"closing.{answer_id(definition, c.number, b)}") for b in ("given_by", "date")]
            yield RULE.flag(about=[form.form_id, str(c.number)], severity="medium", case_ref=form.case_ref,
                            agencies=[form.agency], cells="; ".join(cell_ref(form, x) for x in cells if x),
                            message=f"Views form, conversation {c.number}: " + "; ".join(found) + ".")


RULE = Rule("VIEW", "views_check", "Child's views to check",
            "Views said to be a very young child's, or a conversation dated before the draw or after the deadline.",
            check)
