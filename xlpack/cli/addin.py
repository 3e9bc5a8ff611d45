"""``xlpack addin``: build the Excel add-in (xlpack.xlam) with the Update from returns button."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import fail, out
from xlpack.errors import XlpackError, visible


def command(
    out_dir: Annotated[Path, typer.Option("--out", metavar="FOLDER",
                                          help="Folder to write xlpack.xlam into.")] = Path("."),
) -> None:
    """Build the Excel add-in (xlpack.xlam) with the 'Update from returns' button."""
    from xlpack.excel.addin import build_addin  # imported here: zip and XML work, not at start-up

    try:
        path = build_addin(out_dir)
    except XlpackError as exc:
        raise fail(exc) from None
    out.print(visible(f"Wrote {path}. On the coordinator's Windows or Mac computer, in the Python that has xlpack "
                      "installed (pip install -e '.[excel]' in the xlpack folder), run once: xlwings config create, "
                      f"then xlwings addin install -f \"{path.name}\". Excel then shows an xlpack tab whose Update "
                      "from returns button consolidates the open coordinator workbook."), markup=False)
