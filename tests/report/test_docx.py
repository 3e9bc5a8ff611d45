"""The overview report's Word structure, read back from the .docx.

Heading styles, the contents field, captions, header rows that repeat,
alt text on every picture, A4 pages, page numbers, the marking, fonts,
table widths within the text area, determinism, and the CLI.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.table import Table
from lxml import etree

from tests.report.test_model import fake_audit
from tests.support.cli import run_cli
from tests.support.documents import style_name
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.report.write import build_report, default_report_path, report_bytes, write_report

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
TODAY = date(2026, 11, 27)
A4_TWIPS = (11906, 16838)
CHAPTERS = ["Summary", "Context", "Terms of reference and method", "The quantified picture",
            "Consistency between agencies", "Evidence from the audits", "Children's and families' views", "Findings",
            "Themes", "Recommendations", "Overall judgement on the quality of the work", "How the audit went",
            "Dissemination and re-audit", "Action plan", "Appendix A: case grid", "Appendix B: grades by case detail"]


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass
class Block:
    kind: str  # "p" or "table"
    style: str = ""
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    element: etree._Element = field(kw_only=True)  # the paragraph or table in document.xml


@dataclass
class ReadBack:
    """The body of a report in order, plus its parts as XML."""

    blocks: list[Block]
    parts: dict[str, etree._Element]
    styles: dict[str, str]  # styleId -> name

    def paragraphs(self, style: str | None = None) -> list[Block]:
        return [b for b in self.blocks if b.kind == "p" and (style is None or b.style == style)]

    def tables(self) -> list[tuple[str, Block]]:
        """(caption text, table) for every table: the caption is the paragraph just above it."""
        out = []
        for i, b in enumerate(self.blocks):
            if b.kind == "table":
                above = self.blocks[i - 1]
                out.append((above.text if above.style == "Caption" else "", b))
        return out

    def table(self, caption_part: str) -> Block:
        found = [t for c, t in self.tables() if caption_part in c]
        assert len(found) == 1, (caption_part, [c for c, _ in self.tables()])
        return found[0]

    def chapter(self, title: str) -> list[Block]:
        """The blocks from a Heading 1 to the next."""
        start = next(i for i, b in enumerate(self.blocks) if b.style == "Heading 1" and b.text == title)
        end = next((i for i, b in enumerate(self.blocks) if i > start and b.style == "Heading 1"), len(self.blocks))
        return self.blocks[start:end]


def _text(el: etree._Element) -> str:
    parts = []
    for node in el.iter(w("t"), w("br"), w("tab")):
        parts.append(node.text or "" if node.tag == w("t") else ("\n" if node.tag == w("br") else "\t"))
    return "".join(parts)


def read_back(path: Path) -> ReadBack:
    with zipfile.ZipFile(path) as z:
        parts = {name: etree.fromstring(z.read(name)) for name in z.namelist() if name.endswith(".xml")}
    styles = {s.get(w("styleId")): s.find(w("name")).get(w("val"))
              for s in parts["word/styles.xml"].iter(w("style"))}
    names = {"heading 1": "Heading 1", "heading 2": "Heading 2", "heading 3": "Heading 3", "caption": "Caption"}
    blocks = []
    for el in parts["word/document.xml"].find(w("body")):
        if el.tag == w("p"):
            style_el = el.find("w:pPr/w:pStyle", NS)
            name = styles.get(style_el.get(w("val")), "") if style_el is not None else "Normal"
            blocks.append(Block("p", names.get(name, name), _text(el), element=el))
        elif el.tag == w("tbl"):
            rows = [[_text(tc) for tc in tr.findall("w:tc", NS)] for tr in el.findall("w:tr", NS)]
            blocks.append(Block("table", rows=rows, element=el))
    return ReadBack(blocks, parts, styles)


@pytest.fixture(scope="module")
def audit() -> ConsolidatedAudit:
    return fake_audit()


@pytest.fixture(scope="module")
def report(audit: ConsolidatedAudit, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report(audit, tmp_path_factory.mktemp("report") / "overview.docx", today=TODAY)


@pytest.fixture(scope="module")
def rb(report: Path) -> ReadBack:
    return read_back(report)


# ----------------------------------------------------------------------------- structure


def test_chapters_are_heading_1_in_order(rb: ReadBack) -> None:
    assert [b.text for b in rb.paragraphs("Heading 1")] == CHAPTERS
    assert "Grades by section" in [b.text for b in rb.paragraphs("Heading 2")]


def test_opens_in_python_docx_with_title_page(report: Path) -> None:
    d = docx.Document(str(report))
    title = [p.text for p in d.paragraphs if style_name(p) == "Title"]
    assert title == ["Sample Child Protection audit (fictional data)"]
    first = "\n".join(p.text for p in d.paragraphs[:16])
    assert "OFFICIAL-SENSITIVE" in first
    assert "Case work audited: 3 November 2025 to 2 November 2026" in first
    assert "Report date: 27 November 2026" in first
    assert d.core_properties.title == "Sample Child Protection audit (fictional data): overview report"


def test_contents_field_lists_the_headings(rb: ReadBack) -> None:
    body = rb.parts["word/document.xml"]
    instr = [t.text for t in body.iter(w("instrText"))]
    assert any(re.match(r'\s*TOC \\o "1-2" \\h \\z \\u', t or "") for t in instr)
    toc = [b.text for b in rb.blocks if b.style in ("toc 1", "toc 2")]
    headings = [b.text for b in rb.blocks if b.style in ("Heading 1", "Heading 2")]
    assert toc == headings
    anchors = {h.get(w("anchor")) for h in body.iter(w("hyperlink"))}
    bookmarks = {b.get(w("name")) for b in body.iter(w("bookmarkStart"))}
    assert anchors and anchors <= bookmarks
    update = rb.parts["word/settings.xml"].find("w:updateFields", NS)
    assert update is not None and update.get(w("val")) == "true"


def test_every_table_has_a_caption_and_a_repeating_header(rb: ReadBack) -> None:
    tables = rb.tables()
    assert len(tables) > 15
    for n, (caption, table) in enumerate(tables, start=1):
        assert caption.startswith(f"Table {n}: "), caption
        first_row = table.element.find("w:tr", NS)
        header = first_row.find("w:trPr/w:tblHeader", NS)
        assert header is not None and header.get(w("val")) == "true"
        style = table.element.find("w:tblPr/w:tblStyle", NS).get(w("val"))
        assert rb.styles[style] == "Audit table"
    seq = [t.text for t in rb.parts["word/document.xml"].iter(w("instrText")) if "SEQ Table" in (t.text or "")]
    assert len(seq) == len(tables)


def test_every_picture_has_alt_text_and_a_caption(rb: ReadBack) -> None:
    pictures = [(i, b) for i, b in enumerate(rb.blocks) if b.kind == "p" and b.element.find(".//wp:docPr", NS)
                is not None]
    assert len(pictures) >= 4
    for n, (i, b) in enumerate(pictures, start=1):
        pr = b.element.find(".//wp:docPr", NS)
        assert len(pr.get("descr", "")) > 40
        caption = rb.blocks[i + 1]
        assert caption.style == "Caption" and caption.text.startswith(f"Figure {n}: ")
        assert pr.get("title") == caption.text.split(": ", 1)[1]


def test_pages_are_a4_with_text_width_tables(rb: ReadBack) -> None:
    """Every section is A4 (portrait or landscape) and no table is wider than its section's text width."""
    body = rb.parts["word/document.xml"].find(w("body"))
    widths_seen = []
    pending: list[int] = []
    for el in body:
        if el.tag == w("tbl"):
            grid = sum(int(c.get(w("w"))) for c in el.findall("w:tblGrid/w:gridCol", NS))
            tblw = el.find("w:tblPr/w:tblW", NS)
            assert tblw.get(w("type")) == "dxa"
            cells = max(sum(int(tc.find("w:tcPr/w:tcW", NS).get(w("w"))) for tc in tr.findall("w:tc", NS))
                        for tr in el.findall("w:tr", NS))
            indent = el.find("w:tblPr/w:tblInd", NS)
            pending.append(max(grid, int(tblw.get(w("w"))), cells) + int(indent.get(w("w"))))
        sect = el.find("w:pPr/w:sectPr", NS) if el.tag == w("p") else (el if el.tag == w("sectPr") else None)
        if sect is not None:
            size = sect.find("w:pgSz", NS)
            wd, ht = int(size.get(w("w"))), int(size.get(w("h")))
            assert sorted((wd, ht)) == sorted(A4_TWIPS)
            landscape = wd > ht
            assert (size.get(w("orient")) == "landscape") == landscape
            mar = sect.find("w:pgMar", NS)
            text_width = wd - int(mar.get(w("left"))) - int(mar.get(w("right")))
            for width in pending:
                assert width <= text_width, (width, text_width)
            widths_seen += pending
            pending = []
    assert not pending and len(widths_seen) == len(rb.tables())


