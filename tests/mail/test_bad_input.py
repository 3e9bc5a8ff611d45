"""Every bad input is one clear message naming where it is, and nothing is written.

Cells are located independently with openpyxl; "nothing written" means
every file under the audit's folder is byte for byte as before and no
drafts folder appeared.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support.mail_reading import snapshot
from xlpack.coordinator.plan_sheets import read_plan, write_coordinator
from xlpack.errors import MailError, UsageError, WorkbookInUseError, XlpackError
from xlpack.mail import draft_mail
from xlpack.model.plan import AuditPlan


def cell_of(audit: Path, sheet: str, match: Callable[[list], bool], column: str) -> str:
    """The cell in ``column`` of the first row of ``sheet`` that ``match`` accepts."""
    wb = openpyxl.load_workbook(audit, read_only=True)
    try:
        for n, row in enumerate(wb[sheet].iter_rows(values_only=True), start=1):
            if match(list(row)):
                return f"Sheet '{sheet}', cell {column}{n}"
    finally:
        wb.close()
    raise AssertionError(f"no such row on {sheet}")


def change(audit: Path, edit: Callable[[AuditPlan], AuditPlan]) -> None:
    write_coordinator(audit, edit(read_plan(audit)), keep_backup=False)


def refused(audit: Path, error: type[XlpackError], *args: Any, **kw: Any) -> str:
    """Run draft_mail expecting ``error``; check nothing under the audit's folder changed; return the message."""
    before = snapshot(audit.parent)
    with pytest.raises(error) as info:
        draft_mail(audit, *args, **kw)
    assert snapshot(audit.parent) == before
    assert not (audit.parent / "drafts").exists()
    return str(info.value)


def with_email(plan: AuditPlan, index: int, email: str) -> AuditPlan:
    rows = list(plan.assignments)
    rows[index] = rows[index].model_copy(update={"email": email})
    return plan.model_copy(update={"assignments": rows})


@pytest.mark.parametrize("bad, why", [
    ("", "is empty"),
    ("jo.bloggs at example.org", "is not an email address"),
    ("jo@example", "is not an email address"),
    ("jo@example.org; sam@example.org", "holds more than one address"),
    ("jo..bloggs@example.org", "is not an email address"),
])
def test_a_bad_auditor_address_is_named_by_its_cell(sample_copy: tuple[Path, Path], bad: str, why: str) -> None:
    audit, _ = sample_copy
    plan = read_plan(audit)
    a = plan.assignments[3]
    change(audit, lambda p: with_email(p, 3, bad))
    where = cell_of(audit, "Assignments", lambda r: r[:3] == [a.case_ref, a.agency, a.auditor], "D")
    message = refused(audit, MailError, "issue")
    shown = f" ('{bad}')" if bad else ""
    assert f"{where}: the email of {a.auditor}{shown} {why}" in message


