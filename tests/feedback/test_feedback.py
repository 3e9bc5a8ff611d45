"""``xlpack feedback``: one document per accepted audit form, read back with python-docx.

Checked against what was planted in the forms (tests/support/cycle_scenario.py)
and against the coordinator workbook read here with openpyxl: the grades of
every section in tool order, each section's evidence, strengths, development
and actions as on the Grades sheet, the urgent and high flags about the
agency's record first (worked out here from the planted grades and answers),
every flag of the Flags sheet about that record once and no sentence twice,
moderated grades with their notes, nothing from any other agency, a
response section and a sign-off, the marking, and an index naming each
document's auditor and email. Refusals leave every file as it was.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from docx.text.paragraph import Paragraph

from tests.support.cli import CliResult, run_cli
from tests.support.cycle_scenario import RANK, Built, words
from tests.support.documents import style_name
from xlpack.feedback.build import INDEX_NAME, build_feedback
from xlpack.feedback.document import (
    AUDIT_HEADING,
    FLAGS_HEADING,
    GRADES_HEADING,
    NEXT_HEADING,
    RESPONSE_HEADING,
    SIGN_OFF_HEADING,
    WORDS,
)
from xlpack.model.definitions import load_definition
from xlpack.wording import counted
from xlpack.workbook.readback import read_consolidated

PLANNING = load_definition("cp").section("planning").title  # the section's title in the CP tool

pytestmark = pytest.mark.slow  # each module builds and consolidates two audits (session fixtures)

TODAY = date(2026, 12, 14)
SAFE, DIV, PAIR = "Child not adequately safeguarded now?", "Agencies' grades 2+ points apart", \
    "Auditors of one agency disagree"
SAFE_FILE = re.compile(r"^Feedback_[A-Za-z0-9._-]+\.docx$")


def run(*args: str | Path) -> CliResult:
    return run_cli(*args)


def expected_flags(b: Built) -> dict[str, set[tuple[str, str, str]]]:
    """Form id -> (severity, rule title, section title) of the urgent and high flags about its agency's record."""
    titles = {s.id: s.title for s in b.plan.tool.sections}
    by_case: dict[str, list[str]] = defaultdict(list)
    for fid in b.planted:
        by_case[b.form(fid).case_ref].append(fid)
    about: dict[tuple[str, str], set[tuple[str, str, str]]] = defaultdict(set)  # (case, agency) -> flags
    if b.unsafe is not None:
        about[(b.unsafe.case_ref, b.unsafe.agency)].add(("Urgent", SAFE, ""))
    for case, fids in by_case.items():
        for sid, title in titles.items():
            ranked = [(b.form(f).agency, RANK[g]) for f in fids if (g := b.planted[f][sid]) in RANK]
            apart = {a for a, x in ranked if any(o != a and abs(x - y) >= 2 for o, y in ranked)}
            for agency in apart:
                about[(case, agency)].add(("High", DIV, title))
            given: dict[str, list[str]] = defaultdict(list)
            for f in fids:
                if grade := b.planted[f][sid]:
                    given[b.form(f).agency].append(grade)
            for agency, grades in given.items():
                ranks = [RANK[g] for g in grades if g in RANK]
                if len(set(grades)) > 1 and len(ranks) > 1 and max(ranks) - min(ranks) >= 2:
                    about[(case, agency)].add(("High", PAIR, title))
    return {fid: about[(b.form(fid).case_ref, b.form(fid).agency)] for fid in b.planted}


def text_of(d: docx.document.Document) -> str:
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for r in t.rows for c in r.cells]
    for s in d.sections:
        parts += [p.text for p in (*s.header.paragraphs, *s.footer.paragraphs)]
    return "\n".join(parts)


HEADS = [FLAGS_HEADING, GRADES_HEADING, AUDIT_HEADING, RESPONSE_HEADING, SIGN_OFF_HEADING, NEXT_HEADING]
LEAD = re.compile(r"^(Urgent|High|Medium|Low): (.+?)\.? $")


