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

from xlpack.analysis.agreement import UnitAgreement, audit_alpha, units, within_one_share
from xlpack.analysis.build import first_sentence  # the Returns sheet's own shortening of a message
from xlpack.analysis.flags import rule_by_name
from xlpack.analysis.pivots import (
    NO_SHARE,
    NOT_RECORDED,
    CaseField,
    Distribution,
    breakdown_by_field,
    case_fields,
    distribution,
    moderation_changes,
    overall,
    section_ranking,
    share_percent,
)
from xlpack.analysis.recommendations import Recommendation, recommendations
from xlpack.analysis.verdicts import Thresholds, Verdict
from xlpack.analysis.views import base_questions, conversations, quotable_words, too_young
from xlpack.intake.problems import CATALOGUE
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import GradeScale, ToolDefinition, good_or_better
from xlpack.model.names import NameLists, quoted, redact_names
from xlpack.model.plan import AuditPlan, IssuedForm
from xlpack.model.records import FlagRow, FormSummary, GradeRow, ReturnRow, ViewsRow

RETURNED = ("accepted", "accepted_with_warnings")
_STATUS_ORDER = {"accepted": 0, "accepted_with_warnings": 1, "rejected": 2, "overdue": 3, "missing": 4}
STATUS_WORDS = {"accepted": "Returned", "accepted_with_warnings": "Returned (with warnings)",
                "rejected": "Returned but not used", "overdue": "Not returned by the deadline",
                "missing": "Not returned"}

#: Why a returned form could not be used, in words for the partnership, by intake problem code: every
#: error of the intake catalogue has one (a test walks the catalogue). The Returns and Problems sheets keep
#: the full messages.
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
    **dict.fromkeys(("old-xls", "wrong-format", "not-a-workbook", "empty-workbook"), "saved in another file format"),
    **dict.fromkeys(("encrypted", "wrong-password", "archive-encrypted"),
                    "protected by a password that was not available"),
    **dict.fromkeys(("not-a-form", "other-coordinator"), "the file returned was not an audit form"),
    **dict.fromkeys(("zip-bomb", "size-understated", "zip-method", "part-too-large", "unsafe-xml", "hidden-macros"),
                    "the file held content a form never holds, so it was not opened"),
    **dict.fromkeys(("archive-damaged", "archive-too-deep", "archive-too-large", "not-found", "broken-link",
                     "not-a-file", "internal-error", "unreadable", "empty-file", "file-too-large", "damaged"),
                    "the file could not be read"),
}
UNREADABLE = "the file could not be read"


def pct(share: float | None) -> str:
    """A share already worked out (a fraction), written as every share is (:func:`share_percent`)."""
    return NO_SHARE if share is None else share_percent(share)


@dataclass(frozen=True)
class SectionFigures:
    """One section's grades (after moderation), in ranking order."""

    section_id: str
    title: str
    rank: int  # 1 = working best
    verdict: Verdict
    figures: Distribution  # case records (a shared record counts in fractions, see pivots.records)

    @property
    def graded(self) -> float:
        return self.figures.graded

    @property
    def good(self) -> float | None:
        """The share Good or better (None when nothing was graded)."""
        return self.figures.good_share

    @property
    def inadequate(self) -> float | None:
        return self.figures.inadequate_share


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
    by_section: dict[str, Distribution]  # after moderation, tool order
    by_section_returned: dict[str, Distribution]
    by_agency: dict[str, Distribution]
    overall: Distribution
    overall_returned: Distribution
    ranking: list[SectionFigures]
    changes: list[GradeRow]
    agreement_returned: Agreement
    agreement_moderated: Agreement
    disagreements: list[UnitAgreement]  # as returned, two or more grades apart; widest first
    section_agreement: list[tuple[str, int, int, int]]  # as returned, see agreement_by_section
    audit_returns: Returns
    views_returns: Returns
    overall_grades: Distribution  # auditors' overall grade of each form
    not_safe: list[FormSummary] = field(default_factory=list)
    breakdowns: list[tuple[CaseField, dict[str, Distribution]]] = field(default_factory=list)  # after moderation
    thresholds: Thresholds = field(default_factory=Thresholds)
    recommendations: list[Recommendation] = field(default_factory=list)
    quotes: QuotePool | None = None
    internal: bool = False  # the internal version (auditors named), not the board's

    @property
    def audience(self) -> str:
        return "internal" if self.internal else "board"

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

    def good_practice(self, limit: int = 3) -> list[SectionFigures]:
        """Where to learn from: the sections working well (best first); where none is, those with the most
        Outstanding grades backed by evidence (Grades sheet), whatever their reading."""
        found = self.with_verdict("Working well")
        if found:
            return found[:limit]
        best = min(self.scale.ranked, key=lambda g: g.rank or 0).label
        counts = Counter(r.section_id for r in self.audit.grades if r.final_grade == best and r.evidence.strip())
        order = {s.section_id: i for i, s in enumerate(self.ranking)}
        chosen = sorted((s for s in self.ranking if counts[s.section_id]),
                        key=lambda s: (-counts[s.section_id], order[s.section_id]))
        return chosen[:min(2, limit)]

    def best(self, limit: int = 3) -> list[SectionFigures]:
        """The sections of best practice (best first); the highest ranked when none is working well."""
        found = self.with_verdict("Working well")
        graded = [s for s in self.ranking if s.verdict not in ("Not graded", "Causing concern")]
        return found[:limit] if found else graded[:min(2, limit)]


