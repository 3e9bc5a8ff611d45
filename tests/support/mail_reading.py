"""Reading drafts and coordinator workbooks for the mail tests, without xlpack's own readers.

Drafts are parsed with Python's ``email`` package; workbooks are read with
openpyxl, so what the tests expect does not come from the code under test.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import openpyxl


@dataclass
class Parsed:
    path: Path
    raw: bytes
    msg: EmailMessage

    @property
    def body(self) -> str:
        part = self.msg.get_body(("plain",))
        assert part is not None
        return part.get_content().replace("\r\n", "\n")  # as a mail program shows it

    @property
    def attachments(self) -> dict[str, bytes]:
        out = {}
        for part in self.msg.iter_attachments():
            name = part.get_filename()
            assert name and name not in out, name
            out[name] = part.get_content()
        return out


def parse_drafts(folder: Path | None) -> list[Parsed]:
    assert folder is not None, "no drafts were written"
    out = []
    for path in sorted(folder.glob("*.eml")):
        raw = path.read_bytes()
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        out.append(Parsed(path, raw, msg))
    return out


def table(audit: Path, sheet: str, first_header: str) -> list[dict[str, Any]]:
    """The rows of the table whose header row starts with ``first_header``, as header -> value."""
    wb = openpyxl.load_workbook(audit, read_only=True, data_only=True)
    try:
        rows = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    headers = [str(h) if h is not None else "" for h in rows[start]]
    out = []
    for r in rows[start + 1:]:
        if not r or all(v in (None, "") for v in r):
            continue
        out.append({h: r[i] if i < len(r) else None for i, h in enumerate(headers) if h})
    return out


def terms(audit: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(audit, read_only=True, data_only=True)
    try:
        return {str(r[0]): r[1] for r in wb["Terms of reference"].iter_rows(values_only=True) if r and r[0]}
    finally:
        wb.close()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def long_date(day: Any) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its digest: to show that nothing was written."""
    return {str(p.relative_to(folder)): digest(p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()}