def flags_part(d: docx.document.Document) -> list[Paragraph]:
    texts = [p.text for p in d.paragraphs]
    return d.paragraphs[texts.index(FLAGS_HEADING) + 1:texts.index(GRADES_HEADING)]


def flag_leads(d: docx.document.Document, sections: set[str]) -> tuple[list[str], set[tuple[str, str, str]], int]:
    """The Heading 1 texts in order; (severity, title, section) of each urgent and high flag under the flags
    heading (a rule's lead, then one bullet a flag, starting with its section where it has one); and how many
    flags there are in all."""
    heads = [p.text for p in d.paragraphs if style_name(p) == "Heading 1"]
    found, lead, count = set(), None, 0
    for p in flags_part(d):
        if style_name(p) == "List Bullet":
            assert lead is not None, p.text
            count += 1
            section = p.text.split(": ", 1)[0]
            if lead[0] in ("Urgent", "High"):
                found.add((lead[0], lead[1], section if section in sections else ""))
        elif p.runs and p.runs[0].bold:
            m = LEAD.match(p.runs[0].text)
            assert m, p.runs[0].text
            lead = (m[1], m[2])
    return heads, found, count


def sheet_rows(audit: Path, sheet: str) -> list[dict[str, object]]:
    """A table of the coordinator workbook, read with openpyxl (not xlpack): header -> value, one dict a row."""
    rows = list(openpyxl.load_workbook(audit, read_only=True)[sheet].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and r[0] in ("Case reference", "Severity"))
    head = [str(h) if h is not None else "" for h in rows[at]]
    return [dict(zip(head, r)) for r in rows[at + 1:] if any(v not in (None, "") for v in r)]


