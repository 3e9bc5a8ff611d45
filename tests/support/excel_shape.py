"""A filled form in the shape Excel itself saves, for tests of intake.

Every other returned form in the tests is written by xlsxwriter, openpyxl or
LibreOffice. Most real returns are saved by Excel (Microsoft 365), whose
files follow conventions none of those writers use. :func:`as_excel_saves`
rewrites a filled form into that shape, modelled on files Excel saved and on
the ECMA-376 / MS-XLSX part descriptions:

- text in a shared-strings part, some answers as rich-text runs (a bold first
  word, as when an auditor pastes formatted text) with phonetic properties
  (``phoneticPr``, ``rPh``) as Excel adds them;
- worksheets declaring ``mc:Ignorable="x14ac xr xr2 xr3"`` with those
  namespaces, an ``xr:uid`` on the sheet, ``spans`` and ``x14ac:dyDescent`` on
  every row;
- list validations moved out of ``dataValidations`` into the x14 extension list
  (``extLst``/``x14:dataValidations`` with ``xm:f`` and ``xm:sqref``), their
  named ranges written out as sheet references;
- formulas with cached values and a calculation chain part (``calcChain.xml``);
- the workbook's ``fileVersion`` (lastEdited 7), ``workbookPr``, an
  ``mc:AlternateContent`` absolute path, ``xr:revisionPtr``, ``calcPr`` of a
  current Excel, and a ``uid`` on the workbook view;
- dates as serial numbers with a date style; Excel's application properties.

The theme part that xlsxwriter wrote stays, as Excel keeps one.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
XR = "http://schemas.microsoft.com/office/spreadsheetml/2014/revision"
XR2 = "http://schemas.microsoft.com/office/spreadsheetml/2015/revision2"
XR3 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision3"
XR6 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision6"
XR10 = "http://schemas.microsoft.com/office/spreadsheetml/2016/revision10"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
X15 = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"
X15AC = "http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"
XM = "http://schemas.microsoft.com/office/excel/2006/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_NS = {None: MAIN, "r": REL, "mc": MC, "x14ac": X14AC, "xr": XR, "xr2": XR2, "xr3": XR3}
BOOK_NS = {None: MAIN, "r": REL, "mc": MC, "x15": X15, "xr": XR, "xr6": XR6, "xr10": XR10, "xr2": XR2}
X14_VALIDATIONS = "{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
CALC_CHAIN_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
EPOCH = date(1899, 12, 30)


def q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def _uid(n: int) -> str:
    return f"{{{n:08X}-1A2B-4C3D-8E9F-0123456789AB}}"


class _Strings:
    """The shared-strings table Excel writes: each distinct text once; long answers as rich runs."""

    def __init__(self) -> None:
        self.items: list[etree._Element] = []
        self.index: dict[str, int] = {}
        self.count = 0

    def add(self, text: str, rich: bool) -> int:
        self.count += 1
        if text in self.index:
            return self.index[text]
        si = etree.Element(q(MAIN, "si"))
        first, sep, rest = text.partition(" ")
        if rich and sep and rest:
            for piece, bold in ((first, True), (sep + rest, False)):
                run = etree.SubElement(si, q(MAIN, "r"))
                props = etree.SubElement(run, q(MAIN, "rPr"))
                if bold:
                    etree.SubElement(props, q(MAIN, "b"))
                etree.SubElement(props, q(MAIN, "sz"), val="11")
                etree.SubElement(props, q(MAIN, "color"), theme="1")
                etree.SubElement(props, q(MAIN, "rFont"), val="Calibri")
                etree.SubElement(props, q(MAIN, "family"), val="2")
                etree.SubElement(props, q(MAIN, "scheme"), val="minor")
                t = etree.SubElement(run, q(MAIN, "t"))
                t.text = piece
                if piece != piece.strip():
                    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        else:
            t = etree.SubElement(si, q(MAIN, "t"))
            t.text = text
            if text != text.strip():
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        etree.SubElement(si, q(MAIN, "phoneticPr"), fontId="1", type="noConversion")
        self.index[text] = len(self.items)
        self.items.append(si)
        return self.index[text]

    def xml(self) -> bytes:
        root = etree.Element(q(MAIN, "sst"), nsmap={None: MAIN}, count=str(self.count),
                             uniqueCount=str(len(self.items)))
        root.extend(self.items)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _text_of(cell: etree._Element, shared: list[str]) -> str | None:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(cell.find(q(MAIN, "is")).itertext())
    if kind == "s":
        v = cell.find(q(MAIN, "v"))
        return shared[int(v.text or 0)] if v is not None else None
    return None


def _read_shared(parts: dict[str, bytes]) -> list[str]:
    data = parts.get("xl/sharedStrings.xml")
    if not data:
        return []
    root = etree.fromstring(data)
    return ["".join(t.text or "" for t in si.iter(q(MAIN, "t"))) for si in root.findall(q(MAIN, "si"))]


def _serial(value: str) -> str:
    moment = datetime.fromisoformat(value)
    days = (moment.date() - EPOCH).days
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return repr(days + seconds / 86400) if seconds else str(days)


def _cells(sheet: etree._Element, shared: list[str], strings: _Strings, date_style: str,
           formulas: list[str]) -> None:
    for row in sheet.iter(q(MAIN, "row")):
        cols = [_col(c.get("r", "")) for c in row.findall(q(MAIN, "c"))]
        if cols:
            row.set("spans", f"{min(cols)}:{max(cols)}")
        row.set(q(X14AC, "dyDescent"), "0.25")
        for c in row.findall(q(MAIN, "c")):
            _cell(c, shared, strings, date_style, formulas)


def _col(ref: str) -> int:
    n = 0
    for ch in ref:
        if ch.isalpha():
            n = n * 26 + ord(ch.upper()) - 64
    return n


def _cell(c: etree._Element, shared: list[str], strings: _Strings, date_style: str, formulas: list[str]) -> None:
    f = c.find(q(MAIN, "f"))
    if f is not None:
        formulas.append(c.get("r", ""))
        for v in c.findall(q(MAIN, "v")):
            c.remove(v)
        c.set("t", "str")  # Excel keeps the value it calculated beside the formula
        etree.SubElement(c, q(MAIN, "v")).text = "Complete"
        return
    if c.get("t") == "d":  # a date written as ISO text becomes the serial number Excel stores
        v = c.find(q(MAIN, "v"))
        if v is not None and v.text:
            v.text = _serial(v.text)
        del c.attrib["t"]
        c.set("s", date_style)
        return
    text = _text_of(c, shared)
    if text is None:
        return
    for child in list(c):
        c.remove(child)
    c.set("t", "s")
    etree.SubElement(c, q(MAIN, "v")).text = str(strings.add(text, rich=len(text) > 12))


def _resolve(formula: str, names: dict[str, str]) -> str:
    return names.get(formula.strip(), formula)


def _move_list_validations(sheet: etree._Element, names: dict[str, str]) -> None:
    """Excel 2010 and later keep a list validation that refers to another sheet in the x14 extension list."""
    block = sheet.find(q(MAIN, "dataValidations"))
    if block is None:
        return
    lists = [dv for dv in block.findall(q(MAIN, "dataValidation")) if dv.get("type") == "list"
             and "!" in _resolve(dv.findtext(q(MAIN, "formula1")) or "", names)]
    if not lists:
        return
    ext_list = sheet.find(q(MAIN, "extLst"))
    if ext_list is None:
        ext_list = etree.SubElement(sheet, q(MAIN, "extLst"))
    ext = etree.SubElement(ext_list, q(MAIN, "ext"), uri=X14_VALIDATIONS, nsmap={"x14": X14})
    moved = etree.SubElement(ext, q(X14, "dataValidations"), count=str(len(lists)), nsmap={"xm": XM})
    for n, dv in enumerate(lists):
        block.remove(dv)
        new = etree.SubElement(moved, q(X14, "dataValidation"))
        for key, value in dv.attrib.items():
            if key != "sqref":
                new.set(key, value)
        new.set(q(XR, "uid"), _uid(0x100 + n))
        formula = etree.SubElement(etree.SubElement(new, q(X14, "formula1")), q(XM, "f"))
        formula.text = _resolve(dv.findtext(q(MAIN, "formula1")) or "", names)
        etree.SubElement(new, q(XM, "sqref")).text = dv.get("sqref")
    if len(block) == 0:
        sheet.remove(block)
    else:
        block.set("count", str(len(block)))


def _with_namespaces(old: etree._Element, nsmap: dict[str | None, str]) -> etree._Element:
    """The same element, declaring Excel's namespaces on the root as Excel does."""
    new = etree.Element(old.tag, nsmap=nsmap)
    for key, value in old.attrib.items():
        new.set(key, value)
    new.extend(list(old))
    return new


