"""``xlpack generate``: one form per case × agency × auditor."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import disk_errors, err, fail, out, progress_bar
from xlpack.errors import XlpackError, visible
from xlpack.files.passwords import check_encrypt_password
from xlpack.wording import counted, noun


def command(
    audit: Annotated[Path, typer.Argument(metavar="AUDIT.xlsx", help="The coordinator workbook.")],
    out_dir: Annotated[Path | None, typer.Option(
        "--out", metavar="FOLDER", help="Folder for the forms (default: forms/ beside the workbook, or forms "
                                        "NAME/ if forms/ is another audit's).")] = None,
    reissue: Annotated[list[str] | None, typer.Option(
        "--reissue", metavar="FORM",
        help="Form id, file name or case reference to issue again (repeatable).")] = None,
    password: Annotated[str, typer.Option(
        "--password", metavar="PASSWORD", help="Password for sheet and structure protection (default: none).")] = "",
    encrypt_password: Annotated[str | None, typer.Option(
        "--encrypt-password", metavar="PASSWORD",
        help="Encrypt each form so it needs this password (8 to 255 characters).")] = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Issue nothing while the Assignments sheet has a problem (an auditor listed for two "
                         "agencies, an agency with one auditor, an auditor of the case's own team, a role that does "
                         "not fit the agency); without it they are warnings.")] = False,
) -> None:
    """Write one form per case × agency × auditor; issue only new ones."""
    from xlpack.generate import generate_forms  # imported here: the whole pipeline, not at start-up

    try:
        with disk_errors("writing the forms", out_dir or audit.parent), progress_bar("Writing forms") as bar:
            task = bar.add_task("forms", total=None)
            result = generate_forms(audit, out_dir, reissue=reissue or (), password=password,
                                    encrypt_password=check_encrypt_password(encrypt_password),
                                    progress=lambda n: bar.advance(task, n), strict=strict)
    except XlpackError as exc:
        raise fail(exc) from None
    n = len(result.skipped)
    out.print(visible(f"Issued {counted(len(result.issued), 'form')} into {result.out_dir}; {n} issued before "
                      f"{noun(n, 'was left as it was', 'were left as they were')}."), markup=False)
    out.print(visible(f"Manifest: {result.manifest}"), markup=False)
    for warning in result.warnings:
        err.print(visible(f"Warning: {warning}"), markup=False)
    if result.issued:
        out.print(visible(f"Next: run xlpack mail {audit} to draft one email per auditor with their forms attached "
                          f"(or send the forms in {result.out_dir} yourself)."), markup=False)
