"""A planted set of returns for the consolidate tests, and what they should give, worked out by hand.

The sample audit's forms are filled with known grades (most with openpyxl,
a few typed in LibreOffice like a person), with the problems a coordinator
meets planted on purpose: forms not returned, one rejected, one returned
twice, a "No" and an "Unsure" to "safeguarded now", a declared
involvement, evidence typed as a formula, a form from another audit. The
``expected_*`` functions compute the returns, pivots and flags from the
planted answers with plain loops, independently of xlpack's own code.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.office.client import Office
from tests.support.filling import answers_for, fill_form, input_map
from xlpack.analysis.flags import flag_id
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.demo.sample import create_sample
from xlpack.generate import generate_forms
from xlpack.model.plan import AuditPlan, IssuedForm

FORMULA = '=HYPERLINK("http://x","y")'
GRADE_POOL = ["Outstanding", "Good", "Good", "Adequate", "Adequate", "Inadequate", "Not applicable", "No evidence"]
RANK = {"Outstanding": 1, "Good": 2, "Adequate": 3, "Inadequate": 4}
EVIDENCE = "Evidence for {section}: the record was read; entries are dated and signed."
CONFIRM, INVOLVED = "Yes, I confirm", "No, I have been involved"


@dataclass
class Planted:
    """What the test put into one issued form's return."""

    form: IssuedForm
    how: str  # "openpyxl", "office", "missing", "rejected"
    grades: dict[str, str | None] = field(default_factory=dict)
    closing: dict[str, str] = field(default_factory=dict)
    blank_evidence: set[str] = field(default_factory=set)  # sections whose evidence is left empty
    formula_in: str | None = None  # a section whose evidence is typed as a formula
    older_copy: dict[str, str | None] | None = None  # grades of an older copy returned first

    @property
    def used(self) -> bool:
        return self.how in ("openpyxl", "office")


@dataclass
class Scenario:
    audit: Path
    returns: Path
    plan: AuditPlan
    planted: list[Planted]
    today: date
    foreign: Path  # the form from another audit

    def by_role(self, role: str) -> Planted:
        return self.planted[ROLES[role]]

    @property
    def audits(self) -> list[Planted]:
        return [p for p in self.planted if p.form.kind == "audit"]


#: Which audit form (in file order) plays which part.
ROLES = {"formula": 1, "missing_a": 2, "unsafe_no": 3, "unsafe_unsure": 4, "rejected": 5, "involved": 6,
         "twice": 7, "gaps": 8, "missing_b": 9, "office_a": 10, "office_b": 11, "office_c": 12}


def plant(plan: AuditPlan, seed: int = 11) -> list[Planted]:
    rng = random.Random(seed)
    sections = [s.id for s in plan.tool.sections]
    issued = sorted(plan.issued, key=lambda f: f.file)
    audits = [f for f in issued if f.kind == "audit"]
    views = [f for f in issued if f.kind == "views"]
    roles = {i: role for role, i in ROLES.items()}
    out: list[Planted] = []
    for i, f in enumerate(audits):
        role = roles.get(i, "")
        grades: dict[str, str | None] = {s: rng.choice(GRADE_POOL) for s in sections}
        overall = rng.choice(["Good", "Adequate", "Outstanding", "Inadequate"])
        p = Planted(f, "openpyxl", grades, {"overall_grade": overall, "safeguarded_now": "Yes",
                                             "no_involvement": CONFIRM})
        if role.startswith("missing"):
            p.how = "missing"
        elif role == "rejected":
            p.how = "rejected"
            grades["planning"] = "Goodish"
        elif role.startswith("office"):
            p.how = "office"
        elif role == "formula":
            p.formula_in = "assessment"
        elif role == "unsafe_no":
            p.closing.update(safeguarded_now="No", safeguarding_action="Told the team manager on 1/12.")
        elif role == "unsafe_unsure":
            p.closing["safeguarded_now"] = "Unsure"
        elif role == "involved":
            p.closing["no_involvement"] = INVOLVED
        elif role == "twice":
            p.older_copy = {s: "Inadequate" for s in sections}
        elif role == "gaps":
            grades["voice"] = "Good"
            grades["planning"] = None
            p.blank_evidence = {"voice"}
        out.append(p)
    for i, f in enumerate(views):
        out.append(Planted(f, "missing" if i == 0 else "openpyxl"))
    return out


