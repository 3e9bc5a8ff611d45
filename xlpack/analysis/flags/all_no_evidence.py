"""'No evidence' used for a whole form: nothing on the form is graded."""

from __future__ import annotations

from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule, cell_ref, who
from xlpack.model.records import FlagRow

NO_EVIDENCE_CODE = "NE"


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    for form in ctx.forms:
        answers = list(form.sections.values())
        ne = [a for a in answers if (a.grade_code or "").upper() == NO_EVIDENCE_CODE]
        if not ne or any(a.grade_rank is not None for a in answers):
            continue
        yield RULE.flag(about=[form.form_id], severity="medium", case_ref=form.case_ref, agencies=[form.agency],
                        cells=cell_ref(form, None),
                        message=f"{who(form)} graded no section: 'No evidence' in {len(ne)} of {len(answers)} "
                                "sections. Was the right record audited, or is the agency's record empty?")


RULE = Rule("ALLNE", "no_evidence_whole_form", "No evidence on the whole form",
            "Every section of a form is 'No evidence' (or not applicable): nothing is graded.", check)
