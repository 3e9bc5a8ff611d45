"""``xlpack init``: a new coordinator workbook for an audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import fail, out
from xlpack.errors import XlpackError, visible


def command(
    audit: Annotated[Path, typer.Argument(metavar="AUDIT.xlsx", help="The coordinator workbook to create.")],
    tool: Annotated[str, typer.Option("--tool", metavar="TOOL",
                                      help="Tool id (cp, cin, ei, cic) or a definition file.")] = "cp",
    title: Annotated[str | None, typer.Option("--title", help="Audit title.")] = None,
    scale: Annotated[str | None, typer.Option("--scale", metavar="SCALE", help="Grade scale id or file.")] = None,
) -> None:
    """Create a coordinator workbook for a new audit."""
    from xlpack.coordinator.plan_sheets import create_audit  # imported here: xlsxwriter, not at start-up

    try:
        plan = create_audit(audit, tool, title=title, scale=scale)
    except XlpackError as exc:
        raise fail(exc) from None
    out.print(visible(f"Created {audit} ({plan.tool.title}, audit id {plan.audit_id})."), markup=False)
    out.print(visible("Next: fill in Terms of reference, Cases and Assignments, save and close it, then run "
                      f"xlpack generate {audit}"), markup=False)
