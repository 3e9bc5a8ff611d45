"""A newer xlpack may word its own guidance differently: that is never mistaken for something the coordinator typed.

The coordinator workbook records which words beside the tables are
xlpack's (keys in its hidden sheet). Rewording them, as a new version
does, consolidates; a note the coordinator typed beside a table is still
refused by name. A workbook written before the record existed is read the
same way for its guidance rows.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pytest

from tests.office.client import Office
from tests.support.filling import fill_form
from xlpack.consolidate import consolidate
from xlpack.coordinator import plan_sheets
from xlpack.coordinator.plan_sheets import META, owned_keys, read_plan, text_key
from xlpack.errors import KeepTypedError
from xlpack.workbook.sheets import action_plan


def reworded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next write words every guidance line above the tables differently, as a new version might."""
    original = plan_sheets.write_intro

    def write_intro(ws, st, title: str, lines: Sequence[str], widths: Sequence[float]) -> None:
        original(ws, st, title + " (new wording)", [f"Newly worded: {line}" for line in lines], widths)

    monkeypatch.setattr(plan_sheets, "write_intro", write_intro)


@pytest.fixture
def with_returns(sample_copy: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    audit, forms = sample_copy
    returns = tmp_path / "returns"
    returns.mkdir()
    first = next(f for f in read_plan(audit).issued if f.kind == "audit")
    fill_form(forms / first.file, returns / first.file, {"assessment": "Good"})
    return audit, returns


def texts(audit: Path, sheet: str, rows: int = 4) -> list[str]:
    """The words in the first rows of a sheet (its title and guidance), read with openpyxl."""
    wb = openpyxl.load_workbook(audit, read_only=True)
    try:
        return [c.value for row in wb[sheet].iter_rows(max_row=rows) for c in row if isinstance(c.value, str)]
    finally:
        wb.close()


def test_the_workbook_records_xlpacks_own_words(with_returns: tuple[Path, Path]) -> None:
    audit, _ = with_returns
    keys = owned_keys(audit)
    assert keys is not None
    cases = texts(audit, "Cases", rows=3)
    assert cases and all(text_key(t) in keys for t in cases)  # title and guidance above the table


def test_reworded_guidance_consolidates_and_a_typed_note_is_still_refused(
        with_returns: tuple[Path, Path], office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    audit, returns = with_returns
    reworded(monkeypatch)
    consolidate(audit, [returns])  # the old words are gone from the new file: not a refusal
    words = texts(audit, "Cases")
    assert any(t.endswith("(new wording)") for t in words) and any(t.startswith("Newly worded: ") for t in words)
    edited = audit.with_name("edited.xlsx")
    office.set_cells(audit, edited, [("Cases", "P6", "note beside the table")]).check()
    shutil.move(edited, audit)
    monkeypatch.undo()
    with pytest.raises(KeepTypedError) as err:
        consolidate(audit, [returns])
    assert "Sheet 'Cases', cell P6: 'note beside the table'" in str(err.value)


def test_a_workbook_from_before_the_record_upgrades(with_returns: tuple[Path, Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    audit, returns = with_returns
    wb = openpyxl.load_workbook(audit)  # before any consolidation: no charts to lose
    meta = wb[META]
    row = next(r for r in meta.iter_rows() if r[0].value == "owned_texts")
    meta.delete_rows(row[0].row)
    wb.save(audit)
    assert owned_keys(audit) is None
    reworded(monkeypatch)
    consolidate(audit, [returns])
    assert owned_keys(audit) is not None  # recorded from now on
    assert any(t.startswith("Newly worded: ") for t in texts(audit, "Cases"))  # the new words reached the sheet


def test_the_action_plans_guidance_reworded_consolidates(with_returns: tuple[Path, Path],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    audit, returns = with_returns
    consolidate(audit, [returns])
    original = action_plan.build

    def build(data):
        sheet = original(data)
        sheet.intro = [f"Newly worded: {line}" for line in sheet.intro]
        return sheet

    monkeypatch.setattr(action_plan, "build", build)
    consolidate(audit, [returns])  # the Action plan's old guidance is xlpack's: not refused as lost typing
    assert any(t.startswith("Newly worded: ") for t in texts(audit, "Action plan", rows=6))
