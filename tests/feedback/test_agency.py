"""The per-agency learning pack (``xlpack feedback AUDIT --by agency``): its section profile beside the
partnership's with small groups left out, its flags, development points and Action plan actions, each checked
against the workbook read with openpyxl, independently of xlpack's reader."""

from __future__ import annotations

import subprocess
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from tests.office.client import Office
from tests.report.test_docx import ReadBack, read_back
from tests.report.test_model import fake_audit
from tests.support.cli import run_cli
from tests.support.meeting_audit import MetAudit
from tests.support.tables import table_rows
from xlpack.analysis.pivots import share_percent
from xlpack.feedback.agency import agency_bytes, gather_agencies

pytestmark = pytest.mark.slow  # the fixture fills, consolidates and moderates the sample audit
LABELS = ("Outstanding", "Good", "Adequate", "Inadequate")


@pytest.fixture(scope="module")
def packs(met_audit: MetAudit, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("learning")
    result = run_cli("feedback", met_audit.audit, "--by", "agency", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def _docs(packs: Path) -> dict[str, ReadBack]:
    out = {}
    for path in sorted(packs.glob("Learning_*.docx")):
        rb = read_back(path)
        agency = next(b.text for b in rb.blocks if b.kind == "p" and b.text and b.text not in (
            "OFFICIAL-SENSITIVE", "Agency learning pack"))
        out[agency] = rb
    return out


def _share(rows: list[dict[str, object]], which: str) -> tuple[int, int, int]:
    graded = [(r["Case reference"], LABELS.index(g)) for r in rows
              if (g := r["Moderated grade"] or r["Grade"]) in LABELS]
    hit = sum(1 for _, k in graded if (k <= 1 if which == "good" else k == 3))
    return hit, len(graded), len({c for c, _ in graded})


def test_one_pack_per_agency_with_its_profile_beside_the_partnerships(met_audit: MetAudit, packs: Path) -> None:
    grades = table_rows(met_audit.audit, "Grades", "Case reference")
    docs = _docs(packs)
    assert set(docs) == {str(g["Agency"]) for g in grades}
    for agency, rb in docs.items():
        table = rb.table("and the partnership, section by section")
        for line in table.rows[1:]:
            section = line[0]
            mine = [g for g in grades if g["Agency"] == agency and g["Section"] == section]
            everyone = [g for g in grades if g["Section"] == section]
            for col, rows, which, small_hidden in ((1, mine, "good", True), (2, everyone, "good", False),
                                                   (3, mine, "bad", True), (4, everyone, "bad", False)):
                hit, graded, cases = _share(rows, which)
                if not graded:
                    assert line[col] == "no grades"
                elif small_hidden and cases < 3:
                    assert line[col] == "–"
                else:
                    assert line[col] == share_percent(hit, graded), (agency, section, col)
        said = " ".join(b.text for b in rb.blocks if b.kind == "p")
        hidden = any(c == "–" for r in table.rows[1:] for c in r)
        assert ("fewer than 3 of its cases are not shown" in said) == hidden  # the rule stated once, where used
        assert said.count("fewer than 3 of its cases") <= 1


def test_an_agency_with_fewer_than_three_cases_is_not_shown_and_the_rule_stated_once(tmp_path: Path) -> None:
    audit = fake_audit()
    agency = sorted({g.agency for g in audit.grades})[0]
    keep = sorted({g.case_ref for g in audit.grades if g.agency == agency})[:2]
    audit.grades = [g for g in audit.grades if g.agency != agency or g.case_ref in keep]
    item = next(i for i in gather_agencies(audit) if i.agency == agency)
    rb = read_back(_write(tmp_path / "a.docx", agency_bytes(item, audit, date(2026, 12, 9))))
    table = rb.table("and the partnership, section by section")
    assert all(r[1] == r[3] == "–" for r in table.rows[1:] if r[2] != "no grades")
    assert all(r[2] not in ("–", "no grades") for r in table.rows[1:])  # the partnership's figures are shown
    said = [b.text for b in rb.blocks if b.kind == "p"]
    assert sum("fewer than 3 of its cases are not shown" in t for t in said) == 1


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_its_flags_development_points_and_actions(met_audit: MetAudit, packs: Path) -> None:
    flags = table_rows(met_audit.audit, "Flags", "Severity")
    grades = table_rows(met_audit.audit, "Grades", "Case reference")
    actions = table_rows(met_audit.audit, "Action plan", "Action id")
    for agency, rb in _docs(packs).items():
        mine = [f for f in flags if agency in str(f["Agencies"]).split("; ")]
        if mine:
            table = rb.table(f"Flags about {agency}'s records")
            assert sorted((r[0], r[1]) for r in table.rows[1:]) == sorted(
                (str(f["Case reference"]), str(f["Severity"])) for f in mine)
            resolved = {r[5] for r in table.rows[1:]} - {"Open"}
            assert resolved <= {str(f["Resolution"]) for f in mine if f["Resolution"]}
        points: dict[tuple[str, str], list[str]] = defaultdict(list)  # (section, words) -> cases
        for g in grades:
            if g["Agency"] == agency and g["Areas for development"]:
                points[(str(g["Section"]), str(g["Areas for development"]).strip())].append(str(g["Case reference"]))
        under: dict[str, list[str]] = defaultdict(list)  # section heading -> the quotes below it
        heading = ""
        for b in rb.blocks:
            heading = b.text if b.style == "Heading 3" else heading
            if b.style == "Quote":
                under[heading].append(b.text)
        for (section, text), cases in points.items():
            assert f"“{text}” ({', '.join(sorted(set(cases)))})" in under[section], (agency, section, text)
        assert sum(map(len, under.values())) == len(points)  # identical words once a section
        own = [a for a in actions if str(a["Agency"] or "").casefold() == agency.casefold()]
        if own:
            table = rb.table(f"Actions for {agency}")
            assert [r[1] for r in table.rows[1:]] == [str(a["Action"]) for a in own]
        else:
            assert f"The Action plan sheet gives no action to {agency}." in [b.text for b in rb.blocks]
    assert any(a["Action"] == "Audit planning again." for a in actions)


def test_by_must_be_form_or_agency(met_audit: MetAudit, tmp_path: Path) -> None:
    result = run_cli("feedback", met_audit.audit, "--by", "team", "--out", tmp_path)
    assert result.exit_code == 2 and "--by must be 'form' or 'agency', not 'team'" in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.office
def test_a_learning_pack_renders(packs: Path, office: Office, tmp_path_factory: pytest.TempPathFactory) -> None:
    first = sorted(packs.glob("Learning_*.docx"))[0]
    out = office.convert(first, tmp_path_factory.mktemp("learning-pdf"), "pdf").check()
    assert out.path is not None
    text = subprocess.run(["pdftotext", "-layout", str(out.path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Section profile beside the partnership's" in text and text.count("OFFICIAL-SENSITIVE") >= 2
