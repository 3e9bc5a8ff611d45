"""The Terms of reference carry the partnership's context, thresholds and smallest group (issue 15)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from xlpack.coordinator.plan_sheets import TOR, TOR_FIELDS, create_audit, read_plan
from xlpack.errors import XlpackError


def _type(path: Path, values: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[TOR]
    labels = {label: key for key, label, _, _ in TOR_FIELDS}
    for row in ws.iter_rows():
        key = labels.get(str(row[0].value or ""))
        if key in values:
            row[1].value = values[key]
    wb.save(path)


def test_new_audit_has_the_defaults_and_reads_them_back(tmp_path: Path) -> None:
    path = tmp_path / "audit.xlsx"
    create_audit(path, "cp")
    terms = read_plan(path).terms
    assert (terms.working_well_good, terms.working_well_inadequate, terms.concern_good, terms.concern_inadequate,
            terms.min_group) == (75, 10, 50, 20, 3)
    assert terms.partnership == "" and terms.reaudit_date is None


def test_typed_fields_are_read(tmp_path: Path) -> None:
    path = tmp_path / "audit.xlsx"
    create_audit(path, "cp")
    _type(path, {"partnership": "Northshire Partnership", "why_now": "After the inspection.",
                 "reaudit_date": datetime(2027, 11, 1), "dissemination": "Team briefings.",
                 "working_well_good": 0.8, "working_well_inadequate": "5%", "concern_good": 40, "min_group": 5})
    terms = read_plan(path).terms
    assert terms.partnership == "Northshire Partnership" and terms.why_now == "After the inspection."
    assert terms.reaudit_date is not None and terms.reaudit_date.isoformat() == "2027-11-01"
    assert (terms.working_well_good, terms.working_well_inadequate, terms.concern_good, terms.min_group) == (80, 5,
                                                                                                           40, 5)


def test_a_threshold_that_is_not_a_percentage_is_refused_by_cell(tmp_path: Path) -> None:
    path = tmp_path / "audit.xlsx"
    create_audit(path, "cp")
    _type(path, {"concern_inadequate": "lots"})
    with pytest.raises(XlpackError, match=r"Sheet 'Terms of reference', cell B\d+: 'lots' is not a percentage"):
        read_plan(path)
