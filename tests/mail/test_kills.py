"""A killed or interrupted ``mail`` never records a draft that is not there, nor leaves one unrecorded (issue 18,
items 2 and 10).

``mail`` runs in a process of its own, paused by a wrapper the test installs
(not by xlpack) once the drafts are in place ("placed") or once the workbook
has recorded them ("recorded"), then SIGTERM or SIGKILL. Afterwards, read
with openpyxl and the file system: every draft the Mail log lists is a file
in a drafts folder, and every draft file is listed; after SIGKILL the next
run sweeps what the killed one left (no hidden ``.xlpack-drafts-*`` folder
stays) and every form ends up drafted exactly once. Drafting workers end
with their parent, even after SIGKILL.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from contextlib import suppress
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from tests.support.mail_reading import table
from tests.support.processes import children, need_proc, still_running
from xlpack.files.workbooks import own_temporaries
from xlpack.mail import draft_mail
from xlpack.mail.attachments import Attachment
from xlpack.mail.drafts import PARALLEL_FROM, DraftJob

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

RUN = textwrap.dedent("""
    import sys, time
    from pathlib import Path

    phase, audit, again = sys.argv[1], Path(sys.argv[2]), len(sys.argv) > 3

    def after(module, name, label):
        real = getattr(module, name, None)
        if real is None:
            return  # a version of xlpack without this step
        def wrapped(*args, **kwargs):
            result = real(*args, **kwargs)
            if label == phase:
                print("PHASE", label, flush=True)
                time.sleep(120)
            return result
        setattr(module, name, wrapped)

    import xlpack.mail.run as run
    after(run, "place", "placed")  # the drafts in their folder, the workbook not yet written
    after(run, "write_checked", "recorded")  # the workbook records them; the run not yet finished
    after(run, "write_plan_sheets", "recorded")  # the same, since mail replaces only its sheets (issue 19)
    import xlpack.workbook.parts as parts
    after(parts, "replace_members", "spliced")  # the new workbook written beside the old, not yet swapped
    from xlpack.mail import draft_mail
    draft_mail(audit, "issue", again=again)
    print("DONE", flush=True)
""")


def stop(proc: subprocess.Popen[str], sig: signal.Signals) -> None:
    """Send ``sig`` to the run waiting at its phase and wait for it to end (killed for good either way)."""
    try:
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait()


def start(audit: Path, phase: str, *again: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", RUN, phase, str(audit), *again], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != f"PHASE {phase}":
        proc.kill()
        pytest.fail(f"mail did not reach {phase}: {line!r} {proc.communicate()[1][-3000:]}")
    return proc


def logged(audit: Path) -> set[str]:
    """Draft file names the Mail log lists (one row per form), read with openpyxl."""
    wb = openpyxl.load_workbook(audit, read_only=True)
    try:
        has_log = "Mail log" in wb.sheetnames
    finally:
        wb.close()
    return {r["Draft"] for r in table(audit, "Mail log", "Drafted") if r.get("Draft")} if has_log else set()


def on_disk(audit: Path) -> list[Path]:
    return sorted((audit.parent / "drafts").rglob("*.eml")) if (audit.parent / "drafts").exists() else []


def hidden(audit: Path) -> list[str]:
    drafts = audit.parent / "drafts"
    return sorted(p.name for p in drafts.rglob(".*")) if drafts.exists() else []


def consistent(audit: Path) -> None:
    """The Mail log lists exactly the drafts that are in place, and nothing of xlpack's own is left."""
    listed = logged(audit)
    placed = {p.name for p in on_disk(audit) if not any(part.startswith(".") for part in p.parts[-3:-1])}
    assert listed == placed, f"listed but not there: {listed - placed}; there but not listed: {placed - listed}"


