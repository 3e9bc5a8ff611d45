"""From the plan and what came back to consolidated records.

:class:`Received` is what consolidation needs to know about one returned
file (intake's per-file result, see :func:`xlpack.consolidate.received_from_intake`);
the ``build_*`` functions turn the plan plus those files into the rows of
the Returns, Grades, Closing answers and Views sheets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from xlpack.intake.problems import Problem
from xlpack.model.plan import AuditPlan, IssuedForm
from xlpack.model.records import FormReturn, FormSummary, GradeRow, ProblemRow, ReturnRow, ViewsRow

ACCEPTED = ("accepted", "accepted_with_warnings")


@dataclass(frozen=True)
class Received:
    """One returned file as intake judged it."""

    source: str  # as given on the command line; a container member as "container/member"
    status: str  # accepted, accepted_with_warnings, rejected, skipped, superseded
    form_id: str = ""  # the form id the file carries, when it could be read
    detail: str = ""  # the problems found, summed up in one line
    saved_at: datetime | None = None
    form: FormReturn | None = None  # for accepted files
    problems: tuple[Problem, ...] = ()  # every problem found, for the Problems sheet
    case_ref: str = ""  # as the file says, when it could be read (files matching no issued form)
    agency: str = ""
    auditor: str = ""
    sha256: str = ""  # of the file as read: a reply to a rejected return attaches exactly these bytes

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED and self.form is not None


def as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def issued_order(f: IssuedForm) -> tuple[str, str, str, str]:
    return (f.case_ref.casefold(), f.kind, f.agency.casefold(), f.auditor.casefold())


def _newest_first(items: Iterable[Received]) -> list[Received]:
    return sorted(items, key=lambda r: (r.saved_at or datetime.min, r.source), reverse=True)


def build_returns(plan: AuditPlan, received: Sequence[Received], today: date) -> list[ReturnRow]:
    """One row per issued form, each followed by its other copies; then files that match no issued form."""
    by_form: dict[str, list[Received]] = defaultdict(list)
    issued_ids = {f.form_id for f in plan.issued}
    unmatched: list[Received] = []
    for r in received:
        (by_form[r.form_id] if r.form_id in issued_ids else unmatched).append(r)
    deadline = plan.terms.deadline
    rows: list[ReturnRow] = []
    for f in sorted(plan.issued, key=issued_order):
        copies = _newest_first(by_form.get(f.form_id, []))
        main = next((r for r in copies if r.accepted), None) or next(
            (r for r in copies if r.status == "rejected"), None)
        base = {"form_id": f.form_id, "file": f.file, "kind": f.kind, "case_ref": f.case_ref, "agency": f.agency,
                "auditor": f.auditor}
        if main is not None:
            rows.append(ReturnRow(**base, status=main.status, detail=main.detail, source=main.source,  # type: ignore[arg-type]
                                  saved_at=main.saved_at, sha256=main.sha256))
        elif deadline is not None and today > deadline:
            days = (today - deadline).days
            rows.append(ReturnRow(**base, status="overdue",  # type: ignore[arg-type]
                                  detail=f"Due {deadline:%d %B %Y}: {days} day{'s' if days != 1 else ''} late."))
        else:
            rows.append(ReturnRow(**base, status="missing",  # type: ignore[arg-type]
                                  detail=f"Due {deadline:%d %B %Y}." if deadline else "No deadline set."))
        for r in copies:
            if r is main:
                continue
            status = r.status
            if r.accepted and main is not None and main.accepted:
                status = "superseded"
            detail = r.detail
            if status == "superseded" and main is not None:
                detail = f"Another copy is used: {PurePath(main.source).name}." + (f" {detail}" if detail else "")
            rows.append(ReturnRow(**base, status=status, detail=detail, source=r.source,  # type: ignore[arg-type]
                                  saved_at=r.saved_at, sha256=r.sha256))
    for r in sorted(unmatched, key=lambda r: r.source):
        form = r.form
        rows.append(ReturnRow(form_id=r.form_id, file="", kind=form.kind if form else "audit",
                              case_ref=form.case_ref if form else r.case_ref, agency=form.agency if form else r.agency,
                              auditor=form.auditor if form else r.auditor, status=r.status,  # type: ignore[arg-type]
                              detail=r.detail, source=r.source, saved_at=r.saved_at, sha256=r.sha256))
    return rows


SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def build_problems(plan: AuditPlan, received: Sequence[Received]) -> list[ProblemRow]:
    """One row per problem in a returned file: errors first, then warnings, then what is only for information.

    Within each, in the order of the Returns sheet (case, agency, auditor),
    then by file. Case, agency and auditor come from the issued form where
    the file is one, else from the file itself.
    """
    issued = {f.form_id: f for f in plan.issued}
    rows: list[tuple[tuple[object, ...], ProblemRow]] = []
    for n, r in enumerate(received):
        form = issued.get(r.form_id)
        who = (form.case_ref, form.agency, form.auditor) if form else (r.case_ref, r.agency, r.auditor)
        order = issued_order(form) if form else ("\uffff", "", "", "")
        for i, p in enumerate(r.problems):
            row = ProblemRow(
                source=r.source, status=r.status, severity=p.severity, code=p.code,  # type: ignore[arg-type]
                message=p.message, fix=p.fix,
                sheet=p.sheet or "", cell=p.cell or "", form_id=r.form_id, case_ref=who[0], agency=who[1],
                auditor=who[2])
            rows.append(((SEVERITY_ORDER.get(p.severity, 3), *order, r.source, n, i), row))
    rows.sort(key=lambda kr: kr[0])
    return [row for _, row in rows]


def accepted_forms(plan: AuditPlan, received: Sequence[Received]) -> list[FormReturn]:
    """The form used for each issued form (newest accepted copy), ordered by case, agency and auditor."""
    issued_ids = {f.form_id for f in plan.issued}
    best: dict[str, Received] = {}
    for r in _newest_first(received):
        if r.accepted and r.form is not None and r.form.form_id in issued_ids:
            best.setdefault(r.form.form_id, r)
    forms = [r.form for r in best.values() if r.form is not None]
    return sorted(forms, key=lambda f: (f.case_ref.casefold(), f.kind, f.agency.casefold(), f.auditor.casefold(),
                                        f.form_id))


def build_grades(plan: AuditPlan, forms: Iterable[FormReturn], *, release: bool = False) -> list[GradeRow]:
    """One row per accepted audit form × section of the tool, in the tool's order.

    The values come from checked returns (:func:`xlpack.model.records.check_form`). With ``release``, each
    form's answers are dropped once its rows are built (for large audits: the texts live on in the rows).
    """
    rows: list[GradeRow] = []
    for f in forms:
        if f.kind != "audit":
            continue
        for order, section in enumerate(plan.tool.sections, start=1):
            a = f.sections.get(section.id)
            rows.append(GradeRow(
                row_id=f"{f.form_id}:{section.id}", form_id=f.form_id, case_ref=f.case_ref,
                agency=f.agency, auditor=f.auditor, tool_id=f.tool_id, section_id=section.id,
                section_title=section.title, section_order=order, grade=a.grade if a else None,
                evidence=a.evidence if a else "", strengths=a.strengths if a else "",
                development=a.development if a else "", action=a.action if a else "", source=f.source,
                moderated_grade=None, moderation_note=""))
        if release:
            f.sections.clear()  # the form's own dict (its cell maps are shared between forms and kept)
    return rows


def build_summaries(plan: AuditPlan, forms: Iterable[FormReturn]) -> list[FormSummary]:
    out = []
    for f in forms:
        if f.kind != "audit":
            continue
        overall = plan.scale.normalise(as_text(f.closing.get("overall_grade")))
        out.append(FormSummary(
            form_id=f.form_id, case_ref=f.case_ref, agency=f.agency, auditor=f.auditor,
            overall_grade=overall.label if overall else (as_text(f.closing.get("overall_grade")) or None),
            safeguarded_now=as_text(f.closing.get("safeguarded_now")) or None,
            safeguarding_action=as_text(f.closing.get("safeguarding_action")),
            no_involvement=as_text(f.closing.get("no_involvement")) or None,
            tool_feedback=as_text(f.closing.get("tool_feedback"))))
    return out


def views_questions(plan: AuditPlan) -> list[tuple[str, str]]:
    """(question id, label) of the views form, in form order."""
    if plan.views is None:
        return []
    return [(q.id, q.label) for q in (*plan.views.form_fields, *plan.views.closing)]


def build_views(plan: AuditPlan, forms: Iterable[FormReturn]) -> list[ViewsRow]:
    ids = [qid for qid, _ in views_questions(plan)]
    out = []
    for f in forms:
        if f.kind != "views":
            continue
        values = {**f.fields, **f.closing}
        answers = {qid: as_text(values.get(qid)) for qid in ids if as_text(values.get(qid))}
        out.append(ViewsRow(form_id=f.form_id, case_ref=f.case_ref, answers=answers))
    return out
