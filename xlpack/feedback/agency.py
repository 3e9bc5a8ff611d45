"""The per-agency learning pack: one Word document per agency, for its lead auditor.

``xlpack feedback AUDIT --by agency`` writes, for each agency with an
accepted audit form, what the agency takes back from the audit: its section
profile (share of graded answers Good or better and Inadequate, after
moderation) beside the partnership's, with an agency's figures for a section
left out where fewer than :data:`MIN_CASES` of its cases were graded there (a
rule stated once, under the table); the flags about its record, shared ones
described without the other agencies' grades or words; the development
points its auditors wrote, by section; and the actions the Action plan gives
it. Every quotation of what an auditor wrote goes through :func:`xlpack.model.names.quoted`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from xlpack import clock
from xlpack.analysis.actions import when_text
from xlpack.analysis.pivots import share_percent
from xlpack.errors import XlpackError
from xlpack.feedback.build import _check_targets, flag_note, slug
from xlpack.feedback.folder import LEARNING_PREFIX, default_feedback_folder, refuse_another_audits
from xlpack.feedback.model import FlagNote
from xlpack.files.output_set import Output, write_set
from xlpack.files.workbooks import require_coordinator
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import GradeScale, good_or_better
from xlpack.model.marking import MARKING
from xlpack.model.names import quoted
from xlpack.model.records import ActionRow, GradeRow
from xlpack.report.document import ReportDocument, long_date
from xlpack.wording import counted
from xlpack.workbook.readback import read_consolidated

#: An agency's figures for a section are shown only when at least this many of its cases were graded there.
MIN_CASES = 3
SUPPRESSED = "–"


@dataclass(frozen=True)
class Profile:
    """One section's figures: graded answers, cases graded, and the shares Good or better and Inadequate."""

    graded: int
    cases: int
    good: int
    inadequate: int


@dataclass
class AgencyLearning:
    """Everything one agency's learning pack says."""

    agency: str
    auditors: list[str]
    cases: list[str]
    profile: list[tuple[str, Profile, Profile]]  # (section title, agency, partnership)
    flags: list[tuple[str, FlagNote]] = field(default_factory=list)  # (case reference, flag)
    #: section -> (words, cases that wrote them)
    development: list[tuple[str, list[tuple[str, list[str]]]]] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    file_name: str = ""


def _profile(rows: Sequence[GradeRow], scale: GradeScale) -> Profile:
    ranks = {g.label: g.rank for g in scale.grades}
    worst = max((g.rank or 0 for g in scale.ranked), default=0)
    graded = [(r.case_ref.casefold(), ranks.get(r.final_grade or "")) for r in rows]
    graded = [(c, k) for c, k in graded if k is not None]
    return Profile(len(graded), len({c for c, _ in graded}), sum(1 for _, k in graded if good_or_better(k)),
                   sum(1 for _, k in graded if k == worst))


def gather_agencies(audit: ConsolidatedAudit) -> list[AgencyLearning]:
    """One :class:`AgencyLearning` per agency with graded forms, agencies in name order."""
    by_agency: dict[str, list[GradeRow]] = defaultdict(list)
    for g in audit.grades:
        by_agency[g.agency.strip()].append(g)
    out = []
    for agency in sorted(by_agency, key=str.casefold):
        rows = by_agency[agency]
        item = AgencyLearning(agency, sorted({g.auditor for g in rows}, key=str.casefold),
                              sorted({g.case_ref for g in rows}, key=str.casefold), [])
        for s in audit.plan.tool.sections:
            mine = [g for g in rows if g.section_id == s.id]
            everyone = [g for g in audit.grades if g.section_id == s.id]
            item.profile.append((s.title, _profile(mine, audit.plan.scale), _profile(everyone, audit.plan.scale)))
        names = audit.plan.name_lists()  # flags quote the forms' words: names shown as [name]
        item.flags = [(case, replace(n, text=quoted(n.text, names), resolution=quoted(n.resolution, names)))
                      for case, n in _flags(audit, agency, rows)]
        item.development = _development(audit, rows)
        item.actions = [a for a in audit.actions if a.agency.strip().casefold() == agency.casefold()]
        item.file_name = f"Learning_{slug(agency, 40)}.docx"
        out.append(item)
    return out


def _flags(audit: ConsolidatedAudit, agency: str, rows: Sequence[GradeRow]) -> list[tuple[str, FlagNote]]:
    titles = {s.id: s.title for s in audit.plan.tool.sections}
    order = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
    out = []
    for f in sorted(audit.flags, key=lambda f: (order.get(f.severity, 9), f.case_ref.casefold())):
        if not any(a.casefold() == agency.casefold() for a in f.agencies):
            continue
        own = {g.section_id: g for g in rows if g.case_ref.casefold() == f.case_ref.casefold()}
        out.append((f.case_ref, flag_note(f, agency, titles, own)))
    return out


def _development(audit: ConsolidatedAudit, rows: Sequence[GradeRow]) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    out = []
    names = audit.plan.name_lists()  # what the pack quotes passes through the name guard
    for s in audit.plan.tool.sections:
        grouped: dict[str, tuple[str, list[str]]] = {}
        for g in sorted(rows, key=lambda g: g.case_ref.casefold()):
            if g.section_id == s.id and g.development.strip():
                text = quoted(g.development, names)
                cases = grouped.setdefault(text.casefold(), (text, []))[1]
                if g.case_ref not in cases:  # two auditors of the agency writing the same words: the case once
                    cases.append(g.case_ref)
        if grouped:
            out.append((s.title, list(grouped.values())))
    return out


