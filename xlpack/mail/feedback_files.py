"""The feedback documents to attach: found in the feedback folder by the audit and form they name.

``xlpack feedback`` writes one Word document per accepted audit form and
records in each (its core properties' identifier) the audit id and form id
it was written for. The coordinator may edit a document before it is sent,
and may rename it, so a document is found by that identifier, never by its
name: a document of another audit or another form is never attached, and a
form whose document is missing, or found twice, is refused by name.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from xlpack.feedback.folder import FEEDBACK_PREFIX, default_feedback_folder
from xlpack.feedback.folder import identifier as read_identifier
from xlpack.mail.attachments import Attachment, FormFiles, is_encrypted
from xlpack.model.plan import AuditPlan, IssuedForm

PREFIX = FEEDBACK_PREFIX


def identifier(data: bytes) -> str | None:
    """The identifier a .docx records ("xlpack-feedback:AUDIT:FORM"), or None (not a document xlpack can read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return read_identifier(zf)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None


def load_feedback(folder: Path, plan: AuditPlan, forms: Sequence[IssuedForm], audit: Path) -> FormFiles:
    """The feedback document of each form, found by the audit and form id it records."""
    out = FormFiles(folder)
    again = f"xlpack feedback \"{audit}\""
    if not folder.is_dir():
        out.problems.append(f"The feedback folder {folder} does not exist. Write the documents first ({again}), or "
                            "give their folder with --feedback.")
        return out
    found: dict[str, list[tuple[str, bytes]]] = defaultdict(list)
    others: dict[str, str] = {}  # another audit's id -> one of its documents here
    for path in sorted(folder.glob("*.docx")):
        if path.name.startswith("~$"):
            continue  # Word's lock file beside a document open in it
        data = path.read_bytes()
        if is_encrypted(data):
            out.problems.append(f"{path} is encrypted: attach the documents as xlpack feedback wrote them, and use "
                                "--encrypt-password to encrypt them for sending.")
            continue
        ident = identifier(data) or ""
        prefix, _, rest = ident.partition(":")
        audit_id, _, form_id = rest.partition(":")
        if prefix == PREFIX and audit_id == plan.audit_id:
            found[form_id].append((path.name, data))
        elif prefix == PREFIX and audit_id:
            others.setdefault(audit_id, path.name)
    if others and not found:  # the folder of another audit (a re-audit's mail given the baseline's folder)
        owner, name = next(iter(others.items()))
        own = default_feedback_folder(audit, plan.audit_id)
        out.problems.append(f"{folder} holds the feedback documents of another audit (audit id {owner}; {name}), "
                            f"none of this audit's. Give this audit's folder with --feedback (xlpack feedback wrote "
                            f"them into {own} unless told otherwise), or write them: {again}.")
        return out
    for f in forms:
        docs = found.get(f.form_id, [])
        if len(docs) == 1:
            out.files[f.form_id] = Attachment(*docs[0])
        elif not docs:
            out.problems.append(f"No feedback document for case {f.case_ref}, {f.agency}, {f.auditor} is in {folder} "
                                f"(none names its form {f.form_id}). Write it: {again} --force")
        else:
            names = ", ".join(name for name, _ in docs)
            out.problems.append(f"{folder} holds {len(docs)} feedback documents for case {f.case_ref}, {f.agency}, "
                                f"{f.auditor} ({names}): keep the one to send and move the others out.")
    return out
