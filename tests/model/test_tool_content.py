"""Each tool's words belong to its own category; sections follow the child's journey; case details fit.

An auditor who meets a question that does not fit their case stops trusting
the form. The table below names words that belong to some categories of work
only (a child in care has no referrer; only a child in care can be a care
leaver), and every prompt, section title and case detail of every bundled
tool is read for words of another category. The same check finds the faults
of the tools as they were at version 1.0 (kept in tests/support/tools_v1/),
so it is not a check that passes on anything.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xlpack.forms.layout import FormContext, build_layout
from xlpack.model.definitions import ToolDefinition, builtin_tools, load_definition
from xlpack.model.plan import Assignment, Case, TermsOfReference

V1 = Path(__file__).resolve().parents[1] / "support" / "tools_v1"
CP, CIN, EI, CIC = "Child Protection", "Child In Need", "Early Intervention", "Children In Care"
#: A word (a regular expression, matched without regard to case unless it is an acronym) and the categories
#: whose work it belongs to. A word found in a tool of any other category is a fault.
BELONGS: dict[str, set[str]] = {
    r"\breferrer": {CP, CIN},
    r"care leaver": {CIC},
    r"pathway plan": {CIC},
    r"independent reviewing officer": {CIC},
    r"\bIRO\b": {CIC},
    r"looked after": {CIC},
    r"\bplacement": {CIC},
    r"personal education plan": {CIC},
    r"designated teacher": {CIC},
    r"virtual school": {CIC},
    r"permanence": {CIC},
    r"\bcare plan\b": {CIC},
    r"section 20\b": {CIC},
    r"core group": {CP},
    r"\bconference": {CP},
    r"category of (abuse|plan)": {CP},
    r"section 47": {CP, CIN},
    r"strategy discussion": {CP, CIN},
    r"child protection plan": {CP},
    r"child in need plan": {CIN, CP},
    r"section 17\b": {CIN},
    r"early help assessment": {EI},
    r"lead professional": {EI},
    r"team around the": {EI},
    r"\bunborn\b|pre-birth|pregnan": {CP, CIN, EI},
    r"early help": {EI, CIN, CP},
}


def texts(tool: ToolDefinition) -> list[tuple[str, str]]:
    """(where, text) for every prompt, section title and case detail (label and choices) of a tool."""
    out = [(f"section {s.id}: title", s.title) for s in tool.sections]
    out += [(f"section {s.id}", p) for s in tool.sections for p in s.prompts]
    for q in (*tool.case_fields, *tool.form_fields):
        out.append((f"case field {q.id}", q.label))
        out += [(f"case field {q.id}: choice", c) for c in q.choices or ()]
    return out


def misplaced(tool: ToolDefinition) -> list[str]:
    """Every word of another category found in the tool, with where it is."""
    found = []
    for pattern, owners in BELONGS.items():
        flags = 0 if pattern.strip("\\b").isupper() else re.IGNORECASE
        for where, text in texts(tool):
            if tool.category not in owners and (m := re.search(pattern, text, flags)):
                found.append(f"{tool.id} {where}: '{m.group(0)}' in {text!r}")
    return found


AUDIT_TOOLS = ["cp", "cin", "ei", "cic"]


@pytest.mark.parametrize("tool", AUDIT_TOOLS)
def test_no_tool_asks_in_words_of_another_category(tool: str) -> None:
    assert misplaced(load_definition(tool)) == []


def test_the_check_finds_the_faults_of_version_1() -> None:
    faults = {t: misplaced(load_definition(V1 / f"{t}.yaml")) for t in AUDIT_TOOLS}
    assert any("'referrer'" in f and "section identification" in f for f in faults["cic"])
    for tool in ("cp", "cin", "ei"):
        assert any("'care leaver'" in f for f in faults[tool]), tool
    assert all(load_definition(V1 / f"{t}.yaml").version == "1.0" for t in AUDIT_TOOLS)


def test_every_bundled_audit_tool_is_checked() -> None:
    assert {t for t, p in builtin_tools().items() if load_definition(p).kind == "audit"} == set(AUDIT_TOOLS)


#: The order of the child's journey through each category of work; the threads that run through all of it
#: (voice, information sharing, recording, management oversight, equality) come after, and outcomes last.
THREADS = ["voice", "information_sharing", "recording", "management", "equality", "outcomes"]
JOURNEY = {
    "cp": ["identification", "strategy_s47", "initial_conference", "assessment", "planning", "core_group",
           "review_conferences", "risk_management"],
    "cin": ["identification", "threshold", "assessment", "planning", "cin_plan", "step_up_down"],
    "ei": ["identification", "early_help_assessment", "assessment", "lead_professional", "planning",
           "safeguarding_vigilance", "review_exit"],
    "cic": ["identification", "assessment", "planning", "care_plan", "placement", "health", "education",
            "reviews_iro"],
}


@pytest.mark.parametrize("tool", AUDIT_TOOLS)
def test_sections_follow_the_journey_and_the_form_follows_the_tool(tool: str) -> None:
    d = load_definition(tool)
    assert [s.id for s in d.sections] == JOURNEY[tool] + THREADS
    case = Case(case_ref="X-1", category=d.category)
    ctx = FormContext(form_id="f", audit_id="a", tool=d, scale=None, terms=TermsOfReference(), case=case,
                      assignment=Assignment(case_ref="X-1", agency="Health", auditor="A"))
    headings = [r.label for r in build_layout(ctx).rows if r.style == "heading" and r.status_formula]
    assert headings == [f"Section {i}: {s.title}" for i, s in enumerate(d.sections, start=1)]


@pytest.mark.parametrize(("tool", "unborn", "care_leaver", "parental"), [
    ("cp", True, False, True), ("cin", True, False, True), ("ei", True, False, True), ("cic", False, True, False)])
def test_case_details_fit_the_category(tool: str, unborn: bool, care_leaver: bool, parental: bool) -> None:
    d = load_definition(tool)
    fields = {q.id: q for q in d.case_fields}
    bands = fields["age_band"].choices or ()
    assert ("Unborn" in bands) is unborn
    assert any("care leaver" in b for b in bands) is care_leaver
    factors = {"parental_mental_health", "substance_misuse", "domestic_abuse"}
    assert (factors <= set(fields)) is parental
    for fid in factors & set(fields):
        assert fields[fid].choices == ("Yes", "No", "Not known")
    prompts = " ".join(p for s in d.sections for p in s.prompts).lower()
    if parental:  # the assessment asks about the parents' difficulties the case details record
        assessment = " ".join(d.section("assessment").prompts).lower()
        assert all(w in assessment for w in ("mental health", "drug or alcohol", "domestic abuse"))
    if unborn:
        assert "unborn" in prompts


@pytest.mark.parametrize("tool", AUDIT_TOOLS)
def test_new_version_keeps_the_core_section_ids_of_version_1(tool: str) -> None:
    old, new = load_definition(V1 / f"{tool}.yaml"), load_definition(tool)
    assert float(new.version) > float(old.version)
    core = [s.id for s in old.sections[:9]]
    assert set(core) <= {s.id for s in new.sections}
    kept = {s.id for s in old.sections} & {s.id for s in new.sections}
    # Only the Child Protection tool splits a section: conferences became the initial and the review ones.
    assert {s.id for s in old.sections} - kept == ({"conferences"} if tool == "cp" else set())
