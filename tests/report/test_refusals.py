"""The report and the meeting pack refuse what consolidate would refuse: a moderated grade off the scale."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.office.client import Office
from tests.support.cli import run_cli
from tests.support.filling import fill_form
from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.report.write import default_report_path


def test_a_moderated_grade_off_the_scale_stops_the_report(sample_copy: tuple[Path, Path], office: Office,
                                                         tmp_path: Path) -> None:
    audit, forms = sample_copy
    plan = read_plan(audit)
    returns = tmp_path / "returns"
    returns.mkdir()
    first = next(f for f in plan.issued if f.kind == "audit")
    fill_form(forms / first.file, returns / first.file, {"assessment": "Good"})
    consolidate(audit, [returns])
    typed = audit.with_name("typed.xlsx")
    office.type_cells(audit, typed, [("Grades", "H5", "Goodish")]).check()  # Moderated grade, first row
    shutil.move(typed, audit)
    for args in ([str(audit)], [str(audit), "--force"]):
        res = run_cli("report", *args)
        assert res.exit_code == 1, res.output
        assert "Sheet 'Grades', cell H5: 'Goodish' is not a grade" in res.stderr
        assert not default_report_path(audit).exists()
    res = run_cli("pack", audit)
    assert res.exit_code == 1, res.output
    assert "no meeting pack was written, because the moderation on the Grades sheet cannot be read" in " ".join(
        res.stderr.split())
