"""Which forms each kind of email is about, and which were drafted already.

- issue: every issued form not yet drafted in an issue email since it was
  issued (a form issued again with ``generate --reissue`` is due again);
- reminder: every form Overdue or Not returned at the last consolidation;
- rejected: every form whose return was rejected at the last consolidation
  (a form with an accepted copy is not, whatever else came back);
- feedback: every audit form accepted at the last consolidation, with the
  name of its feedback document (:func:`xlpack.feedback.build.gather_feedback`).

A reminder or rejected reply already drafted for the same form the same
day is not drafted again, nor an issue email already drafted, nor a
feedback email ever drafted for the form, unless ``again`` is given.
Reminders and rejected replies come from the Returns sheet of the last
consolidation, read back from the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.plan import AuditPlan, IssuedForm, MailRecord
from xlpack.model.records import ReturnRow
from xlpack.wording import counted, noun
from xlpack.workbook.sheets.returns import issued_rows

REMIND = ("overdue", "missing")


@dataclass
class Wanted:
    """A form to write about and its line in the {forms} list."""

    form: IssuedForm
    line: str
    row: ReturnRow | None = None  # its Returns row (reminders and rejected replies)


@dataclass
class Selection:
    wanted: list[Wanted] = field(default_factory=list)
    already: list[tuple[IssuedForm, MailRecord]] = field(default_factory=list)  # drafted before: not again
    notes: list[str] = field(default_factory=list)


def long_date(day: date | None) -> str:
    """E.g. "Friday 4 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}" if day else "the deadline"


def lateness(deadline: date | None, today: date) -> str:
    if deadline is None:
        return "not returned yet"
    days = (today - deadline).days
    if days <= 0:
        return f"due by {long_date(deadline)}"
    return f"{days} day{'s' if days != 1 else ''} late (it was due on {long_date(deadline)})"


def drafted_before(log: list[MailRecord], kind: str, form: IssuedForm, today: date) -> MailRecord | None:
    """The draft that keeps ``form`` from being drafted again today, if any."""
    for rec in reversed(log):
        if rec.form_id != form.form_id or rec.kind != kind:
            continue
        if (kind == "issue" and rec.drafted.date() >= form.issued) or kind == "feedback" \
                or rec.drafted.date() == today:
            return rec
    return None


def _take(sel: Selection, plan: AuditPlan, kind: str, form: IssuedForm, line: str, today: date, again: bool,
          row: ReturnRow | None = None) -> None:
    before = None if again else drafted_before(plan.mail_log, kind, form, today)
    if before is not None:
        sel.already.append((form, before))
    else:
        sel.wanted.append(Wanted(form, line, row))


def select_issue(plan: AuditPlan, today: date, again: bool) -> Selection:
    sel = Selection()
    for f in sorted(plan.issued, key=lambda f: (f.auditor.casefold(), f.case_ref.casefold(), f.kind, f.agency)):
        _take(sel, plan, "issue", f, f"- {f.case_ref} ({f.agency}): {f.file}", today, again)
    return sel


def select_returns(data: ConsolidatedAudit, kind: str, today: date, again: bool) -> Selection:
    """Reminders (Overdue, Not returned) or rejected replies from the last consolidation's Returns rows."""
    plan = data.plan
    issued = {f.form_id: f for f in plan.issued}
    sel = Selection()
    rows = issued_rows(data)
    for r in sorted(rows, key=lambda r: (r.auditor.casefold(), r.case_ref.casefold(), r.kind, r.agency)):
        f = issued.get(r.form_id)
        if f is None:
            continue
        if kind == "reminder" and r.status in REMIND:
            line = f"- {f.case_ref} ({f.agency}): {lateness(plan.terms.deadline, today)}. Attached again: {f.file}"
            _take(sel, plan, kind, f, line, today, again, r)
        elif kind == "rejected" and r.status == "rejected":
            _take(sel, plan, kind, f, f"- {f.case_ref} ({f.agency})", today, again, r)
    if kind == "rejected":
        strays = sum(1 for r in data.returns if r.status == "rejected" and r.form_id not in issued)
        if strays:
            sel.notes.append(f"{counted(strays, 'rejected file')} {noun(strays, 'matches', 'match')} no form of "
                             "this audit (for example another audit's form): there is no auditor to reply to. "
                             f"{noun(strays, 'It is', 'They are')} listed at the end of the Returns sheet.")
    return sel


def select_feedback(plan: AuditPlan, documents: list[tuple[str, str]], today: date, again: bool) -> Selection:
    """One line per accepted audit form with its feedback document: (form id, document name), by auditor."""
    issued = {f.form_id: f for f in plan.issued}
    sel = Selection()
    chosen = [(issued[fid], name) for fid, name in documents if fid in issued]
    for f, name in sorted(chosen, key=lambda x: (x[0].auditor.casefold(), x[0].case_ref.casefold(), x[0].agency)):
        _take(sel, plan, "feedback", f, f"- {f.case_ref} ({f.agency}): {name}", today, again)
    return sel
