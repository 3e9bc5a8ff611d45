"""The baseline's action plan rows, to set against what the re-audit found.

Read from the baseline workbook's Action plan sheet where it has one (the
SMART plan the partnership agreed: action, section, owner, agency, by
when, measure of success, status, evidence of impact, review date);
columns are found by their header, in any order, so added columns do no
harm. A workbook without that sheet gets the rows the overview report
starts its action plan with: one per section causing concern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xlpack.files.workbooks import SheetReader, cell_text
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import ToolDefinition
from xlpack.report.findings import agencies_of_concern, analyse, pct

ACTION_SHEET = "Action plan"
HEADER_SEARCH_ROWS = 30
#: Field -> the headers it may have on the sheet (compared without case, spaces or punctuation).
HEADERS: dict[str, tuple[str, ...]] = {
    "action": ("action",), "section": ("section",), "section_id": ("sectionid",), "owner": ("owner", "lead"),
    "agency": ("agency", "agencies"), "by_when": ("bywhen", "deadline", "duedate"),
    "measure": ("measureofsuccess", "measure"), "status": ("status",), "evidence": ("evidenceofimpact",),
    "review_date": ("reviewdate",)}
FROM_SHEET = "the baseline's Action plan sheet"
DERIVED = ("the baseline's sections causing concern (the baseline workbook has no Action plan sheet: these are "
           "the rows the overview report starts its action plan with)")


@dataclass(frozen=True)
class BaselineAction:
    """One row of the baseline's action plan; ``section_id`` is the baseline section it addresses ('' if none)."""

    action: str
    section: str
    section_id: str = ""
    owner: str = ""
    agency: str = ""
    by_when: str = ""
    measure: str = ""
    status: str = ""
    evidence: str = ""
    review_date: str = ""


def _key(text: Any) -> str:
    return re.sub(r"[^0-9a-z]+", "", cell_text(text).casefold())


def _value(v: Any) -> str:
    if isinstance(v, (datetime, date)):
        return f"{v:%d/%m/%Y}"
    return " ".join(cell_text(v).split())


def section_id_of(tool: ToolDefinition, text: str) -> str:
    """The id of the section ``text`` names (its id or its title, any case); '' if none."""
    key = " ".join(text.split()).casefold()
    for s in tool.sections:
        if key in (s.id.casefold(), " ".join(s.title.split()).casefold()):
            return s.id
    return ""


def read_action_sheet(path: Path, tool: ToolDefinition) -> list[BaselineAction] | None:
    """The rows of the Action plan sheet of the workbook at ``path``; None when it has no such sheet."""
    book = SheetReader(path)
    if not book.has(ACTION_SHEET):
        return None
    rows = book.rows(ACTION_SHEET)
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [_key(v) for v in row]
        if "action" in keys and "section" in keys:
            columns = {fld: next(i for i, k in enumerate(keys) if k in names)
                       for fld, names in HEADERS.items() if any(k in names for k in keys)}
            return [_row(values, columns, tool) for values in rows[r + 1:]
                    if any(_value(values[i]) for f, i in columns.items() if f in ("action", "section")
                           and i < len(values))]
    return []


def _row(values: list[Any], columns: dict[str, int], tool: ToolDefinition) -> BaselineAction:
    got = {fld: _value(values[i]) if i < len(values) else "" for fld, i in columns.items()}
    sid = section_id_of(tool, got.get("section_id", "")) or section_id_of(tool, got.get("section", ""))
    return BaselineAction(action=got.get("action", ""), section=got.get("section", ""), section_id=sid,
                     owner=got.get("owner", ""), agency=got.get("agency", ""), by_when=got.get("by_when", ""),
                     measure=got.get("measure", ""), status=got.get("status", ""), evidence=got.get("evidence", ""),
                     review_date=got.get("review_date", ""))


def derived_actions(audit: ConsolidatedAudit) -> list[BaselineAction]:
    """One row per section causing concern (worst first), as the overview report's action plan starts."""
    findings = analyse(audit)
    rows = []
    for s in reversed(findings.with_verdict("Causing concern")):
        agencies = agencies_of_concern(audit.grades, audit.plan.scale, s.section_id)
        rows.append(BaselineAction(
            action=f"Improve practice in {s.title.lower()}.", section=s.title, section_id=s.section_id,
            agency="; ".join(agencies) if agencies else "All agencies",
            measure=(f"At re-audit, Good or better in at least three quarters of graded audits (baseline "
                     f"{pct(s.good)}) and none Inadequate (baseline {pct(s.inadequate)}).")))
    return rows


def baseline_actions(path: Path | None, audit: ConsolidatedAudit) -> tuple[list[BaselineAction], str]:
    """The baseline's action rows and where they came from (the sheet, or the sections causing concern)."""
    if path is not None:
        rows = read_action_sheet(path, audit.plan.tool)
        if rows is not None:
            return rows, FROM_SHEET
    return derived_actions(audit), DERIVED
