"""``xlpack consolidate``: returned forms into the coordinator workbook's analysis.

A thin layer over :func:`xlpack.consolidate.consolidate`. What happened to
each file and the summary go to stdout (or, with ``--json``, one JSON
document); progress and errors go to stderr. Exit codes: 0 done and every
returned file accepted; 3 done, but some were rejected; 2 usage error;
1 nothing could be done (the workbook was left as it was).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .errors import PlanError, XlpackError

URGENT_SHOWN = 20


def register(app: typer.Typer) -> None:
    """Add the ``consolidate`` command to the xlpack CLI."""
    app.command("consolidate")(consolidate_cmd)


def consolidate_cmd(
    audit: Annotated[Path, typer.Argument(help="The coordinator workbook (.xlsx).")],
    returns: Annotated[list[Path], typer.Argument(help="Returned forms: files, folders, .zip, .eml or .msg.")],
    password: Annotated[str | None, typer.Option("--password", help="Password of encrypted forms.")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of the summary.")] = False,
) -> None:
    """Consolidate returned forms into the coordinator workbook: returns, grades, flags, pivots, agreement."""
    from .cli import err, fail, out
    from .cli_intake import check_paths, print_table, reading_progress
    from .consolidate import consolidate

    try:
        check_paths(returns)
        with reading_progress() as tick:
            result = consolidate(audit, returns, password=password, progress=tick)
    except PlanError as exc:
        err.print(f"Error: {exc}", markup=False)
        raise typer.Exit(1) from None  # nothing was consolidated
    except XlpackError as exc:
        raise fail(exc) from None
    if json_out:
        import json

        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        if result.intake is not None:
            print_table(out, result.intake)
        for line in summary_lines(result):
            out.print(line, markup=False)
    raise typer.Exit(result.exit_code)


def summary_lines(result: object) -> list[str]:
    """What was done, what needs attention first, and what to open."""
    from .consolidate import ConsolidateResult

    assert isinstance(result, ConsolidateResult)
    t = result.totals
    data = result.data
    accepted = t.get("returns_accepted", 0) + t.get("returns_accepted_with_warnings", 0)
    lines = [(f"Consolidated {accepted} of {t['forms_issued']} issued form(s) into {result.audit}: "
              f"{t.get('returns_overdue', 0)} overdue, {t.get('returns_missing', 0)} not returned yet, "
              f"{t['rejected_files']} returned file(s) rejected.")]
    lines.append(f"{t['flags']} flag(s): {t.get('flags_urgent', 0)} urgent, {t.get('flags_high', 0)} high, "
                 f"{t.get('flags_medium', 0)} medium, {t.get('flags_low', 0)} low.")
    urgent = [f for f in data.flags if f.severity == "urgent"]
    for f in urgent[:URGENT_SHOWN]:
        lines.append(f"  URGENT {f.case_ref}: {f.message}")
    if len(urgent) > URGENT_SHOWN:
        lines.append(f"  ... and {len(urgent) - URGENT_SHOWN} more urgent flag(s) on the Flags sheet.")
    if data.orphaned:
        lines.append(f"{len(data.orphaned)} moderated grade(s), note(s) or resolution(s) lost their row: see the "
                     "Orphaned sheet.")
    if result.backup:
        lines.append(f"The previous version is kept as {result.backup}.")
    lines.append(f"Open {result.audit}: the Flags sheet first (urgent at the top), Returns for who to chase, "
                 "the Case grid to read each case across agencies.")
    return lines


