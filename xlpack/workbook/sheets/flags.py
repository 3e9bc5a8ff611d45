"""Flags: the consistency flags, urgent first, with a Resolution column for the meeting."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from xlpack.analysis.flags import rule_by_name
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.records import FlagRow
from xlpack.model.wording import counted
from xlpack.workbook.sheet_model import Block, CellLike, RowsOf, Sheet, shared_cell
from xlpack.workbook.sheets.common import (
    FLAG_COLUMNS,
    FLAG_TECHNICAL,
    FLAGS,
    FLAGS_PRINTED,
    SEVERITY_LABELS,
    TABLE_ROW,
    columns,
)


def build(data: ConsolidatedAudit) -> Sheet:
    titles = {s.id: s.title for s in data.plan.tool.sections}

    def row(f: FlagRow) -> list[CellLike]:
        rule = rule_by_name(f.rule)
        return [shared_cell(SEVERITY_LABELS.get(f.severity, f.severity), f"sev:{f.severity}"), f.case_ref,
                titles.get(f.section_id, f.section_id), rule.title if rule else f.rule, "; ".join(f.agencies),
                f.message, f.resolution, f.resolution_meeting, f.cells, f.flag_id, f.section_id, f.rule]

    rows = RowsOf(data.flags, row)  # built as they are written, not all kept
    cols = columns(FLAG_COLUMNS, editable=("resolution", "resolution_meeting"), technical=FLAG_TECHNICAL,
                   styles={"flag_id": "muted", "section_id": "muted", "rule_id": "muted", "cells": "muted_wrap"})
    # read on paper, row by row, and few rows: each as tall as its text wraps to, counted glyph by glyph
    cols = [replace(c, exact=True) for c in cols]
    counts: Counter[str] = Counter(f.severity for f in data.flags)
    summary = (f"{counted(len(data.flags), 'flag')}: " + ", ".join(f"{counts[s]} {label.lower()}"
                                                          for s, label in SEVERITY_LABELS.items()) + ".")
    return Sheet(FLAGS, "Flags for the follow-up meeting", [
        summary + " Urgent flags (a child who may not be safe now) come first: act on them today.",
        "Type the outcome in 'Resolution': it stays with the flag (by its Flag id) when consolidate runs again."],
        [Block(cols, rows, name="Flags", row=TABLE_ROW)], freeze=(TABLE_ROW + 1, 2), tab_colour="#C00000",
        print_columns=FLAGS_PRINTED, repeat_rows=TABLE_ROW)
