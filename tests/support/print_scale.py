"""The scale a sheet prints at, worked out from the file as LibreOffice fits it (for tests of printed pages).

A sheet set to fit one page wide prints at the page's width inside the
margins over the printed columns' width (LibreOffice draws a column of
width w characters about 5.7% wider than Excel's w * 7 + 5 pixels); a sheet
with a fixed scale prints at that scale. Checked against the header heights
of LibreOffice's own PDF pages (tests/workbook/test_print_office.py).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

LIBREOFFICE_WIDER = 1.057
A4_INCHES = (8.27, 11.69)


def _printed_columns(ws: Worksheet) -> range:
    area = ws.print_area
    if area:
        ref = (area[0] if isinstance(area, list) else area).split("!")[-1].replace("$", "")
        first, last = ref.split(":")
        a = column_index_from_string("".join(ch for ch in first if ch.isalpha()))
        b = column_index_from_string("".join(ch for ch in last if ch.isalpha()))
        return range(a, b + 1)
    return range(1, ws.max_column + 1)


def column_widths(ws: Worksheet) -> dict[int, tuple[float, bool]]:
    """Column index -> (width, hidden), a range of columns (``<col min max>``) spread over each of its columns."""
    out: dict[int, tuple[float, bool]] = {}
    for key, dim in ws.column_dimensions.items():
        first = dim.min or column_index_from_string(key)
        last = dim.max or first
        for c in range(first, last + 1):
            out[c] = (dim.width or 8.43, bool(dim.hidden))
    return out


def column_pixels(widths: dict[int, tuple[float, bool]], col: int) -> float:
    width, hidden = widths.get(col, (8.43, False))
    return 0.0 if hidden else (int(width * 7 + 0.5) + 5) * LIBREOFFICE_WIDER


def print_scale(ws: Worksheet) -> float:
    """Per cent, as LibreOffice prints the sheet one page wide (or at its fixed scale)."""
    setup = ws.page_setup
    if not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage:
        return float(setup.scale or 100)
    landscape = setup.orientation == "landscape"
    inches = A4_INCHES[landscape] - (ws.page_margins.left or 0.7) - (ws.page_margins.right or 0.7)
    widths = column_widths(ws)
    pixels = sum(column_pixels(widths, c) for c in _printed_columns(ws))
    return min(100.0, 100 * inches * 96 / max(1.0, pixels))


#: Height of the box pdftotext gives a word of Carlito (Calibri) at 1 point, printed at full size (measured on
#: LibreOffice's pages: 14.01 for the 11-point header of a sheet printed at 100%).
BOX_PER_POINT = 14.014 / 11


def pdf_page_scales(pdf: str | Path, header: str, points: float) -> list[float]:
    """Per cent each page of a LibreOffice PDF prints at: the height of the page header's word ``header`` (set
    in ``points``), which LibreOffice scales with the page, against its height at full size."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    scales = []
    for page in out.split("<page ")[1:]:
        box = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">' + re.escape(header) + "<", page)
        assert box, f"no '{header}' in a page header"
        scales.append(100 * (float(box[2]) - float(box[1])) / (BOX_PER_POINT * points))
    return scales
