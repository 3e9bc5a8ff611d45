"""Pytest fixture ``office``: one LibreOffice session per test session.

Skips (with the reason) when LibreOffice/python3-uno is missing, unless
``XLPACK_REQUIRE_OFFICE=1`` is set (CI), in which case the test fails.

Use from ``tests/conftest.py``::

    from tests.office.fixtures import office  # noqa
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NoReturn

import pytest

from tests.office.client import Office, OfficeError, office_available

REQUIRE_ENV = "XLPACK_REQUIRE_OFFICE"


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the environment demands a real office."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"LibreOffice required ({REQUIRE_ENV}=1) but unavailable: {reason}",
                    pytrace=False)
    pytest.skip(f"LibreOffice not available: {reason}")


@pytest.fixture(scope="session")
def office() -> Iterator[Office]:
    """A running :class:`Office` shared by the whole test session."""
    reason = office_available()
    if reason:
        _unavailable(reason)
    try:
        session = Office()
    except OfficeError as e:
        _unavailable(f"failed to start: {e}")
    try:
        yield session
    finally:
        session.close()
