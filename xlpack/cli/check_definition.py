"""``xlpack check-definition``: check tool definition files, every problem with its line and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import err, fail, out
from xlpack.errors import UsageError, visible
from xlpack.wording import counted


def command(files: Annotated[list[Path], typer.Argument(metavar="TOOL.yaml",
                                                         help="Tool definition YAML files (one or more).")]) -> None:
    """Check tool definition files and list every problem with its line and the fix."""
    from xlpack.model.definitions import check_definition  # imported here: pydantic models, not at start-up

    missing = [f for f in files if not f.is_file()]
    if missing:
        raise fail(UsageError(f"{missing[0]} does not exist. Give tool definition files (.yaml)."))
    bad = 0
    for f in files:
        defn, problems = check_definition(f)
        if problems:
            bad += 1
            err.print(visible(f"{f}: {counted(len(problems), 'problem')}"), markup=False)
            for p in problems:
                err.print(visible(f"  - {p}"), markup=False)
        else:
            assert defn is not None
            line = f"{f}: OK ({defn.title}, version {defn.version}, {len(defn.sections)} sections)"
            out.print(visible(line), markup=False)
    raise typer.Exit(3 if bad else 0)
