"""Checks on who audits what, before any form goes out (``xlpack generate``; ``--strict`` refuses).

Each warning names the sheet and cells to look at:
- an auditor listed for two or more agencies (each auditor audits their own agency's record);
- an agency with fewer than two auditors in the whole audit (the guidance asks for two where possible);
- an auditor whose team (Assignments, Auditor team) is the team the case is allocated to (the Cases sheet's
  team column): an auditor should not audit their own team's work;
- a role not on the agency's list of roles, where the tool definition gives one (``auditor_roles``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from xlpack.coordinator.plan_sheets import ASSIGN, ASSIGN_COLUMNS, CASE_HEADERS, CASES, read_table
from xlpack.files.workbooks import SheetReader, cell_text
from xlpack.model.plan import Assignment, AuditPlan, assignment_key

RowOf = Callable[[Assignment], int]

TEAM_FIELD = "team"  # the case field holding the team the case is allocated to
MIN_AUDITORS = 2
SHOWN = 6  # cells listed in one warning
_COL = {key: xl_col_to_name(i) for i, (key, _, _) in enumerate(ASSIGN_COLUMNS)}


@dataclass
class Rows:
    """Where each assignment and case is on its sheet (Excel row numbers)."""

    assignments: dict[tuple[str, str, str, str], int]
    cases: dict[str, int]
    team_column: str  # the Cases sheet's column letter of the team ("" when the tool has none)


def sheet_rows(path: Path, plan: AuditPlan) -> Rows:
    """The row of every assignment and case as the workbook at ``path`` has them."""
    reader = SheetReader(path)
    labels = {key: label for key, label, _ in ASSIGN_COLUMNS}
    out: dict[tuple[str, str, str, str], int] = {}
    for n, v in read_table(reader, ASSIGN, [labels["case_ref"]]).rows:
        key = assignment_key("audit", *(cell_text(v.get(labels[k])).strip() for k in ("case_ref", "agency", "auditor")))
        out.setdefault(key, n)
    cases = {cell_text(v.get(CASE_HEADERS[0])).strip().casefold(): n
             for n, v in read_table(reader, CASES, [CASE_HEADERS[0]]).rows}
    fields = [q.id for q in plan.tool.case_fields]
    team = xl_col_to_name(len(CASE_HEADERS) + fields.index(TEAM_FIELD)) if TEAM_FIELD in fields else ""
    return Rows(out, cases, team)


def _cells(col: str, rows: list[int]) -> str:
    shown = [f"{col}{r}" for r in sorted(set(rows)) if r][:SHOWN]
    more = len(set(rows)) - len(shown)
    if not shown:
        return f"Sheet '{ASSIGN}'"
    return f"Sheet '{ASSIGN}', cell{'s' if len(shown) > 1 else ''} {', '.join(shown)}" + (
        f" and {more} more" if more > 0 else "")


def assignment_warnings(plan: AuditPlan, rows: Rows) -> list[str]:
    """Every warning about the Assignments sheet, each naming the cells; an empty list when all is well."""
    def row(a: Assignment) -> int:
        return rows.assignments.get(assignment_key("audit", a.case_ref, a.agency, a.auditor), 0)

    out: list[str] = []
    by_auditor: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    by_agency: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    names: dict[str, str] = {}
    for a in plan.assignments:
        who, agency = " ".join(a.auditor.split()).casefold(), " ".join(a.agency.split())
        names.setdefault(who, a.auditor)
        by_auditor[who][agency].append(row(a))
        by_agency[agency.casefold()][who].append(row(a))
    for who, agencies in by_auditor.items():
        if len(agencies) > 1:
            listed = " and ".join(sorted(agencies, key=str.casefold))
            out.append(f"{_cells(_COL['auditor'], [r for rs in agencies.values() for r in rs])}: {names[who]} is "
                       f"listed for {len(agencies)} agencies ({listed}). Each auditor audits their own agency's "
                       "record: give each agency's rows to an auditor of that agency.")
    for a_key, auditors in by_agency.items():
        if len(auditors) < MIN_AUDITORS:
            agency = next(a.agency for a in plan.assignments if a.agency.casefold() == a_key)
            only = ", ".join(names[w] for w in auditors)
            out.append(f"{_cells(_COL['agency'], [r for rs in auditors.values() for r in rs])}: {agency} has only "
                       f"one auditor in the whole audit ({only}). Add a second auditor where you can, so that "
                       "grades can be compared within the agency.")
    out += _team_warnings(plan, rows, row)
    out += _role_warnings(plan, row)
    return out


def _team_warnings(plan: AuditPlan, rows: Rows, row: RowOf) -> list[str]:
    out = []
    for a in plan.assignments:
        case = plan.case(a.case_ref)
        team = (case.fields.get(TEAM_FIELD, "") if case else "").strip()
        if team and a.team.strip() and " ".join(team.split()).casefold() == " ".join(a.team.split()).casefold():
            case_cell = f"{rows.team_column}{rows.cases.get(a.case_ref.casefold(), '')}"
            out.append(f"{_cells(_COL['team'], [row(a)])}: {a.auditor}'s team, '{a.team}', is the team case "
                       f"{a.case_ref} is allocated to (Sheet '{CASES}', cell {case_cell}). An auditor should have no "
                       "involvement in or line management of the case: give it to an auditor from another team.")
    return out


def _role_warnings(plan: AuditPlan, row: RowOf) -> list[str]:
    out = []
    for a in plan.assignments:
        roles = plan.tool.roles_for(a.agency)
        if roles is None or not a.role.strip():
            continue
        if " ".join(a.role.split()).casefold() not in {r.casefold() for r in roles}:
            out.append(f"{_cells(_COL['role'], [row(a)])}: the role '{a.role}' ({a.auditor}) is not one the tool "
                       f"definition gives for {a.agency}: {', '.join(roles)}. Check that the auditor is from "
                       f"{a.agency}, or correct the role.")
    return out
