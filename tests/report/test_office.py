"""End to end with real clients: the sample audit's forms filled in, consolidated with
``xlpack consolidate``, moderated in LibreOffice, reported with ``xlpack report``, and the report
converted by LibreOffice to PDF and page images.

The figures are checked against the Grades, Returns and Form answers sheets of the workbook,
read here with openpyxl, independently of xlpack's reader.
"""

from __future__ import annotations

import random
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docx
import openpyxl
import pytest
from PIL import Image, ImageChops

from tests.office.client import Office, pdf_info, pdf_to_png
from tests.report.test_content import LABELS, Row, Truth, check_report
from tests.report.test_docx import CHAPTERS, ReadBack, read_back
from tests.report.test_model import AGENCY_SHIFT, DEVELOPMENT, EVIDENCE, SECTION_QUALITY, STRENGTHS
from tests.support.audit_copy import copy_audit_folder
from tests.support.cli import run_cli
from tests.support.filling import fill_form
from tests.support.tables import table_rows
from xlpack import clock
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.report.write import default_report_path

MARGIN_PT = 2.0 / 2.54 * 72  # the report's 2 cm margins
NOT_RETURNED = (5, 40)  # indexes of issued audit forms left unreturned
MODERATED = 3


def _grade(rng: random.Random, section: str, agency: str) -> str:
    roll = rng.random()
    if roll < 0.05:
        return "Not applicable"
    if roll < 0.08:
        return "No evidence"
    rank = min(4, max(1, round(rng.gauss(SECTION_QUALITY[section] + AGENCY_SHIFT.get(agency, 0.0), 0.5))))
    return LABELS[rank - 1]


def _fill_returns(audit: Path, forms: Path, returns: Path) -> None:
    plan = read_plan(audit)
    rng = random.Random(5)
    audit_forms = [f for f in plan.issued if f.kind == "audit"]
    skip = {audit_forms[i].form_id for i in NOT_RETURNED}
    returns.mkdir()
    for f in plan.issued:
        if f.form_id in skip:
            continue
        if f.kind == "views":
            if rng.random() < 0.3:
                continue
            fill_form(forms / f.file, returns / f.file, closing={
                "c1_given_by": "Parent", "c1_method": "Face to face", "c1_consent": "Yes",
                "c1_working_well": rng.choice(["My worker listens to me.", "School checks in every morning."]),
                "c1_not_working": rng.choice(["I had three workers this year.", "Nobody told us about the meeting."]),
                "c1_listened_to": rng.choice(["Yes", "Partly", "No"]),
                "c1_safer": rng.choice(["Much more", "No change"])})
            continue
        grades = {s.id: _grade(rng, s.id, f.agency) for s in plan.tool.sections}
        good = {k: rng.choice(STRENGTHS) for k, g in grades.items() if g in ("Outstanding", "Good")}
        weak = {k: rng.choice(DEVELOPMENT) for k, g in grades.items() if g in ("Adequate", "Inadequate")}
        evidence = {k: rng.choice(EVIDENCE) for k, g in grades.items() if g in LABELS[:4]}
        ranks = [LABELS.index(g) + 1 for g in grades.values() if g in LABELS[:4]]
        overall = LABELS[round(sum(ranks) / len(ranks)) - 1]
        safe = rng.choices(["Yes", "Unsure"], [0.95, 0.05])[0]
        fill_form(forms / f.file, returns / f.file, grades, evidence=evidence, strengths=good, development=weak,
                  closing={"overall_grade": overall, "safeguarded_now": safe,
                           "safeguarding_action": "Manager told the same day." if safe != "Yes" else None})


def _moderate(office: Office, src: Path, out: Path) -> list[tuple[str, str]]:
    """Type moderated grades, notes and flag resolutions in LibreOffice, as a coordinator would."""
    grades = table_rows(src, "Grades", "Case reference")
    header_row = 4  # the table's header row (Excel numbering) on the analysis sheets
    cols = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(grades[0])}
    entries, changed = [], []
    picks = [i for i, r in enumerate(grades) if r["Grade"] in ("Adequate", "Inadequate")][:: 17][:MODERATED]
    for i in picks:
        better = LABELS[LABELS.index(str(grades[i]["Grade"])) - 1]
        row = header_row + 1 + i
        entries += [("Grades", f"{cols['Moderated grade']}{row}", better),
                    ("Grades", f"{cols['Moderation note']}{row}", "Agreed at the follow-up meeting.")]
        changed.append((str(grades[i]["Row id"]), better))
    flags = table_rows(src, "Flags", "Severity")
    fcols = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(flags[0])}
    entries += [("Flags", f"{fcols['Resolution']}{header_row + 1 + i}", "Discussed and agreed at the meeting.")
                for i in range(min(3, len(flags)))]
    office.set_cells(src, out, entries).check()
    return changed


