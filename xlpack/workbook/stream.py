"""Stream the rows of large tables into a workbook xlsxwriter has written.

xlsxwriter keeps every cell in memory until it closes the file (about a
hundred bytes a cell) and cannot combine its low-memory mode with Excel
Tables. For the largest analysis tables (a row per form and section: over
a hundred thousand rows for a big audit) the renderer lets xlsxwriter write
the sheet with the table's header, columns, validations and formats only,
and :func:`stream_rows` then writes the data rows straight into that
sheet's XML, one row at a time, as inline strings with the formats
xlsxwriter registered. Text is always written as text.

The digest of each row (see :mod:`xlpack.workbook.changes`) is worked out
in the same pass, and the hidden sheet's rows holding the streamed sheets'
digests (:class:`DigestRows`) are streamed last.
"""

from __future__ import annotations

import heapq
import itertools
import os
import re
import shutil
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from xlpack.files.package import PackageReader
from xlpack.files.workbooks import temp_beside
from xlpack.workbook.changes import RowSums, cell_hash, packed_sums
from xlpack.workbook.sheet_model import (
    BLOCK_TITLE_POINTS,
    Block,
    Cell,
    clean_text,
    header_style,
    heights_for,
    row_height,
)

_EPOCH = datetime(1899, 12, 30)
_MASK = 0xFFFFFFFF
DIGEST_CELL = 32000  # characters of packed digests per cell of the hidden sheet
MEMO_CHARS = 80  # texts this short are turned into XML once per column (names, sections, grades repeat)
MEMO_ENTRIES = 4096  # texts remembered per block at most: emptied when full (row ids and files never repeat)


@dataclass
class Stream:
    """A sheet whose blocks' cells are written after xlsxwriter has closed the workbook."""

    sheet: str
    blocks: list[Block]
    styles: dict[str, Any]  # named styles (xlsxwriter Formats)
    header_written: set[int] = field(default_factory=set)  # ids of blocks whose header xlsxwriter wrote (tables)
    sums: RowSums = field(default_factory=RowSums)  # row -> digest sum: the sheet's head, then its rows as they
    # are streamed (see changes.head_sums)
    late: bool = False  # streamed after the others (the digests of the others)
    merges: list[str] = field(default_factory=list)  # ranges of spanning columns' cells, found as rows are streamed

    def xf(self, style: str | None) -> int | None:
        """The style's index in the styles part (a style equal to another has that one's index, which only
        ``_get_xf_index`` gives: xlsxwriter sets ``xf_index`` on the first of them)."""
        fmt = self.styles.get(style) if style else None
        return None if fmt is None else fmt._get_xf_index()

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


def _text_body(text: str) -> str:
    """What follows ``<c r=".." s=".."`` for a cell of text already cleaned (:func:`clean_text`)."""
    if not text:
        return "/>"
    if "&" in text or "<" in text or ">" in text:
        text = escape(text)
    space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _text_cell(ref: str, text: str, xf: int | None) -> str:
    """A cell of text already cleaned, as an inline string (an empty one only for its style)."""
    s = f' s="{xf}"' if xf else ""
    if not text:
        return f'<c r="{ref}"{s}/>' if xf else ""
    return f'<c r="{ref}"{s}{_text_body(text)}'


def _cell(ref: str, value: Any, xf: int | None) -> str:
    s = f' s="{xf}"' if xf else ""
    if type(value) is str:
        return _text_cell(ref, clean_text(value), xf)
    if value is None:
        return f'<c r="{ref}"{s}/>' if xf else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, (date, datetime)):
        return f'<c r="{ref}"{s}><v>{_serial(value)!r}</v></c>'
    return _cell(ref, str(value), xf)


Fragment = tuple[int, float | None, int, str]  # (row, height in points, the block's first column, its cells' XML)


def _head_rows(stream: Stream, b: Block) -> Iterator[Fragment]:
    """A block's title and header rows (the header unless xlsxwriter wrote it, with the block's table)."""
    if b.title:
        yield b.row - 1, BLOCK_TITLE_POINTS, b.col, _cell(xl_rowcol_to_cell(b.row - 1, b.col), b.title,
                                                          stream.xf("block_title"))
    if b.header and id(b) not in stream.header_written:
        header = row_height([c.header for c in b.columns], b.columns, b.header_style, table=bool(b.name))
        at = b.offsets
        yield b.row, header, b.col, "".join(
            _cell(xl_rowcol_to_cell(b.row, at[c]), col.header, xf) + _covered(stream, b.row, at[c], col.span, xf)
            for c, col in enumerate(b.columns) for xf in (stream.xf(header_style(b, col)),))


def _covered(stream: Stream, r: int, first: int, span: int, xf: int | None) -> str:
    """The cells a spanning column covers after its first, styled as it is (its borders go round the whole),
    their range recorded to be merged; nothing for a column of one."""
    if span == 1:
        return ""
    last = first + span - 1
    stream.merges.append(f"{xl_rowcol_to_cell(r, first)}:{xl_rowcol_to_cell(r, last)}")
    s = f' s="{xf}"' if xf else ""
    return "".join(f'<c r="{xl_rowcol_to_cell(r, c)}"{s}/>' for c in range(first + 1, last + 1))


