"""Draw the audit's cases from a management-information extract: a stratified random sample.

:func:`draw_sample` reads the extract and the coordinator workbook, checks
both (every problem at once, nothing written if there is one), shares the
sample across strata in proportion to the population (largest remainder,
at least one case for every value of the first stratification field when
the size allows; see :mod:`xlpack.sample.allocation`), chooses the cases with
a seeded generator, and writes them onto the Cases sheet with the record of
the draw on the Sample sheet. :func:`plan_sample` does the drawing without
files; :func:`read_sample` reads the record back.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from xlpack import clock
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import ExtractError, UsageError
from xlpack.files.lock import workbook_lock
from xlpack.model.definitions import Question
from xlpack.model.plan import AuditPlan, Case, SampleBalance, SampleRecord, SampleStratum
from xlpack.wording import counted

from .allocation import allocate, choose
from .exclude import EarlierAudit, leave_out, read_earlier
from .extract import Extract, ExtractRow, fold, read_extract
from .population import (
    Filter,
    apply_filters,
    parse_filters,
    reference_problems,
    stratum_problems,
)
from .workbook_update import open_plan, write_sample

DEFAULT_REFERENCE = "Case reference"
CATEGORY = "Category"
BLANK = "(blank)"
MAX_SEED = 999_999_999_999  # kept exactly by a spreadsheet cell
STRATUM_JOIN = " / "


@dataclass
class SampleDraw:
    """What a draw chose, before anything is written."""

    record: SampleRecord
    cases: list[Case]
    warnings: list[str] = field(default_factory=list)


@dataclass
class SampleResult:
    audit: Path
    record: SampleRecord
    cases: list[Case]  # the cases added to the Cases sheet, in reference order
    warnings: list[str] = field(default_factory=list)
    backup: Path | None = None


def split_fields(values: Sequence[str]) -> list[str]:
    """``--by`` values: comma-separated names, in one option or several; a name given twice (columns are matched
    ignoring case and spacing) is a usage error."""
    names = [n for n in (" ".join(part.split()) for v in values for part in v.split(",")) if n]
    seen: dict[str, str] = {}
    for n in names:
        if n.casefold() in seen:
            first = seen[n.casefold()]
            also = "" if first == n else f" (first as '{first}')"
            raise UsageError(f"--by names the column '{n}' twice{also}: give each field once.")
        seen[n.casefold()] = n
    return names


def new_seed() -> int:
    """A seed for a draw given none (recorded on the Sample sheet, so the draw can be repeated)."""
    return random.SystemRandom().randint(1, 999_999)


def read_sample(audit: Path) -> SampleRecord | None:
    """The record of the draw on the coordinator workbook's Sample sheet (None if it has none)."""
    return read_plan(Path(audit), strict=False).sample


def plan_sample(extract: Extract, plan: AuditPlan, size: int, *, by: Sequence[str] = (),
                where: Sequence[Filter] = (), seed: int, reference_column: str = DEFAULT_REFERENCE,
                today: date | None = None, exclude: Sequence[EarlierAudit] = ()) -> SampleDraw:
    """Check the extract against the plan and draw (leaving out the cases of ``exclude``, earlier audits);
    ExtractError listing every problem."""
    questions = _questions(plan)
    problems = reference_problems(extract, reference_column)
    population, filter_problems = apply_filters(extract, where)
    problems += filter_problems
    if problems:
        raise ExtractError(extract.path, problems)
    ref_key = fold(reference_column)
    population, left_out = leave_out(population, ref_key, exclude)
    on_sheet = {fold(c.case_ref) for c in plan.cases}
    problems = stratum_problems(extract, population, by, questions)
    problems += [f"{extract.where(r.row, reference_column)}: case {r.values[ref_key]} is already on the Cases "
                 "sheet. Take it out of the extract (or off the Cases sheet) so the draw is from cases not yet "
                 "chosen." for r in population if fold(r.values[ref_key]) in on_sheet]
    filters = f" after the filters ({'; '.join(map(str, where))})" if where else ""
    filters += " without the earlier audits' cases" if exclude else ""
    if size > len(population):
        problems.append(f"--size {size} is larger than the population: {counted(len(population), 'case')} in the "
                        f"extract{filters}. Ask for {len(population)} or fewer.")
    if problems:
        raise ExtractError(extract.path, problems)
    draw = _draw(extract, plan, population, size, by, where, seed, reference_column, today or clock.today())
    draw.record = draw.record.model_copy(update={"excluded": left_out})
    return draw