def _evidence(p: Planted, sections: list[str]) -> Any:  # fill_form leaves a section's evidence blank for None
    texts: dict[str, str | None] = {s: None if s in p.blank_evidence else EVIDENCE.format(section=s)
                                    for s in sections}
    if p.formula_in:
        texts[p.formula_in] = FORMULA
    return texts


def _typed_entries(form: Path, p: Planted, sections: list[str]) -> list[tuple[str, str, str]]:
    """What a person types into the form in LibreOffice: every required answer and the planted grades."""
    inputs = input_map(form)
    values = answers_for(inputs, {}, p.grades, evidence=_evidence(p, sections), closing=p.closing)
    entries = []
    for key, value in values.items():
        if value in (None, "") or key not in inputs:
            continue
        if isinstance(value, date):
            value = f"{value:%Y-%m-%d}"
        entries.append((inputs[key]["sheet"], inputs[key]["cell"], str(value)))
    return entries


def build(root: Path, audit_src: Path, forms_src: Path, office: Office | None) -> Scenario:
    """Copy the sample audit into ``root`` and plant its returns."""
    audit = root / "audit.xlsx"
    shutil.copy2(audit_src, audit)
    forms = root / "forms"
    shutil.copytree(forms_src, forms)
    plan = read_plan(audit)
    returns = root / "returns"
    returns.mkdir()
    planted = plant(plan)
    sections = [s.id for s in plan.tool.sections]
    typed: list[tuple[Path, Path, list[tuple[str, str, str]]]] = []
    for p in planted:
        src, dst = forms / p.form.file, returns / p.form.file
        if p.how == "missing":
            continue
        if p.form.kind == "views":
            fill_form(src, dst)
            continue
        if p.older_copy is not None:
            fill_form(src, returns / f"older {p.form.file}", p.older_copy, closing=p.closing,
                      saved_at=datetime(2026, 11, 10, tzinfo=UTC))
        if p.how == "office":
            typed.append((src, dst, _typed_entries(src, p, sections)))
            continue
        grades = {s: g for s, g in p.grades.items() if g != "Goodish"}
        cells = {"section.planning.grade": "Goodish"} if p.how == "rejected" else None
        fill_form(src, dst, grades, evidence=_evidence(p, sections), closing=p.closing, cells=cells,
                  saved_at=datetime(2026, 11, 20, tzinfo=UTC))
    if typed:
        assert office is not None
        for src, dst, entries in typed:
            result = office.type_cells(src, dst, entries).check()
            assert all(c.accepted for c in result.results), [c for c in result.results if not c.accepted]
    foreign = _foreign_form(root, returns)
    deadline = plan.terms.deadline
    assert deadline is not None
    return Scenario(audit, returns, plan, planted, deadline + timedelta(days=7), foreign)


def _foreign_form(root: Path, returns: Path) -> Path:
    other = root / "other" / "other.xlsx"
    other.parent.mkdir()
    create_sample(other, cases=1, seed=77)
    gen = generate_forms(other, workers=1)
    form = next(f for f in gen.issued if f.kind == "audit")
    return fill_form(gen.out_dir / form.file, returns / f"other audit {form.file}")


# ----------------------------------------------------------------------------- expectations, by hand


def expected_statuses(s: Scenario) -> dict[str, str]:
    """Issued form id -> the status of its main row on the Returns sheet."""
    out = {}
    for p in s.planted:
        if p.how == "missing":
            out[p.form.form_id] = "overdue"
        elif p.how == "rejected":
            out[p.form.form_id] = "rejected"
        elif p.formula_in or any(g is None for g in p.grades.values()):  # formula text; a required grade blank
            out[p.form.form_id] = "accepted_with_warnings"
        else:
            out[p.form.form_id] = "accepted"
    return out


def used_audits(s: Scenario) -> list[Planted]:
    return [p for p in s.audits if p.used]


