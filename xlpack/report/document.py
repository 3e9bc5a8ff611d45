"""Word building blocks for the overview report (python-docx).

:class:`ReportDocument` wraps a python-docx document with what the report
needs and Word users expect: A4 pages, Calibri throughout, heading styles
that feed the navigation pane and a contents field Word can update,
numbered captions, tables with a named style, header rows that repeat on
every page and widths that fit the text area, pictures with alt text,
OFFICIAL-SENSITIVE in the header and footer, page numbers, and clearly
marked places for the coordinator's own words. Saving is deterministic:
fixed core properties and zip timestamps, so the same audit gives the
same bytes.

Speed: styles are set by their id (python-docx looks a style name up by
scanning every style), and tables are written as one piece of XML rather
than cell by cell through python-docx's element API, which re-orders
children on every insert; a report of a few thousand cells takes a
fraction of a second.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

import docx
from docx.document import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph

from xlpack.model.marking import MARKING

FONT = "Calibri"  # LibreOffice substitutes the metric-compatible Carlito
NAVY = "1F3864"
MARKING_RED = "7F1D1D"
NOTE_FILL = "FFF2CC"
NOTE_BORDER = "BF9000"
HEADER_FILL = NAVY
A4 = (Cm(21.0), Cm(29.7))
MARGIN = Cm(2.0)
TABLE_STYLE = "Audit table"
NOTE_STYLE = "Coordinator note"
TABLE_TEXT_STYLE = "Table text"
TOC_LEVELS = 2
KEEP_TOGETHER_ROWS = 20
KEEP_TOGETHER_PAGE = 0.85  # a table kept on one page fills at most this share of it, leaving room for a heading
TABLE_LINE_PT = 11.5  # a line of 9 pt table text, and the width of an average character of it
TABLE_CHAR_PT = 4.6
KEEP_PREVIOUS_CHARS = 400  # a longer paragraph is text in its own right, free to stay on its page
VERTICAL_HEADER_TWIPS = 1191  # 2.1 cm: room for a grade's name read bottom to top
CELL_MARGIN = 85  # twips left and right of the text in a table cell
#: Share of the text width a chart takes. LibreOffice shifts a picture as wide as the text
#: about 9 pt to the right, past the margin; a little narrower and it stays centred.
FIGURE_WIDTH = 0.95
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
FIGURE = re.compile(r"^([+−]?\d+(\.\d+)?%?|–)$")  # counts, shares and dashes are centred in their cells
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold


def long_date(d: date | None) -> str:
    """A date as the report writes it ("7 December 2026"); "not recorded" where there is none."""
    return f"{d.day} {d:%B %Y}" if d else "not recorded"


@dataclass(frozen=True)
class Cell:
    """Table cell content with optional shading (hex without '#') and bold."""

    text: str
    fill: str | None = None
    bold: bool = False
    vertical: bool = False  # header text reading bottom to top, for narrow count columns


CellLike = str | Cell


class ReportDocument:
    """An A4 report being written top to bottom."""

    def __init__(self, *, title: str, subject: str, author: str, when: date, footer_title: str = "") -> None:
        self.doc: Document = docx.Document()
        self._tables = 0
        self._figures = 0
        self._bookmarks = 0
        self._headings: list[tuple[int, str, str]] = []  # (level, text, bookmark)
        self._toc_anchor: Paragraph | None = None
        self._setup_page()
        self._setup_styles()
        self._style_ids = {st.name: st.style_id for st in self.doc.styles}
        self._setup_header_footer(footer_title or title)
        self._setup_properties(title=title, subject=subject, author=author, when=when)

    # ------------------------------------------------------------------ set-up

    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = A4
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, MARGIN)
        section.header_distance = section.footer_distance = Cm(1.0)

    def _setup_styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        _font(normal, size=11)
        normal.paragraph_format.space_after = Pt(6)
        _set_lang(normal, "en-GB")
        for name, size, before, after in (("Title", 26, 0, 12), ("Heading 1", 16, 18, 6),
                                          ("Heading 2", 13, 12, 4), ("Heading 3", 11.5, 10, 3),
                                          ("TOC Heading", 16, 0, 6)):
            style = styles[name]
            _font(style, size=size, bold=True, colour=NAVY)
            style.paragraph_format.space_before = Pt(before)
            style.paragraph_format.space_after = Pt(after)
            style.paragraph_format.keep_with_next = True
        _strip_title_border(styles["Title"])
        caption = styles["Caption"]
        _font(caption, size=9, bold=True, colour=NAVY)
        caption.paragraph_format.space_before = Pt(6)
        caption.paragraph_format.space_after = Pt(4)
        for name in ("Header", "Footer", "List Bullet", "List Number", "Quote"):
            _font(styles[name], size=None)
        quote = styles["Quote"]
        _font(quote, size=10.5, italic=True, colour="404040")
        quote.paragraph_format.left_indent = Cm(0.8)
        quote.paragraph_format.right_indent = Cm(0.8)

        note = styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = normal
        _font(note, size=10.5, italic=True, colour="5A4200")
        pPr = note.element.get_or_add_pPr()  # borders and shading before indent, as the schema orders them
        pPr.append(_border_el("pBdr", ("left",), NOTE_BORDER, size=18))
        pPr.append(_shading_el(NOTE_FILL))
        note.paragraph_format.left_indent = Cm(0.2)

        text = styles.add_style(TABLE_TEXT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        text.base_style = normal
        _font(text, size=9)
        text.paragraph_format.space_after = Pt(0)
        text.paragraph_format.space_before = Pt(0)
        text.paragraph_format.line_spacing = 1.0

        for level in range(1, TOC_LEVELS + 1):
            toc = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            toc.element.set(qn("w:styleId"), f"TOC{level}")
            toc.base_style = normal
            toc.paragraph_format.left_indent = Cm(0.5 * (level - 1))
            toc.paragraph_format.space_after = Pt(2)
        self._add_table_style()
        settings = self.doc.settings.element
        for el in settings.findall(qn("w:themeFontLang")):
            el.set(qn("w:val"), "en-GB")
        update = OxmlElement("w:updateFields")  # Word offers to update the contents when the file opens
        update.set(qn("w:val"), "true")
        compat = settings.find(qn("w:compat"))  # the schema puts updateFields just before compat
        if compat is not None:
            compat.addprevious(update)
        else:
            settings.append(update)

    def _add_table_style(self) -> None:
        style = self.doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
        style.base_style = self.doc.styles["Table Grid"]
        el = style.element
        tblPr = el.find(qn("w:tblPr"))
        if tblPr is None:
            tblPr = OxmlElement("w:tblPr")
            el.append(tblPr)
        tblPr.append(_border_el("tblBorders", ("top", "left", "bottom", "right", "insideH", "insideV"), "A6A6A6"))
        margins = OxmlElement("w:tblCellMar")
        for side, width in (("top", 28), ("left", CELL_MARGIN), ("bottom", 28), ("right", CELL_MARGIN)):
            m = OxmlElement(f"w:{side}")
            m.set(qn("w:w"), str(width))
            m.set(qn("w:type"), "dxa")
            margins.append(m)
        tblPr.append(margins)
        first = OxmlElement("w:tblStylePr")
        first.set(qn("w:type"), "firstRow")
        rPr = OxmlElement("w:rPr")
        rPr.append(OxmlElement("w:b"))
        colour = OxmlElement("w:color")
        colour.set(qn("w:val"), "FFFFFF")
        rPr.append(colour)
        first.append(rPr)
        tcPr = OxmlElement("w:tcPr")
        tcPr.append(_shading_el(HEADER_FILL))
        first.append(tcPr)
        el.append(first)

    def _setup_header_footer(self, title: str) -> None:
        section = self.doc.sections[0]
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(MARKING)
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(MARKING_RED)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        footer.add_run(f"{title} · Page ")
        add_field(footer, "PAGE", "1")
        footer.add_run(" of ")
        add_field(footer, "NUMPAGES", "1")
        marking = section.footer.add_paragraph()
        marking.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = marking.add_run(MARKING)
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(MARKING_RED)
        for p in (footer, marking):
            p.paragraph_format.space_after = Pt(0)
            for r in p.runs:
                r.font.size = Pt(9)

    def _setup_properties(self, *, title: str, subject: str, author: str, when: date) -> None:
        props = self.doc.core_properties
        stamp = datetime(when.year, when.month, when.day)
        props.title = title
        props.subject = subject
        props.author = author
        props.last_modified_by = author
        props.keywords = MARKING
        props.category = MARKING
        props.comments = "Written by xlpack from the consolidated coordinator workbook."
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp
        props.revision = 1

    # ------------------------------------------------------------------ text

    @property
    def text_width(self) -> Emu:
        section = self.doc.sections[-1]
        return Emu(int(section.page_width or 0) - int(section.left_margin or 0) - int(section.right_margin or 0))

    def _paragraph(self, style: str | None = None, text: str = "") -> Paragraph:
        """A new paragraph at the end, its style set by id."""
        p = self.doc.add_paragraph(text)
        if style:
            p._p.style = self._style_ids[style]
        return p

    @property
    def text_height_pt(self) -> float:
        section = self.doc.sections[-1]
        return (int(section.page_height or 0) - int(section.top_margin or 0) - int(section.bottom_margin or 0)) / 12700

    def heading(self, text: str, level: int = 1) -> Paragraph:
        p = self._paragraph(f"Heading {level}", text)
        if level <= TOC_LEVELS:
            self._bookmarks += 1
            name = f"_Toc{self._bookmarks:08d}"
            _bookmark(p, name, self._bookmarks)
            self._headings.append((level, text, name))
        return p

    def para(self, text: str = "", *, style: str | None = None, bold_lead: str = "",
             keep_with_next: bool = False) -> Paragraph:
        """A paragraph; ``keep_with_next`` for one that introduces the table or figure below it."""
        p = self._paragraph(style)
        if keep_with_next:
            p.paragraph_format.keep_with_next = True
        if bold_lead:
            p.add_run(bold_lead).bold = True
        if text:
            p.add_run(text)
        return p

    def subtitle(self, text: str) -> Paragraph:
        p = self.doc.add_paragraph()
        run = p.add_run(text)
        run.font.size = Pt(16)
        run.font.color.rgb = RGBColor.from_string(NAVY)
        p.paragraph_format.space_after = Pt(24)
        return p

    def bullets(self, items: Sequence[str], *, numbered: bool = False) -> None:
        style = "List Number" if numbered else "List Bullet"
        for item in items:
            self._paragraph(style, item)

    def _keep_previous(self) -> None:
        """Keep the paragraph written last on the page of what comes next (an introduction with its table, a
        paragraph with the coordinator's note on it); not an empty or long one, or one that ends a section."""
        body = self.doc.element.body
        last = body[-2] if len(body) > 1 and body[-1].tag == qn("w:sectPr") else body[-1]
        if last.tag != qn("w:p") or last.find("w:pPr/w:sectPr", last.nsmap) is not None:
            return
        text = "".join(t.text or "" for t in last.iter(qn("w:t"))).strip()
        if text and len(text) <= KEEP_PREVIOUS_CHARS:
            Paragraph(last, self.doc._body).paragraph_format.keep_with_next = True

    def note(self, text: str) -> Paragraph:
        """A clearly marked place for the coordinator's own words, on the same page as the paragraph before it."""
        self._keep_previous()
        p = self._paragraph(NOTE_STYLE)
        p.add_run("Coordinator: ").bold = True
        p.add_run(text)
        return p

    def quote(self, text: str, attribution: str, *, keep_with_next: bool = False) -> Paragraph:
        """Someone's own words in quotation marks (the text should not carry its own), then who said them."""
        p = self._paragraph("Quote")
        if keep_with_next:
            p.paragraph_format.keep_with_next = True
        p.add_run(f"“{text}”")
        p.add_run(f" ({attribution})").italic = False
        return p

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        """The contents heading and the place of the TOC field (filled in by :meth:`save`)."""
        self._paragraph("TOC Heading", "Contents")
        self._toc_anchor = self.doc.add_paragraph()

    def landscape_section(self) -> None:
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = A4[1], A4[0]
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, MARGIN)

    # ------------------------------------------------------------------ captions, tables, figures

    def caption(self, kind: str, text: str, *, above: bool) -> Paragraph:
        if above:
            self._keep_previous()
        if kind == "Table":
            self._tables += 1
            number = self._tables
        else:
            self._figures += 1
            number = self._figures
        p = self._paragraph("Caption")
        p.add_run(f"{kind} ")
        add_field(p, f"SEQ {kind} \\* ARABIC", str(number))
        p.add_run(f": {text}")
        p.paragraph_format.keep_with_next = above
        return p

    def table(self, headers: Sequence[CellLike], rows: Sequence[Sequence[CellLike]], weights: Sequence[float], *,
              caption: str, keep_together: bool | None = None, keep_with_next: bool = False) -> None:
        """A captioned table whose columns share the text width in proportion to ``weights``.

        The header row repeats on every page; rows never split; a table of up
        to :data:`KEEP_TOGETHER_ROWS` rows is kept on one page when its text, by
        an estimate of how its cells wrap, fills no more than
        :data:`KEEP_TOGETHER_PAGE` of one (any other keeps its first two rows
        with the header, so a header is never left alone at the foot of a page). ``keep_with_next``: a short
        table stays on the page of the paragraph after it (its commentary).
        """
        if len(weights) != len(headers):
            raise ValueError("one weight per column")
        widths = [int(w) // 635 for w in _widths(self.text_width - CELL_MARGIN * 635, weights)]
        if keep_together is None:
            keep_together = len(rows) <= KEEP_TOGETHER_ROWS and (
                _height_pt([headers, *rows], widths) <= KEEP_TOGETHER_PAGE * self.text_height_pt)
        self.caption("Table", caption, above=True)
        text_id = self._style_ids[TABLE_TEXT_STYLE]
        head = [h if isinstance(h, Cell) else Cell(str(h)) for h in headers]
        vertical = any(h.vertical for h in head)
        last = len(rows)
        props = (f'<w:tblStyle w:val="{self._style_ids[TABLE_STYLE]}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
                 f'<w:jc w:val="left"/><w:tblInd w:w="{CELL_MARGIN}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
                 '<w:tblLook w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" '
                 'w:noVBand="1" w:val="0420"/>')
        xml = [f'<w:tbl {nsdecls("w")}><w:tblPr>{props}</w:tblPr><w:tblGrid>',
               *(f'<w:gridCol w:w="{w}"/>' for w in widths), "</w:tblGrid>",
               _row_xml([Cell(h.text, HEADER_FILL, True, h.vertical) for h in head], widths, text_id, header=True,
                        keep=True, height=VERTICAL_HEADER_TWIPS if vertical else 0)]
        for i, values in enumerate(rows, start=1):
            cells = [v if isinstance(v, Cell) else Cell(str(v)) for v in values]
            keep = (i < last and (keep_together or i <= 2)) or keep_with_next
            xml.append(_row_xml(cells, widths, text_id, keep=keep))
        xml.append("</w:tbl>")
        self.doc.element.body._insert_tbl(parse_xml("".join(xml)))
        after = self.doc.add_paragraph().paragraph_format
        after.space_after = Pt(2)
        after.keep_with_next = keep_with_next or None

    def figure(self, png: bytes, *, caption: str, alt: str, width_fraction: float = FIGURE_WIDTH) -> None:
        self._keep_previous()
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        shape = p.add_run().add_picture(io.BytesIO(png), width=Emu(int(self.text_width * width_fraction)))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", alt)
        doc_pr.set("title", caption)
        self.caption("Figure", caption, above=False)

    # ------------------------------------------------------------------ saving

    def _write_toc(self) -> None:
        if self._toc_anchor is None:
            return
        anchor = self._toc_anchor
        paragraphs: list[Paragraph] = []
        for level, text, name in self._headings or [(1, "Update this field to list the headings.", "")]:
            p = anchor.insert_paragraph_before()
            p._p.style = self._style_ids[f"toc {level}"]  # by id: a look-up by name scans every style
            if name:
                _hyperlink(p, text, name)
            else:
                p.add_run(text)
            paragraphs.append(p)
        first, last = paragraphs[0], paragraphs[-1]
        begin = _field_runs(f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u')
        for el in reversed(begin):
            pPr = first._p.pPr
            (pPr.addnext(el) if pPr is not None else first._p.insert(0, el))
        last._p.append(_fld_char("end"))
        anchor._p.getparent().remove(anchor._p)
        self._toc_anchor = None

    def to_bytes(self) -> bytes:
        """The .docx, with the contents filled in and fixed zip timestamps."""
        self._write_toc()
        raw = io.BytesIO()
        self.doc.save(raw)
        return _stable_zip(raw.getvalue())


# ----------------------------------------------------------------------------- helpers


def add_field(paragraph: Paragraph, instruction: str, cached: str) -> None:
    """A complex field (PAGE, NUMPAGES, SEQ ...) showing ``cached`` until Word updates it."""
    for el in _field_runs(instruction):
        paragraph._p.append(el)
    paragraph.add_run(cached)
    paragraph._p.append(_fld_char("end"))


def _field_runs(instruction: str) -> list[Any]:
    instr_run = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    instr_run.append(instr)
    return [_fld_char("begin"), instr_run, _fld_char("separate")]


def _fld_char(kind: str) -> Any:
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def _bookmark(paragraph: Paragraph, name: str, ident: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(ident))
    pPr = paragraph._p.pPr
    if pPr is not None:
        pPr.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _hyperlink(paragraph: Paragraph, text: str, anchor: str) -> None:
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _font(style: Any, *, size: float | None, bold: bool | None = None, italic: bool | None = None,
          colour: str | None = None) -> None:
    font = style.font
    font.name = FONT
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    if colour:
        font.color.rgb = RGBColor.from_string(colour)
    rPr = style.element.get_or_add_rPr()
    fonts = rPr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rPr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)
    colour_el = rPr.find(qn("w:color"))
    if colour_el is not None:
        for attr in ("themeColor", "themeShade", "themeTint"):
            colour_el.attrib.pop(qn(f"w:{attr}"), None)


def _set_lang(style: Any, lang: str) -> None:
    rPr = style.element.get_or_add_rPr()
    el = OxmlElement("w:lang")
    el.set(qn("w:val"), lang)
    el.set(qn("w:eastAsia"), lang)
    rPr.append(el)


def _strip_title_border(style: Any) -> None:
    pPr = style.element.get_or_add_pPr()
    for el in pPr.findall(qn("w:pBdr")):
        pPr.remove(el)


def _border_el(tag: str, sides: Sequence[str], colour: str, size: int = 4) -> Any:
    borders = OxmlElement(f"w:{tag}")
    for side in sides:
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), str(size))
        b.set(qn("w:space"), "4" if tag == "pBdr" else "0")
        b.set(qn("w:color"), colour)
        borders.append(b)
    return borders


