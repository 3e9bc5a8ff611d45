"""Grade distributions, checked against counts made by hand in plain Python."""

from __future__ import annotations

import random
from collections import Counter
from fractions import Fraction
from typing import Any

import pytest

from xlpack.analysis.pivots import (
    BLANK,
    CATEGORY,
    GOOD_SHARE,
    GRADED,
    INADEQUATE_SHARE,
    NOT_RECORDED,
    OVERALL_KEY,
    TOTAL,
    By,
    CaseField,
    Distribution,
    breakdown_by_field,
    case_fields,
    distribution,
    moderation_changes,
    records,
    section_ranking,
    share_percent,
)
from xlpack.model.definitions import GradeScale, load_scale
from xlpack.model.plan import Case
from xlpack.model.records import GradeRow

GOOD_COUNT, INADEQUATE_COUNT = "good", "inadequate"  # the counts behind the shares
SECTIONS = [("identification", "Identification"), ("assessment", "Assessment"), ("planning", "Planning"),
            ("voice", "Voice of the child")]


@pytest.fixture(scope="module", params=["ofsted-2009", "ilacs"])
def scale(request: pytest.FixtureRequest) -> GradeScale:
    return load_scale(request.param)


def row(case: str, agency: str, order: int, grade: str | None, moderated: str | None = None,
        auditor: str = "A") -> GradeRow:
    sid, title = SECTIONS[order - 1]
    return GradeRow(row_id=f"{case}/{agency}/{auditor}:{sid}", form_id=f"{case}/{agency}/{auditor}", case_ref=case,
                    agency=agency, auditor=auditor, tool_id="cp", section_id=sid, section_title=title,
                    section_order=order, grade=grade, moderated_grade=moderated)


def random_rows(scale: GradeScale, seed: int, n_cases: int = 6) -> list[GradeRow]:
    rng = random.Random(seed)
    choices = [*scale.labels, None]
    rows = []
    for c in range(n_cases):
        for agency in rng.sample(["Police", "Health", "CAMHS", "School", "Housing"], rng.randint(1, 4)):
            for order in range(1, len(SECTIONS) + 1):
                grade = rng.choice(choices)
                moderated = rng.choice(scale.labels) if rng.random() < 0.2 else None
                rows.append(row(f"C{c}", agency, order, grade, moderated))
    return rows


def expected(rows: list[GradeRow], scale: GradeScale, key: str, moderated: bool) -> dict[str, dict[str, Any]]:
    """The distribution computed the long way: one Counter per key."""
    counts: dict[str, Counter[str]] = {}
    for r in rows:
        k = {"section": r.section_title, "agency": r.agency, "case": r.case_ref, "overall": OVERALL_KEY}[key]
        grade = (r.moderated_grade or r.grade) if moderated else r.grade
        counts.setdefault(k, Counter())[grade or BLANK] += 1
    ranks = {g.label: g.rank for g in scale.grades}
    out: dict[str, dict[str, Any]] = {}
    for k, c in counts.items():
        graded = sum(n for label, n in c.items() if ranks.get(label) is not None)
        good = sum(n for label, n in c.items() if (ranks.get(label) or 9) <= 2)
        bad = sum(n for label, n in c.items() if ranks.get(label) == 4)
        out[k] = {**{label: c[label] for label in [*scale.labels, BLANK]}, TOTAL: sum(c.values()), GRADED: graded,
                  GOOD_SHARE: good / graded if graded else None, INADEQUATE_SHARE: bad / graded if graded else None,
                  GOOD_COUNT: good, INADEQUATE_COUNT: bad}
    return out


def columns(d: Distribution, scale: GradeScale) -> dict[str, object]:
    """A distribution's figures under the names :func:`expected` gives them."""
    return {**{label: d[label] for label in [*scale.labels, BLANK]}, TOTAL: d.total, GRADED: d.graded,
            GOOD_SHARE: d.good_share, INADEQUATE_SHARE: d.inadequate_share, GOOD_COUNT: d.good,
            INADEQUATE_COUNT: d.inadequate}


