"""Writing the consolidated coordinator workbook: analysis sheets, the digest sheet, the checked swap.

:func:`analysis_writers` gives the writers of every analysis sheet and of
the very hidden sheet of row digests; :func:`write_checked` rewrites the
workbook atomically (with a dated backup), refusing when a cell typed on a
plan sheet would not survive; :func:`keep_analysis` lets a command that
rewrites the plan sheets (generate) keep the last consolidation;
:func:`write_plan_sheets` replaces only the plan sheets a command changed
(mail's Mail log; in a consolidated workbook the Returns sheet and
its digests too), falling back to
:func:`write_checked` when it cannot. generate replaces its sheets through
:mod:`xlpack.workbook.record_issued`; sample still writes the whole
workbook (it adds a sheet, before any consolidation).
"""

from __future__ import annotations

import gc
import os
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

from xlpack import clock
from xlpack.analysis.actions import CONCERN, NO_LONGER
from xlpack.analysis.dataset import build_returns
from xlpack.coordinator.mail_sheets import MESSAGE_HEADERS, MESSAGES, earlier_wording
from xlpack.coordinator.plan_sheets import START, TOR, owned_keys, read_plan, render_coordinator, text_key
from xlpack.coordinator.sheet_writing import HEADER_ROW, SheetWriter, Styles
from xlpack.errors import KeepTypedError
from xlpack.files.backups import Snapshot
from xlpack.files.workbooks import cell_text, replace_atomically, temp_beside
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.plan import AuditPlan
from xlpack.workbook.carryover import PLAN_SHEETS, changed_on, read_typed
from xlpack.workbook.changes import LostCell, lost_plan_cells, packed_digests
from xlpack.workbook.parts import NotSpliceable, sheet_parts, sheet_tables, splice_drawn, written_by_xlsxwriter
from xlpack.workbook.readback import META, META_SCHEMA, PROPOSED, Workbook, read_consolidated, read_returns
from xlpack.workbook.render import sheet_writer, writers
from xlpack.workbook.sheet_model import Sheet
from xlpack.workbook.sheets import analysis_sheets
from xlpack.workbook.sheets import returns as returns_sheet
from xlpack.workbook.sheets.common import ACTIONS, COORDINATOR_SHEETS, RETURNS
from xlpack.workbook.stream import DIGEST_CELL, DigestRows, Stream, Streamed, stream_rows

Keep = Callable[[AuditPlan, date | None], list[SheetWriter]]  # keep_analysis's writers for a new plan


def meta_writer(sheets: Sequence[Sheet], data: ConsolidatedAudit,
                streams: list[Streamed] | None = None) -> SheetWriter:
    """The very hidden sheet holding the consolidation time and a digest of every row written.

    With ``streams`` (filled by the sheets' writers before this one runs),
    the digests of the streamed sheets are worked out as they are streamed,
    and their rows are streamed last (:class:`~xlpack.workbook.stream.DigestRows`).
    """

    def write(wb: xlsxwriter.Workbook, st: Styles) -> None:
        ws = wb.add_worksheet(META)
        ws.write_string(0, 0, "schema")
        ws.write_string(0, 1, META_SCHEMA)
        ws.write_string(1, 0, "consolidated_at")
        ws.write_string(1, 1, data.consolidated_at.isoformat(sep=" ") if data.consolidated_at else "")
        ws.write_string(2, 0, PROPOSED)
        for c, action_id in enumerate(sorted(set(data.proposed_actions)), start=1):
            ws.write_string(2, c, action_id)
        streamed = {s.sheet: s for s in streams or [] if isinstance(s, Stream)}
        r = 3
        for sheet in sheets:
            if sheet.name in streamed:
                continue
            packed = packed_digests(sheet)
            ws.write_string(r, 0, "digest")
            ws.write_string(r, 1, sheet.name)
            for c, i in enumerate(range(0, len(packed), DIGEST_CELL), start=2):
                ws.write_string(r, c, packed[i:i + DIGEST_CELL])
            r += 1
        if streamed and streams is not None:
            streams.append(DigestRows(META, r, [streamed[s.name] for s in sheets if s.name in streamed]))
        ws.very_hidden()

    return write