def test_header_marking_and_page_numbers(rb: ReadBack) -> None:
    headers = [el for name, el in rb.parts.items() if name.startswith("word/header")]
    footers = [el for name, el in rb.parts.items() if name.startswith("word/footer")]
    assert any("OFFICIAL-SENSITIVE" in _text(h) for h in headers)
    footer_fields = [t.text.strip() for f in footers for t in f.iter(w("instrText"))]
    assert "PAGE" in footer_fields and "NUMPAGES" in footer_fields
    assert any("OFFICIAL-SENSITIVE" in _text(f) for f in footers)
    # every section uses that header: the first defines it, the others are linked to it
    sects = list(rb.parts["word/document.xml"].iter(w("sectPr")))
    assert len(sects) == 2 and sects[0].find("w:headerReference", NS) is not None


def test_fonts_are_calibri_everywhere(rb: ReadBack) -> None:
    styles = rb.parts["word/styles.xml"]
    for style in styles.iter(w("style")):
        name = style.find(w("name")).get(w("val"))
        if name in ("Normal", "heading 1", "heading 2", "heading 3", "Title", "caption", "Table text",
                    "Coordinator note"):
            fonts = style.find("w:rPr/w:rFonts", NS)
            assert fonts is not None and fonts.get(w("ascii")) == "Calibri" and fonts.get(w("hAnsi")) == "Calibri"
            assert fonts.get(w("asciiTheme")) is None, name
    body = rb.parts["word/document.xml"]
    assert {f.get(w("ascii")) for f in body.iter(w("rFonts"))} <= {"Calibri", None}


