"""``draft_mail``: draft the emails of one kind, record them, and say what was done.

Everything is checked before anything is written - the wording, every
address, the coordinator's details, every form to attach - and every
problem is reported at once (:class:`~xlpack.errors.MailError`), with
nothing written. Then the drafts and ``recipients.csv`` are written into a
hidden staging folder, moved into place whole, and only then recorded: the
coordinator workbook records them: only the Mail log (and the Messages
sheet, when its wording is added; once consolidated, the Returns sheet,
which says who was chased) is replaced, every other part kept as saved
(:func:`~xlpack.workbook.write.write_plan_sheets`); when that cannot be
done (saved since by another program, the Mail log new) the whole
workbook is written, keeping the analysis of the last consolidation, or
refusing like consolidate if that would lose something typed. A run stopped before the
workbook recorded them removes them again (:mod:`xlpack.mail.staging`).
xlpack sends nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from xlpack import clock
from xlpack.coordinator.deadline import deadline_passed
from xlpack.coordinator.mail_sheets import KIND_LABELS, MAIL_LOG, MESSAGES
from xlpack.coordinator.one_line import control_character_problems
from xlpack.coordinator.plan_sheets import TOR, TOR_FIELDS, read_plan
from xlpack.errors import MailError, UsageError
from xlpack.feedback.build import gather_feedback
from xlpack.feedback.folder import default_feedback_folder
from xlpack.files.backups import Snapshot
from xlpack.files.forms_folder import DEFAULT, default_forms_folder, other_audit
from xlpack.files.lock import workbook_lock
from xlpack.files.passwords import check_encrypt_password
from xlpack.files.workbooks import ensure_not_open, require_coordinator
from xlpack.mail.attachments import Attachment, encrypted_copy, is_encrypted, load_forms
from xlpack.mail.drafts import DraftJob, file_name, recipient_text, unique_name, write_drafts
from xlpack.mail.feedback_files import load_feedback
from xlpack.mail.recipients import AddressBook, Recipient, address_problem, quoted, write_recipients
from xlpack.mail.returned import ReturnedChangedError, ReturnedFile, problem_lines, read_returned
from xlpack.mail.select import Selection, Wanted, long_date, select_feedback, select_issue, select_returns
from xlpack.mail.staging import keep_for, place, settle_stopped, stage, sweep, unmark, workbook_state
from xlpack.mail.templates import (
    Wording,
    body_text,
    sheet_problems,
    subject_line,
    what_to_fill_in,
    with_defaults,
    wording,
)
from xlpack.model.names import redact_names
from xlpack.model.plan import AuditPlan, MailRecord, MessageTemplate
from xlpack.wording import counted, noun
from xlpack.workbook.readback import META, Workbook, read_consolidated
from xlpack.workbook.write import Keep, write_plan_sheets

KINDS = tuple(KIND_LABELS)
SUBJECT_CASES = 6  # case references named in a subject; the body names them all
PASSWORD_IN_EMAIL = ("The password given with --encrypt-password would appear in a {kind} email (it is one of the "
                     "names, cases or files the email gives): choose another password.")
#: The line of an email whose attachments need a password ("form is" or "forms are", as many as are attached).
PASSWORD_NOTE = "The attached {} protected with a password, which I will give you separately."
PASSWORD_ADVICE = ("The attachments are encrypted. The password is in none of the drafts: give it to each auditor "
                   "another way - by phone or text message, or in a separate email sent after the form - never in "
                   "the same email. recipients.csv lists who needs it.")


@dataclass
class Draft:
    """One draft written."""

    path: Path
    kind: str
    to: str  # "Name <address>"
    subject: str
    form_ids: list[str]
    attachments: list[str]


@dataclass
class Outgoing:
    """One email to draft: to whom, about which forms, with which files."""

    recipient: Recipient
    wanted: list[Wanted]
    attachments: list[Attachment] = field(default_factory=list)
    returned: ReturnedFile | None = None


@dataclass
class MailResult:
    audit: Path
    kind: str
    folder: Path | None = None  # None when nothing was drafted
    drafts: list[Draft] = field(default_factory=list)
    recipients: Path | None = None
    already: list[str] = field(default_factory=list)  # forms drafted before, not drafted again
    warnings: list[str] = field(default_factory=list)  # emails not drafted, and why
    notes: list[str] = field(default_factory=list)
    encrypted: bool = False
    backup: Path | None = None

    @property
    def exit_code(self) -> int:
        """0 done; 3 done, but some emails could not be drafted (the warnings say why)."""
        return 3 if self.warnings else 0

    @property
    def password_advice(self) -> str | None:
        return PASSWORD_ADVICE if self.encrypted and self.drafts else None


def _args(audit: Path, kind: str) -> Path:
    audit = Path(audit)
    if kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}, not '{kind}'.")
    audit = require_coordinator(audit)
    return audit


def _tor_cell(label: str) -> str:
    row = next(i for i, (_, lab, _, _) in enumerate(TOR_FIELDS) if lab == label) + 5  # rows start under the header
    return f"Sheet '{TOR}', cell B{row}"


def _sender_problems(plan: AuditPlan, words: Wording) -> list[str]:
    t = plan.terms
    out = []
    if not t.coordinator.strip():
        out.append(f"{_tor_cell('Coordinator')}: your name is empty; the emails are signed with it. Fill it in.")
    bad = address_problem(t.coordinator_email)
    if bad:
        out.append(f"{_tor_cell('Coordinator email')}: the coordinator email{quoted(t.coordinator_email)} {bad}; "
                   "the drafts are from it and forms are returned to it.")
    if t.deadline is None and "{deadline}" in words.subject + words.body:
        out.append(f"{_tor_cell('Return deadline')}: the return deadline is empty, and the {KIND_LABELS[words.kind]} "
                   "email gives it. Fill it in.")
    return out


def _deadline_note(plan: AuditPlan, kind: str, today: date) -> list[str]:
    """A warning (the drafts are still written) when issue emails would give a return deadline already past."""
    if kind != "issue":
        return []
    passed = deadline_passed(plan.terms, today, "these issue emails and the attached forms",
                             "reissue the forms (xlpack generate --reissue) and draft the emails again")
    return [f"Warning: {passed}"] if passed else []


def _select(kind: str, audit: Path, plan: AuditPlan, today: date, again: bool) -> Selection:
    if kind == "issue":
        if not plan.issued:
            raise UsageError(f"{audit}: no form has been issued yet. Run: xlpack generate \"{audit}\"")
        return select_issue(plan, today, again)
    if not Workbook(audit).has(META):
        raise UsageError(f"{audit} has not been consolidated yet: {KIND_LABELS[kind].lower()} emails come from the "
                         f"Returns sheet of the last consolidation. Run: xlpack consolidate \"{audit}\" RETURNS...")
    data = read_consolidated(audit).model_copy(update={"plan": plan})
    if kind == "feedback":
        return select_feedback(plan, [(f.form_id, f.file_name) for f in gather_feedback(data)], today, again)
    return select_returns(data, kind, today, again)


def _group(kind: str, sel: Selection, book: AddressBook, warnings: list[str],
           problems: list[str]) -> list[Outgoing]:
    """One email per auditor's address (rejected replies: one per form); addresses checked."""
    out: dict[str, Outgoing] = {}
    bad: set[str] = set()
    for w in sel.wanted:
        f = w.form
        who = book.lookup(f)
        if who is None:
            warnings.append(f"Form {f.file} (case {f.case_ref}, {f.agency}, {f.auditor}) was issued, but its row is "
                            "no longer on the Assignments sheet (or the participation worker changed): no email "
                            "drafted for it. Put the row back if it should still go.")
            continue
        problem = address_problem(who.email)
        if problem:
            if who.where not in bad:
                bad.add(who.where)
                problems.append(f"{who.where}: the email of {who.name}{quoted(who.email)} {problem}.")
            continue
        key = f"{f.form_id}" if kind == "rejected" else who.email.casefold()
        out.setdefault(key, Outgoing(who, [])).wanted.append(w)
    return list(out.values())