def _spanning(stream: Stream, b: Block) -> list[tuple[int, int]]:
    """(column, span) of the block's columns that span others: its last, if any."""
    spans = [(c, col.span) for c, col in enumerate(b.columns) if col.span > 1]
    if any(c != len(b.columns) - 1 for c, _ in spans):  # its covered cells follow the row's others
        raise ValueError(f"sheet '{stream.sheet}': only a block's last column may span others")
    return spans


def _covered_row(stream: Stream, r: int, row: Sequence[Any], spans: list[tuple[int, int]], at: list[int],
                 xfs: list[int | None]) -> str:
    """The cells of row ``r`` that its spanning columns cover, each styled as the cell it follows."""
    out = []
    for c, span in spans:
        value = row[c] if c < len(row) else None
        out.append(_covered(stream, r, at[c], span,
                            stream.xf(value.style) if type(value) is Cell and value.style else xfs[c]))
    return "".join(out)


class _Memo(dict[tuple[str, int], tuple[str, int]]):
    """The cells of short texts already made, at most :data:`MEMO_ENTRIES`: emptied when full (the texts that
    do repeat, names, sections, grades, come back at once; row ids and file names would fill it)."""

    def __setitem__(self, key: tuple[str, int], value: tuple[str, int]) -> None:
        if len(self) >= MEMO_ENTRIES:
            self.clear()
        super().__setitem__(key, value)


def _block_rows(stream: Stream, b: Block) -> Iterator[Fragment]:
    """The rows of one block, in row order."""
    yield from _head_rows(stream, b)
    at = b.offsets
    letters = [xl_col_to_name(a) for a in at]
    xfs = [stream.xf(col.style) for col in b.columns]
    seeds = [0 if col.editable else a + 1 for a, col in zip(at, b.columns)]  # 0: not in the digest
    spans = _spanning(stream, b)
    height = heights_for(b.columns)
    sums = stream.sums
    styled: dict[int | None, str] = {}
    memo = _Memo()  # (short text, column) -> (cell XML after the style, hash)
    for r, row in enumerate(b.rows, start=b.first_data_row):
        n = r + 1
        cells = []
        total = 0
        for c, value in enumerate(row):
            xf = xfs[c]
            if type(value) is Cell:
                if value.style:
                    xf = stream.xf(value.style)
                value = value.value
            s = styled.get(xf)
            if s is None:
                s = styled[xf] = f' s="{xf}"' if xf else ""
            if type(value) is str and value:
                short = len(value) <= MEMO_CHARS  # names, sections, grades: the same few values on many rows
                hit = memo.get((value, c)) if short else None
                if hit is None:
                    text = clean_text(value)
                    norm = text.strip() if seeds[c] else ""
                    hit = (_text_body(text), (zlib.crc32(norm.encode("utf-8"), seeds[c]) or 1) if norm else 0)
                    if short:
                        memo[value, c] = hit
                total += hit[1]
                cells.append(f'<c r="{letters[c]}{n}"{s}{hit[0]}')
                continue
            xml = _cell(f"{letters[c]}{n}", value, xf)
            if seeds[c]:
                total += cell_hash(seeds[c] - 1, value)
            if xml:
                cells.append(xml)
        if total:
            sums.add(r, total)
        yield r, height(row), b.col, "".join(cells) + (_covered_row(stream, r, row, spans, at, xfs) if spans else "")


def rows_xml(stream: Stream) -> Iterator[str]:
    """The <row> elements of all the stream's blocks, merged in row order (blocks side by side share rows)."""
    if len(stream.blocks) == 1:
        for r, h, _, cells in _block_rows(stream, stream.blocks[0]):
            if cells:
                ht = f' ht="{h}" customHeight="1"' if h else ""
                yield f'<row r="{r + 1}"{ht}>{cells}</row>'
        return
    merged = heapq.merge(*(_block_rows(stream, b) for b in stream.blocks), key=lambda f: f[0])
    for r, group in itertools.groupby(merged, key=lambda f: f[0]):
        parts = sorted(group, key=lambda f: f[2])  # by the blocks' columns, left to right
        heights = [h for _, h, _, _ in parts if h]
        ht = f' ht="{max(heights)}" customHeight="1"' if heights else ""
        cells = "".join(x for _, _, _, x in parts)
        if cells:
            yield f'<row r="{r + 1}"{ht}>{cells}</row>'


