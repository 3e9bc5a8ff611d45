"""The attachments of an .eml message sent in, each an :class:`~xlpack.intake.items.Item`.

An attached (forwarded) message is a member of its own, opened in turn, a
level deeper; an unsent draft (as xlpack's mail command writes) is not
opened at all (:func:`unsent`).
"""

from __future__ import annotations

import email
import email.message
import email.parser
import email.policy
import email.utils
from collections.abc import Callable, Iterator

from xlpack.intake.items import Item, constant, member, subject_name


def unsent(data: bytes) -> bool:
    """Whether a message is a draft marked unsent (``X-Unsent: 1``, as xlpack's drafts are), not one received."""
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data[:64 * 1024])
    except Exception:  # noqa: BLE001 - a damaged message is reported when it is opened
        return False
    return str(headers.get("X-Unsent", "")).strip() == "1" and not headers.get("Received")


def eml_members(data: bytes, item: Item) -> list[Item]:
    """The message's attachments; an attached (forwarded) message is a member of its own, opened in turn."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if not msg.keys():
        raise ValueError("no email headers found")
    sent = _mail_time(msg.get("Date"), item.mtime)
    taken: set[str] = set()
    members: list[Item] = []
    for part in _own_parts(msg):
        if part.get_content_type() == "message/rfc822":
            members.append(member(item, _message_name(part), _attached_message(part), sent, taken))
            continue
        filename = part.get_filename()
        if part.is_multipart() or not filename:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
        members.append(member(item, filename, constant(payload), sent, taken))
    return members


def _own_parts(msg: email.message.Message) -> Iterator[email.message.Message]:
    """A message and its parts, in order, not descending into attached messages (each is a level of its own)."""
    stack = [msg]
    while stack:
        part = stack.pop()
        yield part
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            stack += reversed([p for p in part.get_payload() if isinstance(p, email.message.Message)])


def _message_name(part: email.message.Message) -> str:
    """An attached message's name: its file name, else its subject, ending in .eml so it is opened as one."""
    name = part.get_filename() or ""
    if not name:
        inner = _inner_message(part)
        name = subject_name(inner.get("Subject") if inner is not None else None)
    return name if name.lower().endswith(".eml") else f"{name}.eml"


def _inner_message(part: email.message.Message) -> email.message.Message | None:
    """The message a message/rfc822 part holds, when the parser parsed it (not when it was sent encoded)."""
    inner = part.get_payload()
    if isinstance(inner, list) and inner and isinstance(inner[0], email.message.Message):
        return inner[0]
    return None


def _attached_message(part: email.message.Message) -> Callable[[], bytes]:
    def load() -> bytes:
        inner = _inner_message(part)
        if inner is not None:
            return inner.as_bytes(policy=email.policy.default)
        payload = part.get_payload(decode=True)  # sent encoded (base64): its bytes
        return payload if isinstance(payload, bytes) else b""

    return load


def _mail_time(header: object, fallback: float | None) -> float | None:
    try:
        return email.utils.parsedate_to_datetime(str(header)).timestamp() if header else fallback
    except (TypeError, ValueError, IndexError):
        return fallback
