"""The chapters of the overview report, in the order the partnership reads them.

Each function writes one part of the document from the :class:`Findings`;
figures come ready-made from :mod:`xlpack.report.findings` (and through it
from the pivots and agreement modules). Places where the coordinator's
judgement is needed are written as coordinator notes, so they are easy
to find and replace in Word.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

import xlpack.report.charts as charts
from xlpack.analysis.actions import agree_with, proposed_action, when_text
from xlpack.analysis.agreement import ALPHA_GUIDE, alpha_reading, alpha_text
from xlpack.analysis.pivots import (
    BLANK,
    CASES,
    ONE_RECORD_RULE,
    Distribution,
    count_text,
    share_percent,
    total_of,
)
from xlpack.analysis.recommendations import Recommendation
from xlpack.analysis.views import min_child_age
from xlpack.model.definitions import and_joined
from xlpack.model.focus import left_out
from xlpack.model.marking import MARKING
from xlpack.model.names import redact_names
from xlpack.model.plan import AuditPlan
from xlpack.model.records import GradeRow
from xlpack.report.document import Cell, ReportDocument, long_date
from xlpack.report.findings import (
    NOT_RECORDED,
    Findings,
    Quote,
    SectionFigures,
    agencies_taking_part,
    auditors_taking_part,
    flag_title,
    flags_by_rule,
    not_safe_records,
    people,
    sample_spread,
    shorten,
    tool_feedback,
    views_summary,
)
from xlpack.report.meetings import learning as meeting_learning
from xlpack.report.meetings import method as meeting_method
from xlpack.report.meetings import resolutions as meeting_resolutions
from xlpack.report.themes_chapter import themes_section
from xlpack.wording import counted, noun

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


def _figures_sentence(s: SectionFigures) -> str:
    d = s.figures
    return (f"Good or better in {d.good_text} of {count_text(d.graded)} graded case records; Inadequate in "
            f"{d.inadequate_text}.")


def _overall_sentence(f: Findings) -> str:
    overall = f.overall
    if not overall.graded:
        return "No graded answers have come back yet."
    return (f"Across all sections, {overall.good_text} of {count_text(overall.graded)} graded case records "
            f"were Good or better and {overall.inadequate_text} Inadequate.")


# ----------------------------------------------------------------------------- front matter


def focus_sentence(plan: AuditPlan) -> str:
    """What a focused audit asked about, and what it left out."""
    asked = [s.title for s in plan.tool.sections]
    out = left_out(plan.definition, plan.tool)
    return (f"This was a focused audit: the forms asked about {len(asked)} of the tool's "
            f"{len(plan.definition.sections)} sections: {'; '.join(asked)}. The other {len(out)} were not audited, "
            f"so this report makes no finding about them: {'; '.join(out)}.")


def title_page(doc: ReportDocument, f: Findings, today: date) -> None:
    terms = f.plan.terms
    for _ in range(3):
        doc.para()
    doc.para(bold_lead=MARKING + (": INTERNAL VERSION" if f.internal else ""))
    doc.doc.add_paragraph(terms.title, style="Title")
    doc.subtitle(f"Overview report to {terms.partnership or 'the safeguarding partnership'}")
    facts = [
        ("Audit tool: ", f"{f.plan.tool.title} (version {f.plan.tool.version})"),
        *([("Focused audit: ", f"{len(f.plan.tool.sections)} of the tool's {len(f.plan.definition.sections)} "
                                  "sections")] if f.plan.focused else []),
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
             f"{MARKING}: share it only with those who need it for the partnership's work.")
    if f.internal:
        doc.para("This is the internal version: it names the auditors (Appendix C, and where two auditors of one "
                 "agency disagreed). It is for the audit lead and the quality sub-group, not for the board; the "
                 "board's version names no auditor.", bold_lead="Internal version. ")
    doc.page_break()
    doc.contents()
    doc.page_break()


def summary(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Summary", 1)
    agencies = agencies_taking_part(f.audit_returns)
    by = counted(len(agencies), "agency", "agencies")
    doc.para(f"This report gives the findings of the {f.plan.terms.title}: {len(f.plan.cases)} "
             f"{f.plan.tool.category.lower()} cases audited by {by}, looking at case work from {_period(f)}. "
             "The figures count case records: each agency's record of each case once.")
    back = f.audit_returns
    items = [
        (f"Returns: {back.returned} of {back.issued} audit forms came back and were used "
         f"({share_percent(back.returned, back.issued)})."),
        _overall_sentence(f),
    ]
    well = f.with_verdict("Working well")
    concern = f.with_verdict("Causing concern")
    items.append("Working well: " + (_list([f"{s.title} ({s.figures.good_text} Good or better)" for s in well]) + "."
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
                     f"now?” on {counted(len(f.not_safe), 'form')}, for {noun(len(cases), 'case')} {_list(cases)}; "
                     "the overall judgement "
                     "chapter says what is recorded of what followed.")
    if f.recommendations:
        items.append(f"Recommendations: {len(f.recommendations)}, on "
                     f"{_list([r.section for r in f.recommendations])}.")
    doc.bullets(items)
    doc.note("Add the partnership's overall judgement in two or three sentences, and the two or three "
             "things the partnership most needs to act on.")


def _concern_item(concern: Sequence[SectionFigures]) -> str:
    """The sections causing concern, worst first; past :data:`SUMMARY_CONCERNS`, the rest are counted."""
    if not concern:
        return "Causing concern: no section met the concern threshold."
    worst = list(reversed(concern))  # the ranking's order, read from its end
    named = worst if len(worst) <= SUMMARY_CONCERNS else worst[:SUMMARY_CONCERNS - 1]
    parts = [f"{s.title} ({s.figures.good_text} Good or better, {s.figures.inadequate_text} Inadequate)"
             for s in named]
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
    if f.plan.focused:
        doc.para(focus_sentence(f.plan))

    doc.heading("Method", 2)
    doc.para("Each agency that worked with a child audited its own record of the case, using the same tool. "
             "Auditors graded each section of the tool and wrote the evidence for the grade, strengths, areas "
             f"for development and action for their agency. {_method_pairs(f.plan)} {_method_meeting(f.plan)}")
    meeting_method(doc, f.audit)
    rows: list[list[str | Cell]] = []
    worst = f.scale.worst_rank
    for g in f.scale.grades:
        if g.rank is None:
            how = "Not a grade: shown apart, left out of every share"
        elif g.good_or_better:
            how = "Good or better"
        elif g.rank == worst:
            how = "Inadequate"
        else:
            how = "Graded, neither"
        rows.append([Cell(g.label, fill=_tint(g.colour)), g.descriptor, how])
    doc.table(["Grade", "What it means", "How it is counted"], rows, [2.2, 6, 2.6],
              caption=f"The grades: {f.scale.title}")
    doc.para(f"{ONE_RECORD_RULE} Shares are taken over graded case records only: Not applicable, No evidence "
             f"and blank answers are counted and shown, but left out of every share. {f.thresholds.words()} "
             "These thresholds are the partnership's, set on the Terms of reference sheet, and the workbook's "
             "Pivots sheet uses the same. With a small sample these are pointers for discussion, not "
             "measurements: a single case record moves a section's share noticeably.",
             bold_lead="How to read the figures. ")
    doc.para(f"No figure is given for a group of fewer than {f.plan.terms.min_group} cases, and no case's details "
             "are printed beside its reference." + ("" if f.internal else " Auditors are not named."),
             bold_lead="Privacy. ")

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
    auditors = people(f.audit_returns)
    back = f.audit_returns
    listed = "; Appendix C lists them" if f.internal else ""
    took = f"{counted(len(agencies), 'agency', 'agencies')} took part, with {counted(auditors, 'auditor')}"
    doc.para(f"{took} (people, by name and email){listed}. "
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


def _method_pairs(plan: AuditPlan) -> str:
    """Whether any agency had two auditors on one case, as the Assignments sheet issued the forms."""
    auditors: dict[tuple[str, str], set[str]] = defaultdict(set)
    for form in plan.issued:
        if form.kind == "audit":
            auditors[(form.case_ref, form.agency)].add(form.auditor.casefold())
    if any(len(who) > 1 for who in auditors.values()):
        return "Where possible two auditors from one agency audited the same case."
    return "Each agency's record of a case had one auditor."


def _method_meeting(plan: AuditPlan) -> str:
    """What followed the returns: the follow-up meeting where the Meetings sheet records one, and only then."""
    if any(m.kind == "Follow-up" for m in plan.meetings):
        return ("The coordinator then read each case's audits side by side, identified inconsistencies and chaired "
                "a follow-up meeting with the auditors; where that meeting changed a grade, the moderated grade is "
                "used in this report.")
    forms: dict[str, int] = defaultdict(int)
    for form in plan.issued:
        forms[form.case_ref] += form.kind == "audit"
    if forms and max(forms.values()) == 1:  # one form a case: nothing to set side by side
        return "The coordinator then read each audit; where the coordinator recorded a moderated grade, it is used " \
               "in this report."
    return ("The coordinator then read each case's audits side by side to identify inconsistencies; where the "
            "coordinator recorded a moderated grade, it is used in this report.")


def _how_drawn(doc: ReportDocument, f: Findings) -> None:
    """How the cases were drawn, from the Sample sheet (when xlpack sample drew them)."""
    s = f.plan.sample
    if s is None:
        return
    kept = f", {s.population} of them after keeping only {'; '.join(s.filters)}" if s.filters else ""
    by = f", in proportion to their numbers by {_list(list(s.by))}" if s.by else ""
    doc.para(f"The cases were drawn at random on {long_date(s.drawn_on)} from a management-information extract of "
             f"{s.extract_rows} cases ({s.extract}{kept}): {s.size} cases{by}. The draw can be repeated exactly: "
             f"the Sample sheet of the coordinator workbook records how (seed {s.seed}).",
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


def _count_columns(f: Findings, dists: Iterable[Distribution]) -> list[str]:
    """The grade labels a table counts: the scale's, then Blank where any answer was left blank."""
    return [*f.scale.labels, *([BLANK] if any(d[BLANK] for d in dists) else [])]


