"""A grade given with no evidence text."""

from __future__ import annotations

from collections.abc import Iterator

from ..records import FlagRow
from .base import FlagContext, Rule, cell_ref, who


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    for form in ctx.forms:
        bare = [(sid, a) for sid, a in form.sections.items() if a.grade_rank is not None and not a.evidence.strip()]
        if not bare:
            continue
        names = "; ".join(f"{ctx.section_title(sid)} ({a.grade})" for sid, a in bare)
        yield RULE.flag(about=[form.form_id], severity="medium", case_ref=form.case_ref, agencies=[form.agency],
                        section_id=bare[0][0] if len(bare) == 1 else "",
                        cells="; ".join(cell_ref(form, a.cells.get("evidence")) for _, a in bare),
                        message=f"{who(form)} gave {len(bare)} grade(s) without evidence: {names}.")


RULE = Rule("NOEV", "grade_without_evidence", "Grade without evidence",
            "A section is graded but the evidence for the grade is empty.", check)
