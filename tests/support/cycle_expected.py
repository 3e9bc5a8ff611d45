"""Expected figures of a comparison, worked out from the planted grades with plain loops.

Nothing here calls xlpack's pivots, comparison or test code: shares are
counted by hand and Fisher's exact test is summed from factorials with
exact fractions (a different route from xlpack's binomial coefficients).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from math import factorial

from tests.support.cycle_scenario import RANK, Built


@dataclass(frozen=True)
class Expected:
    graded: int
    good: int
    inadequate: int
    counts: Counter[str]

    @property
    def good_share(self) -> float | None:
        return self.good / self.graded if self.graded else None

    @property
    def inadequate_share(self) -> float | None:
        return self.inadequate / self.graded if self.graded else None


def tally(grades: Iterable[str | None]) -> Expected:
    grades = list(grades)
    ranked = [RANK[g] for g in grades if g in RANK]
    return Expected(len(ranked), sum(r <= 2 for r in ranked), sum(r == 4 for r in ranked),
                    Counter(g or "Blank" for g in grades))


def by_section(b: Built, final: dict[tuple[str, str], str | None] | None = None) -> dict[str, Expected]:
    """Section title -> tally over every used form; ``final`` overrides (form id, section id) grades."""
    final = final or {}
    return {s.title: tally(final.get((fid, s.id), grades[s.id]) for fid, grades in b.planted.items())
            for s in b.plan.tool.sections}


def by_agency(b: Built) -> dict[str, Expected]:
    agencies: dict[str, list[str | None]] = {}
    for fid, grades in b.planted.items():
        agencies.setdefault(b.form(fid).agency, []).extend(grades.values())
    return {a: tally(g) for a, g in agencies.items()}


def overall(b: Built) -> Expected:
    return tally(g for grades in b.planted.values() for g in grades.values())


def fisher_by_factorials(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher p: the hypergeometric probability of each table with these margins, from factorials."""
    r1, r2, c1 = a + b, c + d, a + c
    n = r1 + r2

    def prob(x: int) -> Fraction:
        return Fraction(factorial(r1) * factorial(r2) * factorial(c1) * factorial(n - c1),
                        factorial(x) * factorial(r1 - x) * factorial(c1 - x) * factorial(r2 - c1 + x) * factorial(n))

    observed = prob(a)
    tables = range(max(0, c1 - r2), min(c1, r1) + 1)
    return float(sum(p for p in map(prob, tables) if p <= observed))


def p_between(before: Expected, after: Expected, which: str) -> float:
    hits = (before.good, after.good) if which == "good" else (before.inadequate, after.inadequate)
    return fisher_by_factorials(hits[0], before.graded - hits[0], hits[1], after.graded - hits[1])
