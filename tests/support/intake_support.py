"""Fixtures shared by the intake tests: the sample audit, its forms, filled copies.

Import the fixtures into a test module with
``from tests.support.intake_support import *  # noqa: F401,F403``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.filling import fill_form
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.demo.sample import create_sample
from xlpack.generate import generate_forms
from xlpack.intake.batch import FileResult, IntakeResult
from xlpack.model.plan import AuditPlan

__all__ = [
    "T0",
    "audit_plan",
    "blank_cp",
    "blank_views",
    "by_name",
    "codes",
    "filled_cp",
    "fresh_copy",
    "other_audit_form",
    "snapshot",
]

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def audit_plan(sample_forms: tuple[Path, Path]) -> AuditPlan:
    return read_plan(sample_forms[0])


@pytest.fixture(scope="session")
def blank_cp(sample_forms: tuple[Path, Path]) -> Path:
    return min(sample_forms[1].glob("CP_*.xlsx"))


@pytest.fixture(scope="session")
def blank_views(sample_forms: tuple[Path, Path]) -> Path:
    return min(sample_forms[1].glob("VIEWS_*.xlsx"))


@pytest.fixture(scope="session")
def filled_cp(blank_cp: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CP form filled in completely and validly (read it, never change it: copy it first)."""
    return fill_form(blank_cp, tmp_path_factory.mktemp("filled") / blank_cp.name, saved_at=T0)


@pytest.fixture(scope="session")
def other_audit_form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A filled form issued by another audit (another coordinator workbook)."""
    root = tmp_path_factory.mktemp("other")
    audit = root / "other.xlsx"
    create_sample(audit, cases=1, seed=7)
    form = min(generate_forms(audit, workers=1).out_dir.glob("CP_*.xlsx"))
    return fill_form(form, root / "from-another-audit.xlsx")


def fresh_copy(src: Path, folder: Path, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy2(src, folder / (name or src.name)))


def by_name(result: IntakeResult) -> dict[str, FileResult]:
    """Results by the last part of their path ("form.xlsx", "mail.eml/form.xlsx" -> "form.xlsx")."""
    out: dict[str, FileResult] = {}
    for f in result.files:
        out[f.path.rsplit("/", 1)[-1]] = f
    return out


def codes(f: FileResult, severity: str | None = None) -> list[str]:
    return [p.code for p in f.problems if severity is None or p.severity == severity]


def snapshot(folder: Path) -> dict[str, tuple[str, int, float]]:
    """Every file under ``folder`` (links not followed) with its hash, size and modification time."""
    out: dict[str, tuple[str, int, float]] = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(root) / name
            st = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and not path.is_symlink() \
                else "-"
            out[str(path.relative_to(folder))] = (digest, st.st_size, st.st_mtime)
    return out
