"""The report and the Themes sheet name the grades in the audit's own scale, never another scale's words.

An audit graded on today's inspection wording ("Requires improvement to be
good") must not read, to its board, that concerns come from "Adequate"
grades: that is the older scale's word, and no auditor gave it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import docx

from tests.report.test_model import fake_audit
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import load_scale
from xlpack.report.write import build_report
from xlpack.workbook.sheets import themes as themes_sheet

RI = "Requires improvement to be good"


def _ilacs(audit: ConsolidatedAudit) -> ConsolidatedAudit:
    """The same audit, graded on the ILACS wording: every Adequate becomes Requires improvement to be good."""
    scale = load_scale("ilacs")
    assert RI in scale.labels and "Adequate" not in scale.labels

    def word(grade: str | None) -> str | None:
        return RI if grade == "Adequate" else grade

    grades = [replace(g, grade=word(g.grade), moderated_grade=word(g.moderated_grade)) for g in audit.grades]
    summaries = [replace(s, overall_grade=word(s.overall_grade)) for s in audit.summaries]
    plan = audit.plan.model_copy(update={"scale": scale})
    return audit.model_copy(update={"plan": plan, "grades": grades, "summaries": summaries})


def test_the_report_names_the_grades_of_the_audits_own_scale(tmp_path: Path) -> None:
    audit = _ilacs(fake_audit())
    assert any(g.final_grade == RI for g in audit.grades)
    path = build_report(audit, tmp_path / "r.docx", today=date(2026, 11, 27))
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Adequate" not in text
    assert f"concerns from the evidence behind {RI} and Inadequate grades, areas for development" in text
    assert f"for concern, the evidence behind Inadequate and {RI} grades; for good practice, the evidence " \
           "behind Outstanding and Good ones" in text


def test_the_themes_sheet_names_the_grades_of_the_audits_own_scale() -> None:
    sheet = themes_sheet.build(_ilacs(fake_audit()))
    titles = [b.title for b in sheet.blocks if b.title]
    assert f"Concerns that recur (from the evidence behind {RI} and Inadequate grades, areas for development " \
           "and actions)" in titles
    assert "Good practice that recurs (from the evidence behind Good and Outstanding grades, and strengths)" in titles
