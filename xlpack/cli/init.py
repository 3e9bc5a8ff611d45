"""``xlpack init``: a new coordinator workbook for an audit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import fail, out
from xlpack.errors import UsageError, XlpackError, visible

#: The bundled audit tools and grade scales, as --help lists them (a test keeps them in step with the bundle).
TOOL_CHOICES = "cp|cin|ei|cic|FILE.yaml"
SCALE_CHOICES = "ofsted-2009|ilacs|FILE.yaml"


def command(
    audit: Annotated[Path, typer.Argument(metavar="AUDIT.xlsx", help="The coordinator workbook to create.")],
    tool: Annotated[str, typer.Option("--tool", metavar=TOOL_CHOICES,
                                      help="Audit tool: a bundled tool id or a definition file.")] = "cp",
    title: Annotated[str | None, typer.Option("--title", metavar="TITLE", help="Audit title.")] = None,
    scale: Annotated[str | None, typer.Option(
        "--scale", metavar=SCALE_CHOICES,
        help="Grade scale id or a scale definition file (default: the tool's own).")] = None,
    sections: Annotated[str | None, typer.Option(
        "--sections", metavar="ID,...",
        help="A focused audit: only these sections of the tool (ids, separated by commas).")] = None,
) -> None:
    """Create a coordinator workbook for a new audit."""
    from xlpack.coordinator.plan_sheets import create_audit  # imported here: xlsxwriter, not at start-up

    try:
        chosen = [s.strip() for s in (sections or "").split(",") if s.strip()]
        if sections is not None and not chosen:
            raise UsageError("--sections needs at least one section id, for example --sections core_group.")
        plan = create_audit(audit, tool, title=title, scale=scale, sections=chosen)
    except XlpackError as exc:
        raise fail(exc) from None
    out.print(visible(f"Created {audit} ({plan.tool.title}, audit id {plan.audit_id})."), markup=False)
    if plan.focused:
        out.print(visible(f"A focused audit of {len(plan.tool.sections)} of the tool's {len(plan.definition.sections)} "
                          f"sections: {'; '.join(s.title for s in plan.tool.sections)}."), markup=False)
    out.print(visible("Next: fill in Terms of reference, Cases and Assignments, save and close it, then run "
                      f"xlpack generate {audit}"), markup=False)
