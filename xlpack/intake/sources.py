"""Where returned workbooks come from: files, folders, .zip, .eml and .msg.

:func:`discover` turns the paths a person gave into the files to look at
(folders walked recursively, links followed once, nothing opened yet).
:func:`unfold` yields one :class:`Item` for a file and, for a container,
one per member, each named as the person sees it (``mail.eml/form.xlsx``).

Nothing here writes, moves or runs anything. Files are opened read-only;
containers are read within :class:`Limits`, so a zip bomb or a huge
mailbox export cannot exhaust memory; a zip's members are read one at a
time, when the caller asks for them.
"""

from __future__ import annotations

import contextlib
import email
import email.message
import email.parser
import email.policy
import email.utils
import io
import logging
import os
import re
import stat
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from xlpack.errors import MemberSizeError
from xlpack.files.bounded_zip import MiB, inflate
from xlpack.files.lock import is_lock_name
from xlpack.files.workbooks import is_temp_name
from xlpack.intake.problems import Problem, member_problem, problem, reason_text, size_text

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


@dataclass
class Found:
    """A file (or a problem where one was expected) found by :func:`discover`."""

    path: str
    disk: Path
    problem: Problem | None = None


# ---------------------------------------------------------------- discovering


def discover(paths: Sequence[Path]) -> list[Found]:
    """Every file under ``paths``, in a stable order, each once."""
    out: list[Found] = []
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()

    def visit(disk: Path, shown: str) -> None:
        try:
            lst = os.lstat(disk)
        except FileNotFoundError:
            out.append(Found(shown, disk, problem("not-found")))
            return
        except OSError as exc:
            out.append(Found(shown, disk, problem("unreadable", detail=exc.strerror or exc)))
            return
        if stat.S_ISLNK(lst.st_mode):
            system = _system_target(disk)
            if system is not None:
                out.append(Found(shown, disk, problem("not-a-file", what=f"a link into {system}, a folder of the "
                                                      "operating system (not followed)")))
                return
        try:
            st = os.stat(disk) if stat.S_ISLNK(lst.st_mode) else lst
        except OSError:
            out.append(Found(shown, disk, problem("broken-link", target=_link_target(disk))))
            return
        key = (st.st_dev, st.st_ino)
        if stat.S_ISDIR(st.st_mode):
            if key in seen_dirs:
                return
            seen_dirs.add(key)
            if disk.suffix.lower() in WORKBOOK_SUFFIXES:
                out.append(Found(shown, disk, problem("not-a-file", what="a folder (the files inside it were read)")))
            try:
                children = sorted(os.listdir(disk))
            except OSError as exc:
                out.append(Found(shown, disk, problem("unreadable", detail=exc.strerror or exc)))
                return
            for child in children:
                visit(disk / child, f"{shown.rstrip('/')}/{child}")
        elif stat.S_ISREG(st.st_mode):
            if key not in seen_files:
                seen_files.add(key)
                out.append(Found(shown, disk))
        else:
            out.append(Found(shown, disk, problem("not-a-file", what="a device, pipe or socket")))

    for p in paths:
        visit(Path(p), str(p))
    return out


#: Folders of the operating system that hold no files of returns: a link into one is not followed.
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


def _system_target(link: Path) -> str | None:
    """The system folder a link leads into (following every link on the way), if it does."""
    if os.name != "posix":
        return None
    try:
        target = os.path.realpath(link)
    except (OSError, ValueError):
        return None
    return next((top for top in SYSTEM_FOLDERS if target == top or target.startswith(top + "/")), None)


def _link_target(link: Path) -> str:
    try:
        return os.readlink(link)
    except (OSError, ValueError) as exc:
        return f"where it leads cannot be read: {getattr(exc, 'strerror', None) or exc}"


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


# ---------------------------------------------------------------- unfolding


def unfold(found: Found, limits: Limits = DEFAULT_LIMITS) -> Iterator[Item]:
    """The item for one found file and, for a container, its members (recursively)."""
    if found.problem is not None:
        yield Item(found.path, "other", problems=[found.problem], status="rejected")
        return
    try:
        mtime: float | None = found.disk.stat().st_mtime
    except OSError:
        mtime = None
    kind, note, status = classify(found.path)
    disk = found.disk
    loader = _disk_loader(disk, limits.message_bytes if kind == "container" else limits.file_bytes)
    item = Item(found.path, kind, mtime, loader, [note] if note else [], status)
    yield from _unfold_item(item, limits, 1, disk if disk.suffix.lower() == ".zip" else None)


