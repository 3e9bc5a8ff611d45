"""The Meetings sheet: typed by the coordinator, read back with the plan, kept by every rewrite, refused by cell
when it cannot be read; the Meeting column of Grades and Flags carried over by consolidate; the report's method,
consistency and learning parts written from it, and a Coordinator note where it is empty."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.report.test_model import fake_audit
from tests.support.meeting_audit import FOLLOW_UP, MetAudit
from xlpack.consolidate import consolidate
from xlpack.coordinator.meetings_sheet import MEETINGS, parse_attendees
from xlpack.coordinator.plan_sheets import create_audit, read_plan
from xlpack.errors import PlanError
from xlpack.model.plan import Attendee, Meeting
from xlpack.report.write import report_bytes
from xlpack.workbook.readback import read_consolidated
from xlpack.workbook.write import write_checked

HEADER = 4  # the Meetings table's header row (Excel numbering)


def _type_meetings(path: Path, rows: list[list[object]]) -> None:
    """Type rows into the Meetings table as a person would (a workbook never consolidated: no charts to lose)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[MEETINGS]
    for i, row in enumerate(rows, start=HEADER + 1):
        for c, value in enumerate(row, start=1):
            ws.cell(i, c).value = value
    wb.save(path)


def test_typed_meetings_are_read_and_kept_by_a_rewrite(tmp_path: Path) -> None:
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, "cp", title="Meetings test")
    wb = openpyxl.load_workbook(audit, read_only=True)
    assert MEETINGS in wb.sheetnames  # there from the start, ready to type in
    wb.close()
    _type_meetings(audit, [
        ["Briefing", datetime(2026, 11, 3), "Briefing", "Pat Coordinator, Coordinator\nRobin Sample (Health)",
         "Deadline agreed.", "", ""],
        [None, "04/12/2026", "follow up", "Casey Demo, Police - CAIT\nJo Smith-Jones", "Two grades moderated.",
         "Record strategy discussions.", "More time next audit."]])
    plan = read_plan(audit)
    first, second = plan.meetings
    assert (first.name, first.held, first.kind) == ("Briefing", date(2026, 11, 3), "Briefing")
    assert first.attended == [Attendee(name="Pat Coordinator", agency="Coordinator"),
                              Attendee(name="Robin Sample", agency="Health")]
    assert (second.name, second.held, second.kind) == ("Follow-up meeting 04/12/2026", date(2026, 12, 4), "Follow-up")
    assert second.attended == [Attendee(name="Casey Demo", agency="Police - CAIT"), Attendee(name="Jo Smith-Jones")]
    assert (second.decisions, second.learning, second.feedback) == (
        "Two grades moderated.", "Record strategy discussions.", "More time next audit.")
    write_checked(audit, plan, [])  # as every command rewrites the plan sheets: refusing if a typed cell would change
    assert read_plan(audit).meetings == plan.meetings
    wb = openpyxl.load_workbook(audit, read_only=True)
    assert [c.value for c in next(wb[MEETINGS].iter_rows(min_row=HEADER + 2, max_row=HEADER + 2))][2:4] == [
        "follow up", "Casey Demo, Police - CAIT\nJo Smith-Jones"]  # kept as typed
    wb.close()


@pytest.mark.parametrize("row, message", [
    (["Follow-up", "next Tuesday", "Follow-up", "", "", "", ""],
     "Sheet 'Meetings', cell B5: 'next Tuesday' is not a date"),
    (["Follow-up", datetime(2026, 12, 4), "Moderation", "", "", "", ""],
     "Sheet 'Meetings', cell C5: 'Moderation' is not a kind of meeting. Choose one of: Briefing, Follow-up, Other."),
])
def test_a_meeting_that_cannot_be_read_is_refused_by_its_cell(tmp_path: Path, row: list[object], message: str) -> None:
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, "cp")
    _type_meetings(audit, [row])
    with pytest.raises(PlanError) as err:
        read_plan(audit)
    assert message in str(err.value)


