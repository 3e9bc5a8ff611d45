"""compare and feedback write their outputs whole: a killed run leaves neither half of a set, and the next run
sweeps what it left (issue 18, item 14).

Each command runs in a process of its own, paused by a wrapper the test
installs (not by xlpack) while its files are being written, then SIGKILL
or SIGTERM. Afterwards no output is in place; after SIGTERM no hidden
temporary file or folder is left either; after SIGKILL the next run (with
no --force) writes the whole set and removes what the killed one left.
feedback on a full disk leaves no folder, so the next run needs no --force.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.cycle_scenario import Built
from tests.support.mounts import tmpfs
from xlpack.compare.files import write_compare
from xlpack.feedback.build import write_feedback

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

RUN = textwrap.dedent("""
    import sys, time
    from pathlib import Path

    what, baseline, reaudit, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])

    def pause():
        print("PAUSED", flush=True)
        time.sleep(120)

    if what == "compare":
        import xlpack.compare.files as files
        import xlpack.compare.workbook as workbook
        real = workbook.workbook_writer
        def writer(c):
            write = real(c)
            def paused(path):
                write(path)
                pause()  # the workbook written under its temporary name, not yet in place
            return paused
        workbook.workbook_writer = writer
        if hasattr(files, "workbook_writer"):
            files.workbook_writer = writer
        files.write_compare(baseline, reaudit, out, docx=out.with_suffix(".docx"))
    else:
        import xlpack.feedback.build as build
        real = build.feedback_bytes
        calls = []
        def counted(*args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                pause()  # two documents written, the third not
            return real(*args, **kwargs)
        build.feedback_bytes = counted
        build.write_feedback(reaudit, out)
    print("DONE", flush=True)
""")


def hidden(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob(".*"))


def killed(what: str, baseline: Built, reaudit: Path, out: Path, sig: signal.Signals) -> int:
    proc = subprocess.Popen([sys.executable, "-c", RUN, what, str(baseline.audit), str(reaudit), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == "PAUSED", (line, proc.stderr.read() if proc.stderr else "")
        proc.send_signal(sig)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    return proc.returncode


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_compare_leaves_no_half_set(baseline: Built, reaudit: Built, tmp_path: Path,
                                            sig: signal.Signals) -> None:
    out = tmp_path / "comparison.xlsx"
    code = killed("compare", baseline, reaudit.audit, out, sig)
    assert not out.exists() and not out.with_suffix(".docx").exists()
    if sig == signal.SIGTERM:
        assert code == 128 + signal.SIGTERM
        assert hidden(tmp_path) == []
    result = write_compare(baseline.audit, reaudit.audit, out, docx=out.with_suffix(".docx"))
    assert result.workbook.is_file() and result.docx is not None and result.docx.is_file()
    assert hidden(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_killing_feedback_leaves_no_partial_folder(reaudit: Built, baseline: Built, tmp_path: Path,
                                                   sig: signal.Signals) -> None:
    out = tmp_path / "feedback"
    killed("feedback", baseline, reaudit.audit, out, sig)
    assert not out.exists()
    if sig == signal.SIGTERM:
        assert hidden(tmp_path) == []
    result = write_feedback(reaudit.audit, out)  # no --force needed: nothing of the killed run is in the way
    assert result.index.is_file() and all(p.is_file() for _, p in result.documents)
    assert hidden(tmp_path) == []


def test_feedback_on_a_full_disk_leaves_nothing(reaudit: Built, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "64k") as disk:
        res = run_cli("feedback", reaudit.audit, "--out", disk / "feedback")
        assert res.exit_code == 1 and "Traceback" not in res.output, res.output
        assert f"The disk holding {disk}" in " ".join(res.stderr.split()) and "is full" in res.stderr
        assert sorted(os.listdir(disk)) == []