def _distribution_table(doc: ReportDocument, f: Findings, dists: dict[str, Distribution], total: Distribution,
                        key_header: str, total_label: str, caption: str, *, vertical: bool = True,
                        min_group: int | None = None) -> None:
    """Counts per grade, graded answers and the two shares, one row per key, and the total row.

    For a breakdown by case detail (``min_group`` given), the number of cases of each value comes first, and
    groups too small to show are hidden (:func:`suppressed`).
    """
    labels = _count_columns(f, dists.values())
    cases = [CASES] if min_group is not None else []
    headers: list[str | Cell] = [key_header, *(Cell(c, vertical=vertical) for c in [*cases, *labels, "Graded"]),
                                 "Share Good or better", "Share Inadequate"]
    rows: list[list[str | Cell]] = []
    hidden = suppressed(dists, min_group) if min_group is not None else set()
    for key, d in dists.items():
        if key in hidden:  # too few cases to show without pointing at a child
            small = d.cases < (min_group or 0)
            rows.append([key, f"fewer than {min_group}" if small else "hidden", *([""] * (len(labels) + 3))])
            continue
        rows.append([key, *(count_text(d.cases) for _ in cases), *(count_text(d[c]) for c in labels),
                     count_text(d.graded), d.good_text, d.inadequate_text])
    t = total
    rows.append([Cell(total_label, bold=True, fill=TOTAL_FILL),
                 *(Cell(count_text(t.cases), fill=TOTAL_FILL) for _ in cases),
                 *(Cell(count_text(t[c]), fill=TOTAL_FILL) for c in labels),
                 Cell(count_text(t.graded), fill=TOTAL_FILL), Cell(t.good_text, bold=True, fill=TOTAL_FILL),
                 Cell(t.inadequate_text, bold=True, fill=TOTAL_FILL)])
    counts = len(cases) + len(labels) + 1
    wide = 1.1 if any("." in str(c) for row in rows for c in row[1:-2]) else 0.85  # shared counts: "219.5"
    weights = [5, *([wide] * counts), 1.75, 1.75] if vertical else [4, *([2] * counts), 1.8, 1.8]
    doc.table(headers, rows, weights, caption=caption)


