"""What intake accounts for: one :class:`Item` per file found or member of a container, named by what it is.

:func:`classify` says from a name alone whether a file is a workbook to
read, a container to open (.zip, .eml, .msg) or something to skip, and
why; :class:`Limits` bounds what is read, so a hostile or accidental input
stays harmless. The containers are opened by :mod:`.zip_members`,
:mod:`.eml_members` and :mod:`.msg_members`; :mod:`.sources` puts it together.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from xlpack.files.bounded_zip import MiB
from xlpack.files.lock import is_lock_name
from xlpack.files.workbooks import is_temp_name
from xlpack.intake.problems import Problem, problem

Kind = Literal["workbook", "container", "other"]
Status = Literal["accepted", "accepted_with_warnings", "rejected", "skipped", "superseded"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls")
CONTAINER_SUFFIXES = (".zip", ".eml", ".msg")
WRONG_FORMATS = {
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".fods": "a flat OpenDocument spreadsheet (.fods)",
    ".xlsb": "an Excel binary workbook (.xlsb)",
    ".csv": "CSV text (.csv)",
    ".numbers": "a Numbers spreadsheet (.numbers)",
}
SYSTEM_FILES = {".ds_store": "macOS folder settings", "thumbs.db": "Windows thumbnails",
                "desktop.ini": "Windows folder settings", "winmail.dat": "Outlook rich-text data (winmail.dat)"}
DESCRIPTIONS = {".png": "an image", ".jpg": "an image", ".jpeg": "an image", ".gif": "an image", ".bmp": "an image",
                ".tif": "an image", ".tiff": "an image", ".pdf": "a PDF", ".doc": "a Word document",
                ".docx": "a Word document", ".txt": "a text file", ".htm": "a web page", ".html": "a web page",
                ".p7s": "an email signature", ".vcf": "a contact card", ".ics": "a calendar invitation"}

#: Files xlpack writes beside the forms and the coordinator workbook (a test keeps these in step with
#: generate.MANIFEST and report.REPORT_SUFFIX, which this stage cannot import).
MANIFEST_NAME = "manifest.json"
REPORT_ENDING = " overview report.docx"
INTERNAL_REPORT_ENDING = " overview report (internal).docx"
#: ... and, written by mail, feedback and compare: recipients.csv beside the drafts, the feedback index and
#: documents (``Feedback_CASE_AGENCY.docx``), the comparison workbook (``<re-audit> comparison.xlsx``).
OWN_NAMES = {"recipients.csv": "The list of the recipients of draft emails (recipients.csv)",
             "feedback index.xlsx": "The index of the feedback documents"}
OWN_PATTERNS = ((re.compile(r"^feedback_.+\.docx$"), "A feedback document for a practitioner"),
                (re.compile(r"^learning_.+\.docx$"), "An agency's learning pack"),
                (re.compile(r"^.+ meeting pack\.docx$"), "A moderation meeting pack"),
                (re.compile(r"^.+ comparison\.(xlsx|docx)$"), "A comparison of a re-audit with its baseline"))


@dataclass(frozen=True)
class Limits:
    """How much intake reads, so a hostile or accidental input stays harmless."""

    file_bytes: int = 40 * MiB  # one workbook, on disk or inside a container
    message_bytes: int = 200 * MiB  # one .eml or .msg (read whole)
    archive_entries: int = 20_000
    archive_bytes: int = 4096 * MiB  # all members of one zip, uncompressed
    ratio: int = 200  # uncompressed / compressed beyond which a large member is a bomb
    depth: int = 3  # containers inside containers


DEFAULT_LIMITS = Limits()


class ReadError(Exception):
    """A file's bytes could not be had; carries the problem to report."""

    def __init__(self, found: Problem):
        super().__init__(found.message)
        self.problem = found


@dataclass
class Item:
    """One thing to account for: a file, a container or a container's member."""

    path: str
    kind: Kind
    mtime: float | None = None
    load: Callable[[], bytes] | None = None
    problems: list[Problem] = field(default_factory=list)
    status: Status | None = None  # decided here for what is not a workbook to read
    name: str = ""

    def __post_init__(self) -> None:
        self.name = self.name or self.path.rsplit("/", 1)[-1]


def classify(name: str) -> tuple[Kind, Problem | None, Status | None]:
    """What a file is, by its name alone: a workbook to read, a container to open, or something to skip."""
    base = name.rsplit("/", 1)[-1]
    lower = base.lower()
    suffix = os.path.splitext(lower)[1]
    if base.startswith("~$") or (base.startswith(".~lock.") and base.endswith("#")):
        return "other", problem("lock-file"), "skipped"
    if lower.startswith("._") or "__macosx/" in name.lower():
        return "other", problem("not-a-workbook-file", what="macOS metadata"), "skipped"
    if lower in SYSTEM_FILES:
        return "other", problem("not-a-workbook-file", what=SYSTEM_FILES[lower]), "skipped"
    if is_temp_name(base):
        return "other", problem("temporary-file"), "skipped"
    if is_lock_name(base):
        return "other", problem("xlpack-file", what="The lock xlpack keeps beside the workbook while a command "
                                                    "runs"), "skipped"
    if lower == MANIFEST_NAME:
        return "other", problem("xlpack-file", what="The list of the forms issued (manifest.json)"), "skipped"
    if lower.endswith(REPORT_ENDING) or lower.endswith(INTERNAL_REPORT_ENDING):
        return "other", problem("xlpack-file", what="An overview report"), "skipped"
    own = OWN_NAMES.get(lower) or next((what for pattern, what in OWN_PATTERNS if pattern.match(lower)), None)
    if own is not None:
        return "other", problem("xlpack-file", what=own), "skipped"
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook", None, None
    if suffix in CONTAINER_SUFFIXES:
        return "container", None, None
    if suffix in WRONG_FORMATS:
        return "other", problem("wrong-format", what=WRONG_FORMATS[suffix]), "rejected"
    what = DESCRIPTIONS.get(suffix) or (f"a {suffix} file" if suffix else "a file without an extension")
    return "other", problem("not-a-workbook-file", what=what), "skipped"


def rejected(item: Item, found: Problem) -> Item:
    item.problems.append(found)
    item.status = "rejected"
    return item


def member(parent: Item, name: str, load: Callable[[], bytes], mtime: float | None, taken: set[str]) -> Item:
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "attachment"
    shown = name
    n = 2
    while shown.casefold() in taken:
        stem, ext = os.path.splitext(name)
        shown = f"{stem} ({n}){ext}"
        n += 1
    taken.add(shown.casefold())
    kind, note, status = classify(shown)
    return Item(f"{parent.path}/{shown}", kind, mtime, load, [note] if note else [], status, name=shown)


def constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def subject_name(subject: object) -> str:
    """A name for an attached message from its subject (no folder separators in it)."""
    text = str(subject or "").replace("/", "-").replace("\\", "-").strip()[:60]
    return text or "attached message"
