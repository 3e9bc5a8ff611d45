"""The report and the meeting pack refuse what consolidate would refuse: a moderated grade off the scale."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.office.client import Office
from tests.support.cli import run_cli
from tests.support.filling import return_first_audit_form
from xlpack.consolidate import consolidate
from xlpack.report.write import default_report_path


def test_a_moderated_grade_off_the_scale_stops_the_report(sample_copy: tuple[Path, Path], office: Office,
                                                         tmp_path: Path) -> None:
    audit, forms = sample_copy
    consolidate(audit, [return_first_audit_form(audit, forms, tmp_path / "returns")])
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


def test_a_meeting_row_that_cannot_be_read_stops_the_report_and_the_pack(sample_copy: tuple[Path, Path],
                                                                        tmp_path: Path) -> None:
    """A row of the Meetings sheet with a date that is not a date (or a kind not on the list, or a name used twice)
    is named by its cell, and nothing is written; before, the report left the row out and said "records 1
    meeting", untrue of the sheet."""
    import openpyxl

    audit, forms = sample_copy
    consolidate(audit, [return_first_audit_form(audit, forms, tmp_path / "returns")])
    wb = openpyxl.load_workbook(audit)
    ws = wb["Meetings"]
    header = next(r[0].row for r in ws.iter_rows(max_row=10) if r[0].value == "Meeting")
    ws.cell(header + 1, 1, "Follow-up")
    ws.cell(header + 1, 3, "Follow-up")
    ws.cell(header + 2, 1, "Second follow-up")
    ws.cell(header + 2, 2, "next Tuesday")
    wb.save(audit)
    for command, nothing, written in (("report", "no report was written", default_report_path(audit)),
                                      ("pack", "no meeting pack was written", audit.with_name(
                                          f"{audit.stem} meeting pack.docx"))):
        res = run_cli(command, audit)
        said = " ".join(res.stderr.split())
        assert res.exit_code == 1, res.output
        assert f"{nothing}, because a row of the Meetings sheet cannot be read" in said, said
        assert f"Sheet 'Meetings', cell B{header + 2}: 'next Tuesday' is not a date" in said, said
        assert not written.exists()
