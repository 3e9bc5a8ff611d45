"""Intake: every returned file accounted for, every problem named.

:func:`intake` reads any mix of files, folders, .zip archives and .eml or
.msg messages, checks each workbook against the audit it should belong
to, settles forms returned more than once, and returns an
:class:`IntakeResult`: one :class:`FileResult` per file and per container
member, and the accepted forms (:class:`~xlpack.model.records.FormReturn`) that
consolidation uses.

Duplicates: only accepted copies of a form compete; the newest by the
workbook's own save time wins, ties broken by file modification time and
then by path (the last in sort order wins). The others are *superseded*,
listed with the copy that replaced them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xlpack.files.workers import end_with_parent, stop_pool
from xlpack.intake.problems import Problem, problem
from xlpack.intake.reader import Audit, FormRead, read_form
from xlpack.intake.sources import (
    DEFAULT_LIMITS,
    Found,
    Item,
    Kind,
    Limits,
    ReadError,
    Status,
    classify,
    discover,
    unfold,
)
from xlpack.model.plan import AuditPlan
from xlpack.model.records import FormReturn

SCHEMA = "xlpack-intake/1"
STATUSES: tuple[Status, ...] = ("accepted", "accepted_with_warnings", "rejected", "skipped", "superseded")
ACCEPTED = ("accepted", "accepted_with_warnings")
Progress = Callable[[int, int], None]  # (files done, files found)
OnFile = Callable[["FileResult"], None]  # called with each file's result as it is read


@dataclass
class FileResult:
    """What happened to one input file or container member."""

    path: str  # as given; a container member as "container/member"
    kind: Kind
    status: Status
    problems: list[Problem] = field(default_factory=list)
    form_id: str | None = None
    case_ref: str | None = None
    agency: str | None = None
    auditor: str | None = None
    saved_at: datetime | None = None  # the workbook's own last-saved time
    modified: float | None = None  # the file's modification time (a member's: the zip entry's or email's date)
    size: int | None = None
    sha256: str | None = None
    form: FormReturn | None = None  # the answers, for accepted and superseded forms

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path, "kind": self.kind, "status": self.status, "form_id": self.form_id,
            "case_ref": self.case_ref, "agency": self.agency, "auditor": self.auditor,
            "saved_at": self.saved_at.isoformat() if self.saved_at else None,
            "modified": (datetime.fromtimestamp(self.modified, UTC).isoformat()
                         if self.modified is not None else None),
            "size": self.size, "sha256": self.sha256, "problems": [p.to_dict() for p in self.problems],
        }


@dataclass
class IntakeResult:
    audit_id: str
    audit: str  # how the audit is named in messages
    files: list[FileResult] = field(default_factory=list)
    accepted: list[FormReturn] = field(default_factory=list)  # one per form: the copy that counts

    @property
    def totals(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for f in self.files:
            counts[f.status] += 1
        return {"files": len(self.files), **counts, "forms": len(self.accepted)}

    @property
    def exit_code(self) -> int:
        """0 every form accepted; 3 some rejected; 1 no workbook found at all."""
        if any(f.status == "rejected" for f in self.files):
            return 3
        if not any(f.kind == "workbook" for f in self.files):
            return 1
        return 0

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, "audit_id": self.audit_id, "audit": self.audit,
                "files": [f.to_dict() for f in self.files], "totals": self.totals}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)


def intake(paths: Sequence[Path], plan: AuditPlan, *, source: str = "", password: str | None = None,
           progress: Progress | None = None, limits: Limits = DEFAULT_LIMITS, workers: int | None = None,
           on_file: OnFile | None = None) -> IntakeResult:
    """Read, check and account for every returned file under ``paths`` against the audit ``plan``.

    ``source`` names where the plan came from (the coordinator workbook's
    file name) in messages.

    ``progress(done, total)`` is called after each file found (a
    container counts as one). ``workers``: processes to read with; by
    default one per core for batches of ``PARALLEL_FROM`` files or more.
    ``on_file(result)`` is called with each :class:`FileResult` as soon as
    it is read, before duplicates are settled (consolidate uses it to make
    each form compact while the others are still being read); it may
    replace ``result.form`` with an equal form but must not drop it.
    """
    context = Audit.of(plan, source)
    found = discover([Path(p) for p in paths])
    result = IntakeResult(context.plan.audit_id, context.label)
    count = workers if workers is not None else (os.cpu_count() or 1) if len(found) >= PARALLEL_FROM else 1
    for done, results in enumerate(_read_all(found, context, password, limits, count), start=1):
        if on_file is not None:
            for r in results:
                on_file(r)
        result.files += results
        if progress is not None:
            progress(done, len(found))
    result.accepted = settle_duplicates(result.files)
    return result


PARALLEL_FROM = 100
_worker: tuple[Audit, str | None, Limits] | None = None


def _read_all(found: list[Found], context: Audit, password: str | None, limits: Limits,
              workers: int) -> Iterator[list[FileResult]]:
    """The results of each found file, in order; read by ``workers`` processes when more than one.

    If a reading process dies (a crash in a native reader, memory
    exhausted), the files it may have been reading are read again one at a
    time, each in a process of its own, so the file that kills a reader is
    reported and every other file is still read.
    """
    if workers <= 1 or len(found) < 2:
        for entry in found:
            yield read_found(entry, context, password, limits)
        return
    methods = multiprocessing.get_all_start_methods()
    mp = multiprocessing.get_context("fork" if "fork" in methods else None)
    start = 0
    while start < len(found):
        rest = found[start:]
        chunk = max(1, min(32, len(rest) // (workers * 8)))
        try:
            with _pool(workers, mp, context, password, limits) as pool:
                for results in pool.map(_read_in_worker, rest, chunksize=chunk):
                    yield results
                    start += 1
        except BrokenProcessPool:
            # Every file in flight when the process died: up to a chunk per worker.
            for entry in found[start:start + chunk * workers]:
                yield _read_isolated(entry, mp, context, password, limits)
                start += 1


@contextmanager
def _pool(workers: int, mp: Any, context: Audit, password: str | None, limits: Limits) -> Iterator[ProcessPoolExecutor]:
    """A pool of reading processes that end with this one; stopped at once if reading stops early."""
    pool = ProcessPoolExecutor(workers, mp_context=mp, initializer=_start_worker,
                               initargs=(os.getpid(), context, password, limits))
    try:
        yield pool
    except BaseException:  # stopped (SIGTERM, Ctrl-C, the caller gave up) or a worker died: no waiting for the rest
        stop_pool(pool)
        raise
    finally:
        pool.shutdown(wait=True)


def _read_isolated(entry: Found, mp: Any, context: Audit, password: str | None, limits: Limits) -> list[FileResult]:
    """Read one file in a process of its own; a crash there is reported against that file."""
    try:
        with _pool(1, mp, context, password, limits) as pool:
            return pool.submit(_read_in_worker, entry).result()
    except BrokenProcessPool:
        kind = classify(entry.path)[0]
        return [FileResult(entry.path, kind, "rejected",
                           [problem("internal-error", detail="the process reading it stopped abruptly")])]


def _start_worker(parent: int, context: Audit, password: str | None, limits: Limits) -> None:
    global _worker
    end_with_parent(parent)
    _worker = (context, password, limits)


def _read_in_worker(entry: Found) -> list[FileResult]:
    assert _worker is not None
    return read_found(entry, *_worker)


def read_found(entry: Found, context: Audit, password: str | None = None,
               limits: Limits = DEFAULT_LIMITS) -> list[FileResult]:
    """The results for one found file: itself and, for a container, each member."""
    return [process(item, context, password) for item in unfold(entry, limits)]


def process(item: Item, context: Audit, password: str | None = None) -> FileResult:
    """The result for one item: a workbook read and checked, or what was decided about it when found."""
    out = FileResult(item.path, item.kind, item.status or "rejected", list(item.problems), modified=item.mtime)
    if _is_extract(item, context):
        out.status, out.problems = "skipped", [problem("sample-extract")]
        return out
    if item.status is not None or item.load is None:
        return out
    try:
        data = item.load()
    except ReadError as exc:
        out.problems.append(exc.problem)
        return out
    out.size, out.sha256 = len(data), hashlib.sha256(data).hexdigest()
    if out.sha256 == context.extract:
        out.status = "skipped"
        out.problems.append(problem("sample-extract"))
        return out
    blank = context.blanks.get(out.sha256)
    if blank is not None:  # a form exactly as issued: not a return
        out.status = "skipped"
        out.form_id, out.case_ref, out.agency, out.auditor = blank.form_id, blank.case_ref, blank.agency, blank.auditor
        out.problems.append(problem("issued-blank"))
        return out
    try:
        read = read_form(data, item.path, context, password)
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch: the file is reported, not dropped
        out.problems.append(problem("internal-error", detail=f"{type(exc).__name__}: {exc}"))
        return out
    if item.name.lower().endswith(".xls") and data[:2] == b"PK":
        out.problems.append(problem("wrong-extension", name=item.name))
    _take(out, read)
    return out


def _is_extract(item: Item, context: Audit) -> bool:
    """The case extract the sample was drawn from (a .csv or .xlsx), by its SHA-256 on the Sample sheet."""
    if not context.extract or item.load is None or not any(p.code == "wrong-format" for p in item.problems):
        return False  # a workbook is checked once its bytes are read; a CSV is rejected by its name alone
    try:
        return hashlib.sha256(item.load()).hexdigest() == context.extract
    except ReadError:
        return False


def _take(out: FileResult, read: FormRead) -> None:
    out.problems += read.problems
    out.form_id, out.case_ref, out.agency, out.auditor = read.form_id, read.case_ref, read.agency, read.auditor
    out.saved_at, out.form = read.saved_at, read.form
    severities = {p.severity for p in out.problems}
    if read.skipped:
        out.status = "skipped"
    elif "error" in severities or read.form is None:
        out.status = "rejected"
    else:
        out.status = "accepted_with_warnings" if "warning" in severities else "accepted"


def _saved(r: FileResult) -> str:
    return f"{r.saved_at:%d %b %Y %H:%M} UTC" if r.saved_at else "at an unknown time"


def settle_duplicates(files: list[FileResult]) -> list[FormReturn]:
    """Mark all but the newest accepted copy of each form superseded; return the winners in input order."""
    copies: dict[str, list[FileResult]] = {}
    for r in files:
        if r.status in ACCEPTED and r.form is not None:
            copies.setdefault(r.form.form_id, []).append(r)
    oldest = datetime.min.replace(tzinfo=UTC)
    winners: set[int] = set()
    for group in copies.values():
        group.sort(key=lambda r: (r.saved_at or oldest, r.modified or 0.0, r.path))
        winner = group[-1]
        winners.add(id(winner))
        if len(group) > 1:
            winner.problems.append(problem("returned-again", count=len(group), saved=_saved(winner)))
        for loser in group[:-1]:
            loser.status = "superseded"
            loser.problems.append(problem("superseded", winner=winner.path, saved=_saved(winner)))
    _corrected(files, {g[-1].form.form_id: g[-1] for g in copies.values() if g[-1].form is not None}, oldest)
    return [r.form for r in files if id(r) in winners and r.form is not None]


def _corrected(files: list[FileResult], used: dict[str, FileResult], oldest: datetime) -> None:
    """A rejected copy of a form whose accepted copy is newer was corrected: superseded, no longer rejected (its
    problems stay listed). A rejected copy newer than the accepted one stays rejected: the auditor changed it."""
    for r in files:
        winner = used.get(r.form_id or "")
        if r.status != "rejected" or winner is None:
            continue
        if (r.saved_at or oldest, r.modified or 0.0, r.path) < (winner.saved_at or oldest, winner.modified or 0.0,
                                                                 winner.path):
            r.status = "superseded"
            r.problems.insert(0, problem("corrected", winner=winner.path, saved=_saved(winner)))