def _questions(plan: AuditPlan) -> dict[str, Question]:
    """The Cases sheet's fields by folded label and id."""
    out: dict[str, Question] = {}
    for q in plan.tool.case_fields:
        out.setdefault(fold(q.label), q)
        out.setdefault(fold(q.id), q)
    return out


def _draw(extract: Extract, plan: AuditPlan, population: list[ExtractRow], size: int, by: Sequence[str],
          where: Sequence[Filter], seed: int, reference_column: str, today: date) -> SampleDraw:
    questions = _questions(plan)
    ref_key = fold(reference_column)
    population = sorted(population, key=lambda r: (fold(r.values[ref_key]), r.values[ref_key]))
    spell = {b: _spelling(population, b, questions.get(fold(b))) for b in by}
    strata: dict[tuple[str, ...], list[str]] = {}
    row_of: dict[str, ExtractRow] = {}
    for r in population:
        key = tuple(spell[b][fold(r.values.get(fold(b), ""))] for b in by)
        strata.setdefault(key, []).append(r.values[ref_key])
        row_of[r.values[ref_key]] = r
    order = sorted(strata, key=lambda k: _stratum_order(k, by, questions))
    sizes = {k: len(strata[k]) for k in order}
    warnings: list[str] = []
    groups = {k[0] if by else "" for k in order}
    if by and size < len(groups):
        warnings.append(f"--size {size} is smaller than the {len(groups)} values of {extract.header(by[0])}: "
                        "not every value can be in the sample.")
    allocation = allocate(sizes, {k: k[0] if by else "" for k in order}, size, order)
    chosen = choose({k: strata[k] for k in order}, allocation.counts, seed)
    picked = sorted((ref for refs in chosen.values() for ref in refs), key=lambda r: (fold(r), r))
    cases = [_case(extract, plan, row_of[ref], ref, warnings) for ref in picked]
    record = SampleRecord(
        drawn_on=today, extract=extract.path.name, extract_sha256=extract.sha256, extract_rows=len(extract.rows),
        reference_column=extract.header(reference_column), filters=[str(f) for f in where], population=len(population),
        size=size, by=[extract.header(b) for b in by], seed=seed, method=method_text(by, extract, size, seed),
        strata=[SampleStratum(label=STRATUM_JOIN.join(k) if by else "All cases", population=sizes[k],
                              target=round(allocation.targets[k], 6), drawn=len(chosen[k])) for k in order],
        balance=_balance(extract, plan, population, set(picked), by, ref_key))
    return SampleDraw(record, cases, warnings)


def _stratum_order(key: tuple[str, ...], by: Sequence[str], questions: dict[str, Question]) -> tuple:
    """Strata in the order of the Cases sheet's lists where the field has one, else alphabetical."""
    out = []
    for value, name in zip(key, by):
        choices = [fold(c) for c in getattr(questions.get(fold(name)), "choices", None) or ()]
        out.append((choices.index(fold(value)) if fold(value) in choices else len(choices), fold(value)))
    return tuple(out)


def method_text(by: Sequence[str], extract: Extract, size: int, seed: int) -> str:
    """The method in words, for the Sample sheet and the report."""
    base = ("Every case in the population was given a random number from Python's random.Random seeded with "
            f"{seed} (its random() sequence, which Python keeps the same across versions), in case reference order")
    repeat = "The same extract (in any row order) and seed draw the same cases."
    if not by:
        return (f"Simple random sample without replacement: {base}, and the {size} cases with the smallest numbers "
                f"were taken. {repeat}")
    first = extract.header(by[0])
    names = ", ".join(extract.header(b) for b in by)
    nested = (f" Within each value of {first}, its cases were shared across the strata in proportion to their size."
              if len(by) > 1 else "")
    return (f"Stratified random sample without replacement, with proportional allocation. The population was divided "
            f"into strata by {names}. Each value of {first} was given a share of the {size} cases in proportion to "
            "its number of cases, and at least one case where the size allowed (the other values sharing the rest "
            f"in proportion).{nested} The shares (the targets on this sheet) were rounded to whole cases by the "
            "largest remainder method (ties to the larger stratum), so every stratum has its target rounded down or "
            f"up. {base}; in each stratum the cases with the smallest numbers were taken. {repeat}")


