"""Issue one form workbook per case × agency × auditor.

Running again issues only the new assignments and never overwrites a form
already issued, unless it is named with ``reissue``. What was issued is
recorded in the coordinator workbook and in ``manifest.json`` beside the
forms.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from xlpack import clock
from xlpack.coordinator.assignment_checks import assignment_warnings, sheet_rows
from xlpack.coordinator.deadline import deadline_passed
from xlpack.coordinator.one_line import control_character_problems
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import AssignmentError, PlanError, UsageError
from xlpack.files.forms_folder import MANIFEST, default_forms_folder, other_audit
from xlpack.files.lock import WorkbookLock, workbook_lock
from xlpack.files.passwords import check_encrypt_password
from xlpack.files.workbooks import require_coordinator, temp_beside
from xlpack.files.workers import end_with_parent, stop_pool
from xlpack.forms.layout import FormContext
from xlpack.forms.writer import FormTemplate, RenderedForm
from xlpack.mail.templates import with_defaults
from xlpack.model.plan import Assignment, AuditPlan, Case, IssuedForm, assignment_key
from xlpack.workbook.record_issued import issued_recorder

MANIFEST_SCHEMA = "xlpack-manifest/1"
VIEWS_AGENCY = "Child and family views"


@dataclass
class FormJob:
    ctx: FormContext
    path: Path
    password: str = ""
    encrypt_password: str = ""


@dataclass
class GenerateResult:
    out_dir: Path
    issued: list[IssuedForm] = field(default_factory=list)  # newly issued or reissued in this run
    skipped: list[IssuedForm] = field(default_factory=list)  # issued before, left alone
    manifest: Path | None = None
    warnings: list[str] = field(default_factory=list)  # what the issued forms lack (still issued)


def plan_warnings(plan: AuditPlan, issued: Iterable[IssuedForm], today: date) -> list[str]:
    """What the forms just issued will say less well than they should: blanks on the plan sheets, a deadline
    already past."""
    out = []
    terms = plan.terms
    passed = deadline_passed(terms, today, "the forms just issued",
                             "issue them again (xlpack generate AUDIT.xlsx --reissue CASE, for each case)")
    if passed:
        out.append(passed)
    if terms.deadline is None:
        out.append("Terms of reference: the Return deadline is blank, so the forms say 'Return by: As agreed'. "
                   "Fill it in and reissue (--reissue) if auditors need a date.")
    if not terms.coordinator.strip() or not terms.coordinator_email.strip():
        missing = " and ".join(x for x, v in (("Coordinator", terms.coordinator),
                                               ("Coordinator email", terms.coordinator_email)) if not v.strip())
        out.append(f"Terms of reference: {missing} is blank, so the forms do not say who to return them to.")
    for f in issued:
        if f.kind == "audit" and not f.email.strip():
            out.append(f"Assignments: no email for {f.auditor} ({f.agency}, case {f.case_ref}); the form is "
                       "issued, but reminders and drafts cannot be addressed until the email is added.")
    return out


def _slug(text: str, limit: int = 40) -> str:
    text = re.sub(r"[^\w.-]+", "-", text.strip(), flags=re.UNICODE)
    text = re.sub(r"-{2,}", "-", text).strip("-._")
    return text[:limit] or "x"


def form_filename(tool_id: str, case_ref: str, agency: str, auditor: str) -> str:
    """E.g. ``CP_CP-2026-001_Police_Jo-Bloggs.xlsx``: sorts by case, then agency."""
    return f"{tool_id.upper()}_{_slug(case_ref)}_{_slug(agency, 30)}_{_slug(auditor, 30)}.xlsx"


def _unique(path: Path, taken: set[str]) -> Path:
    candidate, n = path, 2
    while candidate.exists() or candidate.name.casefold() in taken:
        candidate = path.with_name(f"{path.stem}_{n}{path.suffix}")
        n += 1
    taken.add(candidate.name.casefold())
    return candidate


_TEMPLATES: dict[tuple, FormTemplate] = {}


def _render(job: FormJob) -> RenderedForm:
    """Render through a cached per-tool template (the same cells as render_form, much faster)."""
    key = FormTemplate.key(job.ctx, job.password)
    template = _TEMPLATES.get(key)
    if template is None:
        if len(_TEMPLATES) > 16:
            _TEMPLATES.clear()
        template = _TEMPLATES[key] = FormTemplate(job.ctx, password=job.password)
    return template.render(job.ctx)


def _write_job(job: FormJob) -> tuple[str, str]:
    """Render and write one form; returns its fingerprint and the SHA-256 of its file. Runs in worker processes."""
    rendered = _render(job)
    content = rendered.content
    if job.encrypt_password:
        content = encrypt(content, job.encrypt_password)
    tmp = temp_beside(job.path, "form")
    tmp.write_bytes(content)
    os.replace(tmp, job.path)
    return rendered.fingerprint, hashlib.sha256(content).hexdigest()


def encrypt(content: bytes, password: str) -> bytes:
    """Encrypt an .xlsx so it needs a password to open (Agile encryption, as Excel does)."""
    from msoffcrypto.format.ooxml import OOXMLFile  # heavy (cryptography): only when asked to encrypt

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(content)).encrypt(password, out)
    return out.getvalue()


def _jobs(plan: AuditPlan, out_dir: Path, reissue: set[str], today: date, password: str,
          encrypt_password: str) -> tuple[list[tuple[FormJob, IssuedForm]], list[IssuedForm]]:
    existing = {f.assignment_key: f for f in plan.issued}
    taken = {f.file.casefold() for f in plan.issued}
    wanted: list[tuple[str, Case, Assignment]] = []
    for a in plan.assignments:
        case = plan.case(a.case_ref)
        if case is not None:
            wanted.append(("audit", case, a))
    if plan.terms.participation_worker and plan.views is not None:
        for case in plan.cases:
            wanted.append(("views", case, Assignment(case_ref=case.case_ref, agency=VIEWS_AGENCY,
                                                     auditor=plan.terms.participation_worker,
                                                     email=plan.terms.participation_worker_email,
                                                     role="Participation worker")))
    jobs: list[tuple[FormJob, IssuedForm]] = []
    skipped: list[IssuedForm] = []
    seen: set[tuple[str, str, str, str]] = set()
    for kind, case, a in wanted:
        key = assignment_key(kind, case.case_ref, a.agency, a.auditor)
        if key in seen:
            continue
        seen.add(key)
        tool = plan.tool if kind == "audit" else plan.views
        assert tool is not None
        old = existing.get(key)
        if old is not None and not ({x.casefold() for x in (old.form_id, old.file, case.case_ref)} & reissue):
            skipped.append(old)
            continue
        form_id = old.form_id if old else str(uuid.uuid4())
        path = out_dir / old.file if old else _unique(
            out_dir / form_filename(tool.id, case.case_ref, a.agency, a.auditor), taken)
        ctx = FormContext(form_id=form_id, audit_id=plan.audit_id, tool=tool,
                          scale=plan.scale if tool.uses_grades else None, terms=plan.terms, case=case,
                          assignment=a, case_field_labels={q.id: q.label for q in plan.tool.case_fields},
                          whole_sections=len(plan.definition.sections) if plan.focused and kind == "audit" else 0)
        record = IssuedForm(form_id=form_id, file=path.name, kind=kind, case_ref=case.case_ref, agency=a.agency,
                            auditor=a.auditor, email=a.email, role=a.role, tool_id=tool.id,
                            tool_version=tool.version, issued=today, fingerprint="")
        jobs.append((FormJob(ctx, path, password, encrypt_password), record))
    return jobs, skipped


def run_jobs(jobs: list[FormJob], workers: int | None = None,
             progress: Callable[[int], None] | None = None) -> list[tuple[str, str]]:
    """Write the forms, in parallel for large batches; returns (fingerprint, file SHA-256) in order."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < 40:
        out = []
        for job in jobs:
            out.append(_write_job(job))
            if progress:
                progress(1)
        return out
    out = []
    with ProcessPoolExecutor(max_workers=workers, initializer=end_with_parent, initargs=(os.getpid(),)) as pool:
        try:
            for fp in pool.map(_write_job, jobs, chunksize=max(1, len(jobs) // (workers * 8))):
                out.append(fp)
                if progress:
                    progress(1)
        except BaseException:  # stopped early: do not wait for the forms not yet written
            stop_pool(pool)
            raise
    return out


def generate_forms(audit: Path, out_dir: Path | None = None, *, reissue: Iterable[str] = (), password: str = "",
                   encrypt_password: str = "", today: date | None = None, workers: int | None = None,
                   progress: Callable[[int], None] | None = None, strict: bool = False) -> GenerateResult:
    """Issue the forms of every new assignment of the coordinator workbook ``audit``.

    The assignments are checked first (:mod:`xlpack.coordinator.assignment_checks`): each problem is a
    warning of the result, the forms issued all the same; with ``strict`` they refuse
    (:class:`~xlpack.errors.AssignmentError`) and nothing is written.

    It holds xlpack's lock on the workbook for the whole run. If the
    workbook is saved by someone else before it is replaced, it refuses,
    removing the forms it had just issued, so a second run issues them anew.
    """
    audit = require_coordinator(audit)
    if encrypt_password:
        check_encrypt_password(encrypt_password)
    with workbook_lock(audit, "generate") as held:
        return _generate(audit, out_dir, reissue, password, encrypt_password, today, workers, progress, strict,
                         held)


def _generate(audit: Path, out_dir: Path | None, reissue: Iterable[str], password: str, encrypt_password: str,
              today: date | None, workers: int | None, progress: Callable[[int], None] | None, strict: bool,
              held: WorkbookLock) -> GenerateResult:
    plan = read_plan(audit)
    if not plan.cases:
        raise PlanError(audit, ["the Cases sheet is empty. List the sampled cases first, or draw them from a "
                                "case extract: xlpack sample EXTRACT --audit AUDIT.xlsx --size N"])
    if not plan.assignments:
        raise PlanError(audit, ["the Assignments sheet is empty. Add a row per case, agency and auditor."])
    broken = control_character_problems(audit)
    if broken:
        raise PlanError(audit, broken)
    out_dir = Path(out_dir) if out_dir else default_forms_folder(audit, plan.audit_id)
    other = other_audit(out_dir, plan.audit_id)
    if other is not None:
        raise UsageError(f"{out_dir} holds the forms of {other}, and its {MANIFEST}: the forms of this audit "
                         f"({audit.name}) must not go in with them. Leave out --out (the default is a folder of this "
                         "audit's own), or give another folder. Nothing was written.")
    typed = {str(r).strip().casefold(): str(r) for r in reissue}  # case references match in any letter case
    pairs, skipped = _jobs(plan, out_dir, set(typed), today or clock.today(), password, encrypt_password)
    matched = {x.casefold() for _, rec in pairs for x in (rec.form_id, rec.file, rec.case_ref)}
    unknown = [typed[k] for k in typed if k not in matched]
    if unknown:
        raise UsageError(f"Nothing to reissue for: {', '.join(sorted(unknown))}. Give a form id, file name or "
                         "case reference listed on the 'Issued forms' sheet.")
    # checked only when forms are to go out: a run that issues nothing has nothing to warn about
    checked = assignment_warnings(plan, sheet_rows(audit, plan)) if pairs else []
    if checked and strict:
        raise AssignmentError(audit, checked)
    out_dir.mkdir(parents=True, exist_ok=True)
    if not pairs:
        return GenerateResult(out_dir=out_dir, skipped=skipped, manifest=write_manifest(out_dir, plan, audit.name))
    # A consolidated workbook keeps its analysis and moderation; checked before any form is written:
    # refuses if typed cells would be lost. Only the sheets the issued forms change are replaced, when it can be.
    messages = with_defaults(plan.messages)
    new_files = [job.path for job, rec in pairs if rec.form_id not in {f.form_id for f in plan.issued}]
    record = issued_recorder(audit, messages != plan.messages, adds_forms=bool(new_files))
    held.check_unchanged()  # before any form is written
    try:
        written = run_jobs([job for job, _ in pairs], workers, progress)
        issued = [rec.model_copy(update={"fingerprint": fp, "sha256": digest})
                  for (_, rec), (fp, digest) in zip(pairs, written, strict=True)]
        by_id = {f.form_id: f for f in plan.issued}
        for rec in issued:
            by_id[rec.form_id] = rec
        all_issued = sorted(by_id.values(), key=lambda f: (f.case_ref.casefold(), f.kind, f.agency, f.auditor))
        # The Messages sheet appears with the forms, so the coordinator can edit the emails' wording before drafting
        plan = plan.model_copy(update={"issued": all_issued, "messages": messages})
        record(plan, today, held.seen)
    except BaseException:
        for path in new_files:  # not recorded in the workbook: never to be sent
            path.unlink(missing_ok=True)
        raise
    manifest = write_manifest(out_dir, plan, audit.name)
    return GenerateResult(out_dir=out_dir, issued=issued, skipped=skipped, manifest=manifest,
                          warnings=[*checked, *plan_warnings(plan, issued, today or clock.today())])


def write_manifest(out_dir: Path, plan: AuditPlan, workbook: str = "") -> Path:
    path = out_dir / MANIFEST
    forms = {f.form_id: f.model_dump(mode="json") for f in plan.issued}
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
            if old.get("audit_id") == plan.audit_id:
                for f in old.get("forms", []):
                    forms.setdefault(f["form_id"], f)
        except (ValueError, KeyError, TypeError):
            pass  # a damaged manifest is rewritten from the coordinator workbook
    doc = {"schema": MANIFEST_SCHEMA, "audit_id": plan.audit_id, "audit_title": plan.terms.title,
           "workbook": workbook, "tool_id": plan.tool.id,
           "tool_version": plan.tool.version, "forms": sorted(forms.values(), key=lambda f: f["file"])}
    tmp = path.with_name(MANIFEST + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    return path
