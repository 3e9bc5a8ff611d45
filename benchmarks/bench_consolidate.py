"""Benchmark: consolidate 1,000 returned forms end to end (intake plus the coordinator workbook).

Beside it, in the same run, a plain openpyxl baseline over the same files:
load each returned form, read its answer cells, and write one row per form
and section into a new workbook. The baseline does much less (no checks,
no flags, pivots, charts, agreement, carry-over or atomic replace), so the
ratio flatters it. Then, for memory, 10,000 forms in a fresh process,
reporting its peak resident memory (and that of intake's reading
processes).

    python benchmarks/bench_consolidate.py [--forms 1000] [--memory-forms 10000] [--baseline 1000]
    python benchmarks/bench_consolidate.py --shape realistic [--work DIR]

``--shape realistic`` is the corpus of issue 9: 143 cases with 7 forms each
(1,001 returns) whose evidence, strengths and areas for development each
hold a few hundred characters. It measures, in the same run, intake alone
and the whole consolidate over the same files (each the fastest of three),
and reports the ratio and where consolidate spends the time after intake
(the analysis, the sheets, the file): in wall time, and in processor time
with intake's reading processes counted (steadier when the machine is busy).

Setting up writes the forms with xlpack generate and fills them by writing
the answers straight into each form's sheet XML (openpyxl would take
minutes for 10,000); intake reads them like any returned workbook.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl

from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import create_audit
from xlpack.demo.sample import sample_plan
from xlpack.forms.layout import AUDIT_SHEET, META_SHEET
from xlpack.generate import generate_forms
from xlpack.model.plan import Assignment, AuditPlan

AGENCIES = ["Children's social care", "Health", "CAMHS", "School or education", "Police", "Early years",
            "Voluntary sector", "Adult mental health", "Health", "Police"]
GRADES = ["Outstanding", "Good", "Good", "Adequate", "Adequate", "Inadequate", "Not applicable", "No evidence"]
TEXT = ("The record shows the child was seen alone on 3 March and 14 April; the assessment used the school's and "
        "the GP's information and analyses risks and strengths; the plan follows from it. ")
TODAY = date(2026, 12, 7)


def big_plan(forms: int) -> AuditPlan:
    """About ten audit forms per case, two auditors for Health and Police; no views forms."""
    plan = sample_plan("cp", cases=max(1, -(-forms // len(AGENCIES))), seed=7)
    assignments = [Assignment(case_ref=c.case_ref, agency=a, auditor=f"Auditor {i}")
                   for c in plan.cases for i, a in enumerate(AGENCIES)]
    terms = plan.terms.model_copy(update={"participation_worker": ""})
    return plan.model_copy(update={"assignments": assignments[:forms], "terms": terms})


def _input_cells(form: Path) -> dict[str, str]:
    wb = openpyxl.load_workbook(form, read_only=True)
    cells: dict[str, str] = {}
    reading = False
    for row in wb[META_SHEET].iter_rows(values_only=True):
        if row and row[0] == "input":
            reading = True
        elif reading and not (row and row[0]):
            break
        elif reading:
            cells[str(row[0])] = str(row[2])
    wb.close()
    return cells


def _sheet_part(form: Path) -> str:
    with zipfile.ZipFile(form) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    sheet = re.search(rf'<sheet name="{AUDIT_SHEET}" sheetId="\d+" r:id="(rId\d+)"', book)
    assert sheet is not None
    rid = sheet.group(1)
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
    assert target is not None
    return "xl/" + (target.group(1) or target.group(2)).removeprefix("/xl/")


def _answers(rng: random.Random, cells: dict[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for key in cells:
        if key.endswith(".grade") and key.startswith("section."):
            values[key] = rng.choice(GRADES)
        elif key.startswith("section."):
            values[key] = TEXT[: rng.randint(60, len(TEXT))]
    values.update({"field.service_team": "Safeguarding team", "field.audit_date": 46327,
                   "closing.overall_grade": rng.choice(GRADES[:6]), "closing.no_involvement": "Yes, I confirm",
                   "closing.safeguarded_now": "No" if rng.random() < 0.01 else "Yes"})
    return values


def fill_fast(form: Path, out: Path, part: str, cells: dict[str, str], answers: dict[str, object]) -> None:
    """Write the answers into the blank input cells of the form's sheet XML (inline strings, numbers)."""
    by_cell = {cells[k]: v for k, v in answers.items() if k in cells}

    def put(m: re.Match[str]) -> str:
        ref, style = m.group(1), m.group(2)
        value = by_cell.get(ref)
        if value is None:
            return m.group(0)
        if isinstance(value, (int, float)):
            return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
        return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'

    with zipfile.ZipFile(form) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                data = re.sub(r'<c r="([A-Z]+\d+)" s="(\d+)"/>', put, data.decode()).encode()
            dst.writestr(info, data)


