"""One practitioner feedback document (python-docx), built with the overview report's blocks.

A4, Calibri, OFFICIAL-SENSITIVE in the header and footer, the case
reference and agency in the footer (:class:`~xlpack.report.document.ReportDocument`).
In order: who and what it is about; the urgent and high flags about the
agency's record (first, so they are read); the section grades as returned
and after moderation with the note; what worked well, areas for
development and actions asked of the agency, in the auditor's words; and
what happens next. The same form and date give the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from xlpack.feedback.model import FormFeedback
from xlpack.model.definitions import GradeScale
from xlpack.model.plan import AuditPlan
from xlpack.report.document import Cell, ReportDocument, long_date

FLAGS_HEADING = "Act on these first: urgent and high flags"
GRADES_HEADING = "Grades by section"
WORDS_HEADINGS = ("What worked well", "Areas for development", "Actions asked of the agency")
NEXT_HEADING = "What happens next"
SEVERITY_WORDS = {"urgent": "Urgent", "high": "High"}


def _tint(colour: str, amount: float = 0.55) -> str:
    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{round(c + (255 - c) * amount):02X}" for c in (r, g, b))


def _front(doc: ReportDocument, f: FormFeedback, plan: AuditPlan, today: date) -> None:
    doc.para(bold_lead="OFFICIAL-SENSITIVE")
    doc.doc.add_paragraph("Case audit feedback", style="Title")
    doc.subtitle(f"Case {f.case_ref} · {f.agency}")
    terms = plan.terms
    facts = [("Audit: ", terms.title), ("Tool: ", f"{plan.tool.title} (version {plan.tool.version})"),
             ("Case reference: ", f.case_ref), ("Agency: ", f.agency),
             ("Audited by: ", f.auditor + (f", {f.role}" if f.role else "")),
             ("Case work audited: ", f"{long_date(terms.period_from)} to {long_date(terms.period_to)}"),
             ("Overall grade given by the auditor: ", f.overall_grade or "not given"),
             ("Is the child adequately safeguarded now? (the auditor's answer): ", f.safeguarded_now or "not given"),
             ("Feedback written: ", long_date(today))]
    if f.safeguarding_action:
        facts.insert(8, ("What was done: ", f.safeguarding_action))
    for lead, text in facts:
        doc.para(text, bold_lead=lead).paragraph_format.space_after = 0
    doc.para()
    doc.para("This is the audit of your agency's record of the case, for the practitioner who holds the case and "
             "their manager. Grades after moderation are those agreed at the multi-agency follow-up meeting. It "
             "refers to the child by case reference only: keep it with the case's supervision records and share it "
             "only with those who need it.")


def _flags(doc: ReportDocument, f: FormFeedback) -> None:
    doc.heading(FLAGS_HEADING, 1)
    if not f.flags:
        doc.para("None: no urgent or high flag was raised about this agency's record of the case.")
        return
    for flag in f.flags:
        where = f" ({flag.section})" if flag.section else ""
        stop = "" if flag.title.endswith(("?", ".", "!")) and not where else "."
        p = doc.para(bold_lead=f"{SEVERITY_WORDS.get(flag.severity, flag.severity)}: {flag.title}{where}{stop} ")
        p.add_run(flag.text)
        if flag.resolution:
            doc.para(flag.resolution, bold_lead="Agreed at the follow-up meeting: ")


def _grades(doc: ReportDocument, f: FormFeedback, scale: GradeScale) -> None:
    doc.heading(GRADES_HEADING, 1)
    colours = {g.label: g.colour for g in scale.grades}

    def cell(grade: str | None) -> Cell:
        return Cell(grade or "blank", fill=_tint(colours[grade]) if grade in colours else None)

    rows: list[list[str | Cell]] = []
    for s in f.sections:
        if s.moderated:
            after = cell(s.moderated) if s.changed else Cell("Confirmed")
        else:
            after = Cell("–")
        rows.append([s.title, cell(s.grade), after, s.note or ""])
    doc.table(["Section", "Grade as returned", "After moderation", "Moderation note"], rows, [4.2, 1.9, 1.9, 4.2],
              caption=f"Grades for case {f.case_ref}, {f.agency}")
    if f.moderated:
        doc.para(f"The follow-up meeting changed {f.moderated} grade(s) of this audit; the note gives the reason.")


def _bullets(doc: ReportDocument, items: Sequence[tuple[str, str]]) -> None:
    if not items:
        doc.para("None recorded.")
        return
    style_id = doc.doc.styles["List Bullet"].style_id  # set by id: looking a style up by name is slow
    for title, text in items:
        p = doc.doc.add_paragraph()
        p._p.style = style_id
        p.add_run(f"{title}: ").bold = True
        p.add_run(" ".join(text.split()))


def _words(doc: ReportDocument, f: FormFeedback) -> None:
    for heading, attr in zip(WORDS_HEADINGS, ("strengths", "development", "action")):
        doc.heading(heading, 1)
        _bullets(doc, [(s.title, getattr(s, attr)) for s in f.sections if getattr(s, attr).strip()])


def _next(doc: ReportDocument, f: FormFeedback, plan: AuditPlan) -> None:
    doc.heading(NEXT_HEADING, 1)
    contact = plan.terms.coordinator + (f" ({plan.terms.coordinator_email})" if plan.terms.coordinator_email else "")
    doc.para(f"{f.auditor} passes this feedback to the practitioner and their manager. Talk it through in "
             "supervision: keep doing what worked well, and agree with your manager how and by when the areas for "
             "development and the actions will be taken forward. Themes across all the cases go to the "
             "partnership in the overview report and its action plan.")
    if contact.strip():
        doc.para(f"Questions about the audit: {contact}.")


def feedback_bytes(f: FormFeedback, plan: AuditPlan, today: date) -> bytes:
    """The feedback document of one accepted audit form, as .docx bytes."""
    title = f"Case audit feedback: {f.case_ref}, {f.agency}"
    doc = ReportDocument(title=title, subject="Multi-agency case audit: feedback to the practitioner",
                         author=plan.terms.coordinator or "xlpack", when=today,
                         footer_title=f"Audit feedback · {f.case_ref} · {f.agency}")
    _front(doc, f, plan, today)
    _flags(doc, f)
    _grades(doc, f, plan.scale)
    _words(doc, f)
    _next(doc, f, plan)
    return doc.to_bytes()
