"""Replace some sheets of a workbook xlpack wrote, keeping every other part of the package byte for byte.

A command that changes one or two plan sheets (mail records the Mail log)
need not draw the whole workbook again. The sheets are drawn with
xlsxwriter into a scratch workbook (:func:`splice_sheets` takes its path),
and each one's XML is put in place of the old sheet's part, made to fit
the old package:

- cell styles: each style the new sheet uses is found in the old styles
  part by what it is (font, fill, border, number format, alignment); a
  style the old part lacks is added to it (the only other part that may
  change);
- text: cells that point into the scratch workbook's shared strings are
  written as inline strings, so the old shared strings part is kept;
- tables: the new sheet's table parts take the place of the old ones,
  keeping their ids and part names; the sheet's relationships are kept;
- defined names of the sheet (print area, print titles) are replaced in
  ``xl/workbook.xml``.

It only works on a package xlsxwriter wrote (as xlpack writes every
coordinator workbook) whose sheets are laid out as the scratch workbook's
are: the same sheet, the same number of tables, no other relationships, no
conditional formats. Otherwise - the workbook was saved since by Excel or
LibreOffice, a sheet is new - :class:`NotSpliceable` says why, and the
caller writes the whole workbook instead
(:func:`xlpack.workbook.write.write_plan_sheets`).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlpack.files.package import PackageReader
from xlpack.files.workbooks import temp_beside
from xlpack.files.zip_parts import ZipCopyError, replace_members

_TABLE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"
#: What xlsxwriter writes and Excel or LibreOffice never do: a workbook saved since by either is not spliced.
_XLSXWRITER_BOOK = '<fileVersion appName="xl" lastEdited="4" lowestEdited="4" rupBuild="4505"/>'
_XLSXWRITER_APP = "<AppVersion>12.0000</AppVersion>"
_BUILTIN_FORMATS = 164  # number formats below this id are Excel's own


class NotSpliceable(Exception):
    """The sheets cannot be replaced one by one in this workbook (the message says why)."""


@dataclass(frozen=True)
class SheetPart:
    name: str
    index: int  # its place among the sheets (a defined name's localSheetId)
    part: str  # the zip member holding its XML


def _text(z: zipfile.ZipFile, name: str) -> str:
    try:
        return z.read(name).decode("utf-8")
    except KeyError:
        raise NotSpliceable(f"the package has no {name}") from None


def sheet_parts(z: zipfile.ZipFile) -> dict[str, SheetPart]:
    """Sheet name -> where its XML is, in the workbook's order (read by :mod:`xlpack.files.package`)."""
    try:
        sheets = PackageReader(z).sheets()
    except KeyError:
        raise NotSpliceable("the package has no workbook part") from None
    out = {}
    for i, sheet in enumerate(sheets):
        if sheet.part is None:
            raise NotSpliceable(f"the sheet '{sheet.name}' has no part")
        out[sheet.name] = SheetPart(sheet.name, i, sheet.part)
    return out


def written_by_xlsxwriter(z: zipfile.ZipFile) -> bool:
    """Whether the package is as xlsxwriter wrote it (not saved since by Excel or LibreOffice)."""
    names = set(z.namelist())
    return ("docProps/app.xml" in names and _XLSXWRITER_APP in _text(z, "docProps/app.xml")
            and _XLSXWRITER_BOOK in _text(z, "xl/workbook.xml"))


# --------------------------------------------------------------------------
# Styles


def _items(xml: str, container: str, item: str) -> tuple[re.Match[str] | None, list[str]]:
    """The container element (``<fonts count=..>...</fonts>``) and its items' XML, in order."""
    m = re.search(rf"<{container}\b[^>]*?(?:/>|>(.*?)</{container}>)", xml, re.S)
    if m is None:
        return None, []
    inner = m.group(1) or ""
    return m, re.findall(rf"<{item}\b[^>]*?(?:/>|>.*?</{item}>)", inner, re.S)


_ATTR = re.compile(r'(\w+)="([^"]*)"')


