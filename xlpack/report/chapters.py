"""The chapters of the overview report, in the order the partnership reads them.

Each function writes one part of the document from the :class:`Findings`;
figures come ready-made from :mod:`xlpack.report.findings` (and through it
from the pivots and agreement modules). Places where the coordinator's
judgement is needed are written as coordinator notes, so they are easy
to find and replace in Word.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

import pandas as pd

import xlpack.report.charts as charts
from xlpack.analysis.actions import agencies_of_concern, when_text
from xlpack.analysis.agreement import ALPHA_GUIDE, alpha_reading, alpha_text
from xlpack.analysis.pivots import (
    BLANK,
    CASES,
    GOOD_COUNT,
    GRADED,
    INADEQUATE_COUNT,
    TOTAL,
    share_percent,
)
from xlpack.analysis.views import min_child_age
from xlpack.model.records import GradeRow
from xlpack.report.document import Cell, ReportDocument, long_date
from xlpack.report.findings import (
    NOT_RECORDED,
    Example,
    Findings,
    SectionFigures,
    agencies_taking_part,
    auditors_taking_part,
    examples,
    flag_title,
    flags_by_rule,
    sample_spread,
    shorten,
    views_summary,
)
from xlpack.report.meetings import learning as meeting_learning
from xlpack.report.meetings import method as meeting_method
from xlpack.report.meetings import resolutions as meeting_resolutions

VERDICT_FILL = {"Working well": "D9EAD3", "Mixed": "FFF2CC", "Causing concern": "F4CCCC", "Not graded": "EDEDED"}
TOTAL_FILL = "D9E2F3"
QUOTES_PER_QUESTION = 6  # different answers quoted for each question of the views form
SOURCES_NAMED = 3  # forms named for an extract that several wrote (the first two where there are more)
SUMMARY_CONCERNS = 4  # sections of concern named in the summary (worst first); more are counted
MODERATION_CHART_SECTIONS = 5  # sections beside "All sections" in the before-and-after figure
NUMBER_WORDS = dict(enumerate(("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")))
DISAGREEMENTS_SHOWN = 15


def _period(f: Findings) -> str:
    terms = f.plan.terms
    return f"{long_date(terms.period_from)} to {long_date(terms.period_to)}"


def _list(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _tint(colour: str, amount: float = 0.55) -> str:
    """A grade's colour lightened towards white, so black text stays readable on it."""
    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{round(c + (255 - c) * amount):02X}" for c in (r, g, b))


def _good(row: pd.Series) -> str:
    """A distribution row's share Good or better, as every figure in the report is written."""
    return share_percent(int(row[GOOD_COUNT]), int(row[GRADED]))


def _bad(row: pd.Series) -> str:
    return share_percent(int(row[INADEQUATE_COUNT]), int(row[GRADED]))


def _good_of(s: SectionFigures) -> str:
    return share_percent(s.good_n, s.graded)


def _bad_of(s: SectionFigures) -> str:
    return share_percent(s.inadequate_n, s.graded)


def _figures_sentence(s: SectionFigures) -> str:
    return f"Good or better in {_good_of(s)} of {s.graded} graded audits; Inadequate in {_bad_of(s)}."


def _overall_sentence(f: Findings) -> str:
    overall = f.overall.iloc[0]
    if not int(overall[GRADED]):
        return "No graded answers have come back yet."
    return (f"Across all sections, {_good(overall)} of {int(overall[GRADED])} graded answers were Good or "
            f"better and {_bad(overall)} Inadequate.")


# ----------------------------------------------------------------------------- front matter


def title_page(doc: ReportDocument, f: Findings, today: date) -> None:
    terms = f.plan.terms
    for _ in range(3):
        doc.para()
    doc.para(bold_lead="OFFICIAL-SENSITIVE")
    doc.doc.add_paragraph(terms.title, style="Title")
    doc.subtitle("Overview report to the safeguarding partnership")
    facts = [
        ("Audit tool: ", f"{f.plan.tool.title} (version {f.plan.tool.version})"),
        ("Case work audited: ", _period(f)),
        ("Cases in the sample: ", str(len(f.plan.cases))),
        ("Report date: ", long_date(today)),
        ("Coordinator: ", terms.coordinator or "not recorded"),
        ("Status: ", ("draft written by xlpack from the consolidated audit workbook; the coordinator completes "
                     "the marked parts before it is presented.")),
    ]
    for lead, text in facts:
        doc.para(text, bold_lead=lead)
    doc.para("This report refers to children by pseudonymised case reference only. Handle it as "
             "OFFICIAL-SENSITIVE: share it only with those who need it for the partnership's work.")
    doc.page_break()
    doc.contents()
    doc.page_break()


