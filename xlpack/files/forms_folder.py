"""Where an audit's issued forms live, so that a second audit beside the first never overwrites them.

Each forms folder holds the ``manifest.json`` of one audit. ``forms/``
beside the coordinator workbook is the default; when it already holds
another audit's manifest (a re-audit saved in the baseline's folder, as
the README's step-by-step does), the default is ``forms <workbook name>/``
instead (:func:`default_forms_folder`), for generate and mail alike. A
folder given with ``--out`` that holds another audit's forms is refused
before anything is written, naming that audit (:func:`other_audit`).
"""

from __future__ import annotations

import json
from pathlib import Path

MANIFEST = "manifest.json"
DEFAULT = "forms"


def read_manifest(folder: Path) -> dict | None:
    """The manifest in ``folder`` (None when there is none, or it cannot be read)."""
    try:
        doc = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def other_audit(folder: Path, audit_id: str) -> str | None:
    """How to name the other audit whose forms ``folder`` holds; None when it holds none (or this audit's)."""
    doc = read_manifest(folder)
    if doc is None or not doc.get("audit_id") or doc.get("audit_id") == audit_id:
        return None
    title, workbook = doc.get("audit_title"), doc.get("workbook")
    named = f"'{title}'" if title else "another audit"
    return named + (f" (workbook {workbook}, audit id {doc['audit_id']})" if workbook else
                    f" (audit id {doc['audit_id']})")


def default_forms_folder(audit: Path, audit_id: str) -> Path:
    """``forms/`` beside the workbook, or ``forms <workbook name>/`` when ``forms/`` holds another audit's forms."""
    audit = Path(audit)
    shared = audit.parent / DEFAULT
    return shared if other_audit(shared, audit_id) is None else audit.parent / f"{DEFAULT} {audit.stem}"
