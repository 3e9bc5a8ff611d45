"""``xlpack intake``: read returned forms and say what happened to each file.

The table (or, with ``--json``, the JSON document) goes to stdout; the
progress bar, the summary and errors go to stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import check_paths, err, fail, intake_summary, out, print_intake_table, reading_progress
from xlpack.errors import XlpackError


def command(
    paths: Annotated[list[Path], typer.Argument(metavar="RETURNS",
                                                help="Returned forms: files, folders, .zip, .eml or .msg.")],
    audit: Annotated[Path, typer.Option("--audit", metavar="AUDIT.xlsx",
                                        help="The coordinator workbook the forms were issued from.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of the table.")] = False,
    password: Annotated[str | None, typer.Option(
        "--password", metavar="PASSWORD", help="Password of encrypted forms.")] = None,
    again: Annotated[bool, typer.Option(
        "--again", help="Draft a safeguarding alert for every accepted form answering No or Unsure to 'Is the child "
                        "adequately safeguarded now?', even those alerted about before.")] = False,
) -> None:
    """Check returned forms: accepted, accepted with warnings, rejected, skipped or superseded, and why."""
    # Imported here: the stages pull in xlsxwriter, calamine and pydantic models, not at start-up.
    from xlpack.coordinator.plan_sheets import read_plan
    from xlpack.intake import intake  # (see above)
    from xlpack.mail.alerts import alerts_after_intake  # (see above)

    try:
        check_paths(paths)
        # Not strict: a typing slip on the Cases sheet must not stop intake; returns are checked
        # against the Issued forms sheet, whose rows are written by xlpack.
        plan = read_plan(audit, strict=False)
        with reading_progress() as tick:
            result = intake(paths, plan, source=audit.name, password=password, progress=tick)
        alerts, not_drafted = alerts_after_intake(audit, plan, result.accepted, again=again)
    except XlpackError as exc:
        raise fail(exc) from None
    for line in alerts.console_lines():  # first, on the terminal: a child who may not be safe comes before the table
        err.print(line, markup=False)
    if not_drafted:
        err.print(f"Warning: {not_drafted}", markup=False)
    if json_out:
        typer.echo(result.to_json())
    else:
        print_intake_table(out, result)
    err.print(intake_summary(result), markup=False)
    raise typer.Exit(result.exit_code)
