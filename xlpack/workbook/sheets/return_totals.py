"""Return totals: issued forms by status, per agency and per case, on a sheet of their own."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.records import ReturnRow
from xlpack.workbook.sheet_model import Block, Cell, CellLike, Column, Sheet, stack
from xlpack.workbook.sheets.common import RETURN_TOTALS, RETURNS, STATUS_LABELS, TABLE_ROW
from xlpack.workbook.sheets.returns import ISSUED_STATUSES, issued_rows


def counts_block(title: str, key_header: str, keys: Sequence[str], rows: Sequence[ReturnRow], key_of: str) -> Block:
    counts: Counter[tuple[str, str]] = Counter((getattr(r, key_of), r.status) for r in rows)
    cols = [Column(key_header, 26, style="wrap"),
            *(Column(STATUS_LABELS[s], 13, style="count") for s in ISSUED_STATUSES), Column("Issued", 9, style="count")]
    body: list[list[CellLike]] = []
    for k in keys:
        n = [counts[(k, s)] for s in ISSUED_STATUSES]
        body.append([k, *n, sum(n)])
    totals = [sum(counts[(k, s)] for k in keys) for s in ISSUED_STATUSES]
    body.append([Cell("Total", "total"), *(Cell(t, "total") for t in [*totals, sum(totals)])])
    return Block(cols, body, title=title)


def build(data: ConsolidatedAudit) -> Sheet:
    main = issued_rows(data)
    agencies = sorted({r.agency for r in main}, key=str.casefold)
    cases = sorted({r.case_ref for r in main}, key=str.casefold)
    blocks = [counts_block("Totals by agency", "Agency", agencies, main, "agency"),
              counts_block("Totals by case", "Case reference", cases, main, "case_ref")]
    stack(blocks, TABLE_ROW)
    intro = (f"Each issued form counted once, by its status on the '{RETURNS}' sheet (extra copies and files that "
             "match no issued form are not counted).")
    return Sheet(RETURN_TOTALS, "Returns by agency and by case", [intro], blocks, freeze=(0, 1),
                 tab_colour="#1F3864", landscape=False, keep_blocks=True)
