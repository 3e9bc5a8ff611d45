"""Every row tall enough for its text, and sections whole on the printed page, as LibreOffice lays them out.

LibreOffice 7.4 does not refit rows when it opens a file, so a row lower than
its text shows and prints the text cut or overlapping. For the coordinator's
workbook (after init, after generate) and a blank and a filled form of every
tool: each row's height in the file is at least LibreOffice's own optimal
height for it, and each form section's heading prints on the same page as its
grade (or, on the views form, its first answer), with no page break but the
planned ones.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.forms.test_print_layout import TOOLS, _ctx
from tests.office.client import LayoutResult, Office
from tests.support.filling import fill_form, input_map
from xlpack.coordinator.plan_sheets import create_audit
from xlpack.demo.sample import create_sample
from xlpack.forms.layout import build_layout
from xlpack.forms.writer import render_form
from xlpack.generate import generate_forms

pytestmark = pytest.mark.office
TOLERANCE = 0.75  # points: LibreOffice keeps heights in its own units

EVIDENCE = ("Seen alone on 3 March 2026 and again on 14 April 2026; the child's wishes and feelings are recorded in "
            "their own words. The strategy discussion was held within a day of the referral, with police and health "
            "present, and its outcome was shared with the school the same week. Case notes are dated and signed.")
STRENGTHS = "Prompt joint working; the child’s views shaped the plan — “I want to stay at my school”."


def _short_rows(result: LayoutResult) -> list[str]:
    return [f"{s.name} row {r + 1}: {loaded:.1f} pt in the file, LibreOffice needs {optimal:.1f}"
            for s in result.sheets for r, loaded, optimal in s.short_rows(TOLERANCE)]


@pytest.fixture(scope="module")
def coordinator_books(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("books")
    create_audit(root / "init.xlsx", "cp")
    (root / "sample").mkdir()
    create_sample(root / "sample" / "audit.xlsx")
    generate_forms(root / "sample" / "audit.xlsx", workers=1)
    return [root / "init.xlsx", root / "sample" / "audit.xlsx"]


def test_coordinator_rows_fit_their_text(office: Office, coordinator_books: list[Path]) -> None:
    for path in coordinator_books:
        result = office.row_layout(path).check()
        assert {s.name for s in result.sheets} >= {"Start", "Terms of reference", "Cases", "Assignments"}
        assert not _short_rows(result), (path.name, _short_rows(result))


@pytest.mark.parametrize("tool", TOOLS)
def test_forms_rows_fit_and_sections_stay_whole(office: Office, tmp_path: Path, tool: str) -> None:
    ctx = _ctx(tool)
    blank = tmp_path / f"{tool}.xlsx"
    blank.write_bytes(render_form(ctx).content)
    filled = fill_form(blank, tmp_path / f"{tool}-filled.xlsx", evidence=EVIDENCE, strengths=STRENGTHS,
                       development=EVIDENCE[:220], action="Team manager to review the plan by 30/06/2026.")
    cells = {key: info["cell"] for key, info in input_map(blank).items()}
    planned = [0, *build_layout(ctx).page_breaks]
    for path in (blank, filled):
        result = office.row_layout(path).check()
        assert not _short_rows(result), (path.name, _short_rows(result))
        sheet = result.sheet("Views" if tool == "views" else "Audit")
        book = openpyxl.load_workbook(path, read_only=True)
        labels = [row[0] for row in book[sheet.name].iter_rows(max_col=1, values_only=True)]
        heads = [(f"Section {n}: {s.title}", f"section.{s.id}.{s.records[0]}")  # the grade, on audit forms
                 for n, s in enumerate(ctx.tool.sections, start=1)]
        heads.append(("Closing questions" if tool != "views" else "What the child and family said",
                      f"closing.{ctx.tool.closing[0].id}"))
        for title, key in heads:
            heading, answer = labels.index(title), int(cells[key][1:]) - 1
            assert heading < answer
            assert sheet.page_of(heading) == sheet.page_of(answer) is not None, (path.name, title)
        assert [first for first, _ in sheet.pages] == planned  # no page break but the planned ones
