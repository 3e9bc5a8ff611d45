"""Today's date and the time, from one place.

Every "today" xlpack uses (overdue forms, the report's date, a reminder's
deadline check, a sample's draw date) comes from :func:`today`, and every
timestamp it records from :func:`now`. Both follow the machine's clock unless
``XLPACK_TODAY`` holds an ISO date (``2026-12-07``): then that is the day, and
the time of day is still the machine's. The test suite sets it so that no test
depends on the day it runs; a coordinator can use it to rerun a day's work
"as on" that day. Nothing else in the package reads the clock (a layout test
keeps it so).
"""

from __future__ import annotations

import os
from datetime import date, datetime

ENV = "XLPACK_TODAY"


def _fixed() -> date | None:
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{ENV} should be a date written as YYYY-MM-DD, not {value!r}.") from None


def today() -> date:
    """The day xlpack works as on: ``XLPACK_TODAY`` where set, else the machine's date."""
    return _fixed() or date.today()


def now() -> datetime:
    """The local time, on :func:`today`'s date, to the second."""
    moment = datetime.now().replace(microsecond=0)
    fixed = _fixed()
    return datetime.combine(fixed, moment.time()) if fixed else moment
