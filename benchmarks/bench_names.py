"""Benchmark: the name guard's figures on the planted corpus, and what it costs intake.

Prints, for the lists xlpack ships (ONS first names and surnames with US
Census first names), the ONS lists alone, and the shipped lists with the
corpus's allow list: names caught whole, caught in part, missed, and
ordinary words wrongly caught. Then times intake over the sample audit's
returned forms, every evidence box holding a planted sentence, with the
guard and with it switched off, in the same run (median of five each), and
again with case text without names in every evidence box.

    python benchmarks/bench_names.py [--forms 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from tests.support.filling import fill_form
from tests.support.name_corpus import ALLOWED, ORDINARY, measure, planted
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.demo.sample import create_sample
from xlpack.generate import generate_forms
from xlpack.intake import intake, reader
from xlpack.model.names import find_names, name_lists, redact_names


def figures() -> None:
    for label, lists in (("ONS + US first names (shipped)", name_lists()),
                         ("ONS lists alone", name_lists(with_us=False)),
                         ("shipped + the corpus's allow list", name_lists(allowed=ALLOWED))):
        f = measure(partial(redact_names, lists=lists), partial(find_names, lists=lists))
        print(f"{label}: {f.caught}/{f.planted} caught whole ({f.caught / f.planted:.0%}), {f.partly} in part, "
              f"{f.missed} missed; {f.wrongly} ordinary word(s) wrongly caught {list(f.wrong_words)}")


def cost(forms: int, named: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        audit = Path(tmp) / "audit.xlsx"
        create_sample(audit)
        out = generate_forms(audit, workers=1).out_dir
        plan = read_plan(audit)
        texts = [p.text for p in planted()] if named else list(ORDINARY)
        returns = Path(tmp) / "returns"
        returns.mkdir()
        for i, f in enumerate([f for f in plan.issued if f.kind == "audit"][:forms]):
            fill_form(out / f.file, returns / f.file, evidence=texts[i % len(texts)] + " {section}")
        timings: dict[str, list[float]] = {"with the guard": [], "without": []}
        real = reader.name_problems
        warned = 0
        for _ in range(5):
            for label in timings:
                reader.name_problems = real if label == "with the guard" else (lambda *a: [])
                start = time.perf_counter()
                result = intake([returns], plan, workers=1)
                timings[label].append(time.perf_counter() - start)
                if label == "with the guard":
                    warned = sum(1 for f in result.files for p in f.problems if p.code == "possible-name")
        reader.name_problems = real
        with_, without = (statistics.median(v) for v in timings.values())
        kind = "a planted name in every evidence box" if named else "case text without names in every evidence box"
        print(f"intake of {forms} forms ({kind}), one process: {with_:.2f} s with the guard, {without:.2f} s without "
              f"({with_ / without:.2f}x), medians of 5; {warned} possible-name warnings")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--forms", type=int, default=40)
    figures()
    args = parser.parse_args()
    cost(args.forms, named=True)
    cost(args.forms, named=False)
