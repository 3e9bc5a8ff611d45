"""Benchmark: draft the issue emails for 1,000 forms.

Builds (once, not timed) an audit of 100 cases with 10 forms each, shared
among 200 auditors, and generates its forms. Then times ``draft_mail``
end to end - reading the plan, checking every address and every form file,
building and writing one draft per auditor with their forms attached,
recipients.csv, and rewriting the coordinator workbook with the Mail log -
on a fresh copy of the audit each round (drafts are built in one process
per core). Beside it, in the same run, a
baseline that does only the unavoidable part: one email per form with the
form attached, written with Python's email package, no checks, no
grouping, no workbook.

    python benchmarks/bench_mail.py [--forms 1000] [--rounds 3] [--again]
    python benchmarks/bench_mail.py --consolidated DIR [--forms 1000] [--rounds 3]

The target is under 5 s for 1,000 forms.

``--again`` drafts the issue emails once before the timing (not timed), and
times ``mail --again``: the Mail log is there, so only its sheet is
replaced (issue 19, item 10), where the first run writes the whole workbook.

``--consolidated DIR`` measures the case of issue 19 (item 10): the audit
of ``bench_intake.py`` (its filled returns made in DIR, or reused from
there) with an address for each auditor, consolidated, its issue emails
drafted once (not timed). Then, in the same run, back to back: intake of
those forms (``xlpack.intake.intake``, all cores), and ``mail --again`` for
every form on a fresh copy of the workbook, recording the drafts (the Mail log, the Returns sheet, which follows
it, and the hidden sheet's Returns digests are replaced; every other part is kept). The goal: the drafts within intake's
time for the same forms.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import tempfile
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from xlpack.coordinator.plan_sheets import create_audit
from xlpack.demo.sample import sample_plan
from xlpack.generate import generate_forms
from xlpack.mail import draft_mail
from xlpack.model.plan import Assignment, AuditPlan

AGENCIES = ["Children's social care", "Health", "CAMHS", "School or education", "Police", "Early years",
            "Voluntary sector", "Adult mental health", "Health", "Police"]


def big_plan(forms: int, auditors: int = 200) -> AuditPlan:
    plan = sample_plan("cp", cases=max(1, forms // len(AGENCIES)), seed=7)
    rows = []
    for c, case in enumerate(plan.cases):
        for i, agency in enumerate(AGENCIES):
            who = (c * 7 + i * 13) % auditors
            rows.append(Assignment(case_ref=case.case_ref, agency=agency, auditor=f"Auditor {who:03d} Example",
                                   email=f"auditor.{who:03d}@example.org"))
    terms = plan.terms.model_copy(update={"participation_worker": ""})
    return plan.model_copy(update={"assignments": rows[:forms], "terms": terms})


def baseline(forms: Path, out: Path) -> int:
    """One email per form, the form attached: the least any drafting must do."""
    out.mkdir()
    n = 0
    for path in sorted(forms.glob("*.xlsx")):
        msg = EmailMessage(policy=SMTP)
        msg["From"] = "coordinator@example.org"
        msg["To"] = "auditor@example.org"
        msg["Subject"] = f"OFFICIAL-SENSITIVE: {path.stem}"
        msg["X-Unsent"] = "1"
        msg.set_content("Your form is attached.")
        msg.add_attachment(path.read_bytes(), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=path.name)
        (out / f"{path.stem}.eml").write_bytes(msg.as_bytes())
        n += 1
    return n


def cpu_seconds() -> float:
    """CPU time of this process and of the worker processes it has waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def consolidated(work: Path, forms: int, rounds: int) -> None:
    """Intake of ``forms`` returns, then mail for all of them on the consolidated workbook: the ratio."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_intake import prepare

    from xlpack.consolidate import consolidate
    from xlpack.coordinator.plan_sheets import read_plan
    from xlpack.intake import intake
    from xlpack.workbook.write import keep_analysis, write_checked

    audit, returns = prepare(work, forms)
    ready = work / "mailed" / "audit.xlsx"
    if not ready.exists():
        plan = read_plan(audit, strict=False)
        emails: dict[str, str] = {}
        rows = [a.model_copy(update={"email": emails.setdefault(a.auditor, f"auditor.{len(emails):03d}@example.org")})
                for a in plan.assignments]
        terms = plan.terms.model_copy(update={"coordinator": "Sam Example", "coordinator_email": "sam@example.org"})
        new = plan.model_copy(update={"assignments": rows, "terms": terms})
        write_checked(audit, new, keep_analysis(audit)(new, None))
        consolidate(audit, [returns])
        draft_mail(audit, "issue")  # the Mail log is there before the timed runs
        ready.parent.mkdir()
        shutil.copy(audit, ready)
        (ready.parent / "forms").symlink_to(work / "forms")
    paths = sorted(returns.glob("*.xlsx"))[:forms]
    plan = read_plan(ready, strict=False)
    took, took_cpu, mail, mail_cpu = [], [], [], []
    for r in range(rounds):
        started, used = time.perf_counter(), cpu_seconds()
        assert intake(paths, plan).totals["accepted"] == len(paths)
        took.append(time.perf_counter() - started)
        took_cpu.append(cpu_seconds() - used)
        copy = work / f"round{r}"
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir()
        shutil.copy(ready, copy / "audit.xlsx")
        (copy / "forms").symlink_to(work / "forms")
        started, used = time.perf_counter(), cpu_seconds()
        result = draft_mail(copy / "audit.xlsx", "issue", again=True)
        mail.append(time.perf_counter() - started)
        mail_cpu.append(cpu_seconds() - used)
        assert sum(len(d.form_ids) for d in result.drafts) == len(paths)
        shutil.rmtree(copy)
    i, m = statistics.median(took), statistics.median(mail)
    ic, mc = statistics.median(took_cpu), statistics.median(mail_cpu)
    print(f"intake of {len(paths)} forms: {i:.2f} s (CPU {ic:.2f} s, workers included)")
    print(f"mail --again, {len(result.drafts)} drafts for {len(paths)} forms, consolidated workbook: {m:.2f} s "
          f"(CPU {mc:.2f} s)")
    print(f"mail / intake: {m / i:.2f} (CPU {mc / ic:.2f}); goal: at most 1:", "met" if m <= i else "not met")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--again", action="store_true", help="time a second issue run (mail --again)")
    parser.add_argument("--consolidated", type=Path, default=None,
                        help="folder for the consolidated audit of bench_intake.py (kept for the next run)")
    args = parser.parse_args()
    if args.consolidated:
        consolidated(args.consolidated, args.forms, args.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "audit"
        root.mkdir()
        audit = root / "audit.xlsx"
        create_audit(audit, plan=big_plan(args.forms))
        started = time.perf_counter()
        gen = generate_forms(audit)
        if args.again:
            draft_mail(audit, "issue")
            shutil.rmtree(root / "drafts")
        print(f"setup: {len(gen.issued)} forms generated in {time.perf_counter() - started:.1f} s (not timed)")
        times, base, cpu, base_cpu = [], [], [], []
        for r in range(args.rounds):
            copy = Path(tmp) / f"round{r}"
            shutil.copytree(root, copy)
            started, used = time.perf_counter(), cpu_seconds()
            result = draft_mail(copy / "audit.xlsx", "issue", again=args.again)
            times.append(time.perf_counter() - started)
            cpu.append(cpu_seconds() - used)
            assert sum(len(d.form_ids) for d in result.drafts) == len(gen.issued)
            started, used = time.perf_counter(), time.process_time()
            baseline(copy / "forms", Path(tmp) / f"base{r}")
            base.append(time.perf_counter() - started)
            base_cpu.append(time.process_time() - used)
        mail, floor = statistics.median(times), statistics.median(base)
        print(f"xlpack mail: {len(result.drafts)} drafts for {len(gen.issued)} forms in {mail:.2f} s "
              f"(median of {args.rounds}: {', '.join(f'{t:.2f}' for t in times)}; CPU {statistics.median(cpu):.2f} s, "
              "workers included)")
        print(f"baseline (one email per form, no checks, no workbook): {floor:.2f} s (CPU "
              f"{statistics.median(base_cpu):.2f} s); ratio {mail / floor:.2f}")
        load = os.getloadavg()[0]
        print(f"load average {load:.1f} on {os.cpu_count()} core(s)" +
              (": the machine is busy, CPU time is the fairer figure" if load > (os.cpu_count() or 1) else ""))
        print("target: under 5 s for 1,000 forms:", "met" if mail < 5 else "not met")


if __name__ == "__main__":
    main()
