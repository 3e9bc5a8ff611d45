"""Themes: the phrases that recur across cases and agencies, concerns and good practice apart.

Found by :func:`xlpack.analysis.themes.find_themes` from the Grades rows
(after moderation); the report's Themes chapter finds the same ones from
the workbook. One row a theme: the phrase, the sections it crosses, how many
cases, agencies and forms wrote it, and two short examples attributed to
agency and section, never to a person.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlpack.analysis.themes import (
    CONCERN,
    GOOD_PRACTICE,
    MIN_AGENCIES,
    MIN_CASES,
    Theme,
    Themes,
    find_themes,
    pile_text,
    too_few_agencies,
)
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.workbook.sheet_model import Block, CellLike, Column, Sheet, stack
from xlpack.workbook.sheets.common import TABLE_ROW, THEMES

COLUMNS = (("No.", 5, "int"), ("Theme", 28, "wrap"), ("Sections it crosses", 28, "wrap"), ("Cases", 7, "count"),
           ("Agencies", 9, "count"), ("Forms", 7, "count"), ("Agencies that wrote it", 24, "wrap"),
           ("Two examples (agency, section)", 60, "wrap"))
TITLES = {CONCERN: "Concerns that recur", GOOD_PRACTICE: "Good practice that recurs"}
NONE_FOUND = "No phrase recurred on {cases} or more cases from {agencies} or more agencies."


def source_text(agency: str, section: str, source: str, grade: str) -> str:
    """Where an example comes from: agency and section (and which text, under which grade); never a person."""
    return f"{agency}, {section} ({source}" + (f", graded {grade})" if grade else ")")


def all_but(names: Sequence[str], every: Sequence[str], noun: str) -> str:
    """Names, or "All 13 sections" where they are all of them, or "All 13 sections but Planning" where all but
    one or two."""
    missing = [x for x in every if x not in names]
    if len(every) > 3 and not missing:
        return f"All {len(every)} {noun}"
    if len(every) > 5 and len(missing) <= 2 and len(names) == len(every) - len(missing):
        return f"All {len(every)} {noun} but {' and '.join(missing)}"
    return "; ".join(names)


def theme_row(n: int, t: Theme, sections: Sequence[str], agencies: Sequence[str]) -> list[CellLike]:
    examples = "\n".join(f"\u201c{e.text}\u201d ({source_text(e.agency, e.section, e.source, e.grade)})"
                         for e in t.examples[:2])
    return [n, t.phrase, all_but(t.sections, sections, "sections"), t.cases, t.agency_count, t.forms,
            all_but(t.agencies, agencies, "agencies"), examples]


def build(data: ConsolidatedAudit, themes: Themes | None = None) -> Sheet:
    """One header over both tables, concerns then good practice, each under its title: the header is the sheet's
    print titles, so it tops every printed page either table runs onto (Excel repeats one set of rows a sheet,
    and the tables share their columns); each table starts a page where it would otherwise be split and fits on
    one."""
    themes = themes or find_themes(data.grades, data.plan.scale, [s.title for s in data.plan.tool.sections])
    cols = [Column(h, w, style=s) for h, w, s in COLUMNS]
    sections = [s.title for s in data.plan.tool.sections]
    agencies = sorted({g.agency for g in data.grades}, key=str.casefold)
    header = Block(cols, [], row=TABLE_ROW)
    blocks = []
    for kind in (CONCERN, GOOD_PRACTICE):
        found = themes.of(kind)
        rows: list[list[CellLike]] = [theme_row(n, t, sections, agencies) for n, t in enumerate(found, start=1)]
        if not rows:
            rows = [["", too_few_agencies(data.grades) or NONE_FOUND.format(cases=MIN_CASES, agencies=MIN_AGENCIES)]]
        title = f"{TITLES[kind]} (from {pile_text(data.plan.scale, kind)})"  # in the scale's own words
        blocks.append(Block(cols, rows, title=title, header=False))
    stack(blocks, TABLE_ROW + 1, gap=1)
    intro = ("Phrases the auditors wrote again and again: each on at least two cases, from at least two agencies "
             "(one auditor repeating their own words is not a theme), and far more often among concerns than "
             "good practice, or the other way round. Grades are after moderation.")
    guide = ("A starting point for the follow-up meeting and the report: read the examples, check them on the "
             "Evidence sheet, and say in your own words what each theme shows.")
    return Sheet(THEMES, "Themes across the audits", [intro, guide], [header, *blocks], freeze=(TABLE_ROW + 1, 2),
                 repeat_rows=TABLE_ROW, keep_blocks=True)
