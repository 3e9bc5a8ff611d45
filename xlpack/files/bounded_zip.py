"""A zip member read within the size its entry declares.

``zipfile`` trusts the declared size: it inflates a whole compressed block
at once (a 9 KB entry can grow to gigabytes in memory) and only then cuts
it to the declared size. :func:`inflate` reads a member a chunk at a time
and stops at the first chunk past what its entry declares. Used for every
part of a returned workbook and every member of a zip sent in, and by
:class:`xlpack.files.package.PackageReader`.
"""

from __future__ import annotations

import copy
import zipfile

from xlpack.errors import MemberSizeError

MiB = 1024 * 1024
#: Uncompressed bytes asked for at a time: what is held at once while a member is checked.
CHUNK = 64 * 1024
#: The compression methods read: the ones Excel, LibreOffice and every common zip tool write. Python's
#: reader of the others (bzip2, LZMA) inflates a whole compressed block at once, so their size is not bounded.
READ_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}


def inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, keep: bool = True) -> bytes:
    """A zip member's bytes, inflated a chunk at a time and never beyond the size its entry declares.

    The member is read in chunks with zipfile's limit set past the
    declared size, so a member holding more is caught after at most one
    chunk more than it declares (before zipfile's own checks, which would
    call it damaged). With ``keep=False`` the bytes are checked and
    dropped (returns ``b""``). Raises :class:`~xlpack.errors.MemberSizeError`,
    or what ``zipfile`` or ``zlib`` raise for a damaged stream.
    """
    if info.compress_type not in READ_METHODS:
        raise MemberSizeError(info, None, info.compress_type)
    probe = copy.copy(info)
    probe.file_size = info.file_size + CHUNK + 1  # zipfile stops (and checks the CRC) at file_size: let it go past
    parts: list[bytes] = []
    count = 0
    with archive.open(probe) as fh:
        while block := fh.read(CHUNK):
            count += len(block)
            if count > info.file_size:
                raise MemberSizeError(info, count)
            if keep:
                parts.append(block)
    if count != info.file_size:
        raise MemberSizeError(info, count)
    return b"".join(parts)
