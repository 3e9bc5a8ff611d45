"""Pivots: grade distributions by section, agency, case and overall, before and after moderation, and by
every detail the Cases sheet records (category, age band, team, ...).

The counts come from :mod:`xlpack.analysis.pivots`; this module only lays
them out: counts as whole numbers, shares as whole percentages (a cell
formatted ``0%`` shows what :func:`~xlpack.analysis.pivots.share_percent`
writes in the report). The Charts sheet draws stacked bars over these ranges.
"""

from __future__ import annotations

from dataclasses import dataclass

from xlpack.analysis.pivots import (
    BLANK,
    CASES,
    GOOD_SHARE,
    GRADED,
    INADEQUATE_SHARE,
    ONE_RECORD_RULE,
    TOTAL,
    By,
    Distribution,
    breakdown_by_field,
    case_fields,
    distribution,
    moderation_changes,
    section_ranking,
)
from xlpack.analysis.verdicts import Thresholds
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.wording import counted
from xlpack.workbook.sheet_model import Block, Cell, CellLike, Column, Sheet, stack
from xlpack.workbook.sheets.common import PIVOTS, TABLE_ROW

KEY_WIDTH = 34
BY_TITLES: dict[str, str] = {"section": "Section", "agency": "Agency", "case": "Case reference", "overall": ""}
WHEN = {False: "as returned", True: "after moderation"}


@dataclass
class PivotBlocks:
    """The counts block of one pivot and the percentages block beside it."""

    by: str
    moderated: bool
    counts: Block
    shares: Block


def _records(n: float) -> float | int:
    """A count of case records for a cell: a whole number, or a shared count to two places (8.5)."""
    return int(round(n)) if abs(n - round(n)) < 1e-9 else round(n, 2)


def pivot_blocks(data: ConsolidatedAudit, by: By, moderated: bool) -> PivotBlocks:
    scale = data.plan.scale
    dist = distribution(data.grades, scale, by, moderated=moderated)
    labels = [*data.plan.scale.labels, BLANK]
    key_header = BY_TITLES[by] or "All forms"
    count_cols = [Column(key_header, KEY_WIDTH, style="wrap"), *(Column(lab, 11, style="records") for lab in labels),
                  Column(TOTAL, 8, style="records"), Column(GRADED, 8, style="records"),
                  Column(GOOD_SHARE, 11, style="pct"), Column(INADEQUATE_SHARE, 11, style="pct")]
    counts: list[list[CellLike]] = []
    shares: list[list[CellLike]] = []
    for key, d in dist.items():
        n = d.total
        counts.append([key, *(_records(d[lab]) for lab in labels), _records(n), _records(d.graded), d.good_share,
                       d.inadequate_share])
        shares.append([key, *((d[lab] / n) if n else None for lab in labels)])
    if by != "overall" and dist:
        totals = [sum(d[lab] for d in dist.values()) for lab in labels]
        graded = sum(d.graded for d in dist.values())
        counts.append([Cell("All", "total"), *(Cell(_records(t), "total") for t in totals),
                       Cell(_records(sum(d.total for d in dist.values())), "total"), Cell(_records(graded), "total"),
                       Cell(_share(dist, scale.good_or_better, graded), "total_pct"),
                       Cell(_share(dist, scale.inadequate, graded), "total_pct")])
    when = WHEN[moderated]
    title = f"Grades by {by}, {when}" if by != "overall" else f"All grades, {when}"
    share_cols = [Column(key_header, KEY_WIDTH, style="wrap"), *(Column(f"% {lab}", 11, style="pct")
                                                                 for lab in labels)]
    return PivotBlocks(by, moderated, Block(count_cols, counts, title=f"{title}: counts"),
                       Block(share_cols, shares, title=f"{title}: share of all answers"))


def _share(dist: dict[str, Distribution], wanted: list[str], graded: float) -> float | None:
    """A share over the whole table, from the summed counts (not an average of the rows' shares)."""
    if not graded:
        return None
    return sum(sum(d[lab] for d in dist.values()) for lab in wanted) / graded


