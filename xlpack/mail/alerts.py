"""Safeguarding alerts: a draft email the moment a form says the child may not be safe now.

When intake or consolidate accepts an audit form answering No or Unsure
to "Is the child adequately safeguarded now?", xlpack drafts an alert
(the rules of every draft: an ``.eml`` file with ``X-Unsent: 1``, marked
OFFICIAL-SENSITIVE, never sent) to the coordinator and the agency's
safeguarding lead (the Agencies sheet; without one, to the coordinator
alone, and the alert says so). It names the case reference, agency and
auditor and quotes what the form says was done, names shown as [name].

One alert per form: the Mail log records it (kind "alert") and a form
already alerted about is left out unless ``again``. :func:`plan_alerts`
works out the alerts and their Mail log rows without writing anything;
:func:`recorded_in_place` puts the drafts in place, then has the
workbook record them (consolidate passes its own write of the workbook).
:func:`draft_alerts` is the whole run for intake: it records the alerts
in the coordinator workbook as ``xlpack mail`` does.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path, PurePath
from typing import TypeVar

from xlpack import clock
from xlpack.analysis.flags.safeguarded import ACTION, ALERT_KIND, NOT_SAFE, QUESTION
from xlpack.coordinator.mail_sheets import MAIL_LOG
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import XlpackError
from xlpack.files.backups import Snapshot
from xlpack.files.lock import workbook_lock
from xlpack.files.workbooks import ensure_not_open
from xlpack.mail.drafts import DRAFT_POLICY, file_name, unique_name
from xlpack.mail.recipients import address_problem
from xlpack.mail.staging import keep_for, logged, place, settle_stopped, stage, sweep, unmark, workbook_state
from xlpack.model.marking import MARKING
from xlpack.model.names import redact_names
from xlpack.model.plan import AuditPlan, MailRecord
from xlpack.model.records import FormReturn
from xlpack.wording import noun
from xlpack.workbook.write import write_plan_sheets

SUBJECT = "{marking}: Safeguarding alert: case {case} ({agency}): child not adequately safeguarded now?"
BODY = (
    "{marking}\n\n"
    "Safeguarding alert from the multi-agency case audit {title}.\n\n"
    "An auditor answered '{answer}' to \"Is the child adequately safeguarded now?\".\n\n"
    "Case reference: {case}\n"
    "Agency: {agency}\n"
    "Auditor: {auditor}\n"
    "What the form says was done: {done}\n"
    "Where: {where}\n\n"
    "The form asks the auditor to tell the practitioner's manager the same day. Please check today that this has "
    "happened and that the child is safe, following your agency's safeguarding procedures, and tell the audit "
    "coordinator what was done.\n\n"
    "{lead_note}"
    "Refer to the child by the case reference only.\n\n"
    "{coordinator}\n{title}")
T = TypeVar("T")
NOTHING_DONE = "nothing is recorded on the form."
NO_LEAD = ("The Agencies sheet gives no safeguarding lead for {agency}: this alert goes to the audit coordinator "
           "alone, who passes it on.\n\n")


@dataclass
class Alert:
    """One safeguarding alert: about which form, to whom, and the draft written."""

    form_id: str
    case_ref: str
    agency: str
    auditor: str
    answer: str  # "No" or "Unsure"
    to: list[tuple[str, str]]  # (name, address) of every recipient with a usable address
    subject: str
    body: str
    name: str  # the draft's file name
    notes: list[str] = field(default_factory=list)  # no safeguarding lead, an address missing
    path: Path | None = None  # where the draft was written

    def console_line(self) -> str:
        """How the console announces it (printed before anything else)."""
        where = f" Draft: {self.path}." if self.path else ""
        return (f"SAFEGUARDING ALERT: case {self.case_ref}, {self.agency} ({self.auditor}) answered '{self.answer}' "
                f"to 'Is the child adequately safeguarded now?'.{where}")


@dataclass
class AlertBatch:
    alerts: list[Alert] = field(default_factory=list)
    records: list[MailRecord] = field(default_factory=list)  # the Mail log rows, once drafted
    already: list[str] = field(default_factory=list)  # form ids alerted about before (not drafted again)
    folder: Path | None = None

    def console_lines(self) -> list[str]:
        lines = []
        for a in self.alerts:
            lines.append(a.console_line())
            lines += [f"  {n}" for n in a.notes]
        return lines


def not_safe(form: FormReturn) -> str | None:
    """The form's answer to "Is the child adequately safeguarded now?" when it is No or Unsure."""
    said = str(form.closing.get(QUESTION) or "").strip()
    return said if form.kind == "audit" and said.casefold() in NOT_SAFE else None


