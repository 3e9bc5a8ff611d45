"""Orphaned: what the coordinator typed on rows that have gone, kept until dealt with."""

from __future__ import annotations

from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.wording import counted
from xlpack.workbook.sheet_model import Block, CellLike, Sheet
from xlpack.workbook.sheets.common import ORPHAN_COLUMNS, ORPHAN_KINDS, ORPHANED, TABLE_ROW, columns


def build(data: ConsolidatedAudit) -> Sheet:
    rows: list[list[CellLike]] = [[ORPHAN_KINDS.get(o.kind, o.kind), o.context, o.column, o.value, o.since, o.key]
            for o in data.orphaned]
    cols = columns(ORPHAN_COLUMNS, editable=("value",), styles={"since": "datetime", "key": "muted"})
    intro = ("Nothing here: every moderated grade, note and resolution is on its row." if not rows else
             f"{counted(len(rows), 'value')} typed on rows that are no longer there (for example a form later "
             "rejected or a flag no longer raised). They go back on their row if it returns; delete a row here "
             "once dealt with.")
    return Sheet(ORPHANED, "Orphaned moderation and resolutions", [intro],
                 [Block(cols, rows, name="Orphaned", row=TABLE_ROW)], freeze=(TABLE_ROW + 1, 0),
                 tab_colour="#7F7F7F" if not rows else "#C55A11")
