"""When a section is working well or causing concern: the thresholds the workbook and the report share.

Shares are of graded answers only (Not applicable, No evidence and blanks
are left out), as :mod:`xlpack.analysis.pivots` counts them.
"""

from __future__ import annotations

from typing import Literal

#: A section is working well when at least this share of its graded answers is Good or better ...
WORKING_WELL_GOOD = 0.75
#: ... and less than this share is Inadequate.
WORKING_WELL_INADEQUATE = 0.10
#: A section causes concern when less than this share is Good or better, or ...
CONCERN_GOOD = 0.50
#: ... at least this share is Inadequate.
CONCERN_INADEQUATE = 0.20

Verdict = Literal["Working well", "Mixed", "Causing concern", "Not graded"]


def verdict(good: float | None, inadequate: float | None) -> Verdict:
    if good is None:
        return "Not graded"
    bad = inadequate or 0.0
    if good < CONCERN_GOOD or bad >= CONCERN_INADEQUATE:
        return "Causing concern"
    if good >= WORKING_WELL_GOOD and bad < WORKING_WELL_INADEQUATE:
        return "Working well"
    return "Mixed"
