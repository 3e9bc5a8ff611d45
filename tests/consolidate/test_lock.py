"""The workbook cannot change under a running command (issue 10, points 2 and 5).

consolidate and generate hold xlpack's own lock beside the workbook for
their whole run: a second command on the same workbook refuses at once,
naming the running one. A save into the workbook while a command runs
wins: the command refuses before replacing it. A symbolic link is
followed: the real file is replaced and the link kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import xlpack.consolidate
import xlpack.workbook.write
from tests.support.safety import TODAY, Audit, Before, audit, built, listing  # noqa: F401  (fixtures)
from tests.support.sheet_xml import put_cell
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import WorkbookBusyError, WorkbookChangedError
from xlpack.files.lock import lock_path
from xlpack.generate import generate_forms
from xlpack.workbook.sheets.common import GRADE_COLUMNS


def during_intake(monkeypatch: pytest.MonkeyPatch, action: Callable[[], Any]) -> list[Any]:
    """Run ``action`` in the middle of consolidate, once the returns are read; returns what it gave or raised."""
    real = xlpack.consolidate.intake
    outcome: list[Any] = []

    def intake(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        try:
            outcome.append(action())
        except Exception as exc:  # noqa: BLE001 - the test looks at what was raised
            outcome.append(exc)
        return result

    monkeypatch.setattr(xlpack.consolidate, "intake", intake)
    return outcome


def coordinator_saves(audit: Path) -> bytes:
    """What Excel's save of a moderation note typed while consolidate runs leaves on disk; returns the bytes."""
    note_col = chr(ord("A") + next(i for i, (f, _, _) in enumerate(GRADE_COLUMNS) if f == "moderation_note"))
    put_cell(audit, "Grades", f'<c r="{note_col}5" t="inlineStr"><is><t>Typed during the run</t></is></c>')
    return audit.read_bytes()


