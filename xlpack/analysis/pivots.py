"""Grade distributions: by section, agency, case and overall.

Counts per grade label, with Not applicable and No evidence shown apart
from the graded answers; shares Good or better and Inadequate are taken
over graded answers only. Before or after moderation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import pandas as pd

from xlpack.model.definitions import GradeScale
from xlpack.model.records import GradeRow

By = Literal["section", "agency", "case", "overall"]
BLANK = "Blank"
TOTAL, GRADED, GOOD_SHARE, INADEQUATE_SHARE = "Total", "Graded", "Good or better", "Inadequate share"
OVERALL_KEY = "All sections"


def grades_frame(rows: Iterable[GradeRow], *, moderated: bool = True) -> pd.DataFrame:
    """One row per form × section with the grade used (after moderation by default)."""
    records = [{"case": r.case_ref, "agency": r.agency, "section": r.section_title, "order": r.section_order,
                "grade": (r.final_grade if moderated else r.grade) or BLANK} for r in rows]
    return pd.DataFrame.from_records(records, columns=["case", "agency", "section", "order", "grade"])


def distribution(rows: Iterable[GradeRow], scale: GradeScale, by: By, *, moderated: bool = True) -> pd.DataFrame:
    """Counts per grade label (scale order, then Blank) and the two shares, one row per key.

    Shares are fractions of the graded answers (NA, No evidence and blanks
    excluded); None where nothing was graded.
    """
    frame = grades_frame(rows, moderated=moderated)
    labels = [*scale.labels, BLANK]
    if by == "overall":
        frame = frame.assign(key=OVERALL_KEY)
        keys = [OVERALL_KEY]
    else:
        column = {"section": "section", "agency": "agency", "case": "case"}[by]
        frame = frame.assign(key=frame[column])
        if by == "section":
            keys = list(frame.sort_values("order")["key"].drop_duplicates())
        else:
            keys = sorted(frame["key"].drop_duplicates(), key=str.casefold)
    counts = pd.crosstab(frame["key"], frame["grade"]) if len(frame) else pd.DataFrame()
    counts = counts.reindex(index=keys, columns=labels, fill_value=0).astype(int)
    counts.index.name = by
    ranked = {g.label: g.rank for g in scale.grades if g.rank is not None}
    graded = counts[[lab for lab in ranked]].sum(axis=1)
    good = counts[[lab for lab, rank in ranked.items() if rank <= 2]].sum(axis=1)
    worst = max(ranked.values())
    inadequate = counts[[lab for lab, rank in ranked.items() if rank == worst]].sum(axis=1)
    out = counts.copy()
    out[TOTAL] = counts.sum(axis=1)
    out[GRADED] = graded
    # object columns, so "nothing graded" stays None (a float column would turn it into NaN)
    out[GOOD_SHARE] = pd.Series([(g / n) if n else None for g, n in zip(good, graded)], index=out.index,
                                dtype=object)
    out[INADEQUATE_SHARE] = pd.Series([(i / n) if n else None for i, n in zip(inadequate, graded)], index=out.index,
                                      dtype=object)
    return out


def share_value(value: object) -> float | None:
    """A share from a distribution frame: a float, or None where nothing was graded."""
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def section_ranking(rows: Iterable[GradeRow], scale: GradeScale, *, moderated: bool = True) -> pd.DataFrame:
    """Sections from working well to causing concern.

    Ordered by share Good or better (high first), then share Inadequate
    (low first), then the tool's order; sections with nothing graded last.
    """
    dist = distribution(rows, scale, "section", moderated=moderated)
    order = {key: i for i, key in enumerate(dist.index)}
    good = {k: share_value(dist.at[k, GOOD_SHARE]) for k in dist.index}
    bad = {k: share_value(dist.at[k, INADEQUATE_SHARE]) for k in dist.index}
    keyed = sorted(dist.index, key=lambda k: (good[k] is None, -(good[k] or 0.0), bad[k] or 0.0, order[k]))
    return dist.loc[keyed]


def moderation_changes(rows: Iterable[GradeRow]) -> list[GradeRow]:
    """Rows whose grade the coordinator changed at moderation."""
    return [r for r in rows if r.moderated_grade and r.moderated_grade != r.grade]
