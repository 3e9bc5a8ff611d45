"""The intake error catalogue: every problem a returned file can have.

Each problem has a stable code, a severity, a message template and what
to do about it. Messages say where (sheet and cell as the person sees
them), what is wrong and, through ``fix``, what to do. The README lists
the codes; a test keeps the two in step.

Severity decides a file's status: any ``error`` rejects it, a
``warning`` accepts it with warnings, ``info`` only tells.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from xlpack.errors import MemberSizeError
from xlpack.files.bounded_zip import METHOD_NAMES
from xlpack.wording import noun

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class ProblemType:
    code: str
    severity: Severity
    template: str
    fix: str


@dataclass(frozen=True)
class Problem:
    """One problem found in one file, with where it is."""

    code: str
    severity: Severity
    message: str
    fix: str
    sheet: str | None = None
    cell: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "severity": self.severity, "message": self.message, "fix": self.fix,
                "sheet": self.sheet, "cell": self.cell}


CATALOGUE: dict[str, ProblemType] = {}


def _add(code: str, severity: Severity, template: str, fix: str) -> None:
    CATALOGUE[code] = ProblemType(code, severity, template, fix)


# -- what was found where: files, folders, containers -----------------------
_add("lock-file", "info", "Office lock file (left while a workbook is open); not a form.", "Nothing to do.")
_add("not-a-workbook-file", "info", "Not a workbook ({what}); skipped.",
     "Nothing to do, unless it should have been a form: then ask for the .xlsx file.")
_add("temporary-file", "info", "A temporary copy xlpack writes while saving a workbook, left by a run that was "
     "interrupted; not a return.", "Nothing to do; it may be deleted when no xlpack command is running.")
_add("xlpack-file", "info", "{what}, written by xlpack; not a return.", "Nothing to do.")
_add("coordinator-workbook", "info", "{what} of this audit; not a return.", "Nothing to do.")
_add("unsent-draft", "info", "An unsent draft email (as xlpack mail writes), not a message received; not opened, and "
     "not a return.", "Nothing to do. Returns are the messages auditors send back.")
_add("sample-extract", "info", "The case extract the sample was drawn from (its SHA-256 is on the Sample sheet); not "
     "a return.", "Nothing to do.")
_add("issued-blank", "info", "A blank form, exactly as it was issued; not a return.",
     "Nothing to do. A form the auditor returns is the copy they filled in and saved.")
_add("container-opened", "info", "Opened: {count} {items} inside, listed with paths starting {path}/.",
     "Nothing to do.")
_add("no-workbook-inside", "warning", "The {what} holds no workbook.",
     "If the auditor meant to send their form, ask them to attach the .xlsx file.")
_add("archive-damaged", "error", "The {what} cannot be opened: {detail}.",
     "Ask the sender for it again, or save the attachments from your mail program yourself.")
_add("archive-encrypted", "error", "The zip archive is password-protected; xlpack does not open those.",
     "Extract it yourself and pass the extracted files.")
_add("archive-too-deep", "error", "Containers are nested more than {depth} deep; not opened further.",
     "Extract the inner archive or message yourself and pass its files.")
_add("archive-too-large", "error", "The archive holds {detail}: more than xlpack reads from one archive.",
     "Extract it yourself and pass the files, or split it.")
_add("not-found", "error", "Not found: there is no file or folder at this path.", "Check the path.")
_add("broken-link", "error", "A link to a file that does not exist ({target}).",
     "Replace the link by the file itself.")
_add("not-a-file", "error", "Expected a file but found {what}.",
     "Pass the workbook itself; folders are read for the workbooks inside them.")
_add("internal-error", "error", "xlpack failed while reading this file ({detail}).",
     "This is a bug in xlpack: report it, with the file if it may be shared. Other files were read.")
_add("unreadable", "error", "The file cannot be read ({detail}).", "Check that you may read it and try again.")

# -- the file is not a readable workbook -------------------------------------
_add("empty-file", "error", "The file is empty (0 bytes).",
     "The file was not saved or sent completely: ask the auditor to send it again.")
_add("file-too-large", "error", "The file is {size}, more than the {limit} a returned form can be.",
     "Check that this is a returned form; ask the auditor to send the form itself.")
_add("old-xls", "error", "This is an old Excel 97-2003 workbook (.xls), not the .xlsx form that was sent.",
     "Ask the auditor to fill in the .xlsx form they were sent and save it as Excel Workbook (.xlsx).")
_add("wrong-format", "error", "Saved as {what}, not as the Excel workbook (.xlsx) that was sent.",
     "Ask the auditor to open it and save it as Excel Workbook (.xlsx), keeping the name.")
_add("not-a-workbook", "error", "Not an Excel workbook: {detail}.",
     "Ask the auditor for their filled-in form as an .xlsx file.")
_add("damaged", "error", "The workbook is damaged or incomplete ({detail}).",
     "It was cut short while saving or sending: ask the auditor to send it again.")
_add("encrypted", "error", "The workbook is encrypted: supply the password.",
     "Run again with --password and the password the auditor used or was given.")
_add("wrong-password", "error", "The workbook is encrypted and the password given does not open it.",
     "Check the password with the auditor and run again with --password.")
_add("zip-bomb", "error", "The part {part} would expand from {packed} to {size}: not a genuine form.",
     "Do not open this file; ask the auditor to send the form again.")
_add("size-understated", "error", "'{part}' holds more than the {declared} its zip entry declares ({size} "
     "read before stopping): a disguised zip bomb, not a genuine file; not read further.",
     "Do not open this file; ask the sender for it again.")
_add("zip-method", "error", "The {what} packs {part} with {method} compression, which xlpack does not unpack (Excel "
     "and common zip tools use deflate).", "Extract it yourself (or save it again as .xlsx) and pass that file.")
_add("part-too-large", "error", "The part {part} is {size}, more than the {limit} a form's part can be.",
     "Ask the auditor to send the form itself, not a workbook with other content.")
_add("unsafe-xml", "error", "The part {part} declares XML entities or a document type: not written by Excel "
     "or LibreOffice, and not read.", "Do not open this file; ask the auditor to send the form again.")
_add("empty-workbook", "error", "The workbook has no sheets with data (0 rows).",
     "Ask the auditor to send the form they filled in.")

# -- is it one of our forms? -------------------------------------------------
_add("not-a-form", "error", "Not an xlpack audit form: it has no '{meta}' sheet (sheets: {sheets}).",
     "Ask the auditor to fill in the form they were sent, not another workbook.")
_add("other-coordinator", "error", "This is the coordinator workbook of another audit ({audit}), not a returned "
     "form.", "Check that --audit names this audit's coordinator workbook, and take the other one out of the returns.")
_add("metadata-missing", "error", "This looks like a form (form id {form_id}) but its hidden '{meta}' sheet was "
     "removed, so it cannot be checked.",
     "Ask the auditor to copy their answers into the form they were sent, or reissue it.")
_add("metadata-damaged", "error", "The form's hidden '{meta}' sheet was changed and cannot be read ({detail}).",
     "Reissue the form (xlpack generate --reissue) and ask the auditor to fill it in again.")
_add("other-audit", "error", "This form belongs to another audit ({audit_id}: case {case_ref}, {agency}), "
     "not to {this_audit} ({this_id}).", "Check you passed the right coordinator workbook with --audit.")
_add("unknown-form", "error", "Form id {form_id} (case {case_ref}, {agency}, {auditor}) is not in the manifest of "
     "{this_audit}: it was issued from another copy of the coordinator workbook or its row was removed.",
     "Use the coordinator workbook it was issued from, or reissue the form from this one.")
_add("metadata-mismatch", "error", "The form's hidden details say {field} is '{found}' but the manifest says "
     "'{expected}'.", "Reissue the form (xlpack generate --reissue) and ask the auditor to fill it in again.")
_add("fingerprint-mismatch", "error", "The form's hidden record of its locked text does not match what was "
     "issued: the '{meta}' sheet was edited.",
     "Reissue the form (xlpack generate --reissue) and ask the auditor to fill it in again.")

# -- structure ---------------------------------------------------------------
_add("sheet-missing", "error", "The sheet '{name}' with the answers was removed.",
     "Ask the auditor to fill in the form they were sent without deleting sheets.")
_add("sheet-renamed", "error", "The sheet '{name}' with the answers was renamed to '{found}'.",
     "Rename the sheet back to '{name}' (or ask the auditor to) and run intake again.")
_add("other-sheet-changed", "warning", "The sheet '{name}' was {how}; the answers are on '{data}' and were read.",
     "Nothing to do for this return.")
_add("sheet-added", "warning", "A sheet '{name}' was added; only '{data}' is read.",
     "If it holds answers, ask the auditor to put them in the form's cells.")
_add("metadata-visible", "warning", "The hidden sheet '{meta}' was made visible.", "Nothing to do for this return.")
_add("locked-text-changed", "error", "The locked text was changed: it should read '{expected}' but reads "
     "'{found}'.", "Ask the auditor to answer in the yellow cells only, in the form they were sent.")
_add("more-changes", "error", "{count} more locked {cells} {were} changed.",
     "Ask the auditor to answer in the yellow cells only, in the form they were sent.")
_add("rows-inserted", "error", "{count} {rows} {were} inserted above row {row}: '{expected}' should be in {at} "
     "but is in {moved}.", "Ask the auditor to delete the inserted rows, or to use the form they were sent.")
_add("rows-deleted", "error", "{count} {rows} {were} deleted above row {row}: '{expected}' should be in {at} "
     "but is in {moved}.", "Ask the auditor to use the form they were sent, without deleting rows.")
_add("sheet-unprotected", "warning", "Sheet protection was switched off; the layout was checked and is intact.",
     "Nothing to do for this return.")
_add("structure-unprotected", "warning", "Workbook structure protection was switched off.",
     "Nothing to do for this return.")
_add("has-macros", "warning", "The workbook contains macros; they were not run.",
     "Nothing to do: xlpack never runs them. Ask the auditor to save as .xlsx next time.")
_add("hidden-macros", "error", "The workbook holds a VBA macro project stored as {part}, not where Excel keeps "
     "macros: hidden on purpose; the file was not read further.",
     "Do not open this file; ask the auditor to fill in the form they were sent and save it as Excel Workbook "
     "(.xlsx).")
_add("wrong-extension", "warning", "The file is named {name} but is an .xlsx workbook; read as one.",
     "Nothing to do.")
_add("text-outside-answers", "warning", "'{text}' is outside the answer cells and was not read.",
     "If it is part of the answer, copy it into the answer cell and run intake again.")
_add("more-text-outside", "warning", "{count} more {cells} outside the answer cells {hold} text that was not read.",
     "If it is part of the answers, copy it into the answer cells and run intake again.")

# -- values ------------------------------------------------------------------
_add("grade-invalid", "error", "'{value}' is not a grade. Choose one of: {choices}.",
     "Ask the auditor to choose the grade from the dropdown, or correct the cell and run intake again.")
_add("grade-normalised", "warning", "'{value}' was read as the grade '{grade}'.", "Nothing to do.")
_add("grade-formula", "error", "The grade cell holds a formula ({formula}) instead of a chosen grade.",
     "Ask the auditor to choose the grade from the dropdown.")
_add("choice-invalid", "error", "'{value}' is not one of the answers for '{label}'. Choose one of: {choices}.",
     "Ask the auditor to choose from the dropdown, or correct the cell and run intake again.")
_add("value-normalised", "warning", "'{value}' was read as '{read}'.", "Nothing to do.")
_add("date-as-text", "warning", "'{value}' was typed as text; read as the date {read}.",
     "Nothing to do; check the date if day and month could be the other way round.")
_add("not-a-date", "error", "'{value}' is not a date ({label}).", "Enter a date such as 14/03/2026.")
_add("not-a-whole-number", "error", "'{value}' is not a whole number ({label}).",
     "Enter a whole number from {minimum} to {maximum}.")
_add("number-out-of-range", "error", "{value} is outside {minimum} to {maximum} ({label}).",
     "Enter a whole number from {minimum} to {maximum}.")
_add("text-was-formula", "warning", "The text was typed as a formula ({formula}); kept as the text typed.",
     "Nothing to do; to avoid it, start the text with an apostrophe (') or a space.")
_add("answer-formula", "error", "The answer is a formula ({formula}), not a value ({label}).",
     "Ask the auditor to type the answer itself.")
_add("text-too-long", "error", "The text is {length} characters, more than Excel's 32,767 ({label}).",
     "The file was not written by Excel: ask the auditor to send it again.")
_add("required-missing", "warning", "'{label}' is required but was left blank.",
     "Ask the auditor to complete it, if the answer matters for the meeting.")
_add("possible-name", "warning", "The answer to '{label}' may name a person ({names}, shown by first letters).",
     "Quotes in the report, feedback and emails show it as [name]. If it is a name, ask the auditor to write the "
     "person's role instead (mother, social worker); if not, add it to the Name guard sheet as Not a name.")
_add("no-answers", "error", "The form was returned without any answers.",
     "Ask the auditor to fill in the form and return it again.")

# -- duplicates ----------------------------------------------------------------
_add("superseded", "info", "Superseded by {winner}, a newer copy of the same form (saved {saved}); this copy is "
     "not used.",
     "Nothing to do, unless this copy is the one to use: then remove the later one.")
_add("corrected", "info", "Replaced by {winner}, a corrected copy of the same form (saved {saved}), which was "
     "accepted: this copy was rejected for the problems listed with it, and is not used.", "Nothing to do.")
_add("returned-again", "info", "This form was returned {count} times; this copy, saved {saved}, is the newest and "
     "is used.", "Nothing to do.")


#: Problems that mark a file as one xlpack itself wrote into the audit's folder (the coordinator workbook, its
#: backups and temporary copies, the forms as issued, the manifest, the report): skipped, and left off the
#: consolidated Returns sheet, so reading the audit's own folder gives what reading its returns gives.
OWN_FILES = frozenset({"temporary-file", "xlpack-file", "coordinator-workbook", "issued-blank", "unsent-draft",
                       "sample-extract"})


def where(sheet: str | None, cell: str | None) -> str:
    """A place as a person reads it: "Sheet 'Audit', cell D14: "."""
    if sheet and cell:
        return f"Sheet '{sheet}', cell {cell}: "
    if sheet:
        return f"Sheet '{sheet}': "
    return ""


def problem(code: str, *, sheet: str | None = None, cell: str | None = None, **params: object) -> Problem:
    """Make the problem ``code`` from the catalogue, filling its template."""
    spec = CATALOGUE[code]
    values = {k: _show(v) if k in QUOTED else str(v) for k, v in params.items()}
    count = params.get("count")
    if isinstance(count, int):
        values = {**{many: noun(count, one, many) for many, one in BY_COUNT.items()}, **values}
    return Problem(code, spec.severity, where(sheet, cell) + spec.template.format(**values),
                   spec.fix.format(**values), sheet, cell)


#: Words a template agrees with its ``{count}``: it names the plural ("{rows} {were} inserted"), and a count of 1
#: gets the singular ("1 row was inserted").
BY_COUNT = {"items": "item", "cells": "cell", "rows": "row", "were": "was", "hold": "holds"}

#: Parameters that quote what a person typed: shortened, line breaks shown as spaces.
QUOTED = frozenset({"value", "text", "found", "expected", "formula"})


def _show(value: object, limit: int = 80) -> str:
    text = " ".join(str(value).split("\n"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def size_text(n: int) -> str:
    """A byte count as a person reads it: 12 KB, 3.4 MB."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n} bytes"


def reason_text(exc: BaseException) -> str:
    """An exception as a short reason for a message."""
    text = str(exc).strip().rstrip(".") or type(exc).__name__
    return text[:200]


def worst(problems: list[Problem]) -> Severity | None:
    levels: tuple[Severity, ...] = ("error", "warning", "info")
    for level in levels:
        if any(p.severity == level for p in problems):
            return level
    return None


def member_problem(exc: MemberSizeError, what: str) -> Problem:
    """The problem to report for a zip member of ``what`` ("zip archive", "workbook") not read within its size."""
    name, declared = exc.info.filename, size_text(exc.info.file_size)
    if exc.method is not None:
        return problem("zip-method", what=what, part=name, method=METHOD_NAMES.get(exc.method, f"method {exc.method}"))
    if exc.read is not None and exc.read > exc.info.file_size:
        return problem("size-understated", part=name, declared=declared, size=size_text(exc.read))
    detail = f"the part {name} holds {size_text(exc.read or 0)}, not the {declared} its zip entry declares"
    return problem("archive-damaged" if what == "zip archive" else "damaged", what=what, detail=detail)
