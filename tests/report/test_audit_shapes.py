"""What the documents say is true of an audit shaped unlike the demo.

The demo always has five to seven agencies a case, two auditors for some,
a follow-up meeting, views forms and a form not returned. Here the same
invented audit is cut down to one agency a case (one auditor each), every
form back, no meeting recorded and no views forms issued, and graded on the
ILACS wording: the report, the meeting pack, the feedback, the learning
pack and the workbook's sheets must not say what only the demo's shape makes
true ("1 agencies", a follow-up meeting nobody recorded, a table that is not
there, themes that need two agencies, views forms "not returned").
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from tests.report.test_docx import ReadBack, read_back
from tests.report.test_model import fake_audit
from tests.report.test_scale_words import RI, _ilacs
from xlpack.analysis.actions import measure
from xlpack.analysis.pivots import distribution
from xlpack.analysis.recommendations import Recommendation
from xlpack.analysis.verdicts import DEFAULT
from xlpack.feedback.agency import agency_bytes, gather_agencies
from xlpack.feedback.build import gather_feedback
from xlpack.feedback.document import feedback_bytes
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.report.pack import pack_bytes
from xlpack.report.write import build_report
from xlpack.workbook.sheets import agreement as agreement_sheet
from xlpack.workbook.sheets import flags as flags_sheet
from xlpack.workbook.sheets import themes as themes_sheet
from xlpack.workbook.sheets import views as views_sheet

TODAY = date(2026, 11, 27)
CSC = "Children's social care"


def one_agency(audit: ConsolidatedAudit, agency: str = CSC) -> ConsolidatedAudit:
    """The audit as if only ``agency`` had audited each case, one auditor a case, every form back; no meeting on
    the Meetings sheet, no views forms issued, no flags."""
    accepted = {r.form_id for r in audit.returns if r.status == "accepted"}
    kept: dict[str, str] = {}  # case -> the one form kept
    for f in sorted(audit.plan.issued, key=lambda f: (f.case_ref, f.auditor)):
        if f.kind == "audit" and f.agency == agency and f.form_id in accepted:
            kept.setdefault(f.case_ref, f.form_id)
    forms = set(kept.values())
    cases = [c for c in audit.plan.cases if c.case_ref in kept]
    issued = [f for f in audit.plan.issued if f.form_id in forms]
    assignments = [a for a in audit.plan.assignments
                   if any(f.case_ref == a.case_ref and f.auditor == a.auditor for f in issued)]
    terms = audit.plan.terms.model_copy(update={"participation_worker": "", "participation_worker_email": ""})
    plan = audit.plan.model_copy(update={"cases": cases, "issued": issued, "assignments": assignments,
                                         "meetings": [], "terms": terms})
    return audit.model_copy(update={
        "plan": plan, "returns": [r for r in audit.returns if r.form_id in forms],
        "grades": [g for g in audit.grades if g.form_id in forms],
        "summaries": [s for s in audit.summaries if s.form_id in forms], "views": [], "flags": []})


def _audit() -> ConsolidatedAudit:
    audit = _ilacs(one_agency(fake_audit()))
    assert len({g.agency for g in audit.grades}) == 1 and len(audit.plan.cases) >= 3
    assert any(g.final_grade == RI for g in audit.grades) and not audit.plan.meetings
    return audit


def _read(data: bytes, path: Path) -> ReadBack:
    path.write_bytes(data)
    return read_back(path)


def test_the_report_of_a_one_agency_audit_without_meeting_or_views(tmp_path: Path) -> None:
    audit = _audit()
    rb = read_back(build_report(audit, tmp_path / "r.docx", today=TODAY))
    texts = [b.text for b in rb.blocks]
    whole = "\n".join(texts)
    headings = [b.text for b in rb.blocks if b.style.startswith("Heading")]
    n = len(audit.plan.cases)
    assert f"{n} child protection cases audited by 1 agency, looking at case work" in whole
    assert f"1 agency took part, with {n} auditors (people" in whole
    assert "1 agencies" not in whole
    # the method says what happened, not what the demo did
    assert "Each agency's record of a case had one auditor." in whole
    assert "Where possible two auditors" not in whole and "chaired a follow-up meeting" not in whole
    assert "The coordinator then read each audit; where the coordinator recorded a moderated grade" in whole
    assert "side by side to identify" not in whole  # one form a case: nothing beside it
    # nothing to compare between agencies: said once, with no headings over empty parts
    assert "Each case was audited by one agency only" in whole
    assert "Where agencies disagreed" not in headings and "What the meeting resolved" not in headings
    assert "Flags and their resolution" in headings
    assert "Summarise what the follow-up meeting learned" not in whole
    # every form came back: no table of those that did not, so none is named
    assert "not returned or not used" not in whole
    assert f"{n} of {n} audit forms came back and were used: every one issued." in texts
    assert "No child and family views forms were issued for this audit." in texts
    # a theme needs two agencies: said, not hunted for under headings
    assert "The audits that came back are from 1 agency only, and a theme is written by 2 or more agencies" in whole
    assert "Concerns that recur" not in headings
    recs = [t for t in texts if t.startswith("Recommendation ") and "Improve" in t]
    assert recs and all(f"agree with {CSC} what will change" in t for t in recs)
    assert "Adequate" not in whole.replace("adequately", "")


def test_a_follow_up_meeting_recorded_is_still_said(tmp_path: Path) -> None:
    """The demo's shape keeps its words: the meeting chaired, two auditors where possible."""
    rb = read_back(build_report(fake_audit(), tmp_path / "r.docx", today=TODAY))
    whole = "\n".join(b.text for b in rb.blocks)
    assert "Where possible two auditors from one agency audited the same case." in whole
    assert ("chaired a follow-up meeting" in whole) == any(m.kind == "Follow-up" for m in fake_audit().plan.meetings)


