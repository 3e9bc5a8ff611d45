"""The moderation meeting pack (``xlpack pack``), read back from the .docx and checked against the workbook.

The workbook's Grades and Flags sheets are read here with openpyxl, independently of xlpack's reader: every
grade in each case's grid, every divergence mark, every open flag (with its decision line) and every resolved
flag in the pack is the workbook's, cases come in flag order, each starts a new page, and a grid wider than
a portrait page is landscape. The pack is also rendered by LibreOffice, whose page sizes and page tops are
checked.
"""

from __future__ import annotations

import subprocess
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.office.client import Office
from tests.report.test_docx import NS, Block, ReadBack, read_back, w
from tests.support.cli import run_cli
from tests.support.meeting_audit import FOLLOW_UP, MetAudit
from tests.support.tables import table_rows
from xlpack.report.pack import default_pack_path

pytestmark = pytest.mark.slow  # the fixture fills, consolidates and moderates the sample audit
LABELS = ("Outstanding", "Good", "Adequate", "Inadequate")  # the sample's scale, best first
SEVERITIES = ("Urgent", "High", "Medium", "Low")


@pytest.fixture(scope="module")
def pack(met_audit: MetAudit) -> Path:
    result = run_cli("pack", met_audit.audit)
    assert result.exit_code == 0, result.output
    path = default_pack_path(met_audit.audit)
    assert f"Wrote the meeting pack: {path}" in result.output
    return path


@pytest.fixture(scope="module")
def rb(pack: Path) -> ReadBack:
    return read_back(pack)


def _parts(rb: ReadBack) -> dict[str, list[Block]]:
    """Each case's blocks, from its Heading 1 to the next."""
    out: dict[str, list[Block]] = {}
    current: list[Block] | None = None
    for b in rb.blocks:
        if b.style == "Heading 1" and b.text.startswith("Case "):
            current = out.setdefault(b.text.removeprefix("Case "), [])
        if current is not None:
            current.append(b)
    return out


def _expected_cell(row: dict[str, object]) -> str:
    grade, moderated = str(row["Grade"] or ""), str(row["Moderated grade"] or "")
    if moderated and moderated != grade:
        return f"{moderated} (moderated; returned {grade or 'blank'})"
    return f"{moderated} (confirmed)" if moderated else grade


def test_every_grade_in_the_pack_is_the_workbooks(met_audit: MetAudit, rb: ReadBack) -> None:
    grades = table_rows(met_audit.audit, "Grades", "Case reference")
    by_case: dict[str, list[dict[str, object]]] = defaultdict(list)
    for g in grades:
        by_case[str(g["Case reference"])].append(g)
    parts = _parts(rb)
    assert set(parts) >= set(by_case)
    checked = moderated = 0
    for case, rows in by_case.items():
        grid = next(b for b in parts[case] if b.kind == "table" and b.rows[0][0] == "Section")
        header = grid.rows[0]
        agencies = Counter(str(r["Agency"]) for r in rows if r["No."] == 1)
        for r in rows:
            name = str(r["Agency"]) if agencies[str(r["Agency"])] == 1 else f"{r['Agency']} ({r['Auditor']})"
            col = header.index(name)
            line = next(x for x in grid.rows[1:] if x[0].lstrip("▲ ") == r["Section"])
            assert line[col] == _expected_cell(r), (case, name, r["Section"])
            checked += 1
            moderated += bool(r["Moderated grade"])
    assert checked == len(grades) and moderated == len(met_audit.moderated) > 0


def test_divergences_are_marked_in_words(met_audit: MetAudit, rb: ReadBack) -> None:
    grades = table_rows(met_audit.audit, "Grades", "Case reference")
    ranks: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for g in grades:
        if g["Grade"] in LABELS:
            ranks[(str(g["Case reference"]), str(g["Section"]))].append((str(g["Agency"]), LABELS.index(g["Grade"])))
    marked = 0
    for case, blocks in _parts(rb).items():
        grid = next((b for b in blocks if b.kind == "table" and b.rows[0][0] == "Section"), None)
        if grid is None:
            continue
        for line in grid.rows[1:-2]:  # the overall grade and "safeguarded now" rows close the grid
            section = line[0].lstrip("▲ ")
            got = ranks[(case, section)]
            apart = max((abs(a - b) for x, a in got for y, b in got if x != y), default=0)
            assert line[0].startswith("▲") == (apart >= 2), (case, section)
            assert line[-1] == (f"DIVERGENT: {apart} apart" if apart >= 2 else ""), (case, section)
            if apart >= 2:
                marked += 1
                evidence = [b for b in blocks if b.kind == "table" and b.rows[0][0] == "Agency (auditor)"]
                assert any(b is not None for b in evidence)
                agencies = {str(g["Agency"]) for g in grades if (g["Case reference"], g["Section"]) == (case, section)}
                caption_index = next(i for i, b in enumerate(blocks) if b.style == "Caption"
                                     and b.text.endswith(f"{section}: each agency's evidence"))
                table = blocks[caption_index + 1]
                assert {r[0].rsplit(" (", 1)[0] for r in table.rows[1:]} == agencies
    assert marked > 0


