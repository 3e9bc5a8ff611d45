"""The charts of the consolidated workbook, read from its own chart parts, for the task pane to draw again.

Office.js ``insertWorksheetsFromBase64`` brings sheets across without their
charts, so the page adds each chart through Excel's chart API after the
insert. What it draws is read here from the workbook consolidate wrote (the
anchor of each chart, its title, bar grouping, and every series' name,
ranges and colour), so the renderer stays the one that wrote the file. A
series hatched in the file (over "No evidence") is drawn plain: Office.js
has no pattern fills; the page says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from xlpack.files.package import PackageReader, open_package

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
#: Office.js chart types for a bar chart's grouping.
TYPES = {"stacked": "BarStacked", "percentStacked": "BarStacked100", "clustered": "BarClustered"}


def split_ref(ref: str) -> tuple[str, str]:
    """``'Case grid'!$A$1:$A$4`` -> (``Case grid``, ``A1:A4``)."""
    sheet, _, cells = ref.rpartition("!")
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, cells.replace("$", "")


def _series(ser: Any) -> dict[str, Any]:
    fill = ser.find(f"{C}spPr/{A}solidFill/{A}srgbClr")
    if fill is None:  # a hatch: its background is the series' colour
        fill = ser.find(f"{C}spPr/{A}pattFill/{A}bgClr/{A}srgbClr")
    return {"name": ser.findtext(f"{C}tx/{C}v") or ser.findtext(f".//{C}tx//{C}f") or "",
            "values": split_ref(ser.findtext(f"{C}val//{C}f") or "!"),
            "categories": split_ref(ser.findtext(f"{C}cat//{C}f") or "!"),
            "colour": f"#{fill.get('val')}" if fill is not None else None,
            "hatched": ser.find(f"{C}spPr/{A}pattFill") is not None}


def _chart(pkg: PackageReader, part: str) -> dict[str, Any] | None:
    root = pkg.xml(part)
    bar = root.find(f".//{C}barChart")
    if bar is None:
        return None
    grouping = bar.find(f"{C}grouping")
    orientation = root.find(f".//{C}catAx/{C}scaling/{C}orientation")
    return {"type": TYPES.get(grouping.get("val", "") if grouping is not None else "clustered", "BarClustered"),
            "reversed": orientation is not None and orientation.get("val") == "maxMin",
            "title": "".join(t.text or "" for t in root.iterfind(f"{C}chart/{C}title//{A}t")),
            "series": [_series(s) for s in bar.iterfind(f"{C}ser")]}


def _anchor(anchor: Any, edge: str) -> str:
    at = anchor.find(f"{XDR}{edge}")
    return xl_rowcol_to_cell(int(at.findtext(f"{XDR}row")), int(at.findtext(f"{XDR}col")))


def chart_specs(path: Path) -> list[dict[str, Any]]:
    """Every bar chart in the workbook at ``path``: its sheet, anchor cells, type, title and series."""
    out: list[dict[str, Any]] = []
    with open_package(path) as pkg:
        for sheet, sheet_part in pkg.sheet_parts().items():
            for drawing in (r.target for r in pkg.relationships(sheet_part).values()):
                if "/drawings/" not in drawing or not pkg.has(drawing):
                    continue
                charts = pkg.relationships(drawing)
                for anchor in pkg.xml(drawing).iter(f"{XDR}twoCellAnchor"):
                    ref = anchor.find(f".//{C}chart")
                    spec = _chart(pkg, charts[ref.get(f"{R}id", "")].target) if ref is not None else None
                    if spec is not None:
                        out.append({"sheet": sheet, "from": _anchor(anchor, "from"), "to": _anchor(anchor, "to"),
                                    **spec})
    return out
