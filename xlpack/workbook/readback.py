"""Read a consolidated coordinator workbook back into a :class:`ConsolidatedAudit`.

The analysis sheets are the record: what the coordinator typed there
(moderated grades and notes, flag resolutions) is read with the rest.
Reading streams the rows (python-calamine), so large audits stay small
in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xlpack.analysis.views import answer_id, base_questions
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import WorkbookError
from xlpack.files.workbooks import SheetReader, cell_date, cell_text
from xlpack.model.consolidated import ConsolidatedAudit, OrphanRow
from xlpack.model.definitions import GradeScale, ToolDefinition
from xlpack.model.records import ActionRow, FlagRow, FormSummary, GradeRow, ProblemRow, ReturnRow, ViewsRow
from xlpack.wording import noun
from xlpack.workbook.sheets.common import (
    ACTION_COLUMNS,
    ACTIONS,
    ANSWER_COLUMNS,
    ANSWERS,
    FLAG_COLUMNS,
    FLAGS,
    GRADE_COLUMNS,
    GRADES,
    KIND_LABELS,
    OPTIONAL_FIELDS,
    ORPHAN_COLUMNS,
    ORPHAN_KINDS,
    ORPHANED,
    PROBLEM_COLUMNS,
    PROBLEM_SEVERITY_LABELS,
    PROBLEMS,
    RETURN_COLUMNS,
    RETURN_OPTIONAL,
    RETURNS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    VIEWS,
    Spec,
    headers,
)
from xlpack.workbook.sheets.views import CASE, CONVERSATION, FORM_ID

META = "xlpack_analysis"
META_SCHEMA = "xlpack-analysis/1"
HEADER_SEARCH_ROWS = 25


class Workbook(SheetReader):
    """:class:`~xlpack.files.workbooks.SheetReader` that can also stream a sheet's rows."""

    def iter_rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        """(0-based row, values from column A) of every row, empty cells as ''."""
        ws = self._wb.get_sheet_by_name(sheet)
        r0, c0 = ws.start or (0, 0)
        pad = [""] * c0
        for i, row in enumerate(ws.iter_rows()):
            yield r0 + i, pad + list(row) if c0 else list(row)

    def rows_from_a1(self, sheet: str) -> Iterator[list[Any]]:
        """``rows(sheet)`` a row at a time (a large sheet need not be held whole); read whole when the sheet's
        cells do not start at A1 (calamine then gives its rows otherwise)."""
        ws = self._wb.get_sheet_by_name(sheet)
        if tuple(ws.start or (0, 0)) != (0, 0):
            yield from self.rows(sheet)
            return
        for row in ws.iter_rows():
            yield list(row)


def iter_table(book: Workbook, sheet: str, spec: Spec,
               optional: Sequence[str] = OPTIONAL_FIELDS) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of a sheet's main table as (Excel row number, field -> value), found by its header row.

    The table's columns run from column A to the first empty header cell;
    blocks further right are not part of it. A column of ``optional`` (fields) that a workbook written by an
    earlier xlpack lacks is read as empty.
    """
    by_header = {header: fld for fld, header, _ in spec}
    spec_fields = set(by_header.values())
    first = spec[0][1]
    fields: list[str | None] | None = None
    for r, row in book.iter_rows(sheet):
        if fields is None:
            if r >= HEADER_SEARCH_ROWS:
                break
            if row and cell_text(row[0]).strip() == first:
                texts = [cell_text(v).strip() for v in row]
                width = texts.index("") if "" in texts else len(texts)
                fields = [by_header.get(t) for t in texts[:width]]
                missing = [h for h, f in by_header.items() if h not in texts[:width] and f not in optional]
                if missing:
                    n = len(missing)
                    raise WorkbookError(f"{book.path}, sheet '{sheet}': {noun(n, 'the column', 'the columns')} "
                                        f"{', '.join(missing)} {noun(n, 'is', 'are')} missing from the header row "
                                        f"{r + 1}. Put {noun(n, 'it', 'them')} back, or run "
                                        "consolidate again from the backup in backups/.")
            continue
        values = {f: (row[i] if i < len(row) else None) for i, f in enumerate(fields) if f}
        values.update({f: None for f in optional if f in spec_fields and f not in values})
        if any(cell_text(v).strip() for v in values.values()):
            yield r + 1, values
    if fields is None:
        raise WorkbookError(f"{book.path}, sheet '{sheet}': no header row starting with '{first}' was found. "
                            "Restore the table's header row.")


def _text(v: Any) -> str:
    return cell_text(v).strip()


def _opt(v: Any) -> str | None:
    return _text(v) or None


def _datetime(v: Any) -> datetime | None:
    if isinstance(v, datetime):
        return v
    text = _text(v)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _reverse(labels: dict[str, str]) -> dict[str, str]:
    return {label.casefold(): key for key, label in labels.items()}


def read_returns(book: Workbook) -> list[ReturnRow]:
    status = _reverse(STATUS_LABELS)
    kinds = _reverse(KIND_LABELS)
    out = []
    for _, v in iter_table(book, RETURNS, RETURN_COLUMNS, RETURN_OPTIONAL):
        out.append(ReturnRow(
            form_id=_text(v["form_id"]), file=_text(v["file"]), kind=kinds.get(_text(v["kind"]).casefold(), "audit"),  # type: ignore[arg-type]
            case_ref=_text(v["case_ref"]), agency=_text(v["agency"]), auditor=_text(v["auditor"]),
            status=status.get(_text(v["status"]).casefold(), "missing"), detail=_text(v["detail"]),  # type: ignore[arg-type]
            source=_text(v["source"]), saved_at=_datetime(v["saved_at"]), sha256=_text(v["sha256"])))
    return out


def accepted_last_time(path: Path) -> list[ReturnRow]:
    """The forms the workbook's last consolidation accepted (one row each), from its Returns sheet; none if never."""
    book = Workbook(path)
    if not book.has(META) or not book.has(RETURNS):
        return []
    seen: set[str] = set()
    out = []
    for r in read_returns(book):
        if r.status in ("accepted", "accepted_with_warnings") and r.form_id and r.form_id not in seen:
            seen.add(r.form_id)
            out.append(r)
    return out
