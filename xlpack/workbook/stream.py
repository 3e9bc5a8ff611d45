"""Stream the rows of large tables into a workbook xlsxwriter has written.

xlsxwriter keeps every cell in memory until it closes the file (about a
hundred bytes a cell) and cannot combine its low-memory mode with Excel
Tables. For the largest analysis tables (a row per form and section: over
a hundred thousand rows for a big audit) the renderer lets xlsxwriter write
the sheet with the table's header, columns, validations and formats only,
and :func:`stream_rows` then writes the data rows straight into that
sheet's XML, one row at a time, as inline strings with the formats
xlsxwriter registered. Text is always written as text.
"""

from __future__ import annotations

import heapq
import itertools
import os
import re
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from xlpack.files.workbooks import temp_beside
from xlpack.workbook.sheet_model import Block, Cell, clean_text, heights_for, row_height

_EPOCH = datetime(1899, 12, 30)


@dataclass
class Stream:
    """A sheet whose blocks' cells are written after xlsxwriter has closed the workbook."""

    sheet: str
    blocks: list[Block]
    styles: dict[str, Any]  # named styles (xlsxwriter Formats)
    header_written: set[int] = field(default_factory=set)  # ids of blocks whose header xlsxwriter wrote (tables)

    def xf(self, style: str | None) -> int | None:
        fmt = self.styles.get(style) if style else None
        return None if fmt is None else fmt.xf_index

    @property
    def first_row(self) -> int:
        return min(self._rows(b)[0] for b in self.blocks)

    @property
    def last_row(self) -> int:
        return max(b.last_row for b in self.blocks)

    @property
    def last_col(self) -> int:
        return max(b.col + b.width - 1 for b in self.blocks)

    def _rows(self, b: Block) -> tuple[int, int]:
        first = b.row - 1 if b.title else b.row if b.header and id(b) not in self.header_written else b.first_data_row
        return first, b.last_row


def _serial(value: date | datetime) -> float:
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return (moment - _EPOCH).total_seconds() / 86400


def _cell(ref: str, value: Any, xf: int | None) -> str:
    s = f' s="{xf}"' if xf else ""
    if type(value) is str:
        if not value:
            return f'<c r="{ref}"{s}/>' if xf else ""
        text = clean_text(value)
        if "&" in text or "<" in text or ">" in text:
            text = escape(text)
        space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    if value is None:
        return f'<c r="{ref}"{s}/>' if xf else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, (date, datetime)):
        return f'<c r="{ref}"{s}><v>{_serial(value)!r}</v></c>'
    return _cell(ref, str(value), xf)


Fragment = tuple[int, float | None, list[tuple[int, str]]]  # (row, height in points, [(column, cell XML)])


def _block_rows(stream: Stream, b: Block) -> Iterator[Fragment]:
    """The rows of one block, in row order."""
    if b.title:
        yield b.row - 1, None, [(b.col, _cell(xl_rowcol_to_cell(b.row - 1, b.col), b.title,
                                              stream.xf("block_title")))]
    if b.header and id(b) not in stream.header_written:
        xf = stream.xf(b.header_style)
        yield b.row, row_height([c.header for c in b.columns], b.columns, b.header_style, table=bool(b.name)), [
            (b.col + c, _cell(xl_rowcol_to_cell(b.row, b.col + c), col.header, xf)) for c, col in enumerate(b.columns)]
    letters = [xl_col_to_name(b.col + c) for c in range(b.width)]
    xfs = [stream.xf(col.style) for col in b.columns]
    height = heights_for(b.columns)
    for r, row in enumerate(b.rows, start=b.first_data_row):
        n = r + 1
        cells = []
        for c, value in enumerate(row):
            xf = xfs[c]
            if type(value) is Cell:
                if value.style:
                    xf = stream.xf(value.style)
                value = value.value
            xml = _cell(f"{letters[c]}{n}", value, xf)
            if xml:
                cells.append((b.col + c, xml))
        yield r, height(row), cells


def rows_xml(stream: Stream) -> Iterator[str]:
    """The <row> elements of all the stream's blocks, merged in row order."""
    merged = heapq.merge(*(_block_rows(stream, b) for b in stream.blocks), key=lambda f: f[0])
    for r, group in itertools.groupby(merged, key=lambda f: f[0]):
        parts = list(group)
        cells = [cell for _, _, part in parts for cell in part]
        if len(parts) > 1:
            cells.sort(key=lambda cx: cx[0])
        heights = [h for _, h, _ in parts if h]
        ht = f' ht="{max(heights)}" customHeight="1"' if heights else ""
        if cells:
            yield f'<row r="{r + 1}"{ht}>{"".join(x for _, x in cells)}</row>'


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip member holding its XML."""
    book = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    out = {}
    for m in re.finditer(r'<sheet name="([^"]+)" sheetId="\d+"(?: state="\w+")? r:id="([^"]+)"', book):
        name = m.group(1).replace("&amp;", "&").replace("&apos;", "'").replace("&quot;", '"')
        target = targets[m.group(2)]
        out[name] = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    return out


def _dimension(xml: str, stream: Stream) -> str:
    last_row, last_col = stream.last_row, stream.last_col
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>', xml)
    if m is None:
        return xml
    end = xl_rowcol_to_cell(last_row, last_col)
    return xml[:m.start()] + f'<dimension ref="{m.group(1)}{m.group(2)}:{end}"/>' + xml[m.end():]


def stream_rows(path: Path, streams: Sequence[Stream]) -> None:
    """Write the streams' rows into the workbook at ``path`` (rewritten beside it, then swapped in)."""
    if not streams:
        return
    tmp = temp_beside(path, "stream")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            parts = _sheet_parts(src)
            by_part = {parts[s.sheet]: s for s in streams}
            for info in src.infolist():
                if info.filename in by_part:
                    _write_sheet(src, dst, info, by_part[info.filename])
                else:
                    with src.open(info) as fin, dst.open(info, "w") as fout:
                        shutil.copyfileobj(fin, fout, 1 << 20)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_sheet(src: zipfile.ZipFile, dst: zipfile.ZipFile, info: zipfile.ZipInfo, stream: Stream) -> None:
    xml = _dimension(src.read(info).decode("utf-8"), stream)
    if "<sheetData/>" in xml:
        xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
    head, _, tail = xml.partition("</sheetData>")
    written = [int(n) for n in re.findall(r'<row r="(\d+)"', head)]
    if written and max(written) > stream.first_row:
        raise ValueError(f"sheet '{stream.sheet}': xlpack wrote rows where the streamed rows go")
    target = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    target.compress_type = zipfile.ZIP_DEFLATED
    target._compresslevel = 1  # type: ignore[attr-defined]  # fast: these parts are large
    with dst.open(target, "w") as out:
        out.write(head.encode("utf-8"))
        buffer: list[str] = []
        for row in rows_xml(stream):
            buffer.append(row)
            if len(buffer) >= 512:
                out.write("".join(buffer).encode("utf-8"))
                buffer.clear()
        out.write("".join(buffer).encode("utf-8"))
        out.write(b"</sheetData>" + tail.encode("utf-8"))
