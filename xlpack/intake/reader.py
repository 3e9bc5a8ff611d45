"""Read one returned workbook: is it ours, is it intact, what did the auditor answer?

:func:`read_form` takes a file's bytes and the audit it should belong to
and returns a :class:`FormRead`: every problem found, and for a form with
no error the :class:`~xlpack.model.records.FormReturn` of its answers. It never
raises for anything in the file.

The steps: open the package safely (:mod:`xlpack.intake.ooxml`); read the hidden
metadata sheet (form id, audit id, the input cells, the locked text);
check the form against the coordinator's manifest; check the layout
(:mod:`xlpack.intake.structure`); read the answers (:mod:`xlpack.intake.answers`).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import chain
from sys import intern
from typing import Any

from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

from xlpack.coordinator.plan_sheets import META as COORDINATOR_META
from xlpack.coordinator.plan_sheets import SCHEMA as COORDINATOR_SCHEMA
from xlpack.files.workbooks import BACKUPS, cell_text
from xlpack.forms.layout import COVER_SHEET, FORM_SCHEMA, LISTS_SHEET, META_SHEET, fingerprint
from xlpack.intake.answers import InputRef, read_answers
from xlpack.intake.name_guard import name_problems
from xlpack.intake.ooxml import Package, PackageError, open_workbook
from xlpack.intake.problems import Problem, problem, reason_text
from xlpack.intake.structure import Locked, check_locked, formula_cells, sheet_protected, stray_text
from xlpack.model.definitions import ToolDefinition
from xlpack.model.names import NameLists, default_lists
from xlpack.model.plan import AuditPlan, IssuedForm
from xlpack.model.records import FormReturn, SectionAnswer

REQUIRED_KEYS = ("form_id", "audit_id", "kind", "case_ref", "agency", "auditor", "tool_id", "tool_version", "sheet",
                 "fingerprint")
FORM_ID_LABEL = "Form id (do not change)"
CELL_REF = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")
#: Parts calamine parses besides the sheets (which are checked as they are read).
PARSED_PARTS = ("xl/sharedStrings.xml", "xl/styles.xml")
COMPARED = (("case_ref", "the case reference"), ("agency", "the agency"), ("auditor", "the auditor"),
            ("kind", "the kind of form"), ("tool_id", "the tool"), ("tool_version", "the tool version"))


@dataclass
class Audit:
    """What returns are checked against: the plan and its manifest of issued forms."""

    plan: AuditPlan
    label: str  # how messages name this audit: "'Title' (audit.xlsx)"
    issued: dict[str, IssuedForm] = field(default_factory=dict)
    blanks: dict[str, IssuedForm] = field(default_factory=dict)  # by the SHA-256 of the file as issued
    names: NameLists = field(default_factory=default_lists)  # the name guard's lists
    extract: str = ""  # the SHA-256 of the case extract the sample was drawn from (the Sample sheet)

    @classmethod
    def of(cls, plan: AuditPlan, source: str = "") -> Audit:
        label = f"'{plan.terms.title}'" + (f" ({source})" if source else "")
        return cls(plan, label, {f.form_id: f for f in plan.issued}, {f.sha256: f for f in plan.issued if f.sha256},
                   plan.name_lists(), plan.sample.extract_sha256 if plan.sample else "")


@dataclass
class FormRead:
    problems: list[Problem] = field(default_factory=list)
    skipped: bool = False  # not a return at all (this audit's coordinator workbook or a backup of it)
    form: FormReturn | None = None
    form_id: str | None = None
    case_ref: str | None = None
    agency: str | None = None
    auditor: str | None = None
    saved_at: datetime | None = None


@dataclass
class FormMeta:
    values: dict[str, str]
    inputs: list[InputRef]
    locked: list[tuple[str, Locked]]  # (sheet, cell)

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


class _Stop(Exception):
    """Reading cannot go on; the problem says why."""

    def __init__(self, found: Problem):
        self.problem = found


# ---------------------------------------------------------------- metadata


#: Metadata rows of input cells and of locked text already read, by their text. The forms of one layout repeat all
#: but a few of these rows, so each row's record is made once and shared by the forms (the records are frozen).
_INPUT_ROWS: dict[tuple[Any, ...], InputRef] = {}
_LOCKED_ROWS: dict[tuple[Any, ...], tuple[str, Locked]] = {}
_ROWS_KEPT = 4_000  # rows remembered at most, of each kind (a layout has a few hundred; a few MB at most)


def parse_meta(rows: list[list[Any]]) -> FormMeta:
    """The metadata sheet's key/value rows, input map and locked text (raises _Stop if damaged)."""
    values: dict[str, str] = {}
    inputs: list[InputRef] = []
    locked: list[tuple[str, Locked]] = []
    mode = "pairs"
    seen_inputs, seen_locked = _memos(rows)
    for row in rows:
        if len(row) < 6:
            row = [*row, *[""] * (6 - len(row))]
        first = _text(row[0])
        if not first:
            continue
        if mode == "locked":
            if first == "locked":
                locked.append(seen_locked.get(tuple(row)) or _locked_row(row, seen_locked))
        elif first in ("input", "locked") and _text(row[1]) == "sheet" and _text(row[2]) == "cell":
            mode = "inputs" if first == "input" else "locked"
        elif mode == "pairs":
            values[first] = _text(row[1])
        else:  # shared by every form of a batch rather than held once per form
            inputs.append(seen_inputs.get(tuple(row)) or _input_row(row, seen_inputs))
    if values.get("schema") != FORM_SCHEMA:
        raise _Stop(problem("metadata-damaged", meta=META_SHEET, detail=f"unknown schema '{values.get('schema', '')}'"))
    missing = [k for k in REQUIRED_KEYS if not values.get(k)]
    if missing:
        raise _Stop(problem("metadata-damaged", meta=META_SHEET, detail="no " + ", ".join(missing)))
    if not inputs:
        raise _Stop(problem("metadata-damaged", meta=META_SHEET, detail="the list of answer cells is missing"))
    return FormMeta(values, inputs, locked)