@pytest.fixture(scope="module")
def moderated_audit(sample_forms: tuple[Path, Path], office: Office,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[tuple[str, str]]]]:
    audit, forms = sample_forms
    root = tmp_path_factory.mktemp("e2e")
    work = copy_audit_folder(audit, root / "audit")
    _fill_returns(work, work.parent / forms.name, root / "returns")
    done = run_cli("consolidate", work, root / "returns")  # as the coordinator would
    assert done.exit_code == 0, done.output
    edited = root / "audit" / "moderated.xlsx"
    changed = _moderate(office, work, edited)
    yield edited, changed


@pytest.fixture(scope="module")
def report(moderated_audit: tuple[Path, list[tuple[str, str]]]) -> Path:
    audit, _ = moderated_audit
    result = run_cli("report", audit)
    assert result.exit_code == 0, result.output
    path = default_report_path(audit)
    assert f"Wrote the overview report: {path}" in result.output
    return path


def truth_from_workbook(path: Path) -> Truth:
    grades = table_rows(path, "Grades", "Case reference")
    rows = [Row(str(g["Case reference"]), str(g["Agency"]), str(g["Section"]), int(g["No."]),
                str(g["Grade"] or ""), str(g["Moderated grade"] or "")) for g in grades]
    status = {"Accepted": "accepted", "Accepted with warnings": "accepted_with_warnings", "Rejected": "rejected",
              "Not returned": "missing", "Overdue": "overdue", "Superseded": "superseded", "Skipped": "skipped"}
    returns = [(str(r["Form"]).lower(), str(r["Form id"]), str(r["Agency"]), status[str(r["Status"])])
               for r in table_rows(path, "Returns", "Case reference")]
    overall = [(str(a["Case reference"]), str(a["Agency"]), str(a["Overall grade"] or ""))
               for a in table_rows(path, "Form answers", "Case reference")]
    cases = {str(c["Case reference"]): {k: " ".join(str(v or "").split()) or "Not recorded" for k, v in c.items()
                                        if k != "Case reference"}
             for c in table_rows(path, "Cases", "Case reference")}
    return Truth(rows, returns, overall, cases)


# ----------------------------------------------------------------------------- the report's content


def test_figures_match_the_workbook_sheets(report: Path, moderated_audit: tuple[Path, list[tuple[str, str]]]) -> None:
    audit, changed = moderated_audit
    truth = truth_from_workbook(audit)
    assert sum(1 for r in truth.rows if r.moderated) == MODERATED == len(changed)
    rb = read_back(report)
    assert check_report(rb, truth) > 100
    assert len(rb.table("Grades changed at moderation").rows) == 1 + MODERATED
    assert [b.text for b in rb.paragraphs("Heading 1")] == CHAPTERS
    # resolutions typed, but no meeting on the Meetings sheet: the report does not say a meeting resolved them
    resolved = rb.table("Flags resolved")
    assert [r[3] for r in resolved.rows[1:]] == ["Discussed and agreed at the meeting."] * 3


def test_not_returned_audits_are_reported(report: Path, moderated_audit: tuple[Path, list[tuple[str, str]]]) -> None:
    rb = read_back(report)
    missing = rb.table("Audits not returned or not used")
    assert len(missing.rows) == 1 + len(NOT_RETURNED)
    audit, _ = moderated_audit
    deadline = read_plan(audit).terms.deadline
    assert deadline is not None
    # consolidated as on the suite's fixed day (tests/conftest.py), whatever the machine's date
    expected = "Not returned" if clock.today() <= deadline else "Not returned by the deadline"
    assert [r[2] for r in missing.rows[1:]] == [expected] * len(NOT_RETURNED)


def test_cli_refuses_to_replace_then_replaces_with_force(report: Path,
                                                          moderated_audit: tuple[Path, list[tuple[str, str]]]) -> None:
    audit, _ = moderated_audit
    before = report.read_bytes()
    refused = run_cli("report", audit)
    assert refused.exit_code == 2 and "--force" in refused.output
    again = run_cli("report", audit, "--force")
    assert again.exit_code == 0
    other = report.with_name("copy.docx")
    run_cli("report", audit, "--out", other)
    assert other.read_bytes() == report.read_bytes()  # the same workbook on the same day: the same bytes
    assert len(before) > 50_000


# ----------------------------------------------------------------------------- LibreOffice renders it


