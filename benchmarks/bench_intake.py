"""Benchmark: intake of 1,000 returned forms, beside a plain openpyxl reading loop and the unzip-and-parse floor.

Builds an audit of 1,000 forms, fills every form in (varied grades, a few
hundred characters of evidence per section, as openpyxl saves them), then
measures, each in a fresh process so peak memory is its own:

- ``xlpack.intake.intake`` over all the forms (all cores, then one process),
  and over a quarter of them (memory should stay flat as the count grows);
- a plain openpyxl loop over the same files: load each workbook and read
  every value of its answers and metadata sheets (no checks at all).

Each xlpack figure is the fastest of three runs (the machine may be busy
with other work); the openpyxl loop runs once.

``--floor`` measures instead how far intake is from the least any reader of
these forms must do (the floor), over the same filled forms, in one process
and in as many processes as intake uses (one per core, the files shared out
as intake shares them):

- What the floor does, for each form: open the .xlsx as a zip, inflate the
  answer sheet's XML, the metadata sheet's XML and the shared strings (when
  the forms have them), parse them and collect every cell's value (numbers
  as written, shared and inline strings as text). Four parsers are tried
  and the one with the least processor time is the floor: expat
  (``xml.parsers.expat``), lxml (a whole tree), lxml ``iterparse`` and
  python-calamine (which inflates and parses the parts itself, in Rust).
- What it does not do: find the sheets' parts for each form (they are
  looked up once, in the first form, before the clock starts: every form
  has the same layout); read the workbook's structure, save time or
  content types; check any part's size against its zip entry or refuse
  document type declarations; read the cover or lists sheets; hash the
  file; check the form against the audit, its layout, its answers or the
  name guard; build any record. The expat and lxml floors keep values as
  text (no dates or numbers made). So the floor is a bound no checking
  reader can reach, not a competitor.
- Intake is timed from its call (the coordinator workbook's plan is read
  before the clock starts); the floor from its first form.

Wall and processor time (CPU, the process's own and its reading processes')
are each the best of three runs; the runs of intake and of the floor take
turns, so a busy spell of the machine falls on both. ``--baseline DIR``
measures, in the same run, the intake of another checkout (main, say).

    python benchmarks/bench_intake.py [--forms 1000] [--work DIR]
    python benchmarks/bench_intake.py --floor [--baseline /tmp/main] [--work DIR]

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
    from tests.support.filling import fill_form

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
    from bench_generate import big_plan

    from xlpack.coordinator.plan_sheets import create_audit
    from xlpack.generate import generate_forms

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


# -- the floor: the least any reader of these forms must do -------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FLOOR_PARSERS = ("expat", "lxml", "lxml-iterparse", "calamine")


def floor_parts(form: Path) -> tuple[str, str, str | None]:
    """The answer sheet's and the metadata sheet's parts and the shared strings' part (None if the forms have none).

    Found once, from the first form's workbook relationships: every form of the benchmark is made from the same
    layout, so the floor does not look them up again for each form.
    """
    import zipfile

    from xlpack.files.package import WORKBOOK_PART, parse_xml, relationships, rels_part, workbook_sheets
    from xlpack.forms.layout import AUDIT_SHEET, META_SHEET

    with zipfile.ZipFile(form) as z:
        rels = relationships(parse_xml(z.read(rels_part(WORKBOOK_PART))), WORKBOOK_PART)
        sheets = {s.name: s.part for s in workbook_sheets(parse_xml(z.read(WORKBOOK_PART)), rels)}
        strings = next((r.target for r in rels.values() if r.type.endswith("/sharedStrings")), None)
    answers, meta = sheets[AUDIT_SHEET], sheets[META_SHEET]
    assert answers and meta
    return answers, meta, strings


def _expat_strings(xml: bytes) -> list[str]:
    """The shared strings: each item's text runs joined (phonetic runs left out)."""
    from xml.parsers import expat

    out: list[str] = []
    runs: list[str] = []
    state = {"text": False, "phonetic": 0}

    def start(name: str, _attrs: dict[str, str]) -> None:
        if name == "t" and not state["phonetic"]:
            state["text"] = True
        elif name == "rPh":
            state["phonetic"] += 1
        elif name == "si":
            runs.clear()

    def end(name: str) -> None:
        if name == "t":
            state["text"] = False
        elif name == "rPh":
            state["phonetic"] -= 1
        elif name == "si":
            out.append("".join(runs))

    def chars(data: str) -> None:
        if state["text"]:
            runs.append(data)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    parser.Parse(xml, True)
    return out