def _attach(kind: str, audit: Path, plan: AuditPlan, outgoing: list[Outgoing], forms_dir: Path,
            password: str, warnings: list[str], problems: list[str]) -> tuple[list[Outgoing], bool]:
    """Put the files on each email: the issued forms, the feedback documents, or the rejected returned file."""
    if kind != "rejected":
        wanted = [w.form for o in outgoing for w in o.wanted]
        files = (load_feedback(forms_dir, plan, wanted, audit) if kind == "feedback"
                 else load_forms(forms_dir, plan, wanted, audit, password))
        problems += files.problems
        for o in outgoing:
            o.attachments = [files.files[w.form.form_id] for w in o.wanted if w.form.form_id in files.files]
        return outgoing, files.encrypted or bool(password)
    bases = _bases(audit, plan)
    kept, encrypted = [], bool(password)
    for o in outgoing:
        w = o.wanted[0]
        assert w.row is not None
        try:
            o.returned = read_returned(w.row.source, plan, bases, password or None, w.row.sha256)
        except FileNotFoundError as exc:
            warnings.append(f"Case {w.form.case_ref}, {w.form.agency}, {w.form.auditor}: {exc}. No reply drafted; "
                            "run consolidate again from the folder it was run from, or write to them yourself.")
            continue
        except ReturnedChangedError as exc:
            warnings.append(f"Case {w.form.case_ref}, {w.form.agency}, {w.form.auditor}: {exc}. No reply drafted; "
                            "run consolidate again so that the Returns sheet says what was rejected, then mail.")
            continue
        encrypted = encrypted or is_encrypted(o.returned.data)
        o.attachments = [Attachment(o.returned.name, o.returned.data)]
        kept.append(o)
    return kept, encrypted


