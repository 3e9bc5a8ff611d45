"""``xlpack pack``: the moderation meeting pack (Word) from the consolidated coordinator workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import disk_errors, fail, out
from xlpack.errors import XlpackError, visible


def command(
    audit: Annotated[Path, typer.Argument(metavar="AUDIT.xlsx", help="The consolidated coordinator workbook.")],
    out_file: Annotated[Path | None, typer.Option(
        "--out", metavar="PACK.docx",
        help="The pack to write (default: '<workbook name> meeting pack.docx' beside it).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the pack if it exists (notes made in it are lost).")] = False,
) -> None:
    """Write the pack for the follow-up (moderation) meeting: one part per case, urgent flags first.

    Each case's grades side by side with divergences marked, the evidence behind them, the child's and
    family's views, the open flags with a line for the decision, and room for learning points.
    Never replaces an existing pack unless --force is given.
    """
    from xlpack.report.pack import write_pack  # imported here: python-docx, not at start-up

    try:
        with disk_errors("writing the meeting pack", (out_file or audit).parent):
            path = write_pack(audit, out_file, overwrite=force)
    except XlpackError as exc:
        raise fail(exc) from None
    out.print(visible(f"Wrote the meeting pack: {path}"), markup=False)
    out.print("Print it for the follow-up meeting; afterwards type the decisions in the workbook (Resolution, "
              "Moderated grade, and the meeting's name in their Meeting column) and the meeting on the Meetings sheet.",
              markup=False)