def _shading_el(fill: str) -> Any:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    return shd


def _widths(total: int, weights: Sequence[float]) -> list[Emu]:
    """Column widths in whole twips (1/20 pt) that add up to no more than ``total``."""
    twips_total = int(total) // 635
    scale = twips_total / sum(weights)
    return [Emu(int(w * scale) * 635) for w in weights]


def _height_pt(rows: Sequence[Sequence[CellLike]], widths: Sequence[int]) -> float:
    """About how tall the rows are, in points: each cell's text wrapped to its column (Calibri 9 pt)."""
    total = 0.0
    for row in rows:
        lines = 1
        for value, width in zip(row, widths):
            text = value.text if isinstance(value, Cell) else str(value)
            chars = max(1.0, (width - 2 * CELL_MARGIN) / 20 / TABLE_CHAR_PT)
            lines = max(lines, sum(max(1, math.ceil(len(part) / chars)) for part in text.split("\n")))
        total += lines * TABLE_LINE_PT + 3
    return total


def _run_xml(text: str, *, bold: bool, white: bool) -> str:
    props = ("<w:b/>" if bold else "") + ('<w:color w:val="FFFFFF"/>' if white else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    out = []
    for i, line in enumerate(NOT_XML.sub("", text).split("\n")):
        if i:
            out.append(f"<w:r>{rpr}<w:br/></w:r>")
        for j, piece in enumerate(line.split("\t")):
            if j:
                out.append(f"<w:r>{rpr}<w:tab/></w:r>")
            if piece:
                out.append(f'<w:r>{rpr}<w:t xml:space="preserve">{escape(piece)}</w:t></w:r>')
    return "".join(out)


def _row_xml(cells: Sequence[Cell], widths: Sequence[int], style_id: str, *, header: bool = False, keep: bool,
             height: int = 0) -> str:
    """One table row: never split across pages; the header row repeats on each page."""
    trpr = "<w:cantSplit/>" + ('<w:tblHeader w:val="true"/>' if header else "")
    if height:
        trpr += f'<w:trHeight w:val="{height}" w:hRule="atLeast"/>'
    out = [f"<w:tr><w:trPr>{trpr}</w:trPr>"]
    for cell, width in zip(cells, widths):
        tcpr = f'<w:tcW w:w="{width}" w:type="dxa"/>'
        if cell.fill:
            tcpr += f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.fill}"/>'
        if cell.vertical:
            tcpr += '<w:textDirection w:val="btLr"/><w:vAlign w:val="bottom"/>'
        ppr = f'<w:pStyle w:val="{style_id}"/>' + ("<w:keepNext/>" if keep else "")
        if not header and FIGURE.match(cell.text):
            ppr += '<w:jc w:val="center"/>'
        out.append(f"<w:tc><w:tcPr>{tcpr}</w:tcPr><w:p><w:pPr>{ppr}</w:pPr>"
                   f"{_run_xml(cell.text, bold=cell.bold or header, white=header)}</w:p></w:tc>")
    out.append("</w:tr>")
    return "".join(out)


def _stable_zip(data: bytes) -> bytes:
    """Rewrite the package with a fixed timestamp on every member (python-docx stamps the time of saving)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
