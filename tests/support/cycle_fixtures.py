"""Fixtures of the feedback and comparison tests: a baseline and a re-audit with known shifts, built once a session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cycle_scenario import Built, baseline_grades, build, reaudit_grades


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("baseline"), 101, baseline_grades)


@pytest.fixture(scope="session")
def reaudit(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("reaudit"), 202, reaudit_grades, unsafe_at=2)


@pytest.fixture(scope="session")
def other_tool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A consolidated Children in Need audit (another tool), two cases."""
    return build(tmp_path_factory.mktemp("cin"), 303, lambda i: {}, tool="cin", cases=2).audit
