"""Fisher's exact test against published values and an independent route; the figures' wording."""

from __future__ import annotations

import random

import pytest

from tests.support.cycle_expected import fisher_by_factorials
from xlpack.compare.stats import ShareChange, fisher_exact, p_text, points_text, verdict_text


@pytest.mark.parametrize(("table", "p"), [
    ((3, 1, 1, 3), 34 / 70),  # Fisher's lady tasting tea: 0.4857 (two-sided)
    ((1, 9, 11, 3), 0.002759456185220),  # the dieting example (Wikipedia, R's fisher.test): 0.002759
    ((0, 5, 5, 0), 2 / 252),  # the two most extreme tables of 252
    ((5, 5, 5, 5), 1.0),
])
def test_published_values(table: tuple[int, int, int, int], p: float) -> None:
    assert fisher_exact(*table) == pytest.approx(p, rel=1e-9)


def test_agrees_with_sums_of_factorials_on_random_tables() -> None:
    rng = random.Random(12)
    for _ in range(300):
        table = tuple(rng.randint(0, 25) for _ in range(4))
        if sum(table[:2]) and sum(table[2:]):
            assert fisher_exact(*table) == pytest.approx(fisher_by_factorials(*table), rel=1e-12), table


def test_symmetries_and_edges() -> None:
    assert fisher_exact(2, 7, 8, 3) == pytest.approx(fisher_exact(8, 3, 2, 7))  # rows swapped
    assert fisher_exact(2, 7, 8, 3) == pytest.approx(fisher_exact(7, 2, 3, 8))  # columns swapped
    assert fisher_exact(0, 0, 4, 6) == 1.0 and fisher_exact(3, 0, 5, 0) == 1.0
    with pytest.raises(ValueError):
        fisher_exact(-1, 2, 3, 4)


def test_share_change_and_its_words() -> None:
    big = ShareChange(0, 20, 15, 20)
    assert (big.baseline, big.reaudit, big.change) == (0.0, 0.75, 0.75)
    assert big.beyond_chance and verdict_text(big) == "Yes" and points_text(big.change) == "+75 pts"
    small = ShareChange(4, 10, 6, 10)
    assert not small.beyond_chance and verdict_text(small) == "No" and points_text(-0.2) == "−20 pts"
    none = ShareChange(0, 0, 3, 5)
    assert none.change is None and none.p_value is None and verdict_text(none) == "–" and p_text(None) == "–"
    assert p_text(0.0004) == "<0.001" and p_text(0.0456) == "0.046"
