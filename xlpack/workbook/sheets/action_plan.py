"""Action plan: the SMART action plan, proposed from the sections of concern and then the coordinator's own."""

from __future__ import annotations

from dataclasses import asdict

from xlpack.analysis.actions import CONCERN
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.records import ActionRow
from xlpack.workbook.sheet_model import Block, CellLike, Column, Sheet, shared_cell
from xlpack.workbook.sheets.common import ACTION_COLUMNS, ACTION_EDITABLE, ACTIONS, ACTIONS_PRINTED, TABLE_ROW

DATES = ("by_when", "review_date")


def _columns() -> list[Column]:
    out = []
    for fld, header, width in ACTION_COLUMNS:
        if fld in ACTION_EDITABLE:
            out.append(Column(header, width, style="editable_date" if fld in DATES else "editable", editable=True))
        else:
            out.append(Column(header, width, style="muted_wrap" if fld.endswith("_id") else "wrap"))
    return out


def _row(a: ActionRow) -> list[CellLike]:
    concern: CellLike = shared_cell(a.concern, "status:bad") if a.concern == CONCERN else a.concern
    values: dict[str, CellLike] = {**asdict(a), "concern": concern}
    return [values[fld] for fld, _, _ in ACTION_COLUMNS]


def build(data: ConsolidatedAudit) -> Sheet:
    rows = [_row(a) for a in data.actions]
    intro = [  # the same words every run: a cell of this sheet that changes must be one the coordinator typed
        ("Consolidate proposes one row per recommendation of the report; from then on the rows are yours: edit them, "
         "add rows at the bottom of the table, delete what the partnership does not adopt. Consolidate keeps every "
         "row and only updates 'Section now'."),
        "The report's action plan is read from this sheet. SMART: specific, measurable, agreed, realistic, timely."]
    return Sheet(ACTIONS, "Action plan", intro, [Block(_columns(), rows, name="ActionPlan", row=TABLE_ROW)],
                 freeze=(TABLE_ROW + 1, 2), tab_colour="#548235", landscape=True, print_columns=ACTIONS_PRINTED)
