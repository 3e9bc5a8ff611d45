"""Issue 18, item 17: a corrupt extract is said to be unreadable once; a stratification field given twice is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.extracts import population, write_csv
from xlpack.coordinator.plan_sheets import create_audit
from xlpack.errors import UsageError
from xlpack.sample.sampling import draw_sample


@pytest.fixture
def audit(tmp_path: Path) -> Path:
    path = tmp_path / "audit.xlsx"
    create_audit(path, "cp")
    return path


def test_a_corrupt_extract_is_said_to_be_unreadable_once(audit: Path) -> None:
    bad = audit.with_name("extract.xlsx")
    bad.write_bytes(b"PK\x03\x04 not really a workbook")
    before = audit.read_bytes()
    with pytest.raises(UsageError) as err:
        draw_sample(bad, audit, 3)
    assert str(err.value).count("cannot be read as an Excel workbook") == 1
    assert str(err.value).startswith("extract.xlsx cannot be read")
    assert audit.read_bytes() == before


@pytest.mark.parametrize("by", [["Age band,Age band"], ["Age band", "age  band"], ["Gender,Age band,GENDER"]])
def test_a_field_named_twice_in_by_is_refused(audit: Path, by: list[str]) -> None:
    extract = write_csv(audit.with_name("extract.csv"), population(40))
    before = audit.read_bytes()
    with pytest.raises(UsageError, match=r"--by names the column '[^']+' twice"):
        draw_sample(extract, audit, 3, by=by)
    assert audit.read_bytes() == before
