"""Agreement: how far the agencies' grades of each case and section agree.

The statistics come from :mod:`xlpack.agreement`; this module lays them out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from xlpack.analysis.agreement import ALPHA_GUIDE, UnitAgreement, alpha_reading, audit_alpha, units, within_one_share
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.sheet_model import Block, Cell, CellLike, Column, Sheet, stack
from xlpack.workbook.sheets.common import AGREEMENT, TABLE_ROW

ALPHA_NOTE = ALPHA_GUIDE  # one statement of how to read alpha, the report's too


def _measures(us: Sequence[UnitAgreement]) -> tuple[int, float | None, float | None, int | None]:
    """Units compared, share within one grade, alpha, largest spread."""
    return len(us), within_one_share(us), audit_alpha(us), max((u.spread for u in us), default=None)


def _grouped(us: Sequence[UnitAgreement], key: Callable[[UnitAgreement], str],
             order: Callable[[str], Any]) -> list[list[CellLike]]:
    groups: dict[str, list[UnitAgreement]] = defaultdict(list)
    for u in us:
        groups[key(u)].append(u)
    rows: list[list[CellLike]] = []
    for k in sorted(groups, key=order):
        n, share, alpha, spread = _measures(groups[k])
        rows.append([k, n, Cell(share, _share_style(share)), alpha, spread])
    return rows


def _share_style(share: float | None) -> str:
    if share is None:
        return "pct"
    return "status:ok" if share >= 0.9 else "status:bad" if share < 0.7 else "status:warn"


MEASURE_COLS = [Column("Case-sections compared", 12, style="int"), Column("Within one grade", 12, style="pct"),
                Column("Krippendorff's alpha", 12, style="number"), Column("Largest spread", 10, style="int")]


def build(data: ConsolidatedAudit) -> Sheet:
    scale = data.plan.scale
    returned = units(data.grades, scale, moderated=False)
    moderated = units(data.grades, scale, moderated=True)
    summary_cols = [Column("Measure", 34, style="wrap"), Column("As returned", 14, style="number"),
                    Column("After moderation", 14, style="number")]
    a, b = _measures(returned), _measures(moderated)
    summary = Block(summary_cols, [
        ["Case-sections graded by two or more forms", a[0], b[0]],
        ["Share within one grade of each other", Cell(a[1], "pct"), Cell(b[1], "pct")],
        ["Krippendorff's alpha (ordinal)", a[2], b[2]],
        ["Reading of alpha (see the note above)", Cell(alpha_reading(a[2]) or "–", "wrap"),
         Cell(alpha_reading(b[2]) or "–", "wrap")]], title="Agreement over the whole audit")
    order = {s.title: i for i, s in enumerate(data.plan.tool.sections)}
    by_section = Block([Column("Section", 34, style="wrap"), *MEASURE_COLS],
                       _grouped(returned, lambda u: u.section_title, lambda k: order.get(k, 99)),
                       title="By section (as returned)")
    by_case = Block([Column("Case reference", 34, style="wrap"), *MEASURE_COLS],
                    _grouped(returned, lambda u: u.case_ref, str.casefold), title="By case (as returned)")
    labels = {g.rank: g.label for g in scale.ranked}
    divided = sorted((u for u in returned if u.spread >= 2),
                     key=lambda u: (-u.spread, u.case_ref.casefold(), u.section_order))
    rows: list[list[CellLike]] = [
        [u.case_ref, u.section_title, u.spread,
         "; ".join(f"{ag}: {labels.get(r, r)}" for ag, r in zip(u.agencies, u.ranks))] for u in divided]
    most = Block([Column("Case reference", 34, style="wrap"), Column("Section", 30, style="wrap"),
                  Column("Spread", 8, style="int"), Column("Grades", 80, style="wrap")], rows,
                 title="Most divided: agencies two or more grades apart (as returned)")
    blocks = [summary, by_section, by_case, most]
    stack(blocks, TABLE_ROW + 1)
    intro = ("For each case and section graded by two or more forms (Not applicable, No evidence and blanks left "
             "out). Look first where the share within one grade is lowest.")
    return Sheet(AGREEMENT, "How far the agencies agree", [intro, ALPHA_NOTE], blocks, freeze=(0, 1))
