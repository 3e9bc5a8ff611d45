"""Shared fixtures: a real LibreOffice client, the sample audit, generated forms."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Every test works as on one fixed day, whatever the machine's clock says: two weeks into the
# sample audit's four (it is drawn on 2 November 2026, forms due back on 30 November). Set here,
# before any test module is imported, so that commands run in subprocesses see it too. Tests that
# need another day pass ``today=`` or set XLPACK_TODAY themselves. CI runs the suite again with the
# machine's clock moved (.ci/run), to show nothing reads the real date behind xlpack.clock's back.
os.environ["XLPACK_TODAY"] = "2026-11-16"

from tests.office.fixtures import office  # noqa: F401  (session-wide LibreOffice)
from tests.support.audit_copy import copy_audit_folder
from tests.support.cycle_fixtures import baseline, other_tool, reaudit  # noqa: F401  (feedback and compare share them)
from tests.support.meeting_audit import met_audit  # noqa: F401  (the pack, meetings and agency learning share it)
from xlpack.demo.sample import create_sample
from xlpack.generate import generate_forms


@pytest.fixture(scope="session")
def sample_forms(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample audit with its forms generated once per session: (audit, forms folder)."""
    root = tmp_path_factory.mktemp("sample")
    audit = root / "audit.xlsx"
    create_sample(audit)
    result = generate_forms(audit, workers=1)
    return audit, result.out_dir


@pytest.fixture
def sample_copy(sample_forms: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the generated sample audit, for tests that change it."""
    audit, forms = sample_forms
    copy = copy_audit_folder(audit, tmp_path / "audit")
    return copy, copy.parent / forms.name


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the LibreOffice session are marked ``office`` (select with ``-m office``)."""
    for item in items:
        if "office" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.office)