@pytest.fixture(scope="module")
def pdf(report: Path, office: Office, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = office.convert(report, tmp_path_factory.mktemp("pdf"), "pdf").check()
    assert result.path is not None
    return result.path


def _pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return out.stdout.split("\f")[:-1]


def test_pdf_is_a4_with_every_heading_and_page_numbers(pdf: Path, report: Path) -> None:
    info = pdf_info(pdf)
    assert info.pages >= 10
    assert info.paper == "A4" and abs(info.width_pt - 595.3) < 1 and abs(info.height_pt - 841.9) < 1
    pages = _pages_text(pdf)
    assert len(pages) == info.pages
    text = re.sub(r"\s+", " ", " ".join(pages))
    for heading in [*CHAPTERS, "Contents", "Grades by section", "Flags and their resolution",
                    "Learning from good practice"]:
        assert heading in text, heading
    for n, page in enumerate(pages, start=1):
        assert "OFFICIAL-SENSITIVE" in page, n
        assert re.search(rf"Page {n} of {info.pages}\b", page), n
    contents = pages[1]
    rb: ReadBack = read_back(report)
    for block in rb.paragraphs("Heading 1"):
        assert block.text in re.sub(r"\s+", " ", contents)


def test_nothing_runs_off_the_page(pdf: Path, tmp_path: Path) -> None:
    """Every page's ink (text, table borders, charts) lies within the margins, portrait and landscape pages alike."""
    info = pdf_info(pdf)
    dpi = 40
    images = pdf_to_png(pdf, tmp_path, dpi=dpi)
    assert len(images) == info.pages
    margin = MARGIN_PT / 72 * dpi
    tolerance = 1
    landscape = 0
    for path in images:
        with Image.open(path) as im:
            page = im.convert("RGB")
        width, height = page.size
        landscape += width > height
        box = ImageChops.difference(page, Image.new("RGB", page.size, "white")).getbbox()
        assert box is not None, f"{path.name} is blank"
        left, _, right, _ = box
        assert left >= margin - tolerance and right <= width - margin + tolerance, (path.name, box, width)
    assert landscape >= 2  # the action plan and the case grid


def test_page_images_of_the_first_pages(pdf: Path, tmp_path: Path) -> None:
    images = pdf_to_png(pdf, tmp_path, dpi=50, first=1, last=4)
    assert len(images) == 4
    for path in images:
        with Image.open(path) as im:
            assert abs(im.size[0] - 595.3 / 72 * 50) <= 1 and abs(im.size[1] - 841.9 / 72 * 50) <= 1  # A4 portrait
            inked = ImageChops.difference(im.convert("L"), Image.new("L", im.size, 255)).point(lambda v: v > 40)
            assert inked.getbbox() is not None


def test_demo_ends_with_the_report_and_feedback_and_says_where_they_are(office: Office, tmp_path: Path) -> None:
    result = run_cli("demo", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    report = tmp_path / "demo" / "sample-audit overview report.docx"
    steps = [line for line in result.output.splitlines() if re.match(r"\d+\. ", line)]
    assert steps[-2].endswith(f"ready to finish in Word: {report} (its 'Coordinator:' notes mark where your "
                              "judgement goes)")
    assert "feedback documents" in steps[-1] and str(tmp_path / "demo" / "feedback") in steps[-1]
    pack = tmp_path / "demo" / "sample-audit meeting pack.docx"
    assert pack.is_file() and any(s.startswith(f"Moderation meeting pack for the follow-up meeting: {pack}") for s in
                                  (line.split(". ", 1)[1] for line in steps))
    pdf = office.convert(report, tmp_path / "pdf", "pdf").check().path
    assert pdf is not None
    pages = _pages_text(pdf)
    assert len(pages) >= 10
    assert "Sample Child Protection audit (fictional data)" in pages[0] and "Contents" in pages[1]
    assert len(pdf_to_png(pdf, tmp_path / "png", dpi=40, first=1, last=3)) == 3
    assert_every_table_drawn(pdf, report)  # the demo's action plan runs over a page


def assert_every_table_drawn(pdf: Path, report: Path) -> None:
    """Each table starts on the page of its caption (LibreOffice pushed a kept-together table taller than a page
    off its caption's page, leaving the caption alone on a blank page)."""
    pages = [" ".join(page.split()) for page in _pages_text(pdf)]
    tables = [t for t in docx.Document(str(report)).tables if len(t.rows) > 1]
    for n, table in enumerate(tables, start=1):
        on = [i for i, page in enumerate(pages) if f"Table {n}:" in page]
        assert on, f"no caption 'Table {n}:' in the PDF"
        first = " ".join(table.rows[1].cells[0].text.split()[:2])
        assert first in pages[on[-1]], f"Table {n} does not start on the page of its caption (page {on[-1] + 1})"


def test_every_table_of_the_report_is_drawn_in_the_pdf(pdf: Path, report: Path) -> None:
    assert_every_table_drawn(pdf, report)
