"""Re-audit comparison: two consolidated audits of the same tool, section by section and agency by agency.

The baseline and the re-audit audit different cases with the same tool
and grade scale. Sections are matched by id; grades by label. The grades
used are those after moderation, in both audits. For each section, each
agency and all sections together the comparison holds both audits' grade
counts and the change in the share Good or better and the share
Inadequate, each with Fisher's exact test (:mod:`xlpack.compare.stats`).
Shares are taken over graded answers only, exactly as the Pivots sheet
takes them (:func:`xlpack.analysis.pivots.distribution`): Not applicable, No
evidence and blanks are counted apart and left out.

Different tools or grade scales are refused unless a map says how the
baseline reads in the re-audit's terms (:mod:`xlpack.compare.mapping`).
The baseline's action plan rows are set against the sections they address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

from xlpack.analysis.pivots import BLANK, distribution
from xlpack.analysis.verdicts import verdict
from xlpack.compare.baseline_actions import BaselineAction, baseline_actions
from xlpack.compare.mapping import CompareMap
from xlpack.compare.stats import ShareChange
from xlpack.errors import UsageError
from xlpack.files.workbooks import require_coordinator
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import GradeScale
from xlpack.model.plan import AuditPlan
from xlpack.model.records import GradeRow
from xlpack.report.write import check_moderation
from xlpack.workbook.readback import read_consolidated

MAP_HELP = ("To compare them anyway, give --map FILE saying how the baseline's sections and grades read in the "
            "re-audit's (see 'Re-audit comparison' in the README).")


@dataclass(frozen=True)
class Tally:
    """One audit's answers for one key (a section, an agency, or all sections)."""

    counts: dict[str, int]  # grade label (the re-audit scale's, then Blank) -> answers
    graded: int
    good: int  # Good or better
    inadequate: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class CompareRow:
    key: str  # section title (the re-audit's), agency, or "All sections"
    section_id: str  # the re-audit's section id; "" for agency and overall rows
    baseline: Tally
    reaudit: Tally

    @property
    def good(self) -> ShareChange:
        return ShareChange(self.baseline.good, self.baseline.graded, self.reaudit.good, self.reaudit.graded)

    @property
    def inadequate(self) -> ShareChange:
        return ShareChange(self.baseline.inadequate, self.baseline.graded, self.reaudit.inadequate,
                           self.reaudit.graded)

    @property
    def reading(self) -> str:
        """The report's reading of the re-audit's figures: Working well, Mixed, Causing concern, Not graded."""
        return verdict(self.good.reaudit, self.inadequate.reaudit)


@dataclass(frozen=True)
class AuditFacts:
    """What the comparison says about each of the two audits."""

    path: str
    title: str
    audit_id: str
    tool: str  # "Child Protection (version 1.0)"
    scale: str
    period_from: date | None
    period_to: date | None
    cases: int
    forms_used: int
    consolidated_at: datetime | None


@dataclass(frozen=True)
class ActionLine:
    """A baseline action row and the figures of the section it addresses (None when it names no section compared)."""

    row: BaselineAction
    compared: CompareRow | None
    why: str = ""  # why there are no figures beside it (said on the row), when ``compared`` is None


@dataclass
class Comparison:
    baseline: AuditFacts
    reaudit: AuditFacts
    scale: GradeScale  # the re-audit's: labels, colours and what counts as Good or better
    sections: list[CompareRow]
    agencies: list[CompareRow]
    overall: CompareRow
    not_compared: list[tuple[str, str]] = field(default_factory=list)  # (section, why)
    actions: list[ActionLine] = field(default_factory=list)
    actions_source: str = ""
    mapping: CompareMap | None = None
    shared_cases: list[str] = field(default_factory=list)  # case references audited in both audits
    multi_form_records: int = 0  # (case, agency) records with two or more forms, in the two audits together

    @property
    def labels(self) -> list[str]:
        """Grade labels with a count in either audit: the scale's, then Blank when there are blanks."""
        blank = self.overall.baseline.counts.get(BLANK, 0) + self.overall.reaudit.counts.get(BLANK, 0)
        return [*self.scale.labels, *([BLANK] if blank else [])]


