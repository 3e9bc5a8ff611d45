"""Case grid: for each case, sections down and every issued form across, with the child's views beside them.

A form with no grades (not returned yet, overdue, or rejected) still has
its column, saying so, so a missing agency is seen at a glance.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from xlpack.analysis.dataset import views_questions
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.plan import AuditPlan, Case
from xlpack.model.records import FormSummary, GradeRow, ReturnRow, ViewsRow
from xlpack.workbook.render import PAGE_POINTS, print_scale
from xlpack.workbook.sheet_model import (
    BLOCK_TITLE_POINTS,
    LINE_POINTS,
    Block,
    Cell,
    CellLike,
    Column,
    Sheet,
    grade_style,
    heights_for,
    row_height,
    shared_cell,
)
from xlpack.workbook.sheets.common import GRID, STATUS_LABELS, STATUS_STYLES, TABLE_ROW
from xlpack.workbook.sheets.returns import issued_rows

SECTION_WIDTH, FORM_WIDTH, VIEW_LABEL_WIDTH, VIEW_WIDTH, GAP_WIDTH = 28, 11, 24, 40, 2
#: Forms side by side in a case's grid: with the section titles and the views beside them, as many as print one
#: landscape page wide at 70% or more. A case with more continues in a band below, its section titles repeated.
FORMS_ACROSS = 8
STATUS_ROW = "Return"
CLOSING_ROWS = (("overall_grade", "Overall grade"), ("safeguarded_now", "Safeguarded now?"),
                ("no_involvement", "No involvement declared"))


def grade_cell(g: GradeRow | None) -> Cell:
    """A returned grade, with the moderated grade after an arrow where the coordinator changed it."""
    if g is None:
        return Cell("", "grid")
    shown = g.grade or ""
    if g.moderated_grade and g.moderated_grade != g.grade:
        shown = f"{g.grade or 'blank'} → {g.moderated_grade}"
    return shared_cell(shown, grade_style(g.final_grade) or "grid")


def _case_title(case: Case | None, case_ref: str) -> str:
    return " · ".join(p for p in (f"Case {case_ref}", case.category if case else "") if p)


def _details_block(data: ConsolidatedAudit, case: Case | None) -> Block:
    """What the Cases sheet records about the case, one detail a row (under the views, or beside them)."""
    labels = {q.id: q.label for q in data.plan.tool.case_fields}
    fields = case.fields if case else {}
    keys = [*labels, *(k for k in fields if k not in labels)]
    rows: list[list[CellLike]] = [["Category", case.category if case else ""]]
    rows += [[labels.get(k, k), fields.get(k, "")] for k in keys]
    return Block([Column("Case details", VIEW_LABEL_WIDTH, style="row_label"),
                  Column("Recorded on the Cases sheet", VIEW_WIDTH, style="grid")], rows)


def _form_headers(forms: list[tuple[str, str, str]]) -> list[str]:
    """An agency's name, with the auditor's where the agency has two auditors on the case."""
    per_agency = Counter(agency.casefold() for _, agency, _ in forms)
    return [f"{agency} ({auditor})" if per_agency[agency.casefold()] > 1 else agency for _, agency, auditor in forms]


def status_text(r: ReturnRow | None) -> str:
    """What the grid says about a form's return: its status, with the reason where it was rejected."""
    if r is None:
        return STATUS_LABELS["missing"]
    label = STATUS_LABELS.get(r.status, r.status)
    return f"{label}: {r.detail}" if r.status == "rejected" and r.detail else label


class _Shared:
    """What every case's grid repeats, made once for the sheet: the section labels down the side, and each
    closing answer's cell (frozen) in its style (a large audit has a thousand cases of ten forms)."""

    def __init__(self, data: ConsolidatedAudit) -> None:
        self.labels = [f"{order}. {section.title}" for order, section in enumerate(data.plan.tool.sections, start=1)]
        self._cells: dict[tuple[type, Any, str], Cell] = {}

    def cell(self, value: Any, style: str) -> Cell:
        key = (type(value), value, style)
        cell = self._cells.get(key)
        if cell is None:
            cell = self._cells[key] = Cell(value, style)
        return cell


