"""Agencies' grades for the same case and section differ by two or more points."""

from __future__ import annotations

from collections.abc import Iterator

from ..records import FlagRow
from .base import FlagContext, Rule, section_cells

#: How far apart (in grade points) two agencies' grades must be to raise the flag.
MIN_SPREAD = 2


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    for case_ref, forms in ctx.cases():
        for sid in ctx.section_ids():
            graded = [(f, f.sections[sid]) for f in forms
                      if sid in f.sections and f.sections[sid].grade_rank is not None]
            if len({f.agency.casefold() for f, _ in graded}) < 2:
                continue
            best = min(a.grade_rank or 0 for _, a in graded)
            worst = max(a.grade_rank or 0 for _, a in graded)
            if worst - best < MIN_SPREAD:
                continue
            low = [f for f, a in graded if a.grade_rank == best]
            high = [f for f, a in graded if a.grade_rank == worst]
            if {f.agency.casefold() for f in low} == {f.agency.casefold() for f in high}:
                continue  # only one agency's two auditors differ: that is the auditor rule
            grades = "; ".join(f"{f.agency}: {a.grade}" for f, a in graded)
            yield RULE.flag(about=[case_ref, sid], severity="high", case_ref=case_ref, section_id=sid,
                            agencies=[f.agency for f in low + high], cells=section_cells(low + high, sid),
                            message=f"{ctx.section_title(sid)}: agencies' grades are {worst - best} points apart "
                                    f"({low[0].sections[sid].grade} to {high[0].sections[sid].grade}). "
                                    f"All grades: {grades}.")


RULE = Rule("DIV", "agency_divergence", "Agencies' grades 2+ points apart",
            "Two agencies' grades for the same case and section differ by two or more points.", check)
