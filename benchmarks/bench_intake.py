"""Benchmark: intake of 1,000 returned forms, beside a plain openpyxl reading loop.

Builds an audit of 1,000 forms, fills every form in (varied grades, a few
hundred characters of evidence per section, as openpyxl saves them), then
measures, each in a fresh process so peak memory is its own:

- ``xlpack.intake.intake`` over all the forms (all cores, then one process),
  and over a quarter of them (memory should stay flat as the count grows);
- a plain openpyxl loop over the same files: load each workbook and read
  every value of its answers and metadata sheets (no checks at all).

Each xlpack figure is the fastest of three runs (the machine may be busy
with other work); the openpyxl loop runs once.

    python benchmarks/bench_intake.py [--forms 1000] [--work DIR]

``--work`` keeps the filled forms for the next run (they take a minute to
make); without it a temporary folder is used and removed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

from bench_generate import big_plan

from tests.support.filling import fill_form
from xlpack.coordinator.plan_sheets import create_audit
from xlpack.generate import generate_forms

GRADES = ["Outstanding", "Good", "Good", "Adequate", "Adequate", "Inadequate", "Not applicable", "No evidence"]
WORDS = ["record", "visit", "child", "mother", "school", "nurse", "plan", "review", "conference", "strategy",
         "referral", "chronology", "manager", "supervision", "risk", "safety", "neglect", "attendance", "health",
         "assessment", "dated", "signed", "timely", "escalation"]


def _text(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return " ".join(words).capitalize() + "."


def _fill(job: tuple[Path, Path, int]) -> None:
    blank, out, seed = job
    rng = random.Random(seed)
    sections = ["identification", "assessment", "planning", "voice", "information_sharing", "recording",
                "management", "equality", "outcomes", "strategy_s47", "conferences", "core_group", "risk_management"]
    fill_form(blank, out, {s: rng.choice(GRADES) for s in sections},
              evidence={s: _text(rng, rng.randint(150, 600)) for s in sections},
              strengths={s: _text(rng, 120) for s in sections}, development={s: _text(rng, 100) for s in sections},
              action={s: _text(rng, 60) for s in sections})


def prepare(work: Path, forms: int) -> tuple[Path, Path]:
    """The coordinator workbook and a folder of ``forms`` filled-in returns (reused when already there)."""
    audit, returns = work / "audit.xlsx", work / "returns"
    if audit.exists() and returns.is_dir() and len(list(returns.glob("*.xlsx"))) >= forms:
        return audit, returns
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    create_audit(audit, plan=big_plan(forms))
    issued = generate_forms(audit, work / "forms")
    returns.mkdir()
    jobs = [(work / "forms" / f.file, returns / f.file, n) for n, f in enumerate(issued.issued)]
    with ProcessPoolExecutor() as pool:
        list(pool.map(_fill, jobs, chunksize=16))
    return audit, returns


# -- measured in a child process ---------------------------------------------------


def _peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, child


def measure(kind: str, audit: Path, returns: Path, count: int, workers: int) -> dict[str, float]:
    paths = sorted(returns.glob("*.xlsx"))[:count]
    if kind == "xlpack":
        from xlpack.coordinator.plan_sheets import read_plan
        from xlpack.intake import intake

        start = time.perf_counter()
        result = intake(paths, read_plan(audit, strict=False), workers=workers)
        seconds = time.perf_counter() - start
        assert result.totals["accepted"] == count, result.totals
    else:
        import openpyxl

        start = time.perf_counter()
        for path in paths:
            wb = openpyxl.load_workbook(path, data_only=True)
            for name in ("Audit", "xlpack_form"):
                for _row in wb[name].iter_rows(values_only=True):
                    pass
            wb.close()
        seconds = time.perf_counter() - start
    own, child = _peak_mb()
    return {"seconds": seconds, "peak_mb": own, "worker_peak_mb": child}


def run_child(kind: str, audit: Path, returns: Path, count: int, workers: int = 0, repeat: int = 3) -> dict[str, float]:
    """The fastest of ``repeat`` runs, each in a fresh process (the machine may be busy with other work)."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--measure", kind, "--audit", str(audit), "--returns",
                              str(returns), "--count", str(count), "--workers", str(workers)],
                             capture_output=True, text=True, check=True)
        runs.append(json.loads(out.stdout))
    return min(runs, key=lambda r: r["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--measure", choices=("xlpack", "openpyxl"))
    parser.add_argument("--audit", type=Path)
    parser.add_argument("--returns", type=Path)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    if args.measure:
        workers = args.workers or os.cpu_count() or 1
        print(json.dumps(measure(args.measure, args.audit, args.returns, args.count, workers)))
        return
    temp = None if args.work else tempfile.mkdtemp(prefix="xlpack-bench-intake-")
    work = args.work if temp is None else Path(temp) / "work"
    try:
        t0 = time.perf_counter()
        audit, returns = prepare(work, args.forms)
        print(f"{args.forms} filled returns ready in {time.perf_counter() - t0:.0f} s ({os.cpu_count()} cores)")
        n, quarter, cores = args.forms, max(1, args.forms // 4), os.cpu_count() or 1
        rows = [("xlpack intake", n, cores, run_child("xlpack", audit, returns, n, cores)),
                ("xlpack intake", n, 1, run_child("xlpack", audit, returns, n, 1)),
                ("xlpack intake", quarter, cores, run_child("xlpack", audit, returns, quarter, cores)),
                ("xlpack intake", quarter, 1, run_child("xlpack", audit, returns, quarter, 1)),
                ("openpyxl loop", n, 1, run_child("openpyxl", audit, returns, n, repeat=1))]
        print(f"{'reader':16}{'forms':>7}{'procs':>7}{'seconds':>9}{'forms/s':>9}{'peak MB':>9}{'worker MB':>11}")
        for name, count, procs, r in rows:
            print(f"{name:16}{count:>7}{procs:>7}{r['seconds']:>9.2f}{count / r['seconds']:>9.0f}"
                  f"{r['peak_mb']:>9.0f}{r['worker_peak_mb'] if procs > 1 else 0:>11.0f}")
        fast, slow = rows[0][3]["seconds"], rows[4][3]["seconds"]
        print(f"xlpack ({cores} processes) is {slow / fast:.1f}x the openpyxl loop; one process: "
              f"{slow / rows[1][3]['seconds']:.1f}x")
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