def _xf_parts(xf: str) -> tuple[str, str, str]:
    """A cell style's attributes, how its start tag ends (``/>`` or ``>``), and what follows."""
    m = re.match(r"<xf\b([^>]*?)(/?>)(.*)$", xf, re.S)
    if m is None:
        raise NotSpliceable("a cell style cannot be read")
    return m.group(1), m.group(2), m.group(3)


class Styles:
    """One styles part: each cell style (``cellXfs``) known by what it is, new ones added at the end."""

    def __init__(self, xml: str):
        self.xml = xml
        self.lists: dict[str, list[str]] = {}
        for container, item in (("numFmts", "numFmt"), ("fonts", "font"), ("fills", "fill"),
                                ("borders", "border"), ("cellXfs", "xf")):
            m, items = _items(xml, container, item)
            if m is None and container != "numFmts":
                raise NotSpliceable(f"the styles part has no {container}")
            self.lists[container] = items
        self.formats = {int(a["numFmtId"]): a["formatCode"]
                        for a in (dict(_ATTR.findall(f)) for f in self.lists["numFmts"])}
        self.keys: dict[tuple[object, ...], int] = {}
        for i, xf in enumerate(self.lists["cellXfs"]):
            self.keys.setdefault(self.key(xf), i)
        self.changed = False

    def key(self, xf: str) -> tuple[object, ...]:
        """What a cell style is, whatever the indices it is written with."""
        attrs, _, body = _xf_parts(xf)
        a = dict(_ATTR.findall(attrs))
        fmt = int(a.pop("numFmtId", "0"))
        resolved = [("numFmt", self.formats.get(fmt, str(fmt)) if fmt >= _BUILTIN_FORMATS else str(fmt))]
        for attr, container in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            i = int(a.pop(attr, "0"))
            items = self.lists[container]
            resolved.append((attr, items[i] if i < len(items) else str(i)))
        return (*resolved, *sorted(a.items()), body)

    def index_of(self, other: Styles, i: int) -> int:
        """The index here of ``other``'s cell style ``i`` (added here when there is none like it)."""
        xf = other.lists["cellXfs"][i]
        key = other.key(xf)
        found = self.keys.get(key)
        if found is not None:
            return found
        attrs, close, body = _xf_parts(xf)
        a = dict(_ATTR.findall(attrs))
        fmt = int(a.get("numFmtId", "0"))
        ids = {"numFmtId": str(self._format_id(other.formats[fmt]) if fmt >= _BUILTIN_FORMATS else fmt)}
        for attr, container in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            ids[attr] = str(self._item_id(container, other.lists[container][int(a.get(attr, "0"))]))
        attrs = _ATTR.sub(lambda m: f'{m.group(1)}="{ids.get(m.group(1), m.group(2))}"', attrs)
        self.lists["cellXfs"].append(f"<xf{attrs}{close}{body}")
        index = len(self.lists["cellXfs"]) - 1
        self.keys[key] = index
        self.changed = True
        return index

    def _format_id(self, code: str) -> int:
        for fid, c in self.formats.items():
            if c == code:
                return fid
        fid = max([_BUILTIN_FORMATS - 1, *self.formats]) + 1
        self.formats[fid] = code
        self.lists["numFmts"].append(f'<numFmt numFmtId="{fid}" formatCode="{code}"/>')
        self.changed = True
        return fid

    def _item_id(self, container: str, item: str) -> int:
        items = self.lists[container]
        if item in items:
            return items.index(item)
        items.append(item)
        self.changed = True
        return len(items) - 1

    def text(self) -> str:
        """The styles part with what was added."""
        xml = self.xml
        for container, item in (("numFmts", "numFmt"), ("fonts", "font"), ("fills", "fill"),
                                ("borders", "border"), ("cellXfs", "xf")):
            items = self.lists[container]
            m, _ = _items(xml, container, item)
            whole = f'<{container} count="{len(items)}">{"".join(items)}</{container}>'
            if m is not None:
                xml = xml[:m.start()] + whole + xml[m.end():]
            elif items:  # numFmts, first of the style sheet's elements
                start = re.search(r"<styleSheet\b[^>]*>", xml)
                if start is None:
                    raise NotSpliceable("the styles part has no style sheet")
                xml = xml[:start.end()] + whole + xml[start.end():]
        return xml


