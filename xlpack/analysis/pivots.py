"""Grade distributions: by section, agency, case, overall and by any case detail.

Counts per grade label (a :class:`Distribution` per key), with Not
applicable and No evidence shown apart from the graded answers; shares Good
or better and Inadequate (as the scale defines them) are taken over graded
answers only. Before or after moderation. :func:`share_percent`
is how every share is written as text, in the workbook and the report alike.

The unit counted is the case record: one agency's record of one case, for
each section (:func:`records`, :data:`ONE_RECORD_RULE`). Where an agency
returned two or more forms for a case, its record counts once: the
moderated grade where the coordinator typed one, otherwise the forms'
grades share the one count between them (two forms: a half each), so a
count can be a fraction (:func:`count_text`).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from numbers import Integral
from typing import Literal

from xlpack.analysis.verdicts import DEFAULT, Thresholds, reading_order
from xlpack.model.definitions import GradeScale
from xlpack.model.plan import AuditPlan, Case
from xlpack.model.records import GradeRow
from xlpack.wording import number_text

By = Literal["section", "agency", "case", "overall"]
BLANK = "Blank"
TOTAL, GRADED, GOOD_SHARE, INADEQUATE_SHARE = "Total", "Graded", "Good or better", "Inadequate share"
CASES = "Cases"
OVERALL_KEY = "All sections"
NO_SHARE = "–"  # a share of nothing
NOT_RECORDED = "Not recorded"  # a case detail left blank
CATEGORY = "category"  # the Cases sheet's Category column, as a field id


def share_percent(n: float, d: float = 1) -> str:
    """``n`` of ``d`` as a whole percentage, halves rounded up (5 of 8 is "63%"); a dash when ``d`` is 0.

    The one way xlpack writes a share, in the report and the workbook alike: it
    gives what Excel shows for the share n/d in a cell formatted ``0%``. Whole
    numbers are divided exactly; a share already worked out (``share_percent(0.625)``)
    is first taken to 15 significant digits, as Excel does.
    """
    if not d:
        return NO_SHARE
    if isinstance(n, Integral) and isinstance(d, Integral):
        exact = Fraction(100 * int(n), int(d))
    else:
        exact = Fraction(Decimal(f"{100 * n / d:.15g}"))
    return f"{math.floor(exact + Fraction(1, 2))}%"


#: The one-record rule in words, for the Pivots sheet and the report's method chapter.
ONE_RECORD_RULE = ("Counts are of case records: one agency's record of one case, for each section. Where an agency "
                   "returned two or more forms for the same case, its record counts once: the moderated grade where "
                   "the coordinator typed one, otherwise the forms' grades share the one count between them (two "
                   "forms count a half each), so a count can be a fraction.")


_ONE = Fraction(1)  # the weight of a record of one form (fractions cannot be changed: one serves every row)


def records(rows: Iterable[GradeRow], *, moderated: bool = True) -> list[tuple[GradeRow, str, Fraction]]:
    """Each grade row with the grade used and its weight, so that each agency's record of a case section counts
    once (:data:`ONE_RECORD_RULE`): weight 1 for an agency's only form; for two or more, the one moderated grade
    typed among them (weight 1, on the first row holding it), else each form's grade at 1/k.

    Held lightly, as a large audit has a hundred thousand rows: each case reference and agency folded once, a
    record of one form kept as its row (a list only for two or more), one weight 1 shared by all.
    """
    folded: dict[str, str] = {}

    def fold(text: str) -> str:
        f = folded.get(text)
        if f is None:
            f = folded[text] = text.casefold()
        return f

    groups: dict[tuple[str, str, str], GradeRow | list[GradeRow]] = {}
    for r in rows:
        key = (fold(r.case_ref), fold(r.agency), r.section_id)
        held = groups.get(key)
        if held is None:
            groups[key] = r
        elif isinstance(held, list):
            held.append(r)
        else:
            groups[key] = [held, r]
    out: list[tuple[GradeRow, str, Fraction]] = []
    for members in groups.values():
        if not isinstance(members, list):
            out.append((members, _grade(members, moderated), _ONE))
            continue
        typed = list(dict.fromkeys(r.moderated_grade for r in members if r.moderated_grade))
        if moderated and len(typed) == 1:
            holder = next(r for r in members if r.moderated_grade == typed[0])
            out.append((holder, typed[0], _ONE))
            continue
        share = Fraction(1, len(members))
        out.extend((r, _grade(r, moderated), share) for r in members)
    return out


#: A count as the report writes it: a whole number ("8"), or a shared count to two places at most ("8.5").
count_text = number_text


def _grade(r: GradeRow, moderated: bool) -> str:
    return (r.final_grade if moderated else r.grade) or BLANK


@dataclass(frozen=True, slots=True)
class Distribution:
    """One key's grades (a section, an agency, a case, all sections, a value of a case detail): the count at each
    grade label (the scale's order, then :data:`BLANK`), the graded count (Not applicable, No evidence and blanks
    left out) and the counts behind the two shares, Good or better and Inadequate.

    Counts are of case records, so they can be fractions (:func:`records`). ``cases`` is the number of cases
    behind a breakdown by case detail (0 elsewhere). Every share the report and the workbook write comes from
    :attr:`good_text` and :attr:`inadequate_text` (or the fractions :attr:`good_share`, :attr:`inadequate_share`).
    """

    key: str
    counts: dict[str, float]
    graded: float
    good: float
    inadequate: float
    cases: int = 0

    def __getitem__(self, label: str) -> float:
        """The count at a grade label (or Blank); 0 for a label not counted."""
        return self.counts.get(label, 0.0)

    @property
    def total(self) -> float:
        """Every answer counted, graded or not."""
        return sum(self.counts.values())

    @property
    def good_share(self) -> float | None:
        """Good or better as a fraction of the graded answers; None when nothing was graded."""
        return self.good / self.graded if self.graded else None

    @property
    def inadequate_share(self) -> float | None:
        return self.inadequate / self.graded if self.graded else None

    @property
    def good_text(self) -> str:
        """The share Good or better as every figure is written (:func:`share_percent`): "63%", or a dash."""
        return share_percent(self.good, self.graded)

    @property
    def inadequate_text(self) -> str:
        return share_percent(self.inadequate, self.graded)


def total_of(dists: Iterable[Distribution], key: str) -> Distribution:
    """The distributions added up, under ``key`` (the shares of the total are of the summed counts)."""
    dists = list(dists)
    labels = list(dict.fromkeys(lab for d in dists for lab in d.counts))
    return Distribution(key, {lab: sum(d[lab] for d in dists) for lab in labels}, sum(d.graded for d in dists),
                        sum(d.good for d in dists), sum(d.inadequate for d in dists), sum(d.cases for d in dists))


def distribution(rows: Iterable[GradeRow], scale: GradeScale, by: By, *, moderated: bool = True,
                 one_record: bool = True) -> dict[str, Distribution]:
    """The :class:`Distribution` of each key, in order: sections in the tool's order, agencies and cases
    alphabetically; for ``"overall"``, the one key :data:`OVERALL_KEY` (see :func:`overall`).

    Counts are of case records (:func:`records`); ``one_record=False`` counts forms instead.
    """
    rows = list(rows)
    weighted = records(rows, moderated=moderated) if one_record else [(r, _grade(r, moderated), _ONE) for r in rows]
    if by == "overall":
        return _counted(((OVERALL_KEY, g, w) for _, g, w in weighted), [OVERALL_KEY], scale)
    key_of = {"section": lambda r: r.section_title, "agency": lambda r: r.agency, "case": lambda r: r.case_ref}[by]
    pairs = ((key_of(r), g, w) for r, g, w in weighted)  # one at a time: not a second list as long as the rows
    if by == "section":
        order: dict[str, tuple[int, int]] = {}
        for i, r in enumerate(rows):
            order.setdefault(r.section_title, (r.section_order, i))
        keys = sorted(order, key=order.__getitem__)
    else:
        keys = sorted({key_of(r) for r, _, _ in weighted}, key=str.casefold)
    return _counted(pairs, keys, scale)


def overall(rows: Iterable[GradeRow], scale: GradeScale, *, moderated: bool = True) -> Distribution:
    """All the rows' grades as one :class:`Distribution` (:data:`OVERALL_KEY`)."""
    return distribution(rows, scale, "overall", moderated=moderated)[OVERALL_KEY]


