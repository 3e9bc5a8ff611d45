"""One way to read an OOXML package (.xlsx, .xlsm): its parts, their relationships, the workbook's sheets.

An OOXML package is a zip of XML parts tied together by relationship
parts (``xl/_rels/workbook.xml.rels`` says which part holds each sheet).
Every reader of a workbook's own XML goes through here: the sheets are
found by the workbook's relationships, never by a part's usual name or a
pattern over its text; XML is parsed with defusedxml, refusing any
document type declaration (the only way XML can declare entities); tags
and attributes are compared by their local names, so a prefix or the
strict-OOXML namespaces read the same. :class:`PackageReader` reads a
package's parts within the sizes their zip entries declare
(:func:`xlpack.files.bounded_zip.inflate`).

Intake opens returned forms with its own checks and messages
(:mod:`xlpack.intake.ooxml`) but finds their sheets with the functions
here: :func:`parse_xml`, :func:`relationships` and :func:`workbook_sheets`.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeTree

from xlpack.files.bounded_zip import inflate

WORKBOOK_PART = "xl/workbook.xml"
SheetState = Literal["visible", "hidden", "veryHidden"]


def local(name: Any) -> str:
    """A tag or attribute name without its namespace (``{ns}sheet`` -> ``sheet``); "" for a comment's tag."""
    return name.rpartition("}")[2] if isinstance(name, str) else ""


def parse_xml(data: bytes) -> Element:
    """A part's XML, parsed safely. Raises ``defusedxml.DefusedXmlException`` for a document type
    declaration, ``xml.etree.ElementTree.ParseError`` for XML that is not well formed."""
    root: Element = SafeTree.fromstring(data, forbid_dtd=True)
    return root


def iterparse(source: IO[bytes], events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, Element]]:
    """A streaming, safe parse of a large part (clear the elements once read to keep memory flat)."""
    yield from SafeTree.iterparse(source, events=events, forbid_dtd=True)


def rels_part(part: str) -> str:
    """The relationship part of ``part``: ``xl/workbook.xml`` -> ``xl/_rels/workbook.xml.rels``."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(folder: str, target: str) -> str:
    """A relationship's target as a part name: absolute (``/xl/x.xml``) or relative to the source's folder."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


@dataclass(frozen=True)
class Relationship:
    type: str  # the relationship type's URI
    target: str  # the part it points to (resolved; for an external one, the target as written, resolved alike)
    external: bool  # TargetMode="External": a link outside the package, not a part


def relationships(root: Element, part: str) -> dict[str, Relationship]:
    """Relationship id -> relationship, from the parsed relationship part of ``part``."""
    folder = posixpath.dirname(part)
    out: dict[str, Relationship] = {}
    for el in root.iter():
        if local(el.tag) == "Relationship":
            out[el.get("Id", "")] = Relationship(el.get("Type", ""), resolve(folder, el.get("Target", "")),
                                                 el.get("TargetMode") == "External")
    return out


@dataclass(frozen=True)
class SheetEntry:
    name: str
    state: SheetState
    part: str | None  # the part holding the sheet's XML; None when its relationship is not there


def workbook_sheets(book: Element, rels: dict[str, Relationship]) -> list[SheetEntry]:
    """The sheets of a parsed workbook part, in the workbook's order, each with the part its relationship
    names (``rels``: the workbook part's relationships)."""
    out: list[SheetEntry] = []
    for el in book.iter():
        if local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if local(k) == "id"), "")
        state = el.get("state")
        shown: SheetState = "hidden" if state == "hidden" else "veryHidden" if state == "veryHidden" else "visible"
        rel = rels.get(rid)
        out.append(SheetEntry(el.get("name", ""), shown, rel.target if rel is not None else None))
    return out


class PackageReader:
    """An OOXML package open for reading: list its parts, read one, find the workbook's sheets.

    Parts are read whole, within the size their zip entries declare
    (:func:`~xlpack.files.bounded_zip.inflate` raises
    :class:`~xlpack.errors.MemberSizeError` past it); :meth:`stream` opens
    a large part for a streaming parse instead. A missing part raises
    ``KeyError``; damaged XML, ``ParseError`` (see :func:`parse_xml`).
    """

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self._names = {info.filename for info in archive.infolist()}

    def parts(self) -> list[str]:
        """The names of the package's parts, in the zip's order."""
        return [info.filename for info in self.archive.infolist()]

    def has(self, name: str) -> bool:
        return name in self._names

    def read(self, name: str) -> bytes:
        """A part's bytes (``KeyError`` if there is no such part)."""
        return inflate(self.archive, self.archive.getinfo(name))

    def stream(self, name: str) -> IO[bytes]:
        """A part opened for reading a little at a time (a large sheet)."""
        return self.archive.open(name)

    def xml(self, name: str) -> Element:
        return parse_xml(self.read(name))

    def relationships(self, part: str) -> dict[str, Relationship]:
        """The relationships of ``part`` by id ({} when it has no relationship part)."""
        rels = rels_part(part)
        return relationships(self.xml(rels), part) if self.has(rels) else {}

    def sheets(self) -> list[SheetEntry]:
        """The workbook's sheets in order, with their states and parts."""
        return workbook_sheets(self.xml(WORKBOOK_PART), self.relationships(WORKBOOK_PART))

    def sheet_parts(self) -> dict[str, str]:
        """Sheet title -> the part holding its XML, in the workbook's order (sheets without a part left out)."""
        return {s.name: s.part for s in self.sheets() if s.name and s.part}


@contextmanager
def open_package(source: Path | IO[bytes]) -> Iterator[PackageReader]:
    """Open the package at ``source`` (a path or a binary file) for reading; closed on leaving the block.

    Raises ``zipfile.BadZipFile`` for a file that is not a zip."""
    with zipfile.ZipFile(source) as archive:
        yield PackageReader(archive)
