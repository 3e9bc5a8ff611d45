"""Write a copy of a zip package with some members replaced, every other member copied as it is stored.

A member not replaced is copied byte for byte, compressed data included
(its local header, data and central-directory entry), so it is neither
inflated nor compressed again: replacing one sheet of a large workbook
costs the copy of the file, not the compression of every sheet. The
members keep their order; a replaced member is deflated where it was.

Only plain packages are handled (no ZIP64, no encryption, no split
archive, members stored or deflated): :class:`ZipCopyError` says why
another one cannot be copied this way, and the caller writes it some
other way.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import BinaryIO

_LOCAL = struct.Struct("<4s5H3L2H")  # signature, version, flags, method, time, date, crc, sizes, name and extra
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_LIMIT = 0xFFFFFFFF
_DESCRIPTOR = 0x08  # flag bit 3: sizes and CRC after the data
_ENCRYPTED = 0x01


class ZipCopyError(Exception):
    """The package cannot be copied member by member (the message says why)."""


def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    y, mo, d, h, mi, s = info.date_time
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def _check(src: zipfile.ZipFile, size: int) -> None:
    if size >= _LIMIT or len(src.infolist()) >= 0xFFFF:
        raise ZipCopyError("the package is too large to copy member by member")
    for info in src.infolist():
        if info.flag_bits & _ENCRYPTED or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ZipCopyError(f"the member {info.filename} is encrypted or compressed in an unusual way")
        if info.compress_size >= _LIMIT or info.file_size >= _LIMIT or info.header_offset >= _LIMIT:
            raise ZipCopyError(f"the member {info.filename} is a ZIP64 member")


def replace_members(src_path: Path, out_path: Path, new: Mapping[str, bytes]) -> None:
    """Write ``src_path`` to ``out_path`` with the members named in ``new`` holding those bytes.

    Every name in ``new`` must be a member already; the others are copied as stored.
    """
    with zipfile.ZipFile(src_path) as src, open(src_path, "rb") as raw, open(out_path, "wb") as out:
        _check(src, raw.seek(0, 2))
        missing = set(new) - set(src.namelist())
        if missing:
            raise ZipCopyError(f"no member {sorted(missing)[0]} to replace")
        central = []
        for info in src.infolist():
            offset = out.tell()
            if info.filename in new:
                central.append(_write_new(out, info, new[info.filename], offset))
            else:
                central.append(_copy_stored(raw, out, info, offset))
        start = out.tell()
        for entry in central:
            out.write(entry)
        size = out.tell() - start
        comment = src.comment
        out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), size, start, len(comment)) + comment)
        if out.tell() >= _LIMIT:
            raise ZipCopyError("the new package is too large to write member by member")


def _central(info: zipfile.ZipInfo, flags: int, method: int, crc: int, csize: int, usize: int, offset: int,
             name: bytes, extra: bytes) -> bytes:
    t, d = _dos_time(info)
    return _CENTRAL.pack(b"PK\x01\x02", (info.create_system << 8) | info.create_version, info.extract_version,
                         flags, method, t, d, crc, csize, usize, len(name), len(extra), len(info.comment), 0,
                         info.internal_attr, info.external_attr, offset) + name + extra + info.comment


def _name(info: zipfile.ZipInfo) -> bytes:
    """The member's name as the package stores it (UTF-8 when its flag says so)."""
    return info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437")


def _write_new(out: BinaryIO, info: zipfile.ZipInfo, data: bytes, offset: int) -> bytes:
    """A replaced member, deflated, written at ``offset``; returns its central-directory entry."""
    squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = squeeze.compress(data) + squeeze.flush()
    crc = zlib.crc32(data)
    if len(packed) >= _LIMIT or len(data) >= _LIMIT:
        raise ZipCopyError(f"the new {info.filename} is too large for this package")
    name = _name(info)
    flags = info.flag_bits & ~(_DESCRIPTOR | 0x06)  # no data descriptor; the default deflation
    t, d = _dos_time(info)
    out.write(_LOCAL.pack(b"PK\x03\x04", 20, flags, zipfile.ZIP_DEFLATED, t, d, crc, len(packed), len(data),
                      len(name), 0) + name)
    out.write(packed)
    return _central(info, flags, zipfile.ZIP_DEFLATED, crc, len(packed), len(data), offset, name, b"")


def _copy_stored(raw: BinaryIO, out: BinaryIO, info: zipfile.ZipInfo, offset: int) -> bytes:
    """A member copied as stored (header, compressed data, data descriptor); returns its central entry."""
    read = raw.read
    raw.seek(info.header_offset)
    head = read(_LOCAL.size)
    fields = _LOCAL.unpack(head)
    if fields[0] != b"PK\x03\x04":
        raise ZipCopyError(f"the member {info.filename} has no local header where the directory says")
    rest = read(fields[-2] + fields[-1])  # its name and extra field
    out.write(head + rest)
    left = info.compress_size
    while left:
        chunk = read(min(left, 1 << 20))
        if not chunk:
            raise ZipCopyError(f"the member {info.filename} is cut short")
        out.write(chunk)
        left -= len(chunk)
    if info.flag_bits & _DESCRIPTOR:
        tail = read(16)
        out.write(tail if tail[:4] == b"PK\x07\x08" else tail[:12])
    return _central(info, info.flag_bits, info.compress_type, info.CRC, info.compress_size, info.file_size,
                    offset, _name(info), info.extra)
