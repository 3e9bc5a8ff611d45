"""Each consistency flag rule on small, hand-made returns."""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from types import ModuleType

import pytest

from xlpack.analysis.flags import (
    RULES,
    FlagContext,
    all_no_evidence,
    auditor_pair,
    divergence,
    duplicates,
    find_flags,
    flag_id,
    information_sharing,
    involvement,
    no_evidence,
    no_grade,
    overall,
    returns,
    safeguarded,
)
from xlpack.demo.sample import sample_plan
from xlpack.model.plan import AuditPlan, IssuedForm
from xlpack.model.records import FlagRow, FormReturn, ReturnRow, ReturnStatus, SectionAnswer

CASE = "CP-2026-001"
TODAY = date(2026, 12, 10)


@pytest.fixture(scope="module")
def plan() -> AuditPlan:
    return sample_plan(cases=2)


def answer(plan: AuditPlan, section_id: str, grade: str | None, evidence: str = "Seen on file.",
           development: str = "") -> SectionAnswer:
    g = plan.scale.normalise(grade) if grade else None
    n = [s.id for s in plan.tool.sections].index(section_id)
    return SectionAnswer(section_id=section_id, grade=g.label if g else None, grade_code=g.code if g else None,
                         grade_rank=g.rank if g else None, evidence=evidence, development=development,
                         cells={"grade": f"B{20 + 7 * n}", "evidence": f"B{21 + 7 * n}"})


def form(plan: AuditPlan, agency: str, grades: Mapping[str, str | None] | None = None, *,
         auditor: str = "Ann Example",
         case: str = CASE, default: str | None = "Good", closing: dict[str, str] | None = None,
         evidence: dict[str, str] | None = None, development: dict[str, str] | None = None) -> FormReturn:
    grades = grades or {}
    evidence = evidence or {}
    development = development or {}
    sections = {s.id: answer(plan, s.id, grades.get(s.id, default), evidence.get(s.id, "Seen on file."),
                             development.get(s.id, ""))
                for s in plan.tool.sections}
    close: dict[str, str | date | int | None] = {"overall_grade": "Good", "safeguarded_now": "Yes",
                                                  "no_involvement": "Yes, I confirm", **(closing or {})}
    fid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{case}/{agency}/{auditor}"))
    return FormReturn(form_id=fid, audit_id=plan.audit_id, case_ref=case, agency=agency, auditor=auditor,
                      tool_id="cp", tool_version="1.0", source=f"returns/{agency}.xlsx", sections=sections,
                      closing=close, cells={"closing.overall_grade": "B120", "closing.safeguarded_now": "B121",
                                            "closing.no_involvement": "B123"})


def run(plan: AuditPlan, rule_module: ModuleType, forms: list[FormReturn], returns: list[ReturnRow] | None = None,
        today: date = TODAY) -> list[FlagRow]:
    ctx = FlagContext(plan, forms, returns or [], today)
    return list(rule_module.RULE.check(ctx))


def test_every_rule_module_is_registered_once_with_its_own_code() -> None:
    package = importlib.import_module("xlpack.analysis.flags")
    names = [m.name for m in pkgutil.iter_modules(package.__path__)]
    modules = [importlib.import_module(f"xlpack.analysis.flags.{name}") for name in names]
    assert {m.RULE for m in modules if hasattr(m, "RULE")} == set(RULES)
    assert len({r.code for r in RULES}) == len(RULES) == len({r.name for r in RULES})


def test_flag_id_is_stable_and_about_the_subject_only() -> None:
    assert flag_id("DIV", "CP-1", "assessment") == flag_id("DIV", "cp-1", " assessment ")
    assert flag_id("DIV", "CP-1", "assessment") != flag_id("DIV", "CP-1", "planning")
    assert flag_id("DIV", "CP-1", "assessment").startswith("DIV-") and len(flag_id("X", "a")) == 10


