"""The overview report: a Word document the coordinator finishes and presents.

``write_report`` reads the consolidated coordinator workbook (with the
coordinator's moderated grades and flag resolutions) and writes the
report beside it; ``build_report`` writes it from an in-memory
:class:`ConsolidatedAudit`. The same audit and date give the same bytes.

The report follows section 3 of the audit pack guidance: a quantified
picture of what works well and what causes concern from the section
grades; evidence from the auditors' own words; learning from good
practice; themes and recommendations; an overall judgement; the
children's and families' views; and a SMART action plan to edit.
Places for the coordinator's judgement are marked "Coordinator:".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import xlpack.report.chapters as chapters
from xlpack import clock
from xlpack.coordinator.meetings_sheet import MEETING_HEADERS, MEETINGS, meetings_from
from xlpack.coordinator.plan_sheets import read_table
from xlpack.errors import MeetingsError, ModerationError, UsageError, WorkbookInUseError
from xlpack.files.workbooks import SheetReader, lock_files, replace_atomically, require_coordinator
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import GradeScale
from xlpack.report.document import ReportDocument
from xlpack.report.findings import analyse
from xlpack.workbook.carryover import read_moderation
from xlpack.workbook.readback import read_consolidated

REPORT_SUFFIX = " overview report.docx"
#: An extra chapter (e.g. the re-audit comparison): writes itself into the document, before the action plan.
Chapter = Callable[[ReportDocument], None]


def check_moderation(audit: Path, scale: GradeScale, nothing: str = "no report was written") -> None:
    """Refuse (:class:`ModerationError`, naming each cell) a moderated grade that is not on ``scale``."""
    problems = read_moderation(audit, scale).problems
    if problems:
        raise ModerationError(audit, problems, nothing)


def check_meetings(audit: Path, nothing: str = "no report was written") -> None:
    """Refuse (:class:`MeetingsError`, naming each cell) a Meetings row that cannot be read (a date that is not a
    date, a kind not on the list, a name used twice): the document would leave that meeting out."""
    reader = SheetReader(audit)
    problems: list[str] = []
    if reader.has(MEETINGS):
        meetings_from(read_table(reader, MEETINGS, list(MEETING_HEADERS)).rows, problems)
    if problems:
        raise MeetingsError(audit, problems, nothing)


def default_report_path(audit: Path, audience: str = "board") -> Path:
    """``<audit stem> overview report.docx`` beside the workbook (``... overview report (internal).docx``)."""
    audit = Path(audit)
    suffix = REPORT_SUFFIX if audience == "board" else REPORT_SUFFIX.replace(".docx", f" ({audience}).docx")
    return audit.with_name(audit.stem + suffix)


def write_report(audit: Path, out: Path | None = None, *, today: date | None = None,
                 overwrite: bool = False, extra: Sequence[Chapter] = (), audience: str = "board") -> Path:
    """Write the overview report of the consolidated coordinator workbook ``audit``.

    Refuses to replace an existing report unless ``overwrite`` (the
    coordinator may have edited it in Word). ``extra`` chapters are written
    after the themes and recommendations, before the action plan.
    """
    audit = require_coordinator(audit)
    _internal(audience)
    out = Path(out) if out else default_report_path(audit, audience)
    _check_target(out, overwrite)
    consolidated = read_consolidated(audit)
    check_moderation(audit, consolidated.plan.scale)
    check_meetings(audit)
    return build_report(consolidated, out, today=today, extra=extra, audience=audience)


def build_report(consolidated: ConsolidatedAudit, out: Path, *, today: date | None = None,
                 extra: Sequence[Chapter] = (), audience: str = "board") -> Path:
    """Write the report of an in-memory consolidated audit to ``out`` (replaced atomically)."""
    out = Path(out)
    data = report_bytes(consolidated, today=today, extra=extra, audience=audience)
    write_document(out, data)
    return out


def report_bytes(consolidated: ConsolidatedAudit, *, today: date | None = None,
                 extra: Sequence[Chapter] = (), audience: str = "board") -> bytes:
    """The .docx as bytes: the board's version (no auditor named), or with ``audience="internal"`` the internal
    one."""
    today = today or clock.today()
    findings = analyse(consolidated, internal=_internal(audience))
    terms = consolidated.plan.terms
    doc = ReportDocument(title=f"{terms.title}: overview report", subject="Multi-agency case audit overview report",
                         author=terms.coordinator or "xlpack", when=today, footer_title=terms.title)
    chapters.title_page(doc, findings, today)
    chapters.summary(doc, findings)
    chapters.decisions(doc, findings)
    chapters.context(doc, findings)
    chapters.terms_and_method(doc, findings)
    chapters.quantified(doc, findings)
    chapters.consistency(doc, findings)
    chapters.evidence(doc, findings)
    chapters.views(doc, findings)
    chapters.findings_chapter(doc, findings)
    chapters.themes_chapter(doc, findings)
    chapters.recommendations_chapter(doc, findings)
    chapters.overall_judgement(doc, findings)
    chapters.how_it_went(doc, findings)
    chapters.dissemination_and_reaudit(doc, findings)
    for chapter in extra:
        chapter(doc)
    chapters.action_plan(doc, findings)
    chapters.case_grid(doc, findings)
    chapters.breakdowns_appendix(doc, findings)
    chapters.auditors_appendix(doc, findings)
    return doc.to_bytes()


AUDIENCES = ("board", "internal")


def _internal(audience: str) -> bool:
    if audience not in AUDIENCES:
        raise UsageError(f"--for takes board or internal, not '{audience}'.")
    return audience == "internal"


def _check_target(out: Path, overwrite: bool) -> None:
    if out.suffix.lower() != ".docx":
        raise UsageError(f"{out}: the report is a Word document; give the file name a .docx ending.")
    if out.exists() and not overwrite:
        raise UsageError(f"{out} already exists and may hold your edits. Give another name with --out, or add "
                         "--force to replace it.")


def write_document(out: Path, data: bytes) -> None:
    """Replace the Word document ``out`` with ``data`` in one step, refusing while Word or LibreOffice has it open."""
    locks = lock_files(out)
    if locks:
        raise WorkbookInUseError(f"{out} is open in Word or LibreOffice (lock file {locks[0].name} is beside it). "
                                 "Close it and run the command again; if it is not open, delete the lock file.")

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    try:
        replace_atomically(out, write, keep_backup=False)
    except WorkbookInUseError as exc:
        raise WorkbookInUseError(f"{out} could not be replaced. If it is open in Word, close it and try "
                                 "again.") from exc
