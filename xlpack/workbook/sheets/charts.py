"""Charts: stacked bars over the Pivots sheet's tables."""

from __future__ import annotations

from collections.abc import Sequence

from xlpack.analysis.pivots import BLANK
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.sheet_model import CellLike, Chart, Series, Sheet
from xlpack.workbook.sheets.common import CHARTS, PIVOTS
from xlpack.workbook.sheets.pivots import PivotBlocks

BLANK_COLOUR = "#FFFFFF"
#: (by, after moderation?) of the pivots drawn, in order.
DRAWN = (("section", True), ("section", False), ("agency", True), ("case", True))
CHART_WIDTH = 900


def _any_counted(rows: Sequence[Sequence[CellLike]], column: int) -> bool:
    return any(isinstance(v := r[column], int) and v > 0 for r in rows)


def build(data: ConsolidatedAudit, pivots: list[PivotBlocks]) -> Sheet:
    labels = [*data.plan.scale.labels, BLANK]
    colours = {g.label: g.colour for g in data.plan.scale.grades}
    colours[BLANK] = BLANK_COLOUR
    charts: list[Chart] = []
    row = 3
    for by, moderated in DRAWN:
        p = next(p for p in pivots if p.by == by and p.moderated == moderated)
        n = max(0, len(p.counts.rows) - 1)  # leave out the total row
        if not n:
            continue
        when = "after moderation" if moderated else "as returned"
        ranked = {g.label for g in data.plan.scale.ranked}
        used = [(i, lab) for i, lab in enumerate(labels) if lab in ranked or _any_counted(p.counts.rows[:n], 1 + i)]
        chart = Chart(f"Grades by {by}, {when} (share of answers)", p.counts, 0,
                      [Series(lab, 1 + i, colours[lab]) for i, lab in used], kind="percent_stacked",
                      row=row, col=0, width=CHART_WIDTH, data_sheet=PIVOTS, n_rows=n)
        charts.append(chart)
        row += chart.pixel_height // 20 + 2
    note = "No grades yet: the charts appear once forms are returned." if not charts else (
        "Each bar is one section, agency or case; colours follow the grade scale. The numbers are on the Pivots sheet.")
    return Sheet(CHARTS, "Charts", [note], charts=charts, landscape=True)
