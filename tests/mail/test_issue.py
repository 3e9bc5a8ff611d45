"""Issue drafts: one email per auditor with exactly their forms, parsed back with Python's email package.

What each auditor should get is worked out from the Assignments, Issued
forms and Terms of reference sheets read with openpyxl, not from xlpack.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from tests.support.mail_reading import Parsed, long_date, parse_drafts, table, terms
from xlpack import clock
from xlpack.coordinator.plan_sheets import read_plan, write_coordinator
from xlpack.generate import generate_forms
from xlpack.mail import draft_mail
from xlpack.workbook.readback import Workbook

TODAY = clock.today()  # forms are issued today: an issue email is drafted on or after that


def expected_by_address(audit: Path) -> dict[str, set[str]]:
    """Address (folded) -> the issued files that should go to it, from the plan sheets."""
    tor = terms(audit)
    emails = {(r["Case reference"], r["Agency"], r["Auditor name"]): r["Auditor email"]
              for r in table(audit, "Assignments", "Case reference")}
    out: dict[str, set[str]] = defaultdict(set)
    for f in table(audit, "Issued forms", "File"):
        if f["Kind"] == "views":
            address = tor["Participation worker email"]
        else:
            address = emails[(f["Case reference"], f["Agency"], f["Auditor"])]
        out[address.casefold()].add(f["File"])
    return out


@pytest.fixture
def issued(sample_copy: tuple[Path, Path]) -> tuple[Path, Path, list[Parsed]]:
    audit, forms = sample_copy
    result = draft_mail(audit, "issue", today=TODAY)
    assert result.folder is not None and result.exit_code == 0
    return audit, forms, parse_drafts(result.folder)


def test_one_email_per_auditor_with_exactly_their_forms(issued: tuple[Path, Path, list[Parsed]]) -> None:
    audit, forms, drafts = issued
    want = expected_by_address(audit)
    got: dict[str, set[str]] = {}
    for d in drafts:
        address = d.msg["To"].addresses[0].addr_spec.casefold()
        assert address not in got, f"two emails to {address}"
        got[address] = set(d.attachments)
        for name, data in d.attachments.items():
            assert data == (forms / name).read_bytes(), name  # byte-identical to the issued file
    assert got == want
    every = [name for d in drafts for name in d.attachments]
    assert len(every) == len(set(every)) == len(table(audit, "Issued forms", "File"))  # no one else's


def test_headers_mark_the_email_and_make_it_a_draft(issued: tuple[Path, Path, list[Parsed]]) -> None:
    audit, _, drafts = issued
    tor = terms(audit)
    cases_of = {r["File"]: r["Case reference"] for r in table(audit, "Issued forms", "File")}
    ids = set()
    for d in drafts:
        m = d.msg
        assert m["X-Unsent"] == "1"
        assert m["From"].addresses[0].addr_spec == tor["Coordinator email"]
        assert str(m["Subject"]).startswith("OFFICIAL-SENSITIVE: ")
        cases = sorted({cases_of[n] for n in d.attachments})
        assert all(c in m["Subject"] for c in cases[:5])
        assert abs(parsedate_to_datetime(m["Date"]).date() - TODAY) <= timedelta(days=1)
        assert m["Message-ID"] and m["Message-ID"] not in ids
        ids.add(m["Message-ID"])
        assert b"\r\n" in d.raw and max(len(line) for line in d.raw.split(b"\r\n")) <= 998


def test_body_names_the_deadline_the_cases_and_where_to_return(issued: tuple[Path, Path, list[Parsed]]) -> None:
    audit, _, drafts = issued
    tor = terms(audit)
    deadline = tor["Return deadline"]
    assert isinstance(deadline, datetime)
    cases_of = {r["File"]: r["Case reference"] for r in table(audit, "Issued forms", "File")}
    for d in drafts:
        body = d.body
        assert body.startswith("OFFICIAL-SENSITIVE")
        assert long_date(deadline) in body and tor["Coordinator email"] in body and tor["Coordinator"] in body
        for name in d.attachments:
            assert cases_of[name] in body and name in body
        assert "{" not in body and "}" not in body  # every placeholder filled in


def test_recipients_csv_and_the_mail_log(issued: tuple[Path, Path, list[Parsed]]) -> None:
    audit, _, drafts = issued
    folder = drafts[0].path.parent
    with open(folder / "recipients.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted(r["draft"] for r in rows) == sorted(d.path.name for d in drafts)
    by_draft = {d.path.name: d for d in drafts}
    for r in rows:
        d = by_draft[r["draft"]]
        assert r["email"] == d.msg["To"].addresses[0].addr_spec
        assert set(r["form files"].split("; ")) == set(d.attachments)
    log = table(audit, "Mail log", "Drafted")
    issued_files = {r["File"] for r in table(audit, "Issued forms", "File")}
    assert sorted(r["Attached"] for r in log) == sorted(issued_files)
    assert {r["Message"] for r in log} == {"Issue"} and all(r["Drafted"].date() == TODAY for r in log)
    assert {r["Draft"] for r in log} == set(by_draft)


def test_issued_forms_are_not_drafted_twice_unless_asked(issued: tuple[Path, Path, list[Parsed]]) -> None:
    audit, _, drafts = issued
    again = draft_mail(audit, "issue", today=TODAY + timedelta(days=1))
    assert again.drafts == [] and again.folder is None
    assert len(again.already) == sum(len(d.attachments) for d in drafts)
    forced = draft_mail(audit, "issue", today=TODAY + timedelta(days=1), again=True)
    assert forced.folder is not None and len(parse_drafts(forced.folder)) == len(drafts)
    assert forced.folder != drafts[0].path.parent


def test_generate_keeps_the_sheets_and_only_new_forms_are_drafted(issued: tuple[Path, Path, list[Parsed]]) -> None:
    audit, forms, _ = issued
    plan = read_plan(audit)
    logged = len(plan.mail_log)
    extra = plan.assignments[0].model_copy(update={"auditor": "Rowan Newcomer", "email": "rowan.new@example.org"})
    edited = [m.model_copy(update={"text": "New wording for {auditor}: {forms}"}) if m.part == "Body" and
              m.message == "Issue" else m for m in plan.messages]
    write_coordinator(audit, plan.model_copy(update={"assignments": [*plan.assignments, extra],
                                                      "messages": edited}))
    gen = generate_forms(audit, forms, workers=1)
    assert [f.auditor for f in gen.issued] == ["Rowan Newcomer"]
    kept = read_plan(audit)
    assert len(kept.mail_log) == logged and kept.messages == read_plan(audit).messages
    assert any(m.text == "New wording for {auditor}: {forms}" for m in kept.messages)
    later = draft_mail(audit, "issue", today=TODAY + timedelta(days=2))
    assert later.folder is not None
    (only,) = parse_drafts(later.folder)
    assert only.msg["To"].addresses[0].addr_spec == "rowan.new@example.org"
    assert list(only.attachments) == [gen.issued[0].file]
    assert only.body.splitlines()[2].startswith("New wording for Rowan Newcomer: - ")


def test_the_sheets_are_plan_sheets(issued: tuple[Path, Path, list[Parsed]]) -> None:
    audit, _, _ = issued
    names = Workbook(audit).names
    assert names.index("Issued forms") < names.index("Messages") < names.index("Mail log")
    messages = table(audit, "Messages", "Message")
    assert [(m["Message"], m["Part"]) for m in messages] == [
        (k, p) for k in ("Issue", "Reminder", "Rejected return", "Feedback") for p in ("Subject", "Body")]
    assert all("{" in m["Wording"] for m in messages)