def _bases(audit: Path, plan: AuditPlan) -> list[Path]:
    """Where a returned file named relative to the folder consolidate was run from may be."""
    bases = [Path.cwd(), audit.parent]
    named = plan.terms.returns_folder.strip()
    if named:
        folder = Path(named).expanduser()
        bases += [folder if folder.is_absolute() else audit.parent / folder]
    return list(dict.fromkeys(bases))


def _values(plan: AuditPlan, o: Outgoing, encrypted: bool, kind: str = "issue") -> dict[str, str]:
    forms = [w.form for w in o.wanted]
    cases = list(dict.fromkeys(f.case_ref for f in forms))
    agencies = list(dict.fromkeys(f.agency for f in forms))
    n = len(forms)
    thing = "feedback document" if kind == "feedback" else "form"
    password_note = PASSWORD_NOTE.format(noun(n, f"{thing} is", f"{thing}s are"))
    values = {"auditor": o.recipient.name, "agency": " and ".join(agencies), "cases": ", ".join(cases),
              "count": counted(n, thing), "forms": "\n".join(w.line for w in o.wanted),
              "deadline": long_date(plan.terms.deadline), "coordinator": plan.terms.coordinator.strip(),
              "coordinator_email": plan.terms.coordinator_email.strip(), "audit_title": plan.terms.title,
              "password_note": password_note if encrypted else "", "problems": "", "returned_file": "",
              **what_to_fill_in({f.kind for f in forms})}
    if o.returned is not None:
        row = o.wanted[0].row
        values["problems"] = redact_names(problem_lines(o.returned.problems, row.detail if row else ""),
                                          plan.name_lists())
        values["returned_file"] = o.returned.name
    return values


def _moment(today: date | None, now: datetime | None) -> datetime:
    now = (now or clock.now()).replace(microsecond=0)
    return datetime.combine(today, now.time()) if today else now