@pytest.mark.parametrize("phase", ["placed", "recorded"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_mail(sample_copy: tuple[Path, Path], phase: str, sig: signal.Signals) -> None:
    audit, _ = sample_copy
    forms = {r["File"] for r in table(audit, "Issued forms", "File")}
    proc = start(audit, phase)
    stop(proc, sig)
    if sig == signal.SIGTERM:
        assert proc.returncode == 128 + signal.SIGTERM
        consistent(audit)
        assert hidden(audit) == []
        assert bool(on_disk(audit)) == (phase == "recorded")  # recorded: kept; not yet recorded: removed
    again = draft_mail(audit, "issue")  # after SIGKILL: sweeps what the killed run left
    consistent(audit)
    assert hidden(audit) == []
    drafted = Counter(f for r in table(audit, "Mail log", "Drafted") for f in [r["Attached"]])
    assert set(drafted) == forms and set(drafted.values()) == {1}, "every form drafted exactly once"
    assert bool(again.drafts) == (phase == "placed" or sig == signal.SIGTERM and phase != "recorded")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killed_while_replacing_the_mail_log(sample_copy: tuple[Path, Path], sig: signal.Signals) -> None:
    """Killed with the new workbook written beside the old (only the Mail log replaced): the old one stays."""
    audit, _ = sample_copy
    first = draft_mail(audit, "issue")  # the Mail log is there: the next run replaces only its sheet
    before = audit.read_bytes()
    proc = start(audit, "spliced", "again")
    stop(proc, sig)
    assert audit.read_bytes() == before
    if sig == signal.SIGTERM:
        assert own_temporaries(audit) == [] and hidden(audit) == []
    consistent(audit)  # the drafts of the killed run are removed (at once, or by the next run)
    again = draft_mail(audit, "issue", again=True)
    consistent(audit)
    assert own_temporaries(audit) == [] and hidden(audit) == []
    drafted = Counter(r["Attached"] for r in table(audit, "Mail log", "Drafted"))
    assert set(drafted.values()) == {2} and len(drafted) == sum(len(d.form_ids) for d in first.drafts)
    assert sum(len(d.form_ids) for d in again.drafts) == len(drafted)


def test_a_stranded_staging_folder_of_an_earlier_version_is_swept(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    stranded = audit.parent / "drafts" / ".xlpack-drafts-k2j4x9_q"
    stranded.mkdir(parents=True)
    (stranded / "Issue - Someone.eml").write_bytes(b"X-Unsent: 1\r\n\r\nold")
    draft_mail(audit, "issue")
    assert not stranded.exists()
    consistent(audit)


def test_drafting_workers_end_with_their_parent(tmp_path: Path) -> None:
    """Each job writes into a pipe nobody reads, so the workers block; the parent is then killed."""
    need_proc()
    pipes = []
    for n in range(PARALLEL_FROM + 4):
        pipe = tmp_path / f"draft {n}.eml"
        os.mkfifo(pipe)
        pipes.append(pipe)
    code = textwrap.dedent("""
        import pickle, sys
        from xlpack.mail.drafts import write_drafts
        jobs = pickle.loads(bytes.fromhex(sys.argv[1]))
        print("START", flush=True)
        write_drafts(jobs, workers=2)
    """)
    jobs = [DraftJob(p, ("Coordinator", "c@example.org"), ("Auditor", "a@example.org"), "Subject", "Body",
                     (Attachment("form.xlsx", b"PK"),), datetime(2026, 11, 16, 9)) for p in pipes]
    proc = subprocess.Popen([sys.executable, "-c", code, pickle.dumps(jobs).hex()], stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    workers: set[int] = set()
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "START"
        for _ in range(100):
            workers = children(proc.pid)
            if len(workers) >= 2:
                break
            time.sleep(0.1)
        assert len(workers) >= 2, "the drafts were not written by worker processes"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert still_running(workers) == set(), "drafting workers outlived the command"
    finally:
        proc.kill()
        proc.wait()
        for pid in still_running(workers, timeout=0):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