def read_problems(book: Workbook) -> list[ProblemRow]:
    """The Problems sheet: every problem found in a returned file (e.g. to write to the auditor of a rejected
    form)."""
    severity = _reverse(PROBLEM_SEVERITY_LABELS)
    status = _reverse(STATUS_LABELS)
    return [ProblemRow(source=_text(v["source"]), status=status.get(_text(v["status"]).casefold(), "rejected"),  # type: ignore[arg-type]
                       severity=severity.get(_text(v["severity"]).casefold(), "error"),  # type: ignore[arg-type]
                       code=_text(v["code"]), message=_text(v["message"]), fix=_text(v["fix"]),
                       sheet=_text(v["sheet"]), cell=_text(v["cell"]), form_id=_text(v["form_id"]),
                       case_ref=_text(v["case_ref"]), agency=_text(v["agency"]), auditor=_text(v["auditor"]))
            for _, v in iter_table(book, PROBLEMS, PROBLEM_COLUMNS)]


def moderated_label(scale: GradeScale, typed: Any) -> str | None:
    """A typed moderated grade as the scale's label (codes and aliases accepted); None if empty or unknown."""
    g = scale.normalise(_text(typed))
    return g.label if g else None


def read_grades(book: Workbook, scale: GradeScale) -> list[GradeRow]:
    out = []
    for _, v in iter_table(book, GRADES, GRADE_COLUMNS):
        order = v["section_order"]
        row_id = _text(v["row_id"])
        form_id, _, section_id = row_id.rpartition(":")
        out.append(GradeRow(
            row_id=row_id, form_id=form_id, case_ref=_text(v["case_ref"]),
            agency=_text(v["agency"]), auditor=_text(v["auditor"]), tool_id=_text(v["tool_id"]),
            section_id=section_id, section_title=_text(v["section_title"]),
            section_order=int(order) if isinstance(order, (int, float)) else 0, grade=_opt(v["grade"]),
            evidence=_text(v["evidence"]), strengths=_text(v["strengths"]), development=_text(v["development"]),
            action=_text(v["action"]), source=_text(v["source"]),
            moderated_grade=moderated_label(scale, v["moderated_grade"]), moderation_note=_text(v["moderation_note"]),
            moderation_meeting=_text(v["moderation_meeting"])))
    return out


def read_summaries(book: Workbook) -> list[FormSummary]:
    return [FormSummary(form_id=_text(v["form_id"]), case_ref=_text(v["case_ref"]), agency=_text(v["agency"]),
                        auditor=_text(v["auditor"]), overall_grade=_opt(v["overall_grade"]),
                        safeguarded_now=_opt(v["safeguarded_now"]), safeguarding_action=_text(v["safeguarding_action"]),
                        no_involvement=_opt(v["no_involvement"]), tool_feedback=_text(v["tool_feedback"]))
            for _, v in iter_table(book, ANSWERS, ANSWER_COLUMNS)]


def read_flags(book: Workbook) -> list[FlagRow]:
    severity = _reverse(SEVERITY_LABELS)
    out = []
    for _, v in iter_table(book, FLAGS, FLAG_COLUMNS):
        agencies = [a.strip() for a in _text(v["agencies"]).split(";") if a.strip()]
        out.append(FlagRow(flag_id=_text(v["flag_id"]), rule=_text(v["rule_id"]) or _text(v["rule"]),
                           severity=severity.get(_text(v["severity"]).casefold(), "low"),  # type: ignore[arg-type]
                           case_ref=_text(v["case_ref"]), section_id=_text(v["section_id"]), agencies=agencies,
                           cells=_text(v["cells"]), message=_text(v["message"]), resolution=_text(v["resolution"]),
                           resolution_meeting=_text(v["resolution_meeting"])))
    return out


