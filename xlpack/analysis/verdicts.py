"""When a section is working well or causing concern: the thresholds the workbook and the report share.

The thresholds are the partnership's, set on the Terms of reference sheet
(:class:`~xlpack.model.plan.TermsOfReference`, whole per cent; the defaults
below when left blank). Shares are of graded answers only (Not applicable,
No evidence and blanks are left out), as :mod:`xlpack.analysis.pivots`
counts them. :func:`reading_order` is the one order of sections every table,
chart and list uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from xlpack.model.plan import TermsOfReference

Verdict = Literal["Working well", "Mixed", "Causing concern", "Not graded"]
#: The readings in the order sections are listed: working well first.
READINGS: tuple[Verdict, ...] = ("Working well", "Mixed", "Causing concern", "Not graded")


@dataclass(frozen=True)
class Thresholds:
    """Whole per cent: working well needs Good or better >= ``well_good`` and Inadequate < ``well_inadequate``;
    concern is Good or better < ``concern_good`` or Inadequate >= ``concern_inadequate``."""

    well_good: int = 75
    well_inadequate: int = 10
    concern_good: int = 50
    concern_inadequate: int = 20

    @classmethod
    def of(cls, terms: TermsOfReference | None) -> Thresholds:
        if terms is None:
            return cls()
        return cls(terms.working_well_good, terms.working_well_inadequate, terms.concern_good,
                   terms.concern_inadequate)

    def verdict(self, good: float | None, inadequate: float | None) -> Verdict:
        if good is None:
            return "Not graded"
        bad = inadequate or 0.0
        # compared in whole per cent times the share, so 0.75 meets 75 exactly (no floating-point shortfall)
        g, b = round(good * 100, 9), round(bad * 100, 9)
        if g < self.concern_good or b >= self.concern_inadequate:
            return "Causing concern"
        if g >= self.well_good and b < self.well_inadequate:
            return "Working well"
        return "Mixed"

    def words(self) -> str:
        """The thresholds in a sentence, for the method chapter."""
        return (f"A section is called working well when {self.well_good}% or more of its graded case records are "
                f"Good or better and fewer than {self.well_inadequate}% Inadequate; it is causing concern when "
                f"fewer than {self.concern_good}% are Good or better or {self.concern_inadequate}% or more "
                "are Inadequate; otherwise it is mixed.")


DEFAULT = Thresholds()


def verdict(good: float | None, inadequate: float | None, thresholds: Thresholds = DEFAULT) -> Verdict:
    return thresholds.verdict(good, inadequate)


def reading_order(good: float | None, inadequate: float | None, thresholds: Thresholds = DEFAULT
                  ) -> tuple[int, float, float, float]:
    """A sort key: reading first (working well, mixed, causing concern, not graded), then within a reading the
    balance of the two shares (Good or better less Inadequate, higher first), then Good or better (higher
    first), then Inadequate (lower first)."""
    g, b = good or 0.0, inadequate or 0.0
    return (READINGS.index(thresholds.verdict(good, inadequate)), -(g - b), -g, b)