def _case_blocks(data: ConsolidatedAudit, case: Case | None, case_ref: str, grades: list[GradeRow],
                 summaries: dict[str, FormSummary], issued: list[tuple[str, str, str]],
                 returns: dict[str, ReturnRow], shared: _Shared) -> list[Block]:
    """The case's grid: one block, or one band of :data:`FORMS_ACROSS` forms after another when it has more."""
    forms = list(dict.fromkeys([*issued, *((g.form_id, g.agency, g.auditor) for g in grades)]))
    forms.sort(key=lambda f: (f[1].casefold(), f[2].casefold(), f[0]))
    title = _case_title(case, case_ref)
    bands = [forms[i:i + FORMS_ACROSS] for i in range(0, len(forms), FORMS_ACROSS)] or [[]]
    if len(bands) == 1:
        return [_case_block(data, title, forms, forms, grades, summaries, returns, shared)]
    n = len(forms)
    out = []
    for i, band in enumerate(bands):
        first, last = i * FORMS_ACROSS + 1, i * FORMS_ACROSS + len(band)
        shown = (f"{title}: forms {first} to {last} of {n}, the others below" if i == 0
                 else f"{title} (continued): forms {first} to {last} of {n}")
        out.append(_case_block(data, shown, band, forms, grades, summaries, returns, shared))
    return out


def _case_block(data: ConsolidatedAudit, title: str, forms: list[tuple[str, str, str]],
                every: list[tuple[str, str, str]], grades: list[GradeRow], summaries: dict[str, FormSummary],
                returns: dict[str, ReturnRow], shared: _Shared) -> Block:
    """One band of a case's grid: the sections down, ``forms`` across (headed as among ``every`` form)."""
    by_key = {(g.form_id, g.section_id): g for g in grades}
    graded = {g.form_id for g in grades}
    headers = dict(zip(every, _form_headers(every)))
    cols = [Column("Section", SECTION_WIDTH, style="row_label"),
            *(Column(headers[f], FORM_WIDTH, style="grid") for f in forms)]
    status_row: list[CellLike] = [STATUS_ROW]
    missing: dict[str, Cell] = {}  # form id -> what its section cells say
    for form_id, _, _ in forms:
        r = returns.get(form_id)
        look = STATUS_STYLES.get(r.status if r else "missing", "status:wait")
        status_row.append(Cell(status_text(r), look if look.startswith("status:") else "grid"))
        if form_id not in graded:
            missing[form_id] = shared_cell(STATUS_LABELS.get(r.status if r else "missing", ""), look)
    rows: list[Sequence[CellLike]] = [status_row]  # tuples below: a list keeps room to grow
    for label, section in zip(shared.labels, data.plan.tool.sections):
        rows.append((label, *(missing.get(f[0]) or grade_cell(by_key.get((f[0], section.id))) for f in forms)))
    for fld, label in CLOSING_ROWS:
        values: list[CellLike] = []
        for form_id, _, _ in forms:
            s = summaries.get(form_id)
            v = getattr(s, fld) if s else None
            style = grade_style(v) if fld == "overall_grade" else (
                "sev:urgent" if fld == "safeguarded_now" and (v or "").casefold() in ("no", "unsure") else "grid")
            values.append(shared.cell(v, style or "grid"))
        rows.append((label, *values))
    return Block(cols, rows, title=title)


