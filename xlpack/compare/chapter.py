"""The re-audit comparison as a report chapter (python-docx), in the overview report or on its own.

:func:`comparison_chapter` writes the chapter into a
:class:`~xlpack.report.document.ReportDocument`: the overview report adds it
with ``xlpack report AUDIT --baseline BASELINE``, and ``xlpack compare
--docx FILE`` writes it as a document of its own
(:func:`comparison_document`). Figures come from the
:class:`~xlpack.compare.comparison.Comparison`; the chart is drawn by
:mod:`xlpack.report.charts`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import xlpack.report.charts as charts
from xlpack import clock
from xlpack.compare.comparison import CompareRow, Comparison
from xlpack.compare.stats import (
    ALPHA,
    TEST_NAME,
    ShareChange,
    forms_not_records_text,
    p_text,
    points_text,
    shared_cases_text,
    verdict_text,
)
from xlpack.model.marking import MARKING
from xlpack.report.document import Cell, ReportDocument, long_date
from xlpack.report.findings import pct

HIT_FILL = "FFF2CC"
TOTAL_FILL = "D9E2F3"
CHAPTER_TITLE = "Change since the baseline audit"


def _change_sentence(what: str, s: ShareChange) -> str:
    p = s.p_value
    judged = ("larger than chance would give" if s.beyond_chance else "within what chance could give") \
        if p is not None else "not testable"
    return (f"{what} went from {pct(s.baseline)} of {s.baseline_n} graded answers in the baseline to "
            f"{pct(s.reaudit)} of {s.reaudit_n} at re-audit ({points_text(s.change)}; p = {p_text(p)}, {judged})")


def _table(doc: ReportDocument, rows: Sequence[CompareRow], overall: CompareRow, key: str, measure: str,
           caption: str) -> None:
    """One share (Good or better, or Inadequate) in both audits, the change and its test; all sections last."""
    body: list[list[str | Cell]] = []
    for row in [*rows, overall]:
        s: ShareChange = row.good if measure == "good" else row.inadequate
        total = row is overall
        fill = TOTAL_FILL if total else (HIT_FILL if s.beyond_chance else None)
        bold = total or bool(s.beyond_chance)
        values = [row.key, f"{row.baseline.graded} / {row.reaudit.graded}", pct(s.baseline), pct(s.reaudit),
                  points_text(s.change), p_text(s.p_value), verdict_text(s)]
        body.append([Cell(v, fill=fill, bold=bold and (i == 0 or i >= 4)) for i, v in enumerate(values)])
    doc.table([key, "Graded (baseline / re-audit)", "Baseline", "Re-audit", "Change", "p",
               "Larger than chance?"], body, [4.4, 1.6, 1.2, 1.2, 1.3, 1.1, 1.5], caption=caption)


def _actions(doc: ReportDocument, c: Comparison) -> None:
    doc.heading("The baseline's action plan", 2)
    doc.para(f"The rows of {c.actions_source}, each beside the re-audit's figures for the section it addresses.")
    if not c.actions:
        doc.para("The baseline has no action plan rows.")
        return
    rows: list[list[str | Cell]] = []
    for line in c.actions:
        a, got = line.row, line.compared
        good = (f"{pct(got.good.baseline)} → {pct(got.good.reaudit)} ({points_text(got.good.change)})"
                if got else "–")
        bad = (f"{pct(got.inadequate.baseline)} → {pct(got.inadequate.reaudit)} "
               f"({points_text(got.inadequate.change)})" if got else "–")
        rows.append([a.action, a.section or "–", a.status or "–", good, bad, got.reading if got else line.why])
    doc.table(["Action", "Section", "Status", "Good or better, baseline → re-audit",
               "Inadequate, baseline → re-audit", "Reading at re-audit"], rows, [4, 2.4, 1.5, 2.2, 2.2, 1.7],
              caption="The baseline's action plan against the re-audit")


def comparison_chapter(doc: ReportDocument, c: Comparison) -> None:
    """The chapter: what changed since the baseline, by section and by agency, and the baseline's actions."""
    b, r = c.baseline, c.reaudit
    doc.heading(CHAPTER_TITLE, 1)
    different = "" if c.shared_cases else "The two audits looked at different cases. "
    doc.para(f"This audit is compared with the baseline audit '{b.title}' ({b.tool}), which looked at case work "
             f"from {long_date(b.period_from)} to {long_date(b.period_to)}: {b.cases} cases and {b.forms_used} audit "
             f"forms, against {r.cases} cases and {r.forms_used} forms now. {different}Both use the grades after "
             "moderation; Not applicable, No evidence and blank answers are left out of every share.")
    doc.para(_change_sentence("Across all sections, the share Good or better", c.overall.good) + "; "
             + _change_sentence("the share Inadequate", c.overall.inadequate) + ".")
    samples = "it takes as independent samples" if c.shared_cases else "are independent samples"
    doc.para(f"Each change is tested with {TEST_NAME} on the graded answers of the two audits, which {samples}. "
             f"A change is called larger than chance would give when p < {ALPHA:g} (shaded in "
             "the tables). The exact test is used because samples are small; with many sections, about one "
             "in twenty can pass by chance alone, so read the results together.")
    if c.shared_cases:
        doc.para(shared_cases_text(c.shared_cases))
    if c.multi_form_records:
        doc.para(forms_not_records_text(c.multi_form_records))
    doc.heading("By section", 2)
    _table(doc, c.sections, c.overall, "Section", "good", "Share Good or better, baseline and re-audit, by section")
    _table(doc, c.sections, c.overall, "Section", "inadequate", "Share Inadequate, baseline and re-audit, by section")
    graded = [s for s in c.sections if s.baseline.graded or s.reaudit.graded]
    if graded:
        png = charts.before_after([s.key for s in graded], [s.good.baseline for s in graded],
                                  [s.good.reaudit for s in graded], measure="Good or better",
                                  labels=("baseline", "re-audit"))
        alt = "; ".join(f"{s.key}: {pct(s.good.baseline)} to {pct(s.good.reaudit)}" for s in graded)
        doc.figure(png, caption="Share Good or better in the baseline and at re-audit, by section",
                   alt="Paired bar chart of the share Good or better, baseline and re-audit. " + alt + ".")
    if c.not_compared:
        doc.para("Not compared: " + "; ".join(f"{t} ({why})" for t, why in c.not_compared) + ".")
    doc.heading("By agency", 2)
    doc.para("An agency's figures cover only the cases it worked on in each audit: small numbers call for care.")
    _table(doc, c.agencies, c.overall, "Agency", "good", "Share Good or better, baseline and re-audit, by agency")
    _table(doc, c.agencies, c.overall, "Agency", "inadequate", "Share Inadequate, baseline and re-audit, by agency")
    _actions(doc, c)
    doc.note("Say what the partnership makes of the change: which actions made a difference, and what the "
             "re-audit asks of the action plan now.")


def comparison_document(c: Comparison, *, today: date | None = None) -> bytes:
    """The chapter as a document of its own (A4, Calibri, marked OFFICIAL-SENSITIVE), as .docx bytes."""
    today = today or clock.today()
    title = f"Re-audit comparison: {c.reaudit.title}"
    doc = ReportDocument(title=title, subject="Multi-agency case audit: re-audit comparison", author="xlpack",
                         when=today, footer_title=title)
    doc.para(bold_lead=MARKING)
    doc.doc.add_paragraph(title, style="Title")
    doc.para(f"Against the baseline audit '{c.baseline.title}'. Written by xlpack on {long_date(today)} from the two "
             "consolidated coordinator workbooks. Case references only; handle as OFFICIAL-SENSITIVE.")
    comparison_chapter(doc, c)
    return doc.to_bytes()