def _memos(rows: list[list[Any]]) -> tuple[dict[tuple[Any, ...], InputRef], dict[tuple[Any, ...], tuple[str, Locked]]]:
    """Where rows are remembered: only rows all of text (other values may be equal, 1 == 1.0, yet read
    differently); the rest go in memos used once."""
    if not set(map(type, chain.from_iterable(rows))) <= {str}:
        return {}, {}
    for memo in (_INPUT_ROWS, _LOCKED_ROWS):
        if len(memo) > _ROWS_KEPT:
            memo.clear()
    return _INPUT_ROWS, _LOCKED_ROWS


def _input_row(row: list[Any], memo: dict[tuple[Any, ...], InputRef]) -> InputRef:
    """An input row's record (``input``: key, sheet, cell, type, label, required), remembered in ``memo``."""
    ref = intern(_text(row[2]))
    found = memo[tuple(row)] = InputRef(intern(_text(row[0])), intern(_text(row[1])), ref, *_cell(ref),
                                        _text(row[3]), _text(row[4]), _text(row[5]) == "yes")
    return found


def _locked_row(row: list[Any], memo: dict[tuple[Any, ...], tuple[str, Locked]]) -> tuple[str, Locked]:
    """A locked row's (sheet, cell) (``locked``, sheet, cell, text), remembered in ``memo``."""
    ref = _text(row[2])
    found = memo[tuple(row)] = (_text(row[1]), Locked(ref, *_cell(ref), _text(row[3])))
    return found


def _text(value: Any) -> str:
    return value if value.__class__ is str else cell_text(value)


def _cell(ref: str) -> tuple[int, int]:
    found = _rowcol(ref)
    if found is None:
        raise _Stop(problem("metadata-damaged", meta=META_SHEET, detail=f"'{ref}' is not a cell"))
    return found


@lru_cache(maxsize=4096)
def _rowcol(ref: str) -> tuple[int, int] | None:
    if not CELL_REF.fullmatch(ref):
        return None
    row, col = xl_cell_to_rowcol(ref)
    return (row, col) if xl_rowcol_to_cell(row, col) == ref else None


def _library_failed(exc: BaseException) -> bool:
    """An error raised by a reader library, including a Rust panic surfacing from calamine (a BaseException)."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def check_identity(meta: FormMeta, audit: Audit, cover_title: str) -> list[Problem]:
    """Is this form one of this audit's, as issued?"""
    plan = audit.plan
    if meta["audit_id"] != plan.audit_id:
        other = f"'{cover_title}', id {meta['audit_id']}" if cover_title else f"id {meta['audit_id']}"
        return [problem("other-audit", audit_id=other, case_ref=meta["case_ref"], agency=meta["agency"],
                        this_audit=audit.label, this_id=plan.audit_id)]
    issued = audit.issued.get(meta["form_id"])
    if issued is None:
        return [problem("unknown-form", form_id=meta["form_id"], case_ref=meta["case_ref"], agency=meta["agency"],
                        auditor=meta["auditor"], this_audit=audit.label)]
    out = [problem("metadata-mismatch", field=label, found=meta[key], expected=getattr(issued, key))
           for key, label in COMPARED if meta[key] != str(getattr(issued, key))]
    sheet = meta["sheet"]
    computed = fingerprint(sheet, [(c.cell, c.text) for s, c in meta.locked if s == sheet])
    if computed != meta["fingerprint"] or (issued.fingerprint and computed != issued.fingerprint):
        out.append(problem("fingerprint-mismatch", meta=META_SHEET))
    return out


