"""The case draw: proportional allocation, reproducibility, filters; expected figures counted from the rows."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.support.extracts import REF, drawn_strata, population, read_csv, strata, write_csv, write_xlsx
from xlpack.coordinator.plan_sheets import create_audit, read_plan
from xlpack.sample.allocation import allocate
from xlpack.sample.population import looks_like_name, mask
from xlpack.sample.sampling import draw_sample, read_sample


@pytest.fixture
def audit(tmp_path: Path) -> Path:
    path = tmp_path / "audit.xlsx"
    create_audit(path, "cp", title="Sampling test audit")
    return path


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("extract") / "children on a plan.csv", population(480, seed=1))


def drawn_refs(audit: Path) -> list[str]:
    return [c.case_ref for c in read_plan(audit).cases]


@pytest.mark.parametrize("size", [20, 41, 75])
def test_every_stratum_gets_its_proportional_share_within_one_case(audit: Path, extract: Path, size: int) -> None:
    by = ["Age band", "Gender"]  # every age band is common enough for one case: no minimum needed
    rows = read_csv(extract)
    result = draw_sample(extract, audit, size, by=[",".join(by)], seed=size)
    refs = drawn_refs(audit)
    assert len(refs) == len(set(refs)) == size and sorted(refs) == sorted(c.case_ref for c in result.cases)
    population_counts, drawn = strata(rows, by), drawn_strata(rows, refs, by)
    assert set(drawn) <= set(population_counts)
    for key, n in population_counts.items():
        target = size * n / len(rows)
        assert abs(drawn[key] - target) < 1, (key, drawn[key], target)
    record = read_sample(audit)
    assert record is not None and record.population == len(rows) and record.size == size and record.by == by
    on_sheet = {s.label: (s.population, s.drawn) for s in record.strata}
    assert on_sheet == {" / ".join(k): (n, drawn[k]) for k, n in population_counts.items()}
    targets = {s.label: s.target for s in record.strata}
    assert targets == pytest.approx({" / ".join(k): size * n / len(rows) for k, n in population_counts.items()})
    field = {q.label: q.id for q in read_plan(audit).tool.case_fields}
    by_ref = {r[REF]: r for r in rows}
    for case in read_plan(audit).cases:  # the Cases sheet's other fields come from the extract
        row = by_ref[case.case_ref]
        assert {label: case.fields[qid] for label, qid in field.items() if label in row} == {
            label: row[label] for label in field if label in row}


def test_every_value_of_the_first_field_gets_a_case_and_the_rest_stays_proportional(audit: Path,
                                                                                    extract: Path) -> None:
    rows = read_csv(extract)
    size, by = 12, ["Category of abuse", "Age band"]
    draw_sample(extract, audit, size, by=by, seed=3)
    refs = drawn_refs(audit)
    groups = strata(rows, by[:1])
    drawn_groups = drawn_strata(rows, refs, by[:1])
    assert all(drawn_groups[g] >= 1 for g in groups)  # rare values are under one case by proportion
    # Expected group targets, worked out here: values under one case get one, the rest share what is left.
    raised: set[tuple[str, ...]] = set()
    while True:
        pool = size - len(raised)
        people = sum(n for g, n in groups.items() if g not in raised)
        under = {g for g, n in groups.items() if g not in raised and pool * n / people < 1}
        if not under:
            break
        raised |= under
    assert {("Sexual abuse",), ("Multiple",)} <= raised < set(groups)  # the minimum is exercised
    expected = {g: 1.0 if g in raised else pool * n / people for g, n in groups.items()}
    for g, target in expected.items():
        assert abs(drawn_groups[g] - target) < 1, (g, drawn_groups[g], target)
    cells, drawn = strata(rows, by), drawn_strata(rows, refs, by)
    for key, n in cells.items():
        target = expected[key[:1]] * n / groups[key[:1]]
        assert abs(drawn[key] - target) < 1, (key, drawn[key], target)
    assert sum(drawn.values()) == size


def test_allocation_always_rounds_each_target_down_or_up() -> None:
    rng = random.Random(5)
    for _ in range(3000):
        groups, per = rng.randint(1, 6), rng.randint(1, 5)
        keys = [(g, s) for g in range(groups) for s in range(per)]
        sizes = {k: rng.choice([1, 1, 2, 3, 5, 8, 20, 50, 100]) for k in keys}
        n = rng.randint(1, min(sum(sizes.values()), 40))
        result = allocate(sizes, {k: k[0] for k in keys}, n, keys)
        assert sum(result.counts.values()) == n and sum(result.targets.values()) == pytest.approx(n)
        for k in keys:
            assert abs(result.counts[k] - result.targets[k]) < 1 and 0 <= result.counts[k] <= sizes[k]
        held = [sum(result.counts[k] for k in keys if k[0] == g) for g in range(groups)]
        assert min(held) >= 1 or n < groups
        if not result.minimum_applied:
            total = sum(sizes.values())
            assert all(result.targets[k] == pytest.approx(n * sizes[k] / total) for k in keys)


def test_the_same_seed_draws_the_same_cases_whatever_the_row_order_and_format(tmp_path: Path, extract: Path) -> None:
    def draw(name: str, source: Path, seed: int) -> list[str]:
        audit = tmp_path / name
        create_audit(audit, "cp")
        draw_sample(source, audit, 15, by=["Category of abuse"], seed=seed)
        return drawn_refs(audit)

    shuffled = read_csv(extract)
    random.Random(9).shuffle(shuffled)
    as_xlsx = write_xlsx(tmp_path / "export.xlsx", shuffled, title="Children subject to a plan, exported 02/11/2026")
    first = draw("a.xlsx", extract, 2026)
    assert draw("b.xlsx", extract, 2026) == first
    assert draw("c.xlsx", as_xlsx, 2026) == first
    assert draw("d.xlsx", extract, 2027) != first
    sample = read_sample(tmp_path / "c.xlsx")
    assert sample is not None and sample.extract == "export.xlsx"


def test_where_keeps_only_the_rows_asked_for_before_drawing(audit: Path, extract: Path) -> None:
    rows = read_csv(extract)
    result = draw_sample(extract, audit, 8, by=["gender"], where=["age band=under 1", "Age band = 1-4",
                                                                  "Gender=FEMALE"], seed=4)
    kept = [r for r in rows if r["Age band"] in ("Under 1", "1-4") and r["Gender"] == "Female"]
    assert result.record.population == len(kept) and result.record.extract_rows == len(rows)
    assert {c.case_ref for c in result.cases} <= {r[REF] for r in kept}
    assert result.record.filters == ["age band = under 1", "Age band = 1-4", "Gender = FEMALE"]
    balance = {(b.field, b.value): (b.population, b.sample) for b in result.record.balance}
    assert balance[("Gender", "Female")] == (len(kept), 8)
    assert balance[("Age band", "Under 1")][0] == sum(r["Age band"] == "Under 1" for r in kept)


def test_the_balance_table_counts_every_field(audit: Path, extract: Path) -> None:
    rows = read_csv(extract)
    result = draw_sample(extract, audit, 30, by=["Category of abuse"], seed=11)
    picked = {c.case_ref for c in result.cases}
    for column in ("Category of abuse", "Age band", "Gender", "Ethnicity (census group)", "Social work team or base"):
        want = {(column, r[column]) for r in rows}
        got = {(b.field, b.value): b for b in result.record.balance if b.field == column}
        assert set(got) == want
        for (_, value), b in got.items():
            assert b.population == sum(r[column] == value for r in rows)
            assert b.sample == sum(r[column] == value for r in rows if r[REF] in picked)


def test_values_differing_only_in_case_or_spaces_are_one_stratum(tmp_path: Path, audit: Path) -> None:
    rows = population(200, seed=12)
    for i, r in enumerate(rows):
        if i % 3 == 0:
            r["Social work team or base"] = "  " + r["Social work team or base"].upper().replace(" ", "  ")
    source = write_csv(tmp_path / "teams.csv", rows)
    record = draw_sample(source, audit, 9, by=["Social work team or base"], seed=1).record
    teams = {" ".join(r["Social work team or base"].split()).casefold() for r in rows}
    assert len(record.strata) == len(teams) == 3
    counts = {t: sum(" ".join(r["Social work team or base"].split()).casefold() == t for r in rows) for t in teams}
    assert {s.label.casefold(): s.population for s in record.strata} == counts
    assert all(abs(s.drawn - 9 * counts[s.label.casefold()] / 200) < 1 for s in record.strata)


@pytest.mark.parametrize("value", ["Jayden", "Jane Smith", "SMITH, Jane", "O'Brien", "Zoë Ng"])
def test_names_are_recognised(value: str) -> None:
    assert looks_like_name(value) and value not in mask(value)


@pytest.mark.parametrize("value", ["CP-2026-014", "100234", "cin/77", "LA123456", "ab_12"])
def test_case_references_are_not_names(value: str) -> None:
    assert not looks_like_name(value)


def test_the_bundled_extract_is_what_the_demo_generator_writes(tmp_path: Path) -> None:
    from xlpack.demo.run import SAMPLE_EXTRACT
    from xlpack.demo.sample import write_sample_extract

    fresh = write_sample_extract(tmp_path / "fresh.csv")
    assert SAMPLE_EXTRACT.read_bytes() == fresh.read_bytes()
    rows = read_csv(SAMPLE_EXTRACT)
    assert len(rows) == 240 and len({r[REF] for r in rows}) == 240
    assert not any(looks_like_name(r[REF]) for r in rows)
