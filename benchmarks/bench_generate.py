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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--forms", type=int, default=1000)
    ap.add_argument("--baseline", type=int, default=200, help="forms written by the openpyxl baseline")
    args = ap.parse_args()
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