# ---------------------------------------------------------------- the workbook


def _rows(pkg: Package, book: CalamineWorkbook, name: str) -> tuple[list[list[Any]], bytes]:
    entry = pkg.sheet(name)
    if entry is None or entry.part is None:
        raise _Stop(problem("damaged", detail=f"the sheet '{name}' has no part"))
    xml = pkg.part(entry.part)
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False), xml
    except BaseException as exc:
        if not _library_failed(exc):
            raise
        raise _Stop(problem("damaged", detail=f"the sheet '{name}' cannot be read: {reason_text(exc)}")) from None


def _open(data: bytes, password: str | None) -> tuple[Package, CalamineWorkbook]:
    pkg = open_workbook(data, password)
    for name in PARSED_PARTS:
        if name in pkg.names:
            pkg.part(name)  # refuse document type declarations before calamine parses them
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(pkg.data))
    except BaseException as exc:
        if not _library_failed(exc):
            raise
        raise _Stop(problem("damaged", detail=reason_text(exc))) from None
    return pkg, book


def _not_a_form(pkg: Package, book: CalamineWorkbook) -> Problem:
    """No metadata sheet: an empty workbook, a form whose metadata was removed, or something else."""
    has_rows = False
    for entry in pkg.sheets:
        rows, _ = _rows(pkg, book, entry.name)
        has_rows = has_rows or any(any(v not in (None, "") for v in r) for r in rows)
        for row in rows:
            if len(row) > 1 and cell_text(row[0]) == FORM_ID_LABEL:
                return problem("metadata-missing", form_id=cell_text(row[1]), meta=META_SHEET)
    if not has_rows:
        return problem("empty-workbook")
    return problem("not-a-form", meta=META_SHEET, sheets=", ".join(f"'{s.name}'" for s in pkg.sheets) or "none")


def _coordinator(pkg: Package, book: CalamineWorkbook, source: str, audit: Audit, out: FormRead) -> bool:
    """A coordinator workbook (it has the coordinator's hidden sheet): this audit's is skipped, another's refused."""
    rows, _ = _rows(pkg, book, COORDINATOR_META)
    values = {cell_text(r[0]): cell_text(r[1]) for r in rows if len(r) > 1}
    if values.get("schema") != COORDINATOR_SCHEMA or not values.get("audit_id"):
        out.problems.append(_not_a_form(pkg, book))
        return False
    if values["audit_id"] != audit.plan.audit_id:
        out.problems.append(problem("other-coordinator", audit=f"id {values['audit_id']}"))
        return False
    backup = BACKUPS in source.replace("\\", "/").split("/")[:-1]
    what = "A backup of the coordinator workbook" if backup else "The coordinator workbook"
    out.problems.append(problem("coordinator-workbook", what=what))
    return True


def _cover_title(pkg: Package, book: CalamineWorkbook) -> str:
    if pkg.sheet(COVER_SHEET) is None:
        return ""
    rows, _ = _rows(pkg, book, COVER_SHEET)
    return next((cell_text(r[1]) for r in rows if len(r) > 1 and cell_text(r[0]) == "Audit"), "")


def check_sheets(pkg: Package, meta: FormMeta, book: CalamineWorkbook) -> list[Problem]:
    """The sheets the form had: the answers' sheet there by its name, the others, the metadata hidden."""
    data = meta["sheet"]
    expected = (COVER_SHEET, data, LISTS_SHEET, META_SHEET)
    unknown = [s.name for s in pkg.sheets if s.name not in expected]
    out: list[Problem] = []
    renamed = None
    if pkg.sheet(data) is None:
        renamed = _renamed(pkg, book, meta, unknown)
        out.append(problem("sheet-renamed", name=data, found=renamed) if renamed
                   else problem("sheet-missing", name=data))
    for name in (COVER_SHEET, LISTS_SHEET):
        if pkg.sheet(name) is None:
            out.append(problem("other-sheet-changed", name=name, how="removed or renamed", data=data))
    out += [problem("sheet-added", name=name, data=data) for name in unknown if name != renamed]
    meta_entry = pkg.sheet(META_SHEET)
    if meta_entry is not None and meta_entry.state == "visible":
        out.append(problem("metadata-visible", meta=META_SHEET))
    if not pkg.structure_protection:
        out.append(problem("structure-unprotected"))
    return out


