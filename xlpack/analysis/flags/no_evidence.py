"""A grade given with no evidence text."""

from __future__ import annotations

from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule, who
from xlpack.model.records import FlagRow
from xlpack.wording import counted


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    return RULE.sections_of_forms(
        ctx, lambda a: a.grade_rank is not None and not a.evidence.strip(), "evidence",
        lambda form, bare: f"{who(form)} gave {counted(len(bare), 'grade')} without evidence: "
                           + "; ".join(f"{ctx.section_title(sid)} ({a.grade})" for sid, a in bare) + ".")


RULE = Rule("NOEV", "grade_without_evidence", "Grade without evidence",
            "A section is graded but the evidence for the grade is empty.", check)