def test_coordinator_notes_in_every_chapter_that_needs_judgement(rb: ReadBack) -> None:
    for chapter in ("Summary", "Consistency between agencies", "Evidence from the audits",
                    "Children's and families' views", "Themes", "Recommendations", "How the audit went"):
        notes = [b for b in rb.chapter(chapter) if b.style == "Coordinator note"]
        assert notes and all(b.text.startswith("Coordinator: ") for b in notes), chapter
    overall = [b.text for b in rb.chapter("Overall judgement on the quality of the work")
               if b.style == "Coordinator note"]
    assert any("Overall judgement" in t for t in overall)


def test_action_plan_has_one_row_per_recommendation(rb: ReadBack) -> None:
    table = rb.table("Proposed SMART action plan")
    assert table.rows[0] == ["Action", "Agency", "Review by", "Measure of success", "Status"]
    ranking = rb.table("Sections ranked")
    concern = [r[1] for r in reversed(ranking.rows[1:]) if r[-1] == "Causing concern"]  # worst first
    recs = [b.text for b in rb.blocks if b.text.startswith("Recommendation ")]
    assert len(table.rows) - 1 == len(recs) <= 5
    improve = [row for row in table.rows[1:] if row[0].startswith("Find out why")]
    for row, title in zip(improve, concern):
        assert row[0].startswith(f"Find out why {title.lower()} falls short") and row[4] == "Not started"
        assert row[3].startswith(f"At the re-audit, {title} working well: Good or better in at least 75%")


