"""Safeguarding alerts: drafted at once when intake or consolidate accepts a form saying the child may not be safe."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from tests.support.cli import run_cli
from tests.support.filling import fill_form
from tests.support.mail_reading import table
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.intake import intake
from xlpack.mail.alerts import alerts_after_intake
from xlpack.model.plan import IssuedForm

TODAY_ACTION = "Told the team manager (Sarah Jones) on 14/11; a strategy discussion is booked."


def _parse(path: Path) -> EmailMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _form(audit: Path, agency: str) -> IssuedForm:
    return next(f for f in read_plan(audit).issued if f.kind == "audit" and f.agency == agency)


def _returns(audit: Path, forms: Path, unsafe: dict[str, str]) -> Path:
    """Every audit form of two cases returned; the forms of ``unsafe`` (agency -> answer) say the child is not safe."""
    plan = read_plan(audit)
    first = sorted({f.case_ref for f in plan.issued})[0]
    picked = {_form(audit, agency).form_id: answer for agency, answer in unsafe.items()}
    out = audit.parent / "returns"
    out.mkdir()
    for f in plan.issued:
        if f.kind == "audit" and (f.case_ref == first or f.form_id in picked):
            answer = picked.get(f.form_id)
            closing = {"safeguarded_now": answer, "safeguarding_action": TODAY_ACTION} if answer else {}
            fill_form(forms / f.file, out / f.file, closing=closing)
    return out


@pytest.fixture
def unsafe(sample_copy: tuple[Path, Path]) -> tuple[Path, Path]:
    """Police (a safeguarding lead on the Agencies sheet) answers No; Adult mental health (none) answers Unsure."""
    audit, forms = sample_copy
    return audit, _returns(audit, forms, {"Police": "No", "Adult mental health": "Unsure"})


def test_consolidate_drafts_one_alert_per_form_to_the_coordinator_and_the_lead(unsafe: tuple[Path, Path]) -> None:
    audit, returns = unsafe
    plan = read_plan(audit)
    police, adult = _form(audit, "Police"), _form(audit, "Adult mental health")
    done = consolidate(audit, [returns])
    drafts = sorted((audit.parent / "drafts").glob("* alert/*.eml"))
    assert sorted(a.form_id for a in done.alerts.alerts) == sorted([police.form_id, adult.form_id])
    assert len(drafts) == 2
    by_agency = {_parse(p)["Subject"].split("(")[1].split(")")[0]: _parse(p) for p in drafts}
    sheet = {r["Agency"]: r for r in table(audit, "Agencies", "Agency")}
    lead = sheet["Police"]["Safeguarding lead email"]
    msg = by_agency["Police"]
    assert msg["X-Unsent"] == "1" and msg["Subject"].startswith("OFFICIAL-SENSITIVE: Safeguarding alert: case ")
    assert {a.addr_spec for a in msg["To"].addresses} == {plan.terms.coordinator_email, lead}
    body = msg.get_content()
    assert body.startswith("OFFICIAL-SENSITIVE")
    for said in (police.case_ref, "Agency: Police", f"Auditor: {police.auditor}", "answered 'No'"):
        assert said in body
    assert "Told the team manager ([name]) on 14/11" in body and "Sarah" not in body and "Jones" not in body
    adult_msg = by_agency["Adult mental health"]
    assert not sheet["Adult mental health"]["Safeguarding lead email"]
    assert [a.addr_spec for a in adult_msg["To"].addresses] == [plan.terms.coordinator_email]
    assert "no safeguarding lead for Adult mental health" in adult_msg.get_content()
    assert any("No safeguarding lead for Adult mental health" in n for a in done.alerts.alerts for n in a.notes)
    lines = done.alerts.console_lines()
    assert lines[0].startswith("SAFEGUARDING ALERT: case ")
    back = read_consolidated(audit)
    assert sorted(r.form_id for r in back.plan.mail_log if r.kind == "alert") == sorted([police.form_id,
                                                                                        adult.form_id])
    day = f"{back.plan.mail_log[0].drafted:%d/%m/%Y}"
    safe = [f for f in back.flags if f.rule == "not_safeguarded" and f.severity == "urgent"]
    assert len(safe) == 2 and all(f"Alert drafted on {day}. Check today" in f.message for f in safe)
    log = table(audit, "Mail log", "Drafted")
    assert [r["Message"] for r in log].count("Safeguarding alert") == 2
    # again: nothing new, unless asked
    second = consolidate(audit, [returns])
    assert second.alerts.alerts == [] and sorted(second.alerts.already) == sorted([police.form_id, adult.form_id])
    assert len(list((audit.parent / "drafts").glob("* alert*/*.eml"))) == 2
    third = consolidate(audit, [returns], again=True)
    assert len(third.alerts.alerts) == 2 and len(list((audit.parent / "drafts").glob("* alert*/*.eml"))) == 4
    assert [r.kind for r in read_plan(audit).mail_log].count("alert") == 4


def test_intake_drafts_the_alert_and_consolidate_does_not_again(unsafe: tuple[Path, Path]) -> None:
    audit, returns = unsafe
    plan = read_plan(audit, strict=False)
    result = intake([returns], plan)
    batch, not_drafted = alerts_after_intake(audit, plan, result.accepted)
    assert not_drafted == "" and len(batch.alerts) == 2 and all(a.path and a.path.is_file() for a in batch.alerts)
    assert [r.kind for r in read_plan(audit).mail_log].count("alert") == 2
    done = consolidate(audit, [returns])
    assert done.alerts.alerts == [] and len(done.alerts.already) == 2
    assert all("Alert drafted on" in f.message for f in done.data.flags if f.rule == "not_safeguarded")


def test_intake_with_the_workbook_open_still_shows_the_alert_and_says_why_not_drafted(
        unsafe: tuple[Path, Path]) -> None:
    audit, returns = unsafe
    (audit.parent / f"~${audit.name}").write_bytes(b"\x00" * 162)  # open in Excel
    before = audit.read_bytes()
    plan = read_plan(audit, strict=False)
    batch, not_drafted = alerts_after_intake(audit, plan, intake([returns], plan).accepted)
    assert len(batch.alerts) == 2 and all(a.path is None for a in batch.alerts)
    assert batch.console_lines()[0].startswith("SAFEGUARDING ALERT: case ")
    assert "were not drafted" in not_drafted and "consolidate" in not_drafted
    assert audit.read_bytes() == before and not (audit.parent / "drafts").exists()


def test_agencies_sheet_keeps_its_leads_and_an_older_workbook_without_them_reads(
        sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    plan = read_plan(audit)
    assert plan.lead("police") is not None and plan.lead("Adult mental health") is None
    wb = openpyxl.load_workbook(audit)
    ws = wb["Agencies"]
    ws.delete_cols(2, 2)  # a workbook from before the lead columns
    wb.save(audit)
    older = read_plan(audit)
    assert older.agencies == plan.agencies and older.safeguarding_leads == {}


def test_the_commands_print_the_alert_first(unsafe: tuple[Path, Path]) -> None:
    audit, returns = unsafe
    run = run_cli("intake", returns, "--audit", audit)
    assert run.exit_code == 0, run.output
    assert run.stderr.lstrip().startswith("SAFEGUARDING ALERT: case ") and run.stderr.count("SAFEGUARDING ALERT") == 2
    assert "No safeguarding lead for Adult mental health" in run.stderr
    again = run_cli("consolidate", audit, returns)  # alerted by intake: not again
    assert again.exit_code == 0 and "SAFEGUARDING ALERT" not in again.stdout
    forced = run_cli("consolidate", audit, returns, "--again")
    assert forced.exit_code == 0 and forced.stdout.lstrip().startswith("SAFEGUARDING ALERT: case ")
    assert "2 safeguarding alerts drafted in " in forced.stdout


def _alert_drafts(audit: Path) -> list[Path]:
    return sorted((audit.parent / "drafts").glob("*/*.eml"))


def test_an_alert_interrupted_before_the_workbook_records_it_is_neither_listed_nor_left_and_comes_next_time(
        unsafe: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C (or SIGTERM, which xlpack turns into the same) after the drafts are in place, before the workbook
    says "Alert drafted": the drafts go again, the Mail log is unchanged, and the next consolidate drafts them."""
    import xlpack.consolidate as module

    audit, returns = unsafe

    def stopped(*args: object, **kwargs: object) -> None:
        assert len(_alert_drafts(audit)) == 2  # the drafts are in place before the workbook is written
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(module, "write_checked", stopped)
        with pytest.raises(KeyboardInterrupt):
            consolidate(audit, [returns])
    assert _alert_drafts(audit) == [] and list((audit.parent / "drafts").iterdir()) == []
    assert [r.kind for r in read_plan(audit).mail_log].count("alert") == 0
    done = consolidate(audit, [returns])
    assert len(done.alerts.alerts) == 2 and len(_alert_drafts(audit)) == 2
    assert all(a.path is not None and a.path.exists() for a in done.alerts.alerts)


