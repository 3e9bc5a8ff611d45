"""The moderation meeting pack: a Word document for the follow-up meeting the coordinator chairs.

One part per case, cases in flag order (a case with an urgent flag first,
then by the number of flags of each severity, then by reference), each
starting on a new page: every returned form's grade per section side by side
(the moderated grade where the coordinator typed one), sections where two
agencies' grades as returned are far apart marked in words, each agency's
evidence for those sections, the child's and family's views, the flags still
open with a line for the meeting's decision, and room for learning points.
A case part is landscape when its grid has more columns than a portrait page
holds. Every quotation of what someone wrote goes through :func:`quoted`,
the one place to put a redaction of names.

``write_pack`` writes it from the coordinator workbook; ``pack_bytes`` builds
it from an in-memory :class:`ConsolidatedAudit`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.shared import Pt

from xlpack import clock
from xlpack.analysis.flags.divergence import MIN_SPREAD
from xlpack.analysis.views import Conversation, conversations
from xlpack.coordinator.meetings_sheet import find_meeting
from xlpack.errors import UsageError
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import GradeScale
from xlpack.model.marking import MARKING
from xlpack.model.names import NameLists, quoted
from xlpack.model.plan import Meeting
from xlpack.model.records import FlagRow, GradeRow
from xlpack.report.document import A4, MARGIN, Cell, ReportDocument, long_date
from xlpack.report.write import ModerationError, check_meetings, write_document
from xlpack.workbook.carryover import read_moderation
from xlpack.workbook.readback import read_consolidated

SEVERITIES = ("urgent", "high", "medium", "low")
#: Marks beside a divergent section, in words and a symbol that prints in grey: never colour alone.
DIVERGENT = "DIVERGENT"
PORTRAIT_COLUMNS = 4  # forms side by side that fit on a portrait page; more go landscape
DECISION_LINE = "Decision: " + "_" * 60
LEARNING_ROWS = 5


def default_pack_path(audit: Path) -> Path:
    return Path(audit).with_name(f"{Path(audit).stem} meeting pack.docx")


def write_pack(audit: Path, out: Path | None = None, *, today: date | None = None, overwrite: bool = False) -> Path:
    """Write the meeting pack of the consolidated workbook ``audit``; refuses to replace a pack without
    ``overwrite`` (it may hold notes)."""
    audit = Path(audit)
    if not audit.is_file():
        raise UsageError(f"The coordinator workbook {audit} does not exist.")
    out = Path(out) if out else default_pack_path(audit)
    if out.suffix.lower() != ".docx":
        raise UsageError(f"{out}: the meeting pack is a Word document; give the file name a .docx ending.")
    if out.exists() and not overwrite:
        raise UsageError(f"{out} already exists and may hold notes. Give another name with --out, or add --force "
                         "to replace it.")
    consolidated = read_consolidated(audit)
    problems = read_moderation(audit, consolidated.plan.scale).problems
    if problems:
        raise ModerationError(audit, problems, "no meeting pack was written")
    check_meetings(audit, "no meeting pack was written")
    write_document(out, pack_bytes(consolidated, today=today))
    return out


@dataclass
class CasePart:
    """What the pack says about one case."""

    case_ref: str
    details: str
    forms: list[tuple[str, str, str]]  # (column name, auditor, form id), in column order
    grades: dict[tuple[str, str], GradeRow]  # (form id, section id) ->
    flags: list[FlagRow]
    views: list[Conversation]
    names: NameLists  # the name guard's lists: what the pack quotes passes through them

    @property
    def counts(self) -> Counter[str]:
        return Counter(f.severity for f in self.flags)


def case_parts(audit: ConsolidatedAudit) -> list[CasePart]:
    """One part per case of the plan, in flag order: urgent first, then by counts of each severity."""
    grades: dict[str, list[GradeRow]] = defaultdict(list)
    for g in audit.grades:
        grades[g.case_ref.casefold()].append(g)
    flags: dict[str, list[FlagRow]] = defaultdict(list)
    for f in audit.flags:
        flags[f.case_ref.casefold()].append(f)
    talks: dict[str, list[Conversation]] = defaultdict(list)
    for c in conversations(audit.views, audit.plan.views):
        talks[c.case_ref.casefold()].append(c)
    fields = [q for q in audit.plan.tool.case_fields if q.type in ("choice", "text")]
    parts = []
    for case in audit.plan.cases:
        key = case.case_ref.casefold()
        rows = grades.get(key, [])
        forms = sorted({(g.agency, g.auditor, g.form_id) for g in rows}, key=lambda k: (k[0].casefold(),
                                                                                      k[1].casefold(), k[2]))
        names = _column_names([(a, who) for a, who, _ in forms])
        details = "; ".join(f"{q.label}: {v}" for q in fields if (v := case.fields.get(q.id, "")))
        rank = {s: i for i, s in enumerate(SEVERITIES)}
        parts.append(CasePart(case.case_ref, details, [(n, who, fid) for n, (_, who, fid) in zip(names, forms)],
                              {(g.form_id, g.section_id): g for g in rows},
                              sorted(flags.get(key, []), key=lambda f: (rank.get(f.severity, 9), f.section_id)),
                              talks.get(key, []), audit.plan.name_lists(keep_auditors=True)))
    return sorted(parts, key=lambda p: (*(-p.counts[s] for s in SEVERITIES), p.case_ref.casefold()))


def _column_names(forms: Sequence[tuple[str, str]]) -> list[str]:
    """The agency, with the auditor's name where one agency returned two forms for the case."""
    totals = Counter(a.casefold() for a, _ in forms)
    return [f"{a} ({who})" if totals[a.casefold()] > 1 else a for a, who in forms]


