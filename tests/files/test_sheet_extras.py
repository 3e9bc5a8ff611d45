"""Formulas and comments found in a workbook's sheet XML, however the writer spelled it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import xlpack.files.sheet_extras as extras
from xlpack.files.sheet_extras import Comment, Formula, find_extras

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def workbook(path: Path, sheet_xml: str, rels: dict[str, str] | None = None) -> Path:
    """A minimal workbook with one sheet 'Data' whose XML is ``sheet_xml``, plus parts given by name."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                                      '<sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                                                 'Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (rels or {}).items():
            z.writestr(name, data)
    return path


def test_a_prefixed_sheet_as_some_writers_save_it(tmp_path: Path) -> None:
    xml = (f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row r="2"><x:c r="B2"><x:v>3</x:v></x:c>'
           '<x:c r="C2" t="e"><x:f>-agreed</x:f><x:v>#NAME?</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    found = find_extras(workbook(tmp_path / "p.xlsx", xml))
    assert found.formulas == [Formula("Data", "C2", "-agreed", "#NAME?", True)]


def test_a_formula_tag_split_between_two_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extras, "CHUNK", 64)
    cells = "".join(f'<c r="A{r}"><v>{r}</v></c>' for r in range(1, 40))
    xml = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1">{cells}<c r="B1"><f t="shared" ref="B1:B2" si="0">A1*2'
           '</f><v>2</v></c></row><row r="2"><c r="B2"><f t="shared" si="0"/><v>4</v></c></row></sheetData>'
           '<autoFilter ref="A1:B2"><filterColumn colId="0"><filters><filter val="1"/></filters></filterColumn>'
           '</autoFilter><dataValidations><dataValidation><formula1>"a,b"</formula1></dataValidation>'
           '</dataValidations></worksheet>')
    for start in range(0, 64):  # the tag falls across the boundary at every offset
        padded = xml.replace("<sheetData>", "<sheetData>" + " " * start)
        found = find_extras(workbook(tmp_path / f"s{start}.xlsx", padded))
        assert [(f.cell, f.formula, f.cached) for f in found.formulas] == [("B1", "A1*2", "2"), ("B2", "", "4")]


def test_no_formula_in_filters_or_validations(tmp_path: Path) -> None:
    xml = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lt;f&gt;x</t></is></c>'
           '</row></sheetData><autoFilter ref="A1:A1"><filterColumn colId="0"><filters><filter val="x"/></filters>'
           '</filterColumn></autoFilter><dataValidations><dataValidation><formula1>"a"</formula1></dataValidation>'
           '</dataValidations></worksheet>')
    assert find_extras(workbook(tmp_path / "n.xlsx", xml)).formulas == []


def test_a_threaded_comment_is_read_before_its_legacy_copy(tmp_path: Path) -> None:
    xml = f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>'
    rels = (f'<Relationships xmlns="{PKG}"><Relationship Id="r1" Type="{REL}/comments" Target="../comments1.xml"/>'
            '<Relationship Id="r2" Type="http://schemas.microsoft.com/office/2017/10/relationships/threadedComment" '
            'Target="../threadedComments/threadedComment1.xml"/></Relationships>')
    legacy = (f'<comments xmlns="{MAIN}"><commentList><comment ref="D4"><text><t>[Threaded comment] Your version of '
              'Excel...</t></text></comment><comment ref="E5"><text><r><t>A note</t></r></text></comment>'
              '</commentList></comments>')
    threaded = ('<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
                '<threadedComment ref="D4" id="{1}"><text>Agreed with Police</text></threadedComment>'
                '</ThreadedComments>')
    path = workbook(tmp_path / "c.xlsx", xml, {"xl/worksheets/_rels/sheet1.xml.rels": rels,
                                               "xl/comments1.xml": legacy,
                                               "xl/threadedComments/threadedComment1.xml": threaded})
    assert sorted(find_extras(path).comments, key=lambda c: c.cell) == [
        Comment("Data", "D4", "Agreed with Police"), Comment("Data", "E5", "A note")]