@pytest.mark.parametrize("key", ["section", "agency", "case", "overall"])
@pytest.mark.parametrize("moderated", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_distribution_matches_counting_by_hand(scale: GradeScale, key: By, moderated: bool, seed: int) -> None:
    rows = random_rows(scale, seed)
    dist = distribution(rows, scale, key, moderated=moderated)
    want = expected(rows, scale, key, moderated)
    assert set(dist) == set(want) and all(d.key == k for k, d in dist.items())
    for k, values in want.items():
        assert list(dist[k].counts) == [*scale.labels, BLANK]
        figures = columns(dist[k], scale)
        for column, value in values.items():
            got = figures[column]
            if value is None:
                assert got is None, (k, column)
            else:
                assert got == pytest.approx(value), (k, column)


def test_na_and_no_evidence_are_counted_apart_and_left_out_of_shares(scale: GradeScale) -> None:
    good = scale.ranked[1].label
    rows = [row("C1", "Police", 1, good), row("C1", "Health", 1, "Not applicable"),
            row("C1", "CAMHS", 1, "No evidence"), row("C1", "School", 1, None), row("C1", "Housing", 1, "Inadequate")]
    d = distribution(rows, scale, "section")
    r = d["Identification"]
    assert (r["Not applicable"], r["No evidence"], r[BLANK], r.total, r.graded) == (1, 1, 1, 5, 2)
    assert r.good_share == 0.5 and r.inadequate_share == 0.5
    assert (r.good_text, r.inadequate_text) == ("50%", "50%")


def test_sections_keep_the_tools_order_and_ungraded_shares_are_none(scale: GradeScale) -> None:
    rows = [row("C1", "Police", 3, "Good"), row("C1", "Police", 1, "Not applicable"), row("C1", "Police", 2, None)]
    d = distribution(rows, scale, "section")
    assert list(d) == ["Identification", "Assessment", "Planning"]
    assert d["Identification"].good_share is None and d["Assessment"].inadequate_share is None
    assert d["Identification"].good_text == "–" and d["Planning"].good_text == "100%"


def test_empty_audit(scale: GradeScale) -> None:
    assert len(distribution([], scale, "section")) == 0
    overall = distribution([], scale, "overall")[OVERALL_KEY]
    assert overall.total == 0 and overall.good_share is None


def test_moderation_changes_what_is_counted(scale: GradeScale) -> None:
    rows = [row("C1", "Police", 1, "Good", "Inadequate"), row("C1", "Health", 1, "Good"),
            row("C1", "CAMHS", 1, "Good", "Good")]
    before = distribution(rows, scale, "overall", moderated=False)
    after = distribution(rows, scale, "overall", moderated=True)
    assert before[OVERALL_KEY]["Good"] == 3 and before[OVERALL_KEY]["Inadequate"] == 0
    assert after[OVERALL_KEY]["Good"] == 2 and after[OVERALL_KEY]["Inadequate"] == 1
    assert [r.agency for r in moderation_changes(rows)] == ["Police"]  # typing the same grade is no change


def test_section_ranking_from_working_well_to_concern(scale: GradeScale) -> None:
    top, good, _, bad = (g.label for g in scale.ranked)
    rows = [
        *(row("C1", a, 1, good) for a in ("P", "Q", "R")),            # Identification: all good
        row("C1", "P", 2, good), row("C1", "Q", 2, bad),             # Assessment: 1/2 good, 1/2 bad
        row("C1", "P", 3, good), row("C1", "Q", 3, top), row("C1", "R", 3, bad),  # Planning: 2/3 good
        row("C1", "P", 4, "Not applicable"),                          # Voice: nothing graded
    ]
    ranked = ["Identification", "Planning", "Assessment", "Voice of the child"]
    assert [d.key for d in section_ranking(rows, scale)] == ranked
    # ties on both shares keep the tool's order
    tie = [row("C1", "P", 2, good), row("C1", "P", 1, good), row("C1", "P", 4, "No evidence"),
           row("C1", "P", 3, "Not applicable")]
    assert [d.key for d in section_ranking(tie, scale)] == ["Identification", "Assessment", "Planning",
                                                            "Voice of the child"]


# ----------------------------------------------------------------------------- shares as text


def test_share_percent_rounds_halves_up_exactly() -> None:
    from decimal import ROUND_HALF_UP, Decimal

    assert share_percent(5, 8) == "63%"  # 62.5: Excel's 0% format shows 63%, and so does the report
    assert (share_percent(1, 8), share_percent(3, 8), share_percent(1, 3), share_percent(2, 3)) == (
        "13%", "38%", "33%", "67%")
    assert share_percent(0, 0) == "–" and share_percent(0, 7) == "0%" and share_percent(7, 7) == "100%"
    for d in range(1, 201):
        for n in range(d + 1):
            want = (Decimal(n * 100) / Decimal(d)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            assert share_percent(n, d) == f"{want}%", (n, d)


# ----------------------------------------------------------------------------- breakdowns by case detail


def _cases(rng: random.Random, n: int) -> list[Case]:
    return [Case(case_ref=f"C{c}", category=rng.choice(["Neglect", "", "Physical abuse"]),
                 fields={"age_band": rng.choice(["Unborn", "10-15", "1-4", ""]),
                         "team": rng.choice(["East", "west", ""]), "local_flag": rng.choice(["Yes", "No"])})
            for c in range(n)]


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("moderated", [False, True])
def test_breakdown_by_field_matches_counting_by_hand(scale: GradeScale, seed: int, moderated: bool) -> None:
    rng = random.Random(seed)
    rows = random_rows(scale, seed, n_cases=8)
    cases = _cases(rng, 7)  # C7's grades belong to no listed case: left out
    field = CaseField("age_band", "Age band", ("Unborn", "Under 1", "1-4", "5-9", "10-15"))
    got = breakdown_by_field(rows, cases, field, scale, moderated=moderated)
    value = {c.case_ref: c.fields["age_band"] or NOT_RECORDED for c in cases}
    present = set(value.values())
    assert list(got) == [v for v in field.choices if v in present] + (
        [NOT_RECORDED] if NOT_RECORDED in present else [])
    by_hand = expected([r for r in rows if r.case_ref in value], scale, "case", moderated)
    for v, d in got.items():
        refs = [c for c, x in value.items() if x == v]
        assert d.cases == len(refs)
        figures = columns(d, scale)
        for column in [*scale.labels, BLANK, TOTAL, GRADED, GOOD_COUNT, INADEQUATE_COUNT]:
            assert figures[column] == sum(int(by_hand[c][column]) for c in refs if c in by_hand), (v, column)
        assert d.good_share == (d.good / d.graded if d.graded else None)


def test_breakdown_category_and_free_text_values(scale: GradeScale) -> None:
    cases = [Case(case_ref="C0", category="", fields={"team": "west"}),
             Case(case_ref="C1", category="Neglect", fields={"team": "East  team"}),
             Case(case_ref="C2", category="Neglect", fields={"team": ""})]
    rows = [row(c.case_ref, "Police", 1, "Good") for c in cases]
    category = breakdown_by_field(rows, cases, CaseField(CATEGORY, "Category"), scale, default_category="CP")
    assert list(category) == ["CP", "Neglect"] and [d.cases for d in category.values()] == [1, 2]
    team = breakdown_by_field(rows, cases, CaseField("team", "Team"), scale)
    assert list(team) == ["East team", "west", NOT_RECORDED]  # alphabetical, spaces tidied, blanks last
    assert [d["Good"] for d in team.values()] == [1, 1, 1]


def test_case_fields_are_category_the_tools_details_and_any_other() -> None:
    from xlpack.demo.sample import sample_plan

    plan = sample_plan()
    extra = plan.cases[0].model_copy(update={"fields": {**plan.cases[0].fields, "Locality": "North"}})
    plan = plan.model_copy(update={"cases": [extra, *plan.cases[1:]]})
    fields = case_fields(plan)
    tool = [q for q in plan.tool.case_fields if q.type in ("choice", "text", "whole_number")]
    assert [f.id for f in fields] == ["category", *(q.id for q in tool), "Locality"]
    assert [f.label for f in fields][1:-1] == [q.label for q in tool]
    age = next(f for f in fields if f.id == "age_band")
    assert age.choices == tuple(next(q for q in tool if q.id == "age_band").choices or ())


def _records_the_plain_way(rows: list[GradeRow], moderated: bool) -> list[tuple[GradeRow, str, Fraction]]:
    """The one-record rule written plainly: a list per (case, agency, section), folded afresh for every row."""
    groups: dict[tuple[str, str, str], list[GradeRow]] = {}
    for r in rows:
        groups.setdefault((r.case_ref.casefold(), r.agency.casefold(), r.section_id), []).append(r)
    out: list[tuple[GradeRow, str, Fraction]] = []
    for members in groups.values():
        typed = list(dict.fromkeys(r.moderated_grade for r in members if r.moderated_grade))
        if len(members) > 1 and moderated and len(typed) == 1:
            holder = next(r for r in members if r.moderated_grade == typed[0])
            out.append((holder, typed[0], Fraction(1)))
            continue
        out.extend((r, ((r.moderated_grade or r.grade) if moderated else r.grade) or BLANK,
                    Fraction(1, len(members))) for r in members)
    return out


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("moderated", [True, False])
def test_records_group_forms_of_one_case_record_as_the_plain_rule_does(scale: GradeScale, seed: int,
                                                                       moderated: bool) -> None:
    rng = random.Random(seed)
    rows = random_rows(scale, seed)
    extra = []
    for r in rng.sample(rows, 12):  # a second (third) form of the same record, its case and agency typed otherwise
        for auditor in ("B", "C")[:rng.randint(1, 2)]:
            case = r.case_ref.lower() if rng.random() < 0.5 else r.case_ref
            agency = r.agency.upper() if rng.random() < 0.5 else r.agency
            moderated_grade = r.moderated_grade if rng.random() < 0.5 else rng.choice([None, *scale.labels])
            extra.append(row(case, agency, r.section_order, rng.choice([*scale.labels, None]), moderated_grade,
                             auditor=auditor))
    rows = rows + extra
    rng.shuffle(rows)
    got = records(rows, moderated=moderated)
    want = _records_the_plain_way(rows, moderated)
    assert [(id(r), g, w) for r, g, w in got] == [(id(r), g, w) for r, g, w in want]
    assert any(w < 1 for _, _, w in got)  # some records were shared between forms
