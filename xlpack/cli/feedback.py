"""``xlpack feedback``: a feedback document per accepted audit form, for the practitioner and their manager."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import disk_errors, fail, out
from xlpack.errors import UsageError, XlpackError
from xlpack.wording import counted, noun


def command(
    audit: Annotated[Path, typer.Argument(metavar="AUDIT.xlsx", help="The consolidated coordinator workbook.")],
    out_dir: Annotated[Path | None, typer.Option(
        "--out", metavar="DIR", help="Folder for the documents (default: feedback/ beside the workbook).")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace feedback documents already in the folder (edits made to them are lost).")] = False,
    by: Annotated[str, typer.Option(
        "--by", metavar="form|agency",
        help="'form' (default): one document per audit form; 'agency': one learning pack per agency.")] = "form",
) -> None:
    """Write one short Word document per accepted audit form, for the practitioner and their manager.

    Each is a copy of the audit of the agency's record of the case: each section's grade as returned and
    after moderation (with the note), the evidence, strengths, areas for development and actions, with the
    flags about the record first (each once), and a response section for the practitioner and a sign-off
    for their manager. An index (feedback index.xlsx) says which document goes to which auditor.
    With --by agency: one learning pack per agency for its lead auditor (its section profile beside the
    partnership's, its flags, development points and Action plan actions).
    """
    from xlpack.feedback.build import write_feedback  # imported here: python-docx, not at start-up

    if by.strip().casefold() == "agency":
        return _by_agency(audit, out_dir, force)
    if by.strip().casefold() != "form":
        raise fail(UsageError(f"--by must be 'form' or 'agency', not '{by}'.")) from None
    try:
        with disk_errors("writing the feedback documents", out_dir or audit.parent):
            result = write_feedback(audit, out_dir, overwrite=force)
    except XlpackError as exc:
        raise fail(exc) from None
    flagged = sum(1 for f, _ in result.documents if f.act_first)
    out.print(f"Wrote {counted(len(result.documents), 'feedback document')} into {result.out_dir}", markup=False)
    out.print(f"Index (who receives which): {result.index}", markup=False)
    if flagged:
        out.print(f"{counted(flagged, 'document')} {noun(flagged, 'starts', 'start')} with urgent or high flags: "
                  f"send {noun(flagged, 'it', 'those')} first.", markup=False)


def _by_agency(audit: Path, out_dir: Path | None, force: bool) -> None:
    from xlpack.feedback.agency import write_agency_learning  # imported here: python-docx, not at start-up

    try:
        with disk_errors("writing the agency learning packs", out_dir or audit.parent):
            result = write_agency_learning(audit, out_dir, overwrite=force)
    except XlpackError as exc:
        raise fail(exc) from None
    out.print(f"Wrote {counted(len(result.documents), 'agency learning pack')} into {result.out_dir}", markup=False)
    for item, path in result.documents:
        out.print(f"  {item.agency}: {path.name}", markup=False)
