"""How far agencies agree about a case.

For each case and section graded by two or more agencies: the spread of
the agencies' grades and whether all lie within one grade of each other;
over the whole audit, the share of such case-sections within one grade and
Krippendorff's alpha for ordinal data (1 = full agreement, 0 = no better
than chance). NA, No evidence and blanks take no part. Agencies are
compared, not forms: an agency with two or more forms for a case gives one
grade, its record's (:func:`agency_rank`, the one-record rule of
:mod:`xlpack.analysis.pivots`).

How to read alpha is said once, here (:data:`ALPHA_GUIDE`, :func:`alpha_reading`),
for the workbook's Agreement sheet and the report alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations

from xlpack.model.definitions import GradeScale
from xlpack.model.records import GradeRow

#: Krippendorff's conventional cut-offs: (lowest alpha, reading), best first; below the last, "low".
ALPHA_READINGS: tuple[tuple[float, str], ...] = ((0.8, "reliable"), (0.667, "tentative"))
ALPHA_LOW = "low"
ALPHA_GUIDE = ("Krippendorff's alpha (ordinal) runs from 1, full agreement, through 0, no better than chance; "
               "below 0 the grades disagree systematically. 0.80 or more is read as reliable agreement, 0.667 to "
               "0.80 as tentative, below 0.667 as low.")


def alpha_reading(alpha: float | None) -> str | None:
    """"reliable", "tentative" or "low" (:data:`ALPHA_READINGS`); None when alpha could not be computed."""
    if alpha is None:
        return None
    return next((reading for lowest, reading in ALPHA_READINGS if alpha >= lowest), ALPHA_LOW)


def alpha_text(alpha: float | None) -> str:
    """Alpha to two decimals ("0.77"), or more where two would round it across a cut-off (0.6666 is "0.6666",
    not "0.67", which would read as tentative); a dash when it could not be computed."""
    if alpha is None:
        return "–"
    for places in range(2, 7):
        text = f"{alpha:.{places}f}"
        if alpha_reading(float(text)) == alpha_reading(alpha):
            return text
    return text


@dataclass(frozen=True)
class UnitAgreement:
    case_ref: str
    section_id: str
    section_title: str
    section_order: int
    ranks: tuple[float, ...]  # one per agency that graded the section (its record's grade), ordered by agency
    agencies: tuple[str, ...]
    grades: tuple[str, ...] = ()  # each agency's grade(s) in words, auditors named where an agency has two forms

    @property
    def spread(self) -> float:
        return max(self.ranks) - min(self.ranks)

    @property
    def within_one(self) -> bool:
        return self.spread <= 1


def agency_rank(members: Sequence[GradeRow], rank: Mapping[str, int | None], moderated: bool) -> float:
    """One agency's grade of a case section: its one moderated grade where typed (after moderation), else its
    forms' grade where they agree, else the mean of their ranks (the forms share the record)."""
    typed = {m.moderated_grade for m in members if m.moderated_grade}
    if moderated and len(typed) == 1:
        return float(rank[typed.pop() or ""] or 0)
    values = [rank[(m.final_grade if moderated else m.grade) or ""] or 0 for m in members]
    return sum(values) / len(values)


def units(rows: Iterable[GradeRow], scale: GradeScale, *, moderated: bool = True) -> list[UnitAgreement]:
    """Case × section units graded by at least two agencies, one grade per agency (:func:`agency_rank`)."""
    rank = {g.label: g.rank for g in scale.grades if g.rank is not None}
    grouped: dict[tuple[str, str], dict[str, list[GradeRow]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        grade = r.final_grade if moderated else r.grade
        if grade in rank:
            grouped[(r.case_ref, r.section_id)][" ".join(r.agency.split()).casefold()].append(r)
    out = []
    for (case, section), by_agency in grouped.items():
        if len(by_agency) < 2:
            continue
        records = sorted(by_agency.values(), key=lambda ms: ms[0].agency.casefold())
        first = records[0][0]
        out.append(UnitAgreement(case, section, first.section_title, first.section_order,
                                 tuple(agency_rank(ms, rank, moderated) for ms in records),
                                 tuple(ms[0].agency for ms in records),
                                 tuple(record_words(ms, moderated) for ms in records)))
    out.sort(key=lambda u: (u.case_ref.casefold(), u.section_order))
    return out


def record_words(members: Sequence[GradeRow], moderated: bool) -> str:
    """An agency's grade(s) of a case section: "Good", or with two forms "Good (J. Marsh) / Inadequate (A. Rowe)"."""
    def grade(m: GradeRow) -> str:
        return (m.final_grade if moderated else m.grade) or ""

    if len({grade(m) for m in members}) == 1:
        return grade(members[0])
    ordered = sorted(members, key=lambda m: m.auditor.casefold())
    return " / ".join(f"{grade(m)} ({m.auditor})" for m in ordered)


def within_one_share(us: Sequence[UnitAgreement]) -> float | None:
    return sum(u.within_one for u in us) / len(us) if us else None


def krippendorff_alpha_ordinal(unit_values: Iterable[Sequence[float]]) -> float | None:
    """Krippendorff's alpha with the ordinal distance metric.

    ``unit_values``: for each unit, the values the coders gave (missing
    values left out). Units with fewer than two values are not pairable
    and are ignored. None when there is no variation to judge by.
    """
    pairable = [list(v) for v in unit_values if len(v) >= 2]
    if not pairable:
        return None
    coincidence: defaultdict[tuple[float, float], float] = defaultdict(float)
    for values in pairable:
        m = len(values)
        for a, b in permutations(range(m), 2):
            coincidence[(values[a], values[b])] += 1 / (m - 1)
    categories = sorted({c for pair in coincidence for c in pair})
    n_c = {c: sum(w for (a, _), w in coincidence.items() if a == c) for c in categories}
    n = sum(n_c.values())

    def delta(c: float, k: float) -> float:
        lo, hi = min(c, k), max(c, k)
        between = sum(n_c[g] for g in categories if lo <= g <= hi)
        return (between - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum(w * delta(c, k) for (c, k), w in coincidence.items())
    expected = sum(n_c[c] * n_c[k] * delta(c, k) for c in categories for k in categories) / (n - 1)
    if expected == 0:
        return None
    return 1 - observed / expected


def audit_alpha(us: Sequence[UnitAgreement]) -> float | None:
    return krippendorff_alpha_ordinal(u.ranks for u in us)