def test_a_meeting_named_twice_is_refused(tmp_path: Path) -> None:
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, "cp")
    _type_meetings(audit, [["Follow-up", datetime(2026, 12, 4), "Follow-up"],
                           ["follow-up ", datetime(2026, 12, 5), "Other"]])
    with pytest.raises(PlanError) as err:
        read_plan(audit)
    assert "Sheet 'Meetings', cell A6: the meeting 'follow-up' is listed twice (first on row 5)" in str(err.value)


def test_attendees_one_a_line() -> None:
    assert parse_attendees("• Ann Lee, Health\r\n\nBo Chan (Police)\nDr Kay") == [
        Attendee(name="Ann Lee", agency="Health"), Attendee(name="Bo Chan", agency="Police"), Attendee(name="Dr Kay")]


@pytest.mark.slow
def test_meeting_columns_and_the_sheet_survive_consolidating_again(met_audit: MetAudit, tmp_path: Path) -> None:
    work = tmp_path / met_audit.audit.name
    shutil.copy2(met_audit.audit, work)
    before = read_consolidated(work)
    consolidate(work, [met_audit.returns], today=date(2026, 12, 9))
    after = read_consolidated(work)
    assert [m.name for m in after.plan.meetings] == [m.name for m in before.plan.meetings] == ["Briefing", FOLLOW_UP]
    grades = {g.row_id: g for g in after.grades}
    assert all(grades[r].moderation_meeting == FOLLOW_UP for r in met_audit.moderated)
    assert sum(bool(g.moderation_meeting) for g in after.grades) == len(met_audit.moderated)
    flags = {f.flag_id: f for f in after.flags}
    assert all(flags[f].resolution_meeting == FOLLOW_UP for f in met_audit.resolved)
    assert not after.orphaned


def _text(data: bytes) -> list[str]:
    d = docx.Document(io.BytesIO(data))
    return [p.text for p in d.paragraphs]


def test_an_empty_meetings_sheet_gives_coordinator_notes_not_sentences() -> None:
    audit = fake_audit()
    lines = _text(report_bytes(audit, today=date(2026, 12, 9)))
    assert any(t.startswith("Coordinator: The Meetings sheet records no meeting.") for t in lines)
    assert any(t.startswith("Coordinator: The Meetings sheet records no decisions") for t in lines)
    assert not any("meeting 'Follow-up" in t for t in lines)


def test_the_report_says_what_the_meetings_recorded() -> None:
    audit = fake_audit()
    people = [Attendee(name="Pat", agency="Coordinator"), Attendee(name="Ann", agency="Health"),
              Attendee(name="Bo", agency="Police"), Attendee(name="Cy", agency="Health")]
    audit.plan = audit.plan.model_copy(update={"meetings": [
        Meeting(name="Follow-up", held=date(2026, 12, 4), kind="Follow-up", attended=people,
                decisions="Grade for planning moderated.\nThe urgent flag closed.",
                learning="- Share minutes of strategy discussions.", feedback="")]})
    moderated = [g for g in audit.grades if g.moderated_grade]
    audit.grades = [replace(g, moderation_meeting="follow-up") if g.moderated_grade else g  # any case and spacing
                    for g in audit.grades]  # names the same meeting
    audit.flags[0] = replace(audit.flags[0], resolution="Closed.", resolution_meeting="Follow-up")
    audit.flags[1] = replace(audit.flags[1], resolution="Closed.", resolution_meeting="Planning day")
    lines = _text(report_bytes(audit, today=date(2026, 12, 9)))
    who = "4 people from 3 agencies (Coordinator, Health, Police)"
    assert f"The follow-up meeting 'Follow-up' on 4 December 2026: {who}." in lines
    assert any(t.startswith("Coordinator: No briefing of the auditors is recorded") for t in lines)
    assert (f"At the follow-up meeting 'Follow-up' on 4 December 2026, attended by {who}, {len(moderated)} grades "
            "were moderated and 1 flag resolved, as recorded in the Meeting column of the Grades and Flags sheets."
            ) in lines
    assert any("names Planning day, not on the Meetings sheet" in t for t in lines)
    points = ["Grade for planning moderated.", "The urgent flag closed.", "Share minutes of strategy discussions."]
    assert [t for t in lines if t in points] == points  # one bullet a line, list marks taken off
    assert any(t.startswith("Coordinator: No feedback on how the audit went is recorded") for t in lines)
