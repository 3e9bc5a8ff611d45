"""Benchmark: generate 1,000 form workbooks.

Prints forms per second for xlpack (one process and all cores) beside a
baseline measured in the same run: the same cells, locking, dropdowns and
protection written with openpyxl in one process (without xlpack's cell
formats, cover text and conditional formats, so the baseline does less
work than xlpack). Also shown: xlpack's direct xlsxwriter renderer, which
the per-tool template path is checked against in the tests.

    python benchmarks/bench_generate.py [--forms 1000] [--baseline 200]

The baseline writes fewer forms by default (it is slow); its rate is per
form, so the ratio is fair.

    python benchmarks/bench_generate.py --reissue DIR --baseline-tree TREE [--cases 1] [--rounds 3]

``--reissue`` measures issue 19, item 10: ``generate --reissue`` of one
case's forms (10 forms; ``--cases`` for more) on a consolidated 1,000-form
workbook (``bench_intake.py``'s audit, its returns filled and consolidated,
made in DIR once and reused). Each run is a fresh process on a fresh copy
of the workbook, alternating between the xlpack in TREE (a checkout of main:
the baseline, which writes the whole workbook) and this one (which replaces
only the sheets the issued forms change), so both see the same load. It
prints the CPU time of each (median), their ratio, and the command's CPU
time against the CPU time of writing the forms it issues (the goal: close to
it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from xlpack.coordinator.plan_sheets import write_coordinator
from xlpack.demo.sample import sample_plan
from xlpack.forms.layout import COVER_SHEET, FormContext, build_layout
from xlpack.forms.writer import render_form
from xlpack.generate import generate_forms
from xlpack.model.plan import Assignment, AuditPlan


def big_plan(forms: int) -> AuditPlan:
    cases = max(1, forms // 10)
    plan = sample_plan("cp", cases=cases, seed=7)
    agencies = ["Children's social care", "Health", "CAMHS", "School or education", "Police", "Early years",
                "Voluntary sector", "Adult mental health", "Health", "Police"]
    assignments = []
    for case in plan.cases:
        for i, agency in enumerate(agencies):
            assignments.append(Assignment(case_ref=case.case_ref, agency=agency, auditor=f"Auditor {i}"))
    terms = plan.terms.model_copy(update={"participation_worker": ""})  # audit forms only
    return plan.model_copy(update={"assignments": assignments[:forms], "terms": terms})


def openpyxl_form(ctx: FormContext, path: Path) -> None:
    """The same form content with openpyxl: labels, values, input cells, validations, protection."""
    layout = build_layout(ctx)
    wb = Workbook()
    cover = wb.active
    cover.title = COVER_SHEET
    cover["A1"] = ctx.tool.title
    ws = wb.create_sheet(layout.sheet)
    lists = wb.create_sheet("Lists")
    for col, (_name, items) in enumerate(sorted(layout.lists.items()), start=1):
        for n, item in enumerate(items, start=1):
            lists.cell(row=n, column=col, value=item)
    unlocked = Protection(locked=False)
    wrap = Alignment(wrap_text=True, vertical="top")
    grade_dv = DataValidation(type="list", formula1="=Lists!$A$1:$A$6", showErrorMessage=True)
    ws.add_data_validation(grade_dv)
    for row in layout.rows:
        ws.cell(row=row.row + 1, column=1, value=row.label).alignment = wrap
        if row.input is not None:
            c = ws.cell(row=row.input.row + 1, column=2)
            c.protection = unlocked
            c.alignment = wrap
            if row.input.type == "grade":
                grade_dv.add(c.coordinate)
        elif row.value not in (None, ""):
            ws.cell(row=row.row + 1, column=2, value=str(row.value)).alignment = wrap
    meta = wb.create_sheet("xlpack_form")
    for i, cell in enumerate(layout.inputs, start=1):
        meta.cell(row=i, column=1, value=cell.key)
        meta.cell(row=i, column=2, value=cell.cell)
    meta.sheet_state = "veryHidden"
    lists.sheet_state = "hidden"
    for sheet in (cover, ws, lists, meta):
        sheet.protection.sheet = True
    wb.security.lockStructure = True
    wb.save(path)


def consolidated_audit(work: Path, forms: int) -> Path:
    """The consolidated audit of ``forms`` forms in ``work`` (made once: forms, returns and consolidation)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_intake import prepare

    from xlpack.consolidate import consolidate

    ready = work / "consolidated.xlsx"
    if not ready.exists():
        audit, returns = prepare(work / "audit", forms)
        consolidate(audit, [returns], today=date(2026, 11, 20))
        shutil.copy(audit, ready)
    return ready


