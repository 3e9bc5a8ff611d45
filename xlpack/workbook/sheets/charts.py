"""Charts: stacked bars over the Pivots sheet's tables, one chart a printed page.

A long table (many cases) is drawn in several charts of at most
:data:`MAX_BARS` bars, so every chart fits on a page; a page break comes
before each chart. "No evidence" is hatched, so it stands apart from "Not
applicable" in grey-scale print too.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlpack.analysis.pivots import BLANK
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.sheet_model import DEFAULT_COLUMN_PIXELS, CellLike, Chart, Series, Sheet
from xlpack.workbook.sheets.common import CHARTS, PIVOTS
from xlpack.workbook.sheets.pivots import PivotBlocks

BLANK_COLOUR = "#FFFFFF"
HATCH = "wide_upward_diagonal"  # over the colour of the answer marked "NE" (No evidence)
#: (by, after moderation?) of the pivots drawn, in order.
DRAWN = (("section", True), ("section", False), ("agency", True), ("case", True))
CHART_WIDTH = 900
MAX_BARS = 16  # a chart of 16 bars is 474 pixels (24 rows) high: it fits a landscape A4 page with the title
FIRST_ROW = 3  # under the title and the note


def _any_counted(rows: Sequence[Sequence[CellLike]], column: int) -> bool:
    return any(isinstance(v := r[column], int) and v > 0 for r in rows)


def _series(data: ConsolidatedAudit, p: PivotBlocks, n: int) -> list[Series]:
    labels = [*data.plan.scale.labels, BLANK]
    colours = {g.label: g.colour for g in data.plan.scale.grades}
    colours[BLANK] = BLANK_COLOUR
    hatched = {g.label for g in data.plan.scale.grades if g.code.upper() == "NE"}
    ranked = {g.label for g in data.plan.scale.ranked}
    used = [(i, lab) for i, lab in enumerate(labels) if lab in ranked or _any_counted(p.counts.rows[:n], 1 + i)]
    return [Series(lab, 1 + i, colours[lab], HATCH if lab in hatched else None) for i, lab in used]


def build(data: ConsolidatedAudit, pivots: list[PivotBlocks]) -> Sheet:
    charts: list[Chart] = []
    row = FIRST_ROW
    for by, moderated in DRAWN:
        p = next(p for p in pivots if p.by == by and p.moderated == moderated)
        n = max(0, len(p.counts.rows) - 1)  # leave out the total row
        if not n:
            continue
        when = "after moderation" if moderated else "as returned"
        series = _series(data, p, n)
        for first in range(0, n, MAX_BARS):
            part = f", {first + 1}-{min(n, first + MAX_BARS)} of {n}" if n > MAX_BARS else ""
            chart = Chart(f"Grades by {by}, {when} (share of answers{part})", p.counts, 0, series,
                          kind="percent_stacked", row=row, col=0, width=CHART_WIDTH, data_sheet=PIVOTS,
                          n_rows=min(MAX_BARS, n - first), first=first)
            charts.append(chart)
            row += chart.rows + 1
    note = "No grades yet: the charts appear once forms are returned." if not charts else (
        "Each bar is one section, agency or case; colours follow the grade scale, 'No evidence' is hatched. The "
        "numbers are on the Pivots sheet. Each chart prints on a page of its own.")
    columns = -(-CHART_WIDTH // DEFAULT_COLUMN_PIXELS) + 1
    return Sheet(CHARTS, "Charts", [note], charts=charts, landscape=True, print_columns=columns,
                 page_breaks=[c.row for c in charts[1:]], print_rows=row)
