"""Two auditors of the same agency disagree on a section."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from xlpack.analysis.flags.base import FlagContext, Rule, section_cells
from xlpack.model.records import FlagRow, FormReturn


def check(ctx: FlagContext) -> Iterator[FlagRow]:
    for case_ref, forms in ctx.cases():
        by_agency: dict[str, list[FormReturn]] = defaultdict(list)
        for f in forms:
            by_agency[f.agency.casefold()].append(f)
        for members in by_agency.values():
            if len(members) < 2:
                continue
            for sid in ctx.section_ids():
                given = [(f, f.sections[sid]) for f in members if sid in f.sections and f.sections[sid].grade]
                if len({a.grade for _, a in given}) < 2:
                    continue
                ranks = [a.grade_rank for _, a in given if a.grade_rank is not None]
                apart = max(ranks) - min(ranks) if len(ranks) > 1 else 0
                grades = "; ".join(f"{f.auditor}: {a.grade}" for f, a in given)
                agency = members[0].agency
                yield RULE.flag(about=[case_ref, sid, agency], severity="high" if apart >= 2 else "medium",
                                case_ref=case_ref, section_id=sid, agencies=[agency],
                                cells=section_cells([f for f, _ in given], sid),
                                message=f"{ctx.section_title(sid)}: the two auditors of {agency} disagree ({grades}).")


RULE = Rule("PAIR", "auditor_disagreement", "Auditors of one agency disagree",
            "Two auditors of the same agency gave a section different grades.", check)