# --------------------------------------------------------------------------
# Sheets


def _shared_strings(z: zipfile.ZipFile) -> list[str]:
    """The inner XML of each shared string (``<t>..</t>`` or rich runs), in order."""
    if "xl/sharedStrings.xml" not in z.namelist():
        return []
    return re.findall(r"<si>(.*?)</si>", _text(z, "xl/sharedStrings.xml"), re.S)


_CELL = re.compile(r"<c\b([^>]*?)(/>|>(.*?)</c>)", re.S)
_STYLE = re.compile(r'(\bs=")(\d+)(")')


def _fit_sheet(xml: str, strings: list[str], style: dict[int, int], selected: bool) -> str:
    """The scratch sheet's XML with the old package's style indices and its text as inline strings.

    ``selected``: whether the old sheet was the one selected (the scratch workbook's first sheet always is).
    """
    if "dxfId" in xml:
        raise NotSpliceable("the sheet has conditional formats")
    xml = re.sub(r'<sheetView\b[^>]*>', lambda v: _selected(v.group(0), selected), xml, count=1)

    def cell(m: re.Match[str]) -> str:
        attrs, body = m.group(1), m.group(3)
        attrs = _STYLE.sub(lambda s: f"{s.group(1)}{style[int(s.group(2))]}{s.group(3)}", attrs)
        if body is None:
            return f"<c{attrs}/>"
        if ' t="s"' in attrs:
            v = re.search(r"<v>(\d+)</v>", body)
            if v is None:
                raise NotSpliceable("a shared string cell has no value")
            attrs = attrs.replace(' t="s"', ' t="inlineStr"')
            return f"<c{attrs}><is>{strings[int(v.group(1))]}</is></c>"
        return f"<c{attrs}>{body}</c>"

    head, sep, rest = xml.partition("<sheetData")
    data, sep2, tail = rest.partition("</sheetData>")
    data = _CELL.sub(cell, data)
    data = re.sub(r"<row\b[^>]*>", lambda r: _STYLE.sub(lambda s: f"{s.group(1)}{style[int(s.group(2))]}"
                                                       f"{s.group(3)}", r.group(0)), data)
    head = re.sub(r"<col\b[^>]*>", lambda c: re.sub(r'(\bstyle=")(\d+)(")', lambda s: f"{s.group(1)}"
                                                    f"{style[int(s.group(2))]}{s.group(3)}", c.group(0)), head)
    return head + sep + data + sep2 + tail


def _selected(view: str, selected: bool) -> str:
    """A ``<sheetView>`` start tag, with ``tabSelected`` as the old sheet had it."""
    view = view.replace(' tabSelected="1"', "")
    return view.replace("<sheetView", '<sheetView tabSelected="1"', 1) if selected else view


def sheet_tables(z: zipfile.ZipFile, sheet: SheetPart) -> dict[str, str]:
    """Relationship id -> table part of the sheet; anything but tables is refused."""
    out = {}
    for rid, rel in PackageReader(z).relationships(sheet.part).items():
        kind, target = rel.type, rel.target
        if kind != _TABLE_REL:
            raise NotSpliceable(f"the sheet '{sheet.name}' has parts other than tables ({kind.rsplit('/', 1)[-1]})")
        out[rid] = target
    return out


def _same_id(table: str, old: str, sheet: str) -> str:
    """The new table part ``table`` with the id of the ``old`` one it replaces (ids are unique in a workbook)."""
    pattern = re.compile(r'(<table\b[^>]*?\bid=")(\d+)(")')
    was, now = pattern.search(old), pattern.search(table)
    if was is None or now is None:
        raise NotSpliceable(f"a table of the sheet '{sheet}' has no id")
    return table[:now.start(2)] + was.group(2) + table[now.end(2):]


def _defined_names(book: str, index: int) -> list[str]:
    return re.findall(rf'<definedName\b[^>]*\blocalSheetId="{index}"[^>]*>.*?</definedName>', book, re.S)


