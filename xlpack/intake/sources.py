"""Where returned workbooks come from: files, folders, .zip, .eml and .msg.

:func:`~xlpack.intake.discover.discover` turns the paths a person gave into
the files to look at. :func:`unfold` yields one :class:`Item` for a file
and, for a container, one per member, each named as the person sees it
(``mail.eml/form.xlsx``): one module per kind of container, as
:mod:`.zip_members`, :mod:`.eml_members` and :mod:`.msg_members`, and what
they share in :mod:`.items`.

Nothing here writes, moves or runs anything. Files are opened read-only;
containers are read within :class:`Limits`, so a zip bomb or a huge
mailbox export cannot exhaust memory; a zip's members are read one at a
time, when the caller asks for them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from xlpack.intake.discover import Found, discover
from xlpack.intake.eml_members import eml_members, unsent
from xlpack.intake.items import (
    DEFAULT_LIMITS,
    MANIFEST_NAME,
    REPORT_ENDING,
    Item,
    Kind,
    Limits,
    ReadError,
    Status,
    classify,
    rejected,
)
from xlpack.intake.msg_members import msg_members
from xlpack.intake.problems import problem, reason_text, size_text
from xlpack.intake.zip_members import open_zip, zip_members

__all__ = ["DEFAULT_LIMITS", "MANIFEST_NAME", "REPORT_ENDING", "Found", "Item", "Kind", "Limits", "ReadError",
           "Status", "classify", "discover", "unfold"]


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
        yield rejected(item, problem("archive-too-deep", depth=limits.depth))
        return
    suffix = os.path.splitext(item.name.lower())[1]
    if suffix == ".zip":
        yield from _unfold_zip(item, limits, depth, zip_path)
    else:
        yield from _unfold_message(item, limits, depth, suffix)


def _unfold_zip(item: Item, limits: Limits, depth: int, zip_path: Path | None) -> Iterator[Item]:
    try:
        archive = open_zip(item, zip_path)
    except ReadError as exc:
        yield rejected(item, exc.problem)
        return
    with archive:  # open while the members are read, one at a time
        try:
            members = zip_members(archive, item, limits)
        except ReadError as exc:
            yield rejected(item, exc.problem)
            return
        yield from _with_members(item, "zip archive", members, limits, depth)


def _unfold_message(item: Item, limits: Limits, depth: int, suffix: str) -> Iterator[Item]:
    assert item.load is not None
    try:
        data = item.load()
    except ReadError as exc:
        yield rejected(item, exc.problem)
        return
    what = "email" if suffix == ".eml" else "Outlook message"
    if suffix == ".eml" and unsent(data):
        yield Item(item.path, "other", item.mtime, None, [problem("unsent-draft")], "skipped")
        return
    try:
        members = eml_members(data, item) if suffix == ".eml" else msg_members(data, item)
    except Exception as exc:  # noqa: BLE001 - the mail parsers raise many types for damaged files
        yield rejected(item, problem("archive-damaged", what=what, detail=reason_text(exc)))
        return
    del data
    yield from _with_members(item, what, members, limits, depth)


def _with_members(item: Item, what: str, members: list[Item], limits: Limits, depth: int) -> Iterator[Item]:
    item.status = "skipped"
    if any(m.kind != "other" for m in members):
        item.problems.append(problem("container-opened", count=len(members), path=item.path))
    else:
        item.problems.append(problem("no-workbook-inside", what=what))
    yield item
    for member in members:
        yield from _unfold_item(member, limits, depth + 1)