def _lost_plan_cells(old: Path, new: Path, only: Sequence[str] | None = None) -> list[LostCell]:
    """The cells typed on the plan sheets (``only`` those named, if given) of ``old`` that ``new`` loses."""
    before, after = Workbook(old), Workbook(new)
    lost: list[LostCell] = []
    ignored = {START: ("Now: ",), ACTIONS: (CONCERN, NO_LONGER)}  # what xlpack itself updates there
    keys = owned_keys(old)
    for sheet in (*PLAN_SHEETS, *COORDINATOR_SHEETS) if only is None else only:
        if before.has(sheet):
            new_rows = after.rows_from_a1(sheet) if after.has(sheet) else iter(())
            old_rows: Iterable[list[Any]] = before.rows_from_a1(sheet)
            if sheet == ACTIONS:  # a row the coordinator cleared is dropped: the rows below it move up
                old_rows = _without_blank_rows(before.rows(sheet), HEADER_ROW + 1)
            owned = _owned(sheet, keys)
            if sheet == MESSAGES:
                owned = _or_earlier_wording(owned)
            lost += lost_plan_cells(sheet, old_rows, new_rows, ignore=ignored.get(sheet, ()), owned=owned)
    return lost


def _without_blank_rows(rows: list[list[Any]], first: int) -> list[list[Any]]:
    """``rows`` with the blank ones from ``first`` on left out (as the table is read, and written again)."""
    return rows[:first] + [r for r in rows[first:] if any(cell_text(v).strip() for v in r)]


def _or_earlier_wording(owned: Callable[[int, int, str], bool]) -> Callable[[int, int, str], bool]:
    """Also xlpack's on the Messages sheet: its column of placeholders (which a newer version may list
    differently) and a wording that is one of its earlier defaults."""
    guide = len(MESSAGE_HEADERS)
    return lambda r, c, text: owned(r, c, text) or (r > HEADER_ROW and c == guide) or earlier_wording(text)


def _owned(sheet: str, keys: set[str] | None) -> Callable[[int, int, str], bool]:
    """Whether an old cell of ``sheet`` holds xlpack's own words, by the keys the workbook recorded.

    A workbook written before xlpack recorded them (``keys`` None): its
    Start sheet, the title and guidance rows above each table and the
    guidance column of the Terms of reference are taken as xlpack's, since
    that version wrote them and a newer one may word them differently.
    The Action plan's title and guidance (column A above its table) are
    always xlpack's: the keys cover only the sheets written before it.
    """
    if sheet == ACTIONS:
        return lambda r, c, text: (r < HEADER_ROW and c == 0) or (keys is not None and text_key(text) in keys)
    if keys is not None:
        return lambda r, c, text: text_key(text) in keys
    if sheet == START:
        return lambda r, c, text: True
    if sheet == TOR:
        return lambda r, c, text: r < HEADER_ROW or c == 2
    return lambda r, c, text: r < HEADER_ROW


def analysis_writers(data: ConsolidatedAudit) -> tuple[list[SheetWriter], list[Streamed]]:
    """The writers of every analysis sheet and of the hidden sheet, and the tables they leave to stream."""
    sheets = analysis_sheets(data)
    streams: list[Streamed] = []
    return [*writers(sheets, data.plan.scale, streams), meta_writer(sheets, data, streams)], streams