@pytest.fixture(scope="module")
def written(reaudit: Built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("feedback")
    result = run("feedback", reaudit.audit, "--out", out)
    assert result.exit_code == 0, result.output
    assert f"Wrote {counted(len(reaudit.planted), 'feedback document')}" in result.stdout
    return out


def _index(out: Path) -> list[list[Any]]:  # cells as openpyxl reads them
    ws = openpyxl.load_workbook(out / INDEX_NAME, read_only=True)["Feedback"]
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert rows[0][:5] == ["Document", "Case reference", "Agency", "Auditor (passes it on)", "Auditor's email"]
    return [r for r in rows[1:] if r[0]]


def test_one_document_per_accepted_form_named_safely_with_an_index(written: Path, reaudit: Built) -> None:
    index = _index(written)
    assert len(index) == len(reaudit.planted)
    names = [str(r[0]) for r in index]
    assert len(set(names)) == len(names) and all(SAFE_FILE.match(n) for n in names)
    assert sorted(p.name for p in written.glob("*.docx")) == sorted(names)
    emails = {(a.case_ref, a.agency, a.auditor): a.email for a in reaudit.plan.assignments}
    for name, case, agency, auditor, email, *_ in index:
        assert str(name).startswith(f"Feedback_{case}_") and email == emails[(case, agency, auditor)]
        form = next(reaudit.form(f) for f in reaudit.planted if (reaudit.form(f).case_ref, reaudit.form(f).agency,
                                                                 reaudit.form(f).auditor) == (case, agency, auditor))
        assert docx.Document(str(written / str(name))).core_properties.title.endswith(f"{case}, {agency}")
        assert form.case_ref == case


def test_each_document_holds_its_own_agencys_record_and_nothing_else(written: Path, reaudit: Built) -> None:
    flags = expected_flags(reaudit)
    assert any(flags.values()), "the scenario should raise flags"
    agencies = {a.agency for a in reaudit.plan.assignments}
    index = {(r[1], r[2], r[3]): str(r[0]) for r in _index(written)}
    sheet_flags = sheet_rows(reaudit.audit, "Flags")
    titles = {s.title for s in reaudit.plan.tool.sections}
    for fid, planted in reaudit.planted.items():
        form = reaudit.form(fid)
        d = docx.Document(str(written / index[(form.case_ref, form.agency, form.auditor)]))
        text = text_of(d)
        heads, found, count = flag_leads(d, titles)
        assert heads == HEADS
        assert found == flags[fid], form.file
        about = [r for r in sheet_flags if r["Case reference"] == form.case_ref
                 and form.agency in str(r["Agencies"]).split("; ")
                 and r["Rule id"] not in ("auditor_involved", "return_missing", "returned_twice")]
        assert count == len(about), form.file  # every flag about the record, once
        said, lead = [], ""
        for p in flags_part(d):
            lead = p.text if style_name(p) != "List Bullet" else lead
            said.append((lead, p.text))
        assert len(said) == len(set(said)), form.file  # no sentence twice under one rule
        grades = d.tables[0]
        assert [c.text for c in grades.rows[0].cells] == ["Section", "Grade as returned", "After moderation",
                                                          "Moderation note"]
        assert [[c.text for c in r.cells][:3] for r in grades.rows[1:]] == [
            [s.title, planted[s.id] or "blank", "–"] for s in reaudit.plan.tool.sections]
        for kind in ("Strength", "Development", "Action"):
            assert all(said in text for said in words(kind, form).values())
        others = agencies - {form.agency}
        assert not [a for a in others if a in text], form.file
        strangers = ({a.auditor for a in reaudit.plan.assignments if a.agency != form.agency}
                     - {a.auditor for a in reaudit.plan.assignments if a.agency == form.agency})
        assert not [n for n in strangers if n in text], form.file
        assert form.case_ref in text and "OFFICIAL-SENSITIVE" in d.sections[0].header.paragraphs[0].text
        assert "OFFICIAL-SENSITIVE" in d.sections[0].footer.paragraphs[-1].text
        width, height = d.sections[0].page_width, d.sections[0].page_height
        assert width is not None and height is not None and (round(width.mm), round(height.mm)) == (210, 297)


def test_the_unsafe_answer_comes_first_for_its_agency_only(written: Path, reaudit: Built) -> None:
    assert reaudit.unsafe is not None
    shown = 0
    for name, case, agency, *_ in _index(written):
        texts = [p.text for p in docx.Document(str(written / str(name))).paragraphs]
        flags = texts[texts.index(FLAGS_HEADING) + 1:texts.index(GRADES_HEADING)]
        if (case, agency) == (reaudit.unsafe.case_ref, reaudit.unsafe.agency):
            assert flags[0].startswith("Urgent and high flags come first")
            assert flags[1].startswith(f"Urgent: {SAFE}") and "answered 'No'" in flags[2]
            shown += 1
        else:
            assert not any(SAFE in t for t in flags)
    assert shown == sum(1 for f in reaudit.planted if (reaudit.form(f).case_ref, reaudit.form(f).agency) == (
        reaudit.unsafe.case_ref, reaudit.unsafe.agency))


def test_moderated_grades_notes_and_resolutions_are_shown(reaudit: Built, tmp_path: Path) -> None:
    audit = read_consolidated(reaudit.audit)
    target = next(g for g in audit.grades if g.section_id == "planning" and g.grade == "Good")
    confirmed = next(g for g in audit.grades if g.form_id == target.form_id and g.section_id == "assessment")
    flag = next(f for f in audit.flags if f.severity == "high" and f.case_ref == target.case_ref
                and target.agency in f.agencies)
    grades = [replace(g, moderated_grade="Inadequate", moderation_note="No timescales in the plan.")
              if g is target else replace(g, moderated_grade=g.grade) if g is confirmed else g
              for g in audit.grades]
    flags = [replace(f, resolution="Agreed: the record will be reviewed.") if f is flag else f
             for f in audit.flags]
    own = [g for g in grades if g.form_id == target.form_id]  # this form's document only: quicker
    result = build_feedback(audit.model_copy(update={"grades": own, "flags": flags}), tmp_path, today=TODAY)
    assert [f.form_id for f, _ in result.documents] == [target.form_id]
    path = result.documents[0][1]
    d = docx.Document(str(path))
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in d.tables[0].rows[1:]}
    assert rows[PLANNING] == [PLANNING, "Good", "Inadequate", "No timescales in the plan."]
    assert rows["Assessment"][2] == "Confirmed"
    paragraphs = [p.text for p in d.paragraphs]
    assert "The follow-up meeting changed 1 grade of this audit; the note gives the reason." in paragraphs
    assert any(t.endswith("Agreed at the follow-up meeting: Agreed: the record will be reviewed.") for t in paragraphs)
    again = build_feedback(audit.model_copy(update={"grades": own, "flags": flags}), tmp_path / "again", today=TODAY)
    assert again.documents[0][1].read_bytes() == path.read_bytes()  # the same audit and date: the same bytes


