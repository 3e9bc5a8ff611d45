"""The members of a .zip sent in: each an :class:`~xlpack.intake.items.Item`, read when it is asked for.

The archive is refused whole when it holds too many members, too much
once inflated or encrypted members; a member is refused when it is too
large, compressed like a bomb or holds more than its entry declares
(read with :func:`xlpack.files.bounded_zip.inflate`).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from xlpack.errors import MemberSizeError
from xlpack.files.bounded_zip import MiB, inflate
from xlpack.intake.items import Item, Limits, ReadError, member
from xlpack.intake.problems import member_problem, problem, reason_text, size_text


def open_zip(item: Item, zip_path: Path | None) -> zipfile.ZipFile:
    """The archive, read from disk when it is a file there (not held in memory), else from its bytes.

    Raises :class:`ReadError`."""
    try:
        if zip_path is not None:
            source: io.BufferedIOBase | Path = zip_path
        else:
            assert item.load is not None
            source = io.BytesIO(item.load())
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReadError(problem("archive-damaged", what="zip archive", detail=reason_text(exc))) from None


def zip_members(archive: zipfile.ZipFile, item: Item, limits: Limits) -> list[Item]:
    """The archive's files (folders left out), each loaded when asked; raises :class:`ReadError` for an
    archive refused whole."""
    infos = [i for i in archive.infolist() if not i.is_dir()]
    total = sum(i.file_size for i in infos)
    if len(infos) > limits.archive_entries:
        raise ReadError(problem("archive-too-large", detail=f"{len(infos)} entries"))
    if total > limits.archive_bytes:
        raise ReadError(problem("archive-too-large", detail=size_text(total)))
    if any(i.flag_bits & 0x1 for i in infos):
        raise ReadError(problem("archive-encrypted"))
    taken: set[str] = set()
    return [member(item, info.filename, _loader(archive, info, limits), _zip_time(info, item.mtime), taken)
            for info in infos]


def _loader(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> Callable[[], bytes]:
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
