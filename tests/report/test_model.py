"""A realistic consolidated audit built in memory, for the report tests, and tests of the findings.

``fake_audit()`` takes the bundled sample plan (10 child protection cases,
five to seven agencies each), issues its forms, and invents what came back:
grades with a different quality per section and per agency, Not applicable
and No evidence answers, auditors' text, a few moderated grades, flags with
resolutions, missing and rejected returns, and views forms. Seeded, so every
run builds the same audit.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import date

import pytest

from xlpack.analysis.verdicts import verdict
from xlpack.demo.sample import sample_plan
from xlpack.intake.problems import problem
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import GradeScale
from xlpack.model.plan import AuditPlan, IssuedForm
from xlpack.model.records import FlagRow, FormSummary, GradeRow, ReturnRow, ReturnStatus, ViewsRow
from xlpack.report.findings import (
    PLAIN_REASONS,
    FormStatus,
    analyse,
    examples,
    plain_reason,
    problem_codes,
    returns_of,
    sample_spread,
    shorten,
    unquote,
    views_summary,
)

#: Mean rank (1 best .. 4 worst) of each section in the fake audit: some good, some poor.
SECTION_QUALITY = {
    "identification": 1.7, "assessment": 2.1, "planning": 2.9, "voice": 2.6, "information_sharing": 3.0,
    "recording": 2.3, "management": 3.1, "equality": 2.4, "outcomes": 2.2, "strategy_s47": 1.6,
    "initial_conference": 1.7, "review_conferences": 2.0, "core_group": 2.4, "risk_management": 2.5,
}
#: What the Returns sheet says of the rejected form: intake's own message, as consolidate writes it.
REJECTED_DETAIL = problem("fingerprint-mismatch", sheet="xlpack_form", meta="xlpack_form").message
AGENCY_SHIFT = {"Police": -0.3, "Health": 0.2, "School or education": 0.3}
STRENGTHS = ["The worker visited the child at home and saw them alone on every visit.",
             "Clear, prompt referral with the reasons set out and the parents' consent recorded.",
             "Strong joint working: the health visitor and social worker shared information weekly.",
             "The child's own words are recorded and the plan changed in response."]
DEVELOPMENT = ["The plan has no timescales and does not say who does what, so progress cannot be measured.",
               "No record of the child being seen alone; the child's wishes are not recorded.",
               "Information from the school was not shared before the conference; decisions were made without it.",
               "Supervision notes are brief and do not challenge the drift in the case since March."]
EVIDENCE = ["Case notes from the period show visits every ten working days.",
            "The chronology is out of date and does not separate fact from opinion.",
            "Minutes of the core group meetings are on file for each month.",
            "The assessment uses history from other agencies and analyses risk. It is timely."]


def _issue(plan: AuditPlan) -> list[IssuedForm]:
    rng = random.Random(7)
    forms = []
    for a in plan.assignments:
        forms.append(IssuedForm(form_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), file=f"{a.case_ref} "
                                f"{a.agency} {a.auditor}.xlsx", kind="audit", case_ref=a.case_ref, agency=a.agency,
                                auditor=a.auditor, email=a.email, role=a.role, tool_id=plan.tool.id,
                                tool_version=plan.tool.version, issued=date(2026, 10, 5), fingerprint="f"))
    for c in plan.cases:
        forms.append(IssuedForm(form_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                file=f"{c.case_ref} views.xlsx", kind="views", case_ref=c.case_ref,
                                agency="Participation", auditor="Lee Participation", tool_id="views",
                                tool_version="1.0", issued=date(2026, 10, 5), fingerprint="f"))
    return forms


def fake_audit(seed: int = 11, *, moderate: bool = True) -> ConsolidatedAudit:
    rng = random.Random(seed)
    plan = sample_plan()
    plan = plan.model_copy(update={"issued": _issue(plan)})
    scale = plan.scale
    ranked = [g.label for g in scale.ranked]
    audit_forms = [f for f in plan.issued if f.kind == "audit"]
    not_back: dict[str, ReturnStatus] = {audit_forms[3].form_id: "missing", audit_forms[17].form_id: "overdue",
                audit_forms[30].form_id: "rejected"}
    returns: list[ReturnRow] = []
    grades: list[GradeRow] = []
    summaries: list[FormSummary] = []
    for f in audit_forms:
        status = not_back.get(f.form_id, "accepted")
        returns.append(ReturnRow(form_id=f.form_id, file=f.file, case_ref=f.case_ref, agency=f.agency,
                                 auditor=f.auditor, status=status,
                                 detail=REJECTED_DETAIL if status == "rejected" else ""))
        if status != "accepted":
            continue
        ranks = []
        for order, s in enumerate(plan.tool.sections, start=1):
            roll = rng.random()
            if roll < 0.06:
                grade = "Not applicable"
            elif roll < 0.10:
                grade = "No evidence"
            else:
                mean = SECTION_QUALITY[s.id] + AGENCY_SHIFT.get(f.agency, 0.0)
                rank = min(4, max(1, round(rng.gauss(mean, 0.5))))
                grade = ranked[rank - 1]
                ranks.append(rank)
            good = grade in ranked[:2]
            grades.append(GradeRow(
                row_id=f"{f.form_id}:{s.id}", form_id=f.form_id, case_ref=f.case_ref, agency=f.agency,
                auditor=f.auditor, tool_id=plan.tool.id, section_id=s.id, section_title=s.title,
                section_order=order, grade=grade,
                evidence=rng.choice(EVIDENCE) if grade in ranked else "",
                strengths=rng.choice(STRENGTHS) if good else "",
                development=rng.choice(DEVELOPMENT) if grade in ranked[2:] else "",
                action="Review at the next supervision." if grade in ranked[2:] else "", source=f.file))
        overall = ranked[min(3, max(0, round(sum(ranks) / len(ranks)) - 1))] if ranks else None
        summaries.append(FormSummary(form_id=f.form_id, case_ref=f.case_ref, agency=f.agency, auditor=f.auditor,
                                     overall_grade=overall,
                                     safeguarded_now=rng.choices(["Yes", "No", "Unsure"], [0.9, 0.04, 0.06])[0],
                                     no_involvement="Yes"))
    if moderate:
        graded = [g for g in grades if g.grade in ranked[2:]]
        picked: dict[str, GradeRow] = {}  # six grades of six different sections
        for g in rng.sample(graded, len(graded)):
            if len(picked) < 6:
                picked.setdefault(g.section_id, g)
        note = "The meeting heard the agency's fuller record; the plan was reviewed in time."
        moderated = {id(g): replace(g, moderated_grade=ranked[ranked.index(g.grade or "") - 1], moderation_note=note)
                     for g in picked.values()}
        confirmed = next(g for g in grades if g.grade in ranked[:1])
        moderated[id(confirmed)] = replace(confirmed, moderated_grade=confirmed.grade)
        grades = [moderated.get(id(g), g) for g in grades]
    flags = _flags(grades, scale)
    views: list[ViewsRow] = []
    for f in (f for f in plan.issued if f.kind == "views"):
        back = rng.random() < 0.75
        returns.append(ReturnRow(form_id=f.form_id, file=f.file, kind="views", case_ref=f.case_ref, agency=f.agency,
                                 auditor=f.auditor, status="accepted" if back else "missing"))
        if back:
            said = {
                "given_by": rng.choice(["Child or young person", "Parent", "Carer"]),
                "method": "Face to face", "date": "2026-10-20", "consent": rng.choice(["Yes", "Yes", "Yes", "No"]),
                "working_well": rng.choice(["My social worker listens to me.", "Mum gets help with the bills now.",
                                            "School checks in with me every morning."]),
                "not_working": rng.choice(["I had three different workers this year.", "",
                                           "Nobody told us when the meeting was."]),
                "listened_to": rng.choice(["Yes", "Partly", "No"]),
                "safer": rng.choice(["Much more", "A little more", "No change"]),
                "quotes": rng.choice(["“I feel safer at home now.”", ""])}
            views.append(ViewsRow(form_id=f.form_id, case_ref=f.case_ref,
                                  answers={f"c1_{k}": v for k, v in said.items() if v}))
    return ConsolidatedAudit(plan=plan, returns=returns, grades=grades, summaries=summaries, flags=flags,
                             views=views)


def _flags(grades: list[GradeRow], scale: GradeScale) -> list[FlagRow]:
    rank = {g.label: g.rank for g in scale.grades if g.rank}
    by_unit: dict[tuple[str, str], list[GradeRow]] = defaultdict(list)
    for g in grades:
        if g.grade in rank:
            by_unit[(g.case_ref, g.section_id)].append(g)
    flags = []
    for i, ((case, section), rows) in enumerate(sorted(by_unit.items())):
        ranks = [rank[g.grade or ""] or 0 for g in rows]
        if max(ranks) - min(ranks) >= 2:
            flags.append(FlagRow(flag_id=f"DIV-{i:04d}", rule="agency_divergence", severity="high", case_ref=case,
                                 section_id=section, agencies=sorted({g.agency for g in rows}),
                                 message=f"{section}: agencies' grades 2+ points apart.",
                                 resolution="Agreed at the meeting: the records differ; the police record "
                                            "holds the fuller picture." if i % 2 else ""))
    flags.append(FlagRow(flag_id="SAFE-0001", rule="not_safeguarded", severity="urgent", case_ref="CP-2026-004",
                         message="Auditor answered Unsure.", resolution="Manager told the same day; visit made."))
    return flags


@pytest.fixture(scope="module")
def audit() -> ConsolidatedAudit:
    return fake_audit()


# ----------------------------------------------------------------------------- tests of the findings


def test_fake_audit_is_realistic(audit: ConsolidatedAudit) -> None:
    assert len(audit.plan.cases) == 10
    assert len({g.form_id for g in audit.grades}) == len([r for r in audit.returns
                                                          if r.kind == "audit" and r.status == "accepted"])
    assert {g.grade for g in audit.grades} >= {"Outstanding", "Good", "Adequate", "Inadequate", "Not applicable",
                                               "No evidence"}
    assert any(g.moderated_grade and g.moderated_grade != g.grade for g in audit.grades)


def test_verdict_thresholds() -> None:
    assert verdict(None, None) == "Not graded"
    assert verdict(0.75, 0.0) == "Working well"
    assert verdict(0.74, 0.0) == "Mixed"
    assert verdict(0.9, 0.1) == "Mixed"
    assert verdict(0.49, 0.0) == "Causing concern"
    assert verdict(0.8, 0.2) == "Causing concern"


def test_ranking_follows_the_grades(audit: ConsolidatedAudit) -> None:
    findings = analyse(audit)
    readings = ["Working well", "Mixed", "Causing concern", "Not graded"]
    order = [s.section_id for s in findings.ranking]
    keys = [(readings.index(s.verdict), -((s.good or 0) - (s.inadequate or 0))) for s in findings.ranking]
    assert keys == sorted(keys)  # reading first, then Good or better less Inadequate
    assert len(order) == len(audit.plan.tool.sections)
    assert findings.with_verdict("Causing concern") and findings.with_verdict("Working well")
    assert findings.concerns()[0].section_id == order[-1]


def test_returns_take_the_best_status_per_form(audit: ConsolidatedAudit) -> None:
    plan = audit.plan
    first = next(f for f in plan.issued if f.kind == "audit")
    rows = [ReturnRow(form_id=first.form_id, file="a", case_ref=first.case_ref, agency=first.agency,
                      auditor=first.auditor, status="rejected"),
            ReturnRow(form_id=first.form_id, file="b", case_ref=first.case_ref, agency=first.agency,
                      auditor=first.auditor, status="accepted_with_warnings"),
            ReturnRow(form_id=first.form_id, file="c", case_ref=first.case_ref, agency=first.agency,
                      auditor=first.auditor, status="superseded")]
    result = returns_of(plan, rows, "audit")
    status = {f.form.form_id: f.status for f in result.forms}
    assert status[first.form_id] == "accepted_with_warnings"
    assert result.returned == 1
    assert result.issued == len([f for f in plan.issued if f.kind == "audit"])
    assert all(s == "missing" for k, s in status.items() if k != first.form_id)


def test_sample_spread_counts_every_case(audit: ConsolidatedAudit) -> None:
    for label, counts in sample_spread(audit.plan):
        assert sum(n for _, n in counts) == 10, label
    ages = dict(sample_spread(audit.plan))["Age band"]
    expected = next(c for c in audit.plan.tool.case_fields if c.id == "age_band").choices
    assert [v for v, _ in ages] == [c for c in expected or () if any(v == c for v, _ in ages)]


def test_examples_are_attributed_and_from_the_right_grades(audit: ConsolidatedAudit) -> None:
    scale = audit.plan.scale
    concern = examples(audit.grades, scale, "management", concern=True)
    good = examples(audit.grades, scale, "strategy_s47", concern=False)
    assert concern and good
    assert all(e.grade in ("Adequate", "Inadequate") for e in concern)
    assert all(e.grade in ("Outstanding", "Good") for e in good)
    assert concern[0].grade == "Inadequate"
    assert len({e.agency for e in concern}) == len(concern)
    texts = {t for g in audit.grades for t in (g.development, g.evidence, g.action)}
    assert all(e.text in texts for e in concern)


def test_shorten_keeps_short_text_and_cuts_long_text() -> None:
    assert shorten("Short  text.", 10) == "Short text."
    long = "One two three four five. Six seven eight nine ten eleven twelve"
    assert shorten(long, 8) == "One two three four five."
    assert shorten("a b c d e f g h i j", 4) == "a b c d…"


def test_views_summary_counts_choices(audit: ConsolidatedAudit) -> None:
    summary = views_summary(audit.views, audit.plan.views)
    listened = dict(summary.choices)["Do they feel listened to?"]
    assert sum(n for _, n in listened) == len(audit.views)
    assert [a for a, _ in listened] == [c for c in ("Yes", "Partly", "No") if c in dict(listened)]
    quotes = dict(summary.words)["What is working well?"]
    answered = [v for v in audit.views if v.answers.get("c1_working_well", "").strip()
                and v.answers.get("c1_consent") == "Yes"]  # quoted only with consent
    assert 0 < len(answered) < len(audit.views)
    assert sum(len(refs) for _, refs in quotes) == len(answered)
    assert len({text for text, _ in quotes}) == len(quotes) < len(answered)  # identical answers once
    for text, refs in quotes:
        assert sorted(refs) == sorted(v.case_ref for v in answered if v.answers["c1_working_well"] == text)
    assert summary.conversations == len(audit.views)
    assert summary.consented == sum(v.answers.get("c1_consent") == "Yes" for v in audit.views)
    words = dict(summary.words)["Words they agreed to share (no names)"]
    assert all(not text.startswith(("“", '"', "'")) for text, _ in words)  # the report adds its own quotation marks


# ----------------------------------------------------------------------------- plain words for the partnership


def test_every_intake_message_is_recognised_by_its_code() -> None:
    """Whatever intake wrote on the Returns sheet, the report finds the problem's code in it."""
    import string

    from xlpack.intake.problems import CATALOGUE

    for code, spec in CATALOGUE.items():
        fields = {name for text in (spec.template, spec.fix) for _, name, _, _ in string.Formatter().parse(text)
                  if name}
        message = problem(code, sheet="Audit", cell="B27", **{f: f"x{f}7" for f in fields}).message
        assert code in problem_codes(message), (code, message)
        assert code in problem_codes(f"Audit!B27: {spec.template.format(**{f: 'v' for f in fields})}"), code