# ----------------------------------------------------------------------------- matching the two audits


@dataclass
class Alignment:
    sections: dict[str, str]  # baseline section id -> re-audit section id
    grade: Callable[[str | None], str | None]  # baseline grade label -> re-audit grade label
    not_compared: list[tuple[str, str]]


def same_scale(a: GradeScale, b: GradeScale) -> bool:
    return [(g.label, g.rank) for g in a.grades] == [(g.label, g.rank) for g in b.grades]


def check_comparable(baseline: AuditPlan, reaudit: AuditPlan, names: tuple[str, str]) -> None:
    """Refuse two audits of different tools or grade scales (the caller has no map)."""
    b, r = names
    if baseline.tool.id != reaudit.tool.id:
        raise UsageError(f"{b} is an audit with the tool '{baseline.tool.id}' ({baseline.tool.title}) and {r} with "
                         f"'{reaudit.tool.id}' ({reaudit.tool.title}): sections of different tools cannot be "
                         f"matched by id. {MAP_HELP}")
    if not same_scale(baseline.scale, reaudit.scale):
        raise UsageError(f"{b} grades on the scale '{baseline.scale.id}' ({', '.join(baseline.scale.labels)}) and "
                         f"{r} on '{reaudit.scale.id}' ({', '.join(reaudit.scale.labels)}): grades of different "
                         f"scales cannot be compared as they are. {MAP_HELP}")


def align(baseline: AuditPlan, reaudit: AuditPlan, mapping: CompareMap | None) -> Alignment:
    """Which baseline section is which re-audit section, and how baseline grades read on the re-audit's scale."""
    problems: list[str] = []
    b_ids = {s.id: s for s in baseline.tool.sections}
    r_ids = {s.id: s for s in reaudit.tool.sections}
    sections = {sid: sid for sid in b_ids if sid in r_ids}
    grades = {g.label: g.label for g in baseline.scale.grades} if mapping is None else {}
    if mapping is not None:
        for e in mapping.of("section"):
            if e.baseline not in b_ids:
                problems.append(f"{mapping.where(e)}: the baseline's tool has no section '{e.baseline}' "
                                f"(its sections: {', '.join(b_ids)}).")
            elif e.reaudit and e.reaudit not in r_ids:
                problems.append(f"{mapping.where(e)}: the re-audit's tool has no section '{e.reaudit}' "
                                f"(its sections: {', '.join(r_ids)}).")
            elif e.reaudit:
                sections[e.baseline] = e.reaudit
            else:
                sections.pop(e.baseline, None)
        grades, grade_problems = _grade_map(baseline.scale, reaudit.scale, mapping)
        problems += grade_problems
    targets: dict[str, list[str]] = {}
    for b, r in sections.items():
        targets.setdefault(r, []).append(b)
    for r, bs in targets.items():
        if len(bs) > 1:
            problems.append(f"The baseline sections {', '.join(bs)} would all be compared with the re-audit's "
                            f"section '{r}': map one of them elsewhere, or leave it out with an empty value.")
    if problems:
        raise UsageError("The two audits cannot be matched:\n" + "\n".join(f"  - {p}" for p in problems))
    not_compared = [(s.title, _why_alone(sid, "baseline", reaudit, "re-audit")) for sid, s in b_ids.items()
                    if sid not in sections]
    not_compared += [(s.title, _why_alone(sid, "re-audit", baseline, "baseline")) for sid, s in r_ids.items()
                     if sid not in targets]
    return Alignment(sections, lambda g: grades.get(g, g) if g else None, not_compared)


def _why_alone(section_id: str, here: str, other: AuditPlan, there: str) -> str:
    """Why a section of one audit has no counterpart: the other audit's focus left it out, or its tool lacks it."""
    if other.focused and any(s.id == section_id for s in other.definition.sections):
        return f"left out of the focused {there}"
    return f"only in the {here}"


