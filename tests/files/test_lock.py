"""xlpack's own lock beside a workbook: who holds it, when it is stale, and what it cleans up (issue 10, 2 and 7)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.support.processes import need_proc
from xlpack.errors import WorkbookBusyError
from xlpack.files.lock import lock_path, workbook_lock
from xlpack.files.workbooks import own_temporaries


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Audit 2026.xlsx"
    path.write_bytes(b"PK\x05\x06" + b"\0" * 18)  # an empty zip: the lock does not read the workbook
    return path


def test_the_lock_names_its_holder_and_goes_when_done(workbook: Path) -> None:
    with workbook_lock(workbook, "consolidate") as held:
        record = json.loads(lock_path(workbook).read_text())
        assert (record["pid"], record["command"]) == (os.getpid(), "consolidate")
        assert held.seen is not None and held.seen.size == workbook.stat().st_size
        busy = rf"in use by xlpack consolidate \(process {os.getpid()}, started "
        with pytest.raises(WorkbookBusyError, match=busy), workbook_lock(workbook, "generate"):
            pass
    assert not lock_path(workbook).exists()
    with pytest.raises(RuntimeError), workbook_lock(workbook, "generate"):
        raise RuntimeError("a failure inside the run")
    assert not lock_path(workbook).exists()  # released whatever happened


def test_a_reused_process_id_does_not_hold_the_lock(workbook: Path) -> None:
    need_proc()
    lock_path(workbook).write_text(json.dumps({"pid": os.getpid(), "command": "consolidate",
                                               "started": "2026-01-01T00:00:00", "host": os.uname().nodename,
                                               "process_start": 1}))  # this pid, but a process started long before
    with workbook_lock(workbook, "generate"):
        assert json.loads(lock_path(workbook).read_text())["command"] == "generate"


def test_an_unreadable_lock_is_held_while_new_and_stale_once_old(workbook: Path) -> None:
    lock = lock_path(workbook)
    lock.write_bytes(b"")  # created, not yet written, by a command starting this instant
    with pytest.raises(WorkbookBusyError, match="another xlpack command"), workbook_lock(workbook, "generate"):
        pass
    old = time.time() - 60
    os.utime(lock, (old, old))
    with workbook_lock(workbook, "generate"):
        pass
    assert not lock.exists()


def test_temporary_files_a_killed_run_left_are_removed(workbook: Path) -> None:
    folder, backups = workbook.parent, workbook.parent / "backups"
    backups.mkdir()
    owned = [folder / ".Audit 2026.k2j4h1qz.tmp.xlsx", folder / ".Audit 2026.k2j4h1qz.staged.tmp.xlsx",
             folder / ".Audit 2026.k2j4h1qz.staged.stream.tmp.xlsx",  # and as older versions named them:
             folder / ".Audit 2026.k2j4h1qz.tmp.xlsx.staged.xlsx",
             folder / ".Audit 2026.k2j4h1qz.tmp.xlsx.staged.xlsx.stream.xlsx",
             folder / "..Audit 2026.k2j4h1qz.tmp.xlsx.staged.abc123.tmp.xlsx",
             backups / ".Audit 2026 2026-12-07 101500.xlsx.partial.tmp.xlsx"]
    others = [folder / ".Other.k2j4h1qz.tmp.xlsx", folder / "Audit 2026.tmp.xlsx", folder / ".Audit 2026.xlsx",
              backups / "Audit 2026 2026-12-07 101500.xlsx", folder / "returned.xlsx"]
    for p in owned + others:
        p.write_bytes(b"x")
    assert own_temporaries(workbook) == sorted(owned)
    with workbook_lock(workbook, "consolidate"):
        assert [p for p in owned if p.exists()] == []
    assert all(p.exists() for p in others)


def test_sigterm_ends_the_run_through_its_cleanup(workbook: Path) -> None:
    with pytest.raises(SystemExit) as stopped, workbook_lock(workbook, "consolidate"):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the signal arrives before this ends
    assert stopped.value.code == 128 + signal.SIGTERM
    assert not lock_path(workbook).exists()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
