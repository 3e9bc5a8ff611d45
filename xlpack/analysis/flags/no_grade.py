"""Evidence written but no grade given (or a grade that is not on the scale)."""

from __future__ import annotations

from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule, who
from xlpack.model.records import FlagRow
from xlpack.wording import counted


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    return RULE.sections_of_forms(
        ctx, lambda a: not a.grade and bool(a.evidence.strip()), "grade",
        lambda form, bare: f"{who(form)} wrote evidence but gave no grade in {counted(len(bare), 'section')}: "
                           + "; ".join(ctx.section_title(sid) for sid, _ in bare) + ".")


RULE = Rule("NOGR", "evidence_without_grade", "Evidence without grade",
            "A section has evidence text but no grade from the scale.", check)
