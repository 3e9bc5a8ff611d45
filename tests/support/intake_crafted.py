"""Hostile files for the intake tests, built byte by byte.

:func:`understated_bomb` writes a workbook whose sheet part declares a few
kilobytes in its zip headers but inflates to hundreds of megabytes: the
deflate stream is made of one compressed megabyte of spaces repeated
(each block ends with a full flush, so the copies are independent and can
simply be laid end to end), so building it costs a few megabytes of
memory, not the size it inflates to.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

MiB = 1024 * 1024


@dataclass
class Entry:
    name: str
    data: bytes  # raw deflate stream
    crc: int
    size: int  # the true uncompressed size
    declared: int  # the size written in both headers


def _deflated(name: str, content: bytes) -> Entry:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = c.compress(content) + c.flush()
    return Entry(name, data, zlib.crc32(content), len(content), len(content))


def _zip(entries: list[Entry]) -> bytes:
    """A plain zip of deflated entries, each header stating its ``declared`` size."""
    out = io.BytesIO()
    central = io.BytesIO()
    stamp = (0x5A21, 0x5B74)  # a fixed DOS time and date
    for e in entries:
        name = e.name.encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, *stamp, e.crc, len(e.data), e.declared,
                              len(name), 0) + name + e.data)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, *stamp, e.crc, len(e.data),
                                  e.declared, len(name), 0, 0, 0, 0, 0, offset) + name)
    start, table = out.tell(), central.getvalue()
    out.write(table)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(table), start, 0))
    return out.getvalue()


def _bomb_entry(name: str, head: bytes, tail: bytes, mib: int, declared: int) -> Entry:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b" " * MiB
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    packed = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert again == packed, "the compressed blocks are not independent"
    end = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return Entry(name, start + packed * mib + end, crc, len(head) + mib * MiB + len(tail), declared)


def understated_bomb(form: Path, part: str, mib: int = 512, declared: int = 9 * 1024) -> bytes:
    """``form`` with ``part`` padded by ``mib`` MiB of spaces inside its XML, its headers saying ``declared`` bytes."""
    entries: list[Entry] = []
    with zipfile.ZipFile(form) as zf:
        for info in zf.infolist():
            content = zf.read(info)
            if info.filename == part:
                cut = content.rindex(b"</worksheet>")
                entries.append(_bomb_entry(part, content[:cut], content[cut:], mib, declared))
            else:
                entries.append(_deflated(info.filename, content))
    return _zip(entries)


# -- Outlook messages inside Outlook messages --------------------------------------


def _msg_children(subject: str, attachment: tuple[str, bytes] | None, embedded: list | None, top: bool) -> list:
    """The streams and storages of one message: its subject and one attachment, a file or a message."""
    from tests.support.msgfile import _Node, _props, _utf16

    strings = {0x001A001F: "IPM.Note", 0x0037001F: subject, 0x1000001F: "Forwarded."}
    nodes = [_Node(f"__substg1.0_{tag:08X}", _utf16(text)) for tag, text in strings.items()]
    count = 1 if attachment or embedded else 0
    header = (struct.pack("<8sIIII8s", b"", 0, count, 0, count, b"") if top
              else struct.pack("<8sIIII", b"", 0, count, 0, count))
    nodes.append(_Node("__properties_version1.0", _props(header, [], [(t, len(_utf16(s)) + 2)
                                                                     for t, s in strings.items()])))
    if top:
        nodes.append(_Node("__nameid_version1.0", children=[_Node(f"__substg1.0_000{n}0102", b"") for n in (2, 3, 4)]))
    att = _Node("__attach_version1.0_#00000000")
    if attachment is not None:
        name, data = attachment
        texts = {0x3707001F: name, 0x3704001F: name[:12], 0x3703001F: "." + name.rsplit(".", 1)[-1]}
        att.children += [_Node(f"__substg1.0_{tag:08X}", _utf16(text)) for tag, text in texts.items()]
        att.children.append(_Node("__substg1.0_37010102", data))
        att.children.append(_Node("__properties_version1.0", _props(
            b"\0" * 8, [(0x37050003, 1), (0x0E200003, len(data))],
            [(0x37010102, len(data)), *((t, len(_utf16(s)) + 2) for t, s in texts.items())])))
        nodes.append(att)
    elif embedded is not None:
        att.children.append(_Node("__substg1.0_3701000D", children=embedded))
        att.children.append(_Node("__properties_version1.0", _props(b"\0" * 8, [(0x37050003, 5)], [])))
        nodes.append(att)
    return nodes


def nested_msg(form: bytes, levels: int, name: str = "form.xlsx") -> bytes:
    """An Outlook .msg holding a message holding a message ... (``levels`` deep) whose innermost has ``form``."""
    from tests.support.msgfile import _compound, _Node

    children = _msg_children("Audit return", (name, form), None, top=levels == 0)
    for level in range(1, levels + 1):
        children = _msg_children(f"FW: level {level}", None, children, top=level == levels)
    return _compound(_Node("Root Entry", children=children))


# -- VBA projects --------------------------------------------------------------------


def vba_project() -> bytes:
    """An OLE compound file laid out as Excel stores a VBA project (a ``VBA`` storage, ``PROJECT`` streams)."""
    from tests.support.msgfile import _compound, _Node

    vba = _Node("VBA", children=[_Node("_VBA_PROJECT", b"\xcc\x61\xff\xff\x00\x00\x00"),
                                 _Node("dir", b"\x01" + b"\0" * 600), _Node("ThisWorkbook", b"\0" * 700)])
    return _compound(_Node("Root Entry", children=[
        vba, _Node("PROJECT", b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisWorkbook/&H00000000\r\n'),
        _Node("PROJECTwm", b"ThisWorkbook\0T\0h\0i\0s\0\0\0\0\0")]))


def ole_object() -> bytes:
    """An OLE compound file without VBA, as an embedded object (a package) is stored."""
    from tests.support.msgfile import write_compound

    return write_compound({"\x01Ole10Native": b"\0" * 64, "\x01CompObj": b"\x01\xfe" + b"\0" * 100})


def xlwings_vba_project() -> bytes | None:
    """The VBA project Excel built for xlwings' add-in template, when xlwings is installed."""
    try:
        import xlwings
    except ImportError:
        return None
    template = Path(xlwings.__file__).resolve().parent / "quickstart_addin_ribbon.xlam"
    if not template.is_file():
        return None
    with zipfile.ZipFile(template) as zf:
        return zf.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in zf.namelist() else None
