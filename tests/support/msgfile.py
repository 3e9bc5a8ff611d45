"""Write small Outlook .msg files (and other OLE compound files) for tests.

An .msg is an OLE compound file (MS-CFB) holding MAPI properties
(MS-OXMSG). :func:`write_msg` builds one with a subject, a sent time and
file attachments, enough for extract_msg, the reader intake uses, to read
it as Outlook saved it. Streams under 4,096 bytes go in the mini stream,
larger ones in regular sectors, as the format requires.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class _Node:
    name: str
    data: bytes | None = None  # None: a storage
    children: list[_Node] = field(default_factory=list)
    sid: int = 0
    start: int = END
    size: int = 0


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _filetime(when: datetime) -> int:
    return int((when - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)


def _props(header: bytes, fixed: list[tuple[int, int]], variable: list[tuple[int, int]]) -> bytes:
    """A __properties_version1.0 stream: fixed values inline, variable ones by size."""
    out = bytearray(header)
    for tag, value in fixed:
        out += struct.pack("<IIQ", tag, 0x6, value)
    for tag, size in variable:
        out += struct.pack("<IIII", tag, 0x6, size, 0)
    return bytes(out)


def _message(subject: str, sent: datetime, attachments: list[tuple[str, bytes]]) -> _Node:
    strings = {0x001A001F: "IPM.Note", 0x0037001F: subject, 0x1000001F: "Please find my audit form attached."}
    root = _Node("Root Entry")
    for tag, text in strings.items():
        root.children.append(_Node(f"__substg1.0_{tag:08X}", _utf16(text)))
    header = struct.pack("<8sIIII8s", b"", 0, len(attachments), 0, len(attachments), b"")
    fixed = [(0x00390040, _filetime(sent)), (0x0E060040, _filetime(sent))]
    root.children.append(_Node("__properties_version1.0", _props(
        header, fixed, [(t, len(_utf16(s)) + 2) for t, s in strings.items()])))
    named = _Node("__nameid_version1.0", children=[_Node(f"__substg1.0_000{n}0102", b"") for n in (2, 3, 4)])
    root.children.append(named)
    for n, (name, data) in enumerate(attachments):
        att = _Node(f"__attach_version1.0_#{n:08X}")
        texts = {0x3707001F: name, 0x3704001F: name[:12], 0x3703001F: "." + name.rsplit(".", 1)[-1]}
        for tag, text in texts.items():
            att.children.append(_Node(f"__substg1.0_{tag:08X}", _utf16(text)))
        att.children.append(_Node("__substg1.0_37010102", data))
        att.children.append(_Node("__properties_version1.0", _props(
            b"\0" * 8, [(0x37050003, 1), (0x0E200003, len(data))],
            [(0x37010102, len(data)), *((t, len(_utf16(s)) + 2) for t, s in texts.items())])))
        root.children.append(att)
    return root


def _flatten(root: _Node) -> list[_Node]:
    nodes = [root]
    for node in nodes:
        for child in node.children:
            child.sid = len(nodes)
            nodes.append(child)
    return nodes


def _chain(table: list[int], first: int, count: int) -> None:
    for i in range(first, first + count):
        table.append(i + 1 if i + 1 < first + count else END)


def _compound(root: _Node) -> bytes:
    nodes = _flatten(root)
    mini, minifat = bytearray(), list[int]()
    big: list[_Node] = []
    for node in nodes[1:]:
        if node.data is None:
            continue
        node.size = len(node.data)
        if not node.data:
            continue
        if node.size < CUTOFF:
            node.start = len(mini) // MINI
            count = -(-node.size // MINI)
            _chain(minifat, node.start, count)
            mini += node.data.ljust(count * MINI, b"\0")
        else:
            big.append(node)
    sectors: list[bytes] = []
    fat: list[int] = []

    def place(data: bytes) -> int:
        first, count = len(sectors), max(1, -(-len(data) // SECTOR))
        for i in range(count):
            sectors.append(data[i * SECTOR:(i + 1) * SECTOR].ljust(SECTOR, b"\0"))
        _chain(fat, first, count)
        return first

    for node in big:
        node.start = place(node.data or b"")
    root.start, root.size = (place(bytes(mini)), len(mini)) if mini else (END, 0)
    minifat_start = place(struct.pack(f"<{len(minifat)}I", *minifat)) if minifat else END
    entries = b"".join(_entry(n, nodes) for n in nodes)
    entries += b"\0" * (-len(entries) % SECTOR)
    dir_start = place(entries)
    fat_count = 1
    while (len(fat) + fat_count) > fat_count * (SECTOR // 4):
        fat_count += 1
    fat_first = len(sectors)
    fat += [FATSECT] * fat_count
    fat += [FREE] * (fat_count * (SECTOR // 4) - len(fat))
    raw = struct.pack(f"<{len(fat)}I", *fat)
    for i in range(fat_count):
        sectors.append(raw[i * SECTOR:(i + 1) * SECTOR])
    difat = [fat_first + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", 0x3E, 3, 0xFFFE, 9, 6,
                         b"", 0, fat_count, dir_start, 0, CUTOFF, minifat_start,
                         -(-len(minifat) * 4 // SECTOR) if minifat else 0, END, 0)
    header += struct.pack("<109I", *difat)
    return header + b"".join(sectors)


def _entry(node: _Node, nodes: list[_Node]) -> bytes:
    name = _utf16(node.name) + b"\0\0"
    kind = 5 if node.sid == 0 else (1 if node.data is None else 2)
    siblings = {c.sid: (nxt.sid if nxt else NOSTREAM)
                for p in nodes for c, nxt in zip(p.children, [*p.children[1:], None])}
    right = siblings.get(node.sid, NOSTREAM)
    child = node.children[0].sid if node.children else NOSTREAM
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), kind, 1, NOSTREAM, right, child, b"", 0, 0, 0,
                       node.start if (node.size or kind == 5) else END, node.size)


def write_compound(streams: dict[str, bytes]) -> bytes:
    """An OLE compound file with these top-level streams (e.g. {"Workbook": ...} looks like an .xls)."""
    return _compound(_Node("Root Entry", children=[_Node(name, data) for name, data in streams.items()]))


def write_msg(subject: str, attachments: list[tuple[str, bytes]],
              sent: datetime = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)) -> bytes:
    """The bytes of an Outlook .msg with ``attachments`` as (file name, content) pairs."""
    return _compound(_message(subject, sent, attachments))