def test_rejected_forms_read_as_plain_reasons() -> None:
    messages = [problem("locked-text-changed", sheet="Audit", cell="B9", expected="Planning", found="Plans"),
                problem("more-changes", count=3),
                problem("grade-invalid", sheet="Audit", cell="B35", value="Good to adequate", choices="Good, Adequate")]
    layout = " ".join(m.message for m in messages)  # as the Returns sheet's Detail holds them
    assert plain_reason(layout) == ("returned with the form's layout changed; a grade was given that is not on the "
                                    "grading scale")
    assert plain_reason("") == plain_reason("Something no one wrote.") == "the file could not be read"
    for code, reason in PLAIN_REASONS.items():
        assert "Sheet" not in reason and "cell" not in reason and "'" not in reason.replace("form's", ""), code
    rejected = FormStatus(IssuedForm(form_id="f", file="f.xlsx", kind="audit", case_ref="CP-1", agency="Police",
                                     auditor="A", tool_id="cp", tool_version="1", issued=date(2026, 1, 1),
                                     fingerprint="x"), "rejected", layout)
    assert rejected.what_happened.startswith("Returned but not used: returned with the form's layout changed")


def test_quotation_marks_around_the_whole_text_are_taken_off() -> None:
    cases = {"'I like my new worker.'": "I like my new worker.", "“I feel safer now.”": "I feel safer now.",
             '"Hi there".': "Hi there.", "'I don't know.'": "I don't know.",
             "‘Mum’s friend left.’": "Mum’s friend left.", "'A' and 'B'": "'A' and 'B'", "I said 'no'": "I said 'no'",
             "  plain   text ": "plain text", "''": "''"}
    for text, bare in cases.items():
        assert unquote(text) == bare, text


def test_identical_extracts_are_one_example_with_every_form(audit: ConsolidatedAudit) -> None:
    scale = audit.plan.scale
    for section in audit.plan.tool.sections:
        for concern in (True, False):
            found = examples(audit.grades, scale, section.id, concern=concern, limit=10, words=500)
            assert len({e.text for e in found}) == len(found)
            for e in found:
                fields = ("development", "evidence", "action") if concern else ("strengths", "evidence")
                wrote = [g for g in audit.grades if g.section_id == section.id and g.final_grade in
                         ({"Adequate", "Inadequate"} if concern else {"Outstanding", "Good"})
                         and next((getattr(g, f) for f in fields if getattr(g, f).strip()), "") == e.text]
                assert sorted((s.agency, s.case_ref) for s in e.sources) == sorted((g.agency, g.case_ref)
                                                                                    for g in wrote)
    assert any(len(e.sources) > 1 for e in examples(audit.grades, scale, "management", concern=True))