def _expat_cells(xml: bytes, strings: list[str]) -> list[tuple[str, str]]:
    """(cell, value) for every cell with a value: numbers as written, shared and inline strings as text."""
    from xml.parsers import expat

    out: list[tuple[str, str]] = []
    text: list[str] = []
    cell = ["", ""]  # the cell's reference and type
    collecting = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == "c":
            cell[0], cell[1] = attrs.get("r", ""), attrs.get("t", "n")
        elif name == "v" or (name == "t" and cell[1] == "inlineStr"):
            collecting[0] = True
            text.clear()

    def end(name: str) -> None:
        if name == "v":
            value = "".join(text)
            out.append((cell[0], strings[int(value)] if cell[1] == "s" else value))
        elif name == "t" and cell[1] == "inlineStr":
            out.append((cell[0], "".join(text)))
        else:
            return
        collecting[0] = False

    def chars(data: str) -> None:
        if collecting[0]:
            text.append(data)

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    parser.Parse(xml, True)
    return out


def _lxml_strings(xml: bytes) -> list[str]:
    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    t, si, phonetic = f"{{{MAIN_NS}}}t", f"{{{MAIN_NS}}}si", f"{{{MAIN_NS}}}rPh"
    return ["".join(x.text or "" for x in item.iter(t) if x.getparent().tag != phonetic) for item in root.iter(si)]


def _lxml_cells(xml: bytes, strings: list[str]) -> list[tuple[str, str]]:
    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    v, t = f"{{{MAIN_NS}}}v", f"{{{MAIN_NS}}}t"
    out: list[tuple[str, str]] = []
    for el in root.iter(v, t):
        c = el.getparent()
        if el.tag == t:  # an inline string: <c t="inlineStr"><is><t>
            c = c.getparent()
            if c.get("t") != "inlineStr":
                continue
            out.append((c.get("r", ""), el.text or ""))
        else:
            text = el.text or ""
            out.append((c.get("r", ""), strings[int(text)] if c.get("t") == "s" else text))
    return out


def _iterparse_cells(xml: bytes, strings: list[str]) -> list[tuple[str, str]]:
    import io

    from lxml import etree

    c_tag, v, t = f"{{{MAIN_NS}}}c", f"{{{MAIN_NS}}}v", f"{{{MAIN_NS}}}t"
    out: list[tuple[str, str]] = []
    for _, c in etree.iterparse(io.BytesIO(xml), events=("end",), tag=c_tag, resolve_entities=False,
                                no_network=True):
        kind = c.get("t")
        if kind == "inlineStr":
            out.append((c.get("r", ""), "".join(x.text or "" for x in c.iter(t))))
        else:
            value = c.findtext(v)
            if value is not None:
                out.append((c.get("r", ""), strings[int(value)] if kind == "s" else value))
        c.clear()
    return out


def floor_read(path: Path, parser: str, parts: tuple[str, str, str | None]) -> int:
    """Read one form as the floor does; the number of cell values collected."""
    if parser == "calamine":
        from python_calamine import CalamineWorkbook

        from xlpack.forms.layout import AUDIT_SHEET, META_SHEET

        book = CalamineWorkbook.from_path(str(path))
        rows = [*book.get_sheet_by_name(AUDIT_SHEET).to_python(), *book.get_sheet_by_name(META_SHEET).to_python()]
        return sum(1 for row in rows for value in row if value != "")
    import zipfile

    answers, meta, strings_part = parts
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        strings_xml = z.read(strings_part) if strings_part and strings_part in names else None
        sheets = [z.read(answers), z.read(meta)]
    read_strings = _expat_strings if parser == "expat" else _lxml_strings
    read_cells = {"expat": _expat_cells, "lxml": _lxml_cells, "lxml-iterparse": _iterparse_cells}[parser]
    strings = read_strings(strings_xml) if strings_xml is not None else []
    return sum(len(read_cells(xml, strings)) for xml in sheets)


_floor_job: tuple[str, tuple[str, str, str | None]] | None = None


def _floor_start(parser: str, parts: tuple[str, str, str | None]) -> None:
    global _floor_job
    _floor_job = (parser, parts)


def _floor_one(path: Path) -> int:
    assert _floor_job is not None
    return floor_read(path, *_floor_job)


def floor_all(paths: list[Path], parser: str, workers: int, parts: tuple[str, str, str | None]) -> int:
    """Every form read by the floor, in one process or in a pool of ``workers`` as intake shares them out."""
    if workers <= 1:
        return sum(floor_read(p, parser, parts) for p in paths)
    import multiprocessing

    chunk = max(1, min(32, len(paths) // (workers * 8)))  # as intake's pool
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_floor_start,
                             initargs=(parser, parts)) as pool:
        return sum(pool.map(_floor_one, paths, chunksize=chunk))


# -- measured in a child process ---------------------------------------------------


def _peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, child


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (a pool's workers, once shut down)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(kind: str, audit: Path, returns: Path, count: int, workers: int) -> dict[str, float]:
    """One timed run: wall and CPU seconds (the plan is read, and the floor's parts found, before the clock starts)."""
    paths = sorted(returns.glob("*.xlsx"))[:count]
    values = 0
    if kind == "xlpack":
        from xlpack.coordinator.plan_sheets import read_plan
        from xlpack.intake import intake

        plan = read_plan(audit, strict=False)
        cpu, start = _cpu(), time.perf_counter()
        result = intake(paths, plan, workers=workers)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        assert result.totals["accepted"] == count, result.totals
    elif kind.startswith("floor-"):
        parts = floor_parts(paths[0])
        cpu, start = _cpu(), time.perf_counter()
        values = floor_all(paths, kind.removeprefix("floor-"), workers, parts)
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    else:
        import openpyxl

        cpu, start = _cpu(), time.perf_counter()
        for path in paths:
            wb = openpyxl.load_workbook(path, data_only=True)
            for name in ("Audit", "xlpack_form"):
                for _row in wb[name].iter_rows(values_only=True):
                    pass
            wb.close()
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    own, child = _peak_mb()
    return {"seconds": seconds, "cpu": cpu, "values": values, "peak_mb": own, "worker_peak_mb": child}


def _child(kind: str, audit: Path, returns: Path, count: int, workers: int, root: Path | None) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", kind, "--audit", str(audit), "--returns", str(returns),
               "--count", str(count), "--workers", str(workers)]
    if root is not None:
        command += ["--xlpack-root", str(root)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout))


