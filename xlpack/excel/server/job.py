"""One request's work, run in its own process inside the request's private folder.

``python -m xlpack.excel.server.job check|update WORKBOOK [--allow-missing]``
runs with the private folder as its working directory: ``WORKBOOK`` is the
copy of the open workbook, ``returns/`` holds the files dropped. Paths are
relative, so what xlpack writes (the Returns sheet's sources, its messages)
names the workbook and the dropped files as the coordinator knows them, never
the server's folders. It prints one JSON document on stdout:

- ``check``: the audit's state and, for files dropped, intake's table (nothing
  is written);
- ``update``: the same :func:`~xlpack.consolidate.consolidate` the CLI runs, on
  the copy; its summary and table, the state after it, the sheets xlpack
  owns in the result (name and visibility, in order), which the page puts in
  place of its own, and their charts (:mod:`.charts`), which the page draws
  again; or the refusal, with its kind and message.

A process per request keeps each child's data out of the server's memory once
the answer is sent, and lets the server stop a run that takes too long.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from xlpack.consolidate import (
    ConsolidatedAudit,
    ConsolidateResult,
    KeepTypedError,
    ResultsWouldBeDroppedError,
    consolidate,
)
from xlpack.coordinator.plan_sheets import META as PLAN_META
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import WorkbookError, XlpackError
from xlpack.excel.server.charts import chart_specs
from xlpack.files.workbooks import SheetReader
from xlpack.intake import FileResult, intake
from xlpack.intake.ooxml import open_workbook
from xlpack.workbook.readback import META, read_consolidated
from xlpack.workbook.sheets.common import ANALYSIS_SHEETS, FLAGS

RETURNS = Path("returns")
#: Every sheet a consolidation writes: the page deletes these from the open workbook and inserts the new ones.
OWNED = (*ANALYSIS_SHEETS, META)
ASK = "tick 'Accept missing forms on purpose' and click Update again"
ALLOWED_BY = "you ticked 'Accept missing forms on purpose'"
LAST_LINE = ("Flags is open: urgent flags at the top. Returns shows whom to chase, the Case grid each case across "
             "agencies.")


def state(audit: Path) -> dict[str, Any]:
    """The audit as the open workbook holds it: forms issued, and from the last consolidation what came back."""
    if SheetReader(audit).has(META):
        return figures(read_consolidated(audit))
    plan = read_plan(audit, strict=False)
    return {"audit_id": plan.audit_id, "title": plan.terms.title, "issued": len(plan.issued), "consolidated_at": None}


def figures(data: ConsolidatedAudit) -> dict[str, Any]:
    """Issued, returned, overdue, not yet due, and urgent flags (those without a resolution too)."""
    counts: dict[str, int] = {}
    for r in data.returns:
        counts[r.status] = counts.get(r.status, 0) + 1
    urgent = [f for f in data.flags if f.severity == "urgent"]
    return {"audit_id": data.plan.audit_id, "title": data.plan.terms.title, "issued": len(data.plan.issued),
            "consolidated_at": data.consolidated_at.isoformat(sep=" ", timespec="minutes")
            if data.consolidated_at else None,
            "returned": counts.get("accepted", 0) + counts.get("accepted_with_warnings", 0),
            "overdue": counts.get("overdue", 0), "missing": counts.get("missing", 0), "urgent": len(urgent),
            "urgent_open": len([f for f in urgent if not (f.resolution or "").strip()])}


def file_row(f: FileResult) -> dict[str, Any]:
    """One row of the intake table: the status, the file as dropped, the form, and every problem in words."""
    path = Path(f.path)
    shown = str(path.relative_to(RETURNS)) if path.is_relative_to(RETURNS) else f.path
    return {"status": f.status, "file": shown, "form": " · ".join(x for x in (f.case_ref, f.agency, f.auditor) if x),
            "problems": [{"severity": p.severity, "message": p.message, "fix": p.fix} for p in f.problems
                         if p.severity != "info" or f.status == "superseded"]}


def owned_sheets(audit: Path) -> tuple[list[dict[str, str]], str | None]:
    """The sheets xlpack owns in the consolidated workbook, in order, with their visibility as Office.js names
    it; and the sheet they follow (the plan sheet before them), so the page puts them where the CLI does."""
    package = open_workbook(audit.read_bytes())
    try:
        names = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}
        owned = [{"name": s.name, "visibility": names[s.state]} for s in package.sheets if s.name in OWNED]
        order = [s.name for s in package.sheets]
        at = order.index(owned[0]["name"]) if owned else 0
        return owned, (order[at - 1] if at > 0 else None)
    finally:
        package.archive.close()


def check(audit: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"ok": True, "state": state(audit), "files": []}
    if RETURNS.is_dir() and any(RETURNS.iterdir()):
        result = intake([RETURNS], read_plan(audit), source=audit.name)
        out["files"] = [file_row(f) for f in result.files]
    return out


def update(audit: Path, allow_missing: bool) -> dict[str, Any]:
    result: ConsolidateResult = consolidate(audit, [RETURNS], allow_missing=allow_missing)
    result.backup = None  # the backup goes with the private folder: Excel keeps the workbook's own versions
    result.allowed_by = ALLOWED_BY
    lines = result.summary_lines()
    lines[-1] = LAST_LINE
    sheets, after = owned_sheets(audit)
    return {"ok": True, "summary": lines, "files": [file_row(f) for f in result.files], "state": figures(result.data),
            "sheets": sheets, "after": after, "owned": list(OWNED), "activate": FLAGS, "rejected": result.rejected,
            "charts": [c for c in chart_specs(audit) if c["sheet"] in OWNED]}


def refusal(exc: XlpackError, audit: Path) -> dict[str, Any]:
    """The kind of refusal, for the page to offer the way on, and the message in the task pane's words."""
    if isinstance(exc, ResultsWouldBeDroppedError):
        kind, message = ("missing-forms" if exc.absent else "no-returns"), exc.told(ASK)
    elif isinstance(exc, KeepTypedError):
        kind, message = "typed-would-be-lost", str(exc)
    elif isinstance(exc, WorkbookError) and _readable(audit) and not SheetReader(audit).has(PLAN_META):
        kind, message = "not-coordinator", (f"{audit.name} is not an xlpack coordinator workbook (it has no hidden "
                                            f"'{PLAN_META}' sheet). Open the coordinator workbook made by xlpack init, "
                                            "then click Update again.")
    else:
        kind, message = "refused", str(exc)
    # what must not wait (a safeguarding alert due but not drafted) comes first, as on the console
    return {"ok": False, "refusal": kind,
            "message": "\n".join([*exc.first, message + "\n\nYour workbook was not changed."])}


def _readable(audit: Path) -> bool:
    try:
        SheetReader(audit)
    except XlpackError:
        return False
    return True


def run(argv: list[str]) -> dict[str, Any]:
    mode, name = argv[0], argv[1]
    audit = Path(name)
    try:
        if mode == "check":
            return check(audit)
        return update(audit, "--allow-missing" in argv[2:])
    except XlpackError as exc:
        return refusal(exc, audit)


def main() -> None:
    json.dump(run(sys.argv[1:]), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
