"""Cases of earlier audits left out of a draw (``xlpack sample --exclude AUDIT.xlsx``).

A re-audit drawn from the same extract as its baseline could take cases the
baseline audited, and the comparison would then not be between independent
samples. Each workbook given is read for its Cases sheet; its cases are
taken out of the population before the draw, and the Sample sheet says
which audits, and how many cases, were left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import UsageError
from xlpack.model.plan import AuditPlan
from xlpack.wording import counted

from .extract import ExtractRow, fold


@dataclass
class EarlierAudit:
    """An earlier audit whose cases are left out."""

    path: Path
    title: str
    refs: set[str]  # its case references, folded


def read_earlier(paths: Sequence[Path], plan: AuditPlan, audit: Path) -> list[EarlierAudit]:
    """The earlier audits named by ``--exclude``; UsageError naming the file when one cannot be used."""
    out = []
    for path in map(Path, paths):
        if not path.is_file() or path.suffix.lower() != ".xlsx":
            raise UsageError(f"--exclude {path}: no such coordinator workbook (.xlsx).")
        if path.resolve() == Path(audit).resolve():
            raise UsageError(f"--exclude {path} is the workbook the cases are drawn into: give the earlier audits.")
        earlier = read_plan(path, strict=False)
        if earlier.audit_id == plan.audit_id:
            raise UsageError(f"--exclude {path} is a copy of this audit (audit id {plan.audit_id}): give the "
                             "earlier audits' coordinator workbooks.")
        if not earlier.cases:
            raise UsageError(f"--exclude {path}: its Cases sheet is empty, so there is nothing to leave out. Is it "
                             "the right workbook?")
        out.append(EarlierAudit(path, earlier.terms.title, {fold(c.case_ref) for c in earlier.cases}))
    return out


def leave_out(population: list[ExtractRow], ref_key: str,
              earlier: Sequence[EarlierAudit]) -> tuple[list[ExtractRow], list[str]]:
    """The population without the earlier audits' cases, and a line per audit saying what was left out."""
    notes = []
    for e in earlier:
        gone = sum(1 for r in population if fold(r.values[ref_key]) in e.refs)
        population = [r for r in population if fold(r.values[ref_key]) not in e.refs]
        title = " ".join(e.title.split()).replace(";", ",")
        notes.append(f"{counted(gone, 'case')} of the audit '{title}' ({e.path.name}, "
                     f"{counted(len(e.refs), 'case')} on its Cases sheet)")
    return population, notes
