"""A form returned more than once: the newest accepted copy wins, the others are listed as superseded."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from tests.support.filling import fill_form
from tests.support.intake_corpus import email_with
from tests.support.intake_support import *
from tests.support.intake_support import T0, codes
from xlpack.intake.batch import intake
from xlpack.model.plan import AuditPlan


def test_the_newest_save_wins_whatever_the_order(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    older = fill_form(blank_cp, tmp_path / "b-first.xlsx", {"planning": "Inadequate"}, saved_at=T0)
    newer = fill_form(blank_cp, tmp_path / "a-second.xlsx", {"planning": "Good"}, saved_at=T0 + timedelta(days=3))
    os.utime(older, (2_000_000_000, 2_000_000_000))  # a later file date does not beat the workbook's own time
    result = intake([tmp_path], audit_plan)
    status = {Path(f.path).name: f.status for f in result.files}
    assert status == {"a-second.xlsx": "accepted", "b-first.xlsx": "superseded"}
    loser = next(f for f in result.files if f.status == "superseded")
    assert loser.problems[-1].message == (f"Superseded by {newer}, a newer copy of the same form (saved 23 Nov 2026 "
                                          "09:00 UTC); this copy is not used.")
    assert loser.form is not None and loser.form.sections["planning"].grade == "Inadequate"
    winner = next(f for f in result.files if f.status == "accepted")
    assert codes(winner) == ["returned-again"] and winner.problems[0].severity == "info"
    assert [f.sections["planning"].grade for f in result.accepted] == ["Good"]
    assert result.totals == {"files": 2, "accepted": 1, "accepted_with_warnings": 0, "rejected": 0, "skipped": 0,
                             "superseded": 1, "forms": 1}
    assert result.exit_code == 0


def test_ties_go_to_the_file_date_then_the_path(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    one = fill_form(blank_cp, tmp_path / "one.xlsx", saved_at=T0)
    two = fill_form(blank_cp, tmp_path / "two.xlsx", saved_at=T0)
    os.utime(one, (1_900_000_000, 1_900_000_000))
    os.utime(two, (1_800_000_000, 1_800_000_000))
    result = intake([two, one], audit_plan)
    assert {Path(f.path).name: f.status for f in result.files} == {"one.xlsx": "accepted", "two.xlsx": "superseded"}
    os.utime(two, (1_900_000_000, 1_900_000_000))
    result = intake([one, two], audit_plan)
    assert {Path(f.path).name: f.status for f in result.files} == {"one.xlsx": "superseded", "two.xlsx": "accepted"}


def test_only_accepted_copies_compete(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    fill_form(blank_cp, tmp_path / "good.xlsx", saved_at=T0)
    fill_form(blank_cp, tmp_path / "later-but-bad.xlsx", cells={"section.voice.grade": "Very good"},
              saved_at=T0 + timedelta(days=1))
    result = intake([tmp_path], audit_plan)
    assert {Path(f.path).name: f.status for f in result.files} == {"good.xlsx": "accepted",
                                                                   "later-but-bad.xlsx": "rejected"}
    assert len(result.accepted) == 1 and result.exit_code == 3


def test_copies_across_an_email_and_a_folder(filled_cp: Path, blank_cp: Path, audit_plan: AuditPlan,
                                             tmp_path: Path) -> None:
    later = fill_form(blank_cp, tmp_path / "later.xlsx", saved_at=T0 + timedelta(hours=1))
    (tmp_path / "mail.eml").write_bytes(email_with([("form.xlsx", filled_cp.read_bytes())]))
    result = intake([tmp_path / "mail.eml", later], audit_plan)
    assert [(Path(f.path).name, f.status) for f in result.files] == [
        ("mail.eml", "skipped"), ("form.xlsx", "superseded"), ("later.xlsx", "accepted")]