def _share(n: int, p: Profile, suppress: bool) -> str:
    if p.graded == 0:
        return "no grades"
    if suppress and p.cases < MIN_CASES:
        return SUPPRESSED
    return share_percent(n, p.graded)


def agency_bytes(item: AgencyLearning, audit: ConsolidatedAudit, today: date) -> bytes:
    """One agency's learning pack as .docx bytes."""
    terms = audit.plan.terms
    doc = ReportDocument(title=f"{terms.title}: learning for {item.agency}", subject="Agency learning pack",
                         author=terms.coordinator or "xlpack", when=today, footer_title=f"{item.agency}: learning pack")
    doc.doc.core_properties.identifier = f"{LEARNING_PREFIX}:{audit.plan.audit_id}:{item.agency}"
    doc.para(bold_lead=MARKING)
    doc.doc.add_paragraph("Agency learning pack", style="Title")
    doc.subtitle(item.agency)
    doc.para(f"For the lead auditor of {item.agency}, to take the audit's learning back into the agency. "
             f"Audit: {terms.title}. {counted(len(item.cases), 'case')} audited by "
             f"{counted(len(item.auditors), 'auditor')}: "
             f"{', '.join(item.auditors)}. Written on {long_date(today)} from the consolidated coordinator workbook; "
             "cases are named by reference only.")
    doc.heading("Section profile beside the partnership's", 1)
    alone = {g.agency for g in audit.grades} == {item.agency}  # nothing else to compare with
    doc.para("Shares of graded answers after moderation (Not applicable, No evidence and blanks left out)."
             + (f" {item.agency} is the only agency whose audits came back, so the partnership's figures are its own."
                if alone else ""), keep_with_next=True)
    rows = [[title, _share(a.good, a, True), _share(p.good, p, False), _share(a.inadequate, a, True),
             _share(p.inadequate, p, False)] for title, a, p in item.profile]
    doc.table(["Section", f"{item.agency}: Good or better", "Partnership: Good or better",
               f"{item.agency}: Inadequate", "Partnership: Inadequate"], rows, [4, 2, 2, 2, 2],
              caption=f"{item.agency} and the partnership, section by section")
    if any(a.graded and a.cases < MIN_CASES for _, a, _ in item.profile):
        doc.para(f"{SUPPRESSED}: the agency's figures for a section graded in fewer than {MIN_CASES} of its cases "
                 "are not shown: too few to compare, and they could point to a single case.")
    _flags_part(doc, item)
    _development_part(doc, item)
    _actions_part(doc, item)
    return doc.to_bytes()


def _flags_part(doc: ReportDocument, item: AgencyLearning) -> None:
    doc.heading("Flags about the agency's records", 1)
    if not item.flags:
        doc.para("No flag was raised about the agency's records.")
        return
    rows = [[case, n.severity.capitalize(), n.section or "Whole form", n.title, n.text, n.resolution or "Open"]
            for case, n in item.flags]
    doc.table(["Case", "Severity", "Section", "Flag", "What was found", "Resolution"], rows, [1.6, 1.2, 2, 2, 4, 3],
              caption=f"Flags about {item.agency}'s records")


def _development_part(doc: ReportDocument, item: AgencyLearning) -> None:
    doc.heading("Development points the auditors wrote", 1)
    if not item.development:
        doc.para("The agency's auditors wrote no areas for development.")
        return
    for title, points in item.development:
        doc.heading(title, 3)
        for text, cases in points:
            doc.quote(text, ", ".join(cases))


def _actions_part(doc: ReportDocument, item: AgencyLearning) -> None:
    doc.heading("Actions for the agency in the action plan", 1)
    if not item.actions:
        doc.para(f"The Action plan sheet gives no action to {item.agency}.")
        doc.note(f"Agree with the partnership which actions {item.agency} leads, and add them to the Action plan.")
        return
    rows = [[a.section or "General", a.action, a.owner, when_text(a.by_when), a.measure, a.status]
            for a in item.actions]
    doc.table(["Section", "Action", "Owner", "By when", "Measure of success", "Status"], rows, [2, 4, 2, 1.5, 3, 1.5],
              caption=f"Actions for {item.agency}")


@dataclass(frozen=True)
class AgencyResult:
    out_dir: Path
    documents: list[tuple[AgencyLearning, Path]]


def write_agency_learning(audit: Path, out_dir: Path | None = None, *, today: date | None = None,
                          overwrite: bool = False) -> AgencyResult:
    """Write one learning pack per agency for the consolidated coordinator workbook ``audit``."""
    audit = require_coordinator(audit)
    consolidated = read_consolidated(audit)
    items = gather_agencies(consolidated)
    if not items:
        raise XlpackError(f"{audit}: no audit form has been accepted yet, so there is no learning to write. "
                          "Consolidate the returned forms first: xlpack consolidate AUDIT.xlsx RETURNS...")
    audit_id = consolidated.plan.audit_id
    out_dir = Path(out_dir) if out_dir else default_feedback_folder(audit, audit_id)
    refuse_another_audits(out_dir, audit_id)
    _check_targets([out_dir / i.file_name for i in items], overwrite)
    today = today or clock.today()

    def writer(item: AgencyLearning) -> Callable[[Path], None]:
        def write(path: Path) -> None:
            path.write_bytes(agency_bytes(item, consolidated, today))
        return write

    # each pack under a temporary name, all moved into place once all are written (per-form feedback beside
    # them in the same folder is left as it is)
    write_set([Output(out_dir / item.file_name, writer(item)) for item in items])
    return AgencyResult(out_dir, [(item, out_dir / item.file_name) for item in items])
