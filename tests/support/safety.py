"""A consolidated coordinator workbook to be hostile to, and checks that a refusal changed nothing.

:func:`build_consolidated` fills the returned forms of the sample audit's
first two cases (openpyxl, as a script or Excel would) and consolidates
them once, a week after the deadline, so Grades has rows and Flags has
flags (the forms not returned are overdue). Tests copy it with
:func:`copy_audit` and change the copy; a test module that imports the
fixtures :func:`built` (once per module) and :func:`audit` (a private copy
per test) gets both done for it. :class:`Before` records the
workbook's bytes and the files around it; :meth:`Before.assert_untouched`
checks that a refused run left the workbook byte-identical, made no backup
and left no file of its own behind.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.support.audit_copy import copy_audit_folder
from tests.support.filling import fill_form
from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import read_plan

TODAY = date(2026, 12, 7)  # a week after the sample's deadline: forms not returned are overdue


@dataclass
class Audit:
    audit: Path  # the coordinator workbook
    returns: Path  # the folder of returned forms
    forms: Path  # the issued forms

    @property
    def backups(self) -> Path:
        return self.audit.parent / "backups"


def build_consolidated(root: Path, sample: tuple[Path, Path], cases: int = 2) -> Audit:
    """The sample audit with the audit forms of its first ``cases`` cases returned and consolidated once."""
    audit, forms = sample
    audit = copy_audit_folder(audit, root / "audit")
    forms = audit.parent / forms.name
    plan = read_plan(audit)
    chosen = {c.case_ref for c in plan.cases[:cases]}
    returns = root / "returns"
    returns.mkdir()
    for i, f in enumerate(sorted((f for f in plan.issued if f.kind == "audit" and f.case_ref in chosen),
                                 key=lambda f: f.file)):
        fill_form(forms / f.file, returns / f.file, {"assessment": ["Outstanding", "Inadequate", "Good"][i % 3]})
    consolidate(audit, [returns], today=TODAY)
    return Audit(audit, returns, forms)


def copy_audit(built: Audit, tmp: Path) -> Audit:
    """A private copy of a built audit (workbook folder and returns), for a test that changes it."""
    shutil.copytree(built.audit.parent, tmp / "audit", symlinks=True)
    shutil.copytree(built.returns, tmp / "returns")
    return Audit(tmp / "audit" / built.audit.name, tmp / "returns", tmp / "audit" / built.forms.name)


@pytest.fixture(scope="module")
def built(sample_forms: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory,
          request: pytest.FixtureRequest) -> Audit:
    """The sample audit consolidated once for the test module that imports this fixture."""
    return build_consolidated(tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1]), sample_forms)


@pytest.fixture
def audit(built: Audit, tmp_path: Path) -> Audit:
    """A private copy of the module's consolidated audit, for a test that changes it."""
    return copy_audit(built, tmp_path)


def listing(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (relative path -> size); hidden ones too."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass
class Before:
    """The workbook and the files beside it before a run that must change nothing."""

    audit: Path
    content: bytes
    files: dict[str, int]

    @classmethod
    def of(cls, audit: Path) -> Before:
        return cls(audit, audit.read_bytes(), listing(audit.parent))

    def assert_untouched(self) -> None:
        assert self.audit.read_bytes() == self.content, "the workbook changed"
        assert listing(self.audit.parent) == self.files, "files were added or removed beside the workbook"
