"""Worker processes end when the command that started them is killed (issue 10, point 7).

A "command" process forks a worker that runs :func:`end_with_parent`, as
the intake and generate pools do, then waits; the test kills the command
with SIGKILL and checks the worker is gone: through Linux's parent-death
signal, and through the watchdog alone (the other systems' way).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.processes import need_proc, running, still_running

ROOT = Path(__file__).resolve().parents[2]

COMMAND = textwrap.dedent("""
    import ctypes, os, sys, time
    if sys.argv[1] == "watchdog":  # as on a system without prctl
        def no_prctl(*args, **kwargs):
            raise OSError("no prctl here")
        ctypes.CDLL = no_prctl
    from xlpack.files.workers import end_with_parent
    parent = os.getpid()
    child = os.fork()
    if child == 0:
        end_with_parent(parent)
        time.sleep(120)  # a worker blocked for ever, as on a pipe nobody reads
        os._exit(0)
    print(child, flush=True)
    time.sleep(120)
""")


@pytest.mark.parametrize("how", ["prctl", "watchdog"])
def test_a_worker_ends_when_its_command_is_killed(how: str) -> None:
    need_proc()
    command = subprocess.Popen([sys.executable, "-c", COMMAND, how], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    worker = 0
    try:
        assert command.stdout is not None
        worker = int(command.stdout.readline())
        assert running(worker)
        command.send_signal(signal.SIGKILL)
        command.wait()
        assert still_running([worker], timeout=5.0) == set()
    finally:
        command.kill()
        command.wait()
        if worker and running(worker):
            os.kill(worker, signal.SIGKILL)