def _folder(audit: Path, out: Path | None, kind: str, today: date) -> Path:
    if out is not None:
        out = Path(out)
        if out.exists() and (not out.is_dir() or any(out.glob("*.eml")) or (out / "recipients.csv").exists()):
            raise UsageError(f"{out} already holds drafts (or is not a folder): choose another folder with --out, so "
                             "that old drafts are not sent again by mistake.")
        return out
    base = audit.parent / "drafts" / f"{today:%Y-%m-%d} {kind}"
    folder, n = base, 2
    while folder.exists():
        folder = base.with_name(f"{base.name} ({n})")
        n += 1
    return folder


def draft_mail(audit: Path, kind: str = "issue", *, out: Path | None = None, forms: Path | None = None,
               encrypt_password: str = "", again: bool = False, today: date | None = None,
               now: datetime | None = None, feedback: Path | None = None) -> MailResult:
    """Draft the ``kind`` emails of the coordinator workbook ``audit`` (issue, reminder, rejected or feedback).

    Feedback emails attach the documents ``xlpack feedback`` wrote into ``feedback`` (default: feedback/
    beside the workbook), each found by the audit and form it names.

    It holds xlpack's lock on the workbook while it runs (see :mod:`xlpack.files.lock`).
    """
    audit = _args(audit, kind)
    if encrypt_password:
        check_encrypt_password(encrypt_password)
    ensure_not_open(audit)
    with workbook_lock(audit, "mail") as held:
        if kind == "feedback":
            forms = feedback  # by default this audit's own feedback folder, known once the plan is read
        return _draft_mail(audit, kind, out, forms, encrypt_password, again, today, now, held.seen)


def _draft_mail(audit: Path, kind: str, out: Path | None, forms: Path | None, encrypt_password: str, again: bool,
                today: date | None, now: datetime | None, seen: Snapshot | None) -> MailResult:
    plan = read_plan(audit)
    sweep(audit, [audit.parent / "drafts", *([Path(out).parent] if out else [])], lambda: plan.mail_log)
    messages = with_defaults(plan.messages)
    changed = [*([MESSAGES] if messages != plan.messages else []), MAIL_LOG]  # the sheets the run writes
    # before anything is written: refuses if something typed would be lost (needed only when the whole workbook
    # is written again; otherwise only those sheets are replaced and the analysis is kept as it is)
    keep = keep_for(audit, changed, "mail")
    moment = _moment(today, now)
    words, problems = wording(messages, kind)
    problems = [*control_character_problems(audit), *sheet_problems(plan.messages), *problems,
                *_sender_problems(plan, words)]
    if encrypt_password and encrypt_password in words.subject + words.body:
        problems.append(f"The password given with --encrypt-password is written in the {KIND_LABELS[kind]} wording "
                        "on the Messages sheet: take it out. It must never travel with the forms.")
    sel = _select(kind, audit, plan, moment.date(), again)
    result = MailResult(audit, kind, notes=[*_deadline_note(plan, kind, moment.date()), *sel.notes])
    result.already = [f"{f.file} ({f.case_ref}, {f.auditor}): drafted on {r.drafted:%d %b %Y %H:%M}"
                      for f, r in sel.already]
    outgoing = _group(kind, sel, AddressBook.read(audit, plan), result.warnings, problems)
    forms_dir = (Path(forms) if forms else default_feedback_folder(audit, plan.audit_id) if kind == "feedback"
                 else default_forms_folder(audit, plan.audit_id))
    shared = audit.parent / DEFAULT
    other = (other_audit(shared, plan.audit_id) if forms is None and kind != "feedback" and not forms_dir.is_dir()
             else None)
    if other is not None:
        problems.append(f"{shared} holds the forms of {other}, not this audit's, and this audit's own forms folder "
                        f"{forms_dir} does not exist. Give the folder generate wrote this audit's forms into with "
                        "--forms.")
    outgoing, result.encrypted = _attach(kind, audit, plan, outgoing, forms_dir, encrypt_password,
                                         result.warnings, problems)
    if problems:
        raise MailError(audit, problems)
    emails = [(o, _render(plan, words, o, result.encrypted)) for o in outgoing]
    if encrypt_password and any(encrypt_password in s + b for _, (s, b) in emails):
        raise MailError(audit, [PASSWORD_IN_EMAIL.format(kind=KIND_LABELS[kind])])
    if not emails:
        return result
    result.folder = _folder(audit, out, kind, moment.date())
    if encrypt_password:  # last, once everything is known to be right: about 0.07 s a form
        for o in outgoing:
            o.attachments = [encrypted_copy(a, encrypt_password) for a in o.attachments]
    _write(result, plan, emails, moment, messages, (changed, keep), seen)
    return result


