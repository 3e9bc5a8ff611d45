"""Names outside ASCII travel intact (RFC 2047 headers, RFC 2231 file names); the command and encryption."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import msoffcrypto
import pytest

from tests.support.cli import run_cli
from tests.support.mail_reading import parse_drafts, table
from xlpack.coordinator.plan_sheets import create_audit, read_plan, write_coordinator
from xlpack.demo.sample import sample_plan
from xlpack.generate import generate_forms
from xlpack.mail import draft_mail
from xlpack.model.plan import Assignment

SIAN, AGENCY, COORDINATOR = "Siân Ó Briain", "Children's social care", "Gwenllïan Prŷs"
SUBJECT = "Archwiliad achos – {cases} – erbyn {deadline}"  # Welsh, with en dashes


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path]:
    """One case, two auditors (one with a name outside ASCII), no views form: (audit, forms)."""
    plan = sample_plan("cp", cases=1)
    case = plan.cases[0].case_ref
    plan = plan.model_copy(update={
        "assignments": [Assignment(case_ref=case, agency=AGENCY, auditor=SIAN, email="sian.obriain@example.org"),
                        Assignment(case_ref=case, agency="Police", auditor="Sam Example", email="sam@example.org")],
        "terms": plan.terms.model_copy(update={"participation_worker": "", "coordinator": COORDINATOR})})
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, plan=plan)
    gen = generate_forms(audit, workers=1)
    return audit, gen.out_dir


def headers_of(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


def test_names_outside_ascii_are_encoded_and_read_back_intact(small: tuple[Path, Path]) -> None:
    audit, forms = small
    plan = read_plan(audit)
    words = [m.model_copy(update={"text": SUBJECT}) if (m.message, m.part) == ("Issue", "Subject") else m
             for m in plan.messages]
    write_coordinator(audit, plan.model_copy(update={"messages": words}))
    result = draft_mail(audit, "issue")
    assert result.folder is not None
    drafts = {d.msg["To"].addresses[0].display_name: d for d in parse_drafts(result.folder)}
    d = drafts[SIAN]
    head = headers_of(d.raw)
    assert head.isascii() and b"=?utf-8?" in head  # RFC 2047 encoded words
    (file,) = [f["File"] for f in table(audit, "Issued forms", "File") if f["Auditor"] == SIAN]
    assert "Siân" in file and (forms / file).is_file()
    assert re.search(rb"filename\*(0\*)?=utf-8''", d.raw)  # RFC 2231 (a long name continues in filename*1*)
    assert d.attachments == {file: (forms / file).read_bytes()}
    assert d.msg["From"].addresses[0].display_name == COORDINATOR
    case = plan.cases[0].case_ref
    assert str(d.msg["Subject"]).startswith(f"OFFICIAL-SENSITIVE: Archwiliad achos – {case} – erbyn ")
    assert f"Dear {SIAN}," in d.body and f"for {AGENCY}." in d.body
    assert d.path.name == f"Issue - {SIAN}.eml"
    with open(result.folder / "recipients.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["auditor"]: r for r in csv.DictReader(fh)}
    assert rows[SIAN]["agency"] == AGENCY and rows[SIAN]["form files"] == file
    log = {r["Auditor"]: r for r in table(audit, "Mail log", "Drafted")}
    assert log[SIAN]["Agency"] == AGENCY and log[SIAN]["Draft"] == d.path.name


def test_the_command_encrypts_and_says_how_to_send_the_password(small: tuple[Path, Path]) -> None:
    audit, forms = small
    password = "Corgi-Tea-42"
    res = run_cli("mail", audit, "--encrypt-password", password)
    assert res.exit_code == 0, res.output
    assert "Drafted 2 emails about 2 forms" in res.stdout and "xlpack sends nothing" in res.stdout
    assert "give it to each auditor another way" in res.stdout and "never in the same email" in res.stdout
    assert password not in res.stdout + res.stderr
    folder = next((audit.parent / "drafts").iterdir())
    drafts = parse_drafts(folder)
    assert len(drafts) == 2
    for d in drafts:
        assert password.encode() not in d.raw
        one = len(d.attachments) == 1  # "form is" for one form, "forms are" for more
        assert f"The attached {'form is' if one else 'forms are'} protected with a password, which I will give you " \
               "separately" in d.body
        for name, data in d.attachments.items():
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            office.load_key(password=password, verify_password=True)
            plain = io.BytesIO()
            office.decrypt(plain)
            assert plain.getvalue() == (forms / name).read_bytes()
    assert password.encode() not in (folder / "recipients.csv").read_bytes()
    assert password.encode() not in audit.read_bytes()


def test_the_command_exit_codes(small: tuple[Path, Path]) -> None:
    audit, _ = small
    res = run_cli("mail", audit, "--kind", "reminder")
    assert res.exit_code == 2 and "has not been consolidated yet" in res.stderr
    plan = read_plan(audit)
    bad = [a.model_copy(update={"email": "sam(at)example.org"}) if a.auditor == "Sam Example" else a
           for a in plan.assignments]
    write_coordinator(audit, plan.model_copy(update={"assignments": bad}))
    res = run_cli("mail", audit)
    assert res.exit_code == 1 and res.stdout == ""
    assert "Sheet 'Assignments', cell D6: the email of Sam Example ('sam(at)example.org') is not" in res.stderr
    write_coordinator(audit, plan)
    assert run_cli("mail", audit).exit_code == 0
    res = run_cli("mail", audit)
    assert res.exit_code == 0 and "No issue email to draft." in res.stdout
    assert "2 forms already drafted, not drafted again (add --again to)" in res.stderr
