"""What the overview report says, worked out from the consolidated audit.

Every grade figure comes from :mod:`xlpack.pivots` and :mod:`xlpack.agreement`;
this module picks, orders and classifies those figures (working well,
mixed, causing concern), and gathers what else the report needs: the
sample's spread, who took part and what came back, the auditors' own
words for the evidence, the children's and families' views, the flags
and what the meeting resolved.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd

from xlpack.analysis.agreement import UnitAgreement, audit_alpha, units, within_one_share
from xlpack.analysis.flags import rule_by_name
from xlpack.analysis.pivots import (
    GOOD_SHARE,
    GRADED,
    INADEQUATE_SHARE,
    distribution,
    moderation_changes,
    section_ranking,
)
from xlpack.analysis.verdicts import (
    Verdict,
    verdict,
)
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import GradeScale, ToolDefinition
from xlpack.model.plan import AuditPlan, IssuedForm
from xlpack.model.records import FlagRow, FormSummary, GradeRow, ReturnRow, ViewsRow

RETURNED = ("accepted", "accepted_with_warnings")
_STATUS_ORDER = {"accepted": 0, "accepted_with_warnings": 1, "rejected": 2, "overdue": 3, "missing": 4}
STATUS_WORDS = {"accepted": "Returned", "accepted_with_warnings": "Returned (with warnings)",
                "rejected": "Returned but rejected", "overdue": "Not returned (overdue)", "missing": "Not returned"}
NOT_RECORDED = "Not recorded"


def pct(share: float | None) -> str:
    """A share as the report prints it: whole per cent, or a dash when there is nothing to share."""
    return "–" if share is None or pd.isna(share) else f"{share:.0%}"


def _share(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class SectionFigures:
    """One section's grades (after moderation), in ranking order."""

    section_id: str
    title: str
    rank: int  # 1 = working best
    graded: int
    good: float | None
    inadequate: float | None
    verdict: Verdict


@dataclass(frozen=True)
class Agreement:
    units: int
    within_one: float | None
    alpha: float | None


@dataclass(frozen=True)
class FormStatus:
    form: IssuedForm
    status: str
    detail: str = ""

    @property
    def returned(self) -> bool:
        return self.status in RETURNED


@dataclass(frozen=True)
class Returns:
    """The issued forms of one kind and what came back for each."""

    forms: list[FormStatus]

    @property
    def issued(self) -> int:
        return len(self.forms)

    @property
    def returned(self) -> int:
        return sum(f.returned for f in self.forms)

    @property
    def rate(self) -> float | None:
        return self.returned / self.issued if self.forms else None

    @property
    def not_returned(self) -> list[FormStatus]:
        return [f for f in self.forms if not f.returned]


@dataclass(frozen=True)
class AgencyTakingPart:
    agency: str
    cases: int
    auditors: int
    issued: int
    returned: int

    @property
    def rate(self) -> float | None:
        return self.returned / self.issued if self.issued else None


@dataclass(frozen=True)
class Example:
    """A few words from an auditor, attributed to agency and case reference only."""

    text: str
    agency: str
    case_ref: str
    grade: str


@dataclass(frozen=True)
class ViewsSummary:
    forms: int
    cases: int
    choices: list[tuple[str, list[tuple[str, int]]]]  # question label -> (answer, count)
    words: list[tuple[str, list[tuple[str, str]]]]  # question label -> (case reference, text)


@dataclass
class Findings:
    """Everything the report's chapters draw on, computed once."""

    audit: ConsolidatedAudit
    by_section: pd.DataFrame  # after moderation, tool order
    by_section_returned: pd.DataFrame
    by_agency: pd.DataFrame
    overall: pd.DataFrame
    overall_returned: pd.DataFrame
    ranking: list[SectionFigures]
    changes: list[GradeRow]
    agreement_returned: Agreement
    agreement_moderated: Agreement
    disagreements: list[UnitAgreement]  # as returned, two or more grades apart; widest first
    section_agreement: list[tuple[str, int, float | None, int]]  # as returned, see agreement_by_section
    audit_returns: Returns
    views_returns: Returns
    overall_grades: pd.DataFrame  # auditors' overall grade of each form
    not_safe: list[FormSummary] = field(default_factory=list)

    @property
    def plan(self) -> AuditPlan:
        return self.audit.plan

    @property
    def scale(self) -> GradeScale:
        return self.audit.plan.scale

    def with_verdict(self, *verdicts: Verdict) -> list[SectionFigures]:
        return [s for s in self.ranking if s.verdict in verdicts]

    def concerns(self, limit: int = 3) -> list[SectionFigures]:
        """The sections of most concern (worst first); the lowest ranked when none meets the threshold."""
        found = list(reversed(self.with_verdict("Causing concern")))
        graded = [s for s in self.ranking if s.verdict != "Not graded"]
        return found[:limit] if found else list(reversed(graded))[:min(2, limit)]

    def best(self, limit: int = 3) -> list[SectionFigures]:
        """The sections of best practice (best first); the highest ranked when none is working well."""
        found = self.with_verdict("Working well")
        graded = [s for s in self.ranking if s.verdict not in ("Not graded", "Causing concern")]
        return found[:limit] if found else graded[:min(2, limit)]