def _names_moved(book: str, old_index: int, names: list[str], new_index: int) -> str:
    """``book`` (workbook.xml) with the defined names of the sheet at ``old_index`` replaced by ``names``."""
    moved = [n.replace(f'localSheetId="{new_index}"', f'localSheetId="{old_index}"') for n in names]
    current = _defined_names(book, old_index)
    if current == moved:
        return book
    if len(current) == len(moved):  # in place, in xlsxwriter's order
        for was, now in zip(current, moved, strict=True):
            book = book.replace(was, now, 1)
        return book
    for n in current:
        book = book.replace(n, "", 1)
    if not moved:
        return book
    if "</definedNames>" in book:
        return book.replace("</definedNames>", "".join(moved) + "</definedNames>", 1)
    if "<definedNames/>" in book:
        return book.replace("<definedNames/>", f"<definedNames>{''.join(moved)}</definedNames>", 1)
    return book.replace("</sheets>", f"</sheets><definedNames>{''.join(moved)}</definedNames>", 1)


def splice_sheets(old: Path, scratch: Path, sheets: Sequence[str], out: Path) -> None:
    """Write ``out``: the package ``old`` with the sheets named taken from ``scratch`` (both xlsxwriter's).

    Raises :class:`NotSpliceable` (nothing useful written) when it cannot be done part by part.
    """
    with zipfile.ZipFile(old) as o, zipfile.ZipFile(scratch) as s:
        if not written_by_xlsxwriter(o):
            raise NotSpliceable("the workbook was saved by another program since xlpack wrote it")
        old_sheets, new_sheets = sheet_parts(o), sheet_parts(s)
        if [n for n in old_sheets if n in new_sheets] != [n for n in new_sheets if n in old_sheets]:
            raise NotSpliceable("the sheets are not in the order xlpack writes them")
        mine, theirs = Styles(_text(o, "xl/styles.xml")), Styles(_text(s, "xl/styles.xml"))
        strings = _shared_strings(s)
        book = _text(o, "xl/workbook.xml")
        new_book = _text(s, "xl/workbook.xml")
        parts: dict[str, bytes] = {}
        for name in sheets:
            if name not in old_sheets or name not in new_sheets:
                raise NotSpliceable(f"the sheet '{name}' is new, or no longer written")
            was, now = old_sheets[name], new_sheets[name]
            old_tables, new_tables = sheet_tables(o, was), sheet_tables(s, now)
            if sorted(old_tables) != sorted(new_tables):
                raise NotSpliceable(f"the sheet '{name}' does not have the tables xlpack writes on it")
            xml = _text(s, now.part)
            used = {int(i) for i in re.findall(r'\b(?:s|style)="(\d+)"', xml)}
            style = {i: mine.index_of(theirs, i) for i in sorted(used)}
            selected = re.search(r'<sheetView\b[^>]*\btabSelected="1"', _text(o, was.part)) is not None
            parts[was.part] = _fit_sheet(xml, strings, style, selected).encode("utf-8")
            for rid, target in old_tables.items():
                table = _text(s, new_tables[rid])
                parts[target] = _same_id(table, _text(o, target), name).encode("utf-8")
            book = _names_moved(book, was.index, _defined_names(new_book, now.index), now.index)
        if mine.changed:
            parts["xl/styles.xml"] = mine.text().encode("utf-8")
        if book != _text(o, "xl/workbook.xml"):
            parts["xl/workbook.xml"] = book.encode("utf-8")
        parts = {k: v for k, v in parts.items() if v != o.read(k)}
    try:
        replace_members(old, out, parts)
    except ZipCopyError as exc:
        raise NotSpliceable(str(exc)) from exc


def splice_drawn(old: Path, out: Path, draw: Callable[[Path], Sequence[str]]) -> None:
    """``draw`` writes a scratch workbook (a path beside ``out``) and returns the sheets to take from it; they
    replace the same sheets of ``old``, written to ``out`` (:func:`splice_sheets`). The scratch file is removed
    whatever happens."""
    scratch = temp_beside(out, "scratch")
    try:
        splice_sheets(old, scratch, draw(scratch), out)
    finally:
        if scratch.exists():
            scratch.unlink()