def expected_section_counts(s: Scenario) -> dict[str, defaultdict[str, float]]:
    """Section title -> count of each grade label ("Blank" for none) over the case records of the forms used:
    an agency's k forms for one case share its one count (1/k each; nothing is moderated in the scenario)."""
    titles = {x.id: x.title for x in s.plan.tool.sections}
    used = used_audits(s)
    forms_of = Counter((p.form.case_ref, p.form.agency) for p in used)
    counts: dict[str, defaultdict[str, float]] = {t: defaultdict(float) for t in titles.values()}
    for p in used:
        for sid, grade in p.grades.items():
            counts[titles[sid]][grade or "Blank"] += 1 / forms_of[(p.form.case_ref, p.form.agency)]
    return counts


def expected_flag_ids(s: Scenario) -> dict[str, set[str]]:
    """Rule code -> the ids of the flags the planted returns must raise."""
    sections = [x.id for x in s.plan.tool.sections]
    out: dict[str, set[str]] = defaultdict(set)
    by_case: dict[str, list[Planted]] = defaultdict(list)
    for p in used_audits(s):
        by_case[p.form.case_ref].append(p)
        _expected_form_flags(p, out)
    for case, members in by_case.items():
        _expected_case_flags(case, members, sections, out)
    for p in s.planted:
        if p.how in ("missing", "rejected"):
            out["RET"].add(flag_id("RET", p.form.form_id))
        if p.older_copy is not None:
            out["DUP"].add(flag_id("DUP", p.form.form_id))
    return dict(out)


def _expected_form_flags(p: Planted, out: dict[str, set[str]]) -> None:
    """The flags one return raises on its own."""
    if p.closing.get("safeguarded_now") in ("No", "Unsure"):
        out["SAFE"].add(flag_id("SAFE", p.form.form_id))
    if p.closing.get("no_involvement") != CONFIRM:
        out["INV"].add(flag_id("INV", p.form.form_id))
    ranked = [RANK[g] for g in p.grades.values() if g in RANK]
    overall = RANK[p.closing["overall_grade"]]
    if ranked and (sum(r > overall for r in ranked) * 2 > len(ranked) or overall > max(ranked)):
        out["OVR"].add(flag_id("OVR", p.form.form_id))
    if any(g in RANK and sid in p.blank_evidence for sid, g in p.grades.items()):
        out["NOEV"].add(flag_id("NOEV", p.form.form_id))
    if any(g is None and sid not in p.blank_evidence for sid, g in p.grades.items()):
        out["NOGR"].add(flag_id("NOGR", p.form.form_id))
    if not ranked and "No evidence" in p.grades.values():
        out["ALLNE"].add(flag_id("ALLNE", p.form.form_id))


def _expected_case_flags(case: str, members: list[Planted], sections: list[str], out: dict[str, set[str]]) -> None:
    """The flags the returns for one case raise together."""
    for sid in sections:
        graded = [(p.form.agency, RANK[g]) for p in members if (g := p.grades[sid]) is not None and g in RANK]
        if any(a != b and abs(x - y) >= 2 for a, x in graded for b, y in graded):
            out["DIV"].add(flag_id("DIV", case, sid))
        agencies = defaultdict(set)
        for p in members:
            if p.grades[sid]:
                agencies[p.form.agency].add(p.grades[sid])
        for agency, given in agencies.items():
            if len(given) > 1:
                out["PAIR"].add(flag_id("PAIR", case, sid, agency))
    good = {p.form.agency for p in members if RANK.get(p.grades["information_sharing"] or "", 9) <= 2}
    nothing = {p.form.agency for p in members
               if p.grades["information_sharing"] in ("Inadequate", "No evidence")}
    if good and nothing - good:
        out["INFO"].add(flag_id("INFO", case, "information_sharing"))


def sheet_block(rows: list[list[Any]], title: str) -> tuple[list[str], list[list[Any]]]:
    """A titled block of a sheet: its header and its rows, down to the first empty row."""
    for r, row in enumerate(rows):
        if row and row[0] == title:
            header = [str(v) for v in rows[r + 1] if v != ""]
            body = []
            for data in rows[r + 2:]:
                if not data or data[0] in ("", None):
                    break
                body.append(list(data[: len(header)]))
            return header, body
    raise AssertionError(f"no block titled {title!r}")
