"""A safe first look inside a workbook file, before any library parses it.

:func:`open_workbook` takes a file's bytes and returns a :class:`Package`
(the zip, its sheets with their states and parts, structure protection,
the workbook's own save time) or raises :class:`PackageError` with the
problem to report: not a zip, cut short, encrypted, an old .xls, a zip
bomb, a part too large, XML that declares entities.

Small XML parts are parsed with defusedxml. Every part handed on to the
value reader (calamine) is first read here within the size limits and
refused if it declares a document type, the only way XML can define
entities, so entity expansion and external entities never reach a parser.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException

from xlpack.errors import MemberSizeError
from xlpack.files.bounded_zip import MiB, inflate
from xlpack.files.package import (
    WORKBOOK_PART,
    Relationship,
    SheetEntry,
    local,
    parse_xml,
    relationships,
    rels_part,
    workbook_sheets,
)
from xlpack.intake.problems import Problem, member_problem, problem, reason_text, size_text

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
VBA_PART = "xl/vbaProject.bin"  # where Excel keeps a workbook's macros
VBA_CONTENT_TYPE = "application/vnd.ms-office.vbaproject"  # compared in lower case
VBA_MARK = b"vbaproject"  # in the content types or relationships that name a VBA project (lower case)


@dataclass(frozen=True)
class PartLimits:
    part_bytes: int = 64 * MiB
    entries: int = 2000
    total_bytes: int = 256 * MiB
    bomb_bytes: int = 8 * MiB  # a part this large must not be compressed more than ``ratio`` times
    ratio: int = 200
    kept_bytes: int = 16 * MiB  # XML parts kept in memory once checked, so they are inflated only once


class PackageError(Exception):
    def __init__(self, found: Problem):
        super().__init__(found.message)
        self.problem = found


@dataclass
class Package:
    """An opened .xlsx/.xlsm: what it holds and how it was protected."""

    data: bytes  # the (decrypted) zip bytes
    archive: zipfile.ZipFile
    sheets: list[SheetEntry]
    structure_protection: bool | None  # None: no workbookProtection element at all
    saved_at: datetime | None
    has_macros: bool
    names: set[str] = field(default_factory=set)
    read: dict[str, bytes] = field(default_factory=dict)  # parts already inflated (and checked) at opening
    hidden_macros: list[str] = field(default_factory=list)  # VBA projects stored where Excel does not keep them

    def sheet(self, name: str) -> SheetEntry | None:
        return next((s for s in self.sheets if s.name == name), None)

    def part(self, name: str) -> bytes:
        """A part's bytes, read within the limits; refused if it declares a document type."""
        data = self.read.get(name)
        if data is None:
            try:
                info = self.archive.getinfo(name)
            except KeyError:
                raise PackageError(problem("damaged", detail=f"the part {name} is missing")) from None
            data = read_part(self.archive, info)
        if declares_dtd(data):
            raise PackageError(problem("unsafe-xml", part=name))
        return data


def read_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, keep: bool = True) -> bytes:
    """A part's bytes, inflated in chunks and refused as soon as it holds more than its entry declares."""
    try:
        return inflate(archive, info, keep=keep)
    except MemberSizeError as exc:
        raise PackageError(member_problem(exc, "workbook")) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        name = info.filename
        raise PackageError(problem("damaged", detail=f"the part {name} cannot be read: {reason_text(exc)}")) from None