def grade_text(g: GradeRow | None) -> str:
    """A grade as the pack shows it: the moderated grade where one was typed, with the grade as returned."""
    if g is None:
        return ""
    returned = g.grade or "blank"
    if g.moderated_grade and g.moderated_grade != g.grade:
        return f"{g.moderated_grade} (moderated; returned {returned})"
    if g.moderated_grade:
        return f"{g.moderated_grade} (confirmed)"
    return g.grade or ""


def spread(part: CasePart, section_id: str, scale: GradeScale) -> int:
    """How many grade points apart the returned grades of different agencies are for a section (0 if one or none)."""
    ranked = []
    for _, _, form_id in part.forms:
        g = part.grades.get((form_id, section_id))
        grade = scale.by_label(g.grade) if g and g.grade else None
        if grade is not None and grade.rank is not None:
            ranked.append((g.agency.casefold() if g else "", grade.rank))
    return max((abs(a - b) for x, a in ranked for y, b in ranked if x != y), default=0)


def pack_bytes(audit: ConsolidatedAudit, *, today: date | None = None) -> bytes:
    """The meeting pack as .docx bytes."""
    today = today or clock.today()
    terms = audit.plan.terms
    doc = ReportDocument(title=f"{terms.title}: moderation meeting pack", subject="Moderation meeting pack",
                         author=terms.coordinator or "xlpack", when=today, footer_title=f"{terms.title}: meeting pack")
    parts = case_parts(audit)
    _cover(doc, audit, parts, today)
    for part in parts:
        _case(doc, audit, part)
    return doc.to_bytes()


def _follow_up(meetings: Sequence[Meeting], today: date) -> Meeting | None:
    """The follow-up meeting the pack is for: the next one from today, else the latest recorded."""
    follow = [m for m in meetings if m.kind == "Follow-up"]
    coming = sorted((m for m in follow if m.held and m.held >= today), key=lambda m: m.held or today)
    return coming[0] if coming else (follow[-1] if follow else None)


def _cover(doc: ReportDocument, audit: ConsolidatedAudit, parts: Sequence[CasePart], today: date) -> None:
    terms = audit.plan.terms
    doc.para(bold_lead=MARKING)
    doc.doc.add_paragraph(terms.title, style="Title")
    doc.subtitle("Moderation meeting pack")
    meeting = _follow_up(audit.plan.meetings, today)
    when = f"the follow-up meeting on {long_date(meeting.held)}" if meeting and meeting.held else \
        "the follow-up meeting (no date on the Meetings sheet)"
    doc.para(f"For {when}, chaired by {terms.coordinator or 'the coordinator'}. Prepared on {long_date(today)} from "
             "the consolidated coordinator workbook. OFFICIAL-SENSITIVE: cases are named by reference only.")
    doc.heading("How to read this pack", 2)
    doc.bullets([
        "One part per case, each on a new page, in flag order: cases with urgent flags first, then by the number of "
        "high, medium and low flags.",
        "Grades: one column per returned form. A grade the coordinator moderated shows the moderated grade and the "
        "grade as returned; '(confirmed)' where the meeting kept it.",
        f"{DIVERGENT} (with ▲ beside the section) marks a section where two agencies' grades as returned are "
        f"{MIN_SPREAD} or more points apart; each agency's evidence for it follows the grid.",
        "Open flags have a line for the meeting's decision: type it afterwards in the Resolution column of the Flags "
        "sheet, and the meeting's name in its Meeting column."])
    rows = [[p.case_ref, *(str(p.counts[s]) for s in SEVERITIES),
             str(sum(1 for f in p.flags if not f.resolution.strip()))] for p in parts]
    doc.table(["Case", "Urgent", "High", "Medium", "Low", "Open"], rows, [3, 1, 1, 1, 1, 1],
              caption="Cases in the order of this pack, with their flags")


def _new_part(doc: ReportDocument, landscape: bool) -> None:
    section = doc.doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (A4[1], A4[0]) if landscape else A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)


def _case(doc: ReportDocument, audit: ConsolidatedAudit, part: CasePart) -> None:
    _new_part(doc, landscape=len(part.forms) > PORTRAIT_COLUMNS)
    counts = part.counts
    doc.heading(f"Case {part.case_ref}", 1)
    flags = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "none"
    doc.para(f"{part.details or 'No case details recorded'}. Flags: {flags}.")
    scale = audit.plan.scale
    sections = audit.plan.tool.sections
    divergent = [s for s in sections if spread(part, s.id, scale) >= MIN_SPREAD]
    doc.heading("Grades side by side", 2)
    if not part.forms:
        doc.para("No audit form of this case was returned or accepted.")
    else:
        _grid(doc, audit, part, {s.id for s in divergent})
    _evidence(doc, part, divergent)
    _views(doc, part)
    _flags(doc, audit, part)
    doc.heading("Learning points", 2)
    doc.para("What did the discussion of this case teach us: practice to spread, and what to change?")
    for _ in range(LEARNING_ROWS):
        p = doc.para("_" * 90)
        p.paragraph_format.space_before = Pt(10)