def _sheet(data: bytes, n: int, shared: list[str], strings: _Strings, date_style: str, names: dict[str, str],
           formulas: list[tuple[int, str]]) -> bytes:
    root = _with_namespaces(etree.fromstring(data), SHEET_NS)
    root.set(q(MC, "Ignorable"), "x14ac xr xr2 xr3")
    root.set(q(XR, "uid"), _uid(n))
    fmt = root.find(q(MAIN, "sheetFormatPr"))
    if fmt is not None:
        fmt.set(q(X14AC, "dyDescent"), "0.25")
    found: list[str] = []
    _cells(root, shared, strings, date_style, found)
    formulas.extend((n, ref) for ref in found)
    _move_list_validations(root, names)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _date_style(styles: bytes) -> tuple[bytes, str]:
    """styles.xml with one more cell format showing numFmt 14 (a short date); and its index."""
    root = etree.fromstring(styles)
    xfs = root.find(q(MAIN, "cellXfs"))
    assert xfs is not None
    etree.SubElement(xfs, q(MAIN, "xf"), numFmtId="14", fontId="0", fillId="0", borderId="0", xfId="0",
                     applyNumberFormat="1")
    xfs.set("count", str(len(xfs)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), str(len(xfs) - 1)


def _workbook(data: bytes) -> tuple[bytes, dict[str, str]]:
    root = _with_namespaces(etree.fromstring(data), BOOK_NS)
    root.set(q(MC, "Ignorable"), "x15 xr xr6 xr10 xr2")
    for old in [root.find(q(MAIN, t)) for t in ("fileVersion", "workbookPr", "calcPr")]:
        if old is not None:
            root.remove(old)
    version = etree.Element(q(MAIN, "fileVersion"), appName="xl", lastEdited="7", lowestEdited="7",
                            rupBuild="28127")
    pr = etree.Element(q(MAIN, "workbookPr"), defaultThemeVersion="202300")
    alternate = etree.Element(q(MC, "AlternateContent"))
    choice = etree.SubElement(alternate, q(MC, "Choice"), Requires="x15")
    etree.SubElement(choice, q(X15AC, "absPath"), url="C:\\Users\\auditor\\Documents\\Audits\\",
                     nsmap={"x15ac": X15AC})
    revision = etree.Element(q(XR, "revisionPtr"), revIDLastSave="0",
                             documentId="8_{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}")
    revision.set(q(XR6, "coauthVersionLast"), "47")
    revision.set(q(XR10, "uidLastSave"), "{00000000-0000-0000-0000-000000000000}")
    for n, element in enumerate((version, pr, alternate, revision)):
        root.insert(n, element)
    for view in root.iter(q(MAIN, "workbookView")):
        view.set(q(XR2, "uid"), "{B1C2D3E4-F5A6-4B7C-8D9E-0A1B2C3D4E5F}")
    etree.SubElement(root, q(MAIN, "calcPr"), calcId="191029")
    names = {d.get("name", ""): (d.text or "") for d in root.iter(q(MAIN, "definedName"))
             if d.get("localSheetId") is None}
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), names


