"""Agencies' grades for the same case and section differ by two or more points."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from xlpack.analysis.flags.base import FlagContext, Rule, section_cells
from xlpack.model.records import FlagRow, FormReturn

#: How far apart (in grade points) two agencies' grades must be to raise the flag.
MIN_SPREAD = 2


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    for case_ref, forms in ctx.cases():
        for sid in ctx.section_ids():
            graded = [(f, a) for f in forms if (a := f.sections.get(sid)) is not None and a.grade_rank is not None]
            # forms at least MIN_SPREAD from a form of another agency
            apart = [(f, a) for f, a in graded
                     if any(g.agency.casefold() != f.agency.casefold()
                            and abs((b.grade_rank or 0) - (a.grade_rank or 0)) >= MIN_SPREAD for g, b in graded)]
            if not apart:
                continue
            best = min(apart, key=lambda fa: fa[1].grade_rank or 0)[1]
            worst = max(apart, key=lambda fa: fa[1].grade_rank or 0)[1]
            spread = (worst.grade_rank or 0) - (best.grade_rank or 0)
            grades = "; ".join(f"{_named(f, graded)}: {a.grade}" for f, a in graded)
            agencies = list(dict.fromkeys(f.agency for f, _ in apart))
            yield RULE.flag(about=[case_ref, sid], severity="high", case_ref=case_ref, section_id=sid,
                            agencies=agencies, cells=section_cells([f for f, _ in apart], sid),
                            message=f"{ctx.section_title(sid)}: agencies' grades are {spread} points apart "
                                    f"({best.grade} to {worst.grade}). All grades: {grades}.")


def _named(form: FormReturn, graded: Sequence[tuple[FormReturn, object]]) -> str:
    """The agency, with the auditor in brackets where the agency returned two or more forms for the case."""
    same = sum(f.agency.casefold() == form.agency.casefold() for f, _ in graded)
    return f"{form.agency} ({form.auditor})" if same > 1 else form.agency


RULE = Rule("DIV", "agency_divergence", "Agencies' grades 2+ points apart",
            "Two agencies' grades for the same case and section differ by two or more points.", check)
