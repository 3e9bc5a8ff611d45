"""With real LibreOffice: moderation typed into the re-audit's workbook reaches the feedback and the comparison,
and every file the cycle writes opens in LibreOffice and converts to PDF and page images.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image, ImageChops

from tests.office.client import Office, pdf_info, pdf_to_png
from tests.support.cells import cell_of, col
from tests.support.cli import run_cli
from tests.support.cycle_expected import by_section, p_between
from tests.support.cycle_scenario import Built
from xlpack.feedback.build import INDEX_NAME
from xlpack.model.definitions import load_definition
from xlpack.workbook.readback import read_consolidated
from xlpack.workbook.sheets.common import FLAG_COLUMNS, GRADE_COLUMNS

PLANNING = load_definition("cp").section("planning").title  # the section's title in the CP tool

pytestmark = pytest.mark.slow  # each module builds and consolidates two audits (session fixtures)

NOTE = "Seen at the meeting: the plan had no timescales."
RESOLUTION = "Agreed: the team manager reviews the plan this week."


def inked(png: Path) -> bool:
    with Image.open(png) as im:
        return ImageChops.difference(im.convert("L"), Image.new("L", im.size, 255)).getbbox() is not None


def test_moderation_typed_in_libreoffice_reaches_feedback_and_comparison(
        office: Office, baseline: Built, reaudit: Built, tmp_path: Path) -> None:
    audit = tmp_path / "reaudit.xlsx"
    shutil.copy2(reaudit.audit, audit)
    data = read_consolidated(audit)
    target = next(g for g in data.grades if g.section_id == "planning" and g.grade == "Good")
    flag = next(f for f in data.flags if f.severity == "high" and f.case_ref == target.case_ref
                and target.agency in f.agencies)
    row_id, flag_col = col(GRADE_COLUMNS, "row_id"), col(FLAG_COLUMNS, "flag_id")
    typed = tmp_path / "typed.xlsx"
    office.type_cells(audit, typed, [
        ("Grades", cell_of(audit, "Grades", row_id, target.row_id, col(GRADE_COLUMNS, "moderated_grade")),
         "inadequate"),
        ("Grades", cell_of(audit, "Grades", row_id, target.row_id, col(GRADE_COLUMNS, "moderation_note")), NOTE),
        ("Flags", cell_of(audit, "Flags", flag_col, flag.flag_id, col(FLAG_COLUMNS, "resolution")), RESOLUTION),
    ]).check()
    shutil.move(typed, audit)
    assert run_cli("feedback", audit, "--out", tmp_path / "fb").exit_code == 0
    out = tmp_path / "c.xlsx"
    result = run_cli("compare", baseline.audit, audit, "--out", out, "--docx", tmp_path / "c.docx")
    assert result.exit_code == 0, result.output
    report = tmp_path / "report.docx"
    result = run_cli("report", audit, "--baseline", baseline.audit, "--out", report)
    assert result.exit_code == 0, result.output

    index = openpyxl.load_workbook(tmp_path / "fb" / INDEX_NAME, read_only=True)["Feedback"]
    name = next(r[0] for r in index.iter_rows(min_row=5, values_only=True)
                if r[1:4] == (target.case_ref, target.agency, target.auditor))
    assert next(r[7] for r in index.iter_rows(min_row=5, values_only=True) if r[0] == name) == 1
    d = docx.Document(str(tmp_path / "fb" / name))
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in d.tables[0].rows[1:]}
    assert rows[PLANNING] == [PLANNING, "Good", "Inadequate", NOTE]
    # the flag, said once, ends with the resolution typed in LibreOffice
    assert any(p.text.endswith(f" Agreed at the follow-up meeting: {RESOLUTION}") for p in d.paragraphs)

    ws = openpyxl.load_workbook(out, read_only=True)["By section"]
    planning = next(r for r in ws.iter_rows(min_row=6, values_only=True) if r[0] == PLANNING)
    before = by_section(baseline)[PLANNING]
    after = by_section(reaudit, {(target.form_id, "planning"): "Inadequate"})[PLANNING]
    assert planning[1:3] == (before.graded, after.graded)
    assert planning[4] == pytest.approx(after.good_share) and planning[9] == pytest.approx(after.inadequate_share)
    assert planning[6] == pytest.approx(p_between(before, after, "good"))

    pictures = tmp_path / "png"
    for made in (tmp_path / "fb" / name, tmp_path / "fb" / INDEX_NAME, out, tmp_path / "c.docx", report):
        pdf = office.convert(made, tmp_path / "pdf", "pdf").check().path
        assert pdf is not None and pdf.is_file(), made
        info = pdf_info(pdf)
        assert info.pages >= 1 and info.paper == "A4", (made, info)
        pngs = pdf_to_png(pdf, pictures / made.stem, dpi=40, first=1, last=2)
        assert pngs and all(inked(p) for p in pngs)