def test_refusals_leave_everything_as_it_was(written: Path, reaudit: Built, tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in written.iterdir()}
    result = run("feedback", reaudit.audit, "--out", written)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert {p.name: p.read_bytes() for p in written.iterdir()} == before
    fresh = tmp_path / "new.xlsx"
    assert run("init", fresh).exit_code == 0
    result = run("feedback", fresh)
    assert result.exit_code == 1 and "has not been consolidated yet" in result.stderr
    assert not (tmp_path / "feedback").exists()
    result = run("feedback", tmp_path / "nothing.xlsx")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    copy = tmp_path / "open"
    copy.mkdir()
    (copy / ".~lock.feedback index.xlsx#").write_text("open")
    result = run("feedback", reaudit.audit, "--out", copy, "--force")
    assert result.exit_code == 1 and "is open" in result.stderr
    assert [p.name for p in copy.iterdir()] == [".~lock.feedback index.xlsx#"]


def _section_paragraphs(d: docx.document.Document) -> dict[str, list[str]]:
    """Section title -> the paragraphs under its heading in 'The audit, section by section'."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    inside = False
    for p in d.paragraphs:
        if style_name(p) == "Heading 1":
            inside, current = p.text == AUDIT_HEADING, None
        elif inside and style_name(p) == "Heading 2":
            current = out.setdefault(p.text.split(". ", 1)[1], [])
        elif inside and current is not None and p.text:
            current.append(p.text)
    return out


def test_each_document_is_a_copy_of_its_audit_as_the_workbook_holds_it(written: Path, reaudit: Built) -> None:
    """Every section's grades, evidence, strengths, development and actions, against the Grades sheet read with
    openpyxl; a response section and a sign-off line; the document names its audit and form."""
    rows = sheet_rows(reaudit.audit, "Grades")
    checked = 0
    for name, *_ in _index(written):
        d = docx.Document(str(written / str(name)))
        _, audit_id, form_id = d.core_properties.identifier.split(":")
        assert audit_id == reaudit.plan.audit_id
        mine = [r for r in rows if str(r["Row id"]).startswith(f"{form_id}:")]
        assert mine
        sections = _section_paragraphs(d)
        assert list(sections) == [str(r["Section"]) for r in mine]
        for r in mine:
            said = sections[str(r["Section"])]
            grade = r["Grade"] or "blank"
            after = "none recorded" if not r["Moderated grade"] else (
                "confirmed" if r["Moderated grade"] == r["Grade"] else r["Moderated grade"])
            assert said[0] == f"Grade as returned: {grade}   After moderation: {after}" + (
                f" ({r['Moderation note']})" if r["Moderation note"] else "")
            for (_, label), column in zip(WORDS, ("Evidence", "Strengths", "Areas for development", "Action")):
                text = " ".join(str(r[column] or "").split()) or "None recorded."
                assert f"{label}: {text}" in said, (name, label)
            checked += 1
        texts = [p.text for p in d.paragraphs]
        assert texts.index(RESPONSE_HEADING) < texts.index(SIGN_OFF_HEADING) < texts.index(NEXT_HEADING)
        assert any(t.startswith("Manager's name and role: ") for t in texts)
        assert any(t.startswith("Signature: ") for t in texts)
    assert checked == len(rows)
