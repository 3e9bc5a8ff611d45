"""The forms to attach: found in the forms folder, checked to be the ones issued, encrypted on request.

Each issued form is attached exactly as generate wrote it (the same
bytes), so a form can only go to the auditor it was issued to. Before
anything is drafted, every form needed must be in the forms folder, the
folder's ``manifest.json`` must belong to this audit, and each file must
be the one issued: its SHA-256 as on the Issued forms sheet (for forms
issued before that was recorded, its own form id and audit id inside it),
so a file from another audit, an older copy or a form opened and saved
again under the same name is refused. With a password, forms are
encrypted the way Excel does, once everything has been checked (forms
generate encrypted already are attached as they are, once the password
is seen to open them).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlpack.model.plan import AuditPlan, IssuedForm

#: Written by xlpack.generate beside the forms (mail comes before generate in the import order).
MANIFEST = "manifest.json"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
STRINGS_PART = "xl/sharedStrings.xml"
STRINGS_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes


@dataclass
class FormFiles:
    """The forms of one run, by form id, and every reason they cannot be attached."""

    folder: Path
    files: dict[str, Attachment] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    encrypted: bool = False  # some attachment needs a password to open


def is_encrypted(data: bytes) -> bool:
    """An encrypted .xlsx is an OLE compound file, not a zip."""
    return data[:8] == OLE_MAGIC


def encrypt(content: bytes, password: str) -> bytes:
    """Encrypt an .xlsx so it needs a password to open (Agile encryption, as Excel does)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(content)).encrypt(password, out)
    return out.getvalue()


def encrypted_copy(a: Attachment, password: str) -> Attachment:
    """The attachment encrypted with ``password`` (as it is if it is encrypted already)."""
    return a if is_encrypted(a.data) else Attachment(a.filename, encrypt(a.data, password))


def opens_with(data: bytes, password: str) -> bool:
    """Whether ``password`` opens an encrypted workbook."""
    import msoffcrypto

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password, verify_password=True)
    except Exception:  # noqa: BLE001 - a wrong password and a damaged header raise several types
        return False
    return True


def holds_ids(data: bytes, *ids: str) -> bool:
    """Whether a form's text holds every id (xlsxwriter keeps the hidden sheet's text in the shared strings)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf, zf.open(STRINGS_PART) as fh:
            text = fh.read(STRINGS_LIMIT)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False
    return all(i.encode("utf-8") in text for i in ids)


def _is_issued(data: bytes, f: IssuedForm, plan: AuditPlan) -> bool:
    """Whether ``data`` is the file generate wrote for ``f``: its SHA-256 on the Issued forms sheet, or (for
    forms issued before xlpack recorded it) its own form id and audit id inside it."""
    if f.sha256:
        return hashlib.sha256(data).hexdigest() == f.sha256
    return is_encrypted(data) or holds_ids(data, f.form_id, plan.audit_id)


def _manifest_problem(folder: Path, plan: AuditPlan) -> str | None:
    path = folder / MANIFEST
    if not path.is_file():
        return None  # each file is checked for its own ids anyway
    try:
        audit_id = json.loads(path.read_text(encoding="utf-8")).get("audit_id")
    except (OSError, ValueError, AttributeError) as exc:
        return f"{path} cannot be read ({exc}). Run xlpack generate again to rewrite it."
    if audit_id != plan.audit_id:
        return (f"{path} belongs to another audit (audit id {audit_id}, not {plan.audit_id}): {folder} is not this "
                "audit's forms folder. Give the right one with --forms.")
    return None


def load_forms(folder: Path, plan: AuditPlan, forms: Sequence[IssuedForm], audit: Path,
               encrypt_password: str = "") -> FormFiles:
    """Read every form to attach, checking it is the one issued (and that ``encrypt_password`` opens those that
    generate encrypted already)."""
    out = FormFiles(folder)
    if not folder.is_dir():
        out.problems.append(f"The forms folder {folder} does not exist. Give the folder generate wrote the forms "
                            "into with --forms.")
        return out
    manifest = _manifest_problem(folder, plan)
    if manifest:
        out.problems.append(manifest)
        return out
    checked_password = False
    for f in forms:
        path = folder / f.file
        if not path.is_file():
            out.problems.append(f"The form {f.file} (case {f.case_ref}, {f.agency}, {f.auditor}) is on the Issued "
                                f"forms sheet and in {MANIFEST} but not in {folder}. Put it back, or issue it again: "
                                f"xlpack generate \"{audit}\" --reissue \"{f.file}\"")
            continue
        data = path.read_bytes()
        if not _is_issued(data, f, plan):
            out.problems.append(f"{path} is not the form issued as {f.file} (case {f.case_ref}, {f.agency}, "
                                f"{f.auditor}): its content is not what generate wrote. It may have been opened and "
                                f"saved, or replaced. Issue it again: xlpack generate \"{audit}\" --reissue "
                                f"\"{f.file}\"")
            continue
        if is_encrypted(data):
            out.encrypted = True
            if encrypt_password and not checked_password:
                checked_password = True
                if not opens_with(data, encrypt_password):
                    out.problems.append(f"{path} is already encrypted, and not with the password given. Give the "
                                        "password the forms were generated with, or none.")
        out.files[f.form_id] = Attachment(f.file, data)
    return out