def analyse(audit: ConsolidatedAudit) -> Findings:
    plan, grades = audit.plan, audit.grades
    scale = plan.scale
    ranking_frame = section_ranking(grades, scale)
    ids = {s.title: s.id for s in plan.tool.sections}
    ranking = []
    for i, (title, row) in enumerate(ranking_frame.iterrows(), start=1):
        good, bad = _share(row[GOOD_SHARE]), _share(row[INADEQUATE_SHARE])
        ranking.append(SectionFigures(ids.get(str(title), str(title)), str(title), i, int(row[GRADED]), good, bad,
                                      verdict(good, bad)))
    returned_units = units(grades, scale, moderated=False)
    moderated_units = units(grades, scale, moderated=True)
    return Findings(
        audit=audit,
        by_section=distribution(grades, scale, "section"),
        by_section_returned=distribution(grades, scale, "section", moderated=False),
        by_agency=distribution(grades, scale, "agency"),
        overall=distribution(grades, scale, "overall"),
        overall_returned=distribution(grades, scale, "overall", moderated=False),
        ranking=ranking,
        changes=moderation_changes(grades),
        agreement_returned=Agreement(len(returned_units), within_one_share(returned_units),
                                     audit_alpha(returned_units)),
        agreement_moderated=Agreement(len(moderated_units), within_one_share(moderated_units),
                                      audit_alpha(moderated_units)),
        disagreements=sorted((u for u in returned_units if u.spread >= 2),
                             key=lambda u: (-u.spread, u.case_ref.casefold(), u.section_order)),
        section_agreement=agreement_by_section(returned_units),
        audit_returns=returns_of(plan, audit.returns, "audit"),
        views_returns=returns_of(plan, audit.returns, "views"),
        overall_grades=distribution(overall_grade_rows(audit.summaries), scale, "overall"),
        not_safe=[s for s in audit.summaries if (s.safeguarded_now or "").strip().casefold() in ("no", "unsure")],
    )


def agreement_by_section(us: Sequence[UnitAgreement]) -> list[tuple[str, int, float | None, int]]:
    """(section title, case sections compared, share within one grade, two or more apart), in tool order."""
    grouped: dict[tuple[int, str], list[UnitAgreement]] = defaultdict(list)
    for u in us:
        grouped[(u.section_order, u.section_title)].append(u)
    return [(title, len(members), within_one_share(members), sum(u.spread >= 2 for u in members))
            for (_, title), members in sorted(grouped.items())]


def overall_grade_rows(summaries: Iterable[FormSummary]) -> list[GradeRow]:
    """Each form's overall grade as a row the pivots can count."""
    return [GradeRow(row_id=f"{s.form_id}:overall", form_id=s.form_id, case_ref=s.case_ref, agency=s.agency,
                     auditor=s.auditor, tool_id="", section_id="overall", section_title="Overall grade",
                     section_order=0, grade=s.overall_grade) for s in summaries]


# ---------------------------------------------------------------------------- returns and who took part


def returns_of(plan: AuditPlan, returns: Sequence[ReturnRow], kind: str) -> Returns:
    """Each issued form of ``kind`` with the best status anything returned for it reached."""
    best: dict[str, ReturnRow] = {}
    for r in returns:
        if r.kind != kind or r.status not in _STATUS_ORDER:
            continue
        held = best.get(r.form_id)
        if held is None or _STATUS_ORDER[r.status] < _STATUS_ORDER[held.status]:
            best[r.form_id] = r
    forms = [f for f in plan.issued if f.kind == kind]
    out = []
    for f in sorted(forms, key=lambda f: (f.case_ref.casefold(), f.agency.casefold(), f.auditor.casefold())):
        row = best.get(f.form_id)
        out.append(FormStatus(f, row.status if row else "missing", row.detail if row else ""))
    return Returns(out)


def agencies_taking_part(returns: Returns) -> list[AgencyTakingPart]:
    grouped: dict[str, list[FormStatus]] = defaultdict(list)
    for f in returns.forms:
        grouped[f.form.agency].append(f)
    out = [AgencyTakingPart(agency, len({f.form.case_ref.casefold() for f in forms}),
                            len({f.form.auditor.casefold() for f in forms}), len(forms),
                            sum(f.returned for f in forms))
           for agency, forms in grouped.items()]
    return sorted(out, key=lambda a: a.agency.casefold())


def auditors_taking_part(returns: Returns) -> list[tuple[str, str, str, int]]:
    """(agency, auditor, role, cases audited), by agency then auditor."""
    cases: dict[tuple[str, str], set[str]] = defaultdict(set)
    roles: dict[tuple[str, str], str] = {}
    for f in returns.forms:
        key = (f.form.agency, f.form.auditor)
        cases[key].add(f.form.case_ref.casefold())
        roles.setdefault(key, f.form.role)
    return [(agency, auditor, roles[(agency, auditor)], len(refs))
            for (agency, auditor), refs in sorted(cases.items(), key=lambda kv: (kv[0][0].casefold(),
                                                                                kv[0][1].casefold()))]


