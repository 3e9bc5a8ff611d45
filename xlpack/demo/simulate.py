"""Simulated returns: fill issued forms the way auditors would, with invented, seeded answers.

For the demo and the benchmarks, never for real audits. Each case gets a
hidden "quality" and each agency a lean, so grades cluster by case the way
real audits do, with the odd disagreement between agencies for the flags to
find. Forms are filled with openpyxl from the form's own map of input
cells (its hidden metadata sheet), as a script or Excel would.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl

from xlpack.forms.layout import LISTS_SHEET, META_SHEET
from xlpack.model.plan import AuditPlan, IssuedForm

#: What an auditor might write, by grade rank (1 best); {s} is the section title in lower case.
EVIDENCE = {
    1: ["Exemplary {s}: every decision is recorded with reasons and the child's own words are quoted.",
        "Strong {s} throughout the period; the record shows a clear difference for the child."],
    2: ["{s} was timely and proportionate; minor gaps in recording only.",
        "Good {s}: actions completed on time and reviewed at supervision."],
    3: ["{s} met minimum requirements but was not consistent; two entries are undated.",
        "Some {s} evident, but follow-up after the March meeting is not recorded."],
    4: ["No evidence of {s} for four months; the child was not seen alone.",
        "{s} was not done: information was not shared with the school and no one escalated."],
}
STRENGTHS = ["Warm, respectful relationship with the family.", "Clear chronology kept up to date.",
             "Prompt referral on the day the concern arose.", "The child's voice is recorded in their own words."]
DEVELOPMENT = ["Record the reasons for decisions.", "Invite the school to core group meetings.",
               "See the child alone at every visit.", "Escalate when reports are not received."]
FEEDBACK = ["The tool was clear.", "Some prompts overlap between sections.", ""]
VIEWS = {
    "working_well": ["My worker listens to me.", "Things are calmer at home.", "School helps me with homework."],
    "not_working": ["I had to tell my story again to new people.", "Meetings are too long.", "Nothing really."],
    "quotes": ["'I feel safer now.'", "'They never tell me what happens next.'", "'I like my new worker.'"],
}


def input_cells(wb: Any) -> dict[str, tuple[str, str, str]]:
    """Input key -> (sheet, cell, type) from the form's hidden metadata sheet."""
    out: dict[str, tuple[str, str, str]] = {}
    reading = False
    for row in wb[META_SHEET].iter_rows(values_only=True):
        first = row[0] if row else None
        if first == "input":
            reading = True
        elif reading and not first:
            break
        elif reading:
            out[str(first)] = (str(row[1]), str(row[2]), str(row[3]))
    return out


def choice_lists(wb: Any) -> dict[str, list[str]]:
    if LISTS_SHEET not in wb.sheetnames:
        return {}
    return {str(col[0]): [str(v) for v in col[1:] if v not in (None, "")]
            for col in wb[LISTS_SHEET].iter_cols(values_only=True) if col and col[0]}


def fill(path: Path, out: Path, answers: Mapping[str, Any]) -> Path:
    """Write ``answers`` (input key -> value) into the form at ``path`` and save it as ``out``."""
    wb = openpyxl.load_workbook(path)
    return _save(wb, input_cells(wb), answers, out)


def _save(wb: Any, cells: Mapping[str, tuple[str, str, str]], answers: Mapping[str, Any], out: Path) -> Path:
    for key, value in answers.items():
        if key in cells and value not in (None, ""):
            sheet, cell, _ = cells[key]
            wb[sheet][cell].value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


