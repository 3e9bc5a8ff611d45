"""feedback and compare refuse a moderated grade off the scale, as report does, naming the cell (issue 18, item 5).

The moderated grade is typed with openpyxl into a copy of the consolidated
baseline; the cell is found by its column header, not from xlpack.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.support.cli import run_cli
from tests.support.cycle_scenario import Built


def type_off_scale(built: Built, tmp_path: Path) -> tuple[Path, str]:
    audit = tmp_path / built.audit.name
    shutil.copy2(built.audit, audit)
    wb = openpyxl.load_workbook(audit)
    ws = wb["Grades"]
    header = next(r for r in range(1, 15) if any(c.value == "Moderated grade" for c in ws[r]))
    col = next(c.column_letter for c in ws[header] if c.value == "Moderated grade")
    ws[f"{col}{header + 3}"] = "Goood"
    wb.save(audit)
    return audit, f"{col}{header + 3}"


@pytest.mark.parametrize("command", ["feedback", "compare-baseline", "compare-reaudit"])
def test_a_moderated_grade_off_the_scale_is_refused(baseline: Built, reaudit: Built, tmp_path: Path,
                                                    command: str) -> None:
    typed, where = type_off_scale(reaudit if command == "compare-reaudit" else baseline, tmp_path)
    if command == "feedback":
        args: list[str | Path] = ["feedback", typed, "--out", tmp_path / "feedback"]
        nothing = "no feedback was written"
    else:
        pair = (baseline.audit, typed) if command == "compare-reaudit" else (typed, reaudit.audit)
        args = ["compare", *pair, "--out", tmp_path / "c.xlsx", "--docx", tmp_path / "c.docx"]
        nothing = "nothing was compared"
    res = run_cli(*args, columns=300)
    assert res.exit_code == 1 and "Traceback" not in res.output, res.output
    message = " ".join(res.stderr.split())
    assert message.startswith(f"Error: {typed}: {nothing}, because the moderation on the Grades sheet cannot be read")
    assert f"Sheet 'Grades', cell {where}: 'Goood' is not a grade" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [typed.name]  # nothing written