def test_alert_drafts_a_killed_run_left_unrecorded_are_settled_by_the_next_run(unsafe: tuple[Path, Path]) -> None:
    """SIGKILL between putting the drafts in place and recording them leaves a marked folder: the next consolidate
    removes it (the Mail log does not list it) and drafts the alerts again, so an alert is never recorded without
    its draft nor lost."""
    from xlpack.mail.staging import MARKER, stage

    audit, returns = unsafe
    left = audit.parent / "drafts" / "2026-11-16 alert"
    tmp = stage(audit, left, "alert", datetime(2026, 11, 16, 9, 0))
    (tmp / "Safeguarding alert - stale.eml").write_bytes(b"X-Unsent: 1\n\nstale")
    tmp.rename(left)
    stranded = audit.parent / "drafts" / f".xlpack-drafts-{audit.name}-killed"
    stranded.mkdir()
    assert (left / MARKER).exists()
    done = consolidate(audit, [returns])
    assert not (left / "Safeguarding alert - stale.eml").exists() and not stranded.exists()
    assert len(done.alerts.alerts) == 2
    drafts = _alert_drafts(audit)
    assert len(drafts) == 2 and not any(p.name.endswith("stale.eml") for p in drafts)
    assert not any((p.parent / MARKER).exists() for p in drafts)