def ranking_block(data: ConsolidatedAudit) -> Block:
    thresholds = Thresholds.of(data.plan.terms)  # the partnership's, as the report uses them
    ranked = section_ranking(data.grades, data.plan.scale, moderated=True, thresholds=thresholds)
    rows: list[list[CellLike]] = []
    for d in ranked:
        good, bad = d.good_share, d.inadequate_share
        verdict = thresholds.verdict(good, bad)
        style = {"Working well": "status:ok", "Causing concern": "status:bad"}.get(verdict, "status:wait")
        rows.append([d.key, _records(d.graded), good, bad, Cell(verdict, style)])
    cols = [Column("Section", KEY_WIDTH, style="wrap"), Column(GRADED, 11, style="records"),
            Column(GOOD_SHARE, 11, style="pct"), Column(INADEQUATE_SHARE, 11, style="pct"),
            Column("Signal", 18, style="wrap")]
    return Block(cols, rows, title="Sections from working well to causing concern (after moderation)")


def changes_block(data: ConsolidatedAudit) -> Block:
    rank = {g.label: g.rank for g in data.plan.scale.grades}
    changed = moderation_changes(data.grades)
    per: dict[str, list[int]] = {}
    for g in changed:
        counts = per.setdefault(g.section_title, [0, 0, 0])
        before, after = rank.get(g.grade or ""), rank.get(g.moderated_grade or "")
        if before is not None and after is not None:
            counts[0 if after < before else 1] += 1
        else:
            counts[2] += 1
    order = {s.title: i for i, s in enumerate(data.plan.tool.sections)}
    rows: list[list[CellLike]] = [[k, *v, sum(v)] for k, v in sorted(per.items(), key=lambda kv: order.get(kv[0], 99))]
    cols = [Column("Section", KEY_WIDTH, style="wrap"), Column("Raised", 11, style="count"),
            Column("Lowered", 11, style="count"), Column("Other change", 11, style="count"),
            Column("Changed", 11, style="count")]
    return Block(cols, rows, title=f"Moderation: {counted(len(changed), 'grade')} changed by the coordinator")


def field_blocks(data: ConsolidatedAudit) -> list[Block]:
    """The grade distribution (after moderation) for each value of each case detail on the Cases sheet."""
    scale = data.plan.scale
    labels = [*scale.labels, BLANK]
    out = []
    for f in case_fields(data.plan):
        dist = breakdown_by_field(data.grades, data.plan.cases, f, scale, default_category=data.plan.tool.category)
        cols = [Column(f.label, KEY_WIDTH, style="wrap"), Column(CASES, 11, style="count"),
                *(Column(lab, 11, style="count") for lab in labels), Column(TOTAL, 8, style="count"),
                Column(GRADED, 8, style="count"), Column(GOOD_SHARE, 11, style="pct"),
                Column(INADEQUATE_SHARE, 11, style="pct")]
        rows: list[list[CellLike]] = [
            [key, d.cases, *(_records(d[lab]) for lab in labels), _records(d.total), _records(d.graded),
             d.good_share, d.inadequate_share]
            for key, d in dist.items()]
        out.append(Block(cols, rows, title=f"Grades by {f.label.lower() if f.label[1:].islower() else f.label}, "
                                           "after moderation: counts"))
    return out


def all_pivots(data: ConsolidatedAudit) -> list[PivotBlocks]:
    out = []
    for by in ("overall", "section", "agency", "case"):
        for moderated in (True, False):
            out.append(pivot_blocks(data, by, moderated))
    return out


def thresholds_line(data: ConsolidatedAudit) -> str:
    """The Signal column's thresholds, from the Terms of reference."""
    return Thresholds.of(data.plan.terms).words() + " (Thresholds from the Terms of reference sheet.)"


def build(data: ConsolidatedAudit) -> tuple[Sheet, list[PivotBlocks]]:
    pivots = all_pivots(data)
    firsts = [ranking_block(data), changes_block(data)]
    row = stack(firsts, TABLE_ROW + 1)
    counts = [p.counts for p in pivots]
    by_field = field_blocks(data)
    stack([*counts, *by_field], row)
    side = max(b.width for b in [*counts, *by_field]) + 1
    for p in pivots:
        p.shares.row, p.shares.col = p.counts.row, side
    blocks = [*firsts, *counts, *by_field, *(p.shares for p in pivots)]
    intro = ("Counts per grade; 'Not applicable', 'No evidence' and blanks are shown apart and left out of the "
             "shares, which are over graded answers only. Each table comes after moderation and as returned; "
             "below them, the grades by each detail of the Cases sheet.")
    sheet = Sheet(PIVOTS, "Grade pivots",
                  [f"{intro} {ONE_RECORD_RULE}", "Percentages of all answers are to the right of each table; the "
                   f"Charts sheet draws them. {thresholds_line(data)}"],
                  blocks, freeze=(0, 1), print_columns=side - 1, keep_blocks=True)
    return sheet, pivots