def _grade_map(b: GradeScale, r: GradeScale, mapping: CompareMap) -> tuple[dict[str, str], list[str]]:
    out: dict[str, str] = {}
    problems = []
    for e in mapping.of("grade"):
        src, dst = b.normalise(e.baseline), r.normalise(e.reaudit)
        if src is None:
            problems.append(f"{mapping.where(e)}: '{e.baseline}' is not a grade of the baseline's scale "
                            f"({', '.join(b.labels)}).")
        elif dst is None:
            problems.append(f"{mapping.where(e)}: '{e.reaudit}' is not a grade of the re-audit's scale "
                            f"({', '.join(r.labels)}).")
        else:
            out[src.label] = dst.label
    for g in b.grades:
        if g.label not in out:
            same = r.normalise(g.label)
            if same is None:
                problems.append(f"The baseline's grade '{g.label}' has no grade of the same name in the re-audit's "
                                f"scale: add it under 'grades:' in {mapping.source or 'the map'}.")
            else:
                out[g.label] = same.label
    return out, problems


# ----------------------------------------------------------------------------- the figures


def _in_reaudit_terms(rows: Sequence[GradeRow], a: Alignment, reaudit: AuditPlan) -> list[GradeRow]:
    order = {s.id: (i, s.title) for i, s in enumerate(reaudit.tool.sections, start=1)}
    out = []
    for r in rows:
        sid = a.sections.get(r.section_id)
        if not sid:
            continue
        i, title = order[sid]
        out.append(replace(r, section_id=sid, section_title=title, section_order=i, grade=a.grade(r.grade),
                           moderated_grade=a.grade(r.moderated_grade)))
    return out


def tallies(rows: Sequence[GradeRow], scale: GradeScale, by: str) -> dict[str, Tally]:
    """Key (case-folded) -> tally, from :func:`xlpack.analysis.pivots.distribution` after moderation."""
    dist = distribution(rows, scale, by, one_record=False)  # type: ignore[arg-type]  # forms, for the tests
    labels = [*scale.labels, BLANK]
    out: dict[str, Tally] = {}
    for key, d in dist.items():  # forms, each counted whole: the counts are whole numbers
        t = Tally({lab: int(d[lab]) for lab in labels}, int(d.graded), int(d.good), int(d.inadequate))
        k = key.casefold()
        held = out.get(k)
        out[k] = t if held is None else Tally({lab: held.counts[lab] + t.counts[lab] for lab in labels},
                                              held.graded + t.graded, held.good + t.good,
                                              held.inadequate + t.inadequate)
    return out


def _empty(scale: GradeScale) -> Tally:
    return Tally({lab: 0 for lab in [*scale.labels, BLANK]}, 0, 0, 0)


def _facts(path: str, audit: ConsolidatedAudit) -> AuditFacts:
    plan = audit.plan
    return AuditFacts(path=path, title=plan.terms.title, audit_id=plan.audit_id,
                      tool=f"{plan.tool.title} (version {plan.tool.version})" + (
                          f", focused on {len(plan.tool.sections)} of its {len(plan.definition.sections)} sections"
                          if plan.focused else ""), scale=plan.scale.title,
                      period_from=plan.terms.period_from, period_to=plan.terms.period_to, cases=len(plan.cases),
                      forms_used=len({g.form_id for g in audit.grades}), consolidated_at=audit.consolidated_at)


