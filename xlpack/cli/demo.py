"""``xlpack demo``: the whole journey on the bundled sample audit (fictional data)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import fail, out
from xlpack.errors import XlpackError, visible


def command(
    folder: Annotated[Path, typer.Argument(metavar="FOLDER",
                                           help="Folder to build the demo in.")] = Path("xlpack-demo"),
    fresh: Annotated[bool, typer.Option("--fresh", help="Empty the folder first if it is not empty.")] = False,
) -> None:
    """Run the whole journey on the bundled sample audit (fictional data)."""
    from xlpack.demo import run_demo  # imported here: every stage, not at start-up

    try:
        result = run_demo(folder, fresh=fresh)
    except XlpackError as exc:
        raise fail(exc) from None
    for i, step in enumerate(result.steps, start=1):
        out.print(visible(f"{i}. {step}"), markup=False)
    out.print(visible(f"Open {result.audit} in Excel or LibreOffice to start."), markup=False)
