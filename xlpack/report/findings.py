"""What the overview report says, worked out from the consolidated audit.

Every grade figure comes from :mod:`xlpack.analysis.pivots` and :mod:`xlpack.analysis.agreement`;
this module picks, orders and classifies those figures (working well,
mixed, causing concern), and gathers what else the report needs: the
sample's spread, who took part and what came back, the auditors' own
words for the evidence, the children's and families' views, the flags
and what the meeting resolved. What happened to forms that were not used
is said in plain words (:data:`STATUS_WORDS`, :data:`PLAIN_REASONS`), never
as the intake's messages.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from xlpack.analysis.agreement import UnitAgreement, audit_alpha, units, within_one_share
from xlpack.analysis.flags import rule_by_name
from xlpack.analysis.pivots import (
    GOOD_COUNT,
    GOOD_SHARE,
    GRADED,
    INADEQUATE_COUNT,
    INADEQUATE_SHARE,
    NO_SHARE,
    NOT_RECORDED,
    CaseField,
    breakdown_by_field,
    case_fields,
    distribution,
    moderation_changes,
    section_ranking,
    share_percent,
    share_value,
)
from xlpack.analysis.verdicts import (
    Verdict,
    verdict,
)
from xlpack.analysis.views import base_questions, conversations, quotable_words, too_young
from xlpack.intake.problems import CATALOGUE
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import GradeScale, ToolDefinition
from xlpack.model.plan import AuditPlan, IssuedForm
from xlpack.model.records import FlagRow, FormSummary, GradeRow, ReturnRow, ViewsRow

RETURNED = ("accepted", "accepted_with_warnings")
_STATUS_ORDER = {"accepted": 0, "accepted_with_warnings": 1, "rejected": 2, "overdue": 3, "missing": 4}
STATUS_WORDS = {"accepted": "Returned", "accepted_with_warnings": "Returned (with warnings)",
                "rejected": "Returned but not used", "overdue": "Not returned by the deadline",
                "missing": "Not returned"}

#: Why a returned form could not be used, in words for the partnership, by intake problem code.
#: Codes not listed read as :data:`UNREADABLE`; the Returns and Problems sheets keep the full messages.
PLAIN_REASONS: dict[str, str] = {
    **dict.fromkeys(("locked-text-changed", "more-changes", "rows-inserted", "rows-deleted", "sheet-missing",
                     "sheet-renamed"), "returned with the form's layout changed"),
    **dict.fromkeys(("metadata-missing", "metadata-damaged", "metadata-mismatch", "fingerprint-mismatch"),
                    "returned with the form's hidden details changed, so it could not be checked"),
    **dict.fromkeys(("other-audit", "unknown-form"), "the form returned was not the one issued for this audit"),
    **dict.fromkeys(("grade-invalid", "grade-formula"), "a grade was given that is not on the grading scale"),
    **dict.fromkeys(("choice-invalid", "not-a-date", "not-a-whole-number", "number-out-of-range", "answer-formula",
                     "text-too-long"), "some answers could not be read"),
    "no-answers": "returned without any answers",
    **dict.fromkeys(("old-xls", "wrong-format"), "saved in another file format"),
    **dict.fromkeys(("encrypted", "wrong-password"), "protected by a password that was not available"),
}
UNREADABLE = "the file could not be read"


def pct(share: float | None) -> str:
    """A share already worked out (a fraction), written as every share is (:func:`share_percent`)."""
    return NO_SHARE if share is None or pd.isna(share) else share_percent(share)


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
    good_n: int = 0  # answers Good or better
    inadequate_n: int = 0


@dataclass(frozen=True)
class Agreement:
    units: int
    within_one: float | None
    alpha: float | None
    within_n: int = 0  # case sections within one grade


@dataclass(frozen=True)
class FormStatus:
    form: IssuedForm
    status: str
    detail: str = ""

    @property
    def returned(self) -> bool:
        return self.status in RETURNED

    @property
    def what_happened(self) -> str:
        """In plain words: "Not returned", or "Returned but not used: <reason>"."""
        words = STATUS_WORDS.get(self.status, self.status)
        if self.status != "rejected":
            return words
        return f"{words}: {plain_reason(self.detail)}"


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
class Source:
    """Where an extract comes from: agency and case reference only, and the grade given."""

    agency: str
    case_ref: str
    grade: str


@dataclass(frozen=True)
class Example:
    """A few words from auditors, once however many forms wrote them, attributed to agency and case only."""

    text: str
    sources: tuple[Source, ...]

    @property
    def agency(self) -> str:
        return self.sources[0].agency

    @property
    def case_ref(self) -> str:
        return self.sources[0].case_ref

    @property
    def grade(self) -> str:
        return self.sources[0].grade


@dataclass(frozen=True)
class ViewsSummary:
    forms: int
    cases: int
    choices: list[tuple[str, list[tuple[str, int]]]]  # question label -> (answer, count)
    words: list[tuple[str, list[tuple[str, list[str]]]]]  # question label -> (text, case references giving it)
    conversations: int = 0
    consented: int = 0  # conversations whose words may be quoted
    given_by: str = ""  # "3 by a child or young person, 2 by a parent"


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
    section_agreement: list[tuple[str, int, int, int]]  # as returned, see agreement_by_section
    audit_returns: Returns
    views_returns: Returns
    overall_grades: pd.DataFrame  # auditors' overall grade of each form
    not_safe: list[FormSummary] = field(default_factory=list)
    breakdowns: list[tuple[CaseField, pd.DataFrame]] = field(default_factory=list)  # after moderation

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
        good, bad = share_value(row[GOOD_SHARE]), share_value(row[INADEQUATE_SHARE])
        ranking.append(SectionFigures(ids.get(str(title), str(title)), str(title), i, int(row[GRADED]), good, bad,
                                      verdict(good, bad), int(row[GOOD_COUNT]), int(row[INADEQUATE_COUNT])))
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
        agreement_returned=agreement_of(returned_units),
        agreement_moderated=agreement_of(moderated_units),
        disagreements=sorted((u for u in returned_units if u.spread >= 2),
                             key=lambda u: (-u.spread, u.case_ref.casefold(), u.section_order)),
        section_agreement=agreement_by_section(returned_units),
        audit_returns=returns_of(plan, audit.returns, "audit"),
        views_returns=returns_of(plan, audit.returns, "views"),
        overall_grades=distribution(overall_grade_rows(audit.summaries), scale, "overall"),
        not_safe=[s for s in audit.summaries if (s.safeguarded_now or "").strip().casefold() in ("no", "unsure")],
        breakdowns=[(fld, breakdown_by_field(grades, plan.cases, fld, scale, default_category=plan.tool.category))
                    for fld in case_fields(plan)],
    )


def agreement_of(us: Sequence[UnitAgreement]) -> Agreement:
    return Agreement(len(us), within_one_share(us), audit_alpha(us), sum(u.within_one for u in us))


def agreement_by_section(us: Sequence[UnitAgreement]) -> list[tuple[str, int, int, int]]:
    """(section title, case sections compared, within one grade, two or more apart), in tool order."""
    grouped: dict[tuple[int, str], list[UnitAgreement]] = defaultdict(list)
    for u in us:
        grouped[(u.section_order, u.section_title)].append(u)
    return [(title, len(members), sum(u.within_one for u in members), sum(u.spread >= 2 for u in members))
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


@lru_cache(maxsize=1)
def _message_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each catalogue code with a pattern matching its messages (the fields of the template as wildcards)."""
    out = []
    for code, spec in CATALOGUE.items():
        parts = re.split(r"\{\w+\}", spec.template)
        while parts and not parts[0].strip("'\" "):  # a message starting with a value: from its first words
            parts.pop(0)
        out.append((code, re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)))
    return tuple(out)


