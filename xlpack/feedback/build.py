"""Practitioner feedback: each accepted audit form back to the practitioner and their manager.

The guidance asks that each audit be passed to the practitioner
concerned and their manager, so that they hear about their work on the
case while they are still doing it. :func:`write_feedback` reads the
consolidated coordinator workbook and writes, for each accepted audit
form, a short Word document (:mod:`xlpack.feedback.document`) named by
case and agency, and an index workbook (:mod:`xlpack.feedback.index`)
saying which document goes to whom: the auditor who completed the form,
who passes it on.

A document is a copy of that form's audit of the agency's record: each
section's grade as returned and after moderation (with the note), the
evidence, strengths, areas for development and actions; first, the flags
about that agency's record of the case, each once, those of one rule
together (urgent and high first); and at the end a response section for
the practitioner and a sign-off for their manager. A flag shared with other
agencies is described without their grades or words. Flags about the audit
itself (the auditor's independence, returns) stay with the coordinator.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

from xlpack import clock
from xlpack.analysis.flags import rule_by_name
from xlpack.analysis.flags.base import SEVERITY_ORDER
from xlpack.errors import UsageError, WorkbookInUseError, XlpackError
from xlpack.feedback.document import feedback_bytes
from xlpack.feedback.folder import default_feedback_folder, refuse_another_audits
from xlpack.feedback.index import write_index
from xlpack.feedback.model import FeedbackResult, FlagNote, FormFeedback, SectionFeedback
from xlpack.files.output_set import Output, sweep, write_set
from xlpack.files.workbooks import lock_files, require_coordinator
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.names import redact_names
from xlpack.model.records import FlagRow, GradeRow
from xlpack.report.write import check_moderation
from xlpack.workbook.readback import read_consolidated

INDEX_NAME = "feedback index.xlsx"
#: Rules about the audit itself rather than the agency's record: for the coordinator, not the practitioner.
AUDIT_PROCESS_RULES = ("auditor_involved", "return_missing", "returned_twice")
ACCEPTED = ("accepted", "accepted_with_warnings")


def slug(text: str, limit: int = 40) -> str:
    """A piece of a safe file name: letters, digits, '.', '-' and '_' only."""
    text = re.sub(r"[^\w.-]+", "-", text.strip(), flags=re.ASCII)
    return re.sub(r"-{2,}", "-", text).strip("-._")[:limit] or "x"


def flag_note(f: FlagRow, agency: str, titles: dict[str, str], rows: dict[str, GradeRow]) -> FlagNote:
    rule = rule_by_name(f.rule)
    section = titles.get(f.section_id, "")
    own = [a for a in f.agencies if a.casefold() == agency.casefold()]
    detail = ""
    if len(own) == len(f.agencies):
        text = f.message
    else:  # shared with other agencies: the rule's words and this agency's own grade only
        text = rule.description if rule else "Flagged for the follow-up meeting across agencies."
        row = rows.get(f.section_id)
        if row is not None:
            detail = f"your agency's grade: {row.grade or 'blank'}" + (
                f", {row.moderated_grade} after moderation" if row.moderated_grade
                and row.moderated_grade != row.grade else "")
    return FlagNote(f.flag_id, f.severity, rule.title if rule else f.rule, section, text, f.resolution, detail)


def flags_for(audit: ConsolidatedAudit, case_ref: str, agency: str, rows: dict[str, GradeRow]) -> list[FlagNote]:
    """Every flag about ``agency``'s record of ``case_ref`` (flags about the audit itself left out), most urgent
    first, then in the Flags sheet's order; each once."""
    titles = {s.id: s.title for s in audit.plan.tool.sections}
    seen: set[str] = set()
    picked = []
    for f in audit.flags:
        if (f.rule not in AUDIT_PROCESS_RULES and f.case_ref.casefold() == case_ref.casefold() and f.flag_id not in seen
                and any(a.casefold() == agency.casefold() for a in f.agencies)):
            seen.add(f.flag_id)
            picked.append(f)
    picked.sort(key=lambda f: SEVERITY_ORDER.get(f.severity, 9))
    return [flag_note(f, agency, titles, rows) for f in picked]