def write_checked(audit: Path, plan: AuditPlan, extra: Sequence[SheetWriter], streams: Sequence[Streamed] = (), *,
                  release: bool = False, seen: Snapshot | None = None) -> Path | None:
    """Rewrite the workbook atomically, refusing if a plan cell the coordinator typed would not survive.

    With ``release`` (lists only), ``extra`` and ``streams`` are emptied once
    written, so the analysis sheets are not held while the result is checked.
    With ``seen`` (the workbook as the command read it), it refuses if the
    workbook was saved since.
    """

    def write(tmp: Path) -> None:
        staged = temp_beside(tmp, "staged")
        try:
            render_coordinator(staged, plan, extra)
            # xlsxwriter's closed workbook holds its cells in reference cycles (the plan sheets': 20 MB on a large
            # audit), which consolidate's paused collection would keep to the end
            gc.collect()
            stream_rows(staged, streams)
            if release:
                for used in (extra, streams):
                    if isinstance(used, list):
                        used.clear()
            if audit.exists():
                _refuse_lost(audit, _lost_plan_cells(audit, staged))
            os.replace(staged, tmp)
        finally:
            if staged.exists():
                staged.unlink()

    return replace_atomically(audit, write, keep_backup=True, seen=seen)


def _refuse_lost(audit: Path, lost: list[LostCell]) -> None:
    if lost:
        raise KeepTypedError(audit, [
            f"{c}: consolidate would not keep it (only the tables of the plan sheets and the Action "
            "plan are read). Move it into a table column xlpack reads, or into another workbook."
            for c in lost])


def can_splice(audit: Path, sheets: Sequence[str]) -> bool:
    """Whether :func:`write_plan_sheets` can replace just ``sheets`` in ``audit`` (a quick look at its package).

    No when the workbook was saved since by Excel or LibreOffice, one of the sheets is not there yet, or
    one holds something besides its cells and tables (a note typed on it). A consolidated workbook has its
    Returns sheet replaced too (its "Emails drafted" column follows the Mail log), with its rows' digests on
    the hidden sheet.
    """
    try:
        with zipfile.ZipFile(audit) as z:
            parts = sheet_parts(z)
            need = {*sheets, RETURNS, META} if META in parts else set(sheets)
            if not (written_by_xlsxwriter(z) and need <= set(parts)):
                return False
            for name in need:
                sheet_tables(z, parts[name])
            return True
    except (OSError, zipfile.BadZipFile, NotSpliceable, KeyError, ValueError):
        return False


def _returns_writers(audit: Path, plan: AuditPlan) -> list[SheetWriter]:
    """For a consolidated ``audit``: writers of its Returns sheet drawn again for ``plan`` (from the rows read
    back) and of the hidden sheet as it is, with the Returns row digests worked out again.

    Refuses, as consolidate would, when a cell of the Returns sheet was typed by hand (nothing is written).
    """
    book = Workbook(audit)
    problems = changed_on(book, RETURNS)
    if problems:
        raise KeepTypedError(audit, problems, "mail")
    data = ConsolidatedAudit(plan=plan, returns=read_returns(book))
    sheet = returns_sheet.build(data)
    return [sheet_writer(sheet, plan.scale), hidden_with_digests(book, {RETURNS: packed_digests(sheet)})]


def hidden_with_digests(book: Workbook, packed: dict[str, str]) -> SheetWriter:
    """A writer of the hidden analysis sheet of ``book`` as it is, with the row digests of the sheets named in
    ``packed`` (sheet -> :func:`~xlpack.workbook.changes.packed_digests`) put in place of theirs.

    Raises :class:`~xlpack.workbook.parts.NotSpliceable` when the sheet has no digests of one of them.
    """
    meta = [(r, [cell_text(v) for v in row]) for r, row in book.iter_rows(META)]
    for name in packed:
        if not any(cells[:2] == ["digest", name] for _, cells in meta):
            raise NotSpliceable(f"the hidden sheet has no digests of the {name} sheet")

    def hidden(wb: xlsxwriter.Workbook, st: Styles) -> None:
        ws = wb.add_worksheet(META)
        for r, cells in meta:
            if cells[:1] == ["digest"] and len(cells) > 1 and cells[1] in packed:
                digests = packed[cells[1]]
                cells = [*cells[:2], *(digests[i:i + DIGEST_CELL] for i in range(0, len(digests), DIGEST_CELL))]
            for c, text in enumerate(cells):
                if text:
                    ws.write_string(r, c, text)
        ws.very_hidden()

    return hidden