def test_all_problems_are_listed_at_once(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    plan = read_plan(audit)
    change(audit, lambda p: with_email(with_email(p, 0, "nobody"), 5, ""))
    body = next(m for m in plan.messages if m.message == "Issue" and m.part == "Body")
    wb = openpyxl.load_workbook(audit)
    wb["Messages"][f"C{body.row}"] = "Dear {auditr},"
    wb.save(audit)
    message = refused(audit, MailError, "issue")
    assert "2 problems" not in message and message.count("\n  - ") == 3
    assert f"Sheet 'Messages', cell C{body.row} (Issue body): {{auditr}} is not a placeholder" in message


@pytest.mark.parametrize("text, why", [
    ("Dear {auditr},", "{auditr} is not a placeholder xlpack fills in for this email"),
    ("Dear {auditor,", "a brace { or } does not pair up"),
    ("Dear {auditor!r},", "write {auditor} on its own"),
    ("Dear {auditor.__class__},", "{auditor.__class__} is not a placeholder"),
    ("Dear {problems},", "{problems} is not a placeholder xlpack fills in for this email"),  # rejected replies only
])
def test_a_bad_placeholder_is_named_by_its_cell(sample_copy: tuple[Path, Path], text: str, why: str) -> None:
    audit, _ = sample_copy
    body = next(m for m in read_plan(audit).messages if m.message == "Issue" and m.part == "Body")
    wb = openpyxl.load_workbook(audit)
    assert wb["Messages"][f"A{body.row}"].value == "Issue" and wb["Messages"][f"B{body.row}"].value == "Body"
    wb["Messages"][f"C{body.row}"] = text
    wb.save(audit)
    message = refused(audit, MailError, "issue")
    assert f"Sheet 'Messages', cell C{body.row} (Issue body): {why}" in message


def test_an_unknown_message_row_is_named(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    wb = openpyxl.load_workbook(audit)
    ws = wb["Messages"]
    row = next(r for r in range(1, 20) if ws[f"A{r}"].value == "Reminder")
    ws[f"A{row}"] = "Reminderr"
    wb.save(audit)
    message = refused(audit, MailError, "issue")
    assert f"Sheet 'Messages', cell A{row}: 'Reminderr' is not one of the emails xlpack drafts" in message


@pytest.mark.parametrize("field, label, value, why", [
    ("coordinator_email", "Coordinator email", "", "is empty"),
    ("coordinator_email", "Coordinator email", "pat at example", "is not an email address"),
    ("coordinator", "Coordinator", "", "your name is empty"),
    ("deadline", "Return deadline", None, "the return deadline is empty"),
])
def test_coordinator_details_are_needed(sample_copy: tuple[Path, Path], field: str, label: str, value: object,
                                         why: str) -> None:
    audit, _ = sample_copy
    change(audit, lambda p: p.model_copy(update={"terms": p.terms.model_copy(update={field: value})}))
    where = cell_of(audit, "Terms of reference", lambda r: r[0] == label, "B")
    assert why in refused(audit, MailError, "issue").split(where, 1)[1].split("\n")[0]


def test_a_form_missing_from_the_forms_folder(sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    gone = read_plan(audit).issued[7]
    (forms / gone.file).unlink()
    message = refused(audit, MailError, "issue")
    assert (f"The form {gone.file} (case {gone.case_ref}, {gone.agency}, {gone.auditor}) is on the Issued forms "
            f"sheet and in manifest.json but not in {forms}") in message
    assert f"--reissue \"{gone.file}\"" in message


def test_a_form_replaced_by_another_file_of_the_same_name(sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    a, b = read_plan(audit).issued[:2]
    shutil.copyfile(forms / b.file, forms / a.file)  # b's form under a's name: it would go to a's auditor
    message = refused(audit, MailError, "issue")
    assert f"{forms / a.file} is not the form issued as {a.file} (case {a.case_ref}, {a.agency}, {a.auditor})" \
        in message and "its content is not what generate wrote" in message


def test_a_form_opened_and_saved_since_it_was_issued(sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    f = read_plan(audit).issued[3]
    wb = openpyxl.load_workbook(forms / f.file)
    wb.save(forms / f.file)  # the same form id inside, other bytes: not the file issued
    assert f"{forms / f.file} is not the form issued as {f.file}" in refused(audit, MailError, "issue")


def test_the_forms_folder_of_another_audit(sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    manifest = forms / "manifest.json"
    doc = json.loads(manifest.read_text(encoding="utf-8"))
    doc["audit_id"] = "00000000-0000-4000-8000-00000000dead"
    manifest.write_text(json.dumps(doc), encoding="utf-8")
    message = refused(audit, MailError, "issue")  # issue 18, item 7: forms/ is the other audit's; this one's is gone
    assert f"{forms} holds the forms of " in message and "audit id 00000000-0000-4000-8000-00000000dead" in message
    assert f"this audit's own forms folder {audit.parent / 'forms audit'} does not exist" in message
    assert "belongs to another audit" in refused(audit, MailError, "issue", forms=forms)
    assert "does not exist" in refused(audit, MailError, "issue", forms=audit.parent / "nowhere")


@pytest.mark.parametrize("kind", ["reminder", "rejected"])
def test_reminders_and_replies_need_a_consolidation(sample_copy: tuple[Path, Path], kind: str) -> None:
    audit, _ = sample_copy
    message = refused(audit, UsageError, kind)
    assert "has not been consolidated yet" in message and "xlpack consolidate" in message


def test_usage_errors(sample_copy: tuple[Path, Path], tmp_path: Path) -> None:
    audit, _ = sample_copy
    assert "--kind must be one of issue, reminder, rejected" in refused(audit, UsageError, "chase")
    assert "does not exist" in refused(audit.with_name("missing.xlsx"), UsageError, "issue")
    assert "must be an .xlsx file" in refused(audit.with_suffix(".ods"), UsageError, "issue")
    used = tmp_path / "used"
    used.mkdir()
    (used / "old.eml").write_bytes(b"X-Unsent: 1\r\n\r\nold")
    assert "already holds drafts" in refused(audit, UsageError, "issue", out=used)


def test_the_password_is_never_in_the_wording(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    body = next(m for m in read_plan(audit).messages if m.message == "Issue" and m.part == "Body")
    wb = openpyxl.load_workbook(audit)
    wb["Messages"][f"C{body.row}"] = "Dear {auditor}, the password is Tr0ub4dor&3. {forms}"
    wb.save(audit)
    message = refused(audit, MailError, "issue", encrypt_password="Tr0ub4dor&3")
    assert "is written in the Issue wording on the Messages sheet" in message


def test_the_workbook_open_in_excel(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    lock = audit.with_name("~$" + audit.name)
    lock.write_bytes(b"\x00" * 162)
    assert "is open in Excel or LibreOffice" in refused(audit, WorkbookInUseError, "issue")
