"""Consolidate works for all four tools and for agencies with one and with two auditors; and the demo runs."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from itertools import takewhile
from pathlib import Path

import docx
import pytest

from tests.support.cli import run_cli
from tests.support.filling import fill_form
from xlpack.analysis.flags import flag_id
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.demo.run import DEMO_CONTEXT, run_demo
from xlpack.demo.sample import create_sample
from xlpack.generate import generate_forms
from xlpack.model.definitions import load_definition
from xlpack.workbook.readback import Workbook

LABELS = ["Outstanding", "Good", "Adequate", "Inadequate", "Not applicable", "No evidence"]


@pytest.mark.parametrize("tool", ["cp", "cin", "ei", "cic"])
def test_every_tool(tool: str, tmp_path: Path) -> None:
    audit = tmp_path / f"{tool}.xlsx"
    create_sample(audit, tool, cases=2, seed=5)
    gen = generate_forms(audit, workers=1)
    plan = read_plan(audit)
    sections = [s.id for s in load_definition(tool).sections]
    returns = tmp_path / "returns"
    returns.mkdir()
    planted: dict[str, dict[str, str]] = {}
    for i, f in enumerate(sorted(plan.issued, key=lambda f: f.file)):
        if f.kind == "audit":
            planted[f.form_id] = {s: LABELS[(i + j) % len(LABELS)] for j, s in enumerate(sections)}
            fill_form(gen.out_dir / f.file, returns / f.file, planted[f.form_id])
        else:
            fill_form(gen.out_dir / f.file, returns / f.file)
    result = consolidate(audit, [returns], today=date(2026, 11, 3))
    assert result.exit_code == 0
    back = read_consolidated(audit)
    assert len(back.grades) == len(planted) * len(sections)
    assert {g.row_id: g.grade for g in back.grades} == {
        f"{fid}:{s}": grade for fid, grades in planted.items() for s, grade in grades.items()}
    assert [g.section_id for g in back.grades[: len(sections)]] == sections
    assert len(back.views) == len(plan.cases)
    # the Pivots sheet counts case records: an agency's two forms for one case share one count (nothing moderated)
    forms_of = Counter((g.case_ref, g.agency, g.section_id) for g in back.grades)
    counts: defaultdict[str, float] = defaultdict(float)
    for g in back.grades:
        counts[g.grade or ""] += 1 / forms_of[(g.case_ref, g.agency, g.section_id)]
    rows = Workbook(audit).rows("Pivots")
    overall = next(r for r, row in enumerate(rows) if row[0] == "All grades, after moderation: counts")
    header, values = rows[overall + 1], rows[overall + 2]
    assert {h: float(values[c]) for c, h in enumerate(header) if h in LABELS} == pytest.approx(
        {lab: counts[lab] for lab in LABELS})


def test_agencies_with_one_and_with_two_auditors(tmp_path: Path) -> None:
    audit = tmp_path / "audit.xlsx"
    create_sample(audit, "cp", cases=4, seed=2026)
    gen = generate_forms(audit, workers=1)
    plan = read_plan(audit)
    per_agency = Counter((a.case_ref, a.agency) for a in plan.assignments)
    assert {1, 2} <= set(per_agency.values())  # the sample mixes both
    returns = tmp_path / "returns"
    returns.mkdir()
    grades_of: dict[str, str] = {}
    for i, f in enumerate(sorted((f for f in plan.issued if f.kind == "audit"), key=lambda f: f.file)):
        grade = "Good" if i % 2 else "Adequate"
        grades_of[f.form_id] = grade
        fill_form(gen.out_dir / f.file, returns / f.file, {"assessment": grade})
    consolidate(audit, [returns], today=date(2026, 11, 3))
    back = read_consolidated(audit)
    expected = set()
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in plan.issued:
        if f.kind == "audit":
            pairs[(f.case_ref, f.agency)].add(grades_of[f.form_id])
    for (ref, agency), given in pairs.items():
        if len(given) > 1:
            expected.add(flag_id("PAIR", ref, "assessment", agency))
    assert expected and {f.flag_id for f in back.flags if f.rule == "auditor_disagreement"} == expected
    rows = Workbook(audit).rows("Case grid")
    for case in plan.cases:
        titles = [r for r, row in enumerate(rows) if str(row[0]).startswith(f"Case {case.case_ref} · ")]
        # a case of more forms than fit across shows them in bands, one under another
        header = [h for t in titles for h in takewhile(bool, rows[t + 1][1:])]  # up to the gap before the views
        want = sorted(a.agency if per_agency[(case.case_ref, a.agency)] == 1 else f"{a.agency} ({a.auditor})"
                      for a in plan.assignments if a.case_ref == case.case_ref)
        assert sorted(header) == want


def test_the_demo_runs_the_whole_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_demo(tmp_path / "demo")
    assert result.consolidated is not None
    step = next(s for s in result.steps if s.startswith("Consolidated into"))
    back = read_consolidated(result.audit)
    assert back.plan.sample is not None and len(back.plan.cases) == back.plan.sample.size == 10  # drawn, then kept
    statuses = Counter(r.status for r in back.returns)
    assert statuses["rejected"] == 2 and statuses["superseded"] == 1 and statuses["skipped"] == 1
    assert statuses["overdue"] == 2  # one audit form and one views form not returned
    assert [f.severity for f in back.flags].count("urgent") == 1 and back.flags[0].severity == "urgent"
    assert any(f.rule == "returned_twice" for f in back.flags)
    assert "Flags (urgent first)" in step
    # the planted "not safeguarded" form: an alert drafted at consolidation, recorded on the Mail log and the flag
    alerts = sorted((result.folder / "drafts").glob("* alert/Safeguarding alert - *.eml"))
    assert len(alerts) == 1 and f"SAFEGUARDING ALERT: case {back.flags[0].case_ref}" in step and str(alerts[0]) in step
    text = alerts[0].read_text(encoding="utf-8")
    assert "X-Unsent: 1" in text and "Subject: OFFICIAL-SENSITIVE: Safeguarding alert" in text
    assert "Sarah Jones" not in text and "Sarah" not in text  # the planted manager's name, quoted as [name]
    assert [r.kind for r in back.plan.mail_log].count("alert") == 1
    assert "Alert drafted on " in back.flags[0].message
    views = [f for f in back.flags if f.rule == "views_check"]  # the planted baby's "own" views and early date
    assert any("aged 0, under 4" in f.message for f in views) and any("before the sample was drawn" in f.message
                                                                       for f in views)
    assert [m.kind for m in back.plan.meetings] == ["Briefing", "Follow-up"]  # the Meetings sheet, kept to the end
    assert any(g.moderation_meeting == "Follow-up" for g in back.grades)
    assert any(f.resolution_meeting == "Follow-up" for f in back.flags)
    assert (result.folder / "sample-audit meeting pack.docx").is_file()
    assert len(list((result.folder / "feedback").glob("Learning_*.docx"))) == len({g.agency for g in back.grades})
    # the planted manager's name is in the form (and on the Flags sheet, the coordinator's own), in no document
    assert any("Sarah Jones" in f.message for f in back.flags)
    for doc in [*result.folder.glob("*.docx"), *(result.folder / "feedback").glob("*.docx")]:
        words = docx.Document(str(doc))
        text = " ".join([p.text for p in words.paragraphs]
                        + [c.text for t in words.tables for row in t.rows for c in row.cells])
        assert "Sarah" not in text and "Jones" not in text, doc.name
        assert "(s)" not in text, doc.name  # every count agrees with its noun: "1 grade", "3 grades"
    # the context the demo's coordinator typed on the Terms of reference: the report gives it, with no note asking
    report = docx.Document(str(next(result.folder.glob("* overview report.docx"))))
    said = " ".join(p.text for p in report.paragraphs)
    for typed in (DEMO_CONTEXT["partnership"], DEMO_CONTEXT["why_now"], DEMO_CONTEXT["dissemination"]):
        assert str(typed) in said
    assert "Name the partnership" not in said and "Set the re-audit date" not in said
    monkeypatch.setenv("XLPACK_TODAY", "2028-02-29")  # run again a year and more on, on a leap day
    again = run_demo(tmp_path / "demo", fresh=True)  # the same seed: the same answers (form ids are new)
    assert again.steps == result.steps  # the demo keeps its own made-up dates: it says the same things

    def answers(grades: list) -> list[tuple]:
        return [(g.case_ref, g.agency, g.auditor, g.section_id, g.grade, g.evidence) for g in grades]

    assert answers(read_consolidated(again.audit).grades) == answers(back.grades)


def test_the_demo_command(tmp_path: Path) -> None:

    result = run_cli("demo", tmp_path / "d")
    assert result.exit_code == 0, result.output
    assert "2. 10 cases drawn at random" in result.stdout
    assert "7. Consolidated into" in result.stdout and "Open " in result.stdout