def setup(root: Path, forms: int, seed: int = 1) -> tuple[Path, Path]:
    audit = root / "audit.xlsx"
    create_audit(audit, plan=big_plan(forms))
    gen = generate_forms(audit)
    first = gen.out_dir / gen.issued[0].file
    cells, part = _input_cells(first), _sheet_part(first)
    returns = root / "returns"
    returns.mkdir()
    rng = random.Random(seed)
    for f in gen.issued:
        fill_fast(gen.out_dir / f.file, returns / f.file, part, cells, _answers(rng, cells))
    return audit, returns


def openpyxl_baseline(audit: Path, returns: Path, out: Path, limit: int) -> tuple[float, int]:
    """Load each returned form with openpyxl, read its answers, write one row per form and section."""
    files = sorted(returns.glob("*.xlsx"))[:limit]
    start = time.perf_counter()
    cells = _input_cells(files[0])
    grade_keys = [k for k in cells if k.startswith("section.") and k.endswith(".grade")]
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["File", "Section", "Grade", "Evidence", "Strengths", "Areas for development", "Action"])
    for path in files:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = wb[AUDIT_SHEET]
        values = {}
        for row in sheet.iter_rows():
            for c in row:
                if getattr(c, "coordinate", None) and c.value is not None:
                    values[c.coordinate] = c.value
        wb.close()
        for key in grade_keys:
            sid = key.split(".")[1]
            ws.append([path.name, sid, *(values.get(cells.get(f"section.{sid}.{r}", ""))
                                         for r in ("grade", "evidence", "strengths", "development", "action"))])
    book.save(out)
    return time.perf_counter() - start, len(files)