def test_every_flag_is_in_its_case_open_ones_with_a_decision_line(met_audit: MetAudit, rb: ReadBack) -> None:
    flags = table_rows(met_audit.audit, "Flags", "Severity")
    parts = _parts(rb)
    for case in {str(f["Case reference"]) for f in flags}:
        text = [b.text for b in parts[case] if b.kind == "p"]
        mine = [f for f in flags if f["Case reference"] == case]
        open_ = [f for f in mine if not f["Resolution"]]
        assert sum(t.startswith("Decision: ___") for t in text) == len(open_)
        for f in open_:
            where = f" ({f['Section']})" if f["Section"] else ""
            i = text.index(f"{f['Severity']}{where}: {f['What was found']}")
            assert text[i + 1].startswith("Decision: ___")
        for f in mine:
            if f["Resolution"]:
                lead = f"{f['Severity']}, already resolved: {f['What was found']}"
                line = next(t for t in text if t.startswith(lead))
                assert line.endswith(f"Resolved ({FOLLOW_UP}): {f['Resolution']}")


def test_cases_come_in_flag_order_each_on_a_new_page(met_audit: MetAudit, rb: ReadBack) -> None:
    flags = table_rows(met_audit.audit, "Flags", "Severity")
    counts: dict[str, Counter[str]] = {str(c["Case reference"]): Counter()
                                       for c in table_rows(met_audit.audit, "Cases", "Case reference")}
    for f in flags:
        counts[str(f["Case reference"])][str(f["Severity"])] += 1
    expected = sorted(counts, key=lambda c: (*(-counts[c][s] for s in SEVERITIES), c.casefold()))
    assert list(_parts(rb)) == expected
    cover = rb.table("Cases in the order of this pack")
    assert [r[0] for r in cover.rows[1:]] == expected
    assert [r[1:5] for r in cover.rows[1:]] == [[str(counts[c][s]) for s in SEVERITIES] for c in expected]
    # every case heading is the first thing after a section break that starts a new page
    body = rb.parts["word/document.xml"].find(w("body"))
    breaks_before = 0
    children = list(body)
    for i, el in enumerate(children):
        if el.tag == w("p") and "".join(t.text or "" for t in el.iter(w("t"))).startswith("Case ") and \
                el.find("w:pPr/w:pStyle", NS) is not None:
            prev = children[i - 1]
            assert prev.find("w:pPr/w:sectPr", NS) is not None
            breaks_before += 1
    assert breaks_before == len(expected)


def _orientations(rb: ReadBack) -> list[tuple[str, bool]]:
    """(first heading of the section, landscape) for every section of the document."""
    body = rb.parts["word/document.xml"].find(w("body"))
    out, heading = [], ""
    for el in body:
        sect = el.find("w:pPr/w:sectPr", NS) if el.tag == w("p") else (el if el.tag == w("sectPr") else None)
        text = "".join(t.text or "" for t in el.iter(w("t")))
        if not heading and text.startswith("Case "):
            heading = text
        if sect is not None:
            size = sect.find("w:pgSz", NS)
            out.append((heading, int(size.get(w("w"))) > int(size.get(w("h")))))
            heading = ""
    return out


def test_wide_grids_are_landscape_and_the_pack_is_marked(rb: ReadBack, pack: Path) -> None:
    parts = _parts(rb)
    columns = {case: len(next(b for b in blocks if b.kind == "table" and b.rows[0][0] == "Section").rows[0]) - 2
               for case, blocks in parts.items() if any(b.kind == "table" for b in blocks)}
    sections = dict(_orientations(rb))
    assert any(columns.values())
    for case, n in columns.items():
        assert sections[f"Case {case}"] == (n > 4), (case, n)
    header = " ".join(t.text or "" for name, part in rb.parts.items() if "header" in name for t in part.iter(w("t")))
    assert "OFFICIAL-SENSITIVE" in header
    assert "Learning points" in [b.text for b in rb.blocks if b.style == "Heading 2"]


def test_an_existing_pack_is_not_replaced_without_force(met_audit: MetAudit, pack: Path) -> None:
    before = pack.read_bytes()
    again = run_cli("pack", met_audit.audit)
    assert again.exit_code == 2 and "already exists" in again.output and pack.read_bytes() == before
    forced = run_cli("pack", met_audit.audit, "--force")
    assert forced.exit_code == 0


@pytest.mark.office
def test_the_pack_renders_one_case_a_page_start(pack: Path, rb: ReadBack, office: Office,
                                                tmp_path_factory: pytest.TempPathFactory) -> None:
    out = office.convert(pack, tmp_path_factory.mktemp("pack-pdf"), "pdf").check()
    assert out.path is not None
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(out.path)], capture_output=True, text=True,
                          check=True).stdout
    sizes = [tuple(float(x) for x in line.split(":")[1].split("pts")[0].split(" x "))
             for line in info.splitlines() if line.startswith("Page") and "size" in line]
    text = subprocess.run(["pdftotext", "-layout", str(out.path), "-"], capture_output=True, text=True,
                          check=True).stdout.split("\f")
    cases = list(_parts(rb))
    starts = {}
    for i, page in enumerate(text):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip() and ln.strip() != "OFFICIAL-SENSITIVE"]
        if lines and lines[0].startswith("Case ") and lines[0].removeprefix("Case ") in cases:
            starts[lines[0].removeprefix("Case ")] = i
    assert list(starts) == cases  # every case starts at the top of a page, in the pack's order
    landscape = dict(_orientations(rb))
    for case, at in starts.items():
        width, height = sizes[at]
        assert (width > height) == landscape[f"Case {case}"], case
