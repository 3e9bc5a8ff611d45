"""``xlpack compare``: what changed between a baseline audit and its re-audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import disk_errors, err, fail, out
from xlpack.errors import XlpackError


def command(
    baseline: Annotated[Path, typer.Argument(
        metavar="BASELINE.xlsx", help="The baseline audit's consolidated coordinator workbook.")],
    reaudit: Annotated[Path, typer.Argument(
        metavar="REAUDIT.xlsx", help="The re-audit's consolidated coordinator workbook.")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", metavar="COMPARE.xlsx",
        help="The workbook to write (default: '<re-audit name> comparison.xlsx' beside it).")] = None,
    docx: Annotated[Path | None, typer.Option(
        "--docx", metavar="FILE.docx", help="Also write the comparison as a Word document (a report chapter).")] = None,
    map_file: Annotated[Path | None, typer.Option(
        "--map", metavar="FILE",
        help="YAML or CSV file mapping the baseline's section ids and grades to the re-audit's.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the output files if they exist.")] = False,
) -> None:
    """Compare a re-audit with its baseline: grades by section and agency, the change, and whether it is
    larger than chance (Fisher's exact test), with the baseline's action plan beside the sections.

    Refuses two audits of different tools or grade scales unless --map says how to match them.
    """
    from xlpack.compare.files import write_compare  # imported here: pandas, python-docx, not at start-up
    from xlpack.compare.stats import p_text, points_text, shared_cases_text  # with it: the same stage

    try:
        with disk_errors("writing the comparison", (out_file or reaudit).parent):
            result = write_compare(baseline, reaudit, out_file, docx=docx, map_file=map_file, overwrite=force)
    except XlpackError as exc:
        raise fail(exc) from None
    c = result.comparison
    good, bad = c.overall.good, c.overall.inadequate
    out.print(f"All sections: Good or better {points_text(good.change)} (p = {p_text(good.p_value)}), "
              f"Inadequate {points_text(bad.change)} (p = {p_text(bad.p_value)}).", markup=False)
    beyond = [s.key for s in c.sections if s.good.beyond_chance or s.inadequate.beyond_chance]
    out.print(f"Sections changed by more than chance would give: {', '.join(beyond) if beyond else 'none'}.",
              markup=False)
    if c.shared_cases:
        err.print(f"Warning: {shared_cases_text(c.shared_cases)}", markup=False)
    out.print(f"Wrote {result.workbook}", markup=False)
    if result.docx:
        out.print(f"Wrote {result.docx}", markup=False)