def _disk_loader(disk: Path, limit: int) -> Callable[[], bytes]:
    def load() -> bytes:
        try:
            # Not blocking: a pipe put where the file was found must not stop the batch.
            fd = os.open(disk, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
            with open(fd, "rb") as fh:
                st = os.fstat(fh.fileno())
                if not stat.S_ISREG(st.st_mode):
                    raise ReadError(problem("not-a-file", what="a device, pipe or socket"))
                if st.st_size > limit:
                    raise ReadError(problem("file-too-large", size=size_text(st.st_size), limit=size_text(limit)))
                data = fh.read(limit + 1)
        except OSError as exc:
            raise ReadError(problem("unreadable", detail=exc.strerror or exc)) from exc
        if len(data) > limit:
            raise ReadError(problem("file-too-large", size=f"over {size_text(limit)}", limit=size_text(limit)))
        return data

    return load


def _unfold_item(item: Item, limits: Limits, depth: int, zip_path: Path | None = None) -> Iterator[Item]:
    if item.kind != "container":
        yield item
        return
    if depth > limits.depth:
        yield _rejected(item, problem("archive-too-deep", depth=limits.depth))
        return
    suffix = os.path.splitext(item.name.lower())[1]
    if suffix == ".zip":
        yield from _unfold_zip(item, limits, depth, zip_path)
        return
    assert item.load is not None
    try:
        data = item.load()
    except ReadError as exc:
        yield _rejected(item, exc.problem)
        return
    what = "email" if suffix == ".eml" else "Outlook message"
    if suffix == ".eml" and unsent(data):
        yield Item(item.path, "other", item.mtime, None, [problem("unsent-draft")], "skipped")
        return
    try:
        members = _eml_members(data, item) if suffix == ".eml" else _msg_members(data, item)
    except Exception as exc:  # noqa: BLE001 - the mail parsers raise many types for damaged files
        yield _rejected(item, problem("archive-damaged", what=what, detail=reason_text(exc)))
        return
    del data
    yield from _with_members(item, what, members, limits, depth)


def _rejected(item: Item, found: Problem) -> Item:
    item.problems.append(found)
    item.status = "rejected"
    return item


def _with_members(item: Item, what: str, members: list[Item], limits: Limits, depth: int) -> Iterator[Item]:
    item.status = "skipped"
    if any(m.kind != "other" for m in members):
        item.problems.append(problem("container-opened", count=len(members), path=item.path))
    else:
        item.problems.append(problem("no-workbook-inside", what=what))
    yield item
    for member in members:
        yield from _unfold_item(member, limits, depth + 1)


def _member(parent: Item, name: str, load: Callable[[], bytes], mtime: float | None, taken: set[str]) -> Item:
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


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


# -- zip ---------------------------------------------------------------------


def _unfold_zip(item: Item, limits: Limits, depth: int, zip_path: Path | None) -> Iterator[Item]:
    try:
        if zip_path is not None:  # on disk: read members from the file, not memory
            source: io.BufferedIOBase | Path = zip_path
        else:
            assert item.load is not None
            source = io.BytesIO(item.load())
        archive = zipfile.ZipFile(source)
    except ReadError as exc:
        yield _rejected(item, exc.problem)
        return
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield _rejected(item, problem("archive-damaged", what="zip archive", detail=reason_text(exc)))
        return
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        total = sum(i.file_size for i in infos)
        if len(infos) > limits.archive_entries:
            yield _rejected(item, problem("archive-too-large", detail=f"{len(infos)} entries"))
            return
        if total > limits.archive_bytes:
            yield _rejected(item, problem("archive-too-large", detail=size_text(total)))
            return
        if any(i.flag_bits & 0x1 for i in infos):
            yield _rejected(item, problem("archive-encrypted"))
            return
        taken: set[str] = set()
        members = [_member(item, info.filename, _zip_loader(archive, info, limits), _zip_time(info, item.mtime),
                           taken) for info in infos]
        yield from _with_members(item, "zip archive", members, limits, depth)


def _zip_loader(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> Callable[[], bytes]:
    def load() -> bytes:
        if info.file_size > limits.file_bytes:
            raise ReadError(problem("file-too-large", size=size_text(info.file_size),
                                    limit=size_text(limits.file_bytes)))
        if info.file_size > MiB and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise ReadError(problem("zip-bomb", part=info.filename, packed=size_text(info.compress_size),
                                    size=size_text(info.file_size)))
        try:
            return inflate(archive, info)
        except MemberSizeError as exc:
            raise ReadError(member_problem(exc, "zip archive")) from exc
        except Exception as exc:  # zlib.error, BadZipFile, OSError, ... from a damaged stream
            raise ReadError(problem("archive-damaged", what="zip archive", detail=reason_text(exc))) from exc

    return load


def _zip_time(info: zipfile.ZipInfo, fallback: float | None) -> float | None:
    try:
        return time.mktime((*info.date_time, 0, 0, -1))
    except (OverflowError, ValueError):
        return fallback


# -- email -------------------------------------------------------------------


def unsent(data: bytes) -> bool:
    """Whether a message is a draft marked unsent (``X-Unsent: 1``, as xlpack's drafts are), not one received."""
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(data[:64 * 1024])
    except Exception:  # noqa: BLE001 - a damaged message is reported when it is opened
        return False
    return str(headers.get("X-Unsent", "")).strip() == "1" and not headers.get("Received")


def _eml_members(data: bytes, item: Item) -> list[Item]:
    """The message's attachments; an attached (forwarded) message is a member of its own, opened in turn."""
    msg = email.message_from_bytes(data, policy=email.policy.default)
    if not msg.keys():
        raise ValueError("no email headers found")
    sent = _mail_time(msg.get("Date"), item.mtime)
    taken: set[str] = set()
    members: list[Item] = []
    for part in _own_parts(msg):
        if part.get_content_type() == "message/rfc822":
            members.append(_member(item, _message_name(part), _attached_message(part), sent, taken))
            continue
        filename = part.get_filename()
        if part.is_multipart() or not filename:
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            payload = b""
        members.append(_member(item, filename, _constant(payload), sent, taken))
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
        name = _subject_name(inner.get("Subject") if inner is not None else None)
    return name if name.lower().endswith(".eml") else f"{name}.eml"


def _subject_name(subject: object) -> str:
    """A name for an attached message from its subject (no folder separators in it)."""
    text = str(subject or "").replace("/", "-").replace("\\", "-").strip()[:60]
    return text or "attached message"


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


# -- Outlook .msg --------------------------------------------------------------


def _msg_members(data: bytes, item: Item) -> list[Item]:
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
            members.append(_member(item, name, _constant(payload), sent, taken))
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
            subject = _subject_name(getattr(data, "subject", None))
            try:
                inner = data.exportBytes(allowBadEmbed=True)
            except Exception:  # noqa: BLE001 - a damaged embedded message is reported as a damaged .msg
                inner = b""
            yield f"{subject}.msg", inner
