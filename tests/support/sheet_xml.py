"""Change a saved workbook the way Excel stores an edit, straight in its XML (for tests).

:func:`put_cell` writes one ``<c>`` element into a sheet (a formula as Excel
saves it, for instance ``<c r="K5" t="e"><f>-agreed</f><v>#NAME?</v></c>``,
what Excel keeps when ``- agreed`` is typed); :func:`add_note` adds a cell
comment (Excel's "note": a comments part, its relationship and content
type). The rest of the file is copied byte for byte.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape

COMMENTS_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
COMMENTS_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"


def sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part, for the workbooks xlsxwriter writes (read here without xlpack's own reader)."""
    book = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = dict(re.findall(r'<Relationship Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    out = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+"(?: state="\w+")? r:id="([^"]+)"', book):
        name = name.replace("&amp;", "&").replace("&apos;", "'").replace("&quot;", '"')
        target = targets[rid]
        out[name] = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
    return out


def _rewrite(path: Path, changes: dict[str, bytes]) -> None:
    tmp = path.with_name(path.name + ".edit")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, changes.pop(info.filename, b"") or src.read(info))
        for name, data in changes.items():
            dst.writestr(name, data)
    shutil.move(tmp, path)


def _found(pattern: str, text: str) -> re.Match[str]:
    """``re.search`` for text the caller knows holds ``pattern`` (an AssertionError names it if not)."""
    m = re.search(pattern, text)
    assert m is not None, f"{pattern!r} not in {text[:200]!r}"
    return m


def _column(ref: str) -> int:
    n = 0
    for ch in _found(r"\A[A-Z]+", ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n


def put_cell(path: Path, sheet: str, cell_xml: str) -> None:
    """Put ``cell_xml`` (one ``<c r="REF" ...>`` element) into ``sheet``, replacing a cell already there."""
    ref = _found(r'<c r="([A-Z]+\d+)"', cell_xml).group(1)
    row = int(_found(r"\d+", ref).group(0))
    with zipfile.ZipFile(path) as z:
        part = sheet_parts(z)[sheet]
        xml = z.read(part).decode("utf-8")
    xml = xml.replace("<sheetData/>", "<sheetData></sheetData>")
    m = re.search(rf'<row r="{row}"[^>]*?(/>|>(.*?)</row>)', xml, re.S)
    if m is None:
        later = [r for r in re.finditer(r'<row r="(\d+)"', xml) if int(r.group(1)) > row]
        at = later[0].start() if later else xml.index("</sheetData>")
        xml = xml[:at] + f'<row r="{row}">{cell_xml}</row>' + xml[at:]
    else:
        cells = re.findall(r'<c r="[A-Z]+\d+"[^>]*?(?:/>|>.*?</c>)', m.group(2) or "", re.S)
        cells = [c for c in cells if not c.startswith(f'<c r="{ref}"')] + [cell_xml]
        cells.sort(key=lambda c: _column(_found(r'r="([A-Z]+)', c).group(1)))
        head = _found(r"\A<row[^>]*?(?=/?>)", m.group(0)).group(0)
        xml = xml[:m.start()] + head + ">" + "".join(cells) + "</row>" + xml[m.end():]
    _rewrite(path, {part: xml.encode("utf-8")})


def add_note(path: Path, sheet: str, ref: str, text: str, author: str = "Coordinator") -> None:
    """Add a cell comment (a note) on ``sheet``!``ref``, as Excel stores one."""
    with zipfile.ZipFile(path) as z:
        part = sheet_parts(z)[sheet]
        names = set(z.namelist())
        folder, name = part.rsplit("/", 1)
        rels_part = f"{folder}/_rels/{name}.rels"
        rels = z.read(rels_part).decode() if rels_part in names else (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"></Relationships>')
        types = z.read("[Content_Types].xml").decode()
    n = 1
    while f"xl/comments{n}.xml" in names:
        n += 1
    comments = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="http://schemas.'
                f'openxmlformats.org/spreadsheetml/2006/main"><authors><author>{escape(author)}</author></authors>'
                f'<commentList><comment ref="{ref}" authorId="0"><text><r><t xml:space="preserve">{escape(text)}'
                "</t></r></text></comment></commentList></comments>")
    rels = rels.replace("</Relationships>", f'<Relationship Id="rIdNote{n}" Type="{COMMENTS_TYPE}" '
                                            f'Target="../comments{n}.xml"/></Relationships>')
    types = types.replace("</Types>", f'<Override PartName="/xl/comments{n}.xml" ContentType="{COMMENTS_CONTENT}"/>'
                                      "</Types>")
    _rewrite(path, {rels_part: rels.encode(), "[Content_Types].xml": types.encode(),
                    f"xl/comments{n}.xml": comments.encode()})
