"""What the forms of a batch repeat is read once and shared (the workbook part, the metadata rows); each form
still reads as its own, and what differs or fails a check is never taken from another form."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from tests.support.intake_support import *
from tests.support.mutate import rewrite, sub
from xlpack.forms.layout import AUDIT_SHEET, META_SHEET
from xlpack.intake import reader
from xlpack.intake.ooxml import PackageError, open_workbook
from xlpack.intake.reader import parse_meta

BOOK, BOOK_RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"


def test_a_workbook_part_differing_from_one_read_before_is_read_for_itself(filled_cp: Path) -> None:
    original = filled_cp.read_bytes()
    first = open_workbook(original)
    assert first.structure_protection is True
    unlocked = open_workbook(rewrite(original, {BOOK: sub(rb"<workbookProtection[^>]*/>", b"")}))
    assert unlocked.structure_protection is None
    shown = open_workbook(rewrite(original, {BOOK: sub(rb'state="veryHidden"', b'state="visible"')}))
    assert [s.state for s in shown.sheets if s.name == META_SHEET] == ["visible"]
    assert open_workbook(original).structure_protection is True  # the first, read again, is as it was


def test_the_same_workbook_part_with_other_relationships_finds_other_parts(filled_cp: Path) -> None:
    original = filled_cp.read_bytes()
    first = open_workbook(original)
    entry = first.sheet(AUDIT_SHEET)
    assert entry is not None and entry.part is not None
    name = entry.part.rsplit("/", 1)[-1].encode()
    moved = rewrite(original, {BOOK_RELS: sub(b"worksheets/" + name, b"worksheets/moved.xml"), entry.part: None},
                    add={"xl/worksheets/moved.xml": first.part(entry.part)})
    again = open_workbook(moved).sheet(AUDIT_SHEET)
    assert again is not None and (again.name, again.part) == (AUDIT_SHEET, "xl/worksheets/moved.xml")


def test_a_workbook_part_declaring_entities_is_refused_after_a_clean_one(filled_cp: Path) -> None:
    original = filled_cp.read_bytes()
    open_workbook(original)
    doctype = b'<!DOCTYPE w [<!ENTITY e "x">]><workbook '
    hostile = rewrite(original, {BOOK: lambda xml: xml.replace(b"<workbook ", doctype, 1)})
    with pytest.raises(PackageError) as refused:
        open_workbook(hostile)
    assert refused.value.problem.code == "unsafe-xml"


def _rows(form: Path) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(form)).get_sheet_by_name(META_SHEET).to_python(skip_empty_area=False)


def _first(rows: list[list[Any]], kind: str) -> int:
    """The index of the first row of input cells ("input") or of locked text ("locked") after its heading."""
    heading = next(i for i, r in enumerate(rows) if r[0] == kind and r[1] == "sheet" and r[2] == "cell")
    return next(i for i in range(heading + 1, len(rows)) if rows[i][0])


def test_a_form_differing_in_one_row_reads_its_own_row(filled_cp: Path) -> None:
    rows = _rows(filled_cp)
    before = parse_meta(rows)
    changed = copy.deepcopy(rows)
    at_locked, at_input = _first(changed, "locked"), _first(changed, "input")
    changed[at_locked][3] = "A label as another form has it"
    changed[at_input][4] = "Another label"
    after = parse_meta(changed)
    assert after.locked[0][1].text == "A label as another form has it" != before.locked[0][1].text
    assert after.inputs[0].label == "Another label" != before.inputs[0].label
    assert after.locked[1:] == before.locked[1:] and after.inputs[1:] == before.inputs[1:]
    again = parse_meta(rows)  # the first form, read once more, is unchanged
    assert (again.locked, again.inputs) == (before.locked, before.inputs)
    assert again.inputs[1] is before.inputs[1]  # shared, not made again


def test_equal_values_of_other_types_are_not_taken_for_each_other(filled_cp: Path) -> None:
    """True == 1 == 1.0 as keys, but a cell holding TRUE does not read as one holding 1."""
    rows = _rows(filled_cp)
    at = _first(rows, "locked")
    texts = []
    for value in (True, 1, 1.5, "1"):
        variant = copy.deepcopy(rows)
        variant[at][3] = value
        texts.append(parse_meta(variant).locked[0][1].text)
    assert texts == ["TRUE", "1", "1.5", "1"]


def test_the_rows_remembered_are_bounded(filled_cp: Path, monkeypatch: Any) -> None:
    """Forms whose locked text all differs (a batch of many layouts) do not grow the memory without end."""
    monkeypatch.setattr(reader, "_INPUT_ROWS", {})
    monkeypatch.setattr(reader, "_LOCKED_ROWS", {})
    monkeypatch.setattr(reader, "_ROWS_KEPT", 50)
    rows = _rows(filled_cp)
    start = _first(rows, "locked")
    for n in range(5):
        variant = copy.deepcopy(rows)
        for row in variant[start:]:
            if row[0] == "locked":
                row[3] = f"{row[3]} {n}"
        meta = parse_meta(variant)
        assert meta.locked[0][1].text.endswith(f" {n}")
        assert len(reader._LOCKED_ROWS) <= 50 + len(meta.locked)
        assert len(reader._INPUT_ROWS) == len(meta.inputs)
