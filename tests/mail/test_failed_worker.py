"""A draft that cannot be written in a worker (a full disk, a folder gone) ends the run at once, with no traceback.

The drafts of a large batch are written by worker processes. When one of
them fails, the pool is stopped and its workers are killed; the queue that
fed them their jobs (each carrying its attachments) must not keep the
command waiting at exit for workers that are gone, and the pool's own
thread must not print a traceback about the jobs it dropped.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent("""
    import sys
    from datetime import datetime, UTC
    from pathlib import Path
    from xlpack.mail.attachments import Attachment
    from xlpack.mail.drafts import DraftJob, write_drafts

    out = Path(sys.argv[1])
    blob = bytes(range(256)) * 1200  # about 300 KB a job: the jobs fill the pipe to the workers
    jobs = [DraftJob(path=(out / "gone" if i == 3 else out) / f"draft {i}.eml", sender=("Pat", "pat@example.org"),
                     to=("Sam", "sam@example.org"), subject="Subject", body="Body",
                     attachments=(Attachment(f"form {i}.xlsx", blob),), when=datetime(2026, 12, 7, tzinfo=UTC))
            for i in range(120)]
    try:
        write_drafts(jobs, workers=2)
    except OSError as exc:
        print("failed:", type(exc).__name__)
""")


def test_a_failed_draft_in_a_worker_ends_the_run_without_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          timeout=60, cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "failed: FileNotFoundError", (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "InvalidStateError" not in done.stderr, done.stderr
    assert done.returncode == 0