def _points(blocks: list[Block], first: int, last: int) -> float:
    """Points rows ``first`` to ``last`` take when printed, each as tall as the tallest of its cells in ``blocks``."""
    tallest: dict[int, float] = {}
    for b in blocks:
        heights: dict[int, float] = {}
        if b.title:
            heights[b.row - 1] = BLOCK_TITLE_POINTS
        heights[b.row] = row_height([c.header for c in b.columns], b.columns, b.header_style) or LINE_POINTS
        fit = heights_for(b.columns)
        for r, values in enumerate(b.rows, start=b.first_data_row):
            heights[r] = fit(values) or LINE_POINTS
        for r, h in heights.items():
            tallest[r] = max(tallest.get(r, 0.0), h)
    return sum(tallest.get(r, LINE_POINTS) for r in range(first, last + 1))


def view_dates(plan: AuditPlan) -> set[str]:
    """Ids of the views form's date questions (their answers are written as dates)."""
    if plan.views is None:
        return set()
    return {q.id for q in (*plan.views.form_fields, *plan.views.closing) if q.type == "date"}


def view_answer(text: str, is_date: bool, style: str | None = None) -> CellLike:
    """An answer of the views form as written: a date question's answer as a date (dd/mm/yyyy, in ``style``
    or the column's)."""
    if is_date and text:
        try:
            return Cell(date.fromisoformat(text[:10]), style)
        except ValueError:
            pass
    return text


def _grouped_questions(plan: AuditPlan) -> list[tuple[str, str, str]]:
    """(question id, heading, label) of the views form: a label that starts with its group ("Conversation 1:
    date") is shown without it, under the group as a heading (shorter labels keep each case's rows low); other
    questions have no heading."""
    groups = {q.id: q.group or "" for q in (*plan.views.form_fields, *plan.views.closing)} if plan.views else {}
    out = []
    for qid, label in views_questions(plan):
        group = groups.get(qid, "")
        if group and label.startswith(f"{group}: "):
            rest = label[len(group) + 2:]
            out.append((qid, group, rest[:1].upper() + rest[1:]))
        else:
            out.append((qid, "", label))
    return out


def _views_block(data: ConsolidatedAudit, views: list[ViewsRow]) -> Block:
    questions = _grouped_questions(data.plan)
    dates = view_dates(data.plan)
    rows: list[list[CellLike]] = []
    for v in views:
        heading = ""
        for qid, head, label in questions:
            answer = v.answers.get(qid, "")
            if not answer:
                continue  # a conversation not held leaves its questions blank: not shown
            if head and head != heading:
                rows.append([head, Cell("", "row_label")])
            heading = head
            rows.append([label, view_answer(answer, qid in dates, "grid_date")])
    if not rows:
        rows = [["", "No views form returned for this case."]]
    return Block([Column("Child and family views", VIEW_LABEL_WIDTH, style="row_label"),
                  Column("What they said", VIEW_WIDTH, style="grid")], rows)


def _spread(side: Block, span: int) -> Block:
    """A block of views or details as it sits under a grid from the left edge: its labels in the sections'
    column, its answers across the ``span`` form columns."""
    label, answer = side.columns
    return Block([replace(label, width=SECTION_WIDTH), replace(answer, width=FORM_WIDTH * span, span=span)],
                 side.rows, col=0)


def _place_sides(bands: list[Block], sides: list[Block], row: int, end: int, widest: int,
                 room: float) -> tuple[list[Block], bool]:
    """Place a case's views and details (``sides``) beside its grid (``bands``, from ``row`` to ``end``), stacked in
    their own columns, where the case prints on one page so; else under the grid, side by side: the
    views (or the details, when there are no views or the form columns are narrower than a views column) from the
    left edge, across the form columns, the details in their own columns on the right. Returns the sides as placed
    and whether they are under the grid."""
    side_row = row
    for side in sides:
        side.row, side.col = side_row, widest + 1
        side_row = side.last_row + 2
    if _points([*bands, *sides], row - 1, max(end, side_row - 2)) <= room or widest == 1:  # (1: no form to span)
        return sides, False
    span = widest - 1
    left = 0 if len(sides) == 1 or span * FORM_WIDTH >= VIEW_WIDTH else 1  # views, unless too narrow there
    placed = [_spread(side, span) if i == left else side for i, side in enumerate(sides)]
    for side in placed:
        side.row = end + 2
    return placed, True


