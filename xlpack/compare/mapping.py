"""The map file: how a baseline's sections and grades read in the re-audit's tool and grade scale.

Two audits of the same tool and grade scale need no map. When the tool or
the scale changed between them, ``xlpack compare --map FILE`` says how to
read the baseline in the re-audit's terms. The file is YAML::

    # baseline section id: re-audit section id (empty: leave the section out)
    sections:
      threshold: strategy_s47
      cin_plan:
    # baseline grade: re-audit grade
    grades:
      Adequate: Requires improvement to be good

or CSV with the header ``kind,baseline,reaudit`` and one row per entry
(``section,threshold,strategy_s47`` / ``grade,Adequate,Requires improvement
to be good``). Sections not named are matched by id; grades not named are
read by the re-audit scale's labels, codes and aliases. Every entry is
checked against the two audits, and every problem is reported with the
file and its line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from xlpack.errors import UsageError, YamlSyntaxError
from xlpack.model.yaml_lines import line_for, load_with_lines

Kind = Literal["section", "grade"]
KINDS: tuple[Kind, ...] = ("section", "grade")
CSV_HEADER = ("kind", "baseline", "reaudit")
MAX_BYTES = 1024 * 1024  # a map lists a few sections and grades


@dataclass(frozen=True)
class MapEntry:
    kind: Kind
    baseline: str
    reaudit: str  # "" leaves a section out of the comparison
    line: int | None = None


@dataclass(frozen=True)
class CompareMap:
    """The entries of a map file, in file order."""

    source: Path | None = None
    entries: tuple[MapEntry, ...] = field(default_factory=tuple)

    def of(self, kind: Kind) -> list[MapEntry]:
        return [e for e in self.entries if e.kind == kind]

    def where(self, entry: MapEntry) -> str:
        place = str(self.source) if self.source else "the map"
        return f"{place}, line {entry.line}" if entry.line else place


def load_map(path: Path) -> CompareMap:
    """Read a map file (.yaml, .yml or .csv); a problem raises :class:`UsageError` naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"The map file {path} is not a file." if path.exists() else
                         f"The map file {path} does not exist.")
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"The map file {path} cannot be read ({exc.strerror or exc}).") from exc
    if len(raw) > MAX_BYTES:
        raise UsageError(f"The map file {path} is larger than {MAX_BYTES // 1024:,} KB: a map lists a few sections "
                         "and grades. Check that you gave the map file.")
    if b"\0" in raw:
        line = raw.count(b"\n", 0, raw.index(b"\0")) + 1
        raise UsageError(f"The map file {path}, line {line}: the file holds binary data, not text. Give the YAML "
                         "or CSV map file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise UsageError(f"The map file {path}, line {line}: the file is not UTF-8 text. Save it as UTF-8 text (in "
                         "Excel, 'CSV UTF-8'), or give the YAML or CSV map file.") from exc
    suffix = path.suffix.lower()
    if suffix == ".csv":
        entries = _from_csv(path, text)
    elif suffix in (".yaml", ".yml"):
        entries = _from_yaml(path, text)
    else:
        raise UsageError(f"{path}: a map file is YAML (.yaml, .yml) or CSV (.csv).")
    if not entries:
        raise UsageError(f"{path}: the map has no entries. List 'sections:' and/or 'grades:' (see the README).")
    return CompareMap(path, tuple(entries))


def _from_yaml(path: Path, text: str) -> list[MapEntry]:
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as exc:
        where = f"{path}, line {exc.line}" if exc.line else str(path)
        raise UsageError(f"{where}: {exc.message}") from exc
    if data is None:
        return []
    if not isinstance(data, dict) or set(data) - {"sections", "grades"}:
        raise UsageError(f"{path}, line {line_for(lines, ()) or 1}: the map has two parts, 'sections:' and "
                         "'grades:', each a list of 'baseline: re-audit' lines.")
    entries: list[MapEntry] = []
    for part, kind in (("sections", "section"), ("grades", "grade")):
        block = data.get(part)
        if block is None:
            continue
        if not isinstance(block, dict):
            raise UsageError(f"{path}, line {line_for(lines, (part,))}: '{part}:' should hold lines of the form "
                             "'baseline: re-audit'.")
        for key, value in block.items():
            entries.append(MapEntry(kind, _text(key), _text(value), line_for(lines, (part, key, "__key__"))))  # type: ignore[arg-type]
    return entries


def _from_csv(path: Path, text: str) -> list[MapEntry]:
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise UsageError(f"{path}, line {reader.line_num}: the line cannot be read as CSV ({exc}).") from exc
    if not rows or tuple(c.strip().casefold() for c in rows[0][:3]) != CSV_HEADER:
        raise UsageError(f"{path}, line 1: the first line must be the header {','.join(CSV_HEADER)}.")
    entries = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row] + ["", "", ""]
        if not any(cells):
            continue
        kind = cells[0].casefold()
        if kind not in KINDS:
            raise UsageError(f"{path}, line {number}: the kind '{cells[0]}' is neither 'section' nor 'grade'.")
        entries.append(MapEntry(kind, cells[1], cells[2], number))
    return entries


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())