def _grid(doc: ReportDocument, audit: ConsolidatedAudit, part: CasePart, divergent: set[str]) -> None:
    colours = {g.label: g.colour.lstrip("#") for g in audit.plan.scale.grades}
    summaries = {s.form_id: s for s in audit.summaries}
    rows: list[list[str | Cell]] = []
    for s in audit.plan.tool.sections:
        apart = s.id in divergent
        line: list[str | Cell] = [Cell(f"▲ {s.title}" if apart else s.title, bold=apart)]
        for _, _, form_id in part.forms:
            g = part.grades.get((form_id, s.id))
            final = g.final_grade if g else None
            line.append(Cell(grade_text(g), fill=_tint(colours[final]) if final in colours else None))
        line.append(Cell(f"{DIVERGENT}: {spread(part, s.id, audit.plan.scale)} apart" if apart else "", bold=apart))
        rows.append(line)
    rows.append([Cell("Overall grade", bold=True),
                 *(s_.overall_grade or "" if (s_ := summaries.get(fid)) else "" for _, _, fid in part.forms), ""])
    rows.append([Cell("Child adequately safeguarded now?", bold=True),
                 *(s_.safeguarded_now or "" if (s_ := summaries.get(fid)) else "" for _, _, fid in part.forms), ""])
    headers = ["Section", *(name for name, _, _ in part.forms), "Divergence"]
    doc.table(headers, rows, [4, *([2.2] * len(part.forms)), 2], caption=f"Case {part.case_ref}: grades by form")


def _tint(colour: str, amount: float = 0.6) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return "".join(f"{int(v + (255 - v) * amount):02X}" for v in (r, g, b))


def _evidence(doc: ReportDocument, part: CasePart, divergent: Sequence) -> None:
    agencies = {g.agency for g in part.grades.values()}
    if len(agencies) == 1:  # nothing to set side by side: no heading over a part that cannot hold anything
        doc.para(f"Only {next(iter(agencies))} audited this case, so no two agencies' grades can diverge.")
        return
    doc.heading("Evidence for the divergent sections", 2)
    if not divergent:
        doc.para(f"No section's grades are {MIN_SPREAD} or more points apart between agencies.")
        return
    for s in divergent:
        found = [g for _, _, form_id in part.forms if (g := part.grades.get((form_id, s.id)))]
        rows = [[f"{g.agency} ({g.auditor})", grade_text(g) or "no grade",
                 quoted(g.evidence, part.names) or "No evidence written.", quoted(g.development, part.names)]
                for g in found]
        doc.table(["Agency (auditor)", "Grade", "Evidence", "Areas for development"], rows, [2.4, 1.8, 5, 3],
                  caption=f"Case {part.case_ref}, {s.title}: each agency's evidence")


def _views(doc: ReportDocument, part: CasePart) -> None:
    doc.heading("The child's and family's views", 2)
    if not part.views:
        doc.para("No views were recorded for this case.")
        return
    for c in part.views:
        who = c.given_by or "not recorded who"
        age = f", aged {c.child_age}" if c.child_age is not None else ""
        when = long_date(c.held) if c.held else "date not recorded"
        doc.para(f"Conversation {c.number}: {who}{age}, {when}; {c.method or 'how not recorded'}. "
                 f"Consent to share their words: {c.consent or 'not recorded'}.")
        for label, text in c.said:
            if text.strip():
                doc.para(quoted(text, part.names) if c.quotable else "(recorded; not quoted without consent)",
                         bold_lead=f"{label} " if label.endswith("?") else f"{label}: ")


def _flags(doc: ReportDocument, audit: ConsolidatedAudit, part: CasePart) -> None:
    doc.heading("Flags for the meeting's decision", 2)
    titles = {s.id: s.title for s in audit.plan.tool.sections}
    open_ = [f for f in part.flags if not f.resolution.strip()]
    done = [f for f in part.flags if f.resolution.strip()]
    if not part.flags:
        doc.para("No flags were raised for this case.")
    for f in open_:
        where = f" ({titles.get(f.section_id, f.section_id)})" if f.section_id else ""
        doc.para(quoted(f.message, part.names), bold_lead=f"{f.severity.capitalize()}{where}: ")
        doc.para(DECISION_LINE).paragraph_format.space_after = Pt(12)
    for f in done:
        meeting = find_meeting(audit.plan.meetings, f.resolution_meeting)
        at = f" ({meeting.name})" if meeting else ""
        doc.para(f"{quoted(f.message, part.names)} Resolved{at}: {quoted(f.resolution, part.names)}",
                 bold_lead=f"{f.severity.capitalize()}, already resolved: ")
