"""Is a change in a share larger than chance would give? Fisher's exact test for two proportions.

The baseline and the re-audit look at different cases, so each share is a
proportion of an independent sample: the graded answers of one audit. A
change from, say, 4 of 10 to 7 of 10 Good or better is compared with what
chance alone gives when the two audits shared one true proportion.

Fisher's exact test is used rather than a z-test because an audit has
few graded answers per section or agency (often under 20, sometimes under
5): the z-test's normal approximation is poor there, and exact
probabilities are cheap to compute. The two-sided p-value adds up the
probabilities of every table with the same margins that is no more likely
than the one observed, as R's ``fisher.test`` and SciPy do. Probabilities
are ratios of binomial coefficients, worked out in whole numbers
(:func:`math.comb`), so there is no rounding until the final division.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import comb

#: Cases audited in both audits named in the statement about them (the rest counted).
SHARED_LISTED = 10
#: A change counts as larger than chance would give when p is below this.
ALPHA = 0.05

TEST_NAME = "Fisher's exact test, two-sided"
TEST_STATEMENT = (
    "Each change is tested with Fisher's exact test (two-sided) on the 2 × 2 table of graded answers: "
    "baseline and re-audit, in the group (e.g. Good or better) or not. The baseline and the re-audit audit "
    "different cases, so the two are independent samples. p is the chance of a difference at least this "
    f"large if practice had not changed; a change is called larger than chance when p < {ALPHA:g}. The "
    "exact test is used rather than a z-test because samples are small (a section often has fewer than 20 "
    "graded answers), where the z-test's approximation is poor. With many sections, about one in twenty "
    "may pass the test by chance alone: read the results together, not one at a time. Not applicable, "
    "No evidence and blank answers are left out of every share."
)

#: The sentence of TEST_STATEMENT that is not true when some cases were audited in both, and what replaces it.
INDEPENDENT = "The baseline and the re-audit audit different cases, so the two are independent samples. "
TAKEN_AS_INDEPENDENT = ("The test takes the baseline and the re-audit as independent samples, which they are only in "
                        "part: some cases were audited in both (see below). ")


def how_tested(shared: Sequence[str]) -> str:
    """TEST_STATEMENT, true of the two audits compared (``shared``: the cases audited in both)."""
    return TEST_STATEMENT.replace(INDEPENDENT, TAKEN_AS_INDEPENDENT) if shared else TEST_STATEMENT


def shared_cases_text(shared: Sequence[str]) -> str:
    """How the comparison treats cases audited in both audits (empty when there are none): they are kept in
    every figure, and the test, which takes the two audits as independent samples, is then only approximate."""
    if not shared:
        return ""
    n = len(shared)
    listed = ", ".join(shared[:SHARED_LISTED]) + (f" and {n - SHARED_LISTED} more" if n > SHARED_LISTED else "")
    return (f"{n} case{'s were' if n != 1 else ' was'} audited in both audits ({listed}). "
            f"{'They are' if n != 1 else 'It is'} kept in every figure of both audits, but the two audits are then "
            "not independent samples, as the test assumes: answers about the same case tend to agree, so the "
            "p values understate the chance of the change and 'larger than chance' is less sure than it reads. "
            "Draw a re-audit from cases not audited before (xlpack sample --exclude BASELINE.xlsx).")


def forms_not_records_text(records: int) -> str:
    """Why the comparison's shares can differ from the report's (empty when they cannot): it counts forms, each
    auditor's answers, where the report counts case records, and ``records`` case records had two or more forms."""
    if not records:
        return ""
    return (f"The comparison counts forms, each auditor's graded answers, where the rest of the report counts case "
            f"records (an agency's record of a case once): the exact test needs whole counts. {records} case "
            f"record{'s were' if records != 1 else ' was'} audited by more than one auditor of the same agency, so "
            "a share here can differ a little from the same share elsewhere in the report.")


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for the table [[a, b], [c, d]].

    Rows are the two samples, columns "in the group" and "not". A table
    with an empty row or column gives 1.0 (nothing to compare).
    """
    if min(a, b, c, d) < 0:
        raise ValueError("counts must not be negative")
    row1, row2, col1 = a + b, c + d, a + c
    n = row1 + row2
    if not row1 or not row2 or not col1 or col1 == n:
        return 1.0
    low, high = max(0, col1 - row2), min(col1, row1)
    weights = [comb(row1, x) * comb(row2, col1 - x) for x in range(low, high + 1)]
    observed = weights[a - low]
    extreme = sum(w for w in weights if w <= observed)  # whole numbers: no tolerance needed
    return float(min(Fraction(1), Fraction(extreme, comb(n, col1))))


@dataclass(frozen=True)
class ShareChange:
    """One share (e.g. Good or better) in the baseline and at re-audit, and its test."""

    baseline_hits: int
    baseline_n: int
    reaudit_hits: int
    reaudit_n: int

    @property
    def baseline(self) -> float | None:
        return self.baseline_hits / self.baseline_n if self.baseline_n else None

    @property
    def reaudit(self) -> float | None:
        return self.reaudit_hits / self.reaudit_n if self.reaudit_n else None

    @property
    def change(self) -> float | None:
        """Re-audit share minus baseline share (a fraction: 0.25 is 25 percentage points)."""
        if self.baseline is None or self.reaudit is None:
            return None
        return self.reaudit - self.baseline

    @property
    def p_value(self) -> float | None:
        if not self.baseline_n or not self.reaudit_n:
            return None
        return fisher_exact(self.baseline_hits, self.baseline_n - self.baseline_hits,
                            self.reaudit_hits, self.reaudit_n - self.reaudit_hits)

    @property
    def beyond_chance(self) -> bool | None:
        """True when the change is larger than chance would give (p < ALPHA); None when untestable."""
        p = self.p_value
        return None if p is None else p < ALPHA


def p_text(p: float | None) -> str:
    """A p-value as the sheets and the report print it."""
    if p is None:
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def verdict_text(change: ShareChange) -> str:
    """'Yes' / 'No' / '–': is the change larger than chance would give?"""
    flag = change.beyond_chance
    return "–" if flag is None else ("Yes" if flag else "No")


def points_text(change: float | None) -> str:
    """A change of share in percentage points: '+25 pts', '−8 pts', '0 pts', '–'."""
    if change is None:
        return "–"
    points = round(change * 100)
    return f"{'+' if points > 0 else '−' if points < 0 else ''}{abs(points)} pts"
