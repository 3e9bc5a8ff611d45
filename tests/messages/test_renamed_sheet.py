"""Issue 18, item 16: a renamed xlpack sheet is named as such, with the fix (rename it back), not "move it away"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.mutate import rewrite, sub
from tests.workbook.test_carryover import TODAY, audit_with_returns  # noqa: F401 (a fixture)
from xlpack.consolidate import consolidate
from xlpack.errors import KeepTypedError


def _rename(audit: Path, old: str, new: str) -> None:
    audit.write_bytes(rewrite(audit, {"xl/workbook.xml": sub(f'name="{old}"'.encode(), f'name="{new}"'.encode())}))


def test_a_renamed_flags_sheet_is_to_be_renamed_back(audit_with_returns: tuple[Path, Path, list[Path]]) -> None:
    audit, returns, _ = audit_with_returns
    consolidate(audit, [returns], today=TODAY)
    _rename(audit, "Flags", "Flags for the meeting")
    before = audit.read_bytes()
    with pytest.raises(KeepTypedError) as err:
        consolidate(audit, [returns], today=TODAY)
    line = next(x for x in str(err.value).splitlines() if "'Flags for the meeting'" in x)
    assert "rename it back to 'Flags'" in line and "the resolutions" in line
    assert "Moving it to another workbook would lose" in line
    assert audit.read_bytes() == before
    _rename(audit, "Flags for the meeting", "Flags")  # the advice works
    assert consolidate(audit, [returns], today=TODAY).exit_code == 0

