"""Issue emails say what the forms attached ask for: the participation worker's views form is not an audit form.

Which sheets each attached form has is read from the attachment itself with
openpyxl; every sheet an email names must be one of its forms' sheets.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import openpyxl

from tests.support.filling import return_first_audit_form
from tests.support.mail_reading import Parsed, parse_drafts, table
from xlpack import clock
from xlpack.consolidate import consolidate
from xlpack.coordinator.mail_sheets import EARLIER_WORDING
from xlpack.coordinator.plan_sheets import read_plan, write_coordinator
from xlpack.mail import draft_mail
from xlpack.mail.templates import DEFAULTS

#: The issue body as xlpack shipped it until the wording depended on the form (what older workbooks hold).
OLD_ISSUE_BODY = (
    "Dear {auditor},\n\n"
    "Thank you for taking part in {audit_title} for {agency}. Your audit forms are attached ({count}):\n\n"
    "{forms}\n\n"
    "Please open each form in Excel, read the 'Start here' sheet, and fill in the yellow cells on the 'Audit' "
    "sheet from your agency's records. Save it under the same name as an Excel Workbook (.xlsx) and email "
    "it back to {coordinator_email} by {deadline}.\n\n"
    "If you have managed or been involved in any of these cases, please tell me before you start, so that "
    "the case can be given to another auditor. Refer to cases by their reference only, never by a child's "
    "name.\n\n"
    "{password_note}\n\n"
    "Thank you,\n{coordinator}\n{audit_title}")


def sheets_of(data: bytes) -> set[str]:
    return set(openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames)


def check_true_of_the_forms(audit: Path, drafts: list[Parsed]) -> int:
    """Every draft names only sheets its forms have, and asks about involvement only with an audit form;
    returns how many drafts carried views forms only."""
    kind_of = {f["File"]: f["Kind"] for f in table(audit, "Issued forms", "File")}
    views_only = 0
    for d in drafts:
        kinds = {kind_of[name] for name in d.attachments}
        named = set(re.findall(r"'([^']+)' sheet", d.body))
        every = set.intersection(*(sheets_of(data) for data in d.attachments.values()))
        some = set.union(*(sheets_of(data) for data in d.attachments.values()))
        assert named and named <= some, (d.path.name, named, some)
        assert "Start here" in named and "Start here" in every
        assert ("involved in" in d.body) == ("audit" in kinds), d.path.name
        if kinds == {"views"}:
            views_only += 1
            assert "Views" in named and "Audit" not in named and "agency's records" not in d.body
        if kinds == {"audit"}:
            assert "Audit" in named and "Views" not in named
    return views_only


def test_each_issue_email_asks_for_what_its_forms_hold(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    result = draft_mail(audit, "issue", today=clock.today())
    assert result.folder is not None and result.exit_code == 0
    assert check_true_of_the_forms(audit, parse_drafts(result.folder)) == 1  # the participation worker's


def test_a_workbook_holding_the_earlier_default_drafts_todays_wording(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    plan = read_plan(audit)
    old = [m.model_copy(update={"text": OLD_ISSUE_BODY.replace("\n", "\r\n")})
           if (m.message, m.part) == ("Issue", "Body") else m for m in plan.messages]
    write_coordinator(audit, plan.model_copy(update={"messages": old}))
    assert any(m.text.replace("\r\n", "\n") == OLD_ISSUE_BODY for m in read_plan(audit).messages)
    result = draft_mail(audit, "issue", today=clock.today())
    assert result.folder is not None and result.exit_code == 0
    assert check_true_of_the_forms(audit, parse_drafts(result.folder)) == 1
    (body,) = [m["Wording"] for m in table(audit, "Messages", "Message")
               if (m["Message"], m["Part"]) == ("Issue", "Body")]
    assert body.replace("\r\n", "\n") != OLD_ISSUE_BODY and "{filling_in}" in body  # the sheet shows today's too


def test_an_edited_body_is_kept_as_typed(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    plan = read_plan(audit)
    typed = OLD_ISSUE_BODY.replace("Thank you for taking part", "Many thanks for taking part")
    edited = [m.model_copy(update={"text": typed}) if (m.message, m.part) == ("Issue", "Body") else m
              for m in plan.messages]
    write_coordinator(audit, plan.model_copy(update={"messages": edited}))
    result = draft_mail(audit, "issue", today=clock.today())
    assert result.folder is not None
    assert all("Many thanks for taking part" in d.body and "'Audit' sheet" in d.body
               for d in parse_drafts(result.folder))


def test_old_reminder_wording_is_replaced_and_counts_agree(sample_copy: tuple[Path, Path]) -> None:
    """The reminder as first shipped said "form(s)"; a workbook holding it drafts today's, whose count agrees."""
    audit, forms = sample_copy
    plan = read_plan(audit)
    (shipped,) = EARLIER_WORDING["reminder", "Body"]
    assert "I have not yet received the audit form(s) below" in shipped  # as first shipped
    old = [m.model_copy(update={"text": shipped}) if (m.message, m.part) == ("Reminder", "Body") else m
           for m in plan.messages]
    write_coordinator(audit, plan.model_copy(update={"messages": old}))
    assert plan.terms.deadline is not None
    late = plan.terms.deadline + timedelta(days=3)
    back = return_first_audit_form(audit, forms, audit.parent / "back")
    consolidate(audit, [back], today=late)  # one form returned: every other one is overdue
    result = draft_mail(audit, "reminder", today=late)
    assert result.folder is not None and result.exit_code == 0
    drafts = parse_drafts(result.folder)
    assert drafts and {len(d.attachments) for d in drafts} >= {1}
    for d in drafts:
        n = len(d.attachments)
        assert f"I have not yet received {n} form{'s' if n > 1 else ''} from you for {plan.terms.title}:" \
            in d.body, d.body
        assert "(s)" not in d.body
    assert all("(s)" not in text for text in DEFAULTS.values())  # no default of any email says "form(s)"
