"""A rejected return, read again: its bytes to attach to the reply and its problems in the auditor's terms.

The Returns sheet names each returned file as it was given to consolidate
(``returns/form.xlsx``, or ``returns/mail.eml/form.xlsx`` for a form
inside a message or archive), with the SHA-256 of the bytes it rejected.
The file is looked for where consolidate may have been run from, opened
the same way intake opens it (read only, nothing run), and used only if it
holds exactly those bytes: a file copied over it since (another case's
form, say) is refused by name, never attached. It is checked again, so
the reply can name each problem with its sheet and cell and say what to
do about it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xlpack.intake.batch import process
from xlpack.intake.problems import Problem
from xlpack.intake.reader import Audit
from xlpack.intake.sources import Found, ReadError, unfold
from xlpack.model.plan import AuditPlan

#: What the auditor can do about each problem that rejects a returned form.
ADVICE = {
    "grade-invalid": "Choose the grade from the dropdown list in that cell.",
    "grade-formula": "Clear the cell and choose the grade from the dropdown list.",
    "choice-invalid": "Choose the answer from the dropdown list in that cell.",
    "not-a-date": "Type the date as a date, for example 14/03/2026.",
    "answer-formula": "Type the answer itself in that cell, not a formula.",
    "text-too-long": "Shorten the text in that cell.",
    "no-answers": "Fill in the yellow cells of the form before sending it back.",
    "locked-text-changed": "Put the original wording back and type only in the yellow cells (I can send you a "
                           "fresh copy of the form if that is easier).",
    "more-changes": "Type only in the yellow cells; the other text of the form must stay as it was sent.",
    "rows-inserted": "Delete the rows you inserted and keep your answers in the yellow cells.",
    "rows-deleted": "Please fill in the form as it was sent, without deleting rows; I can send you a fresh copy.",
    "sheet-missing": "Please fill in the form as it was sent, without deleting sheets; I can send you a fresh copy.",
    "sheet-renamed": "Rename the sheet back to its original name.",
    "old-xls": "Open the form and save it as an Excel Workbook (.xlsx), keeping its name.",
    "wrong-format": "Open the form and save it as an Excel Workbook (.xlsx), keeping its name.",
    "encrypted": "Please send the form without a password of your own, or tell me the password by phone.",
    "wrong-password": "Please send the form without a password of your own, or tell me the password by phone.",
}
GENERIC = "Please send the form again; the copy I received could not be opened or is not the form I sent."
FORM_CODES = ("not-a-whole-number", "number-out-of-range")  # the catalogue's own fix speaks to the auditor


@dataclass
class ReturnedFile:
    """A rejected returned file, read again."""

    source: str  # as on the Returns sheet
    name: str  # the file's own name, for the attachment
    data: bytes
    problems: list[Problem] = field(default_factory=list)  # the errors found in it


def advice(p: Problem) -> str:
    """What the auditor should do about a problem, in their terms."""
    if p.code in FORM_CODES:
        return p.fix
    return ADVICE.get(p.code, GENERIC)


def problem_lines(problems: Sequence[Problem], fallback: str) -> str:
    """The {problems} placeholder: each problem with where it is, what is wrong, and what to do."""
    if not problems:
        return f"1. {fallback}\n   What to do: {GENERIC}"
    return "\n".join(f"{i}. {p.message}\n   What to do: {advice(p)}" for i, p in enumerate(problems, start=1))


def _candidates(source: str, bases: Sequence[Path]) -> list[tuple[str, Path]]:
    """(shown prefix, file on disk) for each prefix of ``source`` that is a file, longest first."""
    cuts = [i for i, ch in enumerate(source) if ch == "/"] + [len(source)]
    out = []
    for cut in reversed(cuts):
        prefix = source[:cut]
        if not prefix:
            continue
        for base in bases:
            disk = Path(prefix) if Path(prefix).is_absolute() else base / prefix
            if disk.is_file():
                out.append((prefix, disk))
                break
    return out


class ReturnedChangedError(Exception):
    """The file at a rejected return's path is not the one consolidate rejected (or that was not recorded)."""


def read_returned(source: str, plan: AuditPlan, bases: Sequence[Path], password: str | None = None,
                  sha256: str = "") -> ReturnedFile:
    """Find and read one returned file again: the one whose bytes hash to ``sha256``, as consolidate recorded.

    Raises FileNotFoundError with the places looked in, or :class:`ReturnedChangedError` when the file found
    holds other bytes, or no SHA-256 was recorded.
    """
    if not sha256:
        raise ReturnedChangedError(
            f"the Returns sheet does not record which bytes of {source} were rejected (it was consolidated by an "
            "earlier xlpack), so xlpack cannot be sure the file there now is the one rejected")
    context = Audit.of(plan)
    changed = None
    for prefix, disk in _candidates(source, bases):
        for item in unfold(Found(prefix, disk)):
            if item.path != source or item.kind != "workbook" or item.load is None:
                continue
            try:
                data = item.load()
            except ReadError:
                continue
            if hashlib.sha256(data).hexdigest() != sha256:
                changed = disk
                continue
            result = process(item, context, password)
            errors = [p for p in result.problems if p.severity == "error"]
            return ReturnedFile(source, item.name, data, errors)
    if changed is not None:
        raise ReturnedChangedError(
            f"{changed} is no longer the file consolidate rejected as {source}: its content has changed since (it "
            "may have been corrected, or replaced by another form), so it is not attached")
    looked = ", ".join(str(b) for b in bases)
    raise FileNotFoundError(f"the returned file {source} was not found (looked from {looked})")