def problem_codes(detail: str) -> list[str]:
    """The intake problem codes whose messages are in ``detail`` (as on the Returns sheet), in order of appearance."""
    found = []
    for code, pattern in _message_patterns():
        m = pattern.search(detail)
        if m:
            found.append((m.start(), code))
    return [code for _, code in sorted(found)]


def plain_reason(detail: str) -> str:
    """Why a returned form was not used, for the partnership: the plain reasons of its problems, each once."""
    reasons = list(dict.fromkeys(PLAIN_REASONS.get(code, UNREADABLE) for code in problem_codes(detail)
                                 if CATALOGUE[code].severity == "error"))
    return "; ".join(reasons or [UNREADABLE])


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

    Identical extracts (the same words, however spaced or quoted) are one
    example with every form that wrote them. Different agencies first;
    attributed to agency and case reference only.
    """
    rank = {g.label: g.rank for g in scale.grades if g.rank is not None}
    grouped: dict[str, list[tuple[int, GradeRow]]] = defaultdict(list)
    texts: dict[str, str] = {}
    for r in grades:
        grade = r.final_grade
        if r.section_id != section_id or grade not in rank:
            continue
        value = rank[grade] or 0
        if concern and value <= 2 or not concern and value > 2:
            continue
        fields = (r.development, r.evidence, r.action) if concern else (r.strengths, r.evidence)
        text = unquote(next((t for t in fields if t.strip()), ""))
        if text:
            key = text.casefold()
            texts.setdefault(key, text)
            grouped[key].append((-value if concern else value, r))
    candidates = []
    for key, members in grouped.items():
        members.sort(key=lambda m: (m[0], m[1].case_ref.casefold(), m[1].agency.casefold()))
        best, first = members[0]
        candidates.append(((best, first.case_ref.casefold(), first.agency.casefold()), key, members))
    candidates.sort(key=lambda c: c[0])
    chosen: list[str] = []
    seen_agencies: set[str] = set()
    for first_pass in (True, False):
        for (_, _, agency), key, _ in candidates:
            if len(chosen) >= limit:
                break
            if key in chosen or (first_pass and agency in seen_agencies):
                continue
            chosen.append(key)
            seen_agencies.add(agency)
    by_key = {key: members for _, key, members in candidates}
    return [Example(shorten(texts[key], words),
                    tuple(Source(r.agency, r.case_ref, r.final_grade or "") for _, r in by_key[key]))
            for key in chosen]


QUOTE_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "„": "“"}


def unquote(text: str) -> str:
    """Text without the quotation marks around the whole of it (the report puts its own), spaces made single.

    "'I feel safer now.'" and "“I feel safer now”." become "I feel safer now."; text that only
    starts or ends with a quotation (or holds two) is left as it is.
    """
    text = " ".join(text.split())
    m = re.fullmatch(r"(.)(.*)(.)([.!?])", text, re.DOTALL)
    if not m or QUOTE_PAIRS.get(m.group(1)) != m.group(3):
        m = re.fullmatch(r"(.)(.*)(.)()", text, re.DOTALL)
    if not m or QUOTE_PAIRS.get(m.group(1)) != m.group(3):
        return text
    opener, inner, closer, stop = m.groups()
    # a quotation mark inside (not an apostrophe between letters) means the quotes are not around the whole
    inside = [i for i, ch in enumerate(inner) if ch in (opener, closer)
              and not (0 < i < len(inner) - 1 and inner[i - 1].isalpha() and inner[i + 1].isalpha())]
    if inside or not inner.strip():
        return text
    inner = inner.strip()
    return inner + stop if stop and inner[-1:] not in ".!?" else inner


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


def views_summary(views: Sequence[ViewsRow], definition: ToolDefinition | None,
                  plan: AuditPlan | None = None) -> ViewsSummary:
    """The views forms' answers over every conversation; words only from conversations with consent to quote."""
    talks = conversations(views, definition)
    choices: list[tuple[str, list[tuple[str, int]]]] = []
    words: list[tuple[str, list[tuple[str, list[str]]]]] = []
    for _, label, q in base_questions(definition):
        if q.type == "choice":
            given = [c.by_label[label] for c in talks if label in c.by_label]
            choices.append((label, _counted(given, q.choices)))
        elif q.type == "long_text":
            quoted = [(ref, text) for lab, text, ref in quotable_words(talks, plan) if lab == label]
            if quoted:
                words.append((label, same_words(quoted)))
    by = _counted([c.given_by for c in talks if c.given_by], None)
    return ViewsSummary(len(views), len({v.case_ref.casefold() for v in views}), choices, words, len(talks),
                        sum(c.quotable and not too_young(c, plan) for c in talks),
                        ", ".join(f"{n} by {who[:1].lower()}{who[1:]}" for who, n in by)
                        or "who gave the views not recorded")


def same_words(given: Sequence[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """(text, case references) for each different text, quotation marks around it taken off, in order of first
    appearance; identical texts (any case or spacing) once, with every case that gave them."""
    grouped: dict[str, tuple[str, list[str]]] = {}
    for ref, text in given:
        bare = unquote(text)
        grouped.setdefault(bare.casefold(), (bare, []))[1].append(ref)
    return list(grouped.values())


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
