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

from .errors import XlpackError


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
    from .cli import fail, out
    from .cli_intake import check_paths, print_table, reading_progress
    from .consolidate import consolidate

    try:
        check_paths(returns)
        with reading_progress() as tick:
            result = consolidate(audit, returns, password=password, progress=tick)
    except XlpackError as exc:
        raise fail(exc) from None
    if json_out:
        import json

        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        if result.intake is not None:
            print_table(out, result.intake)
        for line in result.summary_lines():
            out.print(line, markup=False)
    raise typer.Exit(result.exit_code)