def _where(form: FormReturn) -> str:
    name = PurePath(form.source.replace("\\", "/")).name if form.source else form.form_id
    cell = form.cells.get(f"closing.{QUESTION}")
    return f"{name}, sheet '{form.sheet}'" + (f", cell {cell}" if cell else "")


def _one_line(name: str) -> str:
    """A name as an address header can hold it: on one line (Alt+Enter and tabs typed in a cell become spaces).

    An alert is never held back by how a name was typed: a child may not be safe.
    """
    return " ".join(name.split())


def _recipients(plan: AuditPlan, agency: str) -> tuple[list[tuple[str, str]], list[str]]:
    terms = plan.terms
    to, notes = [], []
    if address_problem(terms.coordinator_email) is None:
        to.append((_one_line(terms.coordinator) or "Audit coordinator", terms.coordinator_email.strip()))
    else:
        notes.append("The coordinator email on the Terms of reference is missing or not an address: the draft is "
                     "not addressed to you. Add it.")
    lead = plan.lead(agency)
    if lead is None:
        notes.append(f"No safeguarding lead for {agency} on the Agencies sheet: the alert goes to the coordinator "
                     "alone. Pass it on, and add the lead.")
    elif address_problem(lead.email) is not None:
        notes.append(f"The safeguarding lead of {agency} on the Agencies sheet has no usable email: add it, and pass "
                     "the alert on.")
    else:
        to.append((_one_line(lead.name) or f"Safeguarding lead, {agency}", lead.email.strip()))
    return to, notes


def _alert(plan: AuditPlan, form: FormReturn, answer: str, taken: set[str]) -> Alert:
    to, notes = _recipients(plan, form.agency)
    action = str(form.closing.get(ACTION) or "").strip()
    lead_missing = plan.lead(form.agency) is None
    values = {"marking": MARKING, "case": form.case_ref, "agency": form.agency, "auditor": form.auditor,
              "answer": answer, "title": plan.terms.title, "where": _where(form),
              "done": " ".join(redact_names(action, plan.name_lists()).split()) if action else NOTHING_DONE,
              "lead_note": NO_LEAD.format(agency=form.agency) if lead_missing else "",
              "coordinator": plan.terms.coordinator.strip()}
    name = unique_name(file_name("Safeguarding alert", form.case_ref, form.agency, form.auditor), taken)
    return Alert(form.form_id, form.case_ref, form.agency, form.auditor, answer, to, SUBJECT.format(**values),
                 BODY.format(**values), name, notes)


def plan_alerts(plan: AuditPlan, forms: Iterable[FormReturn], moment: datetime, *, again: bool = False) -> AlertBatch:
    """The alerts due for ``forms`` (each form once, unless ``again``) and their Mail log rows; nothing written."""
    alerted = {r.form_id for r in plan.mail_log if r.kind == ALERT_KIND}
    batch = AlertBatch()
    taken: set[str] = set()
    for form in sorted(forms, key=lambda f: (f.case_ref.casefold(), f.agency.casefold(), f.auditor.casefold())):
        answer = not_safe(form)
        if answer is None:
            continue
        if form.form_id in alerted and not again:
            batch.already.append(form.form_id)
            continue
        alert = _alert(plan, form, answer, taken)
        batch.alerts.append(alert)
        batch.records.append(MailRecord(drafted=moment, kind=ALERT_KIND, case_ref=form.case_ref, agency=form.agency,
                                        auditor=form.auditor, email="; ".join(a for _, a in alert.to), attached="",
                                        form_id=form.form_id, draft=alert.name))
    return batch


def alert_folder(audit: Path, day: date) -> Path:
    """``drafts/YYYY-MM-DD alert/`` beside the workbook (numbered when it exists)."""
    base = audit.parent / "drafts" / f"{day:%Y-%m-%d} alert"
    folder, n = base, 2
    while folder.exists():
        folder = base.with_name(f"{base.name} ({n})")
        n += 1
    return folder


