"""Agreement: how far the agencies' grades of each case and section agree.

The statistics and how to read alpha come from :mod:`xlpack.analysis.agreement`
(the report reads alpha the same way); this module lays them out: counts
as whole numbers, shares as percentages, alpha to two decimals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from xlpack.analysis.agreement import (
    ALPHA_GUIDE,
    UnitAgreement,
    alpha_reading,
    alpha_text,
    audit_alpha,
    units,
    within_one_share,
)
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.sheet_model import Block, Cell, CellLike, Column, Sheet, grade_cell, stack
from xlpack.workbook.sheets.common import AGREEMENT, TABLE_ROW

KEY_WIDTH = 40
READING = "Reading of alpha (see the note above)"


def alpha_cell(alpha: float | None) -> Cell:
    """Alpha as the report writes it (:func:`~xlpack.analysis.agreement.alpha_text`): two decimals, more where
    two would round it across a cut-off (0.6666 is not "0.67", which would read as tentative)."""
    if alpha is None:
        return Cell(None, "number")
    places = len(alpha_text(alpha).partition(".")[2])
    return Cell(alpha, "number" if places <= 2 else f"number{min(places, 6)}")


def reading(alpha: float | None) -> str:
    """How alpha reads, in the report's word for it ("tentative"); a dash when it could not be worked out."""
    return alpha_reading(alpha) or "–"


def _measures(us: Sequence[UnitAgreement]) -> tuple[int, float | None, float | None, float | None]:
    """Units compared, share within one grade, alpha, largest spread."""
    return len(us), within_one_share(us), audit_alpha(us), max((u.spread for u in us), default=None)


def _share_style(share: float | None) -> str:
    if share is None:
        return "pct"
    return "status:ok" if share >= 0.9 else "status:bad" if share < 0.7 else "status:warn"


def _share_cell(share: float | None) -> Cell:
    return Cell(share, f"{_share_style(share)}_pct" if share is not None else "pct")


def _grouped(us: Sequence[UnitAgreement], key: Callable[[UnitAgreement], str],
             order: Callable[[str], Any]) -> list[list[CellLike]]:
    groups: dict[str, list[UnitAgreement]] = defaultdict(list)
    for u in us:
        groups[key(u)].append(u)
    rows: list[list[CellLike]] = []
    for k in sorted(groups, key=order):
        n, share, alpha, spread = _measures(groups[k])
        rows.append([k, n, _share_cell(share), alpha_cell(alpha), spread])
    return rows


MEASURE_COLS = [Column("Case-sections compared", 13, style="count"), Column("Within one grade", 12, style="pct"),
                Column("Krippendorff's alpha", 13, style="number"), Column("Largest spread (grades)", 12,
                                                                            style="count")]


def summary_block(data: ConsolidatedAudit, returned: Sequence[UnitAgreement]) -> Block:
    a = _measures(returned)
    b = _measures(units(data.grades, data.plan.scale, moderated=True))
    cols = [Column("Measure", KEY_WIDTH, style="wrap"), Column("As returned", 13, style="count"),
            Column("After moderation", 12, style="count")]
    return Block(cols, [
        ["Case-sections graded by two or more agencies", a[0], b[0]],
        ["Share within one grade of each other", _share_cell(a[1]), _share_cell(b[1])],
        ["Krippendorff's alpha (ordinal)", alpha_cell(a[2]), alpha_cell(b[2])],
        [READING, Cell(reading(a[2]), "wrap_right"), Cell(reading(b[2]), "wrap_right")]],
        title="Agreement over the whole audit")


def _label(labels: dict[int | None, str], value: float) -> str | None:
    """A grade's label, or for an agency whose two forms differ the mean of their grades ("between Good and
    Adequate")."""
    if value == int(value):
        return labels.get(int(value))
    low, high = labels.get(int(value)), labels.get(int(value) + 1)
    return f"between {low} and {high}"


def divided_block(data: ConsolidatedAudit, returned: Sequence[UnitAgreement]) -> Block:
    """The case-sections whose grades lie two or more apart, widest first, with every agency's grade."""
    labels = {g.rank: g.label for g in data.plan.scale.ranked}
    divided = sorted((u for u in returned if u.spread >= 2),
                     key=lambda u: (-u.spread, u.case_ref.casefold(), u.section_order))
    rows: list[list[CellLike]] = [
        [u.section_title, u.case_ref, u.spread, grade_cell(_label(labels, min(u.ranks))),
         grade_cell(_label(labels, max(u.ranks))),
         "; ".join(f"{ag}: {words}" for ag, words in zip(u.agencies, u.grades))] for u in divided]
    # the columns line up with the tables above (A to E); the grades given take a wide column of their own
    cols = [Column("Section", KEY_WIDTH, style="wrap"), Column("Case reference", 13, style="wrap"),
            Column("Spread (grades)", 12, style="count_centre"), Column("Highest grade", 13, style="wrap"),
            Column("Lowest grade", 12, style="wrap"), Column("Grades given", 50, style="wrap")]
    return Block(cols, rows, title="Most divided: agencies two or more grades apart (as returned)")


def build(data: ConsolidatedAudit) -> Sheet:
    scale = data.plan.scale
    returned = units(data.grades, scale, moderated=False)
    order = {s.title: i for i, s in enumerate(data.plan.tool.sections)}
    by_section = Block([Column("Section", KEY_WIDTH, style="wrap"), *MEASURE_COLS],
                       _grouped(returned, lambda u: u.section_title, lambda k: order.get(k, 99)),
                       title="By section (as returned)")
    by_case = Block([Column("Case reference", KEY_WIDTH, style="wrap"), *MEASURE_COLS],
                    _grouped(returned, lambda u: u.case_ref, str.casefold), title="By case (as returned)")
    most = divided_block(data, returned)
    blocks = [summary_block(data, returned), by_section, by_case, most]
    stack(blocks, TABLE_ROW + 1)
    intro = ("For each case and section graded by two or more agencies (Not applicable, No evidence and blanks left "
             "out), one grade per agency: where an agency returned two forms, its moderated grade, else its forms' "
             "grades shared. Look first where the share within one grade is lowest.")
    agencies: dict[str, set[str]] = {}
    for g in data.grades:
        agencies.setdefault(g.case_ref, set()).add(g.agency)
    if agencies and all(len(names) == 1 for names in agencies.values()):  # the tables are empty: say why
        intro = ("Each case in this audit was graded by one agency only, so there is no agreement between agencies "
                 "to measure: the tables below have no rows.")
    # the last table runs over pages: its header repeats on each (print titles repeat from where they first appear)
    return Sheet(AGREEMENT, "How far the agencies agree", [intro, ALPHA_GUIDE], blocks, freeze=(0, 1),
                 keep_blocks=True, repeat_rows=most.row if most.rows else None)