def compare_audits(baseline: ConsolidatedAudit, reaudit: ConsolidatedAudit, *, mapping: CompareMap | None = None,
                   actions: Sequence[BaselineAction] = (), actions_source: str = "",
                   names: tuple[str, str] = ("The baseline", "the re-audit")) -> Comparison:
    """Compare two consolidated audits (in memory); ``names`` name them in messages."""
    if mapping is None:
        check_comparable(baseline.plan, reaudit.plan, names)
    a = align(baseline.plan, reaudit.plan, mapping)
    scale = reaudit.plan.scale
    targets = set(a.sections.values())
    b_rows = _in_reaudit_terms(baseline.grades, a, reaudit.plan)
    r_rows = [g for g in reaudit.grades if g.section_id in targets]
    sections = []
    b_sec, r_sec = tallies(b_rows, scale, "section"), tallies(r_rows, scale, "section")
    for s in reaudit.plan.tool.sections:
        if s.id in targets:
            k = s.title.casefold()
            sections.append(CompareRow(s.title, s.id, b_sec.get(k, _empty(scale)), r_sec.get(k, _empty(scale))))
    b_ag, r_ag = tallies(b_rows, scale, "agency"), tallies(r_rows, scale, "agency")
    names_of = {g.agency.casefold(): g.agency for g in b_rows} | {g.agency.casefold(): g.agency for g in r_rows}
    agencies = [CompareRow(names_of[k], "", b_ag.get(k, _empty(scale)), r_ag.get(k, _empty(scale)))
                for k in sorted(names_of)]
    b_all, r_all = tallies(b_rows, scale, "overall"), tallies(r_rows, scale, "overall")
    overall = CompareRow("All sections", "", next(iter(b_all.values()), _empty(scale)),
                         next(iter(r_all.values()), _empty(scale)))
    by_id = {row.section_id: row for row in sections}
    lines = [_line(row, by_id.get(a.sections.get(row.section_id, ""))) for row in actions]
    return Comparison(_facts(names[0], baseline), _facts(names[1], reaudit), scale, sections, agencies, overall,
                      a.not_compared, lines, actions_source, mapping, shared_cases(baseline, reaudit),
                      _multi_form_records(b_rows) + _multi_form_records(r_rows))


def _multi_form_records(rows: Sequence[GradeRow]) -> int:
    """How many case records (case and agency) were audited on two or more forms."""
    forms: dict[tuple[str, str], set[str]] = {}
    for g in rows:
        forms.setdefault((g.case_ref.casefold(), g.agency.casefold()), set()).add(g.form_id)
    return sum(len(f) > 1 for f in forms.values())


def _line(row: BaselineAction, compared: CompareRow | None) -> ActionLine:
    if compared is not None:
        return ActionLine(row, compared)
    if not row.section.strip() and not row.section_id:
        why = "No section is named on this row."
    elif not row.section_id:
        why = (f"'{row.section.strip()}' is not a section of the baseline's tool: type the section's title as the "
               "tool has it, or its id.")
    else:
        why = "Its section is not compared: the re-audit has no section it maps to (see About)."
    return ActionLine(row, None, why)


def shared_cases(baseline: ConsolidatedAudit, reaudit: ConsolidatedAudit) -> list[str]:
    """The re-audit's case references that the baseline audited too (case and spacing ignored)."""
    before = {" ".join(c.case_ref.split()).casefold() for c in baseline.plan.cases}
    return sorted(c.case_ref for c in reaudit.plan.cases if " ".join(c.case_ref.split()).casefold() in before)


def compare_workbooks(baseline: Path, reaudit: Path, *, mapping: CompareMap | None = None) -> Comparison:
    """Read two consolidated coordinator workbooks and compare them."""
    baseline, reaudit = Path(baseline), Path(reaudit)
    for path in (baseline, reaudit):
        require_coordinator(path)
    if baseline.resolve() == reaudit.resolve():
        raise UsageError(f"{baseline} was given as both the baseline and the re-audit: give the two audits' "
                         "coordinator workbooks.")
    b, r = read_consolidated(baseline), read_consolidated(reaudit)
    for path, audit in ((baseline, b), (reaudit, r)):
        check_moderation(path, audit.plan.scale, "nothing was compared")
    rows, source = baseline_actions(b)
    return compare_audits(b, r, mapping=mapping, actions=rows, actions_source=source,
                          names=(str(baseline), str(reaudit)))
