"""What a workbook's cached values do not show: formulas and cell comments, found in its sheet XML.

python-calamine reads the value each cell last showed. A formula with no
value saved (written by a script) reads as empty, and text Excel turned
into a formula (``- agreed`` becomes ``=-agreed``, showing ``#NAME?``)
reads as an error; comments are not read at all. xlpack writes no formula
and no comment into the coordinator workbook, so any found there was put
there by a person. :func:`find_extras` lists them, sheet by sheet, without
holding a sheet in memory: each sheet part is first scanned as bytes for a
formula element, and only a sheet that has one is parsed (a streaming
parse, defusedxml, elements cleared as they are read). Comments (Excel's
notes and threaded comments) are read from the parts each sheet's
relationships name. At most :data:`MAX_FOUND` of each are listed.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException

from xlpack.errors import MemberSizeError, WorkbookError
from xlpack.files.package import PackageReader, iterparse, local, open_package

MAX_FOUND = 200
CHUNK = 1 << 20
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?f[\s/>]")
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]{0,15}:)?worksheet[\s>]")
_OVERLAP = 24  # bytes kept between chunks, so a tag split across two is still seen


@dataclass(frozen=True)
class Formula:
    sheet: str
    cell: str
    formula: str  # as stored, without the leading "=" ("" for a cell sharing another cell's formula)
    cached: str | None  # the value it showed when saved; None when none was saved
    error: bool  # the value shown is an error such as #NAME?


@dataclass(frozen=True)
class Comment:
    sheet: str
    cell: str
    text: str


@dataclass
class Extras:
    formulas: list[Formula]
    comments: list[Comment]


def find_extras(path: Path) -> Extras:
    """The formulas and cell comments of every sheet of the workbook at ``path``."""
    found = Extras([], [])
    try:
        with open_package(path) as pkg:
            for sheet, part in pkg.sheet_parts().items():
                if not pkg.has(part):
                    continue
                if len(found.formulas) < MAX_FOUND and _has_formula(pkg, part):
                    found.formulas += _formulas(pkg, part, sheet, MAX_FOUND - len(found.formulas))
                if len(found.comments) < MAX_FOUND:
                    found.comments += _comments(pkg, part, sheet)[:MAX_FOUND - len(found.comments)]
    except (zipfile.BadZipFile, ParseError, DefusedXmlException, MemberSizeError, KeyError) as exc:
        raise WorkbookError(f"{path} cannot be read as an Excel workbook ({exc}).") from exc
    return found


def _has_formula(pkg: PackageReader, part: str) -> bool:
    """Whether the part holds a formula element (a byte scan: no XML parsed, little held)."""
    tail = b""
    pattern = _FORMULA_TAG
    with pkg.stream(part) as f:
        while chunk := f.read(CHUNK):
            if not tail:  # the root element's prefix, if any, is the one cell elements use: search for it alone
                root = _ROOT.search(chunk)
                if root is not None:
                    pattern = re.compile(b"<" + re.escape(root.group(1) or b"") + rb"f[\s/>]")
            if pattern.search(tail + chunk):
                return True
            tail = chunk[-_OVERLAP:]
    return False


def _formulas(pkg: PackageReader, part: str, sheet: str, limit: int) -> list[Formula]:
    out: list[Formula] = []
    with pkg.stream(part) as f:
        for cell in _cells(f):
            formula = next((child for child in cell if local(child.tag) == "f"), None)
            if formula is None:
                continue
            value = next((child for child in cell if local(child.tag) in ("v", "is")), None)
            cached = "".join(value.itertext()) if value is not None else None
            out.append(Formula(sheet, cell.get("r", "?"), formula.text or "", cached if cached != "" else None,
                               cell.get("t") == "e"))
            if len(out) >= limit:
                break
    return out


def _cells(f: IO[bytes]) -> Iterator[Element]:
    """Each ``<c>`` element of a sheet, complete; each row is dropped once read (a streaming parse)."""
    rows: Element | None = None
    for event, el in iterparse(f, events=("start", "end")):
        tag = local(el.tag)
        if event == "start":
            if tag == "sheetData":
                rows = el
        elif tag == "c":
            yield el
        elif tag == "row":
            el.clear()
            if rows is not None:
                rows.remove(el)


def _comments(pkg: PackageReader, part: str, sheet: str) -> list[Comment]:
    """The sheet's comments by cell: a threaded comment's text before its legacy copy's."""
    by_cell: dict[str, str] = {}
    rels = [r for r in pkg.relationships(part).values() if not r.external and pkg.has(r.target)
            and r.type.casefold().endswith(("/comments", "/threadedcomment"))]
    for rel in sorted(rels, key=lambda r: "threaded" not in r.type.casefold()):
        with pkg.stream(rel.target) as f:
            for _, el in iterparse(f):
                if local(el.tag) in ("comment", "threadedComment") and el.get("ref"):
                    text = " ".join("".join(t.itertext()) for t in el if local(t.tag) == "text").strip()
                    by_cell.setdefault(el.get("ref", ""), text)
                    el.clear()
    return [Comment(sheet, cell, text) for cell, text in by_cell.items()]
