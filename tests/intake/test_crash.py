"""A reading process that dies takes only its own file down: the batch goes on."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

import xlpack.intake.batch as intake_module
from tests.support.filling import fill_form
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.intake.batch import intake


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="the crash is planted through a fork of the patched reader")
def test_a_crashing_reader_is_reported_and_every_other_file_is_read(
        sample_forms: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    audit, forms = sample_forms
    returns = tmp_path / "returns"
    returns.mkdir()
    sources = sorted(forms.glob("CP_*.xlsx"))[:12]
    for src in sources:
        fill_form(src, returns / src.name)
    killer = returns / sources[5].name
    shutil.copy(killer, returns / "zz-second-copy-that-crashes.xlsx")
    real = intake_module.read_found

    def crash_on_some(entry: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(entry.path).name in (killer.name, "zz-second-copy-that-crashes.xlsx"):
            os._exit(70)  # as a segfault in a native reader would: no exception, the process is gone
        return real(entry, *args, **kwargs)

    monkeypatch.setattr(intake_module, "read_found", crash_on_some)
    result = intake([returns], read_plan(audit, strict=False), workers=2)
    by_name = {Path(f.path).name: f for f in result.files}
    assert len(by_name) == 13
    for name in (killer.name, "zz-second-copy-that-crashes.xlsx"):
        assert by_name[name].status == "rejected"
        assert [p.code for p in by_name[name].problems] == ["internal-error"]
        assert "stopped abruptly" in by_name[name].problems[0].message
    others = [f for n, f in by_name.items() if n not in (killer.name, "zz-second-copy-that-crashes.xlsx")]
    assert [f.status for f in others] == ["accepted"] * 11