def write_alert_files(batch: AlertBatch, plan: AuditPlan, folder: Path, moment: datetime) -> None:
    """Write each alert's draft into ``folder`` (which must exist)."""
    sender = plan.terms.coordinator_email.strip()
    for a in batch.alerts:
        msg = EmailMessage(policy=DRAFT_POLICY)
        if address_problem(sender) is None:
            msg["From"] = Address(_one_line(plan.terms.coordinator), *sender.rsplit("@", 1))
        if a.to:
            msg["To"] = [Address(name, *addr.rsplit("@", 1)) for name, addr in a.to]
        msg["Subject"] = a.subject
        msg["Date"] = format_datetime(moment if moment.tzinfo else moment.astimezone())
        msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "xlpack.invalid")
        msg["X-Unsent"] = "1"
        msg["Importance"] = "High"
        msg.set_content(a.body)
        (folder / a.name).write_bytes(msg.as_bytes())
        a.path = folder / a.name


def recorded_in_place(audit: Path, batch: AlertBatch, plan: AuditPlan, moment: datetime,
                      record: Callable[[], T]) -> T:
    """Write the alerts' drafts, put them in place whole, then ``record`` them (the workbook write).

    The drafts are in place before the workbook says "Alert drafted", so the Flags never name a draft that is
    not there. If the run stops before the workbook recorded them (an error, Ctrl-C, SIGTERM) they are removed
    and the next run drafts them again; after SIGKILL the next ``mail`` or ``consolidate`` settles the folder
    the same way (:mod:`xlpack.mail.staging`). An alert not recorded stays due, so it is never lost.
    """
    folder = alert_folder(audit, moment.date())
    tmp = stage(audit, folder, ALERT_KIND, moment)
    state = workbook_state(audit)
    try:
        write_alert_files(batch, plan, tmp, moment)
        place(tmp, folder)
        for a in batch.alerts:
            a.path = folder / a.name
        batch.folder = folder
        done = record()
        unmark(folder)
        return done
    except BaseException:
        settle_stopped(folder, audit, state)
        for a in batch.alerts:
            a.path = None
        batch.folder = None
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def sweep_alerts(audit: Path) -> list[Path]:
    """Remove or keep what a killed run left of its alert drafts (see :func:`recorded_in_place`)."""
    return sweep(audit, [audit.parent / "drafts"], lambda: logged(audit))


def draft_alerts(audit: Path, forms: Sequence[FormReturn], *, again: bool = False, today: date | None = None,
                 now: datetime | None = None) -> AlertBatch:
    """Draft the alerts due for ``forms`` and record them on the coordinator workbook's Mail log (for intake).

    Raises like ``xlpack mail`` when the workbook cannot be rewritten (open in Excel, in use by another
    command, something typed would be lost): then nothing is drafted, and the caller says so.
    """
    audit = Path(audit)
    moment = (now or clock.now()).replace(microsecond=0)
    moment = datetime.combine(today, moment.time()) if today else moment
    if not any(not_safe(f) for f in forms):
        return AlertBatch()
    ensure_not_open(audit)
    with workbook_lock(audit, "intake (safeguarding alert)") as held:
        sweep_alerts(audit)
        return _draft(audit, forms, again, moment, held.seen)


def _draft(audit: Path, forms: Sequence[FormReturn], again: bool, moment: datetime,
           seen: Snapshot | None) -> AlertBatch:
    plan = read_plan(audit)  # strict: rewriting a plan read past its problems could lose what was typed
    batch = plan_alerts(plan, forms, moment, again=again)
    if not batch.alerts:
        return batch
    keep = keep_for(audit, [MAIL_LOG], "intake (safeguarding alert)")  # only the Mail log, when it can
    new_plan = plan.model_copy(update={"mail_log": [*plan.mail_log, *batch.records]})
    recorded_in_place(audit, batch, plan, moment,
                      lambda: write_plan_sheets(audit, new_plan, [MAIL_LOG], keep, moment.date(), seen=seen))
    return batch


def alerts_after_intake(audit: Path, plan: AuditPlan, forms: Sequence[FormReturn], *, again: bool = False,
                        today: date | None = None) -> tuple[AlertBatch, str]:
    """Draft and record the alerts due for the forms intake accepted; (alerts, why they were not drafted).

    When the workbook cannot be rewritten the alerts are still returned (not drafted), so the console
    shows them first all the same, with the reason; consolidate drafts them later.
    """
    try:
        return draft_alerts(audit, forms, again=again, today=today), ""
    except XlpackError as exc:
        moment = datetime.combine(today or clock.today(), datetime.min.time())
        batch = plan_alerts(plan, forms, moment, again=again)
        n = len(batch.alerts)
        return batch, (f"{noun(n, 'The alert above was', 'The alerts above were')} not drafted: {exc} Run intake "
                       f"again once that is put right, or consolidate, which drafts {noun(n, 'it', 'them')}."
                       ) if batch.alerts else ""
