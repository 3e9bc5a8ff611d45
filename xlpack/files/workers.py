"""Processes that end with the command: reading and writing workers never outlive it.

Batches are read (intake) and forms written (generate) by worker processes.
If the main process is killed, a worker must not carry on or hang for ever
on a pipe nobody reads: :func:`end_with_parent`, run in each worker as it
starts, asks Linux to kill it when its parent dies (``PR_SET_PDEATHSIG``)
and starts a watchdog thread that ends it once its parent has gone (the
same on every system). :func:`stop_pool` ends a pool's workers at once when
the command stops early. :func:`sigterm_as_exit` makes SIGTERM end the
main process through its ``finally`` blocks (temporary files removed, the
lock released) instead of on the spot.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from types import FrameType

PR_SET_PDEATHSIG = 1
WATCH_EVERY = 0.5  # seconds between the watchdog's looks at the parent
TERMINATED = 128 + signal.SIGTERM  # the exit status of a command ended by SIGTERM


def end_with_parent(parent: int) -> None:
    """In a worker: end this process when ``parent`` (the process that started it) dies."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited through fork
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the worker got this far
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="xlpack-parent-watch", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os._exit(1)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """End a pool's workers now, dropping the work not yet done (the command is stopping)."""
    processes = list(getattr(pool, "_processes", None) or {})  # the pool keeps its workers by pid
    pool.shutdown(wait=False, cancel_futures=True)
    queue = getattr(pool, "_call_queue", None)
    if queue is not None:  # its feeder thread would wait at exit for ever to hand jobs to workers killed below
        queue.cancel_join_thread()
    pending = getattr(pool, "_pending_work_items", None)
    if isinstance(pending, dict):  # cancelled jobs: the pool's thread would fail (a traceback) marking them broken
        for key, item in list(pending.items()):
            if item.future.cancelled():
                pending.pop(key, None)
    for pid in processes:
        with suppress(OSError):
            os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))  # no SIGKILL on Windows: terminated there
    # A worker killed while sending its result leaves half a message in the results pipe, and the pool's thread
    # reading it would wait for the rest for ever (and so would this process at exit, which joins that thread).
    # With this process's end of the pipe closed too, once the workers are gone it reads end-of-file instead and
    # ends, the pool marked broken.
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    if writer is not None:
        with suppress(OSError):
            writer.close()


@contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """While the block runs in the main thread, SIGTERM raises SystemExit instead of ending the process at once.

    A handler set by the program itself is left alone.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) not in (
            signal.SIG_DFL, None):
        yield
        return
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:  # once: the cleanup that follows is not interrupted again
            stopping = True
            raise SystemExit(TERMINATED)

    signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