def suppressed(dists: dict[str, Distribution], min_group: int) -> set[str]:
    """The groups (rows of a breakdown) given no figure: those of fewer than ``min_group`` cases, and, while the
    hidden ones together hold fewer than that, the next smallest too, so none can be worked out from the total."""
    sizes = {k: d.cases for k, d in dists.items()}
    hidden = {k for k, n in sizes.items() if n < min_group}
    while hidden and sum(sizes[k] for k in hidden) < min_group and len(hidden) < len(sizes):
        hidden.add(min((k for k in sizes if k not in hidden), key=lambda k: (sizes[k], list(sizes).index(k))))
    return hidden


def _stacked(f: Findings, dists: dict[str, Distribution]) -> tuple[bytes, str]:
    ranked = f.scale.ranked
    keys = list(dists)
    series = [charts.Series(g.label, g.colour, [d[g.label] for d in dists.values()]) for g in ranked]
    png = charts.stacked_shares(keys, series, xlabel="Share of graded answers")
    parts = []
    for k, d in dists.items():
        counts = ", ".join(f"{count_text(d[g.label])} {g.label}" for g in ranked)
        parts.append(f"{k}: {counts} ({count_text(d.graded)} graded)")
    return png, "; ".join(parts) + "."


def quantified(doc: ReportDocument, f: Findings) -> None:
    doc.heading("The quantified picture", 1)
    overall = f.overall
    doc.para(f"The audits cover {count_text(overall.total)} case records (one agency's record of one case, "
             f"for one section), {count_text(overall.graded)} of them graded. {_overall_sentence(f)} The "
             "figures use the grades after moderation; every table counts case records.", keep_with_next=True)
    doc.heading("Grades by section", 2)
    _distribution_table(doc, f, f.by_section, f.overall, "Section", "All sections",
                        "Grades by section (case records)")
    if f.overall.graded:
        png, alt = _stacked(f, f.by_section)
        doc.figure(png, caption="Share of graded case records at each grade, by section (Not applicable and No "
                                "evidence left out)", alt="Stacked bar chart of grades by section. " + alt)

    doc.heading("From working well to causing concern", 2)
    doc.para("Sections are listed by their reading first (working well, then mixed, then causing concern), then "
             "within a reading by the share Good or better less the share Inadequate (higher first). The summary, "
             "the chart and the recommendations use the same order.", keep_with_next=True)
    rows: list[list[str | Cell]] = [
        [str(s.rank), s.title, count_text(s.graded), s.figures.good_text, s.figures.inadequate_text,
         Cell(s.verdict, fill=VERDICT_FILL[s.verdict])]
        for s in f.ranking]
    doc.table(["Rank", "Section", "Graded", "Share Good or better", "Share Inadequate", "Reading"], rows,
              [0.8, 5, 1.1, 1.3, 1.3, 1.9], caption="Sections ranked from working well to causing concern (case "
                                                    "records)")
    graded = [s for s in f.ranking if s.verdict != "Not graded"]
    if graded:
        png = charts.diverging_shares([s.title for s in graded], [s.figures.good for s in graded],
                                      [s.figures.inadequate for s in graded], [s.graded for s in graded],
                                      good_label="Good or better", bad_label="Inadequate")
        alt = "; ".join(f"{s.rank}. {s.title}: {s.verdict.lower()}" for s in graded)
        doc.figure(png, caption="Sections ranked: share of graded case records Good or better (right) and "
                                "Inadequate (left)",
                   alt="Bar chart of sections in rank order, Good or better to the right and Inadequate to the "
                       "left. " + alt + ".")

    doc.heading("By agency", 2)
    doc.para("The same grades by the agency whose record was audited. An agency's figures cover only the "
             "cases it worked on, so small numbers of graded answers call for care.", keep_with_next=True)
    _distribution_table(doc, f, f.by_agency, f.overall, "Agency", "All agencies",
                        "Grades by agency (case records)")
    if f.overall.graded:
        png, alt = _stacked(f, f.by_agency)
        doc.figure(png, caption="Share of graded case records at each grade, by agency",
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
    before, after = f.overall_returned, f.overall
    labels = [c for c in _count_columns(f, [after]) if c != BLANK or before[BLANK]]
    change = [after[c] - before[c] for c in labels]
    moved = sorted((c for c in zip(labels, change) if abs(c[1]) > 1e-9), key=lambda c: -abs(c[1]))[:2]
    most = _list([f"{label} ({'up' if d > 0 else 'down'} {count_text(abs(d))})" for label, d in moved])
    most = f" The grades that moved most were {most}." if most else ""
    doc.para(f"The follow-up meeting changed {counted(len(f.changes), 'grade')}. Across all sections, "
             f"{_moved('Good or better', before.good_text, after.good_text)}, and "
             f"{_moved('Inadequate', before.inadequate_text, after.inadequate_text, again=True)}.{most} The table "
             "and the figure show every grade, as returned and after moderation (case records).", keep_with_next=True)
    rows: list[list[str | Cell]] = [
        ["As returned", *(count_text(before[c]) for c in labels)],
        ["After moderation", *(count_text(after[c]) for c in labels)],
        [Cell("Change", bold=True, fill=TOTAL_FILL),
         *(Cell(_signed(d), fill=TOTAL_FILL) for d in change)]]
    doc.table(["All sections", *(Cell(c, vertical=True) for c in labels)], rows, [4, *([1] * len(labels))],
              caption="Grades before and after moderation, all sections (case records)")
    changed_sections = _sections_changed(f)
    if not changed_sections:
        doc.para("No section's distribution of grades changed: the changed grades cancel out within each section.")
        _changes_table(doc, f)
        return
    charted = _most_changed(f, changed_sections)
    keys = [f.overall.key, *charted]
    columns = ([f.overall_returned, *(f.by_section_returned[t] for t in charted)],
               [f.overall, *(f.by_section[t] for t in charted)])
    before_series, after_series = ([charts.Series(g.label, g.colour, [int(d[g.label]) for d in dists])
                                    for g in f.scale.ranked] for dists in columns)
    png = charts.grades_before_after(keys, before_series, after_series)
    which = ("each section where a grade changed" if len(charted) == len(changed_sections) else
             f"the {NUMBER_WORDS.get(len(charted), len(charted))} sections moderation changed most")
    doc.figure(png, caption=f"Grades as returned and after moderation: all sections, and {which} (share of graded "
                            "answers)",
               alt="Pairs of stacked bars of the share of graded answers at each grade, as returned and after "
                   "moderation, for all sections and for " + _list(charted) + ".")
    rows = []
    for title in changed_sections:
        b, a = f.by_section_returned[title], f.by_section[title]
        rows.append([title, b.good_text, a.good_text, b.inadequate_text, a.inadequate_text])
    doc.table(["Section", "Good or better, as returned", "Good or better, after moderation",
               "Inadequate, as returned", "Inadequate, after moderation"], rows, [4.2, 1.7, 1.7, 1.7, 1.7],
              caption="Sections whose grades moderation changed (case records)")
    _changes_table(doc, f)


def _signed(d: float) -> str:
    return "0" if abs(d) < 1e-9 else ("+" if d > 0 else "−") + count_text(abs(d))


def _moved(what: str, before: str, after: str, *, again: bool = False) -> str:
    """"Good or better went from 60% as returned to 67% after moderation", or "... was unchanged at 67%"."""
    if before == after:
        return f"{what} was unchanged at {after}"
    if again:
        return f"{what} from {before} to {after}"
    return f"{what} went from {before} as returned to {after} after moderation"


def _sections_changed(f: Findings) -> list[str]:
    """The sections (tool order) whose distribution of grades after moderation differs from that as returned."""
    labels = [*f.scale.labels, BLANK]
    return [title for title, d in f.by_section.items() if title in f.by_section_returned and any(
        abs(d[c] - f.by_section_returned[title][c]) > 1e-9 for c in labels)]


def _changes_table(doc: ReportDocument, f: Findings) -> None:
    rows = [[g.case_ref, g.agency, g.section_title, g.grade or "blank", g.moderated_grade or "",
             g.moderation_note or ""] for g in sorted(f.changes, key=lambda g: (g.case_ref.casefold(),
                                                                              g.section_order, g.agency.casefold()))]
    doc.table(["Case", "Agency", "Section", "As returned", "After moderation", "Why"], rows,
              [1.9, 2.4, 3, 1.6, 1.9, 3.2], caption="Grades changed at moderation")


def _most_changed(f: Findings, sections: Sequence[str]) -> list[str]:
    """The sections whose grade counts moderation changed most (at most :data:`MODERATION_CHART_SECTIONS`), in
    the tool's order."""
    labels = [g.label for g in f.scale.grades]

    def moved(title: str) -> float:
        return sum(abs(f.by_section[title][c] - f.by_section_returned[title][c]) for c in labels)

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


def _auditor_names(members: Sequence[GradeRow], internal: bool) -> dict[str, str]:
    """Each grade row's agency, and where the agency returned two or more forms for the case, which auditor: by
    name in the internal version, as first, second ... auditor in the board's."""
    by_agency: dict[str, list[GradeRow]] = defaultdict(list)
    for g in members:
        by_agency[g.agency.casefold()].append(g)
    out = {}
    for rows in by_agency.values():
        for i, g in enumerate(sorted(rows, key=lambda g: g.auditor.casefold()), start=1):
            who = g.auditor if internal else f"auditor {i}"
            out[g.row_id] = f"{g.agency} ({who})" if len(rows) > 1 else g.agency
    return out


def _one_agency_a_case(plan: AuditPlan) -> bool:
    """Every case was issued to one agency only (its auditors may be two): no agencies to set side by side."""
    agencies: dict[str, set[str]] = defaultdict(set)
    for form in plan.issued:
        if form.kind == "audit":
            agencies[form.case_ref].add(form.agency)
    return bool(agencies) and all(len(names) == 1 for names in agencies.values())


def consistency(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Consistency between agencies", 1)
    if _one_agency_a_case(f.plan):
        doc.para("Each case was audited by one agency only, so no two agencies' grades for the same case can be set "
                 "side by side: this audit cannot measure agreement between agencies, nor show where they "
                 "disagreed.")
        _resolved(doc, f)
        return
    doc.para("Each agency audits its own record of the same child, so where two or more agencies graded the same "
             "section of a case their grades can be set side by side. They can differ because the agencies' "
             "work with the child differed, not only because auditors read the standard differently: a difference "
             "is a question for the follow-up meeting, not in itself an error. Agreement is measured between agencies "
             "over the case sections that two or more agencies graded: the share within one grade of each other, and "
             "Krippendorff's alpha for ordinal grades. Each agency gives one grade: where it returned two forms for "
             "a case, its moderated grade, or else the mean of its two forms' grades.")
    doc.para(ALPHA_GUIDE, keep_with_next=True)
    r, m = f.agreement_returned, f.agreement_moderated
    rows = [["Case sections graded by two or more agencies", str(r.units), str(m.units)],
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
            names = _auditor_names(members, f.internal)
            returned = "; ".join(f"{names[g.row_id]}: {g.grade}" for g in members if g.grade)
            after = "; ".join(f"{names[g.row_id]}: {g.final_grade}" for g in members if g.moderated_grade
                              and g.moderated_grade != g.grade) or "unchanged"
            rows.append([u.case_ref, u.section_title, returned, after])
        more = (f" The {len(shown)} widest are listed below; the case grid in Appendix A shows every case."
                if len(shown) < len(f.disagreements) else "")
        doc.para(f"In {counted(len(f.disagreements), 'case section')} the agencies' grades, as returned, were two "
                 f"or more grades apart.{more} Where one agency returned two forms for the case, each of its auditors "
                 "is shown.", keep_with_next=True)
        doc.table(["Case", "Section", "Grades as returned", "Changed at moderation"], rows, [1.9, 3.2, 5.5, 3.4],
                  caption="Case sections graded two or more grades apart")
    else:
        doc.para("No agencies' grades for the same case section were two or more grades apart.")
    _resolved(doc, f)


def _resolved(doc: ReportDocument, f: Findings) -> None:
    """The flags and what was resolved: "What the meeting resolved" where a follow-up meeting is recorded."""
    met = any(m.kind == "Follow-up" for m in f.plan.meetings)
    doc.heading("What the meeting resolved" if met else "Flags and their resolution", 2)
    flags = f.audit.flags
    if f.audit.orphaned:
        doc.note(f"Moderated grades or resolutions on the Orphaned sheet: {len(f.audit.orphaned)}. Their "
                 "forms were later rejected or withdrawn, so they are not in this report's figures.")
    learned = ("Summarise what the follow-up meeting learned from the inconsistencies." if met else
               "No follow-up meeting is recorded on the Meetings sheet: record it there, or say here how the flags "
               "were discussed and what was learned from them.")
    if not flags:
        doc.para("Consolidation raised no consistency flags.")
        doc.note("Record what the follow-up meeting discussed and agreed." if met else learned)
        return
    raised = flags_by_rule(flags)
    doc.table(["Flag", "Raised", "Resolved"], [[t, str(n), str(done)] for t, n, done in raised],
              [7, 1.5, 1.5], caption="Flags raised and resolved", keep_with_next=len(raised) <= 12)
    resolved = [fl for fl in flags if fl.resolution.strip()]
    titles = {s.id: s.title for s in f.plan.tool.sections}
    if resolved:
        rows = [[fl.case_ref, titles.get(fl.section_id, "Whole form"), flag_title(fl.rule), fl.resolution.strip()]
                for fl in resolved]
        doc.table(["Case", "Section", "Flag", "Resolution"], rows, [1.9, 3, 3, 6],
                  caption="Flags the meeting resolved" if met else "Flags resolved")
    open_flags = len(flags) - len(resolved)
    if open_flags:
        still = noun(open_flags, "it remains", "they remain")
        doc.note(f"{counted(open_flags, 'flag')} {noun(open_flags, 'has', 'have')} no resolution recorded on the "
                 f"Flags sheet. Record what was agreed, or say here why {still} open.")
    meeting_resolutions(doc, f.audit)
    doc.note(learned)


# ----------------------------------------------------------------------------- evidence


def evidence(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Evidence from the audits", 1)
    worst, best = and_joined(f.scale.below_good[::-1]), and_joined(f.scale.good_or_better)
    doc.para("Short extracts from the auditors' evidence for their grades: for concern, the evidence behind "
             f"{worst} grades; for good practice, the evidence behind {best} ones. Each "
             "is attributed to the agency and the section only, and no extract is used twice in this report.")
    doc.heading("Where practice causes most concern", 2)
    _examples_for(doc, f, f.concerns(), concern=True)
    doc.heading("Learning from good practice", 2)
    good = f.good_practice()
    if good and not f.with_verdict("Working well"):
        doc.para("No section met the working-well threshold; these are the sections with the most "
                 f"{f.scale.ranked[0].label} grades, to learn from where practice was at its best.")
    _examples_for(doc, f, good, concern=False)


def attribution(q: Quote) -> str:
    """Who wrote an extract: the agency and the section, and the grade it was evidence for."""
    return f"{q.agency}, {q.section}, evidence for a grade of {q.grade}"


def _examples_for(doc: ReportDocument, f: Findings, sections: Sequence[SectionFigures], *, concern: bool) -> None:
    if not sections:
        doc.para("No section had enough graded case records to draw on.")
        return
    assert f.quotes is not None
    for s in sections:
        doc.heading(s.title, 3)
        doc.para(f"{s.verdict}. {_figures_sentence(s)}", keep_with_next=True)
        found = f.quotes.take(s.section_id, concern=concern, limit=3)
        for q in found:
            doc.quote(q.text, attribution(q), keep_with_next=True)
        if not found:
            doc.para("No evidence was written for these grades that is not quoted elsewhere in this report.")
        doc.note("What do these examples show? Name the key issue they evidence and how widely it applies."
                 if concern else "What made this work well, and how can other teams and agencies learn from it?")


# ----------------------------------------------------------------------------- views


def views(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Children's and families' views", 1)
    summary_ = views_summary(f.audit.views, f.plan.views, f.plan)
    cases = len(f.plan.cases)
    if not summary_.forms:
        doc.para("No child and family views forms were returned for this audit." if f.views_returns.issued else
                 "No child and family views forms were issued for this audit.")
        doc.note("Add what is known of the children's and families' views, or why they were not gathered.")
        return
    doc.para(f"A participation worker spoke to the child or family in {summary_.cases} of the {cases} cases: "
             f"{counted(summary_.conversations, 'conversation')} ({summary_.given_by}). Words are quoted only where "
             f"the person agreed, and not where the views are said to be a child's under {min_child_age(f.plan)}: "
             f"{summary_.consented} of the {counted(summary_.conversations, 'conversation')}.")
    rows = [[label, "; ".join(f"{answer}: {n}" for answer, n in counts) or NOT_RECORDED]
            for label, counts in summary_.choices]
    if rows:
        doc.table(["Question", "Answers"], rows, [4, 7], caption="What children and families said")
    for label, given in summary_.words:
        doc.heading(label, 3)
        shown = given[:QUOTES_PER_QUESTION]
        for i, (text, refs) in enumerate(shown):
            who = refs[0] if len(refs) == 1 else f"{len(refs)} forms: {', '.join(refs)}"
            doc.quote(shorten(redact_names(text, f.plan.name_lists()), 60), who, keep_with_next=i < len(shown) - 1)
        if len(given) > len(shown):
            more = len(given) - len(shown)
            doc.para(f"{counted(more, 'other answer')} {noun(more, 'is', 'are')} on the Views sheet of the "
                     "coordinator workbook.")
    doc.note("What do the children's and families' views add to the picture from the records? Where do they "
             "confirm or challenge the auditors' grades?")


# ----------------------------------------------------------------------------- findings, themes, recommendations


def findings_chapter(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Findings", 1)
    overall = f.overall
    items = [_overall_sentence(f)]
    for s in f.with_verdict("Working well"):
        items.append(f"Working well: {s.title}. {_figures_sentence(s)}")
    for s in reversed(f.with_verdict("Causing concern")):
        items.append(f"Causing concern: {s.title}. {_figures_sentence(s)}")
    for g in f.scale.grades:
        if g.rank is None and g.code.upper() == "NE" and overall[g.label]:
            items.append(f"{g.label} was recorded for {counted(overall[g.label], 'case record')}: gaps in "
                         "the records themselves.")
    doc.bullets(items)



def themes_chapter(doc: ReportDocument, f: Findings) -> None:
    """The themes across the audits: the phrases the themes finder recovers from the auditors' free text
    (xlpack.analysis.themes), then what the meetings agreed and learned (the Meetings sheet)."""
    themes_section(doc, f, level=1)
    meeting_learning(doc, f.audit, internal=f.internal)


def _recommendation_text(f: Findings, rec: Recommendation) -> str:
    fig = rec.figure
    shares = (f"{fig.good_text} of {count_text(fig.graded)} graded case records Good or "
              f"better, {fig.inadequate_text} Inadequate")
    who = _list(list(rec.agencies))
    if rec.kind == "good practice":
        where = f", above all in the records of {who}" if who else ""
        return (f"Build on the good practice in {rec.section} ({rec.verdict.lower()}: {shares}){where}: share what "
                "works with every agency.")
    where = f"; the records of {who} drove it" if who else ""
    return (f"Improve {rec.section} ({rec.verdict.lower()}: {shares}{where}): agree with "
            f"{agree_with(rec.agencies)} what will change, and check it at the re-audit.")


def recommendations_chapter(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Recommendations", 1)
    recs = f.recommendations
    if not recs:
        doc.para("No section has enough graded case records to recommend from.")
        doc.note("Add the partnership's recommendations.")
        return
    doc.para(f"{str(NUMBER_WORDS.get(len(recs), len(recs))).capitalize()} {noun(len(recs), 'recommendation')}, "
             "drawn from the sections in the order of the ranking: the sections causing most concern first, then "
             "good practice to build on. Each row of the proposed action plan follows one of them.")
    assert f.quotes is not None
    for n, rec in enumerate(recs, start=1):
        doc.para(_recommendation_text(f, rec), bold_lead=f"Recommendation {n}: ", keep_with_next=True)
        for q in f.quotes.take(rec.section_id, concern=rec.kind == "concern"):
            doc.quote(q.text, attribution(q), keep_with_next=True)
        doc.note("Make this specific: what should change, who leads it, and by when.")


def overall_judgement(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Overall judgement on the quality of the work", 1)
    og = f.overall_grades
    if og.graded:
        counts = "; ".join(f"{g.label}: {count_text(og[g.label])}" for g in f.scale.grades if og[g.label])
        doc.para(f"Auditors' overall grades for their agency's work on each case ({count_text(og.graded)} "
                 f"case records graded): {counts}. Good or better: {og.good_text}; Inadequate: {og.inadequate_text}.")
    not_safe = not_safe_records(f.audit.summaries, f.audit.flags, f.plan.name_lists())
    if not_safe:
        doc.para(f"On {counted(len(not_safe), 'form')} the auditor answered No or Unsure to “Is the child adequately "
                 "safeguarded now?”. What is recorded of what followed:", keep_with_next=True)
        rows: list[list[str | Cell]] = [
            [n.case_ref, n.agency, n.answer, n.action or "Nothing recorded on the form",
             "; ".join(n.resolutions) or "No resolution recorded on the Flags sheet"] for n in not_safe]
        doc.table(["Case", "Agency", "Answer", "What the form says was done", "Resolution (Flags sheet)"], rows,
                  [1.8, 2.6, 1.3, 4.5, 4.5], caption="Children not adequately safeguarded at the audit, as recorded")
        missing = [n for n in not_safe if not n.action and not n.resolutions]
        if missing:
            which = _list([f"{n.case_ref} ({n.agency})" for n in missing])
            doc.note(f"Nothing is recorded of what was done for {which}: record on the Flags sheet how the "
                     "child's safety was checked, and by whom, before this report is presented.")
    doc.note("Overall judgement: state the partnership's judgement on the quality of the work, its impact on "
             "the children, and how confident the partnership can be in it.")


def action_plan(doc: ReportDocument, f: Findings) -> None:
    if f.audit.actions:
        agreed_action_plan(doc, f)
        return
    doc.landscape_section()
    doc.heading("Action plan", 1)
    doc.para("A SMART action plan (specific, measurable, agreed, realistic, timely) for the partnership's "
             "quality sub-group to agree and oversee: one proposed row per recommendation, with a measure from the "
             "audit's own figure and the partnership's working-well threshold.")
    reaudit = f.plan.terms.reaudit_date
    rows: list[list[str | Cell]] = []
    for rec in f.recommendations:
        a = proposed_action(rec, f.thresholds, reaudit)
        rows.append([a.action, a.agency, long_date(reaudit) if reaudit else "At the re-audit", a.measure,
                     a.status])
    if rows:
        doc.table(["Action", "Agency", "Review by", "Measure of success", "Status"], rows,
                  [5, 2.6, 1.8, 5, 1.6], caption="Proposed SMART action plan")
    doc.note("Name an owner (a person and role) for each action and agree the actions at the follow-up meeting.")
    if reaudit is None:
        doc.note("Set the re-audit date on the Terms of reference sheet: it is each action's review date.")


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
        return f"{s.verdict}: {s.figures.good_text} Good or better, {s.figures.inadequate_text} Inadequate"

    rows: list[list[str | Cell]] = [
        [a.action or "–", a.section or "–", a.owner or "To name", a.agency or "–",
         when_text(a.by_when) or "To set", a.measure or "–", a.status or "Not started", now(a.section_id)]
        for a in f.audit.actions]
    doc.table(["Action", "Section", "Owner", "Agency", "By when", "Measure of success", "Status", "Section now"],
              rows, [3.6, 2.2, 1.8, 2.2, 1.4, 3.6, 1.4, 1.8], caption="SMART action plan",
              keep_together=False)  # a plan of long rows is taller than a page: rows may run on
    if any(not a.owner for a in f.audit.actions):
        doc.note("Name an owner (a person and role) for each action marked 'To name', on the Action plan sheet.")
    if any(not a.by_when for a in f.audit.actions):
        doc.note("Set a date for each action marked 'To set' (the re-audit date on the Terms of reference sheet is "
                 "the default review date).")


# ----------------------------------------------------------------------------- appendices


def case_grid(doc: ReportDocument, f: Findings) -> None:
    doc.heading("Appendix A: case grid", 1).paragraph_format.page_break_before = True
    doc.para("Each case's grades side by side, one column per returned audit form (an agency that returned two "
             "forms for a case has two columns, numbered). A grade changed at moderation shows the moderated grade "
             "with the grade as returned in brackets. The cases' details (age, ethnicity and the like) are not shown "
             "beside their references, so that no child can be recognised; Appendix B gives them by group.")
    colours = {g.label: g.colour for g in f.scale.grades}
    by_case: dict[str, list[GradeRow]] = defaultdict(list)
    for g in f.audit.grades:
        by_case[g.case_ref.casefold()].append(g)
    summaries = {s.form_id: s for s in f.audit.summaries}
    for case in f.plan.cases:  # references and agencies only: no case detail beside a reference (privacy)
        doc.heading(f"Case {case.case_ref}", 3).paragraph_format.keep_with_next = True
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
    n = f.plan.terms.min_group
    doc.para(f"No figure is given for a group of fewer than {n} cases: its row reads \u201cfewer than {n}\u201d, "
             "so that no child can be recognised from the table (the smallest group is set on the Terms of "
             "reference sheet). Where the groups hidden hold fewer than that together, the next smallest is hidden "
             "too (its row reads \u201chidden\u201d), so none can be worked out from the totals, which count every "
             "case.")
    shown = 0
    for fld, dists in f.breakdowns:
        if not dists:
            continue
        _distribution_table(doc, f, dists, total_of(dists.values(), "All cases"), fld.label, "All cases",
                            f"Grades by case detail: {fld.label} (case records)", vertical=False, min_group=n)
        shown += 1
    if not shown:
        doc.para("No case details are recorded on the Cases sheet.")


def auditors_appendix(doc: ReportDocument, f: Findings) -> None:
    """Appendix C, in the internal version only: the auditors by name."""
    if not f.internal:
        return
    doc.heading("Appendix C: auditors taking part", 1)
    rows = [[agency, auditor, role, str(n)] for agency, auditor, role, n in auditors_taking_part(f.audit_returns)]
    doc.table(["Agency", "Auditor", "Role", "Cases audited (forms returned and used)"], rows, [5, 5, 5, 2],
              caption="Auditors taking part")


# ----------------------------------------------------------------------------- the partnership's context and plans


def context(doc: ReportDocument, f: Findings) -> None:
    """Why this audit, for whom: from the Terms of reference (Partnership, Why this audit now)."""
    terms = f.plan.terms
    doc.heading("Context", 1)
    if terms.partnership.strip():
        doc.para(f"The audit was carried out for {terms.partnership.strip()}.", bold_lead="Partnership. ")
    else:
        doc.note("Name the partnership the audit is for (Terms of reference sheet, Partnership).")
    if terms.why_now.strip():
        doc.para(terms.why_now.strip(), bold_lead="Why this audit now. ")
    else:
        doc.note("Say why the partnership audited this now (Terms of reference sheet, Why this audit now): a "
                 "review, an inspection, what the data showed, or the last audit.")


def decisions(doc: ReportDocument, f: Findings) -> None:
    """What the board is asked to decide, from what the report proposes."""
    terms = f.plan.terms
    doc.heading("Decisions asked of the board", 2)
    n = len(f.recommendations)
    items = [f"Agree the {counted(n, 'recommendation')} and the action plan that follows them, naming an owner "
             "for each action." if n else "Agree the partnership's response to the findings."]
    items.append(f"Agree to re-audit on {long_date(terms.reaudit_date)}." if terms.reaudit_date
                 else "Set the date of the re-audit.")
    items.append("Agree the plan for sharing the findings (see Dissemination)." if terms.dissemination.strip()
                 else "Agree how the findings will be shared with practitioners and managers.")
    doc.bullets(items)
    doc.note("Add any other decision the board is asked to take.")


def how_it_went(doc: ReportDocument, f: Findings) -> None:
    """How the audit itself went: the returns, and the auditors' feedback on the tool (Summaries sheet)."""
    doc.heading("How the audit went", 1)
    back = f.audit_returns
    if back.not_returned:
        doc.para(f"{back.returned} of {back.issued} audit forms came back and were used; "
                 f"{len(back.not_returned)} did not (Table 'Audits not returned or not used').")
    else:  # no such table: every form came back
        doc.para(f"{back.returned} of {back.issued} audit forms came back and were used: every one issued.")
    said = tool_feedback(f.audit.summaries, f.plan.name_lists())
    forms = sum(1 for s in f.audit.summaries if s.tool_feedback.strip())
    if not said:
        doc.para("No auditor wrote feedback on the audit tool.")
    else:
        doc.para(f"Auditors wrote feedback on the audit tool on {forms} of {len(f.audit.summaries)} forms returned; "
                 f"the different answers, with the agencies that gave them:", keep_with_next=True)
        shown = said[:QUOTES_PER_QUESTION]
        for i, (text, agencies) in enumerate(shown):
            doc.quote(shorten(text, 50), _list(agencies), keep_with_next=i < len(shown) - 1)
        if len(said) > len(shown):
            more = len(said) - len(shown)
            doc.para(f"{counted(more, 'other answer')} {noun(more, 'is', 'are')} on the Summaries sheet of the "
                     "coordinator workbook.")
    doc.note("Add what the coordinator and the follow-up meeting learned about running the audit, and what to "
             "change next time.")


def dissemination_and_reaudit(doc: ReportDocument, f: Findings) -> None:
    terms = f.plan.terms
    doc.heading("Dissemination and re-audit", 1)
    if terms.dissemination.strip():
        doc.para(terms.dissemination.strip(), bold_lead="Dissemination. ")
    else:
        doc.note("Say how the findings will reach practitioners, managers and the board (Terms of reference "
                 "sheet, Dissemination plan).")
    if terms.reaudit_date:
        doc.para(f"The partnership will audit again on {long_date(terms.reaudit_date)}, with the same tool, to see "
                 "whether the actions made a difference; it is each action's review date.", bold_lead="Re-audit. ")
    else:
        doc.note("Set the re-audit date (Terms of reference sheet, Re-audit date): it is each action's review date.")