def _counted(pairs: Iterable[tuple[str, str, Fraction]], keys: Sequence[str], scale: GradeScale,
             cases: dict[str, int] | None = None) -> dict[str, Distribution]:
    """The distribution of weighted (key, grade, weight) triples, one per key in ``keys`` (others left out).

    Weights are 1 or 1/k (a record shared by k forms), summed as floats: halves exactly, thirds to 15 digits,
    which :func:`share_percent` and :func:`count_text` round away.
    """
    labels = [*scale.labels, BLANK]
    tally: dict[tuple[str, str], float] = defaultdict(float)
    for key, grade, weight in pairs:
        tally[(key, grade)] += 1.0 if weight == 1 else float(weight)
    graded_labels = [g.label for g in scale.grades if g.rank is not None]
    good_labels, bad_labels = scale.good_or_better, scale.inadequate

    def total(k: str, wanted: Iterable[str]) -> float:
        return sum(tally.get((k, lab), 0.0) for lab in wanted)

    return {k: Distribution(k, {lab: tally.get((k, lab), 0.0) for lab in labels}, total(k, graded_labels),
                            total(k, good_labels), total(k, bad_labels), (cases or {}).get(k, 0)) for k in keys}


# ---------------------------------------------------------------------------- breakdowns by case detail


@dataclass(frozen=True)
class CaseField:
    """A detail recorded for each case on the Cases sheet, to break the grades down by."""

    id: str  # "category", or the field's id in Case.fields
    label: str
    choices: tuple[str, ...] = ()  # the values in their list's order, where the field is a choice


