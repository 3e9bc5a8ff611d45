"""The bundled sample audit: invented, clearly fictional data.

Ten child protection cases with case references only, five to seven
agencies per case, and two auditors for some agencies. The generator is
seeded, so the sample is the same on every machine.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from pathlib import Path

from xlpack.coordinator.plan_sheets import create_audit
from xlpack.model.definitions import load_definition, load_scale
from xlpack.model.plan import DEFAULT_AGENCIES, Assignment, AuditPlan, Case, TermsOfReference

SAMPLE_TODAY = date(2026, 11, 2)
_FIRST = ["Alex", "Sam", "Jordan", "Morgan", "Riley", "Casey", "Taylor", "Jamie", "Robin", "Avery", "Quinn",
          "Rowan", "Sasha", "Devon", "Emery", "Harper"]
_LAST = ["Example", "Sample", "Testwell", "Fictional", "Placeholder", "Demo", "Specimen", "Madeup"]


def sample_plan(tool: str = "cp", cases: int = 10, seed: int = 2026, today: date = SAMPLE_TODAY) -> AuditPlan:
    rng = random.Random(seed)
    definition = load_definition(tool)
    scale = load_scale(definition.grade_scale or "ofsted-2009")
    prefix = tool.upper()
    case_list: list[Case] = []
    for i in range(1, cases + 1):
        fields = {}
        for q in definition.case_fields:
            if q.type == "choice":
                fields[q.id] = rng.choice(list(q.choices or ()))
            elif q.type == "whole_number":
                fields[q.id] = str(rng.randint(q.min or 0, min(q.max or 5, 5)))
            else:
                fields[q.id] = rng.choice(["North team", "South team", "East team", "West team"])
        case_list.append(Case(case_ref=f"{prefix}-{today.year}-{i:03d}", category=definition.category,
                              fields=fields))
    assignments: list[Assignment] = []
    for case in case_list:
        agencies = ["Children's social care", *rng.sample(list(DEFAULT_AGENCIES[1:]), rng.randint(4, 6))]
        for agency in agencies:
            auditors = 2 if agency in ("Children's social care", "Health") and rng.random() < 0.5 else 1
            for _ in range(auditors):
                name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
                email = f"{name.lower().replace(' ', '.')}@example.org"
                assignments.append(Assignment(case_ref=case.case_ref, agency=agency, auditor=name, email=email,
                                              role=rng.choice(["Team manager", "Named nurse", "Detective sergeant",
                                                               "Designated lead", "Service manager"])))
    start = today.replace(year=today.year - 1) + timedelta(days=1)
    terms = TermsOfReference(
        title=f"Sample {definition.category} audit (fictional data)",
        purpose="Baseline assessment of multi-agency practice in the category, for the partnership's "
                "quality assurance sub-group. All data in this sample is invented.",
        outcomes_focus="Did the help each agency gave make children safer and improve their outcomes?",
        scope="A stratified random sample of ten cases open in the last 12 months, across teams, ages, "
              "genders and ethnicities; every agency that worked with each child audits its own record.",
        period_from=start, period_to=today, deadline=today + timedelta(days=28),
        coordinator="Pat Coordinator (fictional)", coordinator_email="audit.coordinator@example.org",
        participation_worker="Lee Participation (fictional)", participation_worker_email="participation@example.org")
    return AuditPlan(audit_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), tool=definition,
                     views=load_definition("views"), scale=scale, terms=terms, cases=case_list,
                     assignments=assignments)


def create_sample(path: Path, tool: str = "cp", cases: int = 10, seed: int = 2026) -> AuditPlan:
    """Write the sample coordinator workbook to ``path``."""
    plan = sample_plan(tool, cases, seed)
    return create_audit(path, plan=plan)
