"""Two small audits of the Child Protection tool with known grade shifts, for the feedback and compare tests.

Each audit is the sample plan (4 cases, a different seed each, so other
agencies and auditors), its forms generated and filled in with openpyxl
like an auditor would (tests/filling.py), then consolidated. The grades
are planted by a rule of the form's place in file order, so the test can
work out every expected figure from :attr:`Built.planted` with plain loops.
Each form's strengths, areas for development and actions name its agency
and case, so a document that shows another agency's words is caught.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from tests.support.filling import fill_form
from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import create_audit, read_plan
from xlpack.demo.sample import create_sample
from xlpack.generate import generate_forms
from xlpack.model.plan import AuditPlan, IssuedForm

TODAY = date(2026, 12, 7)
SECTIONS = ("identification", "assessment", "planning", "voice", "information_sharing", "recording", "management",
            "equality", "outcomes", "strategy_s47", "initial_conference", "core_group", "review_conferences",
            "risk_management")
RANK = {"Outstanding": 1, "Good": 2, "Adequate": 3, "Inadequate": 4}
Grades = dict[str, str | None]


def baseline_grades(i: int) -> Grades:
    """The baseline: planning Inadequate everywhere, voice mixed with NA and No evidence, the rest Good."""
    return {"planning": "Inadequate", "assessment": ["Good", "Adequate"][i % 2],
            "voice": ["Not applicable", "Good", "Inadequate", "No evidence"][i % 4], "information_sharing": "Good"}


def reaudit_grades(i: int) -> Grades:
    """The re-audit: planning much better, information sharing worse, some recording grades left blank."""
    return {"planning": "Adequate" if i % 5 == 0 else "Good", "assessment": ["Good", "Adequate"][i % 2],
            "voice": ["Outstanding", "Good", "Inadequate", "Not applicable"][i % 4],
            "information_sharing": ["Good", "Inadequate", "Inadequate"][i % 3],
            "recording": None if i % 6 == 0 else "Good"}


def words(kind: str, f: IssuedForm) -> dict[str, str]:
    """A text per section naming the agency and case (marker of whose words a document shows)."""
    return {s: f"{kind} by {f.agency} on {s} in {f.case_ref}." for s in SECTIONS}


@dataclass
class Built:
    audit: Path
    plan: AuditPlan
    planted: dict[str, Grades] = field(default_factory=dict)  # form id -> section id -> grade as filled in
    unsafe: IssuedForm | None = None  # the form answering No to "safeguarded now?"

    def form(self, form_id: str) -> IssuedForm:
        return next(f for f in self.plan.issued if f.form_id == form_id)


def build(root: Path, seed: int, grades: Callable[[int], Grades], *, unsafe_at: int | None = None,
          tool: str = "cp", cases: int = 4, plan: AuditPlan | None = None) -> Built:
    """Create, issue, fill in and consolidate one audit in ``root`` (the sample's, or ``plan`` when given)."""
    root.mkdir(parents=True, exist_ok=True)
    audit = root / "audit.xlsx"
    if plan is None:
        create_sample(audit, tool=tool, cases=cases, seed=seed)
    else:
        create_audit(audit, plan=plan)
    gen = generate_forms(audit, workers=1)
    plan = read_plan(audit)
    returns = root / "returns"
    returns.mkdir()
    built = Built(audit, plan)
    audits = sorted((f for f in plan.issued if f.kind == "audit"), key=lambda f: f.file)
    for i, f in enumerate(audits):
        planted = grades(i)
        closing = {"overall_grade": "Good", "safeguarded_now": "Yes"}
        if i == unsafe_at:
            closing.update(safeguarded_now="No", safeguarding_action="Raised with the team manager the same day.")
            built.unsafe = f
        fill_form(gen.out_dir / f.file, returns / f.file, planted, strengths=words("Strength", f),
                  development=words("Development", f), action=words("Action", f), closing=closing,
                  saved_at=datetime(2026, 11, 20, tzinfo=UTC))
        sections = [s.id for s in plan.tool.sections]
        built.planted[f.form_id] = {s: planted.get(s, "Good") for s in sections}
    consolidate(audit, [returns], today=TODAY)
    built.plan = read_plan(audit)
    return built