def _sheet_ids(book: bytes, rels: bytes) -> dict[str, int]:
    """Worksheet part -> the sheet's position (1-based), as calcChain's ``i`` counts them."""
    targets = {r.get("Id"): "xl/" + r.get("Target", "").lstrip("/").removeprefix("xl/")
               for r in etree.fromstring(rels).findall(q(PKG_REL, "Relationship"))}
    sheets = etree.fromstring(book).find(q(MAIN, "sheets"))
    assert sheets is not None
    return {targets[s.get(q(REL, "id"))]: n for n, s in enumerate(sheets, start=1)}


def _calc_chain(formulas: list[tuple[int, str]]) -> bytes:
    root = etree.Element(q(MAIN, "calcChain"), nsmap={None: MAIN})
    last = None
    for sheet, ref in formulas:
        c = etree.SubElement(root, q(MAIN, "c"), r=ref)
        if sheet != last:
            c.set("i", str(sheet))
            last = sheet
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _package(parts: dict[str, bytes], extra: dict[str, str]) -> None:
    """Content types and workbook relationships for the parts added."""
    types = etree.fromstring(parts["[Content_Types].xml"])
    present = {o.get("PartName") for o in types.findall(q(CT, "Override"))}
    for name, kind in extra.items():
        if f"/{name}" not in present:
            etree.SubElement(types, q(CT, "Override"), PartName=f"/{name}", ContentType=kind)
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Target", "").removeprefix("/xl/") for r in rels}
    relation = {"xl/sharedStrings.xml": "sharedStrings", "xl/calcChain.xml": "calcChain"}
    for n, name in enumerate(extra, start=90):
        if name.removeprefix("xl/") not in targets:
            etree.SubElement(rels, q(PKG_REL, "Relationship"), Id=f"rId{n}", Target=name.removeprefix("xl/"),
                             Type=f"http://schemas.openxmlformats.org/officeDocument/2006/relationships/{relation[name]}")
    parts["xl/_rels/workbook.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                         standalone=True)


APP_XML = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties '
           b'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           b"<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
           b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false"
           b"</HyperlinksChanged><AppVersion>16.0300</AppVersion></Properties>")