def test_case_grid_has_every_case_and_every_returned_grade(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    for case in audit.plan.cases:
        table = rb.table(f"Case {case.case_ref}: grades by agency")
        rows = {r[0]: r[1:] for r in table.rows[1:]}
        graded = [g for g in audit.grades if g.case_ref == case.case_ref]
        assert len(table.rows[0]) - 1 == len({g.form_id for g in graded})
        for s in audit.plan.tool.sections:
            expected = sorted(g.final_grade or "" for g in graded if g.section_id == s.id)
            shown = sorted(c.split(" (returned")[0] for c in rows[s.title])
            assert shown == expected, (case.case_ref, s.title)


def test_evidence_names_agency_and_section_only(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    quotes = [b.text for b in rb.chapter("Evidence from the audits") if b.style == "Quote"]
    assert len(quotes) >= 3
    auditors = {g.auditor for g in audit.grades}
    for q in quotes:
        one = re.fullmatch(r"“(.+)” \((.+), (.+), evidence for a grade of (\w+)\)", q, re.DOTALL)
        assert one, q
        text, agency, section, grade = one.groups()
        source = [g for g in audit.grades if g.agency == agency and g.section_title == section
                  and g.final_grade == grade]
        assert any(text.rstrip("…") in " ".join(g.evidence.split()) for g in source), q
        assert not any(a in q for a in auditors)


def test_same_audit_same_bytes(audit: ConsolidatedAudit) -> None:
    first = report_bytes(audit, today=TODAY)
    assert report_bytes(fake_audit(), today=TODAY) == first
    later = report_bytes(audit, today=date(2026, 12, 1))
    assert later != first
    with zipfile.ZipFile(__import__("io").BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2026-11-27T00:00:00Z" in core


def test_report_without_moderation_views_or_flags(tmp_path: Path) -> None:
    bare = fake_audit(moderate=False).model_copy(update={"views": [], "flags": []})
    rb = read_back(build_report(bare, tmp_path / "bare.docx", today=TODAY))
    texts = [b.text for b in rb.blocks]
    assert any("recorded no moderated grade" in t for t in texts)
    assert "No child and family views forms were returned for this audit." in texts
    assert "Consolidation raised no consistency flags." in texts


def test_report_before_anything_came_back(tmp_path: Path) -> None:
    audit = fake_audit()
    nothing = audit.model_copy(update={"grades": [], "summaries": [], "flags": [], "views": [], "returns": [
        replace(r, status="missing") for r in audit.returns]})
    rb = read_back(build_report(nothing, tmp_path / "nothing.docx", today=TODAY))
    texts = [b.text for b in rb.blocks]
    issued = sum(r.kind == "audit" for r in nothing.returns)
    assert "Returns: 0 of " + f"{issued} audit forms came back and were used (0%)." in texts
    assert "No graded answers have come back yet." in texts
    assert not list(rb.parts["word/document.xml"].iter(f"{{{NS['wp']}}}docPr"))  # no empty charts
    assert len(rb.table("Audits not returned or not used").rows) == issued + 1  # and the header
    assert [b.text for b in rb.paragraphs("Heading 1")] == CHAPTERS


def test_write_report_refuses_to_replace_without_overwrite(tmp_path: Path) -> None:
    audit = tmp_path / "audit.xlsx"
    audit.write_bytes(b"not read: the check comes first")
    target = default_report_path(audit)
    assert target.name == "audit overview report.docx"
    target.write_bytes(b"edited in Word")
    from xlpack.errors import UsageError

    with pytest.raises(UsageError, match="already exists and may hold your edits"):
        write_report(audit)
    assert target.read_bytes() == b"edited in Word"
    with pytest.raises(UsageError, match=r"\.docx ending"):
        write_report(audit, tmp_path / "report.pdf")


def test_cli_report_usage_errors(tmp_path: Path) -> None:
    missing = run_cli("report", tmp_path / "nope.xlsx")
    assert missing.exit_code == 2
    assert "does not exist" in missing.output
    audit = tmp_path / "a.xlsx"
    audit.write_bytes(b"x")
    (tmp_path / "a overview report.docx").write_bytes(b"x")
    exists = run_cli("report", audit)
    assert exists.exit_code == 2
    assert "--force" in exists.output


def test_a_table_too_tall_for_a_page_keeps_only_its_head_together() -> None:
    """Kept whole, a table taller than a page would leave its caption alone at the foot of the page before."""
    from xlpack.report.document import ReportDocument

    doc = ReportDocument(title="t", subject="s", author="a", when=TODAY)
    short = [["a", "b"]] * 5
    tall = [["A long cell of text that wraps over several lines in a narrow column " * 3, "x"]] * 15
    doc.table(["One", "Two"], short, [1, 1], caption="Short")
    doc.table(["One", "Two"], tall, [1, 4], caption="Tall")
    tables = list(docx.Document(io.BytesIO(doc.to_bytes())).tables)

    def kept(table: Table) -> list[bool]:
        return [row._tr.find(".//w:keepNext", NS) is not None for row in table.rows]

    assert kept(tables[0]) == [True] * 5 + [False]  # header and rows together, the last row free
    assert kept(tables[1]) == [True, True, True] + [False] * 13  # the header and two rows, no more
