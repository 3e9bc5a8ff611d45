"""The one reader of OOXML packages: sheets found by relationships, XML parsed safely, parts read within size."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from defusedxml import DefusedXmlException

from xlpack.errors import MemberSizeError
from xlpack.files.package import PackageReader, open_package, rels_part, resolve

STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
SHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"


def _zip(parts: dict[str, bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    buf.seek(0)
    return buf


def _unusual_book() -> dict[str, bytes]:
    """Sheets in parts of unusual names, an absolute target, a prefixed main namespace, the strict relationship
    namespace, a name with escaped characters, a hidden sheet and one whose relationship is missing."""
    book = (f'<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{STRICT_REL}">'
            '<x:sheets><x:sheet name="Q&amp;A &apos;1&apos;" sheetId="1" r:id="rB"/>'
            '<x:sheet name="Data" sheetId="2" state="hidden" r:id="rA"/>'
            '<x:sheet name="Lost" sheetId="3" r:id="rZ"/></x:sheets></x:workbook>')
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rA" Type="{SHEET_TYPE}" Target="/xl/data/first.xml"/>'
            f'<Relationship Id="rB" Type="{SHEET_TYPE}" Target="pages/../pages/second.xml"/></Relationships>')
    return {"xl/workbook.xml": book.encode(), "xl/_rels/workbook.xml.rels": rels.encode(),
            "xl/data/first.xml": b"<worksheet/>", "xl/pages/second.xml": b"<worksheet/>"}


def test_sheets_are_found_by_their_relationships_whatever_their_parts_are_called() -> None:
    with open_package(_zip(_unusual_book())) as pkg:
        assert [(s.name, s.state, s.part) for s in pkg.sheets()] == [
            ("Q&A '1'", "visible", "xl/pages/second.xml"),
            ("Data", "hidden", "xl/data/first.xml"),
            ("Lost", "visible", None)]
        assert pkg.sheet_parts() == {"Q&A '1'": "xl/pages/second.xml", "Data": "xl/data/first.xml"}
        assert pkg.read("xl/data/first.xml") == b"<worksheet/>"
        assert pkg.parts() == list(_unusual_book())


def test_a_workbook_xlsxwriter_wrote(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name in ("First", "R&D <2>", "Third"):
        wb.add_worksheet(name)
    wb.worksheets()[2].hide()
    wb.close()
    with open_package(path) as pkg:
        assert pkg.sheet_parts() == {"First": "xl/worksheets/sheet1.xml", "R&D <2>": "xl/worksheets/sheet2.xml",
                                     "Third": "xl/worksheets/sheet3.xml"}
        assert [s.state for s in pkg.sheets()] == ["visible", "visible", "hidden"]
        assert pkg.relationships("xl/worksheets/sheet1.xml") == {}  # a part without relationships
        types = {r.type.rsplit("/", 1)[-1] for r in pkg.relationships("xl/workbook.xml").values()}
        assert {"worksheet", "styles", "theme"} <= types


def test_a_document_type_declaration_is_refused() -> None:
    parts = _unusual_book()
    parts["xl/workbook.xml"] = b'<!DOCTYPE x [<!ENTITY a "b">]>' + parts["xl/workbook.xml"]
    with open_package(_zip(parts)) as pkg, pytest.raises(DefusedXmlException):
        pkg.sheets()


def test_a_part_holding_more_than_its_entry_declares_is_refused_after_one_chunk() -> None:
    buf = _zip({"xl/big.xml": b"<a>" + b"x" * 500_000 + b"</a>"})
    with zipfile.ZipFile(buf) as z:
        z.getinfo("xl/big.xml").file_size = 1000  # a lie in the entry, as in a disguised bomb
        with pytest.raises(MemberSizeError) as err:
            PackageReader(z).read("xl/big.xml")
    assert err.value.read is not None and 1000 < err.value.read <= 1000 + 2 * 64 * 1024


def test_relationship_targets_resolve_like_excel() -> None:
    assert rels_part("xl/worksheets/sheet1.xml") == "xl/worksheets/_rels/sheet1.xml.rels"
    assert resolve("xl/worksheets", "../drawings/drawing1.xml") == "xl/drawings/drawing1.xml"
    assert resolve("xl", "/xl/worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