def measure_reissue(audit: Path, cases: int) -> dict[str, object]:
    """In a child process: ``generate --reissue`` of the first ``cases`` cases on a copy of ``audit``."""
    import resource

    import xlpack.generate as gen
    from xlpack.coordinator.plan_sheets import read_plan

    def cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    work = Path(tempfile.mkdtemp(prefix="xlpack-reissue-"))
    try:
        copy = work / "audit.xlsx"
        shutil.copy(audit, copy)
        refs = [c.case_ref for c in read_plan(copy).cases[:cases]]
        real, forms_cpu = gen.run_jobs, []

        def run_jobs(*args: Any, **kwargs: Any) -> list[tuple[str, str]]:
            started = cpu()
            out = real(*args, **kwargs)
            forms_cpu.append(cpu() - started)
            return out

        gen.run_jobs = run_jobs  # timed where generate calls it
        wall, used = time.perf_counter(), cpu()
        result = generate_forms(copy, work / "forms", reissue=refs, workers=1, today=date(2026, 11, 20))
        return {"seconds": time.perf_counter() - wall, "cpu": cpu() - used, "forms_cpu": sum(forms_cpu),
                "issued": len(result.issued), "module": gen.__file__}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def reissue(work: Path, tree: Path, cases: int, rounds: int) -> None:
    """Baseline (``tree``) and this xlpack back to back, each run a fresh process; medians and ratios."""
    import json
    import statistics
    import subprocess

    audit = consolidated_audit(work, 1000)
    here = Path(__file__).resolve().parent.parent
    runs: dict[str, list[dict[str, Any]]] = {"baseline": [], "this": []}
    for _ in range(rounds):
        for label, path in (("baseline", tree), ("this", here)):
            out = subprocess.run([sys.executable, __file__, "--measure-reissue", str(audit), "--cases", str(cases)],
                                 env={**os.environ, "PYTHONPATH": str(path)}, capture_output=True, text=True,
                                 check=True)
            runs[label].append(json.loads(out.stdout))
    base, this = runs["baseline"], runs["this"]
    assert base[0]["module"] != this[0]["module"], "the baseline must import another tree's xlpack"

    def med(rs: list[dict[str, Any]], key: str) -> float:
        return float(statistics.median(r[key] for r in rs))

    print(f"generate --reissue of {this[0]['issued']} forms on a consolidated 1,000-form workbook "
          f"(median of {rounds} runs each, alternating):")
    for label, rs in (("baseline (whole workbook)", base), ("this (sheets replaced)", this)):
        print(f"  {label:<26} CPU {med(rs, 'cpu'):6.2f} s  wall {med(rs, 'seconds'):6.2f} s  "
              f"writing the forms: CPU {med(rs, 'forms_cpu'):.2f} s")
    print(f"  baseline / this, CPU: {med(base, 'cpu') / med(this, 'cpu'):.1f}x; "
          f"this command / writing its forms, CPU: {med(this, 'cpu') / med(this, 'forms_cpu'):.1f}x "
          f"(baseline: {med(base, 'cpu') / med(base, 'forms_cpu'):.0f}x)")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} core(s); baseline from {tree}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--forms", type=int, default=1000)
    ap.add_argument("--baseline", type=int, default=200, help="forms written by the openpyxl baseline")
    ap.add_argument("--reissue", type=Path, default=None, help="folder for the consolidated audit (kept)")
    ap.add_argument("--baseline-tree", type=Path, default=None, help="a checkout of main, for --reissue")
    ap.add_argument("--cases", type=int, default=1, help="cases reissued, for --reissue")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--measure-reissue", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure_reissue:
        import json

        print(json.dumps(measure_reissue(args.measure_reissue, args.cases)))
        return
    if args.reissue:
        if args.baseline_tree is None:
            ap.error("--reissue needs --baseline-tree (a checkout of main)")
        reissue(args.reissue, args.baseline_tree, args.cases, args.rounds)
        return
    root = Path(tempfile.mkdtemp(prefix="xlpack-bench-"))
    try:
        plan = big_plan(args.forms)
        audit = root / "audit.xlsx"
        write_coordinator(audit, plan, keep_backup=False)
        results = {}
        for label, workers in (("xlpack, 1 process", 1), (f"xlpack, {os.cpu_count()} processes", None)):
            out = root / f"forms-{workers}"
            start = time.perf_counter()
            res = generate_forms(audit, out, workers=workers, today=date(2026, 11, 27))
            elapsed = time.perf_counter() - start
            n = len(res.issued)
            results[label] = (n, elapsed)
            # start the next run from the same plan (nothing issued yet)
            write_coordinator(audit, plan, keep_backup=False)
        base_dir = root / "openpyxl"
        base_dir.mkdir()
        contexts = []
        for i, a in enumerate(plan.assignments[: args.baseline]):
            case = plan.case(a.case_ref)
            assert case is not None
            contexts.append(FormContext(form_id=f"f{i}", audit_id=plan.audit_id, tool=plan.tool, scale=plan.scale,
                                        terms=plan.terms, case=case, assignment=a))
        start = time.perf_counter()
        for i, ctx in enumerate(contexts):
            openpyxl_form(ctx, base_dir / f"{i}.xlsx")
        base = time.perf_counter() - start
        base_rate = len(contexts) / base
        start = time.perf_counter()
        for i, ctx in enumerate(contexts):
            (base_dir / f"direct-{i}.xlsx").write_bytes(render_form(ctx).content)
        direct = time.perf_counter() - start
        print(f"{'writer':<28} {'forms':>6} {'seconds':>8} {'forms/s':>8} {'vs openpyxl':>11}")
        print(f"{'openpyxl baseline, 1 process':<28} {len(contexts):>6} {base:>8.2f} {base_rate:>8.1f} {'1.00x':>11}")
        print(f"{'xlsxwriter direct, 1 process':<28} {len(contexts):>6} {direct:>8.2f} "
              f"{len(contexts) / direct:>8.1f} {len(contexts) / direct / base_rate:>10.2f}x")
        for label, (n, elapsed) in results.items():
            rate = n / elapsed
            print(f"{label:<28} {n:>6} {elapsed:>8.2f} {rate:>8.1f} {rate / base_rate:>10.2f}x")
        print(f"(time for xlpack includes reading the coordinator workbook, the manifest and rewriting the workbook;"
              f" python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
