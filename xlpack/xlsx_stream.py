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

import os
import re
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from .sheetmodel import Block, Cell, clean_text

_EPOCH = datetime(1899, 12, 30)
_WS = re.compile(r"^\s|\s$")


@dataclass
class Stream:
    """A block whose data rows are written after xlsxwriter has closed the workbook."""

    sheet: str
    block: Block
    formats: list[Any]  # the xlsxwriter Format of each column (or None)
    styles: dict[str, Any]  # named styles, for cells with their own style

    def xf(self, fmt: Any) -> int | None:
        return None if fmt is None else fmt.xf_index


def _serial(value: date | datetime) -> float:
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    return (moment - _EPOCH).total_seconds() / 86400


def _cell(ref: str, value: Any, xf: int | None) -> str:
    s = f' s="{xf}"' if xf else ""
    if type(value) is str:
        if not value:
            return f'<c r="{ref}"{s}/>' if xf else ""
        text = escape(clean_text(value))
        space = ' xml:space="preserve"' if _WS.search(text) else ""
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


def rows_xml(stream: Stream) -> Iterator[str]:
    """The <row> elements of the block's data rows."""
    b = stream.block
    letters = [xl_col_to_name(b.col + c) for c in range(b.width)]
    xfs = [stream.xf(f) for f in stream.formats]
    styles = stream.styles
    for r, row in enumerate(b.rows, start=b.first_data_row + 1):
        parts = []
        for c, value in enumerate(row):
            xf = xfs[c]
            if type(value) is Cell:
                if value.style:
                    xf = stream.xf(styles.get(value.style))
                value = value.value
            parts.append(_cell(f"{letters[c]}{r}", value, xf))
        yield f'<row r="{r}">{"".join(parts)}</row>'


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


def _dimension(xml: str, streams: Sequence[Stream]) -> str:
    last_row = max(s.block.last_row for s in streams)
    last_col = max(s.block.col + s.block.width - 1 for s in streams)
    m = re.search(r'<dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"/>', xml)
    if m is None:
        return xml
    end = xl_rowcol_to_cell(last_row, last_col)
    return xml[:m.start()] + f'<dimension ref="{m.group(1)}{m.group(2)}:{end}"/>' + xml[m.end():]


def stream_rows(path: Path, streams: Sequence[Stream]) -> None:
    """Write the streams' rows into the workbook at ``path`` (rewritten beside it, then swapped in)."""
    if not streams:
        return
    tmp = path.with_name(path.name + ".stream.xlsx")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            parts = _sheet_parts(src)
            by_part: dict[str, list[Stream]] = {}
            for s in streams:
                by_part.setdefault(parts[s.sheet], []).append(s)
            for info in src.infolist():
                if info.filename in by_part:
                    _write_sheet(src, dst, info, sorted(by_part[info.filename], key=lambda s: s.block.row))
                else:
                    with src.open(info) as fin, dst.open(info, "w") as fout:
                        shutil.copyfileobj(fin, fout, 1 << 20)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _write_sheet(src: zipfile.ZipFile, dst: zipfile.ZipFile, info: zipfile.ZipInfo, streams: list[Stream]) -> None:
    xml = _dimension(src.read(info).decode("utf-8"), streams)
    if "<sheetData/>" in xml:
        xml = xml.replace("<sheetData/>", "<sheetData></sheetData>", 1)
    head, _, tail = xml.partition("</sheetData>")
    last = [int(n) for n in re.findall(r'<row r="(\d+)"', head)]
    if last and max(last) > streams[0].block.first_data_row:
        raise ValueError(f"sheet '{streams[0].sheet}': rows are already written where the table's rows go")
    target = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    target.compress_type = zipfile.ZIP_DEFLATED
    with dst.open(target, "w") as out:
        out.write(head.encode("utf-8"))
        for s in streams:
            buffer: list[str] = []
            for row in rows_xml(s):
                buffer.append(row)
                if len(buffer) >= 512:
                    out.write("".join(buffer).encode("utf-8"))
                    buffer.clear()
            out.write("".join(buffer).encode("utf-8"))
        out.write(b"</sheetData>" + tail.encode("utf-8"))