def _render(plan: AuditPlan, words: Wording, o: Outgoing, encrypted: bool) -> tuple[str, str]:
    values = _values(plan, o, encrypted, words.kind)
    cases = values["cases"].split(", ")
    short = {**values, "cases": values["cases"] if len(cases) <= SUBJECT_CASES else
             f"{', '.join(cases[:SUBJECT_CASES - 1])} and {len(cases) - SUBJECT_CASES + 1} more"}
    return subject_line(words.subject, short), body_text(words.body, values)


def _write(result: MailResult, plan: AuditPlan, emails: list[tuple[Outgoing, tuple[str, str]]], moment: datetime,
           messages: list[MessageTemplate], record: tuple[list[str], Keep | None],
           seen: Snapshot | None = None) -> None:
    """Write the drafts and recipients.csv, record them in the workbook, then move the drafts into place.

    ``record``: the sheets the workbook records them on, and :func:`keep_analysis`'s writers if taken.
    """
    assert result.folder is not None
    folder = result.folder
    tmp = stage(result.audit, folder, result.kind, moment)
    state = workbook_state(result.audit)  # the workbook before: replaced only once it records the drafts
    sender = (plan.terms.coordinator.strip(), plan.terms.coordinator_email.strip())
    taken: set[str] = set()
    records: list[MailRecord] = []
    rows: list[list[str]] = []
    jobs: list[DraftJob] = []
    try:
        for o, (subject, body) in emails:
            who = o.recipient
            first = o.wanted[0].form
            parts = [KIND_LABELS[result.kind], *([first.case_ref] if result.kind == "rejected" else []), who.name]
            name = unique_name(file_name(*parts), taken)
            jobs.append(DraftJob(tmp / name, sender, (who.name, who.email), subject, body, tuple(o.attachments),
                                 moment))
            files = [a.filename for a in o.attachments]
            forms = [w.form for w in o.wanted]
            result.drafts.append(Draft(folder / name, result.kind, recipient_text(who.name, who.email), subject,
                                       [f.form_id for f in forms], files))
            attached = files[0] if o.returned is not None else None
            records += [MailRecord(drafted=moment, kind=result.kind, case_ref=f.case_ref, agency=f.agency,
                                   auditor=f.auditor, email=who.email, attached=attached or f.file,
                                   form_id=f.form_id, draft=name) for f in forms]
            rows.append([who.name, who.email, "; ".join(dict.fromkeys(f.agency for f in forms)),
                         "; ".join(dict.fromkeys(f.case_ref for f in forms)), "; ".join(files), name])
        write_drafts(jobs)
        write_recipients(tmp / "recipients.csv", rows)
        new_plan = plan.model_copy(update={"messages": messages, "mail_log": [*plan.mail_log, *records]})
        place(tmp, folder)  # the drafts in place first, whole; then recorded
        result.backup = write_plan_sheets(result.audit, new_plan, *record, moment.date(), seen=seen)
        unmark(folder)
        result.recipients = folder / "recipients.csv"
    except BaseException:  # stopped once the drafts may be in place: removed unless the workbook recorded them
        settle_stopped(folder, result.audit, state)
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
