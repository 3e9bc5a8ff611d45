"""``xlpack consolidate``: returned forms into the coordinator workbook's analysis.

What happened to each file and the summary go to stdout (or, with
``--json``, one JSON document); progress and errors go to stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import check_paths, err, fail, out, print_intake_table, reading_progress
from xlpack.errors import XlpackError, visible


def command(
    audit: Annotated[Path, typer.Argument(metavar="AUDIT.xlsx", help="The coordinator workbook.")],
    returns: Annotated[list[Path], typer.Argument(metavar="RETURNS",
                                                  help="Returned forms: files, folders, .zip, .eml or .msg.")],
    password: Annotated[str | None, typer.Option(
        "--password", metavar="PASSWORD", help="Password of encrypted forms.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of the summary.")] = False,
    allow_missing: Annotated[bool, typer.Option(
        "--allow-missing", help="Go on even though forms accepted last time are not among the returns given "
                                "(withdrawn on purpose): their rows go, their moderation moves to Orphaned.")] = False,
    again: Annotated[bool, typer.Option(
        "--again", help="Draft a safeguarding alert for every form answering No or Unsure to 'Is the child "
                        "adequately safeguarded now?', even those alerted about before.")] = False,
) -> None:
    """Consolidate returned forms into the coordinator workbook: returns, grades, flags, pivots, agreement."""
    from xlpack.consolidate import consolidate  # imported here: pandas and the whole pipeline, not at start-up

    try:
        check_paths(returns)
        with reading_progress() as tick:
            result = consolidate(audit, returns, password=password, progress=tick, allow_missing=allow_missing,
                                 again=again)
    except XlpackError as exc:
        raise fail(exc) from None
    if json_out:
        for line in result.alerts.console_lines():  # first, and on the terminal even when stdout is redirected
            err.print(visible(line), markup=False)
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        for line in result.alerts.console_lines():  # before the table: a child who may not be safe comes first
            out.print(visible(line), markup=False)
        if result.intake is not None:
            print_intake_table(out, result.intake)
        for line in result.summary_lines():
            out.print(visible(line), markup=False)
    raise typer.Exit(result.exit_code)