class Simulator:
    """Seeded, plausible answers for the forms of one audit."""

    def __init__(self, plan: AuditPlan, seed: int = 2026):
        self.plan = plan
        self.rng = random.Random(seed)
        self.quality = {c.case_ref: self.rng.uniform(1.3, 3.8) for c in plan.cases}
        self.lean = {a: self.rng.uniform(-0.4, 0.4) for a in sorted({x.agency for x in plan.assignments})}
        self.section_effect = {(c.case_ref, s.id): self.rng.gauss(0, 0.5) for c in plan.cases
                               for s in plan.tool.sections}
        self.ranked = {g.rank: g.label for g in plan.scale.ranked}
        self._rolls: dict[tuple[str, str, str], float] = {}
        self.na = next((g.label for g in plan.scale.grades if g.code.upper() == "NA"), None)
        self.ne = next((g.label for g in plan.scale.grades if g.code.upper() == "NE"), None)

    def rank(self, form: IssuedForm, section_id: str) -> int:
        """The case's quality, the section's strength in this case, the agency's lean, and a little noise."""
        q = (self.quality.get(form.case_ref, 2.5) + self.section_effect.get((form.case_ref, section_id), 0.0)
             + self.lean.get(form.agency, 0.0) + self.rng.gauss(0, 0.3))
        return min(4, max(1, round(q)))

    def answers(self, form: IssuedForm, types: Mapping[str, str], lists: Mapping[str, list[str]],
                **override: Any) -> dict[str, Any]:
        """Input key -> value for every input of the form; ``override`` replaces any of them."""
        if form.kind == "views":
            return {**self.views(form, types), **override}
        out: dict[str, Any] = {}
        ranks: list[int] = []
        titles = {s.id: s.title for s in self.plan.tool.sections}
        for key, kind in types.items():
            group, _, rest = key.partition(".")
            if group != "section":
                out[key] = self._question(rest, kind, lists)
            elif key.endswith(".grade"):
                sid = rest.rpartition(".")[0]
                out[key] = self._grade(form, sid, ranks)
                out.update(self._texts(sid, titles.get(sid, sid), out[key], types))
        if ranks and "closing.overall_grade" in types:
            out["closing.overall_grade"] = self.ranked[min(4, max(1, round(sum(ranks) / len(ranks))))]
        out.update(override)
        return out

    def views(self, form: IssuedForm, types: Mapping[str, str]) -> dict[str, Any]:
        """A views form's conversations: a parent or carer, and for about half the cases the child too, dated
        between the draw and the deadline, most agreeing to be quoted."""
        terms = self.plan.terms
        start = self.plan.sample.drawn_on if self.plan.sample else (terms.period_to or date(2026, 11, 2))
        days = max(1, ((terms.deadline or start + timedelta(days=28)) - start).days - 1)
        talks: list[tuple[str, int | None]] = [(self.rng.choice(["Parent", "Carer"]), None)]
        if self.rng.random() < 0.5:
            talks.append(("Child or young person", self.rng.randint(6, 15)))
        out: dict[str, Any] = {}
        for n, (who, age) in enumerate(talks, start=1):
            answers = {"given_by": who, "child_age": age, "date": start + timedelta(days=self.rng.randint(1, days)),
                       "method": self.rng.choice(["Face to face", "Telephone"]),
                       "consent": "Yes" if self.rng.random() < 0.8 else "No",
                       "listened_to": self.rng.choice(["Yes", "Partly", "No"]),
                       "safer": self.rng.choice(["Much more", "A little more", "No change"]),
                       **{k: self.rng.choice(v) for k, v in VIEWS.items()}}
            out.update({f"closing.c{n}_{k}": v for k, v in answers.items() if f"closing.c{n}_{k}" in types})
        return out

    def _grade(self, form: IssuedForm, section_id: str, ranks: list[int]) -> str:
        # whether a section applies depends on the agency's part in the case: the same for both its auditors
        roll = self._rolls.setdefault((form.case_ref, form.agency, section_id), self.rng.random())
        if roll < 0.06 and self.na:
            return self.na
        if roll < 0.09 and self.ne:
            return self.ne
        r = self.rank(form, section_id)
        ranks.append(r)
        return self.ranked[r]

    def _texts(self, sid: str, title: str, grade: str, types: Mapping[str, str]) -> dict[str, Any]:
        g = self.plan.scale.by_label(grade)
        out: dict[str, Any] = {}
        prefix = f"section.{sid}."
        if g is None or g.rank is None:
            text = ("Not applicable to this agency's involvement." if g and g.code.upper() == "NA"
                    else "Nothing recorded on file for this period.")
            out[prefix + "evidence"] = text
            return out
        out[prefix + "evidence"] = self.rng.choice(EVIDENCE[g.rank]).format(s=title.lower()).capitalize()
        if f"{prefix}strengths" in types and g.rank <= 3:
            out[prefix + "strengths"] = self.rng.choice(STRENGTHS)
        if f"{prefix}development" in types and g.rank >= 2:
            out[prefix + "development"] = self.rng.choice(DEVELOPMENT)
        if f"{prefix}action" in types and g.rank >= 3:
            out[prefix + "action"] = "Team manager to review the case within four weeks."
        return out

    def _question(self, qid: str, kind: str, lists: Mapping[str, list[str]]) -> Any:
        if qid == "safeguarded_now":
            return "Yes"
        if qid == "no_involvement":
            return (lists.get(f"xl_list_{qid}") or ["Yes, I confirm"])[0]
        if qid in ("safeguarding_action",):
            return None
        if qid == "tool_feedback":
            return self.rng.choice(FEEDBACK) or None
        if kind in ("choice", "grade"):
            choices = lists.get(f"xl_list_{qid}") or list(self.ranked.values())
            return self.rng.choice(choices)
        if kind == "date":
            return date(2026, 11, 1) - timedelta(days=self.rng.randint(0, 300))
        if kind == "whole_number":
            return self.rng.randint(0, 3)
        if qid in VIEWS:
            return self.rng.choice(VIEWS[qid])
        return "Safeguarding team" if kind == "text" else "See the record."


def set_saved_at(path: Path, when: datetime) -> None:
    """Set a workbook's own last-saved time (docProps/core.xml dcterms:modified), as if saved then."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as src:
        parts = [(info, src.read(info)) for info in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in parts:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + stamp + rb"\g<2>",
                              data)
            dst.writestr(info, data)
    path.write_bytes(buf.getvalue())


def fill_plausibly(sim: Simulator, form: IssuedForm, path: Path, out: Path, **override: Any) -> Path:
    """Fill one issued form with the simulator's answers (``override`` by input key) and save it as ``out``."""
    wb = openpyxl.load_workbook(path)
    cells = input_cells(wb)
    values = sim.answers(form, {k: t for k, (_, _, t) in cells.items()}, choice_lists(wb), **override)
    return _save(wb, cells, values, out)
