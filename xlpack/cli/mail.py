"""``xlpack mail``: draft the emails that send the forms, chase the late ones and answer rejected returns.

A thin layer over :func:`xlpack.mail.run.draft_mail`. The drafts written go to
stdout, with how to send a password separately when the forms are
encrypted; what could not be drafted and why goes to stderr. Exit codes:
0 done; 3 done, but some emails could not be drafted; 2 usage error; 1
nothing could be done (nothing was written).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from xlpack.cli.console import disk_errors, err, fail
from xlpack.cli.console import out as stdout
from xlpack.errors import XlpackError
from xlpack.files.passwords import check_encrypt_password
from xlpack.wording import counted


class Kind(StrEnum):
    """The kinds of email (xlpack.mail.run.KINDS; a test keeps them in step)."""

    issue = "issue"
    reminder = "reminder"
    rejected = "rejected"
    feedback = "feedback"


def command(
    audit: Annotated[Path, typer.Argument(metavar="AUDIT.xlsx", help="The coordinator workbook.")],
    kind: Annotated[Kind, typer.Option(
        "--kind", case_sensitive=False,
        help="issue: the forms to their auditors; reminder: forms Overdue or Not returned; rejected: "
             "replies to rejected returns; feedback: each auditor's feedback documents, to pass to the "
             "practitioner and their manager (the last three after consolidate; feedback after xlpack "
             "feedback).")] = Kind.issue,
    out: Annotated[Path | None, typer.Option(
        "--out", metavar="FOLDER",
        help="Folder for the drafts (default: drafts/DATE KIND beside the workbook).")] = None,
    forms: Annotated[Path | None, typer.Option(
        "--forms", metavar="FOLDER",
        help="The folder generate wrote the forms into (default: forms/ beside the workbook, or forms NAME/ if "
             "forms/ is another audit's).")] = None,
    feedback: Annotated[Path | None, typer.Option(
        "--feedback", metavar="FOLDER",
        help="The folder xlpack feedback wrote the documents into (default: feedback/ beside the workbook).")] = None,
    encrypt_password: Annotated[str | None, typer.Option(
        "--encrypt-password", metavar="PASSWORD",
        help="Encrypt the attached forms with this password, of 8 to 255 characters (never written in an email).")
    ] = None,
    again: Annotated[bool, typer.Option(
        "--again", help="Draft again for forms already drafted (today, for reminders and rejected replies).")] = False,
) -> None:
    """Draft emails (.eml, opened by Outlook, Thunderbird or Apple Mail as a new message) with the forms attached.

    Nothing is sent: check each draft and send it from your mail program.
    """
    from xlpack.mail import draft_mail  # imported here: xlsxwriter and the email package, not at start-up

    try:
        with disk_errors("writing the drafts", out or audit.parent):
            result = draft_mail(audit, kind.value, out=out, forms=forms,
                                encrypt_password=check_encrypt_password(encrypt_password), again=again,
                                feedback=feedback)
    except XlpackError as exc:
        raise fail(exc) from None
    for d in result.drafts:
        stdout.print(f"{d.path.name}: to {d.to}, '{d.subject}', {counted(len(d.attachments), 'file')} attached",
                     markup=False)
    if result.drafts:
        about = sum(len(d.form_ids) for d in result.drafts)
        stdout.print(f"Drafted {counted(len(result.drafts), 'email')} about {counted(about, 'form')} "
                     f"into {result.folder}, with recipients.csv beside them. Open each in your mail program, "
                     "check it and send it: xlpack sends nothing.", markup=False)
    else:
        stdout.print(f"No {kind.value} email to draft.", markup=False)
    if result.already:
        err.print(f"{counted(len(result.already), 'form')} already drafted, not drafted again (add --again to):",
                  markup=False)
        for line in result.already[:10]:
            err.print(f"  - {line}", markup=False)
        if len(result.already) > 10:
            err.print(f"  ... and {len(result.already) - 10} more (see the Mail log sheet).", markup=False)
    for line in [*result.warnings, *result.notes]:
        err.print(f"Warning: {line}" if line in result.warnings else line, markup=False)
    if result.password_advice:
        stdout.print(result.password_advice, markup=False)
    raise typer.Exit(result.exit_code)
