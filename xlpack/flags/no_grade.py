"""Evidence written but no grade given (or a grade that is not on the scale)."""

from __future__ import annotations

from collections.abc import Iterator

from ..records import FlagRow
from .base import FlagContext, Rule, cell_ref, who


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    for form in ctx.forms:
        bare = [(sid, a) for sid, a in form.sections.items() if not a.grade and a.evidence.strip()]
        if not bare:
            continue
        names = "; ".join(ctx.section_title(sid) for sid, _ in bare)
        yield RULE.flag(about=[form.form_id], severity="medium", case_ref=form.case_ref, agencies=[form.agency],
                        section_id=bare[0][0] if len(bare) == 1 else "",
                        cells="; ".join(cell_ref(form, a.cells.get("grade")) for _, a in bare),
                        message=f"{who(form)} wrote evidence but gave no grade in {len(bare)} section(s): {names}.")


RULE = Rule("NOGR", "evidence_without_grade", "Evidence without grade",
            "A section has evidence text but no grade from the scale.", check)
