"""Damage workbooks on purpose: the bad files intake must name.

Byte- and part-level edits of a workbook's zip (the XML as Excel or
LibreOffice would write it, or as an attacker would), and edits through
openpyxl (what a person does with protection switched off).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import openpyxl

from xlpack.intake.ooxml import open_workbook

Edit = Callable[[bytes], bytes] | bytes | None  # a function of the part, its new bytes, or None to remove it


def rewrite(src: Path | bytes, edits: Mapping[str, Edit], add: Mapping[str, bytes] | None = None) -> bytes:
    """The workbook with some parts changed, removed or added (compression and order kept)."""
    data = src.read_bytes() if isinstance(src, Path) else src
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info)
            if info.filename in edits:
                edit = edits[info.filename]
                if edit is None:
                    continue
                part = edit(part) if callable(edit) else edit
            zout.writestr(info, part)
        for name, part in (add or {}).items():
            zout.writestr(name, part)
    return out.getvalue()


def sub(pattern: bytes, repl: bytes, count: int = 1) -> Callable[[bytes], bytes]:
    """An edit replacing a regular expression (failing loudly if it is not there)."""

    def edit(part: bytes) -> bytes:
        new, n = re.subn(pattern, repl, part, count=count)
        assert n, f"{pattern!r} not found"
        return new

    return edit


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip path of a sheet's XML."""
    entry = open_workbook(data).sheet(sheet)
    assert entry is not None and entry.part
    return entry.part


def declare_size(data: bytes, part: str, size: int) -> bytes:
    """Make a part's zip headers claim ``size`` uncompressed bytes (what a zip bomb's headers say)."""
    out = bytearray(data)
    pos = 0
    while (pos := out.find(b"PK\x01\x02", pos)) >= 0:
        length = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46:pos + 46 + length]).decode() == part:
            struct.pack_into("<I", out, pos + 24, size)
            local = struct.unpack_from("<I", out, pos + 42)[0]
            struct.pack_into("<I", out, local + 22, size)
        pos += 4
    return bytes(out)


def truncated(data: bytes, keep: float = 0.6) -> bytes:
    return data[: int(len(data) * keep)]


def corrupted(data: bytes, part: str) -> bytes:
    """Flip bytes inside one part's compressed data (the zip directory stays whole)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(part)
    local = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", data, local + 26)
    start = local + 30 + name_len + extra_len + info.compress_size // 2
    out = bytearray(data)
    for i in range(start, start + 16):
        out[i] ^= 0x5A
    return bytes(out)


BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
                  b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>')
EXTERNAL_ENTITY = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_prolog(prolog: bytes, entity: bytes) -> Callable[[bytes], bytes]:
    """Put a document type declaration before the root element, and use its entity in the first text."""

    def edit(part: bytes) -> bytes:
        body = re.sub(rb"^<\?xml[^>]*\?>\s*", b"", part)
        body = re.sub(rb"<t>", b"<t>" + entity, body, count=1)
        return prolog + body

    return edit


def edit_book(src: Path, out: Path, change: Callable[[Any], None]) -> Path:
    """Open with openpyxl, change, save: what a person does in Excel (protection switched off or not)."""
    wb = openpyxl.load_workbook(src)
    change(wb)
    wb.save(out)
    return out

