"""Draft emails for the coordinator to check and send: forms out, reminders, replies to rejected returns.

:func:`draft_mail` writes ``.eml`` drafts (``X-Unsent: 1``) with the right
forms attached, a ``recipients.csv`` beside them, and records what was
drafted on the coordinator workbook's Mail log sheet; the wording is on
its Messages sheet. Nothing is ever sent: xlpack makes no network
connection. Modules: :mod:`~xlpack.mail.templates` (wording and
placeholders), :mod:`~xlpack.mail.select` (which forms), :mod:`~xlpack.mail.recipients`
(addresses, recipients.csv), :mod:`~xlpack.mail.attachments` (the issued
forms), :mod:`~xlpack.mail.returned` (rejected returns read again),
:mod:`~xlpack.mail.drafts` (the messages), :mod:`~xlpack.mail.run` (the run).


The names below are loaded on first use: :mod:`~xlpack.mail.alerts`, which
consolidate imports, would otherwise bring the whole mail run (and with it
feedback's documents, python-docx and matplotlib) into every consolidation.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlpack.mail.run import KINDS, Draft, MailResult, draft_mail

__all__ = ["KINDS", "Draft", "MailResult", "draft_mail"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("xlpack.mail.run"), name)
    raise AttributeError(f"module 'xlpack.mail' has no attribute {name!r}")