def _typed(audit: Path, sheet: str, key: str, column: str, text: str) -> None:
    """Type ``text`` in ``column`` of the row of ``sheet`` whose first cell is ``key`` (as the coordinator would)."""
    wb = openpyxl.load_workbook(audit)
    ws = wb[sheet]
    header = next(r for r in ws.iter_rows(min_row=1, max_row=10) if r[0].value in ("Agency", "Field"))
    col = next(c.column for c in header if c.value == column)
    row = next(r[0].row for r in ws.iter_rows(min_row=header[0].row + 1) if r[0].value == key)
    ws.cell(row, col, text)
    wb.save(audit)


def test_a_line_break_in_the_leads_or_the_coordinators_name_does_not_stop_the_alert(
        unsafe: tuple[Path, Path]) -> None:
    """Alt+Enter in a name typed on the Agencies sheet or the Terms of reference: the alert is drafted all the
    same (a child may not be safe), to both addresses, the name on one line; before, drafting it failed with
    "address parts cannot contain CR or LF" and no alert was drafted."""
    audit, returns = unsafe
    _typed(audit, "Agencies", "Police", "Safeguarding lead", "Jo\nSmith,\tPolice lead")
    _typed(audit, "Terms of reference", "Coordinator", "Value", "Pat\r\nCoordinator")
    done = consolidate(audit, [returns])
    police = next(a for a in done.alerts.alerts if a.agency == "Police")
    assert police.path is not None and police.path.is_file()
    msg = _parse(police.path)
    assert [a.display_name for a in msg["To"].addresses] == ["Pat Coordinator", "Jo Smith, Police lead"]
    assert msg["From"].addresses[0].display_name == "Pat Coordinator"
    assert [r.kind for r in read_plan(audit, strict=False).mail_log].count("alert") == 2


def test_consolidate_failing_after_the_alerts_were_due_still_shows_them_first(
        unsafe: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbook cannot be written (a full disk here): the message says so, and the alerts due are shown first
    on the terminal, saying they were not drafted, as intake shows them; before, nothing said a child may not be
    safe until the coordinator ran consolidate again."""
    import xlpack.consolidate as module
    from xlpack.errors import XlpackError

    audit, returns = unsafe

    def full(*args: object, **kwargs: object) -> None:
        raise XlpackError("The disk holding the workbook is full.")

    monkeypatch.setattr(module, "write_checked", full)
    run = run_cli("consolidate", audit, returns)
    assert run.exit_code == 1, run.output
    said = run.stderr.lstrip()
    assert said.startswith("SAFEGUARDING ALERT: case ") and said.count("SAFEGUARDING ALERT") == 2
    assert "were not drafted" in said and said.index("were not drafted") < said.index("Error: The disk holding")
    assert _alert_drafts(audit) == [] and [r.kind for r in read_plan(audit).mail_log].count("alert") == 0
