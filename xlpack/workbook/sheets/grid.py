"""Case grid: for each case, sections down and forms across, with the child's views beside them."""

from __future__ import annotations

from collections import Counter, defaultdict

from xlpack.analysis.dataset import views_questions
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.plan import Case
from xlpack.model.records import FormSummary, GradeRow, ViewsRow
from xlpack.workbook.sheet_model import Block, Cell, CellLike, Column, Sheet, grade_style, shared_cell
from xlpack.workbook.sheets.common import GRID, TABLE_ROW

SECTION_WIDTH, FORM_WIDTH, VIEW_LABEL_WIDTH, VIEW_WIDTH = 34, 16, 26, 50
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


def _case_title(data: ConsolidatedAudit, case: Case | None, case_ref: str) -> str:
    parts = [f"Case {case_ref}"]
    if case is not None:
        parts.append(case.category)
        labels = {q.id: q.label for q in data.plan.tool.case_fields}
        parts += [f"{labels.get(k, k)}: {v}" for k, v in case.fields.items() if v]
    return " · ".join(p for p in parts if p)


def _form_headers(forms: list[tuple[str, str, str]]) -> list[str]:
    """An agency's name, with the auditor's where the agency has two auditors on the case."""
    per_agency = Counter(agency.casefold() for _, agency, _ in forms)
    return [f"{agency} ({auditor})" if per_agency[agency.casefold()] > 1 else agency for _, agency, auditor in forms]


def _case_block(data: ConsolidatedAudit, case: Case | None, case_ref: str, grades: list[GradeRow],
                summaries: dict[str, FormSummary]) -> Block:
    forms = list(dict.fromkeys((g.form_id, g.agency, g.auditor) for g in grades))
    forms.sort(key=lambda f: (f[1].casefold(), f[2].casefold(), f[0]))
    by_key = {(g.form_id, g.section_id): g for g in grades}
    cols = [Column("Section", SECTION_WIDTH, style="row_label"),
            *(Column(h, FORM_WIDTH, style="grid") for h in _form_headers(forms))]
    rows: list[list[CellLike]] = []
    for order, section in enumerate(data.plan.tool.sections, start=1):
        rows.append([f"{order}. {section.title}", *(grade_cell(by_key.get((f[0], section.id))) for f in forms)])
    for fld, label in CLOSING_ROWS:
        values: list[CellLike] = []
        for form_id, _, _ in forms:
            s = summaries.get(form_id)
            v = getattr(s, fld) if s else None
            style = grade_style(v) if fld == "overall_grade" else (
                "sev:urgent" if fld == "safeguarded_now" and (v or "").casefold() in ("no", "unsure") else "grid")
            values.append(Cell(v, style or "grid"))
        rows.append([label, *values])
    return Block(cols, rows, title=_case_title(data, case, case_ref))


def _views_block(data: ConsolidatedAudit, views: list[ViewsRow]) -> Block:
    questions = views_questions(data.plan)
    rows: list[list[CellLike]] = []
    for v in views:
        rows += [[label, v.answers.get(qid, "")] for qid, label in questions]
    if not rows:
        rows = [["", "No views form returned for this case."]]
    return Block([Column("Child and family views", VIEW_LABEL_WIDTH, style="row_label"),
                  Column("What they said", VIEW_WIDTH, style="grid")], rows)


def build(data: ConsolidatedAudit) -> Sheet:
    by_case: dict[str, list[GradeRow]] = defaultdict(list)
    for g in data.grades:
        by_case[g.case_ref.casefold()].append(g)
    views: dict[str, list[ViewsRow]] = defaultdict(list)
    for v in data.views:
        views[v.case_ref.casefold()].append(v)
    summaries = {s.form_id: s for s in data.summaries}
    refs = [c.case_ref for c in data.plan.cases]
    known = {r.casefold() for r in refs}
    refs += sorted({g.case_ref for g in data.grades if g.case_ref.casefold() not in known}, key=str.casefold)
    cases = {c.case_ref.casefold(): c for c in data.plan.cases}
    grids = [_case_block(data, cases.get(ref.casefold()), ref, by_case.get(ref.casefold(), []), summaries)
             for ref in refs]
    widest = max((g.width for g in grids), default=1)
    blocks: list[Block] = []
    row = TABLE_ROW + 1
    for ref, grid in zip(refs, grids):
        grid.row, grid.col = row, 0
        blocks.append(grid)
        end = grid.last_row
        if data.plan.views is not None:
            side = _views_block(data, views.get(ref.casefold(), []))
            side.row, side.col = row, widest + 1
            blocks.append(side)
            end = max(end, side.last_row)
        row = end + 3
    intro = ("Grades of each agency's audit by section; 'A → B' shows a grade moderated from A to B. Colours "
             "follow the grade scale. The child's and family's views are on the right.")
    return Sheet(GRID, "All audits of each case, side by side",
                 [intro, "Evidence for every grade is on the Evidence and Grades sheets."], blocks, freeze=(0, 1),
                 widths={c: FORM_WIDTH for c in range(1, widest)})
