"""The wording typed on the Messages sheet in LibreOffice, like a coordinator, is what the drafts say."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.office.client import Office
from tests.support.mail_reading import long_date, parse_drafts, table, terms
from xlpack.errors import MailError
from xlpack.mail import draft_mail

SUBJECT = "Audit forms for {cases}, due {deadline}"
BODY = "Hello {auditor}. Your forms for {audit_title}: {forms} Please return them to {coordinator_email}."


def rows_of(audit: Path) -> dict[tuple[str, str], int]:
    """(message, part) -> its row on the Messages sheet."""
    wb = openpyxl.load_workbook(audit, read_only=True)
    try:
        return {(str(r[0]), str(r[1])): n for n, r in enumerate(wb["Messages"].iter_rows(values_only=True), start=1)
                if r and r[0] in ("Issue", "Reminder", "Rejected return")}
    finally:
        wb.close()


def type_in(office: Office, audit: Path, entries: list[tuple[str, str, str]]) -> None:
    edited = audit.with_name("edited.xlsx")
    result = office.type_cells(audit, edited, entries).check()
    assert all(c.accepted for c in result.results), result.results
    shutil.move(edited, audit)


def test_wording_typed_in_libreoffice_is_used(sample_copy: tuple[Path, Path], office: Office) -> None:
    audit, _ = sample_copy
    rows = rows_of(audit)
    type_in(office, audit, [("Messages", f"C{rows['Issue', 'Subject']}", SUBJECT),
                            ("Messages", f"C{rows['Issue', 'Body']}", BODY)])
    result = draft_mail(audit, "issue")
    assert result.folder is not None
    tor = terms(audit)
    issued = {r["File"]: r["Case reference"] for r in table(audit, "Issued forms", "File")}
    for d in parse_drafts(result.folder):
        cases = sorted({issued[name] for name in d.attachments})
        assert str(d.msg["Subject"]).startswith("OFFICIAL-SENSITIVE: Audit forms for ")
        assert str(d.msg["Subject"]).endswith(f", due {long_date(tor['Return deadline'])}")
        if len(cases) <= 6:
            assert all(c in d.msg["Subject"] for c in cases)
        else:  # the participation worker's ten cases: the subject names five, the body all of them
            assert ", ".join(cases[:5]) + f" and {len(cases) - 5} more, due" in d.msg["Subject"]
            assert all(c in d.body for c in cases)
        name = d.msg["To"].addresses[0].display_name
        assert d.body.startswith(f"OFFICIAL-SENSITIVE\n\nHello {name}. Your forms for {tor['Audit title']}: - ")
        assert d.body.rstrip().endswith(f"Please return them to {tor['Coordinator email']}.")
    kept = {(m["Message"], m["Part"]): m["Wording"] for m in table(audit, "Messages", "Message")}
    assert kept["Issue", "Subject"] == SUBJECT and kept["Issue", "Body"] == BODY  # kept as typed


def test_an_unknown_placeholder_typed_in_libreoffice_names_its_cell(sample_copy: tuple[Path, Path],
                                                                    office: Office) -> None:
    audit, _ = sample_copy
    rows = rows_of(audit)
    issue, reminder = rows["Issue", "Subject"], rows["Reminder", "Subject"]
    type_in(office, audit, [("Messages", f"C{issue}", "Forms: {case_ref}"), ("Messages", f"C{reminder}", "{x}")])
    before = audit.read_bytes()
    with pytest.raises(MailError) as info:
        draft_mail(audit, "issue")
    message = str(info.value)
    assert f"Sheet 'Messages', cell C{issue} (Issue subject): {{case_ref}} is not a placeholder" in message
    assert f"cell C{reminder}" not in message  # only the wording of the emails being drafted is checked
    assert audit.read_bytes() == before and not (audit.parent / "drafts").exists()