def _renamed(pkg: Package, book: CalamineWorkbook, meta: FormMeta, unknown: list[str]) -> str | None:
    """The unknown sheet holding most of the answers' sheet's locked text, if any holds half of it."""
    cells = [c for s, c in meta.locked if s == meta["sheet"]]
    best, score = None, 0
    for name in unknown:
        rows, _ = _rows(pkg, book, name)
        hits = sum(1 for c in cells if c.row < len(rows) and c.col < len(rows[c.row])
                   and cell_text(rows[c.row][c.col]) == c.text)
        if hits > score:
            best, score = name, hits
    return best if cells and score * 2 >= len(cells) else None


def _sections(tool: ToolDefinition, found: dict[str, SectionAnswer]) -> dict[str, SectionAnswer]:
    ordered = {s.id: found[s.id] for s in tool.sections if s.id in found}
    ordered.update({k: v for k, v in found.items() if k not in ordered})
    return ordered


# ---------------------------------------------------------------- reading


def read_form(data: bytes, source: str, audit: Audit, password: str | None = None) -> FormRead:
    """Everything about one returned workbook's bytes; never raises for a problem in the file."""
    out = FormRead()
    try:
        _read(data, source, audit, password, out)
    except (PackageError, _Stop) as exc:
        out.problems.append(exc.problem)
    return out


def _read(data: bytes, source: str, audit: Audit, password: str | None, out: FormRead) -> None:
    pkg, book = _open(data, password)
    out.saved_at = pkg.saved_at
    if pkg.hidden_macros:
        raise _Stop(problem("hidden-macros", part=", ".join(pkg.hidden_macros)))
    if pkg.has_macros:
        out.problems.append(problem("has-macros"))
    if pkg.sheet(META_SHEET) is None:
        if pkg.sheet(COORDINATOR_META) is not None:
            out.skipped = _coordinator(pkg, book, source, audit, out)
            return
        raise _Stop(_not_a_form(pkg, book))
    meta = parse_meta(_rows(pkg, book, META_SHEET)[0])
    out.form_id, out.case_ref, out.agency, out.auditor = meta["form_id"], meta["case_ref"], meta["agency"], \
        meta["auditor"]
    identity = check_identity(meta, audit, _cover_title(pkg, book) if meta["audit_id"] != audit.plan.audit_id else "")
    out.problems += identity
    if identity:
        return
    plan = audit.plan
    tool = plan.views if meta["kind"] == "views" else plan.tool
    if tool is None:
        raise _Stop(problem("metadata-damaged", meta=META_SHEET, detail="this audit has no views form"))
    sheet = meta["sheet"]
    out.problems += check_sheets(pkg, meta, book)
    if pkg.sheet(sheet) is None:
        return
    grid, xml = _rows(pkg, book, sheet)
    locked = [c for s, c in meta.locked if s == sheet]
    if not sheet_protected(xml):
        out.problems.append(problem("sheet-unprotected", sheet=sheet))
    layout = check_locked(grid, locked, sheet)
    out.problems += layout
    if layout:  # answers are read only from an intact layout
        return
    formulas = formula_cells(xml)
    inputs = [i for i in meta.inputs if i.sheet == sheet]
    answers = read_answers(inputs, grid, formulas, tool, plan.scale if tool.uses_grades else None)
    out.problems += answers.problems
    out.problems += name_problems(inputs, answers, audit.names)
    known = {(c.row, c.col) for c in locked} | {(i.row, i.col) for i in inputs}
    out.problems += stray_text(grid, known, formulas, sheet)
    if any(p.severity == "error" for p in out.problems):
        return
    out.form = FormReturn(
        form_id=meta["form_id"], audit_id=meta["audit_id"], kind="views" if meta["kind"] == "views" else "audit",
        case_ref=meta["case_ref"], agency=meta["agency"], auditor=meta["auditor"], role=meta["auditor_role"],
        tool_id=meta["tool_id"], tool_version=meta["tool_version"], sheet=sheet, source=source,
        saved_at=pkg.saved_at, fields=answers.fields, sections=_sections(tool, answers.sections),
        closing=answers.closing, cells=answers.cells)