def test_safeguarded_no_and_unsure_are_urgent_blank_is_high(plan: AuditPlan) -> None:
    forms = [form(plan, "Police", closing={"safeguarded_now": "No", "safeguarding_action": "Rang the manager 3/12"}),
             form(plan, "Health", closing={"safeguarded_now": "Unsure"}),
             form(plan, "CAMHS", closing={"safeguarded_now": ""}),
             form(plan, "School or education")]
    flags = {f.agencies[0]: f for f in run(plan, safeguarded, forms)}
    assert set(flags) == {"Police", "Health", "CAMHS"}
    assert flags["Police"].severity == flags["Health"].severity == "urgent"
    assert flags["CAMHS"].severity == "high"
    assert "Rang the manager 3/12" in flags["Police"].message
    assert "No action is recorded" in flags["Health"].message
    assert flags["Police"].cells == "Police.xlsx: Audit!B121"
    assert flags["Police"].flag_id == flag_id("SAFE", forms[0].form_id)


def test_urgent_flags_come_first_whatever_the_case(plan: AuditPlan) -> None:
    forms = [form(plan, "Police", {"assessment": "Outstanding"}, case="CP-2026-001"),
             form(plan, "Health", {"assessment": "Inadequate"}, case="CP-2026-001"),
             form(plan, "CAMHS", case="CP-2026-002", closing={"safeguarded_now": "No"})]
    flags = find_flags(FlagContext(plan, forms, [], TODAY))
    assert flags[0].severity == "urgent" and flags[0].case_ref == "CP-2026-002"
    order = ["urgent", "high", "medium", "low"]
    assert [order.index(f.severity) for f in flags] == sorted(order.index(f.severity) for f in flags)


def test_divergence_two_points_between_agencies(plan: AuditPlan) -> None:
    forms = [form(plan, "Police", {"assessment": "Outstanding", "planning": "Good"}),
             form(plan, "Health", {"assessment": "Adequate", "planning": "Adequate"}),
             form(plan, "CAMHS", {"assessment": "Good", "planning": "Not applicable"})]
    flags = run(plan, divergence, forms)
    assert [(f.section_id, f.agencies) for f in flags] == [("assessment", ["Health", "Police"])]
    f = flags[0]
    assert f.severity == "high" and "2 points apart" in f.message and "Outstanding to Adequate" in f.message
    assert f.flag_id == flag_id("DIV", CASE, "assessment")
    cell = answer(plan, "assessment", "Good").cells["grade"]  # where the form puts the section's grade
    assert f.cells == f"Health.xlsx: Audit!{cell}; Police.xlsx: Audit!{cell}"  # by agency


def test_divergence_ignores_na_no_evidence_and_one_agencys_own_pair(plan: AuditPlan) -> None:
    forms = [form(plan, "Police", {"assessment": "Outstanding"}, auditor="A One"),
             form(plan, "Police", {"assessment": "Inadequate"}, auditor="B Two"),
             form(plan, "Health", {"assessment": "No evidence"})]
    assert run(plan, divergence, forms) == []
    # a third agency's grade joins the spread: now agencies differ
    forms.append(form(plan, "CAMHS", {"assessment": "Adequate"}))
    flags = run(plan, divergence, forms)
    assert len(flags) == 1 and flags[0].agencies == ["CAMHS", "Police"]


def test_auditor_pair_disagreement(plan: AuditPlan) -> None:
    forms = [form(plan, "Health", {"assessment": "Good", "planning": "Outstanding", "voice": "Good"}, auditor="A"),
             form(plan, "Health", {"assessment": "Adequate", "planning": "Inadequate", "voice": None}, auditor="B"),
             form(plan, "Police", {"assessment": "Inadequate"})]
    flags = {f.section_id: f for f in run(plan, auditor_pair, forms)}
    assert set(flags) == {"assessment", "planning"}  # a blank is a gap, not a disagreement
    assert flags["assessment"].severity == "medium" and flags["planning"].severity == "high"
    assert flags["assessment"].agencies == ["Health"]
    assert "A: Good; B: Adequate" in flags["assessment"].message


