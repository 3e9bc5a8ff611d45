"""Tests of the LibreOffice real-client harness (tests/office)."""
from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from tests.office.client import Office, OfficeError, office_available, pdf_info, pdf_to_png
from tests.office.fixtures import _unavailable, office  # noqa: F401  (fixture)

A4 = (595.3, 841.9)  # points


def make_workbook(path: Path) -> Path:
    """Protected 'Form' (B2 unlocked, B3 locked, C2 formula), 'Data', hidden 'Lists'."""
    wb = xlsxwriter.Workbook(str(path))
    unlocked = wb.add_format({"locked": False})
    form = wb.add_worksheet("Form")
    form.set_paper(9)  # A4
    form.write("A2", "Name")
    form.write_blank("B2", None, unlocked)
    form.write("A3", "Fixed")
    form.write("B3", "locked value")
    form.write_formula("C2", '=IF(B2="","empty","hi "&B2)', None, "empty")
    form.protect()
    data = wb.add_worksheet("Data")
    data.set_paper(9)
    data.write_column("A1", [1, 2, 3])
    data.write_formula("A4", "=SUM(A1:A3)", None, 6)
    strict = wb.add_worksheet("Strict")  # locked cells cannot even be selected
    strict.set_paper(9)
    strict.write_blank("A1", None, unlocked)
    strict.write("B1", "locked")
    strict.protect("", {"select_locked_cells": False})
    lists = wb.add_worksheet("Lists")
    lists.write("A1", "x")
    lists.hide()
    wb.close()
    return path


@pytest.fixture()
def book(tmp_path: Path) -> Path:
    return make_workbook(tmp_path / "book.xlsx")


def test_open_info(office: Office, book: Path) -> None:
    info = office.open_info(book).check()
    assert info.kind == "spreadsheet"
    assert [s.name for s in info.sheets] == ["Form", "Data", "Strict", "Lists"]
    assert info.sheet("Form").protected and info.sheet("Form").visible
    assert not info.sheet("Data").protected
    assert not info.sheet("Lists").visible


def test_type_unlocked_accepted_locked_refused(office: Office, book: Path, tmp_path: Path) -> None:
    out = tmp_path / "typed.xlsx"
    r = office.type_cells(book, out, [("Form", "B2", "Alice"), ("Form", "B3", "hacked")]).check()
    b2, b3 = r.cell("Form", "B2"), r.cell("Form", "B3")
    assert b2.accepted and b2.value == "Alice"
    assert not b3.accepted and b3.value == "locked value" and "protected" in (b3.reason or "")
    assert r.out == out and out.is_file()

    ws = openpyxl.load_workbook(out)["Form"]
    assert ws["B2"].value == "Alice"
    assert ws["B3"].value == "locked value"
    assert ws.protection.sheet  # still protected after the LibreOffice round trip


def test_type_refused_when_locked_cell_not_selectable(office: Office, book: Path,
                                                      tmp_path: Path) -> None:
    """Typing must never land in another cell when the cursor cannot move."""
    out = tmp_path / "strict.xlsx"
    r = office.type_cells(book, out, [("Strict", "A1", "ok"), ("Strict", "B1", "nope")]).check()
    assert r.results[0].accepted
    assert not r.results[1].accepted
    ws = openpyxl.load_workbook(out)["Strict"]
    assert ws["A1"].value == "ok" and ws["B1"].value == "locked"


def test_hidden_sheet_refused(office: Office, book: Path, tmp_path: Path) -> None:
    r = office.type_cells(book, tmp_path / "h.xlsx", [("Lists", "A2", "y")]).check()
    assert not r.results[0].accepted and r.results[0].reason == "sheet is hidden"


def test_typed_formula_and_recalc(office: Office, book: Path, tmp_path: Path) -> None:
    out = tmp_path / "formula.xlsx"
    r = office.type_cells(book, out, [("Form", "B2", "Bob"), ("Data", "A1", "10"),
                                      ("Data", "B1", "=A4*2")]).check()
    assert r.cell("Data", "A1").type == "value" and r.cell("Data", "A1").number == 10
    b1 = r.cell("Data", "B1")
    assert b1.accepted and b1.type == "formula" and b1.formula == "=A4*2" and b1.value == "30"

    read = office.recalc_read(out, [("Form", "C2"), ("Data", "A4"), ("Data", "B1")]).check()
    assert read.values() == ["hi Bob", "15", "30"]
    assert openpyxl.load_workbook(out)["Data"]["B1"].value == "=A4*2"


