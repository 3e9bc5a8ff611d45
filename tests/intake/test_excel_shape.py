"""A returned form saved by Excel itself is read with the same answers as the form it came from.

The Excel-shaped copy (tests/support/excel_shape.py) carries shared strings with rich-text runs and
phonetic properties, Excel's ignorable namespaces and revision ids, list validations in the x14
extension list, formulas with cached values and a calculation chain, dates as serials, and a current
Excel's workbook properties. Intake must accept it as it accepts the original, answer for answer.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.support.excel_shape import as_excel_saves
from tests.support.filling import fill_form
from tests.support.intake_support import *
from xlpack.intake.batch import FileResult, intake
from xlpack.model.plan import AuditPlan

GRADES = {"identification": "Outstanding", "assessment": "Adequate", "voice": "Not applicable",
          "planning": "No evidence", "information_sharing": "Inadequate"}


def _answers(f: FileResult) -> tuple[object, ...]:
    assert f.form is not None
    form = f.form
    sections = {k: (s.grade, s.grade_code, s.grade_rank, s.evidence, s.strengths, s.development, s.action, s.cells)
                for k, s in form.sections.items()}
    return (form.form_id, sections, dict(form.closing), dict(form.fields), dict(form.cells))


@pytest.fixture(scope="module")
def pair(blank_cp: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("excel")
    original = fill_form(blank_cp, folder / "openpyxl.xlsx", GRADES,
                         evidence="Plan reviewed on file; the core group met monthly and minutes were shared.",
                         strengths={"identification": "Concerns recognised the same day."},
                         development={"information_sharing": "Invite the school to every strategy discussion."},
                         closing={"overall_grade": "Adequate", "safeguarded_now": "Unsure",
                                  "safeguarding_action": "Raised with the team manager on 2 November."})
    return original, as_excel_saves(original, folder / "excel.xlsx")


def test_the_copy_has_excels_conventions(pair: tuple[Path, Path]) -> None:
    """The fixture itself: each convention the test is about is really in the file."""
    _, excel = pair
    with zipfile.ZipFile(excel) as z:
        names = z.namelist()
        book = z.read("xl/workbook.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode()
        sheets = [z.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet")]
    assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert "xl/calcChain.xml" in names and "xl/theme/theme1.xml" in names
    assert 'lastEdited="7"' in book and 'calcId="191029"' in book and "xr:revisionPtr" in book
    assert "<r><rPr><b/>" in strings and "<phoneticPr" in strings
    assert all('mc:Ignorable="x14ac xr xr2 xr3"' in s and "xr:uid=" in s and "x14ac:dyDescent" in s for s in sheets)
    assert any("<x14:dataValidations" in s and "<xm:sqref>" in s for s in sheets)
    assert not any('t="inlineStr"' in s for s in sheets)
    book_read = openpyxl.load_workbook(excel)  # a well-formed package another reader opens
    assert str(book_read["Audit"]["B6"].value).startswith("CP-")  # the case reference, from shared strings


def test_intake_reads_the_same_answers_from_excels_copy(pair: tuple[Path, Path], audit_plan: AuditPlan) -> None:
    original, excel = pair
    (theirs,) = intake([original], audit_plan).files
    (excels,) = intake([excel], audit_plan).files
    assert theirs.status == excels.status == "accepted"
    assert _answers(excels) == _answers(theirs)
    assert excels.form is not None
    assert GRADES.items() <= {k: s.grade for k, s in excels.form.sections.items()}.items()


def test_excels_copy_alone_is_accepted_without_warnings(pair: tuple[Path, Path], audit_plan: AuditPlan) -> None:
    _, excel = pair
    (f,) = intake([excel], audit_plan).files
    assert (f.status, [p.message for p in f.problems]) == ("accepted", [])
    assert f.form is not None and f.form.sections["identification"].grade == "Outstanding"
    assert f.form.closing["safeguarding_action"] == "Raised with the team manager on 2 November."
