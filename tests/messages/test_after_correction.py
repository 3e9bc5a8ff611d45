"""Issue 18, item 18: the summary after a correction, a resolved urgent flag, and generate's next step."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.filling import fill_form
from xlpack.consolidate import consolidate, urgent_line
from xlpack.coordinator.plan_sheets import create_audit, read_plan
from xlpack.demo.sample import sample_plan

EARLY, LATE = datetime(2026, 11, 2, 9, 0, tzinfo=UTC), datetime(2026, 11, 9, 9, 0, tzinfo=UTC)
BAD_GRADE = {"section.assessment.grade": "Good to adequate"}


@pytest.mark.parametrize("bad_first", [True, False])
def test_a_corrected_copy_replaces_the_rejected_one(sample_copy: tuple[Path, Path], tmp_path: Path,
                                                    bad_first: bool) -> None:
    audit, forms = sample_copy
    form = next(f for f in read_plan(audit).issued if f.kind == "audit")
    returns = tmp_path / "returns"
    returns.mkdir()
    bad = fill_form(forms / form.file, returns / "first try.xlsx", cells=BAD_GRADE,
                    saved_at=EARLY if bad_first else LATE)
    good = fill_form(forms / form.file, returns / "corrected.xlsx", saved_at=LATE if bad_first else EARLY)
    result = consolidate(audit, [returns])
    status = {Path(f.path).name: f for f in result.files}
    assert status[good.name].status == "accepted"
    summary = result.summary_lines()[0]
    if bad_first:  # corrected: nothing is left rejected
        assert status[bad.name].status == "superseded"
        codes = [p.code for p in status[bad.name].problems]
        assert codes[0] == "corrected" and any(p.severity == "error" for p in status[bad.name].problems)
        assert result.rejected == 0 and result.exit_code == 0 and "0 returned files rejected" in summary
        row = next(r for r in result.data.returns if Path(r.source).name == bad.name)
        assert row.status == "superseded" and "corrected.xlsx" in row.detail
    else:  # changed after the accepted copy: still for the coordinator to look at
        assert status[bad.name].status == "rejected"
        assert result.rejected == 1 and result.exit_code == 3 and "1 returned file rejected" in summary


def test_an_urgent_flag_with_a_resolution_no_longer_says_check_today(sample_copy: tuple[Path, Path],
                                                                    tmp_path: Path) -> None:
    audit, forms = sample_copy
    form = next(f for f in read_plan(audit).issued if f.kind == "audit")
    returns = tmp_path / "returns"
    returns.mkdir()
    fill_form(forms / form.file, returns / form.file, closing={"safeguarded_now": "No"})
    flag = next(f for f in consolidate(audit, [returns]).data.flags if f.severity == "urgent")
    assert "Check today that the child is safe." in urgent_line(flag)
    resolved = replace(flag, resolution="Social worker visited\non 17/11: child safe, plan reviewed.")
    line = urgent_line(resolved)
    assert "Check today" not in line and flag.case_ref in line
    assert "'Social worker visited on 17/11: child safe, plan reviewed.'" in line
    assert line.removeprefix(f"  URGENT {flag.case_ref} ").split("): ", 1)[1] in flag.message


def test_generate_says_what_to_do_next(tmp_path: Path) -> None:
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, plan=sample_plan("cp", 2))
    res = run_cli("generate", audit)
    assert res.exit_code == 0, res.output
    nxt = [line for line in res.stdout.splitlines() if line.startswith("Next:")]
    assert len(nxt) == 1 and f"xlpack mail {audit}" in nxt[0]
    again = run_cli("generate", audit)  # nothing new issued: nothing to mail
    assert again.exit_code == 0 and "Next:" not in again.stdout
