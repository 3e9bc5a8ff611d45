"""``xlpack sample``: draw the audit's cases from a management-information extract onto the Cases sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import err, fail, out
from xlpack.errors import XlpackError
from xlpack.wording import counted

BALANCE_SHOWN = 3  # the largest gaps between population and sample shares printed


def command(
    extract: Annotated[Path, typer.Argument(metavar="EXTRACT",
                                            help="The extract (.xlsx or .csv): one row per child or case.")],
    audit: Annotated[Path, typer.Option("--audit", metavar="AUDIT.xlsx",
                                        help="The coordinator workbook to add the cases to.")],
    size: Annotated[int, typer.Option("--size", metavar="N", help="How many cases to draw.")],
    by: Annotated[list[str] | None, typer.Option(
        "--by", metavar="FIELD,...",
        help="Columns to stratify by (one or more), comma-separated; every value of the first gets a case when N "
             "allows.")]
    = None,
    where: Annotated[list[str] | None, typer.Option(
        "--where", metavar="FIELD=VALUE",
        help="Keep only rows with this value (repeatable; one field repeated: any of its values).")] = None,
    seed: Annotated[int | None, typer.Option(
        "--seed", metavar="S", help="Seed of the random draw (default: a new one, recorded on the Sample sheet).")]
    = None,
    ref: Annotated[str, typer.Option("--ref", metavar="COLUMN", help="The case reference column's header.")]
    = "Case reference",
    exclude: Annotated[list[Path] | None, typer.Option(
        "--exclude", metavar="AUDIT.xlsx",
        help="An earlier audit's coordinator workbook: its cases are left out of the draw (repeatable; for a "
             "re-audit, give the baseline).")] = None,
) -> None:
    """Draw a stratified random sample of cases onto the Cases sheet, recording the draw on a Sample sheet.

    The same extract and seed draw the same cases. Nothing is written if the
    extract or the workbook has a problem; every problem is listed.
    """
    from xlpack.sample.sampling import draw_sample  # imported here: only this command draws

    try:
        result = draw_sample(extract, audit, size, by=by or (), where=where or (), seed=seed, reference_column=ref,
                             exclude=exclude or ())
    except XlpackError as exc:
        raise fail(exc) from None
    for warning in result.warnings:
        err.print(f"Warning: {warning}", markup=False)
    s = result.record
    out.print(f"Drew {len(result.cases)} of {counted(s.population, 'case')} onto the Cases sheet of {audit} "
              f"(seed {s.seed}{'; by ' + ', '.join(s.by) if s.by else ''}):", markup=False)
    for line in s.excluded:
        out.print(f"Left out: {line}.", markup=False)
    for case in result.cases:
        out.print(f"  {case.case_ref}", markup=False)
    if s.by:
        out.print("By stratum (population, target, drawn):", markup=False)
        for st in s.strata:
            out.print(f"  {st.label}: {st.population}, {st.target:.1f}, {st.drawn}", markup=False)
    gaps = sorted(s.balance, key=lambda b: -abs(s.sample_share(b) - s.population_share(b)))[:BALANCE_SHOWN]
    if gaps:
        out.print("Largest differences between population and sample shares:", markup=False)
        for b in gaps:
            out.print(f"  {b.field} = {b.value}: {s.population_share(b):.0%} of the population, "
                      f"{s.sample_share(b):.0%} of the sample", markup=False)
    if result.backup:
        out.print(f"The previous version is kept as {result.backup}.", markup=False)
    out.print("The Sample sheet records the draw. Next: add a row per case, agency and auditor on the Assignments "
              f"sheet, then run xlpack generate {audit}", markup=False)