def as_excel_saves(src: Path, out: Path) -> Path:
    """Write ``src`` (a filled form) to ``out`` in the shape Excel saves it; returns ``out``."""
    with zipfile.ZipFile(src) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    shared = _read_shared(parts)
    strings = _Strings()
    parts["xl/styles.xml"], date_style = _date_style(parts["xl/styles.xml"])
    parts["xl/workbook.xml"], names = _workbook(parts["xl/workbook.xml"])
    order = _sheet_ids(parts["xl/workbook.xml"], parts["xl/_rels/workbook.xml.rels"])
    formulas: list[tuple[int, str]] = []
    for name, n in sorted(order.items(), key=lambda item: item[1]):
        parts[name] = _sheet(parts[name], n, shared, strings, date_style, names, formulas)
    parts["xl/sharedStrings.xml"] = strings.xml()
    extra = {"xl/sharedStrings.xml": SHARED_STRINGS_TYPE}
    if formulas:
        parts["xl/calcChain.xml"] = _calc_chain(formulas)
        extra["xl/calcChain.xml"] = CALC_CHAIN_TYPE
    _package(parts, extra)
    parts["docProps/app.xml"] = APP_XML
    buffer = io.BytesIO()
    first = ["[Content_Types].xml", "_rels/.rels"]  # Excel writes these two first
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name in first + [n for n in parts if n not in first]:
            z.writestr(name, parts[name])
    out.write_bytes(buffer.getvalue())
    return out
