"""One practitioner feedback document (python-docx), built with the overview report's blocks.

A4, Calibri, OFFICIAL-SENSITIVE in the header and footer, the case
reference and agency in the footer (:class:`~xlpack.report.document.ReportDocument`).
In order: who and what it is about; the flags about the agency's record
(first, so they are read: urgent and high at the top, each flag once, those
of one rule under one heading with the rule's words said once); the section
grades as returned and after moderation, at a glance; then the audit itself,
section by section: grades, the evidence, what worked well, areas for
development and actions, in the auditor's words; a response section for
the practitioner; the manager's sign-off; and what happens next. The same
form and date give the same bytes; the document's identifier names the
audit and form, so ``xlpack mail --kind feedback`` attaches each to its own
auditor only.
"""

from __future__ import annotations

from datetime import date

from xlpack.feedback.folder import FEEDBACK_PREFIX
from xlpack.feedback.model import FlagNote, FormFeedback
from xlpack.model.definitions import GradeScale
from xlpack.model.marking import MARKING
from xlpack.model.plan import AuditPlan
from xlpack.report.document import Cell, ReportDocument, long_date
from xlpack.wording import counted, noun

FLAGS_HEADING = "Flags about this record"
GRADES_HEADING = "Grades by section"
AUDIT_HEADING = "The audit, section by section"
WORDS = (("evidence", "Evidence"), ("strengths", "What worked well"), ("development", "Areas for development"),
         ("action", "Actions asked of the agency"))
RESPONSE_HEADING = "The practitioner's response"
SIGN_OFF_HEADING = "Manager's sign-off"
NEXT_HEADING = "What happens next"
SEVERITY_WORDS = {"urgent": "Urgent", "high": "High", "medium": "Medium", "low": "Low"}
IDENTIFIER = FEEDBACK_PREFIX + ":{audit_id}:{form_id}"
RESPONSE_LINES = 8  # blank lines in the response box


def _tint(colour: str, amount: float = 0.55) -> str:
    r, g, b = (int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{round(c + (255 - c) * amount):02X}" for c in (r, g, b))


def _front(doc: ReportDocument, f: FormFeedback, plan: AuditPlan, today: date) -> None:
    doc.para(bold_lead=MARKING)
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
    agreed = ("those agreed at the multi-agency follow-up meeting" if any(m.kind == "Follow-up" for m in plan.meetings)
              else "those the audit's coordinator recorded")  # no follow-up meeting is recorded to have agreed them
    doc.para("This is the audit of your agency's record of the case, for the practitioner who holds the case and "
             f"their manager. Grades after moderation are {agreed}. It refers to the child by case reference only: "
             "keep it with the case's supervision records and share it only with those who need it.")


def _flag_groups(f: FormFeedback) -> list[list[FlagNote]]:
    """The flags by severity and rule, most urgent first (the flags come in that order)."""
    groups: dict[tuple[str, str], list[FlagNote]] = {}
    for flag in f.flags:
        groups.setdefault((flag.severity, flag.title), []).append(flag)
    return list(groups.values())


def _flags(doc: ReportDocument, f: FormFeedback) -> None:
    doc.heading(FLAGS_HEADING, 1)
    if not f.flags:
        doc.para("None: no flag was raised about this agency's record of the case.")
        return
    if f.act_first:
        doc.para("Urgent and high flags come first: act on them first.")
    style_id = doc.doc.styles["List Bullet"].style_id
    for group in _flag_groups(f):
        first = group[0]
        shared = len({n.text for n in group}) == 1 and (len(group) > 1 or bool(first.detail))
        stop = "" if first.title.endswith(("?", ".", "!")) else "."
        p = doc.para(bold_lead=f"{SEVERITY_WORDS.get(first.severity, first.severity)}: {first.title}{stop} ",
                     keep_with_next=True)
        if shared:
            p.add_run(first.text)
        for n in group:
            item = doc.doc.add_paragraph()
            item._p.style = style_id
            words = n.detail if shared else n.text
            if n.section and not words.startswith(f"{n.section}:"):
                item.add_run(f"{n.section}: ").bold = True
            item.add_run(_sentence(words) if words else "")
            if n.resolution:
                item.add_run(" Agreed at the follow-up meeting: ").bold = True
                item.add_run(n.resolution)


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


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
        doc.para(f"The follow-up meeting changed {counted(f.moderated, 'grade')} of this audit; the "
                 f"{noun(f.moderated, 'note gives', 'notes give')} the reason.")


def _audit(doc: ReportDocument, f: FormFeedback) -> None:
    """Each section as the auditor wrote it: the grades, then the evidence, strengths, development and actions."""
    doc.heading(AUDIT_HEADING, 1)
    for n, s in enumerate(f.sections, start=1):
        doc.heading(f"{n}. {s.title}", 2)
        after = ("none recorded" if not s.moderated else "confirmed" if not s.changed else s.moderated)
        p = doc.para(s.grade or "blank", bold_lead="Grade as returned: ")
        p.add_run("   After moderation: ").bold = True
        p.add_run(after + (f" ({s.note})" if s.note else ""))
        for attr, label in WORDS:
            text = " ".join(getattr(s, attr).split())
            doc.para(text or "None recorded.", bold_lead=f"{label}: ")


def _response(doc: ReportDocument) -> None:
    """Room for the practitioner to answer, and for the manager to sign the feedback off."""
    doc.heading(RESPONSE_HEADING, 1)
    doc.para("Your response to this audit: what you agree with, what you would question and why, and what you will "
             "do differently. Your manager reads it with you.")
    box = doc.doc.add_table(rows=1, cols=1)
    box.style = doc.doc.styles["Table Grid"]
    cell = box.rows[0].cells[0]
    cell.paragraphs[0].add_run(" ")
    for _ in range(RESPONSE_LINES - 1):
        cell.add_paragraph(" ")
    doc.para()
    for label in ("Practitioner's name and role: ", "Date: "):
        doc.para("_" * 40, bold_lead=label)
    doc.heading(SIGN_OFF_HEADING, 1)
    doc.para("I have discussed this audit and the practitioner's response with them, and agreed how and by when the "
             "areas for development and the actions will be taken forward.")
    for label in ("Manager's name and role: ", "Signature: ", "Date: "):
        doc.para("_" * 40, bold_lead=label)


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
    doc.doc.core_properties.identifier = IDENTIFIER.format(audit_id=plan.audit_id, form_id=f.form_id)
    _front(doc, f, plan, today)
    _flags(doc, f)
    _grades(doc, f, plan.scale)
    _audit(doc, f)
    _response(doc)
    _next(doc, f, plan)
    return doc.to_bytes()