def _case(extract: Extract, plan: AuditPlan, row: ExtractRow, ref: str, warnings: list[str]) -> Case:
    """The Cases sheet row of a chosen case: the fields the extract has a column for."""
    fields: dict[str, str] = {}
    for q in plan.tool.case_fields:
        name = q.label if extract.has(q.label) else q.id if extract.has(q.id) else None
        if name is None:
            continue
        raw = row.values.get(fold(name), "")
        value = _field_value(raw, q)
        if value is None:
            warnings.append(f"{extract.where(row.row, name)}: '{raw}' (case {ref}) is not a value {q.label} can "
                            "take on the Cases sheet; left blank there for you to fill in.")
            value = ""
        fields[q.id] = value
    category = row.values.get(fold(CATEGORY), "") if extract.has(CATEGORY) else ""
    return Case(case_ref=ref, category=category or plan.tool.category, fields=fields)


def _field_value(raw: str, q: Question) -> str | None:
    text = " ".join(raw.split())
    if not text:
        return ""
    if q.type == "choice":
        return next((c for c in q.choices or () if fold(c) == fold(text)), None)
    if q.type == "whole_number":
        try:
            number = float(text)
        except ValueError:
            return None
        ok = number.is_integer() and (q.min is None or number >= q.min) and (q.max is None or number <= q.max)
        return str(int(number)) if ok else None
    return text


def _balance(extract: Extract, plan: AuditPlan, population: list[ExtractRow], picked: set[str],
             by: Sequence[str], ref_key: str) -> list[SampleBalance]:
    """Population and sample counts of every value of the stratification fields and the Cases sheet's fields."""
    questions = _questions(plan)
    names = list(by)
    for name in [CATEGORY, *(q.label if extract.has(q.label) else q.id for q in plan.tool.case_fields)]:
        if extract.has(name) and fold(name) not in {fold(n) for n in names}:
            names.append(name)
    out = []
    for name in names:
        q = questions.get(fold(name))
        spell = _spelling(population, name, q)
        values = {r.values[ref_key]: spell[fold(r.values.get(fold(name), ""))] for r in population}
        everyone, sample = Counter(values.values()), Counter(values[ref] for ref in picked)
        order = list(q.choices or ()) if q is not None and q.type == "choice" else []
        keys = [v for v in order if v in everyone] + sorted((v for v in everyone if v not in order),
                                                            key=lambda v: (v == BLANK, v.casefold()))
        out += [SampleBalance(field=extract.header(name), value=v, population=everyone[v], sample=sample[v])
                for v in keys]
    return out


def _spelling(rows: Sequence[ExtractRow], name: str, q: Question | None) -> dict[str, str]:
    """How each value of a column is shown, by its folded text.

    A choice is spelled as on the Cases sheet's list; any other value as it
    is first met in ``rows`` (reference order), so 'north team' and
    'North  Team' are one value.
    """
    out: dict[str, str] = {}
    choices = {fold(c): c for c in (q.choices or ())} if q is not None and q.type == "choice" else {}
    column = fold(name)
    for r in rows:
        text = " ".join(r.values.get(column, "").split())
        out.setdefault(fold(text), choices.get(fold(text), text) or BLANK)
    return out


def draw_sample(extract: Path, audit: Path, size: int, *, by: Sequence[str] = (), where: Sequence[str] = (),
                seed: int | None = None, reference_column: str = DEFAULT_REFERENCE,
                today: date | None = None, exclude: Sequence[Path] = ()) -> SampleResult:
    """Draw ``size`` cases from ``extract`` onto the Cases sheet of ``audit``, recording the draw on a Sample sheet."""
    if size < 1:
        raise UsageError(f"--size must be 1 or more (got {size}).")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed must be a whole number from 0 to {MAX_SEED:,} (got {seed}).")
    try:
        filters = parse_filters(where)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    names = split_fields(by)
    audit = Path(audit)
    if not audit.is_file():
        open_plan(audit)  # says why not (no such workbook), before a lock is taken beside it
    with workbook_lock(audit, "sample") as held:  # for the whole draw: no other command changes the workbook
        plan = open_plan(audit)
        earlier = read_earlier(exclude, plan, audit)
        data = read_extract(Path(extract), reference_column, [*names, *(f.field for f in filters)])
        drawn = plan_sample(data, plan, size, by=names, where=filters, seed=new_seed() if seed is None else seed,
                            reference_column=reference_column, today=today, exclude=earlier)
        backup = write_sample(audit, plan, drawn.cases, drawn.record, seen=held.seen)
    return SampleResult(audit, drawn.record, drawn.cases, drawn.warnings, backup)
