"""Reading the audit's own folder: what xlpack wrote there is skipped, saying what it is, and nothing else changes.

The folder of a real audit holds the coordinator workbook, its backups, the
forms as issued (``forms/``, with ``manifest.json``), the overview report,
perhaps temporary copies left by an interrupted run, and ``returns/``.
Consolidating the folder must give what consolidating ``returns/`` gives.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tests.support.filling import fill_form
from tests.support.intake_support import *
from tests.support.intake_support import T0, codes, fresh_copy
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator import plan_sheets as coordinator
from xlpack.coordinator.plan_sheets import read_plan, write_coordinator
from xlpack.files.lock import lock_path
from xlpack.files.workbooks import replace_atomically
from xlpack.intake import intake
from xlpack.model.plan import AuditPlan

TODAY = date(2026, 12, 7)


def _returns(forms: Path, plan: AuditPlan, folder: Path) -> None:
    """A few returns as auditors send them: good ones, one sent twice, one with a grade typed wrongly."""
    issued = sorted((f for f in plan.issued if f.kind == "audit"), key=lambda f: f.file)
    for f in issued[:5]:
        fill_form(forms / f.file, folder / f.file, saved_at=T0)
    fill_form(forms / issued[0].file, folder / f"{Path(issued[0].file).stem} (older).xlsx",
              {"planning": "Inadequate"}, saved_at=T0 - timedelta(days=2))
    fill_form(forms / issued[6].file, folder / issued[6].file, cells={"section.assessment.grade": "Goood"},
              saved_at=T0)
    (folder / f"~${issued[7].file}").write_bytes(b"\0" * 162)  # Excel's lock file: skipped, listed on Returns


def _report(audit: Path) -> Path:
    """A Word document where the overview report goes (its content does not matter to intake)."""
    import docx

    from xlpack.report.write import REPORT_SUFFIX

    path = audit.with_name(audit.stem + REPORT_SUFFIX)
    docx.Document().save(str(path))
    return path


def _leftovers(audit: Path) -> list[Path]:
    """What a run killed while writing leaves beside the workbook: full copies of it, under every name used."""
    names = [f".{audit.stem}.k3j_9x.tmp.xlsx", f".{audit.stem}.k3j_9x.staged.tmp.xlsx",
             f".{audit.stem}.k3j_9x.staged.stream.tmp.xlsx",
             f".{audit.stem}.a8b2c1.tmp.xlsx.staged.xlsx", f".{audit.stem}.a8b2c1.tmp.xlsx.staged.xlsx.stream.xlsx"]
    return [Path(shutil.copy2(audit, audit.with_name(n))) for n in names]


def _json(row: Any) -> object:
    """A row as JSON text would hold it (the orphans are pydantic models, the other rows dataclasses)."""
    if isinstance(row, BaseModel):
        return row.model_dump(mode="json")
    return json.loads(json.dumps(asdict(row), default=str))


def _analysis(audit: Path) -> dict[str, object]:
    data = read_consolidated(audit)
    return {name: [_json(row) for row in getattr(data, name)]
            for name in ("returns", "grades", "summaries", "flags", "views", "orphaned")}


def test_consolidating_the_audit_folder_gives_what_consolidating_its_returns_gives(
        sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    folder = audit.parent
    plan = read_plan(audit)
    returns = folder / "returns"
    returns.mkdir()
    _returns(forms, plan, returns)
    before = audit.read_bytes()

    first = consolidate(audit, [returns], today=TODAY)
    expected = _analysis(audit)
    audit.write_bytes(before)  # the same workbook again; its backup from the first run stays in backups/
    report = _report(audit)
    leftovers = _leftovers(audit)
    backups = sorted((folder / "backups").iterdir())  # the first run's; the second run adds its own
    assert backups, "the first run kept a backup"

    read = {f.path: codes(f) for f in intake([folder], plan).files}  # intake alone (no lock) reads the leftovers
    assert all(read[str(p)] == ["temporary-file"] for p in leftovers)
    second = consolidate(audit, [folder], today=TODAY)
    assert _analysis(audit) == expected
    assert first.totals | {"files": 0} == second.totals | {"files": 0}
    assert first.summary_lines()[:2] == second.summary_lines()[:2]
    assert Counter(f.rule for f in read_consolidated(audit).flags)["returned_twice"] == 1  # the form sent twice only

    by_path = {f.path: f for f in second.files}
    skipped = {p: codes(f) for p, f in by_path.items() if not p.startswith(str(returns))}
    expected_skips = {str(audit): ["coordinator-workbook"], str(report): ["xlpack-file"],
                      str(forms / "manifest.json"): ["xlpack-file"],
                      str(lock_path(audit)): ["xlpack-file"],  # the lock consolidate holds while it reads
                      **{str(b): ["coordinator-workbook"] for b in backups},
                      **{str(forms / f.file): ["issued-blank"] for f in plan.issued}}
    assert skipped == expected_skips
    assert not any(p.exists() for p in leftovers)  # a killed run's copies: removed by the next run, not read
    assert all(by_path[p].status == "skipped" for p in expected_skips)
    assert "A backup of the coordinator workbook" in by_path[str(backups[0])].problems[0].message
    assert by_path[str(audit)].problems[0].message.startswith("The coordinator workbook of this audit")


def test_the_forms_folder_alone_is_skipped_form_by_form(sample_forms: tuple[Path, Path]) -> None:
    audit, forms = sample_forms
    plan = read_plan(audit)
    result = intake([forms], plan)
    blanks = [f for f in result.files if f.kind == "workbook"]
    assert len(blanks) == len(plan.issued) and all(codes(f) == ["issued-blank"] for f in blanks)
    by_file = {f.file: f for f in plan.issued}
    for f in blanks:  # each names the form it is
        issued = by_file[Path(f.path).name]
        assert (f.form_id, f.case_ref, f.agency, f.auditor) == (issued.form_id, issued.case_ref, issued.agency,
                                                                 issued.auditor)
    assert result.exit_code == 0 and result.accepted == []


def test_a_blank_form_saved_again_is_still_a_blank_return(blank_cp: Path, audit_plan: AuditPlan,
                                                          tmp_path: Path) -> None:
    """Only the bytes as issued are skipped: the same form opened and saved without answers is a return."""
    from tests.support.intake_corpus import email_with
    from xlpack.demo.simulate import set_saved_at

    saved = fresh_copy(blank_cp, tmp_path / "returns")
    set_saved_at(saved, T0)
    (tmp_path / "returns" / "sent.eml").write_bytes(email_with([("form.xlsx", blank_cp.read_bytes())]))
    result = intake([tmp_path / "returns"], audit_plan)
    got = {f.path.rsplit("/", 1)[-1]: (f.status, codes(f, "error") or codes(f)) for f in result.files}
    assert got[saved.name] == ("rejected", ["no-answers"])
    assert got["form.xlsx"] == ("skipped", ["issued-blank"])  # the form as sent, attached to the message sending it


def test_another_audits_coordinator_workbook_is_named_as_such(sample_forms: tuple[Path, Path],
                                                              tmp_path: Path) -> None:
    from xlpack.demo.sample import create_sample

    other = create_sample(tmp_path / "other.xlsx", cases=1, seed=5)
    result = intake([tmp_path / "other.xlsx"], read_plan(sample_forms[0]))
    f = result.files[0]
    assert (f.status, codes(f)) == ("rejected", ["other-coordinator"])
    assert other.audit_id in f.problems[0].message


def test_every_temporary_file_a_consolidation_writes_is_recognised(sample_copy: tuple[Path, Path],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from xlpack.files.workbooks import is_temp_name

    audit, forms = sample_copy
    returns = audit.parent / "returns"
    returns.mkdir()
    plan = read_plan(audit)
    fill_form(forms / plan.issued[0].file, returns / plan.issued[0].file, saved_at=T0)
    moved: list[str] = []
    real = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        moved.append(Path(str(src)).name)
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    consolidate(audit, [returns], today=TODAY)
    assert len(moved) >= 3  # the streamed copy, the staged copy and the temporary workbook
    assert [n for n in moved if not is_temp_name(n)] == []
    written: list[str] = []

    def copy(tmp: Path) -> None:
        written.append(tmp.name)
        shutil.copy2(audit, tmp)

    replace_atomically(audit.with_name("other.xlsx"), copy)
    assert written and is_temp_name(written[0])


def test_a_workbook_from_before_file_hashes_still_reads(sample_copy: tuple[Path, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A coordinator workbook whose Issued forms sheet has no file hash column: read as before, blanks rejected."""
    audit, forms = sample_copy
    plan = read_plan(audit)
    assert all(f.sha256 for f in plan.issued)
    monkeypatch.setattr(coordinator, "ISSUED_COLUMNS", coordinator.ISSUED_COLUMNS[:-1])
    write_coordinator(audit, plan)
    monkeypatch.undo()
    old = read_plan(audit)
    assert [f.model_copy(update={"sha256": ""}) for f in plan.issued] == old.issued
    f = intake([forms / plan.issued[0].file], old).files[0]
    assert (f.status, codes(f, "error")) == ("rejected", ["no-answers"])
    returns = audit.parent / "returns"
    returns.mkdir()
    fill_form(forms / plan.issued[1].file, returns / plan.issued[1].file, saved_at=T0)
    done = consolidate(audit, [returns], today=TODAY)  # rewritten with the new column, nothing typed lost
    assert done.totals["forms_accepted"] == 1
    assert read_plan(audit).issued == old.issued