def summary(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Summary", 1)
    agencies = agencies_taking_part(f.audit_returns)
    doc.para(f"This report gives the findings of the {f.plan.terms.title}: {len(f.plan.cases)} "
             f"{f.plan.tool.category.lower()} cases audited by {len(agencies)} agencies, looking at case work "
             f"from {_period(f)}.")
    back = f.audit_returns
    items = [
        (f"Returns: {back.returned} of {back.issued} audit forms came back and were used "
         f"({share_percent(back.returned, back.issued)})."),
        _overall_sentence(f),
    ]
    well = f.with_verdict("Working well")
    concern = f.with_verdict("Causing concern")
    items.append("Working well: " + (_list([f"{s.title} ({_good_of(s)} Good or better)" for s in well]) + "."
                                     if well else "no section met the working-well threshold."))
    items.append(_concern_item(concern))
    agree = f.agreement_returned
    if agree.units:
        items.append(f"Consistency: where two or more agencies graded the same section of a case, their grades "
                     f"were within one grade of each other in {share_percent(agree.within_n, agree.units)} of "
                     f"{agree.units} case sections (as returned).")
    if f.not_safe:
        cases = sorted({s.case_ref for s in f.not_safe}, key=str.casefold)
        items.append(f"Safeguarding: auditors answered No or Unsure to “Is the child adequately safeguarded "
                     f"now?” on {len(f.not_safe)} form(s), for case(s) {_list(cases)}.")
    doc.bullets(items)
    doc.note("Add the partnership's overall judgement in two or three sentences, and the two or three "
             "things the partnership most needs to act on.")


def _concern_item(concern: Sequence[SectionFigures]) -> str:
    """The sections causing concern, worst first; past :data:`SUMMARY_CONCERNS`, the rest are counted."""
    if not concern:
        return "Causing concern: no section met the concern threshold."
    worst = list(reversed(concern))
    named = worst if len(worst) <= SUMMARY_CONCERNS else worst[:SUMMARY_CONCERNS - 1]
    parts = [f"{s.title} ({_good_of(s)} Good or better, {_bad_of(s)} Inadequate)" for s in named]
    rest = len(worst) - len(named)
    if rest:
        parts.append(f"{NUMBER_WORDS.get(rest, rest)} other sections (all are ranked under 'From working well to "
                     "causing concern')")
    if len(worst) == 1:
        return f"Causing concern: {parts[0]}."
    return f"Causing concern: {len(worst)} sections, worst first: {_list(parts)}."


# ----------------------------------------------------------------------------- terms of reference and method


def terms_and_method(doc: ReportDocument, f: Findings) -> None:
    terms = f.plan.terms
    doc.heading("Terms of reference and method", 1)
    doc.heading("Purpose and scope", 2)
    for lead, text in (("Purpose. ", terms.purpose), ("Outcomes focus. ", terms.outcomes_focus),
                       ("Scope. ", terms.scope)):
        if text.strip():
            doc.para(text, bold_lead=lead)
        else:
            doc.note(f"{lead.strip(' .')} was not recorded on the Terms of reference sheet; add it here.")
    doc.para(f"Case work from {_period(f)} was audited with the {f.plan.tool.title} (version "
             f"{f.plan.tool.version}). Forms were due back by {long_date(terms.deadline)}.")

    doc.heading("Method", 2)
    doc.para("Each agency that worked with a child audited its own record of the case, using the same tool. "
             "Auditors graded each section of the tool and wrote the evidence for the grade, strengths, areas "
             "for development and action for their agency. Where possible two auditors from one agency audited "
             "the same case. The coordinator then read each case's audits side by side, identified "
             "inconsistencies and chaired a follow-up meeting with the auditors; where that meeting changed a "
             "grade, the moderated grade is used in this report.")
    meeting_method(doc, f.audit)
    rows: list[list[str | Cell]] = []
    worst = max(g.rank or 0 for g in f.scale.ranked) if f.scale.ranked else 0
    for g in f.scale.grades:
        if g.rank is None:
            counted = "Not a grade: shown apart, left out of every share"
        elif g.rank <= 2:
            counted = "Good or better"
        elif g.rank == worst:
            counted = "Inadequate"
        else:
            counted = "Graded, neither"
        rows.append([Cell(g.label, fill=_tint(g.colour)), g.descriptor, counted])
    doc.table(["Grade", "What it means", "How it is counted"], rows, [2.2, 6, 2.6],
              caption=f"The grades ({f.scale.title})")
    doc.para("Shares are taken over graded answers only: Not applicable, No evidence "
             "and blank answers are counted and shown, but left out of every share. A section is called "
             "working well when three quarters or more of its graded answers are Good or better and fewer "
             "than one in ten Inadequate; it is causing concern when fewer than half are Good or better or one "
             "in five or more is Inadequate; otherwise it is mixed. With a small sample these are pointers for "
             "discussion, not measurements: a single audit moves a section's share noticeably.",
             bold_lead="How to read the figures. ")

    doc.heading("The sample", 2)
    cases = len(f.plan.cases)
    doc.para(f"{cases} cases were selected for the audit. The table shows how they spread across the case details "
             "recorded on the Cases sheet of the coordinator workbook; Appendix B breaks the grades down by each.",
             keep_with_next=True)
    spread = []
    for label, counts in sample_spread(f.plan):
        text = "; ".join(f"{value}: {n}" for value, n in counts)
        spread.append([label, text])
    doc.table(["Case detail", f"Cases (of {cases})"], spread, [3, 8], caption="The sample of cases")
    _how_drawn(doc, f)

    doc.heading("Agencies and auditors taking part", 2)
    agencies = agencies_taking_part(f.audit_returns)
    auditors = len({(f_.form.agency.casefold(), f_.form.auditor.casefold()) for f_ in f.audit_returns.forms})
    back = f.audit_returns
    doc.para(f"{len(agencies)} agencies and {auditors} auditors took part; Appendix C lists the auditors. "
             f"Of {back.issued} audit forms issued, {back.returned} came back and were "
             f"used, a return rate of {share_percent(back.returned, back.issued)}.", keep_with_next=True)
    rows = [[a.agency, str(a.cases), str(a.auditors), str(a.issued), str(a.returned),
             share_percent(a.returned, a.issued)] for a in agencies]
    rows.append([Cell("All agencies", bold=True, fill=TOTAL_FILL), Cell(str(cases), fill=TOTAL_FILL),
                 Cell(str(auditors), fill=TOTAL_FILL), Cell(str(back.issued), fill=TOTAL_FILL),
                 Cell(str(back.returned), fill=TOTAL_FILL),
                 Cell(share_percent(back.returned, back.issued), bold=True, fill=TOTAL_FILL)])
    doc.table(["Agency", "Cases", "Auditors", "Forms issued", "Returned", "Return rate"], rows,
              [4, 1.2, 1.3, 1.4, 1.4, 1.4], caption="Agencies taking part and their returns")
    missing = back.not_returned
    if missing:
        doc.para("The audits below were not returned or could not be used, so they are missing from every "
                 "figure in this report.", keep_with_next=True)
        doc.table(["Case", "Agency", "What happened"], [[m.form.case_ref, m.form.agency, m.what_happened]
                                                        for m in missing],
                  [2.2, 3.5, 6], caption="Audits not returned or not used")
    else:
        doc.para("Every audit form issued came back and was used.")
    views_back = f.views_returns
    if views_back.issued:
        doc.para(f"Child and family views forms: {views_back.returned} of {views_back.issued} "
                 f"came back ({share_percent(views_back.returned, views_back.issued)}).")


def _how_drawn(doc: ReportDocument, f: Findings) -> None:
    """How the cases were drawn, from the Sample sheet (when xlpack sample drew them)."""
    s = f.plan.sample
    if s is None:
        return
    kept = f", {s.population} of them after keeping only {'; '.join(s.filters)}" if s.filters else ""
    doc.para(f"The cases were drawn at random on {long_date(s.drawn_on)} from a management-information extract of "
             f"{s.extract_rows} cases ({s.extract}{kept}): {s.size} cases, with seed {s.seed}. {s.method}",
             bold_lead="How the cases were chosen. ")
    gap = s.largest_gap()
    if gap is not None:
        doc.para(f"The largest difference between the sample and the population is for {gap.field} "
                 f"'{gap.value}': {share_percent(gap.population, s.population)} of the population and "
                 f"{share_percent(gap.sample, s.size)} of the sample. Each case is {share_percent(1, s.size)} of the "
                 "sample, so its shares move in steps of that size; the Sample sheet of the coordinator workbook "
                 "lists every field and value.")
    if len(f.plan.cases) != s.size:
        doc.note(f"The Cases sheet lists {len(f.plan.cases)} cases, not the {s.size} drawn: say which cases were "
                 "added or taken out after the draw, and why.")
    rows = [[b.field, b.value, share_percent(b.population, s.population), share_percent(b.sample, s.size)]
            for b in s.balance if b.field in s.by]
    if rows:
        doc.table(["Stratified by", "Value", "Population", "Sample"], rows, [3, 4, 1.6, 1.6],
                  caption="The sample against the population it was drawn from")


# ----------------------------------------------------------------------------- the quantified picture


def _count_columns(frame: pd.DataFrame) -> list[str]:
    labels = [c for c in frame.columns[: frame.columns.get_loc(TOTAL)] if c != CASES]
    return [c for c in labels if c != BLANK or int(frame[BLANK].sum())]


def _distribution_table(doc: ReportDocument, frame: pd.DataFrame, total: pd.Series, key_header: str,
                        total_label: str, caption: str, *, vertical: bool = True) -> None:
    """Counts per grade, graded answers and the two shares, one row per key, and the total row.

    With a Cases column (a breakdown by case detail), the number of cases of each value comes first.
    """
    labels = _count_columns(frame)
    cases = [CASES] if CASES in frame.columns else []
    headers: list[str | Cell] = [key_header, *(Cell(c, vertical=vertical) for c in [*cases, *labels, "Graded"]),
                                 "Share Good or better", "Share Inadequate"]
    rows: list[list[str | Cell]] = []
    for key, row in frame.iterrows():
        rows.append([str(key), *(str(int(row[c])) for c in [*cases, *labels]), str(int(row[GRADED])), _good(row),
                     _bad(row)])
    t = total
    rows.append([Cell(total_label, bold=True, fill=TOTAL_FILL),
                 *(Cell(str(int(frame[CASES].sum())), fill=TOTAL_FILL) for _ in cases),
                 *(Cell(str(int(t[c])), fill=TOTAL_FILL) for c in labels),
                 Cell(str(int(t[GRADED])), fill=TOTAL_FILL), Cell(_good(t), bold=True, fill=TOTAL_FILL),
                 Cell(_bad(t), bold=True, fill=TOTAL_FILL)])
    counts = len(cases) + len(labels) + 1
    weights = [5, *([0.85] * counts), 1.75, 1.75] if vertical else [4, *([2] * counts), 1.8, 1.8]
    doc.table(headers, rows, weights, caption=caption)


def _stacked(f: Findings, frame: pd.DataFrame) -> tuple[bytes, str]:
    ranked = f.scale.ranked
    keys = [str(k) for k in frame.index]
    series = [charts.Series(g.label, g.colour, [int(frame.at[k, g.label]) for k in frame.index]) for g in ranked]
    png = charts.stacked_shares(keys, series, xlabel="Share of graded answers")
    parts = []
    for k in frame.index:
        counts = ", ".join(f"{int(frame.at[k, g.label])} {g.label}" for g in ranked)
        parts.append(f"{k}: {counts} ({int(frame.at[k, GRADED])} graded)")
    return png, "; ".join(parts) + "."


def quantified(doc: ReportDocument, f: Findings) -> None:
    doc.heading("The quantified picture", 1)
    overall = f.overall.iloc[0]
    doc.para(f"Auditors gave {int(overall[TOTAL])} section answers, {int(overall[GRADED])} of them graded. "
             f"{_overall_sentence(f)} The figures use the grades after moderation.", keep_with_next=True)
    doc.heading("Grades by section", 2)
    _distribution_table(doc, f.by_section, f.overall.iloc[0], "Section", "All sections", "Grades by section")
    if int(f.overall.iloc[0][GRADED]):
        png, alt = _stacked(f, f.by_section)
        doc.figure(png, caption="Share of graded answers at each grade, by section (Not applicable and No "
                                "evidence left out)", alt="Stacked bar chart of grades by section. " + alt)

    doc.heading("From working well to causing concern", 2)
    doc.para("Sections are ranked by the share of graded answers that were Good or better, then by the share "
             "that were Inadequate (fewer first).", keep_with_next=True)
    rows: list[list[str | Cell]] = [
        [str(s.rank), s.title, str(s.graded), _good_of(s), _bad_of(s), Cell(s.verdict, fill=VERDICT_FILL[s.verdict])]
        for s in f.ranking]
    doc.table(["Rank", "Section", "Graded", "Share Good or better", "Share Inadequate", "Reading"], rows,
              [0.8, 5, 1.1, 1.3, 1.3, 1.9], caption="Sections ranked from working well to causing concern")
    graded = [s for s in f.ranking if s.verdict != "Not graded"]
    if graded:
        png = charts.diverging_shares([s.title for s in graded], [s.good_n for s in graded],
                                      [s.inadequate_n for s in graded], [s.graded for s in graded],
                                      good_label="Good or better", bad_label="Inadequate")
        alt = "; ".join(f"{s.rank}. {s.title}: {s.verdict.lower()}" for s in graded)
        doc.figure(png, caption="Sections ranked: share Good or better (right) and Inadequate (left)",
                   alt="Bar chart of sections in rank order, Good or better to the right and Inadequate to the "
                       "left. " + alt + ".")

    doc.heading("By agency", 2)
    doc.para("The same grades by the agency whose record was audited. An agency's figures cover only the "
             "cases it worked on, so small numbers of graded answers call for care.", keep_with_next=True)
    _distribution_table(doc, f.by_agency, f.overall.iloc[0], "Agency", "All agencies", "Grades by agency")
    if int(f.overall.iloc[0][GRADED]):
        png, alt = _stacked(f, f.by_agency)
        doc.figure(png, caption="Share of graded answers at each grade, by agency",
                   alt="Stacked bar chart of grades by agency. " + alt)

    doc.heading("Before and after moderation", 2)
    moderation(doc, f)


def moderation(doc: ReportDocument, f: Findings) -> None:
    moderated = [g for g in f.audit.grades if g.moderated_grade]
    if not f.changes:
        doc.para("The coordinator recorded no moderated grade that differs from the grade returned, so the "
                 "figures are the grades as the auditors returned them." if not moderated else
                 "Moderation confirmed the grades as returned: no grade changed.")
        return
    before, after = f.overall_returned.iloc[0], f.overall.iloc[0]
    labels = [c for c in _count_columns(f.overall) if c != BLANK or int(f.overall_returned[BLANK].sum())]
    change = [int(after[c]) - int(before[c]) for c in labels]
    moved = sorted((c for c in zip(labels, change) if c[1]), key=lambda c: -abs(c[1]))[:2]
    most = _list([f"{label} ({'up' if d > 0 else 'down'} {abs(d)})" for label, d in moved])
    most = f" The grades that moved most were {most}." if most else ""
    doc.para(f"The follow-up meeting changed {len(f.changes)} grade(s). Across all sections, Good or better "
             f"went from {_good(before)} as returned to {_good(after)} after moderation, "
             f"and Inadequate from {_bad(before)} to {_bad(after)}.{most} The table and the figure show every "
             "grade, as returned and after moderation.", keep_with_next=True)
    rows: list[list[str | Cell]] = [
        ["As returned", *(str(int(before[c])) for c in labels)],
        ["After moderation", *(str(int(after[c])) for c in labels)],
        [Cell("Change", bold=True, fill=TOTAL_FILL),
         *(Cell(f"{d:+d}".replace("-", "−") if d else "0", fill=TOTAL_FILL) for d in change)]]
    doc.table(["All sections", *(Cell(c, vertical=True) for c in labels)], rows, [4, *([1] * len(labels))],
              caption="Grades before and after moderation, all sections")
    changed_sections = list(dict.fromkeys(g.section_title for g in sorted(f.changes, key=lambda g: g.section_order)))
    charted = _most_changed(f, changed_sections)
    keys = [str(f.overall.index[0]), *charted]
    frames = (pd.concat([f.overall_returned, f.by_section_returned.loc[charted]]),
              pd.concat([f.overall, f.by_section.loc[charted]]))
    before_series, after_series = ([charts.Series(g.label, g.colour, [int(v) for v in frame[g.label]])
                                    for g in f.scale.ranked] for frame in frames)
    png = charts.grades_before_after(keys, before_series, after_series)
    which = ("each section where a grade changed" if len(charted) == len(changed_sections) else
             f"the {NUMBER_WORDS.get(len(charted), len(charted))} sections moderation changed most")
    doc.figure(png, caption=f"Grades as returned and after moderation: all sections, and {which} (share of graded "
                            "answers)",
               alt="Pairs of stacked bars of the share of graded answers at each grade, as returned and after "
                   "moderation, for all sections and for " + _list(charted) + ".")
    rows = []
    for title in changed_sections:
        b, a = f.by_section_returned.loc[title], f.by_section.loc[title]
        rows.append([title, _good(b), _good(a), _bad(b), _bad(a)])
    doc.table(["Section", "Good or better, as returned", "Good or better, after moderation",
               "Inadequate, as returned", "Inadequate, after moderation"], rows, [4.2, 1.7, 1.7, 1.7, 1.7],
              caption="Sections whose figures moderation changed")
    rows = [[g.case_ref, g.agency, g.section_title, g.grade or "blank", g.moderated_grade or "",
             g.moderation_note or ""] for g in sorted(f.changes, key=lambda g: (g.case_ref.casefold(),
                                                                              g.section_order, g.agency.casefold()))]
    doc.table(["Case", "Agency", "Section", "As returned", "After moderation", "Why"], rows,
              [1.9, 2.4, 3, 1.6, 1.9, 3.2], caption="Grades changed at moderation")


def _most_changed(f: Findings, sections: Sequence[str]) -> list[str]:
    """The sections whose grade counts moderation changed most (at most :data:`MODERATION_CHART_SECTIONS`), in
    the tool's order."""
    labels = [g.label for g in f.scale.grades]

    def moved(title: str) -> int:
        return sum(abs(int(f.by_section.at[title, c]) - int(f.by_section_returned.at[title, c])) for c in labels)

    order = {title: i for i, title in enumerate(sections)}
    most = sorted(sections, key=lambda t: (-moved(t), order[t]))[:MODERATION_CHART_SECTIONS]
    return sorted(most, key=order.__getitem__)


# ----------------------------------------------------------------------------- consistency


ALPHA_MEANING = {
    "reliable": "The agencies' grades largely agree; the case sections listed below are the exceptions to discuss.",
    "tentative": "The agencies' grades agree only in part; the case sections listed below show where they differ.",
    "low": "The agencies' grades often differ. As each agency grades its own record, this can reflect different "
           "practice by the agencies in the same case as well as different readings of the standard; the "
           "follow-up meeting is where to tell the two apart.",
}


def alpha_sentence(returned: float | None, moderated: float | None) -> str:
    """Alpha as returned and after moderation, each value said once, and what it means for this audit."""
    if returned is None and moderated is None:
        return ("Alpha could not be computed: too few case sections were graded by more than one form, or the "
                "grades did not vary.")
    r_text, m_text = alpha_text(returned), alpha_text(moderated)
    r_read, m_read = alpha_reading(returned), alpha_reading(moderated)
    if r_text == m_text:
        said = f"Alpha was {r_text} both as returned and after moderation: {r_read} agreement."
    elif r_read == m_read:
        said = f"Alpha was {r_text} as returned and {m_text} after moderation, {r_read} agreement in both."
    else:
        said = (f"Alpha was {r_text} as returned ({r_read or 'not computed'}) and {m_text} after moderation "
                f"({m_read or 'not computed'}).")
    meaning = ALPHA_MEANING.get(r_read or m_read or "", "")
    return f"{said} {meaning}".strip()


def consistency(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Consistency between agencies", 1)
    doc.para("Each agency audits its own record of the same child, so where two or more agencies graded the same "
             "section of a case their grades can be set side by side. They can differ because the agencies' "
             "work with the child differed, not only because auditors read the standard differently: a difference "
             "is a question for the follow-up meeting, not in itself an error. Agreement is measured over the case "
             "sections that two or more forms graded: the share within one grade of each other, and "
             "Krippendorff's alpha for ordinal grades.")
    doc.para(ALPHA_GUIDE, keep_with_next=True)
    r, m = f.agreement_returned, f.agreement_moderated
    rows = [["Case sections graded by two or more forms", str(r.units), str(m.units)],
            ["Within one grade of each other", share_percent(r.within_n, r.units), share_percent(m.within_n, m.units)],
            ["Krippendorff's alpha (ordinal)", alpha_text(r.alpha), alpha_text(m.alpha)]]
    doc.table(["Measure", "As returned", "After moderation"], rows, [6, 2, 2], caption="How far agencies agree",
              keep_with_next=True)
    doc.para(alpha_sentence(r.alpha, m.alpha))

    if f.section_agreement:
        rows = [[title, str(n), share_percent(within, n), str(apart)]
                for title, n, within, apart in f.section_agreement]
        doc.table(["Section", "Case sections compared", "Within one grade", "Two or more apart"], rows,
                  [5, 1.8, 1.6, 1.6], caption="Agreement between agencies by section, as returned")

    doc.heading("Where agencies disagreed", 2)
    if f.disagreements:
        by_unit: dict[tuple[str, str], list[GradeRow]] = defaultdict(list)
        for g in f.audit.grades:
            by_unit[(g.case_ref, g.section_id)].append(g)
        shown = f.disagreements[:DISAGREEMENTS_SHOWN]
        rows = []
        for u in shown:
            members = sorted(by_unit[(u.case_ref, u.section_id)], key=lambda g: (g.agency.casefold(),
                                                                                 g.auditor.casefold()))
            returned = "; ".join(f"{g.agency}: {g.grade}" for g in members if g.grade)
            after = "; ".join(f"{g.agency}: {g.final_grade}" for g in members if g.moderated_grade
                              and g.moderated_grade != g.grade) or "unchanged"
            rows.append([u.case_ref, u.section_title, returned, after])
        more = (f" The {len(shown)} widest are listed below; the case grid in Appendix A shows every case."
                if len(shown) < len(f.disagreements) else "")
        doc.para(f"In {len(f.disagreements)} case section(s) the agencies' grades, as returned, were two or more "
                 f"grades apart.{more}", keep_with_next=True)
        doc.table(["Case", "Section", "Grades as returned", "Changed at moderation"], rows, [1.9, 3.2, 5.5, 3.4],
                  caption="Case sections graded two or more grades apart")
    else:
        doc.para("No agencies' grades for the same case section were two or more grades apart.")

    doc.heading("What the meeting resolved", 2)
    flags = f.audit.flags
    if f.audit.orphaned:
        doc.note(f"{len(f.audit.orphaned)} moderated grade(s) or resolution(s) are on the Orphaned sheet: their "
                 "forms were later rejected or withdrawn, so they are not in this report's figures.")
    if not flags:
        doc.para("Consolidation raised no consistency flags.")
        doc.note("Record what the follow-up meeting discussed and agreed.")
        return
    raised = flags_by_rule(flags)
    doc.table(["Flag", "Raised", "Resolved"], [[t, str(n), str(done)] for t, n, done in raised],
              [7, 1.5, 1.5], caption="Consistency flags raised and resolved", keep_with_next=len(raised) <= 12)
    resolved = [fl for fl in flags if fl.resolution.strip()]
    titles = {s.id: s.title for s in f.plan.tool.sections}
    if resolved:
        rows = [[fl.case_ref, titles.get(fl.section_id, "Whole form"), flag_title(fl.rule), fl.resolution.strip()]
                for fl in resolved]
        doc.table(["Case", "Section", "Flag", "Resolution"], rows, [1.9, 3, 3, 6],
                  caption="Flags the meeting resolved")
    open_flags = len(flags) - len(resolved)
    if open_flags:
        doc.note(f"{open_flags} flag(s) have no resolution recorded on the Flags sheet. Record what was agreed, "
                 "or say here why they remain open.")
    meeting_resolutions(doc, f.audit)
    doc.note("Summarise what the follow-up meeting learned from the inconsistencies.")


# ----------------------------------------------------------------------------- evidence


def evidence(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Evidence from the audits", 1)
    doc.para("Short extracts from the auditors' own words for the sections of most concern and of best "
             "practice. Each is attributed to the agency and the case reference only.")
    doc.heading("Where practice causes most concern", 2)
    _examples_for(doc, f, f.concerns(), concern=True)
    doc.heading("Learning from good practice", 2)
    _examples_for(doc, f, f.best(), concern=False)


def attribution(ex: Example) -> str:
    """Who wrote an extract: agency and case reference, and the grade. Where several forms wrote the same words,
    how many and their grades, naming up to :data:`SOURCES_NAMED` of them."""
    if len(ex.sources) == 1:
        return f"{ex.agency}, {ex.case_ref}, graded {ex.grade}"
    grades = list(dict.fromkeys(s.grade for s in ex.sources))
    named = ex.sources if len(ex.sources) <= SOURCES_NAMED else ex.sources[:SOURCES_NAMED - 1]
    names = "; ".join(f"{s.agency}, {s.case_ref}" for s in named)
    more = f" and {len(ex.sources) - len(named)} more" if len(named) < len(ex.sources) else ""
    return f"{len(ex.sources)} forms, graded {' or '.join(grades)}: {names}{more}"


def _examples_for(doc: ReportDocument, f: Findings, sections: Sequence[SectionFigures], *, concern: bool) -> None:
    if not sections:
        doc.para("No section had enough graded answers to draw on.")
        return
    for s in sections:
        doc.heading(s.title, 3)
        doc.para(_figures_sentence(s), keep_with_next=True)
        found = examples(f.audit.grades, f.scale, s.section_id, concern=concern)
        for ex in found:
            doc.quote(ex.text, attribution(ex), keep_with_next=True)
        if not found:
            doc.para("The auditors wrote no text for these grades.")
        doc.note("What do these examples show? Name the key issue they evidence and how widely it applies."
                 if concern else "What made this work well, and how can other teams and agencies learn from it?")


# ----------------------------------------------------------------------------- views


def views(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Children's and families' views", 1)
    summary_ = views_summary(f.audit.views, f.plan.views, f.plan)
    cases = len(f.plan.cases)
    if not summary_.forms:
        doc.para("No child and family views forms were returned for this audit.")
        doc.note("Add what is known of the children's and families' views, or why they were not gathered.")
        return
    doc.para(f"A participation worker spoke to the child or family in {summary_.cases} of the {cases} cases: "
             f"{summary_.conversations} conversation(s) ({summary_.given_by}). Words are quoted only where the person "
             f"agreed, and not where the views are said to be a child's under {min_child_age(f.plan)}: "
             f"{summary_.consented} of the {summary_.conversations} conversation(s).")
    rows = [[label, "; ".join(f"{answer}: {n}" for answer, n in counts) or NOT_RECORDED]
            for label, counts in summary_.choices]
    if rows:
        doc.table(["Question", "Answers"], rows, [4, 7], caption="What children and families said")
    for label, given in summary_.words:
        doc.heading(label, 3)
        shown = given[:QUOTES_PER_QUESTION]
        for i, (text, refs) in enumerate(shown):
            who = refs[0] if len(refs) == 1 else f"{len(refs)} forms: {', '.join(refs)}"
            doc.quote(shorten(text, 60), who, keep_with_next=i < len(shown) - 1)
        if len(given) > len(shown):
            doc.para(f"{len(given) - len(shown)} other answer(s) are on the Views sheet of the coordinator workbook.")
    doc.note("What do the children's and families' views add to the picture from the records? Where do they "
             "confirm or challenge the auditors' grades?")


# ----------------------------------------------------------------------------- themes, judgement, action plan


def themes(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Themes and recommendations", 1)
    doc.heading("Findings from the grades", 2)
    overall = f.overall.iloc[0]
    items = [_overall_sentence(f)]
    for s in f.with_verdict("Working well"):
        items.append(f"Working well: {s.title}. {_figures_sentence(s)}")
    for s in f.with_verdict("Causing concern"):
        items.append(f"Causing concern: {s.title}. {_figures_sentence(s)}")
    for g in f.scale.grades:
        if g.rank is None and g.code.upper() == "NE" and int(overall[g.label]):
            items.append(f"{g.label} was recorded for {int(overall[g.label])} section answer(s): gaps in the "
                         "records themselves.")
    doc.bullets(items)

    doc.heading("Themes", 2)
    for s in f.concerns():
        doc.para(_figures_sentence(s), bold_lead=f"Theme: {s.title}. ")
        doc.note(f"Describe the theme behind the grades for {s.title}, drawing on the evidence and the meeting.")
    for s in f.best():
        doc.para(_figures_sentence(s), bold_lead=f"Learning from good practice: {s.title}. ")
        doc.note("Describe the good practice and where it could be spread.")
    doc.note("Add any theme from the follow-up meeting that the grades do not show (partnership working, "
             "the child's lived experience, recording).")

    meeting_learning(doc, f.audit)
    doc.heading("Recommendations", 2)
    doc.para("Recommendations should be few, about the major areas of concern or partnership working, and "
             "include learning from good practice.")
    n = 0
    for s in f.concerns():
        n += 1
        doc.para(f"The partnership should improve practice in {s.title.lower()}.", bold_lead=f"Recommendation {n}: ")
        doc.note("Make this specific: what should change, and who leads it?")
    for s in f.best()[:1]:
        n += 1
        doc.para(f"Agencies should share and build on the good practice found in {s.title.lower()}.",
                 bold_lead=f"Recommendation {n}: ")
        doc.note("Say how the good practice will be shared.")

    doc.heading("Overall judgement on the quality of the work", 2)
    og = f.overall_grades.iloc[0]
    if int(og[GRADED]):
        counts = "; ".join(f"{g.label}: {int(og[g.label])}" for g in f.scale.grades if int(og[g.label]))
        doc.para(f"Auditors' overall grades for their agency's work on each case ({int(og[GRADED])} forms "
                 f"graded): {counts}. Good or better: {_good(og)}; Inadequate: {_bad(og)}.")
    if f.not_safe:
        doc.para(f"On {len(f.not_safe)} form(s) the auditor was not sure, or did not think, that the child was "
                 "adequately safeguarded at the time of the audit. Each was raised with the agency's manager "
                 "when the audit was done; the Flags sheet records what followed.")
    doc.note("Overall judgement: state the partnership's judgement on the quality of the work, its impact on "
             "the children, and how confident the partnership can be in it.")


def action_plan(doc: ReportDocument, f: Findings) -> None:
    if f.audit.actions:
        agreed_action_plan(doc, f)
        return
    doc.landscape_section()
    doc.heading("Action plan", 1)
    doc.para("A SMART action plan (specific, measurable, agreed, realistic, timely) for the partnership's "
             "quality sub-group to agree and oversee. It starts with one row per section of concern; edit "
             "the rows and add the actions the recommendations need.")
    rows: list[list[str | Cell]] = []
    for s in reversed(f.with_verdict("Causing concern")):
        agencies = agencies_of_concern(f.audit.grades, f.scale, s.section_id)
        rows.append([
            f"Improve practice in {s.title.lower()}. [Specific action]",
            "[Name, role]",
            _list(agencies) if agencies else "All agencies",
            "[Date]",
            (f"At re-audit, Good or better in at least three quarters of graded audits (now {_good_of(s)}) "
             f"and none Inadequate (now {_bad_of(s)})."),
            "Not started"])
    if not rows:
        rows.append(["[Action]", "[Name, role]", "[Agency]", "[Date]", "[Measure of success]", "Not started"])
    doc.table(["Action", "Owner", "Agency", "By when", "Measure of success", "Status"], rows,
              [4, 2, 2.6, 1.6, 4.2, 1.6], caption="SMART action plan")


def agreed_action_plan(doc: ReportDocument, f: Findings) -> None:
    """The action plan as it stands on the workbook's Action plan sheet: what the partnership agreed."""
    doc.landscape_section()
    doc.heading("Action plan", 1)
    doc.para("The SMART action plan (specific, measurable, agreed, realistic, timely) as recorded on the "
             "coordinator workbook's Action plan sheet, for the partnership's quality sub-group to oversee. "
             "'Section now' gives the section's grades after moderation, as this report counts them.")
    figures = {s.section_id: s for s in f.ranking}

    def now(section_id: str) -> str:
        s = figures.get(section_id)
        if s is None:
            return "–"
        return f"{s.verdict}: {_good_of(s)} Good or better, {_bad_of(s)} Inadequate"

    rows: list[list[str | Cell]] = [
        [a.action or "[Action]", a.section or "–", a.owner or "[Name, role]", a.agency or "[Agency]",
         when_text(a.by_when) or "[Date]", a.measure or "[Measure of success]", a.status or "Not started",
         now(a.section_id)]
        for a in f.audit.actions]
    doc.table(["Action", "Section", "Owner", "Agency", "By when", "Measure of success", "Status", "Section now"],
              rows, [3.6, 2.2, 1.8, 2.2, 1.4, 3.6, 1.4, 1.8], caption="SMART action plan",
              keep_together=False)  # a plan of long rows is taller than a page: rows may run on


# ----------------------------------------------------------------------------- appendices


def case_grid(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Appendix A: case grid", 1).paragraph_format.page_break_before = True
    doc.para("Each case's grades side by side, one column per returned audit form. A grade changed at "
             "moderation shows the moderated grade with the grade as returned in brackets.")
    colours = {g.label: g.colour for g in f.scale.grades}
    by_case: dict[str, list[GradeRow]] = defaultdict(list)
    for g in f.audit.grades:
        by_case[g.case_ref.casefold()].append(g)
    summaries = {s.form_id: s for s in f.audit.summaries}
    fields = [q for q in f.plan.tool.case_fields if q.type in ("choice", "text")]
    for case in f.plan.cases:
        doc.heading(f"Case {case.case_ref}", 3)
        details = [case.fields.get(q.id, "") for q in fields]
        doc.para("; ".join(f"{q.label}: {v}" for q, v in zip(fields, details) if v)
                 or "No case details recorded.").paragraph_format.keep_with_next = True
        rows = by_case.get(case.case_ref.casefold(), [])
        forms = sorted({(g.agency, g.auditor, g.form_id) for g in rows}, key=lambda k: (k[0].casefold(),
                                                                                      k[1].casefold(), k[2]))
        if not forms:
            doc.para("No audit of this case was returned.")
            continue
        headers = ["Section", *_column_names([a for a, _, _ in forms])]
        cell_of = {(g.form_id, g.section_id): g for g in rows}
        table_rows: list[list[str | Cell]] = []
        for s in f.plan.tool.sections:
            line: list[str | Cell] = [s.title]
            for _, _, form_id in forms:
                line.append(_grade_cell(cell_of.get((form_id, s.id)), colours))
            table_rows.append(line)
        overall_line: list[str | Cell] = [Cell("Overall grade", bold=True)]
        safe_line: list[str | Cell] = [Cell("Child adequately safeguarded now?", bold=True)]
        for _, _, form_id in forms:
            s_ = summaries.get(form_id)
            grade = s_.overall_grade if s_ else None
            overall_line.append(Cell(grade or "", fill=_tint(colours[grade]) if grade in colours else None))
            safe_line.append(s_.safeguarded_now or "" if s_ else "")
        table_rows += [overall_line, safe_line]
        doc.table(headers, table_rows, [5, *([2.2] * len(forms))], caption=f"Case {case.case_ref}: grades by agency")
        missing = [m for m in f.audit_returns.not_returned if m.form.case_ref.casefold() == case.case_ref.casefold()]
        if missing:
            doc.para("Not returned or not used: " + "; ".join(
                f"{m.form.agency} ({m.what_happened[:1].lower()}{m.what_happened[1:]})" for m in missing) + ".")


def _column_names(agencies: Sequence[str]) -> list[str]:
    """Agency names, numbered where one agency returned two forms for the case."""
    totals: dict[str, int] = defaultdict(int)
    for a in agencies:
        totals[a] += 1
    seen: dict[str, int] = defaultdict(int)
    out = []
    for a in agencies:
        seen[a] += 1
        out.append(f"{a} ({seen[a]})" if totals[a] > 1 else a)
    return out


def _grade_cell(g: GradeRow | None, colours: dict[str, str]) -> Cell:
    if g is None:
        return Cell("")
    final = g.final_grade or ""
    text = f"{final} (returned {g.grade or 'blank'})" if g.moderated_grade and g.moderated_grade != g.grade else final
    return Cell(text, fill=_tint(colours[final]) if final in colours else None)


def breakdowns_appendix(doc: ReportDocument, f: Findings) -> None:
    """Appendix B: the grades by each case detail on the Cases sheet, a compact table each."""
    doc.heading("Appendix B: grades by case detail", 1).paragraph_format.page_break_before = True
    doc.para("The grades after moderation by each detail recorded for the cases on the Cases sheet of the "
             "coordinator workbook: every section answer about a case counts under that case's value. Shares are "
             "of graded answers (Not applicable, No evidence and blanks left out). With few cases behind most "
             "values, these are pointers for discussion, not measurements.")
    shown = 0
    for fld, frame in f.breakdowns:
        if not len(frame):
            continue
        numbers = [c for c in frame.columns if frame[c].dtype != object]
        _distribution_table(doc, frame, frame[numbers].sum(), fld.label, "All cases",
                            f"Grades by case detail: {fld.label}", vertical=False)  # landscape: room to read across
        shown += 1
    if not shown:
        doc.para("No case details are recorded on the Cases sheet.")


def auditors_appendix(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Appendix C: auditors taking part", 1)
    rows = [[agency, auditor, role, str(n)] for agency, auditor, role, n in auditors_taking_part(f.audit_returns)]
    doc.table(["Agency", "Auditor", "Role", "Cases audited"], rows, [5, 5, 5, 2], caption="Auditors taking part")