def declares_dtd(data: bytes) -> bool:
    """True when XML text holds a document type declaration (entities can only be declared in one)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or data[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
        text = data.decode("utf-16", errors="replace")
        return "<!DOCTYPE" in text or "<!ENTITY" in text
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data


def _parse(pkg_part: bytes, name: str) -> Element:
    try:
        return parse_xml(pkg_part)
    except DefusedXmlException:
        raise PackageError(problem("unsafe-xml", part=name)) from None
    except ParseError as exc:
        raise PackageError(problem("damaged", detail=f"the part {name} is not well-formed XML: {exc}")) from None


# ---------------------------------------------------------------- opening


def decrypt(data: bytes, password: str | None) -> bytes:
    """An OLE compound file: decrypt an encrypted .xlsx, or say what else it is."""
    import msoffcrypto  # heavy (cryptography): only for the rare encrypted return
    import olefile

    try:
        ole = olefile.OleFileIO(data)
        streams = {"/".join(parts).lower() for parts in ole.listdir()}
        ole.close()
    except Exception as exc:  # noqa: BLE001 - olefile raises several types for damaged files
        raise PackageError(problem("damaged", detail=f"a damaged Office file: {reason_text(exc)}")) from None
    if "encryptedpackage" in streams and "encryptioninfo" in streams:
        if not password:
            raise PackageError(problem("encrypted"))
        try:
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            office.load_key(password=password, verify_password=True)
            out = io.BytesIO()
            office.decrypt(out)
        except msoffcrypto.exceptions.InvalidKeyError:
            raise PackageError(problem("wrong-password")) from None
        except Exception as exc:  # noqa: BLE001 - damaged encryption headers raise several types
            raise PackageError(problem("damaged", detail=f"cannot decrypt: {reason_text(exc)}")) from None
        return out.getvalue()
    if "workbook" in streams or "book" in streams:
        raise PackageError(problem("old-xls"))
    raise PackageError(problem("not-a-workbook", detail="an Office file of another kind (not a spreadsheet)"))


def _not_zip(data: bytes) -> Problem:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        detail = "it is a web page (HTML)"
    elif head.startswith(b"<?xml"):
        detail = "it is XML text (perhaps saved as 'XML Spreadsheet 2003')"
    elif head.startswith(b"{\\rtf"):
        detail = "it is a rich-text document"
    elif head.startswith(b"%pdf"):
        detail = "it is a PDF"
    elif b"\x00" not in head and _is_text(head):
        detail = "it is plain text"
    else:
        detail = "its content is not a zip package"
    return problem("not-a-workbook", detail=detail)


def _is_text(head: bytes) -> bool:
    text = head.decode("utf-8", "replace")
    return sum(ch.isprintable() or ch.isspace() for ch in text) >= 0.95 * len(text)


def open_workbook(data: bytes, password: str | None = None, limits: PartLimits = PartLimits()) -> Package:
    """Check a file's bytes and open it as a workbook package (raises :class:`PackageError`)."""
    if not data:
        raise PackageError(problem("empty-file"))
    if data[:8] == OLE_MAGIC:
        data = decrypt(data, password)
    if data[:4] not in ZIP_MAGICS:
        if data[:2] == b"PK":
            raise PackageError(problem("damaged", detail="not a complete zip package"))
        raise PackageError(_not_zip(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise PackageError(problem("damaged", detail=f"not a complete zip package: {reason_text(exc)}")) from None
    read = _check_sizes(archive, limits)
    names = set(archive.namelist())
    if WORKBOOK_PART not in names:
        raise PackageError(_other_package(archive, names))
    pkg = Package(data, archive, [], None, None, "xl/vbaProject.bin" in names, names, read)
    vba = macro_parts(pkg)
    pkg.has_macros = pkg.has_macros or bool(vba)
    pkg.hidden_macros = sorted(vba - {VBA_PART})
    pkg.sheets, pkg.structure_protection = _workbook(pkg)
    pkg.saved_at = _saved_at(pkg)
    return pkg


#: The sheets and structure protection of the workbook parts read so far, by the bytes of the workbook part and
#: its relationships: the forms of a batch share a few, so each is parsed once. Only parts that passed every
#: check are remembered (the same bytes pass them again).
_BOOKS: dict[tuple[bytes, bytes], tuple[tuple[SheetEntry, ...], bool | None]] = {}
_BOOKS_KEPT = 64


def _workbook(pkg: Package) -> tuple[list[SheetEntry], bool | None]:
    """The workbook part's sheets (with their parts) and its structure protection."""
    book, rels = pkg.read.get(WORKBOOK_PART), pkg.read.get(rels_part(WORKBOOK_PART))
    key = (book, rels) if book is not None and rels is not None else None
    known = _BOOKS.get(key) if key is not None else None
    if known is None:
        root = _parse(pkg.part(WORKBOOK_PART), WORKBOOK_PART)
        sheets = workbook_sheets(root, _relationships(pkg, WORKBOOK_PART))
        protection = None
        for el in root.iter():
            if local(el.tag) == "workbookProtection":
                protection = el.attrib.get("lockStructure", "1").lower() not in ("0", "false")
        known = (tuple(sheets), protection)
        if key is not None:
            if len(_BOOKS) >= _BOOKS_KEPT:
                del _BOOKS[next(iter(_BOOKS))]
            _BOOKS[key] = known
    return list(known[0]), known[1]


def _check_sizes(archive: zipfile.ZipFile, limits: PartLimits) -> dict[str, bytes]:
    """Refuse what the declared sizes say is too large, then check every part's real size.

    Every part is inflated (calamine reads parts of its own choosing, and
    must meet none larger than declared); the small XML parts are kept, so
    the ones read next are not inflated twice.
    """
    infos = archive.infolist()
    if len(infos) > limits.entries:
        raise PackageError(problem("not-a-workbook", detail=f"a zip of {len(infos)} files, not a form"))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise PackageError(problem("damaged", detail=f"the part {info.filename} is encrypted inside the zip"))
        total += info.file_size
        if info.file_size > limits.bomb_bytes and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise PackageError(problem("zip-bomb", part=info.filename, packed=size_text(info.compress_size),
                                       size=size_text(info.file_size)))
        if info.file_size > limits.part_bytes:
            raise PackageError(problem("part-too-large", part=info.filename, size=size_text(info.file_size),
                                       limit=size_text(limits.part_bytes)))
    if total > limits.total_bytes:
        raise PackageError(problem("part-too-large", part="(all parts together)", size=size_text(total),
                                   limit=size_text(limits.total_bytes)))
    kept: dict[str, bytes] = {}
    budget = limits.kept_bytes
    for info in infos:  # the declared sizes are within the limits: now hold every part to its declared size
        keep = info.file_size <= budget and info.filename.endswith((".xml", ".rels"))
        data = read_part(archive, info, keep=keep)
        if keep:
            kept[info.filename] = data  # a name given twice: the last wins, as zipfile reads it
            budget -= len(data)
    return kept


# ---------------------------------------------------------------- macros


def macro_parts(pkg: Package) -> set[str]:
    """Every part holding a VBA project, wherever it is stored and whatever it is called.

    Found three ways: the content type ``[Content_Types].xml`` gives it, a
    relationship of the VBA project type points to it, or it is an OLE
    compound file (the format of a VBA project) with a VBA storage inside.
    """
    found = {VBA_PART} & pkg.names
    types = pkg.read.get("[Content_Types].xml")
    if types is not None and VBA_MARK in types.lower():
        found |= _typed_vba(pkg, _parse(types, "[Content_Types].xml"))
    for name in pkg.names:
        if name.endswith(".rels") and VBA_MARK in pkg.part(name).lower():
            found |= _related_vba(name, _parse(pkg.part(name), name))
    for info in pkg.archive.infolist():
        if info.filename not in found and _starts_ole(pkg, info) and _ole_has_vba(
                pkg.read.get(info.filename) or read_part(pkg.archive, info)):
            found.add(info.filename)
    return found


def _typed_vba(pkg: Package, root: Element) -> set[str]:
    out: set[str] = set()
    for el in root.iter():
        if el.attrib.get("ContentType", "").strip().lower() != VBA_CONTENT_TYPE:
            continue
        if local(el.tag) == "Override":
            out.add(el.attrib.get("PartName", "").lstrip("/"))
        elif local(el.tag) == "Default":
            ext = "." + el.attrib.get("Extension", "").lower()
            out |= {n for n in pkg.names if n.lower().endswith(ext)}
    return out & pkg.names


def _related_vba(rels: str, root: Element) -> set[str]:
    # xl/_rels/workbook.xml.rels holds the relationships of xl/workbook.xml
    part = posixpath.join(posixpath.dirname(posixpath.dirname(rels)), posixpath.basename(rels).removesuffix(".rels"))
    return {rel.target for rel in relationships(root, part).values() if rel.type.lower().endswith("/vbaproject")}


def _starts_ole(pkg: Package, info: zipfile.ZipInfo) -> bool:
    kept = pkg.read.get(info.filename)
    if kept is not None:
        return kept[:8] == OLE_MAGIC
    if info.file_size < len(OLE_MAGIC):
        return False
    try:
        with pkg.archive.open(info) as fh:  # its size was checked when the package was opened
            return fh.read(len(OLE_MAGIC)) == OLE_MAGIC
    except Exception:  # noqa: BLE001 - a part that cannot be read was refused when the package was opened
        return False


def _ole_has_vba(data: bytes) -> bool:
    """An OLE compound file with a VBA storage: a VBA project (or an embedded document carrying one)."""
    import olefile

    try:
        ole = olefile.OleFileIO(data)
        try:
            return any(any(p.lower() in ("vba", "_vba_project") for p in path) for path in ole.listdir(True, True))
        finally:
            ole.close()
    except Exception:  # noqa: BLE001 - not a readable compound file: Excel would not run it either
        return False


def _other_package(archive: zipfile.ZipFile, names: set[str]) -> Problem:
    if "mimetype" in names:
        try:
            mime = archive.read("mimetype")[:100].decode("ascii", "replace")
        except Exception:  # noqa: BLE001 - a damaged mimetype entry says nothing either way
            mime = ""
        if "spreadsheet" in mime:
            return problem("wrong-format", what="an OpenDocument spreadsheet (.ods)")
        return problem("not-a-workbook", detail="an OpenDocument file, not a spreadsheet")
    if "xl/workbook.bin" in names:
        return problem("wrong-format", what="an Excel binary workbook (.xlsb)")
    if "word/document.xml" in names:
        return problem("not-a-workbook", detail="a Word document")
    if "ppt/presentation.xml" in names:
        return problem("not-a-workbook", detail="a PowerPoint presentation")
    return problem("not-a-workbook", detail="a zip archive without a workbook inside")


def _relationships(pkg: Package, part: str) -> dict[str, Relationship]:
    """The relationships of ``part``, whose relationship part must be there."""
    name = rels_part(part)
    if name not in pkg.names:
        raise PackageError(problem("damaged", detail=f"the part {name} is missing"))
    return relationships(_parse(pkg.part(name), name), part)


def _saved_at(pkg: Package) -> datetime | None:
    name = "docProps/core.xml"
    if name not in pkg.names:
        return None
    root = _parse(pkg.part(name), name)
    for el in root.iter():
        if local(el.tag) == "modified" and el.text:
            return parse_w3c_datetime(el.text.strip())
    return None


def parse_w3c_datetime(text: str) -> datetime | None:
    """``2026-03-14T10:22:05Z`` (or with an offset) as an aware UTC datetime; None if not one."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