def analyse(audit: ConsolidatedAudit, *, internal: bool = False) -> Findings:
    plan, grades = audit.plan, audit.grades
    scale = plan.scale
    thresholds = Thresholds.of(plan.terms)
    ids = {s.title: s.id for s in plan.tool.sections}
    ranking = [SectionFigures(ids.get(d.key, d.key), d.key, i, thresholds.verdict(d.good_share, d.inadequate_share), d)
               for i, d in enumerate(section_ranking(grades, scale, thresholds=thresholds), start=1)]
    returned_units = units(grades, scale, moderated=False)
    moderated_units = units(grades, scale, moderated=True)
    return Findings(
        audit=audit,
        by_section=distribution(grades, scale, "section"),
        by_section_returned=distribution(grades, scale, "section", moderated=False),
        by_agency=distribution(grades, scale, "agency"),
        overall=overall(grades, scale),
        overall_returned=overall(grades, scale, moderated=False),
        ranking=ranking,
        changes=moderation_changes(grades),
        agreement_returned=agreement_of(returned_units),
        agreement_moderated=agreement_of(moderated_units),
        disagreements=sorted((u for u in returned_units if u.spread >= 2),
                             key=lambda u: (-u.spread, u.case_ref.casefold(), u.section_order)),
        section_agreement=agreement_by_section(returned_units),
        audit_returns=returns_of(plan, audit.returns, "audit"),
        views_returns=returns_of(plan, audit.returns, "views"),
        overall_grades=overall(overall_grade_rows(audit.summaries), scale),
        not_safe=[s for s in audit.summaries if (s.safeguarded_now or "").strip().casefold() in ("no", "unsure")],
        breakdowns=[(fld, breakdown_by_field(grades, plan.cases, fld, scale, default_category=plan.tool.category))
                    for fld in case_fields(plan)],
        thresholds=thresholds,
        recommendations=recommendations(grades, scale, plan.tool, thresholds),
        quotes=QuotePool(grades, scale, names=plan.name_lists()),
        internal=internal,
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


_MARK = "\x00{}\x00"


def _fields_as_wildcards(text: str) -> str:
    """A template with its ``{field}`` marks (as :data:`_MARK`) turned into a lazy wildcard, the rest escaped."""
    return ".+?".join(re.escape(part) for part in re.split(r"\x00\w+\x00", text))


@lru_cache(maxsize=1)
def _message_patterns() -> tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...]:
    """Each catalogue code with two patterns: its short wording as the Returns sheet holds it (the message's
    first sentence, then the cell in brackets or "; N more"), and its whole message anywhere in a text."""
    out = []
    for code, spec in CATALOGUE.items():
        marked = re.sub(r"\{(\w+)\}", lambda m: _MARK.format(m.group(1)), spec.template)
        short = re.compile("^" + _fields_as_wildcards(first_sentence(marked)) + r"(?:$| \(|;|\.)", re.DOTALL)
        parts = re.split(r"\{\w+\}", spec.template)
        while parts and not parts[0].strip("'\" "):  # a message starting with a value: from its first words
            parts.pop(0)
        out.append((code, short, re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)))
    return tuple(out)


def problem_codes(detail: str) -> list[str]:
    """The intake problem codes whose messages are in ``detail``, in order of appearance: every whole message
    found (as on the Problems sheet), else the one the Returns sheet's short wording names (its first error)."""
    found = []
    for code, _, pattern in _message_patterns():
        m = pattern.search(detail)
        if m:
            found.append((m.start(), code))
    if found:
        return [code for _, code in sorted(found)]
    return [code for code, pattern, _ in _message_patterns()
            if CATALOGUE[code].severity == "error" and pattern.match(detail)][:1]


def plain_reason(detail: str) -> str:
    """Why a returned form was not used, for the partnership: the plain reasons of its problems, each once."""
    reasons = list(dict.fromkeys(PLAIN_REASONS.get(code, UNREADABLE) for code in problem_codes(detail)
                                 if CATALOGUE[code].severity == "error"))
    return "; ".join(reasons or [UNREADABLE])


def person(form: IssuedForm) -> tuple[str, str]:
    """Who an auditor is: their name and email (Issued forms sheet, Auditor and Email), spaces and case ignored."""
    return (" ".join(form.auditor.split()).casefold(), form.email.strip().casefold())


def people(returns: Returns) -> int:
    """How many people the forms were issued to (not forms, not assignments)."""
    return len({person(f.form) for f in returns.forms})


def agencies_taking_part(returns: Returns) -> list[AgencyTakingPart]:
    grouped: dict[str, list[FormStatus]] = defaultdict(list)
    for f in returns.forms:
        grouped[f.form.agency].append(f)
    out = [AgencyTakingPart(agency, len({f.form.case_ref.casefold() for f in forms}),
                            len({person(f.form) for f in forms}), len(forms),
                            sum(f.returned for f in forms))
           for agency, forms in grouped.items()]
    return sorted(out, key=lambda a: a.agency.casefold())


