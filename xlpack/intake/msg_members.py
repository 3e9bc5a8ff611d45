"""The attachments of an Outlook .msg message sent in, each an :class:`~xlpack.intake.items.Item`.

An attached message is a .msg of its own, opened in turn, a level deeper.
extract_msg is imported only when a .msg arrives (it is heavy).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from xlpack.intake.items import Item, constant, member, subject_name


def msg_members(data: bytes, item: Item) -> list[Item]:
    import extract_msg  # heavy (RTF, compressed-RTF and OLE parsers): only when a .msg arrives

    logging.getLogger("extract_msg").setLevel(logging.CRITICAL)
    msg = extract_msg.openMsg(data, strict=False, delayAttachments=False)
    try:
        sent = item.mtime
        with contextlib.suppress(Exception):  # a damaged date is not worth rejecting the message for
            when = getattr(msg, "date", None)
            sent = when.timestamp() if when else sent
        taken: set[str] = set()
        members: list[Item] = []
        for att in _msg_attachments(msg):
            name, payload = att
            members.append(member(item, name, constant(payload), sent, taken))
        return members
    finally:
        msg.close()


def _msg_attachments(msg: object) -> Iterator[tuple[str, bytes]]:
    """Each attachment's name and bytes; an attached message as a .msg of its own, opened in turn (a level more)."""
    for n, att in enumerate(getattr(msg, "attachments", []) or [], start=1):
        data = getattr(att, "data", None)
        name = getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or f"attachment-{n}"
        if isinstance(data, bytes):
            yield str(name), data
        elif data is not None and hasattr(data, "attachments"):  # an embedded message
            subject = subject_name(getattr(data, "subject", None))
            try:
                inner = data.exportBytes(allowBadEmbed=True)
            except Exception:  # noqa: BLE001 - a damaged embedded message is reported as a damaged .msg
                inner = b""
            yield f"{subject}.msg", inner