def test_own_files_are_catalogued_as_skips() -> None:
    from xlpack.intake.problems import CATALOGUE, OWN_FILES

    assert {CATALOGUE[c].severity for c in OWN_FILES} == {"info"}


def test_the_names_intake_knows_are_the_names_xlpack_writes() -> None:
    from xlpack.generate import MANIFEST
    from xlpack.intake.sources import MANIFEST_NAME, REPORT_ENDING, classify
    from xlpack.report.pack import default_pack_path
    from xlpack.report.write import REPORT_SUFFIX, default_report_path

    assert (MANIFEST.lower(), REPORT_SUFFIX.lower()) == (MANIFEST_NAME, REPORT_ENDING)
    audit = Path("/audits/Child Protection 2026.xlsx")
    for written in (default_report_path(audit, "board"), default_report_path(audit, "internal"),
                    default_pack_path(audit), audit.parent / "feedback" / "Learning_Police.docx"):
        kind, found, status = classify(str(written))
        assert (status, found.code if found else None) == ("skipped", "xlpack-file"), written


@pytest.mark.slow
def test_the_demo_folder_with_drafts_feedback_and_extract_reads_as_its_returns(tmp_path: Path) -> None:
    """Issue 18, item 8: everything xlpack wrote there, and the extract the sample was drawn from, is skipped with
    its own reason; the analysis is what consolidating returns/ gave (no duplicate flag, no Skipped rows)."""
    from xlpack.demo.run import run_demo

    demo = run_demo(tmp_path / "demo")
    folder = demo.folder
    assert list(folder.glob("drafts/* rejected/*.eml")) and (folder / "feedback" / "feedback index.xlsx").exists()
    extract = next(folder.glob("*.csv"))
    expected = _analysis(demo.audit)
    result = consolidate(demo.audit, [folder], today=TODAY)
    assert _analysis(demo.audit) == expected
    assert result.exit_code == 3  # the returned form with 'Good to adequate' and last year's form, as before
    by_path = {f.path: f for f in result.files}
    mine = {p: (f.status, codes(f)) for p, f in by_path.items() if not p.startswith(str(folder / "returns"))}
    assert {s for s, _ in mine.values()} == {"skipped"}, {p: s for p, s in mine.items() if s[0] != "skipped"}
    assert mine[str(extract)] == ("skipped", ["sample-extract"])
    assert all(mine[str(p)] == ("skipped", ["xlpack-file"]) for p in folder.glob("drafts/*/recipients.csv"))
    assert all(mine[str(p)] == ("skipped", ["unsent-draft"]) for p in folder.glob("drafts/*/*.eml"))
    assert all(mine[str(p)] == ("skipped", ["xlpack-file"]) for p in (folder / "feedback").iterdir())
    assert not any(".eml/" in p for p in by_path if p.startswith(str(folder / "drafts")))  # no draft was opened