def run_child(kind: str, audit: Path, returns: Path, count: int, workers: int = 0, repeat: int = 3) -> dict[str, float]:
    """The fastest of ``repeat`` runs, each in a fresh process (the machine may be busy with other work)."""
    runs = [_child(kind, audit, returns, count, workers, None) for _ in range(repeat)]
    return min(runs, key=lambda r: r["seconds"])


def best_of(specs: dict[str, tuple[str, int, Path | None]], audit: Path, returns: Path, count: int,
            repeat: int = 3) -> dict[str, dict[str, float]]:
    """Each spec (kind, processes, xlpack checkout) run ``repeat`` times, the specs taking turns so a busy spell
    of the machine falls on all of them alike; for each, the least wall and the least CPU time of its runs."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in specs}
    for _ in range(repeat):
        for name, (kind, workers, root) in specs.items():
            runs[name].append(_child(kind, audit, returns, count, workers, root))
    return {name: {"seconds": min(r["seconds"] for r in rs), "cpu": min(r["cpu"] for r in rs),
                   "values": rs[0]["values"]} for name, rs in runs.items()}


def floor_run(audit: Path, returns: Path, count: int, cores: int, baseline: Path | None, repeat: int) -> None:
    """Intake against the floor, each the best of ``repeat`` (wall and CPU), in one run; and against a baseline
    checkout's intake when one is given."""
    parsers = best_of({p: (f"floor-{p}", 1, None) for p in FLOOR_PARSERS}, audit, returns, count, repeat)
    print(f"floor parsers, {count} forms, one process (best of {repeat}):")
    for name, r in parsers.items():
        print(f"  {name:16}{r['seconds']:>8.2f} s wall{r['cpu']:>8.2f} s CPU{int(r['values']):>10} values")
    fastest = min(parsers, key=lambda p: parsers[p]["cpu"])
    print(f"the floor is {fastest} (least CPU)")
    specs: dict[str, tuple[str, int, Path | None]] = {}
    for procs in sorted({1, cores}):
        specs[f"floor/{procs}"] = (f"floor-{fastest}", procs, None)
        specs[f"intake/{procs}"] = ("xlpack", procs, None)
        if baseline is not None:
            specs[f"baseline/{procs}"] = ("xlpack", procs, baseline)
    got = best_of(specs, audit, returns, count, repeat)
    print(f"{'reader':22}{'procs':>6}{'wall s':>9}{'CPU s':>9}{'wall/floor':>12}{'CPU/floor':>11}")
    for name, r in got.items():
        what, shown = name.split("/")
        floor = got[f"floor/{shown}"]
        label = {"floor": f"floor ({fastest})", "intake": "intake (this tree)", "baseline": "intake (baseline)"}[what]
        print(f"{label:22}{shown:>6}{r['seconds']:>9.2f}{r['cpu']:>9.2f}{r['seconds'] / floor['seconds']:>11.2f}x"
              f"{r['cpu'] / floor['cpu']:>10.2f}x")
    if baseline is not None:
        for procs in sorted({1, cores}):
            new, old = got[f"intake/{procs}"], got[f"baseline/{procs}"]
            print(f"this tree / baseline, {procs} process(es): wall {new['seconds'] / old['seconds']:.2f}x, "
                  f"CPU {new['cpu'] / old['cpu']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=1000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--floor", action="store_true", help="intake against the unzip-and-parse floor only")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="with --floor: a checkout (of main, say) whose intake is measured in the same run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", choices=("xlpack", "openpyxl", *(f"floor-{p}" for p in FLOOR_PARSERS)))
    parser.add_argument("--xlpack-root", type=Path, default=None)
    parser.add_argument("--audit", type=Path)
    parser.add_argument("--returns", type=Path)
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    if args.measure:
        if args.xlpack_root is not None:
            sys.path.insert(0, str(args.xlpack_root.resolve()))
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
        if args.floor:
            floor_run(audit, returns, n, cores, args.baseline, args.repeat)
            return
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
