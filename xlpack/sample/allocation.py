"""Share a sample of N cases across strata in proportion to their size, and choose the cases.

Strata are nested in groups (a group is a value of the first
stratification field). Targets: each group's share of N is proportional to
its size; when N is at least the number of groups, a group whose share is
under one case is given one, and the rest of N is shared again in
proportion among the other groups (repeated until no share is under one).
A stratum's target is its share of its group's target, in proportion to
its size. Without the minimum, every target is exactly
``N × stratum size / population``.

Rounding is Hamilton's largest remainder method, first across the groups
(each gets the whole part of its target, and the cases left over go one
each to the largest fractional parts; ties to the larger group, then the
first in order), then across the strata of each group for the group's
whole number of cases. So every stratum gets its target rounded down or
up (always within one case of it), every group at least one case when N
allows, and the total is N.

Selection gives every case of the population a number from
``random.Random(seed).random()``, in case reference order, and takes the
cases with the smallest numbers in each stratum. Only ``random()`` is used,
whose sequence for a seed Python keeps the same from version to version,
and the row order of the extract does not matter: the same population and
seed choose the same cases.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
G = TypeVar("G", bound=Hashable)


@dataclass
class Allocation(Generic[K]):
    targets: dict[K, float]  # each stratum's proportional target (after the minimum, where it applied)
    counts: dict[K, int]  # the cases to draw from each stratum
    minimum_applied: bool  # some group was raised to one case


def round_to_total(targets: Mapping[K, float], total: int, sizes: Mapping[K, int], order: Sequence[K]) -> dict[K, int]:
    """Largest remainder rounding of ``targets`` to whole numbers adding up to ``total``."""
    floors = {k: math.floor(targets[k] + 1e-9) for k in order}
    rank = {k: i for i, k in enumerate(order)}
    left = total - sum(floors.values())
    by_remainder = sorted(order, key=lambda k: (-(targets[k] - floors[k]), -sizes[k], rank[k]))
    for k in by_remainder[:max(0, left)]:
        floors[k] += 1
    return floors


def group_targets(sizes: Mapping[G, int], n: int, minimum: bool) -> tuple[dict[G, float], bool]:
    """Each group's share of ``n``: proportional, with one case at least for every group when ``minimum``."""
    fixed: set[G] = set()
    while True:
        rest = [g for g in sizes if g not in fixed]
        pool, people = n - len(fixed), sum(sizes[g] for g in rest)
        targets = {g: 1.0 if g in fixed else pool * sizes[g] / people for g in sizes}
        below = [g for g in rest if targets[g] < 1]
        if not minimum or not below:
            return targets, bool(fixed)
        fixed.update(below)


def allocate(sizes: Mapping[K, int], group: Mapping[K, G], n: int, order: Sequence[K]) -> Allocation[K]:
    """Targets and counts for ``n`` cases over strata of ``sizes``, at least one per group when ``n`` allows."""
    groups = list(dict.fromkeys(group[k] for k in order))
    group_size = {g: sum(sizes[k] for k in order if group[k] == g) for g in groups}
    totals, raised = group_targets(group_size, n, minimum=n >= len(groups))
    group_counts = round_to_total(totals, n, group_size, groups)
    targets: dict[K, float] = {}
    counts: dict[K, int] = {}
    for g in groups:
        members = [k for k in order if group[k] == g]
        share = {k: totals[g] * sizes[k] / group_size[g] for k in members}
        targets.update(share)
        counts.update(round_to_total(share, group_counts[g], sizes, members))
    return Allocation(targets, counts, raised)


def choose(strata: Mapping[K, Sequence[str]], counts: Mapping[K, int], seed: int) -> dict[K, list[str]]:
    """The cases drawn from each stratum (members are case references; returned in reference order)."""
    rng = random.Random(seed)
    everyone = sorted((ref for refs in strata.values() for ref in refs), key=lambda r: (r.casefold(), r))
    draw = {ref: rng.random() for ref in everyone}
    out: dict[K, list[str]] = {}
    for k, refs in strata.items():
        picked = sorted(refs, key=lambda r: (draw[r], r))[: counts.get(k, 0)]
        out[k] = sorted(picked, key=lambda r: (r.casefold(), r))
    return out