def auditors_taking_part(returns: Returns) -> list[tuple[str, str, str, int]]:
    """(agency, auditor, role, cases audited: forms returned and used), by agency then auditor."""
    cases: dict[tuple[str, str], set[str]] = defaultdict(set)
    roles: dict[tuple[str, str], str] = {}
    for f in returns.forms:
        key = (f.form.agency, f.form.auditor)
        cases.setdefault(key, set())
        if f.returned:
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
        if concern == good_or_better(value):
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


# ---------------------------------------------------------------------------- what was done about "not safeguarded"

SAFE_RULE = "not_safeguarded"  # the Flags sheet's rule for No or Unsure to "Is the child adequately safeguarded now?"


@dataclass(frozen=True)
class NotSafe:
    """One form answering No or Unsure to "Is the child adequately safeguarded now?", and what is recorded of what
    followed: the form's own answer to what was done (Summaries, safeguarding action) and the resolution the
    coordinator typed on the Flags sheet (Resolution column of the not-safeguarded flag)."""

    case_ref: str
    agency: str
    answer: str
    action: str
    resolutions: tuple[str, ...]


def not_safe_records(summaries: Sequence[FormSummary], flags: Sequence[FlagRow],
                     names: NameLists | None = None) -> list[NotSafe]:
    """The forms answering No or Unsure, with what is recorded of what followed, names shown as [name]."""
    out = []
    for s in summaries:
        answer = (s.safeguarded_now or "").strip()
        if answer.casefold() not in ("no", "unsure"):
            continue
        resolved = tuple(dict.fromkeys(
            quoted(fl.resolution, names) for fl in flags
            if fl.rule == SAFE_RULE and fl.case_ref.casefold() == s.case_ref.casefold()
            and any(a.casefold() == s.agency.casefold() for a in fl.agencies) and fl.resolution.strip()))
        out.append(NotSafe(s.case_ref, s.agency, answer, quoted(s.safeguarding_action, names), resolved))
    return sorted(out, key=lambda n: (n.case_ref.casefold(), n.agency.casefold()))


# ---------------------------------------------------------------------------- quotes, each used once


@dataclass(frozen=True)
class Quote:
    """A few words of an auditor's evidence for a grade, attributed to agency and section only."""

    text: str
    agency: str
    section: str
    grade: str


class QuotePool:
    """The evidence behind the grades (Grades sheet, Evidence column), handed out so no words are quoted twice.

    Concern comes from the evidence of Inadequate and Adequate grades (weakest first), good practice from that
    of Outstanding and Good ones (strongest first); different agencies first within a section.
    """

    def __init__(self, grades: Sequence[GradeRow], scale: GradeScale, words: int = 45,
                 names: NameLists | None = None) -> None:
        rank = {g.label: g.rank for g in scale.grades if g.rank is not None}
        self._found: dict[tuple[str, bool], list[tuple[tuple[int, str, str], Quote]]] = defaultdict(list)
        for r in grades:
            grade = r.final_grade or ""
            value = rank.get(grade)
            text = unquote(r.evidence) if r.evidence.strip() else ""
            text = redact_names(text, names) if names is not None and text else text  # names never quoted
            if value is None or not text:
                continue
            concern = value > 2
            key = (-value if concern else value, r.case_ref.casefold(), r.agency.casefold())
            self._found[(r.section_id, concern)].append((key, Quote(shorten(text, words), r.agency, r.section_title,
                                                                    grade)))
        for found in self._found.values():
            found.sort(key=lambda kq: kq[0])
        self._used: set[str] = set()

    def take(self, section_id: str, *, concern: bool, limit: int = 1) -> list[Quote]:
        """Up to ``limit`` quotes not used yet, from different agencies where there are."""
        chosen: list[Quote] = []
        for first_pass in (True, False):
            for _, q in self._found.get((section_id, concern), []):
                if len(chosen) >= limit:
                    return chosen
                key = q.text.casefold()
                if key in self._used or (first_pass and any(c.agency == q.agency for c in chosen)):
                    continue
                self._used.add(key)
                chosen.append(q)
        return chosen


# ---------------------------------------------------------------------------- how the audit itself went


def tool_feedback(summaries: Sequence[FormSummary], names: NameLists | None = None) -> list[tuple[str, list[str]]]:
    """The auditors' feedback on the tool (Summaries sheet, tool feedback): each different answer once, with the
    agencies that gave it, in order of first appearance."""
    grouped: dict[str, tuple[str, list[str]]] = {}
    for s in sorted(summaries, key=lambda s: (s.case_ref.casefold(), s.agency.casefold(), s.form_id)):
        text = redact_names(unquote(s.tool_feedback), names) if s.tool_feedback.strip() else ""
        if text:
            held = grouped.setdefault(text.casefold(), (text, []))
            if s.agency not in held[1]:
                held[1].append(s.agency)
    return list(grouped.values())