@dataclass
class DigestRows:
    """The hidden analysis sheet's rows holding the digests of the streamed sheets, from ``first_row`` on.

    Known only once those sheets are streamed: :func:`stream_rows` writes
    this part after every other.
    """

    sheet: str
    first_row: int
    streams: list[Stream]
    late: bool = True

    @property
    def last_row(self) -> int:
        return self.first_row + max(0, len(self.streams) - 1)

    @property
    def last_col(self) -> int:
        return 2

    def rows_xml(self) -> Iterator[str]:
        """The rows' XML in pieces, a cell at a time (a large sheet's digests fill megabytes: never one string)."""
        for r, stream in enumerate(self.streams, start=self.first_row):
            packed = packed_sums(stream.sums)
            values = itertools.chain(("digest", stream.sheet),
                                     (packed[i:i + DIGEST_CELL] for i in range(0, len(packed), DIGEST_CELL)))
            yield f'<row r="{r + 1}">'
            for c, v in enumerate(values):
                yield _text_cell(xl_rowcol_to_cell(r, c), v, None)
            yield "</row>"


Streamed = Stream | DigestRows  # what stream_rows writes


def _dimension(xml: str, stream: Stream | DigestRows) -> str:
    last_row, last_col = stream.last_row, stream.last_col
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>', xml)
    if m is None:
        return xml
    end = xl_rowcol_to_cell(last_row, last_col)
    return xml[:m.start()] + f'<dimension ref="{m.group(1)}{m.group(2)}:{end}"/>' + xml[m.end():]


def stream_rows(path: Path, streams: Sequence[Streamed]) -> None:
    """Write the streams' rows into the workbook at ``path`` (rewritten beside it, then swapped in).

    Late streams (the digests of the others) are written after every other part.
    """
    if not streams:
        return
    tmp = temp_beside(path, "stream")
    try:
        # level 1 for the streamed sheets (large: speed matters more than a few per cent of size); the parts
        # copied keep zipfile's default level, as each is written under its own ZipInfo
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
            parts = PackageReader(src).sheet_parts()
            by_part = {parts[s.sheet]: s for s in streams}
            deferred = []
            for info in src.infolist():
                stream = by_part.get(info.filename)
                if stream is not None and stream.late:
                    deferred.append((info, stream))
                elif stream is not None:
                    _write_sheet(src, dst, info, stream)
                else:
                    with src.open(info) as fin, dst.open(info, "w") as fout:
                        shutil.copyfileobj(fin, fout, 1 << 20)
            for info, stream in deferred:
                _write_sheet(src, dst, info, stream)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_sheet(src: zipfile.ZipFile, dst: zipfile.ZipFile, info: zipfile.ZipInfo,
                 stream: Stream | DigestRows) -> None:
    xml = _dimension(src.read(info).decode("utf-8"), stream)
    if "<sheetData/>" in xml:
        xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
    head, _, tail = xml.partition("</sheetData>")
    written = [int(n) for n in re.findall(r'<row r="(\d+)"', head)]
    if written and max(written) > stream.first_row:
        raise ValueError(f"sheet '{stream.sheet}': xlpack wrote rows where the streamed rows go")
    rows = stream.rows_xml() if isinstance(stream, DigestRows) else rows_xml(stream)
    # opened by name, so deflated at the archive's level (1); zipfile dates it 1 January 1980 (xlsxwriter dates
    # its parts in that month too)
    with dst.open(info.filename, "w") as out, ThreadPoolExecutor(1) as writer:
        # the rows' XML is made here while a thread compresses and writes the last chunk (zlib lets go of the GIL)
        pending = writer.submit(out.write, head.encode("utf-8"))
        for chunk in _chunks(rows):
            data = chunk.encode("utf-8")
            pending.result()
            pending = writer.submit(out.write, data)
        pending.result()
        if isinstance(stream, Stream) and stream.merges:
            tail = _with_merges(tail, stream.merges)
        out.write(b"</sheetData>" + tail.encode("utf-8"))


#: Parts of a worksheet that come after its merged cells, in the order the format sets.
_AFTER_MERGES = re.compile(r"<(phoneticPr|conditionalFormatting|dataValidations|hyperlinks|printOptions|pageMargins|"
                           r"pageSetup|headerFooter|rowBreaks|colBreaks|drawing|legacyDrawing|tableParts|extLst)\b")


def _with_merges(tail: str, ranges: list[str]) -> str:
    """The sheet's XML after its rows, with ``ranges`` merged (added to the merges xlsxwriter wrote, if any)."""
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in ranges)
    m = re.search(r'<mergeCells count="(\d+)">', tail)
    if m:
        end = tail.index("</mergeCells>", m.end())
        return (f'{tail[:m.start()]}<mergeCells count="{int(m.group(1)) + len(ranges)}">{tail[m.end():end]}{cells}'
                f"{tail[end:]}")
    after = _AFTER_MERGES.search(tail)
    at = after.start() if after else tail.index("</worksheet>")
    return f'{tail[:at]}<mergeCells count="{len(ranges)}">{cells}</mergeCells>{tail[at:]}'


def _chunks(rows: Iterator[str], size: int = 512, most: int = 1 << 18) -> Iterator[str]:
    """The rows' XML (or pieces of it) in chunks of ``size`` rows, or fewer once they hold ``most`` characters."""
    buffer: list[str] = []
    held = 0
    for row in rows:
        buffer.append(row)
        held += len(row)
        if len(buffer) >= size or held >= most:
            yield "".join(buffer)
            buffer.clear()
            held = 0
    if buffer:
        yield "".join(buffer)
