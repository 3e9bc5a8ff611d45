"""Replacing one sheet of an xlsxwriter package (xlpack/workbook/parts.py, xlpack/files/zip_parts.py; issue 19).

Small workbooks written here with xlsxwriter: a sheet taken from a scratch
workbook whose styles the old one lacks gets them added, read back right by
openpyxl, while the other sheets keep theirs and every other member stays
byte for byte; a package another program saved, or a sheet the old one does
not have, is refused. The zip copy keeps members as stored, data
descriptors included.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from xlpack.files.zip_parts import replace_members
from xlpack.workbook.parts import NotSpliceable, splice_sheets


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def old_book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True})
    a = wb.add_worksheet("Kept")
    a.write_string(0, 0, "Kept title", bold)
    a.write_number(1, 0, 12.5)
    b = wb.add_worksheet("Log")
    b.write_string(0, 0, "Old log", bold)
    b.add_table(2, 0, 4, 1, {"name": "LogTable", "columns": [{"header": "When"}, {"header": "What"}]})
    b.print_area(0, 0, 4, 1)
    wb.close()
    return path


def scratch_book(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    red = wb.add_format({"italic": True, "font_color": "#C00000"})
    three = wb.add_format({"num_format": "0.000", "bg_color": "#FFE994"})
    b = wb.add_worksheet("Log")
    b.write_string(0, 0, "New log & more <here>", red)
    b.add_table(2, 0, 6, 1, {"name": "LogTable", "columns": [{"header": "When"}, {"header": "What"}]})
    b.write_number(3, 0, 1.23456, three)
    b.write_string(3, 1, "  spaced  ")
    b.print_area(0, 0, 6, 1)
    wb.close()
    return path


def test_a_sheet_with_new_styles_replaces_the_old_one(tmp_path: Path) -> None:
    old, scratch, out = old_book(tmp_path / "old.xlsx"), scratch_book(tmp_path / "scratch.xlsx"), tmp_path / "out.xlsx"
    splice_sheets(old, scratch, ["Log"], out)
    before, after = members(old), members(out)
    changed = {n for n in after if after[n] != before[n]}
    assert set(after) == set(before)
    assert changed == {"xl/worksheets/sheet2.xml", "xl/tables/table1.xml", "xl/styles.xml", "xl/workbook.xml"}
    wb = openpyxl.load_workbook(out)
    log, kept = wb["Log"], wb["Kept"]
    assert log["A1"].value == "New log & more <here>" and log["A1"].font.i and log["A1"].font.color.rgb == "FFC00000"
    assert log["A4"].value == 1.23456 and log["A4"].number_format == "0.000"
    assert log["A4"].fill.fgColor.rgb == "FFFFE994"
    assert log["B4"].value == "  spaced  "
    assert log.tables["LogTable"].ref == "A3:B7" and log.print_area == "'Log'!$A$1:$B$7"
    assert kept["A1"].value == "Kept title" and kept["A1"].font.b and kept["A2"].value == 12.5


def test_styles_the_old_package_has_are_used_not_added(tmp_path: Path) -> None:
    old = old_book(tmp_path / "old.xlsx")
    scratch = tmp_path / "scratch.xlsx"
    wb = xlsxwriter.Workbook(str(scratch))
    ws = wb.add_worksheet("Log")
    ws.write_string(0, 0, "Same bold", wb.add_format({"bold": True}))
    ws.add_table(2, 0, 3, 1, {"name": "LogTable", "columns": [{"header": "When"}, {"header": "What"}]})
    ws.print_area(0, 0, 4, 1)
    wb.close()
    out = tmp_path / "out.xlsx"
    splice_sheets(old, scratch, ["Log"], out)
    assert members(out)["xl/styles.xml"] == members(old)["xl/styles.xml"]
    assert openpyxl.load_workbook(out)["Log"]["A1"].font.b


def test_refused_when_the_package_is_not_xlsxwriters_or_the_sheet_is_new(tmp_path: Path) -> None:
    old, scratch = old_book(tmp_path / "old.xlsx"), scratch_book(tmp_path / "scratch.xlsx")
    with pytest.raises(NotSpliceable, match="is new"):
        splice_sheets(old, scratch, ["Other"], tmp_path / "out.xlsx")
    saved = tmp_path / "saved.xlsx"
    openpyxl.load_workbook(old).save(saved)
    with pytest.raises(NotSpliceable, match="another program"):
        splice_sheets(saved, scratch, ["Log"], tmp_path / "out2.xlsx")


class _OneWay(io.RawIOBase):
    """A stream that cannot seek: zipfile then writes data descriptors after each member."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b: Any, /) -> int:  # any buffer, as RawIOBase.write takes
        data = bytes(b)
        self.data += data
        return len(data)


def test_members_are_copied_as_stored_data_descriptors_too(tmp_path: Path) -> None:
    sink = _OneWay()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.xml", b"<a>" + b"x" * 5000 + b"</a>")
        z.writestr("b.xml", b"<b/>")
        z.writestr("c/\u00e9t\u00e9.xml", b"<c>summer</c>", compress_type=zipfile.ZIP_STORED)
    src, out = tmp_path / "src.zip", tmp_path / "out.zip"
    src.write_bytes(bytes(sink.data))
    with zipfile.ZipFile(src) as z:
        assert all(i.flag_bits & 0x08 for i in z.infolist())
    replace_members(src, out, {"b.xml": b"<b>new</b>"})
    with zipfile.ZipFile(out) as z, zipfile.ZipFile(src) as s:
        assert z.testzip() is None and z.namelist() == s.namelist()
        assert z.read("b.xml") == b"<b>new</b>" and z.read("a.xml") == s.read("a.xml")
        assert z.read("c/\u00e9t\u00e9.xml") == b"<c>summer</c>"
        assert z.getinfo("a.xml").compress_size == s.getinfo("a.xml").compress_size  # not compressed again