# ---------------------------------------------------------------------------- the sample


def sample_spread(plan: AuditPlan) -> list[tuple[str, list[tuple[str, int]]]]:
    """How the cases spread over category and each case detail (choices in their list's order)."""
    out = [("Category", _counted([c.category or plan.tool.category for c in plan.cases], None))]
    for q in plan.tool.case_fields:
        if q.type in ("choice", "text", "whole_number"):
            values = [c.fields.get(q.id, "").strip() or NOT_RECORDED for c in plan.cases]
            out.append((q.label, _counted(values, q.choices)))
    return out


def _counted(values: Sequence[str], order: Sequence[str] | None) -> list[tuple[str, int]]:
    counts = Counter(values)
    if order:
        known = [(v, counts[v]) for v in order if counts[v]]
        rest = sorted((v for v in counts if v not in order), key=str.casefold)
        return known + [(v, counts[v]) for v in rest]
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold()))


# ---------------------------------------------------------------------------- the auditors' words


def examples(grades: Sequence[GradeRow], scale: GradeScale, section_id: str, *, concern: bool, limit: int = 3,
             words: int = 45) -> list[Example]:
    """Short extracts for a section: from the weakest grades (concern) or the strongest (good practice).

    Different agencies first; each extract is attributed to agency and case reference only.
    """
    rank = {g.label: g.rank for g in scale.grades if g.rank is not None}
    picked: list[tuple[int, str, str, str, GradeRow]] = []
    for r in grades:
        grade = r.final_grade
        if r.section_id != section_id or grade not in rank:
            continue
        value = rank[grade] or 0
        if concern and value <= 2 or not concern and value > 2:
            continue
        fields = (r.development, r.evidence, r.action) if concern else (r.strengths, r.evidence)
        text = next((t for t in fields if t.strip()), "")
        if text:
            key = -value if concern else value
            picked.append((key, r.case_ref.casefold(), r.agency.casefold(), text, r))
    picked.sort(key=lambda p: p[:3])
    chosen: list[tuple[str, GradeRow]] = []
    seen_agencies: set[str] = set()
    for first_pass in (True, False):
        for _, _, agency, text, row in picked:
            if len(chosen) >= limit:
                break
            if any(row is r for _, r in chosen) or (first_pass and agency in seen_agencies):
                continue
            chosen.append((text, row))
            seen_agencies.add(agency)
    return [Example(shorten(text, words), row.agency, row.case_ref, row.final_grade or "") for text, row in chosen]


def shorten(text: str, words: int) -> str:
    """At most ``words`` words, ending at a sentence where one ends late enough, else with an ellipsis."""
    tokens = " ".join(text.split()).split(" ")
    if len(tokens) <= words:
        return " ".join(tokens)
    cut = " ".join(tokens[:words])
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
    if end >= len(cut) // 2:
        return cut[: end + 1]
    return cut.rstrip(",;:") + "…"


# ---------------------------------------------------------------------------- views, flags, agencies of concern


def views_summary(views: Sequence[ViewsRow], definition: ToolDefinition | None) -> ViewsSummary:
    questions = [*definition.form_fields, *definition.closing] if definition else []
    choices: list[tuple[str, list[tuple[str, int]]]] = []
    words: list[tuple[str, list[tuple[str, str]]]] = []
    ordered = sorted(views, key=lambda v: (v.case_ref.casefold(), v.form_id))
    for q in questions:
        answers = [(v.case_ref, (v.answers.get(q.id) or "").strip()) for v in ordered]
        given = [(ref, text) for ref, text in answers if text]
        if q.type == "choice":
            choices.append((q.label, _counted([t for _, t in given], q.choices)))
        elif q.type == "long_text" and given:
            words.append((q.label, given))
    return ViewsSummary(len(views), len({v.case_ref.casefold() for v in views}), choices, words)


def flag_title(rule: str) -> str:
    """The rule's title as the Flags sheet shows it (the stored name of a rule no longer known, as it is)."""
    found = rule_by_name(rule)
    return found.title if found else rule


def flags_by_rule(flags: Sequence[FlagRow]) -> list[tuple[str, int, int]]:
    """(rule title, flags raised, flags with a resolution), in the order rules first appear."""
    raised: dict[str, list[FlagRow]] = {}
    for f in flags:
        raised.setdefault(f.rule, []).append(f)
    return [(flag_title(rule), len(rows), sum(bool(r.resolution.strip()) for r in rows))
            for rule, rows in raised.items()]


def agencies_of_concern(grades: Sequence[GradeRow], scale: GradeScale, section_id: str) -> list[str]:
    """Agencies whose grades in a section meet the concern threshold, weakest first."""
    rows = [g for g in grades if g.section_id == section_id]
    by_agency = distribution(rows, scale, "agency")
    weak = []
    for agency, row in by_agency.iterrows():
        good, bad = _share(row[GOOD_SHARE]), _share(row[INADEQUATE_SHARE])
        if verdict(good, bad) == "Causing concern":
            weak.append((good or 0.0, -(bad or 0.0), str(agency).casefold(), str(agency)))
    return [a for *_, a in sorted(weak)]