def build(data: ConsolidatedAudit) -> Sheet:
    by_case: dict[str, list[GradeRow]] = defaultdict(list)
    for g in data.grades:
        by_case[g.case_ref.casefold()].append(g)
    views: dict[str, list[ViewsRow]] = defaultdict(list)
    for v in data.views:
        views[v.case_ref.casefold()].append(v)
    summaries = {s.form_id: s for s in data.summaries}
    returns = {r.form_id: r for r in issued_rows(data)}
    issued: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for f in data.plan.issued:
        if f.kind == "audit":
            issued[f.case_ref.casefold()].append((f.form_id, f.agency, f.auditor))
    refs = [c.case_ref for c in data.plan.cases]
    known = {r.casefold() for r in refs}
    refs += sorted({g.case_ref for g in data.grades if g.case_ref.casefold() not in known}, key=str.casefold)
    cases = {c.case_ref.casefold(): c for c in data.plan.cases}
    shared = _Shared(data)
    grids = [_case_blocks(data, cases.get(ref.casefold()), ref, by_case.get(ref.casefold(), []), summaries,
                          issued.get(ref.casefold(), []), returns, shared) for ref in refs]
    widest = max((g.width for bands in grids for g in bands), default=1)
    blocks: list[Block] = []
    starts: list[int] = []  # each case prints on a page of its own
    widths: dict[int, float] = {0: SECTION_WIDTH, **{c: FORM_WIDTH for c in range(1, widest)}, widest: GAP_WIDTH,
              widest + 1: VIEW_LABEL_WIDTH, widest + 2: VIEW_WIDTH}
    room = PAGE_POINTS[True] * 100 / print_scale(Sheet(GRID, "", print_columns=widest + 3, widths=widths))
    row = TABLE_ROW + 1
    under = 0  # cases whose views and details are under their grid, not beside it
    breaks: list[int] = []  # the pages those start, where they do not fit under the grid
    for ref, bands in zip(refs, grids):
        starts.append(row - 1)
        end = row - 3
        for grid in bands:  # a band's title, header and rows; a blank row before the next band
            grid.row, grid.col = end + 3, 0
            blocks.append(grid)
            end = grid.last_row
        sides = [_views_block(data, views.get(ref.casefold(), []))] if data.plan.views is not None else []
        sides.append(_details_block(data, cases.get(ref.casefold())))
        sides, is_under = _place_sides(bands, sides, row, end, widest, room)
        if is_under:
            under += 1
            if _points([*bands, *sides], row - 1, max(s.last_row for s in sides)) > room:
                breaks.append(end + 2)  # on a page of their own, unless they fit under the grid
        for side in sides:
            blocks.append(side)
            end = max(end, side.last_row)
        row = end + 3
    said = ("the child's and family's views and the case details" if data.plan.views is not None
            else "the case details")
    pair = ", side by side" if data.plan.views is not None else ""
    where = ("on the right of its grades" if not under else f"below its grades{pair}" if under == len(grids) else
             f"on the right of its grades where the whole case prints on one page so, otherwise below them{pair}")
    intro = ("Grades of each agency's audit by section; 'A → B' shows a grade moderated from A to B. Colours "
             "follow the grade scale. Every issued form has a column: 'Return' says whether it came back. For each "
             f"case, {said} are {where}.")
    if any(len(bands) > 1 for bands in grids):
        intro += (f" A case with more than {FORMS_ACROSS} forms shows them {FORMS_ACROSS} at a time, one band "
                  "under another, each with the sections down its side.")
    return Sheet(GRID, "All audits of each case, side by side",
                 [intro, "Evidence for every grade is on the Evidence and Grades sheets."], blocks, freeze=(0, 1),
                 widths={**{c: FORM_WIDTH for c in range(1, widest)}, widest: GAP_WIDTH},
                 page_breaks=sorted([*starts[1:], *breaks]))
