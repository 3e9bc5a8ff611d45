"""Killing the main process at any phase leaves no worker, no stray file, and the workbook old or new (issue 10, 7).

consolidate runs in a process of its own over more than a hundred returned
files (so they are read by worker processes), paused at a phase by a
wrapper the test installs (not by xlpack itself), then killed with SIGKILL
or SIGTERM. Then: its workers are gone; the workbook is the old one (or,
once replaced, the new one) and opens; after SIGTERM no temporary file, lock
or unverified backup is left; after SIGKILL the next run takes the stale lock
over and removes what the killed run left. While it is paused, a second
consolidate and a generate on the same workbook refuse, naming it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import zipfile
from contextlib import suppress
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.processes import children, need_proc, still_running
from tests.support.safety import (
    TODAY,
    Audit,
    audit,  # noqa: F401  (fixtures)
    build_consolidated,
    listing,
)
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.files.lock import lock_path
from xlpack.files.workbooks import own_temporaries

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
COPIES = 7  # each returned form saved 8 times in all: 100 files or more, read by worker processes

RUN = textwrap.dedent("""
    import faulthandler, signal, sys, time
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # where it is, if it does not end (see ended())
    from datetime import date
    from pathlib import Path

    phase, what, audit, returns = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])

    def pause(name):
        if name == phase:
            print("PHASE", name, flush=True)
            time.sleep(120)

    def after(module, name, label):
        real = getattr(module, name, None)
        if real is None:
            return  # a version of xlpack without this step
        def wrapped(*args, **kwargs):
            result = real(*args, **kwargs)
            pause(label)
            return result
        setattr(module, name, wrapped)

    import xlpack.files.workbooks as files
    import xlpack.workbook.write as write
    after(write, "stream_rows", "writing")  # the new workbook half written beside the old
    after(files, "make_backup", "backup")  # the backup made, the workbook not yet replaced
    after(files, "_swap", "replaced")  # the new workbook in place, the lock still held

    def progress(done, total):
        if done == 10:
            pause("reading")  # the workers are reading the rest

    if what == "generate":
        from xlpack.generate import generate_forms
        from xlpack.coordinator.plan_sheets import read_plan
        cases = [c.case_ref for c in read_plan(audit).cases]
        generate_forms(audit, reissue=cases, workers=2, progress=lambda n: progress(10, 0))
    else:
        from xlpack.consolidate import consolidate
        consolidate(audit, [returns], today=date(2026, 12, 7), progress=progress)
    print("DONE", flush=True)
""")


@pytest.fixture(scope="module")
def built(sample_forms: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Audit:
    audit = build_consolidated(tmp_path_factory.mktemp("kills"), sample_forms)
    originals = sorted(audit.returns.iterdir())
    for n in range(COPIES):
        copies = audit.returns / f"forwarded {n}"
        copies.mkdir()
        for path in originals:
            shutil.copy2(path, copies / path.name)
    assert len(list(audit.returns.rglob("*.xlsx"))) >= 100
    return audit


def start(audit: Audit, phase: str, what: str = "consolidate") -> subprocess.Popen[str]:
    """The command, running in a process of its own, once it has reached ``phase`` (and waits there)."""
    proc = subprocess.Popen([sys.executable, "-c", RUN, phase, what, str(audit.audit), str(audit.returns)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != f"PHASE {phase}":
        proc.kill()
        pytest.fail(f"the command did not reach {phase}: {line!r} {proc.communicate()[1][-3000:]}")
    return proc


def ended(proc: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait for the signalled command to end; if it does not, fail with every thread's stack (faulthandler)."""
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGUSR1)
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=3)
        proc.kill()
        pytest.fail(f"the command did not end within {timeout} s of the signal:\n{proc.communicate()[1][-6000:]}")


def end(proc: subprocess.Popen[str], workers: set[int]) -> None:
    """Whatever the test found, leave no process of its own behind."""
    proc.kill()
    proc.wait()
    for pid in still_running(workers, timeout=0):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def opens(audit: Path) -> None:
    with zipfile.ZipFile(audit) as z:
        assert z.testzip() is None
    assert read_consolidated(audit).grades


def leftovers(audit: Path) -> list[str]:
    """xlpack's own files a run may leave beside the workbook: temporary copies, partial backups, its lock."""
    found = [p.name for p in own_temporaries(audit)]
    return found + ([lock_path(audit).name] if lock_path(audit).exists() else [])


@pytest.mark.parametrize("phase", ["reading", "writing", "backup", "replaced"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_consolidate(audit: Audit, phase: str, sig: signal.Signals) -> None:
    need_proc()
    old = audit.audit.read_bytes()
    backups = listing(audit.backups)
    proc = start(audit, phase)
    workers = children(proc.pid)
    try:
        assert bool(workers) == (phase == "reading")  # the pool is gone once the returns are read
        proc.send_signal(sig)
        ended(proc)
        assert still_running(workers) == set(), "reading workers outlived the command"
    finally:
        end(proc, workers)
    replaced = audit.audit.read_bytes() != old
    assert replaced == (phase == "replaced")
    opens(audit.audit)
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        assert leftovers(audit.audit) == []
        assert len(listing(audit.backups)) == len(backups) + (phase == "replaced")  # no backup unless replaced
        return
    assert lock_path(audit.audit).exists()  # SIGKILL leaves the lock (and maybe temporary files): the next run
    again = consolidate(audit.audit, [audit.returns], today=TODAY)  # takes the stale lock over and cleans up
    assert again.backup is not None and leftovers(audit.audit) == []
    opens(audit.audit)


def test_killing_generate_ends_its_workers(audit: Audit) -> None:
    need_proc()
    old = audit.audit.read_bytes()
    proc = start(audit, "reading", "generate")
    workers = children(proc.pid)
    try:
        assert workers
        proc.send_signal(signal.SIGKILL)
        ended(proc)
        assert still_running(workers) == set(), "form-writing workers outlived the command"
    finally:
        end(proc, workers)
    assert audit.audit.read_bytes() == old


def test_commands_on_a_workbook_in_use_refuse_naming_the_running_one(audit: Audit) -> None:
    proc = start(audit, "reading")
    try:
        before = audit.audit.read_bytes()
        for args in (["consolidate", str(audit.audit), str(audit.returns)], ["generate", str(audit.audit)]):
            result = run_cli(*args, columns=300)
            assert result.exit_code == 1 and type(result.exception) is SystemExit, result.output
            message = " ".join(result.stderr.split())
            assert f"is in use by xlpack consolidate (process {proc.pid}, started " in message
        assert audit.audit.read_bytes() == before
        proc.send_signal(signal.SIGTERM)
        ended(proc)
    finally:
        end(proc, children(proc.pid))
    assert leftovers(audit.audit) == []
