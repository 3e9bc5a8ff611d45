"""The body of the report's Themes chapter: the phrases that recur across the audits, from the workbook's text.

Themes come from :func:`xlpack.analysis.themes.find_themes` over the Grades
rows read back from the workbook (after moderation), the same as the
Themes sheet shows. Every figure is the finder's count: cases, agencies
and forms whose text holds the phrase, in the pile it belongs to (concern:
evidence behind the grades below Good, areas for development and
actions; good practice: evidence behind Good or better grades, and
strengths). Examples are attributed to agency and section, never to a person.
"""

from __future__ import annotations

from collections.abc import Sequence

from xlpack.analysis.themes import (
    CONCERN,
    GOOD_PRACTICE,
    MIN_AGENCIES,
    MIN_CASES,
    Theme,
    find_themes,
    pile_text,
    too_few_agencies,
)
from xlpack.model.names import redact_names
from xlpack.report.document import ReportDocument
from xlpack.report.findings import Findings

SHOWN = 5  # themes of each kind in the report; the Themes sheet has them all


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _sections(t: Theme, every: Sequence[str]) -> str:
    if len(t.sections) == len(every) > 3:
        return f"every section of the tool ({len(every)})"
    if len(t.sections) <= 3:
        return " and ".join([", ".join(t.sections[:-1]), t.sections[-1]] if len(t.sections) > 1 else t.sections)
    return f"{len(t.sections)} sections, among them {', '.join(t.sections[:2])} and {t.sections[2]}"


def theme_sentence(t: Theme, every: Sequence[str]) -> str:
    """What the workbook shows of one theme, in a sentence (counts as the finder made them)."""
    return (f"Written on {_plural(t.cases, 'case', 'cases')} by {_plural(t.agency_count, 'agency', 'agencies')} "
            f"({_plural(t.forms, 'form', 'forms')}), in {_sections(t, every)}.")


def themes_section(doc: ReportDocument, f: Findings, level: int = 2) -> None:
    """The "Themes" heading at ``level`` and what the finder found, under headings one level below."""
    every = [s.title for s in f.plan.tool.sections]
    names = f.plan.name_lists()  # what is quoted passes through the name guard
    found = find_themes(f.audit.grades, f.scale, every)
    doc.heading("Themes", level)
    doc.para(f"Phrases the auditors used again and again, each on at least {MIN_CASES} cases and from at least "
             f"{MIN_AGENCIES} agencies (one auditor repeating their own words does not count), found in the free "
             f"text of the audits: concerns from {pile_text(f.scale, CONCERN)}; good practice from "
             f"{pile_text(f.scale, GOOD_PRACTICE)}. The Themes sheet of the coordinator workbook lists them all.")
    why_none = too_few_agencies(f.audit.grades)
    if why_none:  # no heading over a part that cannot hold anything
        doc.para(why_none)
        doc.note("Say in your own words what recurs across the audits, drawing on the follow-up meeting.")
        return
    for kind, heading in ((CONCERN, "Concerns that recur"), (GOOD_PRACTICE, "Good practice that recurs")):
        doc.heading(heading, level + 1)
        themes = found.of(kind)
        if not themes:
            doc.para(f"No phrase of {'concern' if kind == CONCERN else 'good practice'} recurred on {MIN_CASES} or "
                     f"more cases from {MIN_AGENCIES} or more agencies.")
        for t in themes[:SHOWN]:
            doc.para(theme_sentence(t, every), bold_lead=f"\u201c{t.phrase}\u201d. ", keep_with_next=True)
            said: dict[str, list[str]] = {}  # the same words from two agencies: quoted once, with both
            for e in t.examples:
                said.setdefault(e.text, []).append(f"{e.agency}, {e.section}")
            for i, (text, where) in enumerate(said.items()):
                doc.quote(redact_names(text, names), "; ".join(where), keep_with_next=i < len(said) - 1)
        if len(themes) > SHOWN:
            doc.para(f"{len(themes) - SHOWN} more on the Themes sheet.")
    doc.note("Say in your own words what each theme shows and how widely it applies, drawing on the follow-up "
             "meeting; add themes the text does not show (partnership working, the child's lived experience).")