def test_the_pack_feedback_and_learning_pack_of_a_one_agency_audit(tmp_path: Path) -> None:
    audit = _audit()
    pack = _read(pack_bytes(audit, today=TODAY), tmp_path / "pack.docx")
    headings = [b.text for b in pack.blocks if b.style.startswith("Heading")]
    said = [b.text for b in pack.blocks]
    assert "Evidence for the divergent sections" not in headings
    assert said.count(f"Only {CSC} audited this case, so no two agencies' grades can diverge.") == \
        len(audit.plan.cases)

    item = gather_feedback(audit)[0]
    feedback = "\n".join(b.text for b in _read(feedback_bytes(item, audit.plan, TODAY), tmp_path / "f.docx").blocks)
    assert "Grades after moderation are those the audit's coordinator recorded." in feedback
    assert "follow-up meeting" not in feedback.split("Grades by section")[0]

    [learning] = gather_agencies(audit)
    pack_text = "\n".join(b.text for b in _read(agency_bytes(learning, audit, TODAY), tmp_path / "l.docx").blocks)
    assert f"{CSC} is the only agency whose audits came back, so the partnership's figures are its own." in pack_text


def test_the_workbook_sheets_of_a_one_agency_audit() -> None:
    audit = _audit()
    themes = themes_sheet.build(audit)
    said = [str(c) for b in themes.blocks for row in b.rows for c in row if c]
    assert said.count("The audits that came back are from 1 agency only, and a theme is written by 2 or more "
                      "agencies, so none can be found.") == 2
    flag = replace(fake_audit().flags[0], case_ref=audit.plan.cases[0].case_ref)
    sheet = flags_sheet.build(audit.model_copy(update={"flags": [flag]}))
    assert sheet.intro[0].startswith("1 flag: ")
    assert agreement_sheet.build(audit).intro[0].startswith("Each case in this audit was graded by one agency only")
    assert views_sheet.build(audit).intro[0] == ("No child and family views forms were issued for this audit, so "
                                                 "this sheet has no rows.")
    # the demo's shape keeps its words
    assert agreement_sheet.build(fake_audit()).intro[0].startswith("For each case and section graded by two or more")
    assert views_sheet.build(fake_audit()).intro[0].startswith("Recorded by the participation worker")


def test_good_practice_in_a_mixed_section_is_not_said_to_be_still_working_well() -> None:
    audit = fake_audit()
    section = audit.plan.tool.sections[0]
    figure = distribution([g for g in audit.grades if g.section_id == section.id], audit.plan.scale, "section")
    rec = Recommendation(kind="good practice", section_id=section.id, section=section.title, verdict="Mixed",
                         figure=figure[section.title], agencies=(CSC,))
    assert measure(rec, DEFAULT).startswith(f"At the re-audit, {section.title} working well: ")
    assert measure(replace(rec, verdict="Working well"), DEFAULT).startswith(
        f"At the re-audit, {section.title} still working well: ")
