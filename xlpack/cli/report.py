"""``xlpack report``: the Word overview report from the consolidated coordinator workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import disk_errors, fail, out
from xlpack.errors import UsageError, XlpackError, visible


def command(
    audit: Annotated[Path, typer.Argument(metavar="AUDIT.xlsx", help="The consolidated coordinator workbook.")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", metavar="REPORT.docx",
        help="The report to write (default: '<workbook name> overview report.docx' beside it).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the report if it exists (any edits made to it in Word are lost).")] = False,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", metavar="BASELINE.xlsx",
        help="A baseline audit's consolidated workbook: adds the re-audit comparison chapter.")] = None,
    map_file: Annotated[Path | None, typer.Option(
        "--map", metavar="FILE", help="With --baseline: YAML or CSV file mapping the baseline's sections and grades.")
    ] = None,
    audience: Annotated[str, typer.Option(
        "--for", metavar="board|internal",
        help="board (default): names no auditor; internal: names the auditors, marked so on its cover.")
    ] = "board",
) -> None:
    """Write the overview report (.docx) for the partnership, ready to finish in Word.

    Uses the moderated grades and flag resolutions typed into the workbook.
    Never replaces an existing report unless --force is given.
    With --baseline, a chapter compares this audit with the baseline audit.
    --for internal writes the internal version (auditors named) beside the board's.
    """
    try:
        with disk_errors("writing the report", (out_file or audit).parent):
            path = _write(audit, out_file, force, baseline, map_file, audience)
    except XlpackError as exc:
        raise fail(exc) from None
    out.print(visible(f"Wrote the overview report: {path}"), markup=False)
    out.print("Open it in Word, let Word update the contents, and complete the parts marked 'Coordinator:'.",
              markup=False)


def _write(audit: Path, out_file: Path | None, force: bool, baseline: Path | None, map_file: Path | None,
           audience: str) -> Path:
    from xlpack.report import write_report  # imported here: python-docx, matplotlib and pandas, not at start-up

    if baseline is not None:
        from xlpack.compare.files import write_report_with_baseline  # only with a baseline: it takes time

        path, _ = write_report_with_baseline(audit, baseline, out_file, map_file=map_file, overwrite=force)
        return path
    if map_file is not None:
        raise UsageError("--map is for comparing with a baseline: give --baseline too.")
    return write_report(audit, out_file, overwrite=force, audience=audience)