def timed_consolidate(audit: Path, returns: Path) -> dict[str, float]:
    start = time.perf_counter()
    result = consolidate(audit, [returns], today=TODAY)
    elapsed = time.perf_counter() - start
    return {"seconds": elapsed, "forms": result.totals["forms_accepted"], "rows": len(result.data.grades),
            "flags": len(result.data.flags), "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def memory_run(forms: int) -> dict[str, float]:
    """Set up ``forms`` forms, then consolidate them in a fresh process and report its peak memory."""
    with tempfile.TemporaryDirectory() as tmp:
        audit, returns = setup(Path(tmp), forms)
        here = str(Path(__file__).parent)
        code = (f"import json, sys; sys.path.insert(0, {here!r}); from bench_consolidate import timed_consolidate; "
                f"from pathlib import Path; print(json.dumps(timed_consolidate(Path({str(audit)!r}), "
                f"Path({str(returns)!r}))))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])


# -- the realistic corpus: 143 cases x 7 forms, a few hundred characters in each text box -------------------

REALISTIC_CASES, REALISTIC_AGENCIES = 143, ["Children's social care", "Health", "CAMHS", "School or education",
                                            "Police", "Early years", "Voluntary sector"]
WORDS = ["record", "visit", "child", "mother", "father", "school", "nurse", "plan", "review", "conference",
         "strategy", "referral", "chronology", "manager", "supervision", "risk", "safety", "neglect", "attendance",
         "health", "assessment", "dated", "signed", "timely", "escalation", "the", "was", "and", "of", "with"]


def _words(rng: random.Random, length: int) -> str:
    out: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out).capitalize() + "."


def realistic_plan() -> AuditPlan:
    plan = sample_plan("cp", cases=REALISTIC_CASES, seed=9)
    assignments = [Assignment(case_ref=c.case_ref, agency=a, auditor=f"Auditor {i}", email=f"auditor{i}@example.org")
                   for c in plan.cases for i, a in enumerate(REALISTIC_AGENCIES)]
    terms = plan.terms.model_copy(update={"participation_worker": ""})
    return plan.model_copy(update={"assignments": assignments, "terms": terms})


def _realistic_answers(rng: random.Random, cells: dict[str, str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for key in cells:
        if not key.startswith("section."):
            continue
        record = key.rsplit(".", 1)[1]
        if record == "grade":
            values[key] = rng.choice(GRADES)
        elif record in ("evidence", "strengths", "development"):
            values[key] = _words(rng, rng.randint(200, 500))
        else:
            values[key] = _words(rng, rng.randint(60, 160))
    values.update({"field.service_team": "Safeguarding team", "field.audit_date": 46327,
                   "closing.overall_grade": rng.choice(GRADES[:6]), "closing.no_involvement": "Yes, I confirm",
                   "closing.safeguarded_now": "No" if rng.random() < 0.01 else "Yes",
                   "closing.tool_feedback": _words(rng, 120)})
    return values


def realistic_setup(work: Path) -> tuple[Path, Path]:
    """The coordinator workbook and the filled returns of the realistic corpus (kept in ``work`` for reuse)."""
    audit, returns = work / "audit.xlsx", work / "returns"
    if audit.exists() and returns.is_dir() and any(returns.glob("*.xlsx")):
        return audit, returns
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    create_audit(audit, plan=realistic_plan())
    gen = generate_forms(audit)
    first = gen.out_dir / gen.issued[0].file
    cells, part = _input_cells(first), _sheet_part(first)
    returns.mkdir()
    rng = random.Random(3)
    for f in gen.issued:
        fill_fast(gen.out_dir / f.file, returns / f.file, part, cells, _realistic_answers(rng, cells))
    return audit, returns


def _cpu_with_children() -> float:
    """Processor seconds of this process and of its children that have ended (intake's reading processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def realistic_run(work: Path, repeat: int, profile: bool) -> None:
    """Intake alone and the whole consolidate over the same files, in this run; the ratio; optionally a profile.

    The machine may be busy: runs alternate, each figure is the best of ``repeat``, and each consolidate also
    times its own reading (intake inside it), so the time beyond reading and the ratio within one run are
    shown too (the median over the runs).
    """
    import statistics

    import xlpack.consolidate as consolidate_module
    from xlpack.coordinator.plan_sheets import read_plan
    from xlpack.intake import IntakeResult, intake

    t0 = time.perf_counter()
    audit, returns = realistic_setup(work)
    n = len(list(returns.glob("*.xlsx")))
    print(f"realistic corpus: {n} returns ({REALISTIC_CASES} cases x {len(REALISTIC_AGENCIES)} forms), texts of "
          f"200-500 characters, ready in {time.perf_counter() - t0:.0f} s")
    inside: list[float] = []
    inside_cpu: list[float] = []
    inside_all_cpu: list[float] = []  # with its reading processes

    def timed_intake(*args: Any, **kwargs: Any) -> IntakeResult:
        start, cpu, all_cpu = time.perf_counter(), time.process_time(), _cpu_with_children()
        try:
            return intake(*args, **kwargs)
        finally:
            inside.append(time.perf_counter() - start)
            inside_cpu.append(time.process_time() - cpu)
            inside_all_cpu.append(_cpu_with_children() - all_cpu)

    consolidate_module.intake = timed_intake  # time consolidate's own reading
    alone, whole, beyond, within, cpu_beyond = [], [], [], [], []
    alone_cpu, whole_cpu, within_cpu = [], [], []  # processor time, reading processes included
    for i in range(repeat):  # alternated, so a busy moment hurts both alike
        start, all_cpu = time.perf_counter(), _cpu_with_children()
        intake([returns], read_plan(audit, strict=False))
        alone.append(time.perf_counter() - start)
        alone_cpu.append(_cpu_with_children() - all_cpu)
        copy = work / f"run{i}" / audit.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy2(audit, copy)
        cpu, all_cpu = time.process_time(), _cpu_with_children()
        whole.append(timed_consolidate(copy, returns)["seconds"])
        whole_cpu.append(_cpu_with_children() - all_cpu)
        within_cpu.append(whole_cpu[-1] / inside_all_cpu[-1])
        cpu_beyond.append(time.process_time() - cpu - inside_cpu[-1])
        beyond.append(whole[-1] - inside[-1])
        within.append(whole[-1] / inside[-1])
        shutil.rmtree(copy.parent)
    consolidate_module.intake = intake
    a, b = min(alone), min(whole)
    print(f"intake alone: best of {repeat} {a:.2f} s ({', '.join(f'{t:.2f}' for t in alone)})")
    print(f"whole consolidate: best of {repeat} {b:.2f} s ({', '.join(f'{t:.2f}' for t in whole)})")
    print(f"beyond reading (consolidate less its own intake): best {min(beyond):.2f} s, median "
          f"{statistics.median(beyond):.2f} s; processor time of it {min(cpu_beyond):.2f} s (best)")
    print(f"ratio: best consolidate / best intake alone {b / a:.2f}x; within each run (consolidate / its intake) "
          f"median {statistics.median(within):.2f}x, best {min(within):.2f}x")
    best_cpu = min(whole_cpu) / min(alone_cpu)
    print(f"processor time (reading processes included), steadier on a busy machine: best consolidate "
          f"{min(whole_cpu):.2f} s / best intake alone {min(alone_cpu):.2f} s = {best_cpu:.2f}x; "
          f"within each run median {statistics.median(within_cpu):.2f}x, best {min(within_cpu):.2f}x")
    if profile:
        import cProfile
        import pstats

        copy = work / "profiled" / audit.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy2(audit, copy)
        prof = cProfile.Profile()
        prof.runcall(consolidate, copy, [returns], today=TODAY)
        shutil.rmtree(copy.parent)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shape", choices=("default", "realistic"), default="default")
    ap.add_argument("--work", type=Path, default=None, help="realistic: keep the corpus here for the next run")
    ap.add_argument("--profile", action="store_true", help="realistic: profile one consolidate (main process)")
    ap.add_argument("--forms", type=int, default=1000)
    ap.add_argument("--baseline", type=int, default=1000, help="forms for the openpyxl baseline")
    ap.add_argument("--memory-forms", type=int, default=10000, help="0 to skip the memory run")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if args.shape == "realistic":
        if args.work:
            realistic_run(args.work, args.repeat, args.profile)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                realistic_run(Path(tmp) / "work", args.repeat, args.profile)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        audit, returns = setup(root, args.forms)
        print(f"setup: {args.forms} forms generated and filled in {time.perf_counter() - t0:.1f} s")
        runs = []
        for i in range(args.repeat):
            copy = root / f"run{i}" / audit.name
            copy.parent.mkdir()
            shutil.copy2(audit, copy)
            runs.append(timed_consolidate(copy, returns))
        best = min(runs, key=lambda r: r["seconds"])
        times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        rerun = timed_consolidate(copy, returns)  # again into the consolidated workbook: carry-over included
        base, n = openpyxl_baseline(audit, returns, root / "baseline.xlsx", args.baseline)
        base_per_1000 = base / n * 1000
        print(f"xlpack consolidate, {int(best['forms'])} forms ({int(best['rows'])} grade rows, "
              f"{int(best['flags'])} flags): best of {args.repeat} {best['seconds']:.2f} s "
              f"(runs: {times}); re-run into the consolidated "
              f"workbook {rerun['seconds']:.2f} s")
        print(f"openpyxl baseline (load, read answers, write rows), {n} forms: {base:.2f} s "
              f"= {base_per_1000:.2f} s per 1,000 forms")
        print(f"ratio: xlpack takes {best['seconds'] / base_per_1000 * args.forms / 1000:.2f}x the baseline's time "
              f"({base_per_1000 / (best['seconds'] / args.forms * 1000):.1f}x faster)")
    if args.memory_forms:
        m = memory_run(args.memory_forms)
        print(f"memory: {int(m['forms'])} forms consolidated in {m['seconds']:.1f} s; peak resident memory "
              f"{m['peak_mb']:.0f} MB (intake's reading processes: {m['children_peak_mb']:.0f} MB each at most)")


if __name__ == "__main__":
    main()