def gather_feedback(audit: ConsolidatedAudit) -> list[FormFeedback]:
    """One :class:`FormFeedback` per accepted audit form, by case, agency and auditor, with its file name."""
    issued = {f.form_id: f for f in audit.plan.issued}
    accepted = {r.form_id for r in audit.returns if r.kind == "audit" and r.status in ACCEPTED}
    by_form: dict[str, list[GradeRow]] = {}
    for g in audit.grades:
        if g.form_id in accepted or not audit.returns:
            by_form.setdefault(g.form_id, []).append(g)
    out = []
    names = audit.plan.name_lists()  # the auditors' words are quoted with names as [name]
    for form_id, rows in by_form.items():
        first = rows[0]
        rows.sort(key=lambda g: g.section_order)
        form = issued.get(form_id)
        summary = audit.summary(form_id)
        fb = FormFeedback(form_id, first.case_ref, first.agency, first.auditor, role=form.role if form else "",
                          email=_email(audit, first, form.email if form else ""))
        fb.sections = [SectionFeedback(g.section_title, g.grade, g.moderated_grade, g.moderation_note,
                                       *(redact_names(t, names) for t in (g.strengths, g.development, g.action,
                                                                          g.evidence)))
                       for g in rows]
        fb.flags = [replace(n, text=redact_names(n.text, names))
                    for n in flags_for(audit, first.case_ref, first.agency, {g.section_id: g for g in rows})]
        if summary is not None:
            fb.overall_grade, fb.safeguarded_now = summary.overall_grade, summary.safeguarded_now
            fb.safeguarding_action = redact_names(summary.safeguarding_action, names)
        out.append(fb)
    out.sort(key=lambda f: (f.case_ref.casefold(), f.agency.casefold(), f.auditor.casefold(), f.form_id))
    _name_files(out)
    return out


def _email(audit: ConsolidatedAudit, row: GradeRow, issued_email: str) -> str:
    for a in audit.plan.assignments:
        if (a.case_ref.casefold(), a.agency.casefold(), a.auditor.casefold()) == (
                row.case_ref.casefold(), row.agency.casefold(), row.auditor.casefold()) and a.email:
            return a.email
    return issued_email


def _name_files(items: list[FormFeedback]) -> None:
    """``Feedback_CASE_AGENCY.docx``; the auditor's name is added where one agency has two forms for the case."""
    stems = Counter((f.case_ref.casefold(), f.agency.casefold()) for f in items)
    taken: set[str] = set()
    for f in items:
        stem = f"Feedback_{slug(f.case_ref)}_{slug(f.agency, 30)}"
        if stems[(f.case_ref.casefold(), f.agency.casefold())] > 1:
            stem += f"_{slug(f.auditor, 30)}"
        name, n = f"{stem}.docx", 2
        while name.casefold() in taken:
            name, n = f"{stem}_{n}.docx", n + 1
        taken.add(name.casefold())
        f.file_name = name


def write_feedback(audit: Path, out_dir: Path | None = None, *, today: date | None = None,
                   overwrite: bool = False) -> FeedbackResult:
    """Write the feedback documents and their index for the consolidated coordinator workbook ``audit``."""
    audit = require_coordinator(audit)
    consolidated = read_consolidated(audit)
    check_moderation(audit, consolidated.plan.scale, "no feedback was written")
    return build_feedback(consolidated, out_dir or default_feedback_folder(audit, consolidated.plan.audit_id),
                          today=today,
                          overwrite=overwrite, source=audit)


def build_feedback(audit: ConsolidatedAudit, out_dir: Path, *, today: date | None = None, overwrite: bool = False,
                   source: Path | None = None) -> FeedbackResult:
    """Write the documents of an in-memory consolidated audit into ``out_dir``; nothing is written on a refusal."""
    today = today or clock.today()
    items = gather_feedback(audit)
    if not items:
        raise XlpackError(f"{source or 'The audit'}: no audit form has been accepted yet, so there is no feedback to "
                          "write. Consolidate the returned forms first: xlpack consolidate AUDIT.xlsx RETURNS...")
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir} is a file, not a folder: give a folder for the feedback documents with --out.")
    sweep([(out_dir, True)])  # what a killed run left: before looking at what is there
    refuse_another_audits(out_dir, audit.plan.audit_id)
    targets = [out_dir / f.file_name for f in items] + [out_dir / INDEX_NAME]
    _check_targets(targets, overwrite)

    def write(folder: Path) -> None:  # the whole set, into a hidden folder moved into place when complete
        folder.mkdir()
        for f in items:
            (folder / f.file_name).write_bytes(feedback_bytes(f, audit.plan, today))
        write_index(audit.plan, items, folder / INDEX_NAME, today)

    write_set([Output(out_dir, write, folder=True, last=INDEX_NAME)])
    return FeedbackResult(out_dir, out_dir / INDEX_NAME, [(f, out_dir / f.file_name) for f in items])


def _check_targets(targets: list[Path], overwrite: bool) -> None:
    open_ = [p for p in targets if lock_files(p)]
    if open_:
        raise WorkbookInUseError(f"{open_[0]} is open in Word, Excel or LibreOffice (a lock file is beside it). "
                                 "Close it and run the command again.")
    there = [p for p in targets if p.exists()]
    if there and not overwrite:
        shown = ", ".join(p.name for p in there[:3]) + (f" and {len(there) - 3} more" if len(there) > 3 else "")
        raise UsageError(f"{there[0].parent} already holds feedback documents ({shown}), which may have been "
                         "edited. Give another folder with --out, or add --force to replace them.")