def write_plan_sheets(audit: Path, plan: AuditPlan, sheets: Sequence[str], keep: Keep | None, today: date, *,
                      seen: Snapshot | None = None) -> Path | None:
    """Record ``plan`` in the workbook by replacing only the plan ``sheets`` it changes; returns the backup.

    The sheets are drawn into a scratch workbook with the rest of the plan
    (nothing of the analysis) and put in place of the old ones
    (:func:`xlpack.workbook.parts.splice_sheets`): every other part of the
    package stays byte for byte. In a consolidated workbook the Returns sheet
    (whose "Emails drafted" column follows the Mail log) is drawn again from
    its rows and replaced too, with the hidden sheet holding its row digests,
    so the next consolidate finds nothing typed there. Like the whole rewrite,
    it holds to the swap with a verified backup and the saved-since check
    (``seen``), and refuses when a cell typed on those sheets would be lost.

    When the workbook cannot be changed sheet by sheet (saved since by Excel
    or LibreOffice, a sheet not there yet, a layout xlpack did not write) the
    whole workbook is written as :func:`write_checked` does, with the
    analysis kept by ``keep`` (from :func:`keep_analysis`, taken now when not
    given).
    """
    audit = Path(audit)
    if can_splice(audit, sheets):
        def draw(scratch: Path) -> list[str]:
            consolidated = Workbook(audit).has(META)
            extra = _returns_writers(audit, plan) if consolidated else []
            render_coordinator(scratch, plan, extra, only=sheets)
            _refuse_lost(audit, _lost_plan_cells(audit, scratch, sheets))
            return [*sheets, *([RETURNS, META] if consolidated else [])]

        def write(tmp: Path) -> None:
            splice_drawn(audit, tmp, draw)

        try:
            return replace_atomically(audit, write, keep_backup=True, seen=seen)
        except NotSpliceable:
            pass  # the whole workbook, below
    keep = keep or keep_analysis(audit)
    return write_checked(audit, plan, keep(plan, today), seen=seen)


def keep_analysis(audit: Path, command: str = "generate") -> Callable[[AuditPlan, date | None], list[SheetWriter]]:
    """For commands that rewrite the plan sheets (``command``, named in a refusal): keep the last consolidation.

    Call it before changing anything: it refuses, like consolidate, when
    something typed into the analysis sheets would be lost. It returns a
    function giving the writers that put the analysis back for the new plan
    (none when the workbook has not been consolidated); forms issued since
    are added to the Returns sheet as not returned, and moderation, notes
    and resolutions are kept.
    """
    audit = Path(audit)

    def nothing(plan: AuditPlan, today: date | None = None) -> list[SheetWriter]:
        return []

    if not audit.is_file():
        return nothing
    typed = read_typed(audit, read_plan(audit, strict=False).scale)
    if typed.problems:
        raise KeepTypedError(audit, typed.problems, command)
    if not typed.consolidated:
        return nothing
    data = read_consolidated(audit)

    def extra(plan: AuditPlan, today: date | None = None) -> list[SheetWriter]:
        kept = issued_since(data, plan, today or clock.today())
        sheets = analysis_sheets(kept)  # all written by xlsxwriter: generate writes the file itself
        return [*writers(sheets, plan.scale), meta_writer(sheets, kept)]

    return extra




def issued_since(data: ConsolidatedAudit, plan: AuditPlan, today: date) -> ConsolidatedAudit:
    """``data`` for ``plan``, the forms it issued since (not on the Returns sheet yet) added there as not
    returned (overdue from ``today`` when the deadline is past)."""
    listed = {r.form_id for r in data.returns}
    new = [f for f in plan.issued if f.form_id not in listed]
    added = build_returns(plan.model_copy(update={"issued": new}), [], today)
    return data.model_copy(update={"plan": plan, "returns": [*data.returns, *added]})