def test_set_cells_bypasses_protection(office: Office, book: Path, tmp_path: Path) -> None:
    out = tmp_path / "api.xlsx"
    r = office.set_cells(book, out, [("Form", "B3", "api wins"),
                                     {"sheet": "Data", "cell": "A2", "value": 5}]).check()
    assert all(x.accepted for x in r.results)
    wb = openpyxl.load_workbook(out)
    assert wb["Form"]["B3"].value == "api wins"
    assert wb["Data"]["A2"].value == 5


def test_corrupt_file_does_not_kill_worker(office: Office, book: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04" + os.urandom(2000))
    restarts = office.restarts
    info = office.open_info(bad)
    assert not info.ok and info.error
    with pytest.raises(OfficeError):
        info.check()
    assert not office.open_info(tmp_path / "missing.xlsx").ok
    assert not office.type_cells(bad, tmp_path / "o.xlsx", [("Form", "B2", "x")]).ok
    assert not office.type_cells(book, tmp_path / "o.xlsx", [("Nope", "B2", "x")]).ok
    # the same session still works
    assert office.open_info(book).ok
    assert office.restarts == restarts and office.alive


def test_stale_lock_file_is_ignored(office: Office, book: Path) -> None:
    """A lock left by a crashed/parallel LibreOffice must not make loads fail."""
    (book.parent / (f".~lock.{book.name}#")).write_text("someone,else,host,01.01.2024 00:00,;")
    assert office.open_info(book).ok
    assert sorted(p.name for p in book.parent.iterdir()) == [".~lock.book.xlsx#", "book.xlsx"]


def test_convert_xlsx_to_pdf(office: Office, book: Path, tmp_path: Path) -> None:
    r = office.convert(book, tmp_path / "pdf").check()
    assert r.path == tmp_path / "pdf" / "book.pdf" and r.filter == "calc_pdf_Export"
    info = pdf_info(r.path)
    assert info.pages == 3  # Form, Data, Strict; the hidden sheet is not printed
    assert (info.width_pt, info.height_pt) == pytest.approx(A4, abs=1)
    assert info.paper == "A4"
    pngs = pdf_to_png(r.path, tmp_path / "png", dpi=30, first=1, last=1)
    assert len(pngs) == 1 and pngs[0].stat().st_size > 0


def test_convert_docx_to_pdf(office: Office, tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    sec = d.sections[0]
    sec.page_width, sec.page_height = docx.shared.Mm(210), docx.shared.Mm(297)
    d.add_paragraph("hello from xlpack")
    d.add_page_break()
    d.add_paragraph("page two")
    src = tmp_path / "letter.docx"
    d.save(str(src))
    r = office.convert(src, tmp_path).check()
    assert r.filter == "writer_pdf_Export" and r.path is not None
    info = pdf_info(r.path)
    assert info.pages == 2 and info.paper == "A4"


def test_convert_failure_reported(office: Office, tmp_path: Path) -> None:
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a document at all \x00\x01")
    r = office.convert(tmp_path / "missing.xlsx", tmp_path)
    assert not r.ok and r.path is None
    assert not office.convert(bad, tmp_path, format="png").ok  # unsupported format


def test_timeout_and_restart(book: Path, tmp_path: Path) -> None:
    """A second, independent session (own pipe): a timeout kills it, the next call restarts."""
    reason = office_available()
    if reason:
        _unavailable(reason)
    with Office() as o:
        assert o.start_seconds > 0
        with pytest.raises(OfficeError, match="did not answer"):
            o.convert(book, tmp_path, timeout=0.001)
        assert not o.alive
        assert o.open_info(book).ok
        assert o.restarts == 1 and o.alive
    assert not o.alive


def test_unavailable_skips_or_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XLPACK_REQUIRE_OFFICE", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no soffice"):
        _unavailable("no soffice")
    monkeypatch.setenv("XLPACK_REQUIRE_OFFICE", "1")
    with pytest.raises(pytest.fail.Exception, match="no soffice"):
        _unavailable("no soffice")
