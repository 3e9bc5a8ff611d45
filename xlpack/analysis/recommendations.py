"""The few recommendations an audit's findings support, for the report and the proposed Action plan rows.

Drawn from the section figures only (case records, the one-record rule of
:mod:`xlpack.analysis.pivots`), in the one reading order of
:mod:`xlpack.analysis.verdicts`: the sections causing concern, worst first
(where none does, the weakest mixed ones), and one that builds on good
practice where a section works well or has Outstanding grades. At most
:data:`MOST` in all. Each names the agencies whose records drove it: those
whose own records of the section meet the concern threshold (for good
practice, the working-well threshold), else those that gave it an
Inadequate (an Outstanding) grade.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from xlpack.analysis.pivots import Distribution, distribution, records, section_ranking
from xlpack.analysis.verdicts import Thresholds, Verdict
from xlpack.model.definitions import GradeScale, ToolDefinition
from xlpack.model.records import GradeRow

MOST = 5

Kind = Literal["concern", "good practice"]


@dataclass(frozen=True)
class Recommendation:
    kind: Kind
    section_id: str
    section: str
    verdict: Verdict
    figure: Distribution  # the section's grades
    agencies: tuple[str, ...]  # whose records drove it, weakest (for good practice strongest) first

    @property
    def owner_agency(self) -> str:
        """The one agency that drives it, or "" where several (or none) do."""
        return self.agencies[0] if len(self.agencies) == 1 else ""


def driving_agencies(grades: Sequence[GradeRow], scale: GradeScale, section_id: str, thresholds: Thresholds,
                     kind: Kind) -> tuple[str, ...]:
    """The agencies whose records of the section meet the concern (working-well) threshold, weakest (strongest)
    first; else those with an Inadequate (Outstanding) grade there."""
    rows = [g for g in grades if g.section_id == section_id]
    wanted = "Causing concern" if kind == "concern" else "Working well"
    dist = distribution(rows, scale, "agency")
    met = []
    for agency, f in dist.items():
        if thresholds.verdict(f.good_share, f.inadequate_share) == wanted:
            key = (f.good_share or 0.0) - (f.inadequate_share or 0.0)
            met.append((key if kind == "concern" else -key, agency.casefold(), agency))
    if met:
        return tuple(a for *_, a in sorted(met))
    ranked = [g for g in scale.ranked]
    target = max(ranked, key=lambda g: g.rank or 0) if kind == "concern" else min(ranked, key=lambda g: g.rank or 0)
    found = {r.agency for r, grade, _ in records(rows) if grade == target.label}
    return tuple(sorted(found, key=str.casefold))


def _has_outstanding(grades: Sequence[GradeRow], scale: GradeScale, section_id: str) -> int:
    best = min((g for g in scale.ranked), key=lambda g: g.rank or 0).label
    return sum(1 for r in grades if r.section_id == section_id and r.final_grade == best and r.evidence.strip())


def recommendations(grades: Sequence[GradeRow], scale: GradeScale, tool: ToolDefinition,
                    thresholds: Thresholds) -> list[Recommendation]:
    """At most :data:`MOST`: concerns worst first, then one on good practice (where there is any)."""
    ids = {s.title: s.id for s in tool.sections}
    ranked = []
    for f in section_ranking(grades, scale, thresholds=thresholds):
        ranked.append((ids.get(f.key, f.key), f.key, thresholds.verdict(f.good_share, f.inadequate_share), f))
    well = [r for r in ranked if r[2] == "Working well"]
    outstanding = sorted((r for r in ranked if r[2] != "Causing concern" and _has_outstanding(grades, scale, r[0])),
                         key=lambda r: -_has_outstanding(grades, scale, r[0]))
    good = (well or outstanding)[:1]
    concern = [r for r in reversed(ranked) if r[2] == "Causing concern"]
    if not concern:
        concern = [r for r in reversed(ranked) if r[2] == "Mixed"][:2]
    out = [Recommendation("concern", sid, title, v, f, driving_agencies(grades, scale, sid, thresholds, "concern"))
           for sid, title, v, f in concern[:MOST - len(good)]]
    out += [Recommendation("good practice", sid, title, v, f,
                           driving_agencies(grades, scale, sid, thresholds, "good practice"))
            for sid, title, v, f in good]
    return out