def test_a_save_while_consolidate_reads_wins(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    files = listing(audit.audit.parent)
    saved = during_intake(monkeypatch, lambda: coordinator_saves(audit.audit))
    with pytest.raises(WorkbookChangedError, match="was saved by another program") as err:
        consolidate(audit.audit, [audit.returns], today=TODAY)
    assert "no backup was made" in str(err.value)
    assert audit.audit.read_bytes() == saved[0]  # the coordinator's save, as saved
    assert listing(audit.audit.parent).keys() == files.keys()  # no backup, no temporary file, no lock left


def test_a_save_just_before_the_swap_wins(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saved while the new workbook is being written (after everything was read): still refused."""
    real = xlpack.workbook.write.stream_rows
    saved: list[bytes] = []

    def stream_rows(*args: Any, **kwargs: Any) -> None:
        real(*args, **kwargs)
        saved.append(coordinator_saves(audit.audit))

    monkeypatch.setattr(xlpack.workbook.write, "stream_rows", stream_rows)
    files = listing(audit.audit.parent)
    with pytest.raises(WorkbookChangedError):
        consolidate(audit.audit, [audit.returns], today=TODAY)
    assert audit.audit.read_bytes() == saved[0]
    assert listing(audit.audit.parent).keys() == files.keys()


def test_a_second_consolidate_refuses_at_once_naming_the_first(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    second = during_intake(monkeypatch, lambda: consolidate(audit.audit, [audit.returns], today=TODAY))
    first = consolidate(audit.audit, [audit.returns], today=TODAY)
    assert isinstance(second[0], WorkbookBusyError)
    message = str(second[0])
    assert f"is in use by xlpack consolidate (process {os.getpid()}, started " in message
    assert str(lock_path(audit.audit)) in message
    assert first.backup is not None and not lock_path(audit.audit).exists()


def test_generate_during_consolidate_refuses_and_the_consolidation_stands(
        audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    forms = listing(audit.forms)
    during = during_intake(monkeypatch, lambda: generate_forms(audit.audit, workers=1, today=TODAY))
    done = consolidate(audit.audit, [audit.returns], today=TODAY)
    assert isinstance(during[0], WorkbookBusyError) and "xlpack consolidate (process" in str(during[0])
    assert read_consolidated(audit.audit).grades == done.data.grades  # not overwritten by generate
    assert listing(audit.forms) == forms


def test_consolidate_during_generate_refuses(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlpack.generate

    real = xlpack.generate.run_jobs
    during: list[Any] = []

    def run_jobs(*args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        try:
            consolidate(audit.audit, [audit.returns], today=TODAY)
        except WorkbookBusyError as exc:
            during.append(exc)
        return real(*args, **kwargs)

    monkeypatch.setattr(xlpack.generate, "run_jobs", run_jobs)
    generate_forms(audit.audit, workers=1, today=TODAY, reissue=[read_consolidated(audit.audit).plan.issued[0].file])
    assert len(during) == 1 and "is in use by xlpack generate (process" in str(during[0])


def test_a_lock_held_by_a_running_process_refuses(audit: Audit) -> None:
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        lock = lock_path(audit.audit)
        lock.write_text(json.dumps({"pid": holder.pid, "command": "generate", "started": "2026-12-07T09:30:00",
                                    "host": os.uname().nodename}))
        before = Before.of(audit.audit)
        with pytest.raises(WorkbookBusyError) as err:
            consolidate(audit.audit, [audit.returns], today=TODAY)
        assert (f"is in use by xlpack generate (process {holder.pid}, started 2026-12-07 09:30:00). Wait for it to "
                "finish") in str(err.value)
        before.assert_untouched()
    finally:
        holder.kill()
        holder.wait()


def test_a_stale_lock_of_a_dead_process_is_taken_over(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lock = lock_path(audit.audit)
    lock.write_text(json.dumps({"pid": int(dead.stdout), "command": "consolidate", "started": "2026-12-01T10:00:00",
                                "host": os.uname().nodename}))
    held = during_intake(monkeypatch, lambda: json.loads(lock.read_text()))
    result = consolidate(audit.audit, [audit.returns], today=TODAY)
    assert held[0]["pid"] == os.getpid() and held[0]["command"] == "consolidate"
    assert result.backup is not None and not lock.exists()


def test_a_symbolic_link_is_followed_and_kept(audit: Audit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    real = elsewhere / "audit.xlsx"
    os.replace(audit.audit, real)
    link = audit.audit
    link.symlink_to(real)
    old = real.read_bytes()
    locked = during_intake(monkeypatch, lambda: lock_path(link).exists() and lock_path(link).parent == elsewhere)
    result = consolidate(link, [audit.returns], today=TODAY)
    assert link.is_symlink() and Path(os.readlink(link)) == real
    assert real.read_bytes() != old and read_consolidated(real).consolidated_at == result.data.consolidated_at
    assert result.backup is not None and result.backup.parent == elsewhere / "backups"
    assert result.backup.read_bytes() == old
    assert locked == [True]  # the lock sits beside the real file


def test_a_save_while_generate_runs_wins_and_its_new_forms_go(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlpack.generate

    plan = read_plan(audit.audit)
    row = 5 + len(plan.assignments)  # a new assignment: one new form to issue
    for col, text in zip("ABC", (plan.cases[0].case_ref, "Housing", "Kim Latecomer")):
        put_cell(audit.audit, "Assignments", f'<c r="{col}{row}" t="inlineStr"><is><t>{text}</t></is></c>')
    forms = listing(audit.forms)
    real = xlpack.generate.run_jobs
    saved: list[bytes] = []

    def run_jobs(*args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        out = real(*args, **kwargs)
        assert len(listing(audit.forms)) == len(forms) + 1  # the new form is written
        saved.append(coordinator_saves(audit.audit))
        return out

    monkeypatch.setattr(xlpack.generate, "run_jobs", run_jobs)
    with pytest.raises(WorkbookChangedError):
        generate_forms(audit.audit, workers=1, today=TODAY)
    assert audit.audit.read_bytes() == saved[0]
    assert listing(audit.forms) == forms  # the form it issued is removed: never recorded, never to be sent


def test_mail_and_sample_refuse_during_consolidate(audit: Audit, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """Every command that rewrites the workbook takes the lock: drafting emails and drawing cases too."""
    from xlpack.mail.run import draft_mail
    from xlpack.sample.sampling import draw_sample

    extract = tmp_path / "extract.csv"
    extract.write_text("Case reference\nCP-1\n")
    during = during_intake(monkeypatch, lambda: [
        _raised(lambda: draft_mail(audit.audit, "reminder", today=TODAY)),
        _raised(lambda: draw_sample(extract, audit.audit, 1, seed=1))])
    consolidate(audit.audit, [audit.returns], today=TODAY)
    assert all(isinstance(e, WorkbookBusyError) and "in use by xlpack consolidate" in str(e) for e in during[0])


def _raised(action: Callable[[], Any]) -> BaseException | None:
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - the test looks at what was raised
        return exc
    return None
