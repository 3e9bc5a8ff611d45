"""Issue 18, item 20: a re-audit's draw leaves out the cases of earlier audits, and the Sample sheet says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.extracts import population, write_csv
from xlpack.coordinator.plan_sheets import create_audit, read_plan
from xlpack.errors import UsageError
from xlpack.sample.sampling import draw_sample, read_sample
from xlpack.wording import counted
from xlpack.workbook.readback import Workbook

SIZE = 12


@pytest.fixture
def two_audits(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(extract of 40 cases, baseline with 12 of them drawn, an empty re-audit workbook)."""
    extract = write_csv(tmp_path / "extract.csv", population(40))
    baseline, reaudit = tmp_path / "baseline.xlsx", tmp_path / "reaudit.xlsx"
    create_audit(baseline, "cp", title="Baseline; 2025")
    create_audit(reaudit, "cp")
    draw_sample(extract, baseline, SIZE, seed=7)
    return extract, baseline, reaudit


def _refs(audit: Path) -> set[str]:
    return {c.case_ref for c in read_plan(audit).cases}


def test_the_earlier_audits_cases_are_left_out(two_audits: tuple[Path, Path, Path]) -> None:
    extract, baseline, reaudit = two_audits
    res = run_cli("sample", extract, "--audit", reaudit, "--size", SIZE, "--seed", "7", "--exclude", baseline)
    assert res.exit_code == 0, res.output
    assert len(_refs(reaudit)) == SIZE and not _refs(reaudit) & _refs(baseline)
    record = read_sample(reaudit)
    assert record is not None and record.population == 40 - SIZE
    cases = counted(SIZE, "case")
    assert record.excluded == [f"{cases} of the audit 'Baseline, 2025' (baseline.xlsx, {cases} on its Cases sheet)"]
    rows = Workbook(reaudit).rows("Sample")
    said = next(row for row in rows if row and row[0] == "Left out: earlier audits' cases")
    assert said[1] == record.excluded[0]
    assert f"Left out: {record.excluded[0]}." in res.stdout


def test_without_exclude_the_same_seed_draws_baseline_cases(two_audits: tuple[Path, Path, Path]) -> None:
    extract, baseline, reaudit = two_audits
    draw_sample(extract, reaudit, SIZE, seed=7)  # what a newcomer did: the baseline's draw again
    assert _refs(reaudit) == _refs(baseline)
    record = read_sample(reaudit)
    assert record is not None and record.excluded == []


def test_exclude_refuses_the_audit_itself_or_a_missing_file(two_audits: tuple[Path, Path, Path]) -> None:
    extract, baseline, reaudit = two_audits
    before = reaudit.read_bytes()
    with pytest.raises(UsageError, match="is the workbook the cases are drawn into"):
        draw_sample(extract, reaudit, 3, exclude=[reaudit])
    with pytest.raises(UsageError, match="no such coordinator workbook"):
        draw_sample(extract, reaudit, 3, exclude=[baseline.with_name("gone.xlsx")])
    assert reaudit.read_bytes() == before