def test_overall_better_than_most_or_worse_than_all(plan: AuditPlan) -> None:
    ids = [s.id for s in plan.tool.sections]
    n = len(ids)
    mostly_adequate = {sid: "Adequate" for sid in ids[:n // 2 + 1]}
    better = form(plan, "Police", mostly_adequate, closing={"overall_grade": "Good"})
    worse = form(plan, "Health", {}, default="Good", closing={"overall_grade": "Adequate"})
    fine = form(plan, "CAMHS", {}, default="Good", closing={"overall_grade": "Good"})
    half = form(plan, "Early years", {sid: "Adequate" for sid in ids[:n // 2]}, closing={"overall_grade": "Good"})
    flags = {f.agencies[0]: f for f in run(plan, overall, [better, worse, fine, half])}
    assert set(flags) == {"Police", "Health"}  # half of the sections worse is not "most"
    assert f"better than {n // 2 + 1} of its {n}" in flags["Police"].message
    assert f"worse than all {n}" in flags["Health"].message


def test_grade_without_evidence_and_evidence_without_grade(plan: AuditPlan) -> None:
    f = form(plan, "Police", {"assessment": "Good", "planning": None, "voice": "Not applicable",
                              "recording": "No evidence"},
             evidence={"assessment": "  ", "planning": "Plan seen, dated 4 May.", "voice": "", "recording": ""})
    no_ev = run(plan, no_evidence, [f])
    assert len(no_ev) == 1 and no_ev[0].section_id == "assessment" and "Assessment (Good)" in no_ev[0].message
    assert no_ev[0].cells == f"Police.xlsx: Audit!{answer(plan, 'assessment', 'Good').cells['evidence']}"
    no_gr = run(plan, no_grade, [f])
    assert len(no_gr) == 1 and no_gr[0].section_id == "planning"
    assert no_gr[0].cells == f"Police.xlsx: Audit!{answer(plan, 'planning', None).cells['grade']}"


def test_no_evidence_for_the_whole_form(plan: AuditPlan) -> None:
    ids = [s.id for s in plan.tool.sections]
    all_ne = form(plan, "Police", {sid: "Not applicable" for sid in ids[:3]}, default="No evidence")
    one_graded = form(plan, "Health", {ids[0]: "Good"}, default="No evidence")
    flags = run(plan, all_no_evidence, [all_ne, one_graded])
    assert [f.agencies for f in flags] == [["Police"]]
    assert f"'No evidence' in {len(ids) - 3} of {len(ids)} sections" in flags[0].message


def test_declared_involvement(plan: AuditPlan) -> None:
    forms = [form(plan, "Police", closing={"no_involvement": "No, I have been involved"}),
             form(plan, "Health", closing={"no_involvement": ""}), form(plan, "CAMHS")]
    flags = {f.agencies[0]: f.severity for f in run(plan, involvement, forms)}
    assert flags == {"Police": "high", "Health": "low"}


def test_information_sharing_good_while_another_received_nothing(plan: AuditPlan) -> None:
    sid = "information_sharing"
    good = form(plan, "Children's social care", {sid: "Good"})
    said_nothing = form(plan, "School or education", {sid: "Adequate"},
                        evidence={sid: "School was not invited to the strategy meeting and never received minutes."})
    content = form(plan, "Health", {sid: "Good"}, evidence={sid: "Reports were shared in time."})
    flags = run(plan, information_sharing, [good, said_nothing, content])
    assert len(flags) == 1
    f = flags[0]
    assert f.section_id == sid and f.agencies == ["Children's social care", "Health", "School or education"]
    assert "never received minutes" in f.message
    # issue 18, item 24: the row says which words were read as "received nothing"
    assert f.message.endswith("[read as receiving nothing from the words 'not invited']")
    school = form(plan, "School or education", {sid: "Adequate"},
                  evidence={sid: "No record of the school being\ninvited; the plan was shared late. " + "x" * 200})
    words = run(plan, information_sharing, [good, school])[0].message
    assert "[read as receiving nothing from the words 'No record of the school being invited']" in words
    graded = run(plan, information_sharing, [good, form(plan, "Police", {sid: "Inadequate"})])[0].message
    assert graded.endswith("[read as receiving nothing from graded Inadequate]")
    # graded Inadequate counts as "received nothing" too; nobody Good: no flag
    assert len(run(plan, information_sharing, [good, form(plan, "Police", {sid: "Inadequate"})])) == 1
    assert run(plan, information_sharing, [content, form(plan, "Police", {sid: "Adequate"})]) == []


def _issued(plan: AuditPlan, n: int) -> list[IssuedForm]:
    return [IssuedForm(form_id=f"id-{i}", file=f"f{i}.xlsx", case_ref=CASE, agency=f"Agency {i}", auditor=f"A{i}",
                       tool_id="cp", tool_version="1.0", issued=date(2026, 11, 2), fingerprint="x")
            for i in range(n)]


def _ret(i: int, status: ReturnStatus, source: str = "", detail: str = "") -> ReturnRow:
    return ReturnRow(form_id=f"id-{i}", file=f"f{i}.xlsx", case_ref=CASE, agency=f"Agency {i}", auditor=f"A{i}",
                     status=status, source=source, detail=detail)


def test_returns_overdue_rejected_and_missing(plan: AuditPlan) -> None:
    p = plan.model_copy(update={"issued": _issued(plan, 5)})
    rows = [_ret(0, "accepted", "a.xlsx"), _ret(1, "overdue"), _ret(2, "rejected", "c.xlsx", "Grade invalid"),
            _ret(3, "accepted", "d2.xlsx"), _ret(3, "rejected", "d1.xlsx", "Damaged"), _ret(4, "missing")]
    flags = {f.agencies[0]: f for f in run(plan=p, rule_module=returns, forms=[], returns=rows)}
    assert set(flags) == {"Agency 1", "Agency 2"}  # missing before a deadline is not a flag; 3 has a good copy
    assert flags["Agency 1"].severity == "medium" and "overdue" in flags["Agency 1"].message
    assert "Grade invalid" in flags["Agency 2"].message
    no_deadline = p.model_copy(update={"terms": p.terms.model_copy(update={"deadline": None})})
    flags = {f.agencies[0]: f for f in run(plan=no_deadline, rule_module=returns, forms=[], returns=rows)}
    assert flags["Agency 4"].severity == "low"


def test_returned_more_than_once(plan: AuditPlan) -> None:
    rows = [_ret(0, "accepted", "new.xlsx"), _ret(0, "superseded", "old.xlsx"), _ret(1, "accepted", "b.xlsx"),
            _ret(2, "accepted", "c.xlsx"), _ret(2, "rejected", "c-broken.xlsx")]
    flags = run(plan, duplicates, [], rows)
    assert sorted(f.agencies[0] for f in flags) == ["Agency 0", "Agency 2"]
    f0 = next(f for f in flags if f.agencies == ["Agency 0"])
    assert "2 times" in f0.message and "new.xlsx" in f0.message and f0.cells == "new.xlsx, old.xlsx"


def test_views_forms_take_no_part_in_audit_rules(plan: AuditPlan) -> None:
    views = FormReturn(form_id="v", audit_id=plan.audit_id, kind="views", case_ref=CASE, agency="Child and family",
                       auditor="Lee", tool_id="views", tool_version="1.0", source="v.xlsx",
                       closing={"safeguarded_now": "No"}, saved_at=datetime(2026, 11, 3))
    assert find_flags(FlagContext(plan, [views], [], TODAY)) == []
