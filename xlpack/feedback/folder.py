"""Where an audit's feedback documents live, so that a second audit beside the first never overwrites them.

Every document ``xlpack feedback`` writes records, in its core properties'
identifier, the audit it was written for (``xlpack-feedback:AUDIT:FORM``
for a practitioner's feedback, ``xlpack-learning:AUDIT:AGENCY`` for an
agency's learning pack). ``feedback/`` beside the coordinator workbook is
the default folder; when it already holds another audit's documents (a
re-audit saved in the baseline's folder), the default is ``feedback
<workbook name>/`` instead, for ``feedback`` and ``mail --kind feedback``
alike. A folder given with ``--out`` that holds another audit's documents
is refused before anything is written, even with ``--force``, naming that
audit: ``--force`` replaces this audit's documents, never another's.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from xlpack.errors import UsageError
from xlpack.wording import counted

FEEDBACK_FOLDER = "feedback"
FEEDBACK_PREFIX = "xlpack-feedback"
LEARNING_PREFIX = "xlpack-learning"
CORE_PART = "docProps/core.xml"
_IDENTIFIER = re.compile(rb"<dc:identifier>([^<]*)</dc:identifier>")
_CORE_LIMIT = 1 << 20  # a core properties part is a few hundred bytes; read no more than this of it


def identifier(source: Path | zipfile.ZipFile) -> str | None:
    """The identifier a .docx records in its core properties, or None (none, or not a document xlpack can read)."""
    try:
        if isinstance(source, zipfile.ZipFile):
            with source.open(CORE_PART) as fh:
                found = _IDENTIFIER.search(fh.read(_CORE_LIMIT))
        else:
            with zipfile.ZipFile(source) as zf, zf.open(CORE_PART) as fh:
                found = _IDENTIFIER.search(fh.read(_CORE_LIMIT))
    except (KeyError, zipfile.BadZipFile, OSError, EOFError, ValueError):
        return None
    return found.group(1).decode("utf-8", "replace").strip() if found else None


def audit_of(path: Path) -> str | None:
    """The audit id a feedback document or learning pack written by xlpack records; None for any other file."""
    prefix, _, rest = (identifier(path) or "").partition(":")
    return rest.partition(":")[0] or None if prefix in (FEEDBACK_PREFIX, LEARNING_PREFIX) else None


def other_audits(folder: Path, audit_id: str) -> dict[str, str]:
    """Audit id -> one of its documents' names, for every other audit whose documents ``folder`` holds."""
    found: dict[str, str] = {}
    if not Path(folder).is_dir():
        return found
    for path in sorted(Path(folder).glob("*.docx")):
        if path.name.startswith("~$") or not path.is_file():
            continue
        owner = audit_of(path)
        if owner and owner != audit_id:
            found.setdefault(owner, path.name)
    return found


def default_feedback_folder(audit: Path, audit_id: str) -> Path:
    """``feedback/`` beside the workbook, or ``feedback <workbook name>/`` when it holds another audit's documents."""
    audit = Path(audit)
    shared = audit.parent / FEEDBACK_FOLDER
    return shared if not other_audits(shared, audit_id) else audit.parent / f"{FEEDBACK_FOLDER} {audit.stem}"


def refuse_another_audits(folder: Path, audit_id: str) -> None:
    """Refuse, naming it, to write into a folder holding another audit's feedback documents (even with --force)."""
    others = other_audits(folder, audit_id)
    if others:
        owner, name = next(iter(others.items()))
        raise UsageError(f"{folder} holds the feedback documents of another audit (audit id {owner}; {name}"
                         + (f" and {counted(len(others) - 1, 'other audit')}" if len(others) > 1 else "")
                         + "). They are not replaced, even with --force: give another folder with --out, or "
                         "leave --out off to use this audit's own folder.")