def case_fields(plan: AuditPlan) -> list[CaseField]:
    """Category, then every case detail of the tool (dates and long text left out), then any other detail
    recorded for the cases, in the order first seen."""
    fields = [CaseField(CATEGORY, "Category")]
    known = {CATEGORY}
    for q in plan.tool.case_fields:
        known.add(q.id)
        if q.type in ("choice", "text", "whole_number"):
            fields.append(CaseField(q.id, q.label, tuple(q.choices or ())))
    for case in plan.cases:
        for key in case.fields:
            if key not in known:
                known.add(key)
                fields.append(CaseField(key, key))
    return fields


def case_value(case: Case, field: CaseField | str, default_category: str = "") -> str:
    """The case's value of ``field`` as the breakdowns show it (:data:`NOT_RECORDED` when blank)."""
    key = field.id if isinstance(field, CaseField) else field
    text = (case.category or default_category) if key == CATEGORY else case.fields.get(key, "")
    return " ".join(str(text).split()) or NOT_RECORDED


def breakdown_by_field(rows: Iterable[GradeRow], cases: Sequence[Case], field: CaseField, scale: GradeScale, *,
                       moderated: bool = True, default_category: str = "") -> dict[str, Distribution]:
    """The grade distribution for each value of a case detail, with its number of cases (``cases``).

    One per value that some
    case has: a choice field's values in its list's order, then any other
    value (alphabetical), then :data:`NOT_RECORDED`. A grade counts for the
    value of its case; grades of a case not on the list are left out.
    """
    value_of = {c.case_ref.casefold(): case_value(c, field, default_category) for c in cases}
    pairs = [(value_of[r.case_ref.casefold()], g, w) for r, g, w in records(rows, moderated=moderated)
             if r.case_ref.casefold() in value_of]
    per_value = Counter(value_of.values())
    ordered = [v for v in field.choices if v in per_value]
    rest = sorted((v for v in per_value if v not in ordered and v != NOT_RECORDED), key=str.casefold)
    keys = [*ordered, *rest, *([NOT_RECORDED] if NOT_RECORDED in per_value else [])]
    return _counted(pairs, keys, scale, cases=dict(per_value))


def section_ranking(rows: Iterable[GradeRow], scale: GradeScale, *, moderated: bool = True,
                    thresholds: Thresholds = DEFAULT) -> list[Distribution]:
    """Sections from working well to causing concern, in the one order every list uses
    (:func:`~xlpack.analysis.verdicts.reading_order`: reading first, then the shares), then the tool's order."""
    dist = list(distribution(rows, scale, "section", moderated=moderated).values())
    order = {d.key: i for i, d in enumerate(dist)}
    return sorted(dist, key=lambda d: (*reading_order(d.good_share, d.inadequate_share, thresholds), order[d.key]))


def moderation_changes(rows: Iterable[GradeRow]) -> list[GradeRow]:
    """Rows whose grade the coordinator changed at moderation."""
    return [r for r in rows if r.moderated_grade and r.moderated_grade != r.grade]
