"""Draft emails as ``.eml`` files that mail programs open as a new message, ready to check and send.

Each draft is an :class:`email.message.EmailMessage` written with
:data:`email.policy.SMTP` (see :data:`DRAFT_POLICY`) and the header
``X-Unsent: 1``, which Outlook, Thunderbird and Apple Mail take as an
unsent draft. Names outside ASCII are encoded as the standards say
(RFC 2047 in headers, RFC 2231 for attachment names). The Message-ID uses
the coordinator's own domain, so making one never looks anything up on
the network.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import format_datetime, make_msgid
from pathlib import Path

from xlpack.files.workers import end_with_parent, stop_pool
from xlpack.mail.attachments import Attachment

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')
_UNFOLDED = SMTP.clone(max_line_length=998)


class _DraftPolicy(EmailPolicy):
    """:data:`email.policy.SMTP`, except that a plain-ASCII Subject is not folded.

    Python folds a subject of 70 to 77 characters by moving all of it to a
    continuation line, and then reads it back with a leading space. One
    line of up to 998 characters is what RFC 5322 allows; a subject with
    other characters is encoded and folded as usual (RFC 2047).
    """

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "subject" and str(value).isascii():
            return _UNFOLDED.fold_binary(name, value)
        return super().fold_binary(name, value)


DRAFT_POLICY = _DraftPolicy(linesep="\r\n")  # what email.policy.SMTP is: the default policy with CRLF


def build_message(*, sender: tuple[str, str], to: tuple[str, str], subject: str, body: str,
                  attachments: Sequence[Attachment], when: datetime) -> EmailMessage:
    """One draft: From the coordinator, To the auditor, marked as unsent, with the files attached."""
    msg = EmailMessage(policy=DRAFT_POLICY)
    msg["From"] = _address(*sender)
    msg["To"] = _address(*to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when if when.tzinfo else when.astimezone())
    msg["Message-ID"] = make_msgid(domain=sender[1].rpartition("@")[2] or "xlpack.invalid")
    msg["X-Unsent"] = "1"
    msg.set_content(body)
    for a in attachments:
        kind = DOCX_TYPE if a.filename.lower().endswith(".docx") else XLSX_TYPE  # feedback documents; forms
        msg.add_attachment(a.data, maintype=kind[0], subtype=kind[1], filename=a.filename)
    return msg


def _address(name: str, email: str) -> Address:
    user, _, domain = email.strip().rpartition("@")
    return Address(display_name=name.strip(), username=user, domain=domain)


def file_name(*parts: str) -> str:
    """A draft's file name from its parts (kind, case, auditor), safe on Windows, macOS and Linux."""
    text = " - ".join(" ".join(_UNSAFE.sub(" ", p).split()) for p in parts if p.strip())
    return text.strip(" .")[:150] + ".eml"


def unique_name(name: str, taken: set[str]) -> str:
    stem, n, out = name[:-4], 2, name
    while out.casefold() in taken:
        out = f"{stem} ({n}).eml"
        n += 1
    taken.add(out.casefold())
    return out


def recipient_text(name: str, email: str) -> str:
    """How the To header reads: "Name <address>"."""
    return str(_address(name, email))


@dataclass(frozen=True)
class DraftJob:
    """One draft to build and write (picklable, for worker processes)."""

    path: Path
    sender: tuple[str, str]
    to: tuple[str, str]
    subject: str
    body: str
    attachments: tuple[Attachment, ...]
    when: datetime


PARALLEL_FROM = 40  # drafts: fewer are written faster in one process


def _write(job: DraftJob) -> None:
    msg = build_message(sender=job.sender, to=job.to, subject=job.subject, body=job.body,
                        attachments=job.attachments, when=job.when)
    job.path.write_bytes(msg.as_bytes())


def _write_or_fail(job: DraftJob) -> OSError | None:
    """In a worker: write one draft; a failure to write it (a full disk, a folder gone) is returned, not raised,
    so the pool itself never breaks and ends as usual."""
    try:
        _write(job)
    except OSError as exc:
        return exc
    return None


def write_drafts(jobs: Sequence[DraftJob], workers: int | None = None) -> None:
    """Build and write every draft; a large batch in one process per core (the email package is slow).

    The worker processes end with this one (:func:`~xlpack.files.workers.end_with_parent`), even when it is
    killed with SIGKILL. A draft that cannot be written raises its OSError once the workers have stopped: the
    jobs not started are cancelled, those running finish, and the pool ends normally (stopping it by force
    while it fed its workers could leave the command waiting at exit).
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        for job in jobs:
            _write(job)
        return
    failed: OSError | None = None
    with ProcessPoolExecutor(max_workers=workers, initializer=end_with_parent, initargs=(os.getpid(),)) as pool:
        try:
            for result in pool.map(_write_or_fail, jobs, chunksize=max(1, len(jobs) // (workers * 4))):
                if result is not None:
                    failed = result
                    break
        except BaseException:  # stopped early (SIGTERM, Ctrl-C, a worker gone): the rest is not waited for
            stop_pool(pool)
            raise
        if failed is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if failed is not None:
        raise failed
