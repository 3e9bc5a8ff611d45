"""Reminders and replies to rejected returns, after a consolidation of planted returns.

Who should be chased and who should be asked to correct a form is read
from the Returns sheet with openpyxl (and checked against what was
planted); the problem's cell comes from the form's own map of inputs.
"""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

import pytest

from tests.office.client import Office
from tests.support.audit_copy import copy_audit_folder
from tests.support.filling import input_map
from tests.support.mail_reading import parse_drafts, table, terms
from tests.support.scenario import Scenario, build, expected_statuses
from xlpack.consolidate import consolidate
from xlpack.mail import draft_mail


@pytest.fixture(scope="module")
def planted(sample_forms: tuple[Path, Path], office: Office, tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    s = build(tmp_path_factory.mktemp("mail-chase"), *sample_forms, office)
    consolidate(s.audit, [s.returns], today=s.today)
    return s


@pytest.fixture
def chase(planted: Scenario, tmp_path: Path) -> Scenario:
    """A private copy of the consolidated audit (its Returns sheet still names the planted returns folder)."""
    audit = copy_audit_folder(planted.audit, tmp_path / "c", leave=("other",))
    return Scenario(audit, planted.returns, planted.plan, planted.planted, planted.today, planted.foreign)


def main_rows(audit: Path) -> dict[str, dict]:
    """Form id -> its first row on the Returns sheet (the issued form's own row)."""
    out: dict[str, dict] = {}
    for r in table(audit, "Returns", "Case reference"):
        if r["Form id"] and r["Issued file"]:
            out.setdefault(r["Form id"], r)
    return out


def addresses(audit: Path) -> dict[str, str]:
    """Issued file -> the address it should go to (Assignments, or the participation worker)."""
    emails = {(r["Case reference"], r["Agency"], r["Auditor name"]): r["Auditor email"]
              for r in table(audit, "Assignments", "Case reference")}
    worker = terms(audit)["Participation worker email"]
    return {f["File"]: worker if f["Kind"] == "views" else emails[(f["Case reference"], f["Agency"], f["Auditor"])]
            for f in table(audit, "Issued forms", "File")}


def test_a_reminder_for_every_form_overdue_or_not_returned(chase: Scenario) -> None:
    rows = main_rows(chase.audit)
    due = {r["Issued file"] for r in rows.values() if r["Status"] in ("Overdue", "Not returned")}
    assert due == {p.form.file for p in chase.planted if expected_statuses(chase)[p.form.form_id] == "overdue"}
    result = draft_mail(chase.audit, "reminder", today=chase.today)
    assert result.folder is not None and result.exit_code == 0
    drafts = parse_drafts(result.folder)
    where = addresses(chase.audit)
    sent: dict[str, set[str]] = defaultdict(set)
    forms = chase.audit.parent / "forms"
    for d in drafts:
        to = d.msg["To"].addresses[0].addr_spec
        assert str(d.msg["Subject"]).startswith("OFFICIAL-SENSITIVE: Reminder: ") and d.msg["X-Unsent"] == "1"
        for name, data in d.attachments.items():
            assert data == (forms / name).read_bytes() and where[name] == to
            assert "7 days late" in d.body and name in d.body
            sent[to].add(name)
    assert set().union(*sent.values()) == due
    assert len(drafts) == len(sent)  # one reminder per auditor, whatever the number of their late forms


def test_the_returns_sheet_says_when_a_form_was_chased_and_not_twice_a_day(chase: Scenario) -> None:
    first = draft_mail(chase.audit, "reminder", today=chase.today)
    chased = {f for d in first.drafts for f in d.form_ids}
    day = chase.today
    for form_id, row in main_rows(chase.audit).items():
        note = row["Emails drafted"] or ""
        assert (f"reminded on {day.day} {day:%b}" in note) == (form_id in chased)
    again = draft_mail(chase.audit, "reminder", today=day)
    assert again.drafts == [] and len(again.already) == len(chased)
    forced = draft_mail(chase.audit, "reminder", today=day, again=True)
    assert {f for d in forced.drafts for f in d.form_ids} == chased
    tomorrow = draft_mail(chase.audit, "reminder", today=day + timedelta(days=1))
    assert {f for d in tomorrow.drafts for f in d.form_ids} == chased
    notes = {main_rows(chase.audit)[f]["Emails drafted"] for f in chased}
    nxt = day + timedelta(days=1)
    assert notes == {f"reminded on {nxt.day} {nxt:%b} (3 reminders)"}


def test_a_reply_to_each_rejected_return_naming_the_cell_and_what_to_do(chase: Scenario) -> None:
    rows = main_rows(chase.audit)
    rejected = {r["Issued file"] for r in rows.values() if r["Status"] == "Rejected"}
    p = chase.by_role("rejected")
    assert rejected == {p.form.file}
    result = draft_mail(chase.audit, "rejected", today=chase.today)
    (d,) = parse_drafts(result.folder)
    assert d.msg["To"].addresses[0].addr_spec == addresses(chase.audit)[p.form.file]
    assert str(d.msg["Subject"]) == f"OFFICIAL-SENSITIVE: {p.form.case_ref}: your returned audit form needs correcting"
    returned = chase.returns / p.form.file
    assert d.attachments == {returned.name: returned.read_bytes()}  # their own returned file, unchanged
    cell = input_map(chase.audit.parent / "forms" / p.form.file)["section.planning.grade"]["cell"]
    assert f"1. Sheet 'Audit', cell {cell}: 'Goodish' is not a grade." in d.body
    assert "What to do: Choose the grade from the dropdown list in that cell." in d.body
    # the other audit's form: no one to reply to
    assert any("1 rejected file matches no form of this audit" in n for n in result.notes)


@pytest.mark.slow
def test_consolidating_again_keeps_the_log_and_the_wording(chase: Scenario) -> None:
    draft_mail(chase.audit, "reminder", today=chase.today)
    draft_mail(chase.audit, "rejected", today=chase.today)
    log, words = table(chase.audit, "Mail log", "Drafted"), table(chase.audit, "Messages", "Message")
    notes = {k: r["Emails drafted"] for k, r in main_rows(chase.audit).items()}
    consolidate(chase.audit, [chase.returns], today=chase.today + timedelta(days=1))
    assert table(chase.audit, "Mail log", "Drafted") == log and table(chase.audit, "Messages", "Message") == words
    assert {k: r["Emails drafted"] for k, r in main_rows(chase.audit).items()} == notes
    # the safeguarding alerts, drafted when the "No" and "Unsure" forms were first consolidated, are kept too
    assert {r["Message"] for r in log} == {"Reminder", "Rejected return", "Safeguarding alert"}


@pytest.mark.slow
def test_returned_files_are_found_beside_the_workbook(planted: Scenario, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """consolidate run from the audit's folder with a relative path; mail run from somewhere else."""
    audit = copy_audit_folder(planted.audit, tmp_path / "c", leave=("other",))
    shutil.copytree(planted.returns, audit.parent / "returns", dirs_exist_ok=True)
    monkeypatch.chdir(audit.parent)
    consolidate(audit, [Path("returns")], today=planted.today)
    monkeypatch.chdir(tmp_path)
    p = planted.by_role("rejected")
    source = next(r["Returned file"] for r in main_rows(audit).values() if r["Status"] == "Rejected")
    assert not os.path.isabs(source) and not Path(source).exists()  # relative to the audit's folder only
    result = draft_mail(audit, "rejected", today=planted.today)
    (d,) = parse_drafts(result.folder)
    assert d.attachments == {p.form.file: (audit.parent / "returns" / p.form.file).read_bytes()}
    (audit.parent / "returns" / p.form.file).unlink()
    gone = draft_mail(audit, "rejected", today=planted.today, again=True)
    assert gone.drafts == [] and gone.exit_code == 3
    assert f"the returned file returns/{p.form.file} was not found" in gone.warnings[0]


def test_a_file_copied_over_a_rejected_return_is_never_attached(planted: Scenario, tmp_path: Path) -> None:
    """Issue 18, item 3: only the bytes consolidate rejected (their SHA-256 is on the Returns sheet) go back."""
    audit = copy_audit_folder(planted.audit, tmp_path / "c", leave=("other",))
    returns = audit.parent / "returns"
    shutil.copytree(planted.returns, returns, dirs_exist_ok=True)
    consolidate(audit, [returns], today=planted.today)
    p = planted.by_role("rejected")
    rows = main_rows(audit)
    rejected = Path(next(r["Returned file"] for r in rows.values() if r["Status"] == "Rejected"))
    other = next(Path(r["Returned file"]) for r in rows.values()
                 if r["Status"] == "Accepted" and r["Case reference"] != p.form.case_ref)
    original = rejected.read_bytes()
    shutil.copy(other, rejected)  # another case's completed form, under the rejected file's name
    result = draft_mail(audit, "rejected", today=planted.today)
    assert result.drafts == [] and result.exit_code == 3
    assert not list(audit.parent.glob("drafts/* rejected"))  # (consolidate drafted the alerts there)
    (warning,) = result.warnings
    assert warning.startswith(f"Case {p.form.case_ref}, {p.form.agency}, {p.form.auditor}: {rejected} is no longer "
                              f"the file consolidate rejected as {rejected}")
    rejected.write_bytes(original)  # the file rejected, back in place: its reply goes
    again = draft_mail(audit, "rejected", today=planted.today)
    (d,) = parse_drafts(again.folder)
    assert d.attachments == {p.form.file: original}