def read_views(book: Workbook, definition: ToolDefinition | None) -> list[ViewsRow]:
    """The views forms, put together again from their conversations' rows (one row each on the sheet)."""
    base = base_questions(definition)
    spec: Spec = ((CASE, CASE, 0), (CONVERSATION, CONVERSATION, 0), *((b, label, 0) for b, label, _ in base),
                  (FORM_ID, FORM_ID, 0))
    out: dict[str, ViewsRow] = {}
    for _, v in iter_table(book, VIEWS, spec, optional=(CONVERSATION,)):  # one row a form before conversations
        form_id = _text(v[FORM_ID])
        row = out.setdefault(form_id, ViewsRow(form_id=form_id, case_ref=_text(v[CASE])))
        n = int(v[CONVERSATION]) if isinstance(v[CONVERSATION], (int, float)) else 1
        row.answers.update({answer_id(definition, n, b): _text(v[b]) for b, _, _ in base if _text(v[b])})
    return list(out.values())


def read_orphans(book: Workbook) -> list[OrphanRow]:
    kinds = _reverse(ORPHAN_KINDS)
    return [OrphanRow(kind=kinds.get(_text(v["kind"]).casefold(), "grade"), key=_text(v["key"]),  # type: ignore[arg-type]
                      column=_text(v["column"]), value=_text(v["value"]), context=_text(v["context"]),
                      since=_datetime(v["since"]))
            for _, v in iter_table(book, ORPHANED, ORPHAN_COLUMNS) if _text(v["value"])]


def read_actions(book: Workbook) -> list[ActionRow]:
    """The Action plan rows as the coordinator left them (rows with nothing typed are skipped)."""
    out = []
    for _, v in iter_table(book, ACTIONS, ACTION_COLUMNS):
        texts = {k: _text(x) for k, x in v.items() if k not in ("by_when", "review_date")}
        out.append(ActionRow(**texts, by_when=_date(v["by_when"]), review_date=_date(v["review_date"])))
    return out


def _date(v: Any) -> date | str | None:
    """A date typed in a cell; words that are not a date ("March 2027") kept as typed."""
    try:
        return cell_date(v)
    except (TypeError, ValueError):
        return _text(v)


def read_meta(book: Workbook) -> dict[str, list[str]]:
    """The hidden analysis sheet: key -> the rest of its row (digests are keyed 'digest:<sheet>')."""
    out: dict[str, list[str]] = {}
    for _, row in book.iter_rows(META):
        texts = [cell_text(v) for v in row]
        if not texts or not texts[0]:
            continue
        if texts[0] == "digest" and len(texts) > 1:
            out[f"digest:{texts[1]}"] = texts[2:]
        else:
            out[texts[0]] = texts[1:]
    if (out.get("schema") or [""])[0] != META_SCHEMA:
        raise WorkbookError(f"{book.path}: unknown analysis schema '{(out.get('schema') or [''])[0]}'.")
    return out


def read_consolidated(audit: Path) -> ConsolidatedAudit:
    """Read a consolidated coordinator workbook back (plan, returns, grades with moderation, flags, ...)."""
    audit = Path(audit)
    plan = read_plan(audit, strict=False)
    book = Workbook(audit)
    if not book.has(META):
        raise WorkbookError(f"{audit} has not been consolidated yet. Run: xlpack consolidate {audit} RETURNS...")
    meta = read_meta(book)
    when = _datetime((meta.get("consolidated_at") or [""])[0])
    have = set(book.names)

    def present(sheet: str) -> bool:
        return sheet in have

    return ConsolidatedAudit(
        plan=plan,
        returns=read_returns(book) if present(RETURNS) else [],
        problems=read_problems(book) if present(PROBLEMS) else [],
        grades=read_grades(book, plan.scale) if present(GRADES) else [],
        summaries=read_summaries(book) if present(ANSWERS) else [],
        flags=read_flags(book) if present(FLAGS) else [],
        views=read_views(book, plan.views) if present(VIEWS) else [],
        orphaned=read_orphans(book) if present(ORPHANED) else [],
        actions=read_actions(book) if present(ACTIONS) else [],
        proposed_actions=proposed_actions(meta, book),
        consolidated_at=when)


PROPOSED = "actions:proposed"  # the key of the hidden sheet's row listing the Action plan rows xlpack proposed


def proposed_actions(meta: dict[str, list[str]], book: Workbook) -> list[str]:
    """The ids of the Action plan rows xlpack proposed; for a workbook from before they were recorded, the ids
    of the rows on the sheet now (a row deleted before that cannot be told apart)."""
    if PROPOSED in meta:
        return [i for i in meta[PROPOSED] if i]
    return [r.action_id for r in read_actions(book) if r.action_id] if book.has(ACTIONS) else []


__all__ = ["META", "META_SCHEMA", "Workbook", "accepted_last_time", "headers", "iter_table", "read_consolidated",
           "read_problems"]
