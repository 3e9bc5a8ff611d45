"""Benchmark: ``xlpack report`` on the sample audit, the whole command and in-process.

Builds the demo audit (``xlpack demo``: 10 cases, 80 forms, consolidated) once
for each code measured, with that code (an audit made by one version need not be
readable by an older one: the tool definitions gained fields), then measures:

- the whole command, ``python -m xlpack report AUDIT --out X --force``, each run a
  fresh process (imports, reading the workbook, the charts, the document);
- in-process, in a fresh process per run: importing ``xlpack.report``, reading the
  consolidated workbook, and building the document (the first build, then the
  median of a few more in the same process, once everything is warm).

Every figure is the median of ``--runs`` runs, as elapsed time and as CPU time
(user + system, of the process and its children): on a shared machine the
elapsed time follows the other work, the CPU time much less. With
``--baseline REF`` the same measurements are made, interleaved run by run, on
the ``xlpack`` package of git commit REF (extracted to a temporary folder), and
the ratios baseline / current are printed: the two are measured in the same
run, under the same load.

    python benchmarks/bench_report.py [--runs 5] [--baseline REF] [--work DIR]

``--work`` keeps the demo audit for the next run; without it a temporary folder
is used and removed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIT_NAME = "sample-audit.xlsx"

IN_PROCESS = r"""
import json, sys, time
from pathlib import Path
clocks = {"": time.perf_counter, " cpu": time.process_time}
marks = [{k: c() for k, c in clocks.items()}]
try:
    import xlpack.report.write as report
except ImportError:  # the layout before issue 8
    import xlpack.report as report
marks.append({k: c() for k, c in clocks.items()})
try:
    from xlpack.workbook.readback import read_consolidated
except ImportError:  # the layout before issue 8
    from xlpack.readback import read_consolidated
audit = read_consolidated(Path(sys.argv[1]))
marks.append({k: c() for k, c in clocks.items()})
report.report_bytes(audit)
marks.append({k: c() for k, c in clocks.items()})
warm = {k: [] for k in clocks}
for _ in range(int(sys.argv[2])):
    start = {k: c() for k, c in clocks.items()}
    report.report_bytes(audit)
    for k, c in clocks.items():
        warm[k].append(c() - start[k])
out = {}
for k in clocks:
    for name, (a, b) in {"import": (0, 1), "read": (1, 2), "first build": (2, 3)}.items():
        out[name + k] = marks[b][k] - marks[a][k]
    out["warm build" + k] = sorted(warm[k])[len(warm[k]) // 2]
out["code"] = report.__file__
print(json.dumps(out))
"""


def prepare(work: Path, code: Path, name: str) -> Path:
    """The consolidated demo audit made by ``code``, in ``work`` (made once, reused when already there)."""
    folder = work / f"demo-{name}"
    audit = folder / AUDIT_NAME
    if audit.exists():
        return audit
    shutil.rmtree(folder, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "xlpack", "demo", str(folder)], check=True, env=_env(code),
                   cwd=code, stdout=subprocess.DEVNULL)
    return audit


def extract(ref: str, into: Path) -> Path:
    """The ``xlpack`` package as it was at commit ``ref``, in ``into`` (for PYTHONPATH)."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "--name-only", ref], check=True,
                            capture_output=True, text=True).stdout.split()
    wanted = [p for p in ("xlpack", "workbook_templates", "samples") if p in listed]
    data = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", ref, *wanted],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(into, filter="data")
    return into


def _env(code: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code)}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def whole_command(code: Path, audit: Path, out: Path) -> dict[str, float]:
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-m", "xlpack", "report", str(audit), "--out", str(out), "--force"], check=True,
                   env=_env(code), cwd=code, stdout=subprocess.DEVNULL)
    return {"whole command": time.perf_counter() - start, "whole command cpu": _children_cpu() - cpu}


def in_process(code: Path, audit: Path, warm_runs: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", IN_PROCESS, str(audit), str(warm_runs)], check=True,
                          env=_env(code), cwd=code, capture_output=True, text=True)  # cwd: the first on sys.path
    return json.loads(done.stdout)


def measure(codes: dict[str, Path], audits: dict[str, Path], out_dir: Path,
            runs: int) -> dict[str, dict[str, float]]:
    """Median of ``runs`` runs of every measure for each code tree, interleaved run by run."""
    samples: dict[str, dict[str, list[float]]] = {name: {} for name in codes}
    for _ in range(runs):
        for name, code in codes.items():
            audit = audits[name]
            got = {**whole_command(code, audit, out_dir / f"{name}.docx"), **in_process(code, audit, warm_runs=3)}
            where = got.pop("code")
            assert str(where).startswith(str(code)), (name, where)  # the code meant, not another copy on the path
            for key, value in got.items():
                samples[name].setdefault(key, []).append(value)
    return {name: {k: statistics.median(v) for k, v in s.items()} for name, s in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", help="a git commit to compare with (its xlpack package)")
    parser.add_argument("--work", type=Path, help="keep the demo audit here for later runs")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        codes = {"current": ROOT}
        if args.baseline:
            codes = {"baseline": extract(args.baseline, tmp / "baseline"), **codes}
        audits = {name: prepare(args.work or tmp, code, name if name == "current" else args.baseline)
                  for name, code in codes.items()}
        results = measure(codes, audits, tmp, args.runs)
        keys = sorted(results["current"], key=lambda k: (k.endswith(" cpu"), list(results["current"]).index(k)))
        print(f"xlpack report on the sample audit (each made by its code): medians of {args.runs} runs, "
              "seconds (cpu: user + system)")
        print(f"{'':16}" + "".join(f"{name:>12}" for name in results) + ("       ratio" if args.baseline else ""))
        for key in keys:
            line = f"{key:16}" + "".join(f"{r[key]:12.3f}" for r in results.values())
            if args.baseline:
                line += f"{results['baseline'][key] / results['current'][key]:11.2f}x"
            print(line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
