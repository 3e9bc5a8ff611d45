"""Carry what the coordinator typed from one consolidation to the next.

Moderated grades and notes follow their Grades row by its row id (form id
and section id), resolutions follow their flag by its flag id, never by
position; the Action plan's rows are the coordinator's and are all kept.
A value whose row is gone moves to the Orphaned sheet; it goes back on
its row if the row returns. Anything typed that consolidate could not
keep is a problem, and consolidate refuses rather than drop it: a changed
cell, a sheet of the coordinator's own, a comment on any sheet, a formula
on an analysis sheet, or one with no value (or an error) on a plan sheet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from xlsxwriter.utility import xl_rowcol_to_cell

from xlpack.analysis.actions import plan_actions
from xlpack.coordinator.mail_sheets import MAIL_LOG, MESSAGES
from xlpack.coordinator.meetings_sheet import MEETINGS
from xlpack.coordinator.plan_sheets import AGENCIES, ASSIGN, CASES, ISSUED, LISTS, NAME_GUARD, START, TOR
from xlpack.coordinator.plan_sheets import META as PLAN_META
from xlpack.coordinator.sample_sheet import SAMPLE
from xlpack.files.sheet_extras import find_extras
from xlpack.files.workbooks import cell_text
from xlpack.model.consolidated import ConsolidatedAudit, OrphanRow
from xlpack.model.definitions import GradeScale
from xlpack.model.records import ActionRow, FlagRow, GradeRow
from xlpack.workbook.changes import LostCell, changed_rows, extras_lost, unpack
from xlpack.workbook.readback import META, Workbook, iter_table, proposed_actions, read_actions, read_meta, read_orphans
from xlpack.workbook.sheets.common import (
    ACTIONS,
    ANALYSIS_SHEETS,
    COORDINATOR_SHEETS,
    FLAG_COLUMNS,
    FLAGS,
    GRADE_COLUMNS,
    GRADES,
    ORPHAN_COLUMNS,
    ORPHANED,
    TABLE_ROW,
    headers,
)

PLAN_SHEETS = (START, TOR, CASES, ASSIGN, AGENCIES, ISSUED, NAME_GUARD, SAMPLE, MESSAGES, MAIL_LOG, MEETINGS)
#: Plan sheets every coordinator workbook has (the others appear with sampling and mail).
REQUIRED_PLAN_SHEETS = (START, TOR, CASES, ASSIGN, AGENCIES, ISSUED)
#: What the coordinator types on a sheet, for the sheets where it is kept from one run to the next.
TYPED_ON = {GRADES: "the moderated grades and notes", FLAGS: "the resolutions", ACTIONS: "the action plan",
            ORPHANED: "the orphaned moderation", TOR: "the terms of reference", CASES: "the cases",
            ASSIGN: "the assignments", AGENCIES: "the agencies", MEETINGS: "the meetings"}
KNOWN_SHEETS = {*PLAN_SHEETS, *ANALYSIS_SHEETS, LISTS, PLAN_META, META}
GRADE_H, FLAG_H, ORPHAN_H = headers(GRADE_COLUMNS), headers(FLAG_COLUMNS), headers(ORPHAN_COLUMNS)
#: The columns the coordinator types in, by sheet: never part of a row's digest.
EDITABLE = {GRADES: (GRADE_H["moderated_grade"], GRADE_H["moderation_note"], GRADE_H["moderation_meeting"]),
            FLAGS: (FLAG_H["resolution"], FLAG_H["resolution_meeting"]),
            ORPHANED: (ORPHAN_H["value"],)}
#: Where the words of a comment belong instead, by sheet.
COMMENT_GOES = {GRADES: "the 'Moderation note' column", FLAGS: "the 'Resolution' column"}


@dataclass
class Moderation:
    grade: str | None  # the scale's label
    note: str
    typed: str  # the grade as typed, for the orphan list
    meeting: str = ""  # the meeting it came from, as named in the Meeting column


@dataclass
class Typed:
    """Everything the coordinator typed into the analysis sheets, and every reason to refuse."""

    moderation: dict[str, Moderation] = field(default_factory=dict)  # row id ->
    resolutions: dict[str, str] = field(default_factory=dict)  # flag id ->
    resolution_meetings: dict[str, str] = field(default_factory=dict)  # flag id -> the meeting named beside it
    orphans: list[OrphanRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)  # the Action plan rows, as the coordinator left them
    proposed: list[str] = field(default_factory=list)  # the ids of the Action plan rows xlpack proposed
    problems: list[str] = field(default_factory=list)
    context: dict[str, str] = field(default_factory=dict)  # key -> "case, agency, section" for new orphans
    consolidated: bool = False  # the workbook holds an earlier consolidation


def unknown_sheet(name: str, missing: Sequence[str]) -> str:
    """Why a sheet xlpack did not write stops the command; when one of xlpack's own is missing, the sheet is
    likely that one renamed: the fix is to rename it back, not to move it away with what was typed on it."""
    if not missing:
        return (f"The sheet '{name}' was not written by xlpack: consolidate rewrites the workbook and would lose it. "
                "Move it to another workbook, then run consolidate again.")
    names = " or ".join(f"'{m}'" for m in missing)
    held = "; ".join(f"'{m}' holds {TYPED_ON[m]}" for m in missing if m in TYPED_ON)
    return (f"The sheet '{name}' was not written by xlpack, and xlpack's sheet {names} is missing: if '{name}' is "
            f"that sheet renamed, rename it back to {names} (right-click its tab, Rename), then run the command "
            f"again{f' ({held}, read by the sheet name)' if held else ''}. Moving it to another workbook would lose "
            "what was typed on it. If it is a sheet of your own, move it to another workbook instead.")


def read_typed(path: Path, scale: GradeScale) -> Typed:
    """Read what the coordinator typed; list every cell that consolidate would lose."""
    book = Workbook(path)
    typed = Typed()
    typed.problems += extras_lost(find_extras(path), (*PLAN_SHEETS, *COORDINATOR_SHEETS), COMMENT_GOES)
    meta = read_meta(book) if book.has(META) else {}
    missing = [s for s in (*REQUIRED_PLAN_SHEETS, *ANALYSIS_SHEETS) if not book.has(s)
               and (s in REQUIRED_PLAN_SHEETS or f"digest:{s}" in meta)]
    typed.problems += [unknown_sheet(name, missing) for name in book.names if name not in KNOWN_SHEETS]
    if not book.has(META):
        return typed
    typed.consolidated = True
    for sheet in ANALYSIS_SHEETS:
        if book.has(sheet) and sheet not in COORDINATOR_SHEETS:
            typed.problems += [_changed(c) for c in _changed_cells(book, sheet, meta)]
    if book.has(GRADES):
        _read_moderation(book, scale, typed)
    if book.has(FLAGS):
        _read_resolutions(book, typed)
    if book.has(ORPHANED):
        typed.orphans = read_orphans(book)
    if book.has(ACTIONS):
        typed.actions = read_actions(book)
    typed.proposed = proposed_actions(meta, book)
    return typed


def read_moderation(path: Path, scale: GradeScale) -> Typed:
    """Only the moderated grades and notes on the Grades sheet, with a problem for each that cannot be used."""
    book = Workbook(path)
    typed = Typed()
    if book.has(GRADES):
        _read_moderation(book, scale, typed)
    return typed


def changed_on(book: Workbook, sheet: str) -> list[str]:
    """A problem for each cell of the consolidated analysis ``sheet`` typed by hand since it was written."""
    return [_changed(c) for c in _changed_cells(book, sheet, read_meta(book))]


def _changed(c: LostCell) -> str:
    return (f"{c}: consolidate rebuilds this sheet and would lose it. Type only in 'Moderated grade', "
            "'Moderation note' and 'Resolution' (notes of your own go in another workbook); undo the change, "
            "then run consolidate again.")


def _changed_cells(book: Workbook, sheet: str, meta: dict[str, list[str]]) -> list[LostCell]:
    written = unpack("".join(meta.get(f"digest:{sheet}", [])))
    editable = set(EDITABLE.get(sheet, ()))
    skip: set[int] = set()

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for r, row in book.iter_rows(sheet):
            if r == TABLE_ROW and editable:  # the header row names the columns to leave out below it
                skip.update(c for c, v in enumerate(row) if cell_text(v).strip() in editable)
            yield r, row

    return list(changed_rows(sheet, rows(), written, skip, TABLE_ROW))


def _read_moderation(book: Workbook, scale: GradeScale, typed: Typed) -> None:
    grade_col = _column(GRADE_COLUMNS, "moderated_grade")
    for n, v in iter_table(book, GRADES, GRADE_COLUMNS):
        raw, note = cell_text(v["moderated_grade"]).strip(), cell_text(v["moderation_note"]).strip()
        meeting = " ".join(cell_text(v["moderation_meeting"]).split())
        if not raw and not note and not meeting:
            continue
        key = cell_text(v["row_id"]).strip()
        where = f"Sheet '{GRADES}', row {n}"
        if not key:
            typed.problems.append(f"{where}: a moderated grade or note was typed on a row without a Row id. Type "
                                  "it on the row of the form and section it is about.")
            continue
        grade = scale.normalise(raw) if raw else None
        if raw and grade is None:
            typed.problems.append(f"Sheet '{GRADES}', cell {xl_rowcol_to_cell(n - 1, grade_col)}: '{raw}' is not a "
                                  f"grade. Choose one of: {', '.join(scale.labels)}.")
            continue
        m = Moderation(grade.label if grade else None, note, raw, meeting)
        old = typed.moderation.get(key)
        if old is not None and (old.grade, old.note, old.meeting) != (m.grade, m.note, m.meeting):
            typed.problems.append(f"{where}: the Row id {key} appears twice with different moderation. Keep one.")
            continue
        typed.moderation[key] = m
        typed.context[key] = ", ".join(cell_text(v[f]).strip() for f in ("case_ref", "agency", "auditor",
                                                                          "section_title"))


def _read_resolutions(book: Workbook, typed: Typed) -> None:
    for n, v in iter_table(book, FLAGS, FLAG_COLUMNS):
        text = cell_text(v["resolution"]).strip()
        meeting = " ".join(cell_text(v["resolution_meeting"]).split())
        if not text and not meeting:
            continue
        key = cell_text(v["flag_id"]).strip()
        if not key:
            typed.problems.append(f"Sheet '{FLAGS}', row {n}: a resolution was typed on a row without a Flag id. "
                                  "Type it on the row of the flag it resolves.")
            continue
        old = typed.resolutions.get(key)
        if old is not None and old != text:
            typed.problems.append(f"Sheet '{FLAGS}', row {n}: the Flag id {key} appears twice with different "
                                  "resolutions. Keep one.")
            continue
        typed.resolutions[key] = text
        if meeting:
            typed.resolution_meetings[key] = meeting
        typed.context[key] = ", ".join(cell_text(v[f]).strip() for f in ("case_ref", "section", "rule"))


def _column(spec: Sequence[tuple[str, str, float]], fld: str) -> int:
    return next(i for i, (f, _, _) in enumerate(spec) if f == fld)


R = TypeVar("R", GradeRow, FlagRow)


def apply(data: ConsolidatedAudit, typed: Typed, now: datetime) -> ConsolidatedAudit:
    """Put the typed values on their rows; what has no row goes to (or stays on) the orphan list."""
    grades = _Keyed(data.grades, lambda g: g.row_id)
    flags = _Keyed(data.flags, lambda f: f.flag_id)
    orphans: list[OrphanRow] = []
    for o in typed.orphans:
        if not _restore(o, grades, flags, data.plan.scale):
            orphans.append(o)
    for key, m in typed.moderation.items():
        if key in grades:
            grades.change(key, moderated_grade=m.grade, moderation_note=m.note, moderation_meeting=m.meeting)
            continue
        ctx = typed.context.get(key, "")
        if m.typed:
            orphans.append(OrphanRow(kind="grade", key=key, column=GRADE_H["moderated_grade"], value=m.grade or m.typed,
                                     context=ctx, since=now))
        for column, value in ((GRADE_H["moderation_note"], m.note), (GRADE_H["moderation_meeting"], m.meeting)):
            if value:
                orphans.append(OrphanRow(kind="grade", key=key, column=column, value=value, context=ctx, since=now))
    for key, text in typed.resolutions.items():
        meeting = typed.resolution_meetings.get(key, "")
        if key in flags:
            flags.change(key, resolution=text, resolution_meeting=meeting)
            continue
        for column, value in ((FLAG_H["resolution"], text), (FLAG_H["resolution_meeting"], meeting)):
            if value:
                orphans.append(OrphanRow(kind="flag", key=key, column=column, value=value,
                                         context=typed.context.get(key, ""), since=now))
    data.grades, data.flags = grades.rows, flags.rows
    data.orphaned = _unique(orphans)
    plan = data.plan
    proposed = set(typed.proposed)
    data.actions = plan_actions(typed.actions, data.grades, plan.scale, plan.tool, now.date(), plan.terms, proposed)
    data.proposed_actions = sorted(proposed)
    return data


class _Keyed(Generic[R]):
    """Rows by their key (the last row of a key, as a dict keeps it), changed by replacing them in the list.

    The index of keys is made at the first look-up, and the list copied at the first change: a first
    consolidation, with nothing typed, makes neither (a hundred thousand grade rows on a large audit).
    """

    def __init__(self, rows: list[R], key: Callable[[R], str]) -> None:
        self.rows: list[R] = rows
        self._key: Callable[[R], str] = key
        self._index: dict[str, int] | None = None
        self._copied = False

    @property
    def _at(self) -> dict[str, int]:
        if self._index is None:
            self._index = {self._key(r): i for i, r in enumerate(self.rows)}
        return self._index

    def __contains__(self, key: str) -> bool:
        return key in self._at

    def __getitem__(self, key: str) -> R:
        return self.rows[self._at[key]]

    def change(self, key: str, **values: Any) -> None:
        i = self._at[key]
        if not self._copied:
            self.rows, self._copied = list(self.rows), True
        self.rows[i] = replace(self.rows[i], **values)


def _restore(o: OrphanRow, grades: _Keyed[GradeRow], flags: _Keyed[FlagRow], scale: GradeScale) -> bool:
    """Put an orphan back on its row if the row is back and has nothing else typed there."""
    if o.kind == "flag" and o.key in flags and o.column == FLAG_H["resolution_meeting"]:
        f = flags[o.key]
        if not f.resolution_meeting or f.resolution_meeting == o.value:
            flags.change(o.key, resolution_meeting=o.value)
            return True
    elif o.kind == "flag" and o.key in flags:
        f = flags[o.key]
        if not f.resolution or f.resolution == o.value:
            flags.change(o.key, resolution=o.value)
            return True
    if o.kind == "grade" and o.key in grades:
        g = grades[o.key]
        label = scale.normalise(o.value)
        if o.column == GRADE_H["moderated_grade"] and label is not None and g.moderated_grade in (None, label.label):
            grades.change(o.key, moderated_grade=label.label)
            return True
        if o.column == GRADE_H["moderation_note"] and (not g.moderation_note or g.moderation_note == o.value):
            grades.change(o.key, moderation_note=o.value)
            return True
        if o.column == GRADE_H["moderation_meeting"] and g.moderation_meeting in ("", o.value):
            grades.change(o.key, moderation_meeting=o.value)
            return True
    return False


def _unique(orphans: list[OrphanRow]) -> list[OrphanRow]:
    seen: dict[tuple[str, str, str, str], OrphanRow] = {}
    for o in orphans:
        seen.setdefault((o.kind, o.key, o.column, o.value), o)
    return sorted(seen.values(), key=lambda o: (o.since or datetime.min, o.kind, o.context, o.key, o.column))
