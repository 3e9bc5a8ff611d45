"""Whether the return deadline on the Terms of reference has already gone by, and where to change it.

``generate`` and ``mail --kind issue`` both give the deadline to auditors (on
the forms' Start here sheet and in the issue email); a date already past
asks them for something they cannot do, so both warn, naming the cell.
"""

from __future__ import annotations

from datetime import date

from xlpack.coordinator.plan_sheets import TOR, TOR_FIELDS
from xlpack.coordinator.sheet_writing import HEADER_ROW
from xlpack.model.plan import TermsOfReference


def tor_cell(label: str) -> str:
    """``Sheet 'Terms of reference', cell B11`` for the field labelled ``label``."""
    row = next(i for i, (_, lab, _, _) in enumerate(TOR_FIELDS) if lab == label) + HEADER_ROW + 2  # 1-based
    return f"Sheet '{TOR}', cell B{row}"


def _day(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def deadline_passed(terms: TermsOfReference, today: date, what: str, then: str) -> str | None:
    """A warning when the return deadline is before ``today`` (``what`` gives it to auditors; ``then``: what to do
    after correcting it), else None."""
    if terms.deadline is None or terms.deadline >= today:
        return None
    days = (today - terms.deadline).days
    return (f"{tor_cell('Return deadline')}: the return deadline, {_day(terms.deadline)}, passed {days} day"
            f"{'s' if days != 1 else ''} ago (today is {_day(today)}), and {what} ask auditors to return their "
            f"forms by it. Type a new deadline there, save, then {then}.")
