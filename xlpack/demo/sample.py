"""The bundled sample audit: invented, clearly fictional data.

Ten child protection cases with case references only, five to seven
agencies per case, and two auditors for some agencies. The generator is
seeded, so the sample is the same on every machine.
"""

from __future__ import annotations

import csv
import random
import uuid
from datetime import date, timedelta
from pathlib import Path

from xlpack.coordinator.plan_sheets import create_audit
from xlpack.model.definitions import load_definition, load_scale
from xlpack.model.plan import DEFAULT_AGENCIES, Assignment, AuditPlan, Case, SafeguardingLead, TermsOfReference

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
    assignments = sample_assignments(case_list, rng)
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
                     assignments=assignments, safeguarding_leads=DEMO_LEADS)


#: Safeguarding leads of some of the demo's agencies (invented); alerts about the others go to the coordinator alone.
DEMO_LEADS = {agency: SafeguardingLead(name=f"{agency} safeguarding lead (fictional)",
                                       email=f"safeguarding.{key}@example.org")
              for agency, key in (("Children's social care", "csc"), ("Health", "health"), ("Police", "police"),
                                  ("School or education", "education"))}


def sample_assignments(cases: list[Case], rng: random.Random) -> list[Assignment]:
    """Five to seven agencies per case (children's social care always), two auditors for some."""
    assignments: list[Assignment] = []
    for case in cases:
        agencies = ["Children's social care", *rng.sample(list(DEFAULT_AGENCIES[1:]), rng.randint(4, 6))]
        for agency in agencies:
            auditors = 2 if agency in ("Children's social care", "Health") and rng.random() < 0.5 else 1
            for _ in range(auditors):
                name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
                email = f"{name.lower().replace(' ', '.')}@example.org"
                assignments.append(Assignment(case_ref=case.case_ref, agency=agency, auditor=name, email=email,
                                              role=rng.choice(["Team manager", "Named nurse", "Detective sergeant",
                                                               "Designated lead", "Service manager"])))
    return assignments


def create_sample(path: Path, tool: str = "cp", cases: int = 10, seed: int = 2026) -> AuditPlan:
    """Write the sample coordinator workbook to ``path``."""
    plan = sample_plan(tool, cases, seed)
    return create_audit(path, plan=plan)


#: The demo's management-information extract: children on a plan, by the Cases sheet's columns, with shares
#: roughly as in England's published figures (invented rows; the shares only make the draw look familiar).
EXTRACT_SHARES: dict[str, dict[str, float]] = {
    "Age band": {"Unborn": 3, "Under 1": 12, "1-4": 26, "5-9": 28, "10-15": 28, "16-17": 3},
    "Gender": {"Female": 48, "Male": 50, "Not known": 2},
    "Ethnicity (census group)": {"White": 72, "Mixed or multiple ethnic groups": 10, "Asian or Asian British": 7,
                                 "Black, Black British, Caribbean or African": 6, "Other ethnic group": 3,
                                 "Not known": 2},
    "Social work team or base": {"North team": 30, "South team": 25, "East team": 25, "West team": 20},
    "Disability or special educational needs": {"Yes": 12, "No": 80, "Not known": 8},
    "First language not English or interpreter needed": {"Yes": 8, "No": 88, "Not known": 4},
    "Category of abuse": {"Neglect": 50, "Emotional abuse": 36, "Physical abuse": 6, "Sexual abuse": 4,
                          "Multiple": 4},
}
EXTRACT_COLUMNS = ("Case reference", "Category", *EXTRACT_SHARES, "Plan start date")


def sample_extract_rows(rows: int = 240, seed: int = 2026, today: date = SAMPLE_TODAY,
                        category: str = "Child Protection") -> list[dict[str, str]]:
    """Invented extract rows: distinct case references, values drawn with :data:`EXTRACT_SHARES`."""
    rng = random.Random(seed)
    numbers = rng.sample(range(10000, 99999), rows)
    out = []
    for n in numbers:
        row = {"Case reference": f"CP-{n}", "Category": category}
        for column, shares in EXTRACT_SHARES.items():
            row[column] = rng.choices(list(shares), weights=list(shares.values()))[0]
        row["Plan start date"] = (today - timedelta(days=rng.randint(20, 700))).isoformat()
        out.append(row)
    return out


def write_sample_extract(path: Path, rows: int = 240, seed: int = 2026) -> Path:
    """Write the demo's extract as .csv (UTF-8), the way a case management system exports it."""
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(EXTRACT_COLUMNS))
        writer.writeheader()
        writer.writerows(sample_extract_rows(rows, seed))
    return Path(path)
