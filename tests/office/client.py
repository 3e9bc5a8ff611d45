"""Typed client for the LibreOffice "real client" test harness.

The project interpreter cannot import ``uno``; Debian's ``/usr/bin/python3``
can.  :class:`Office` therefore launches one headless ``soffice`` (own temp
profile and HOME, unique pipe name) plus ``worker.py`` under the system
python, and talks to the worker with JSON lines over stdin/stdout.

Usage::

    reason = office_available()          # None when usable
    with Office() as office:
        r = office.type_cells(src, out, [("Form", "B12", "hello")])
        assert r.ok and r.results[0].accepted

Every request has a timeout; if the worker dies or times out an
:class:`OfficeError` is raised with the tail of the worker/soffice logs, and
the session is restarted transparently on the next call.
"""
from __future__ import annotations

import atexit
import collections
import contextlib
import dataclasses
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, Union

__all__ = [
    "Office", "OfficeError", "office_available", "pdf_info", "pdf_to_png",
    "SheetInfo", "WorkbookInfo", "CellResult", "FillResult", "ConvertResult",
    "ReadResult", "PdfInfo", "Entry", "CellRef", "RowLayout", "LayoutResult",
    "SheetLayout", "SheetLayoutResult", "Shape", "Number",
]

WORKER = Path(__file__).with_name("worker.py")
DEFAULT_UNO_PYTHON = "/usr/bin/python3"
StrPath = Union[str, "os.PathLike[str]"]


class OfficeError(RuntimeError):
    """The harness itself failed (worker died, timed out, could not start)."""


# ------------------------------------------------------------------ results
@dataclass
class SheetInfo:
    name: str
    visible: bool
    protected: bool


_R = TypeVar("_R", bound="_Result")


@dataclass
class _Result:
    ok: bool
    error: str | None
    elapsed: float

    def check(self: _R) -> _R:
        """Return self, or raise OfficeError(error) if not ok."""
        if not self.ok:
            raise OfficeError(self.error or "office operation failed")
        return self


@dataclass
class WorkbookInfo(_Result):
    kind: str = ""  # "spreadsheet" | "text" | "other"
    sheets: list[SheetInfo] = field(default_factory=list)

    def sheet(self, name: str) -> SheetInfo:
        """Look up a sheet by name (KeyError if missing)."""
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)


@dataclass
class CellResult:
    """State of one cell after typing/setting/recalculating."""
    sheet: str
    cell: str
    accepted: bool        # the input landed in the cell (always True for recalc_read)
    value: str            # displayed string (what a person sees)
    type: str             # "empty" | "value" | "text" | "formula"
    number: float | None
    formula: str | None
    error_code: int       # LibreOffice error code, 0 = none (e.g. 532 = #DIV/0!)
    reason: str | None = None  # why the input was refused


@dataclass
class FillResult(_Result):
    results: list[CellResult] = field(default_factory=list)
    out: Path | None = None

    def cell(self, sheet: str, cell: str) -> CellResult:
        """Last result for (sheet, cell)."""
        for r in reversed(self.results):
            if r.sheet == sheet and r.cell == cell:
                return r
        raise KeyError((sheet, cell))


@dataclass
class ReadResult(_Result):
    cells: list[CellResult] = field(default_factory=list)

    def values(self) -> list[str]:
        """Displayed strings, in request order."""
        return [c.value for c in self.cells]


@dataclass
class ConvertResult(_Result):
    path: Path | None = None
    filter: str | None = None


@dataclass
class PdfInfo:
    pages: int
    width_pt: float
    height_pt: float
    paper: str | None  # e.g. "A4", "letter" as reported by pdfinfo
    raw: dict[str, str]


HMM_PER_POINT = 2540 / 72  # 1/100 mm in a point


@dataclass
class RowLayout:
    """One sheet as LibreOffice lays it out: row heights in points (0-based rows) and printed pages."""
    name: str
    loaded: list[float]     # each row's height as the file gives it
    optimal: list[float]    # LibreOffice's optimal height for the row's text
    pages: list[tuple[int, int]]  # (first row, last row) of each printed page, as printing lays them out

    def short_rows(self, tolerance: float = 1.0) -> list[tuple[int, float, float]]:
        """(row, loaded, optimal) of every row lower than its text needs, beyond ``tolerance`` points."""
        return [(r, h, o) for r, (h, o) in enumerate(zip(self.loaded, self.optimal)) if h + tolerance < o]

    def page_of(self, row: int) -> int | None:
        """0-based printed page holding ``row`` (None if it is not printed)."""
        for i, (first, last) in enumerate(self.pages):
            if first <= row <= last:
                return i
        return None


@dataclass
class LayoutResult(_Result):
    sheets: list[RowLayout] = field(default_factory=list)

    def sheet(self, name: str) -> RowLayout:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)


@dataclass
class Shape:
    """A drawing object (a chart) on a sheet: the rows its top and bottom edges fall in (0-based)."""
    kind: str
    first_row: int
    last_row: int


@dataclass
class Number:
    """A cell holding a number or date: its value and the text LibreOffice displays (0-based row, column)."""
    row: int
    col: int
    value: float
    shown: str


@dataclass
class SheetLayout(RowLayout):
    """:class:`RowLayout` and the sheet's page breaks, drawing objects and displayed numbers."""
    page_breaks: list[int] = field(default_factory=list)  # as getRowPageBreaks lists them
    shapes: list[Shape] = field(default_factory=list)
    numbers: list[Number] = field(default_factory=list)


@dataclass
class SheetLayoutResult(_Result):
    sheets: list[SheetLayout] = field(default_factory=list)

    def sheet(self, name: str) -> SheetLayout:
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(name)


# Entries: Entry(...), ("Sheet", "B2", "text"), or {"sheet":..,"cell":..,"text":..}
@dataclass
class Entry:
    sheet: str | int
    cell: str
    text: str | None = None
    value: float | None = None     # set_cells only: setValue
    formula: str | None = None     # set_cells only: setFormula


CellRef = Union[tuple[str | int, str], Mapping[str, Any]]
EntryLike = Union[Entry, tuple[Any, ...], Mapping[str, Any]]


def _entry(e: EntryLike) -> dict[str, Any]:
    if isinstance(e, Entry):
        d = dataclasses.asdict(e)
    elif isinstance(e, Mapping):
        d = dict(e)
    else:
        t = tuple(e)
        if len(t) not in (2, 3):
            raise ValueError(f"entry must be (sheet, cell) or (sheet, cell, text): {e!r}")
        d = {"sheet": t[0], "cell": t[1], "text": t[2] if len(t) == 3 else None}
    return {k: v for k, v in d.items() if v is not None}


def _cell(d: Mapping[str, Any], accepted: bool = True) -> CellResult:
    return CellResult(sheet=d.get("sheet", ""), cell=d.get("cell", ""),
                      accepted=bool(d.get("accepted", accepted)), value=d.get("value", ""),
                      type=d.get("type", ""), number=d.get("number"),
                      formula=d.get("formula"), error_code=int(d.get("error_code", 0) or 0),
                      reason=d.get("reason"))


def _base(r: Mapping[str, Any]) -> dict[str, Any]:
    return {"ok": bool(r.get("ok")), "error": r.get("error"),
            "elapsed": float(r.get("elapsed", 0.0))}


# -------------------------------------------------------------- discovery
def find_soffice() -> str | None:
    """Path of soffice ($XLPACK_SOFFICE, PATH, or the Debian location)."""
    for cand in (os.environ.get("XLPACK_SOFFICE"), shutil.which("soffice"),
                 shutil.which("libreoffice"), "/usr/lib/libreoffice/program/soffice",
                 "/opt/libreoffice/program/soffice"):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    return None


def uno_python() -> str:
    """Interpreter that can import uno ($XLPACK_UNO_PYTHON or /usr/bin/python3)."""
    return os.environ.get("XLPACK_UNO_PYTHON") or DEFAULT_UNO_PYTHON


def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    for k in ("PYTHONHOME", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONUSERBASE",
              "VIRTUAL_ENV", "PYENV_VERSION"):
        env.pop(k, None)
    return env


_AVAILABLE_CACHE: dict[tuple[str | None, str], str | None] = {}


def office_available() -> str | None:
    """Return why LibreOffice cannot be used here, or None if it can."""
    soffice, py = find_soffice(), uno_python()
    key = (soffice, py)
    if key in _AVAILABLE_CACHE:
        return _AVAILABLE_CACHE[key]
    reason: str | None = None
    if soffice is None:
        reason = "LibreOffice not found (no soffice on PATH; apt install libreoffice-calc)"
    elif not os.path.isfile(py):
        reason = f"{py} not found (needed for python3-uno)"
    else:
        try:
            p = subprocess.run([py, "-c", "import uno"], capture_output=True, text=True,
                               timeout=30, env=_worker_env())
            if p.returncode != 0:
                tail = (p.stderr.strip().splitlines() or ["?"])[-1]
                reason = f"{py} cannot import uno (apt install python3-uno): {tail}"
        except (OSError, subprocess.TimeoutExpired) as e:
            reason = f"cannot run {py}: {e}"
    _AVAILABLE_CACHE[key] = reason
    return reason


# ----------------------------------------------------------------- client
_LIVE: weakref.WeakSet[Office] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for o in list(_LIVE):
        with contextlib.suppress(Exception):
            o.close()


def _drain(stream: Any, sink: collections.deque[str], q: queue.Queue[str | None] | None) -> None:
    """Reader thread: lines go to queue q (protocol) or to the tail deque (logs)."""
    try:
        for line in iter(stream.readline, ""):
            if q is not None:
                q.put(line)
            else:
                sink.append(line.rstrip("\n"))
    except (ValueError, OSError):
        pass
    finally:
        if q is not None:
            q.put(None)  # EOF marker


class Office:
    """One headless LibreOffice + UNO worker; methods mirror the worker ops.

    Not thread-safe across processes, but calls from several threads of one
    process are serialized with a lock.
    """

    def __init__(self, *, timeout: float = 120.0, start_timeout: float = 90.0,
                 soffice: str | None = None, python: str | None = None,
                 keep_tmp: bool = False) -> None:
        """Start soffice and the worker. Raises OfficeError if unavailable/failed."""
        reason = office_available() if (soffice is None and python is None) else None
        if reason:
            raise OfficeError(reason)
        self.soffice = soffice or find_soffice() or "soffice"
        self.python = python or uno_python()
        self.timeout = timeout
        self.start_timeout = start_timeout
        self.keep_tmp = keep_tmp
        self.restarts = 0
        self.start_seconds = 0.0
        self._lock = threading.RLock()
        self._id = 0
        self._tmp: Path | None = None
        self._soffice: subprocess.Popen | None = None
        self._worker: subprocess.Popen | None = None
        self._q: queue.Queue[str | None] = queue.Queue()
        self._worker_err: collections.deque[str] = collections.deque(maxlen=60)
        self._closed = False
        _LIVE.add(self)
        self._start()

    # ------------------------------------------------------------ lifecycle
    def _start(self) -> None:
        t0 = time.monotonic()
        self._tmp = Path(tempfile.mkdtemp(prefix="xlpack-office-"))
        home, profile = self._tmp / "home", self._tmp / "profile"
        home.mkdir()
        self.pipe = "xlpack_%d_%s" % (os.getpid(), uuid.uuid4().hex[:12])
        env = _worker_env()
        env.update(HOME=str(home), TMPDIR=str(self._tmp))
        env.setdefault("LANG", "C.UTF-8")
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        self._soffice_log = self._tmp / "soffice.log"
        with open(self._soffice_log, "wb") as log:
            self._soffice = subprocess.Popen(
                [self.soffice, "--headless", "--invisible", "--nologo", "--norestore",
                 "--nodefault", "--nolockcheck",
                 "-env:UserInstallation=" + profile.as_uri(),
                 f"--accept=pipe,name={self.pipe};urp;StarOffice.ServiceManager"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=env, cwd=str(self._tmp), start_new_session=True)
        self._q = queue.Queue()
        self._worker_err = collections.deque(maxlen=60)
        self._worker = subprocess.Popen(
            [self.python, "-u", str(WORKER), "--pipe", self.pipe,
             "--connect-timeout", str(self.start_timeout)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", bufsize=1, env=env, cwd=str(self._tmp),
            start_new_session=True)
        threading.Thread(target=_drain, args=(self._worker.stdout, self._worker_err, self._q),
                         daemon=True).start()
        threading.Thread(target=_drain, args=(self._worker.stderr, self._worker_err, None),
                         daemon=True).start()
        try:
            hello = self._read(self.start_timeout + 10, "start-up")
        except OfficeError:
            self._kill()
            raise
        if not hello.get("ready"):
            err = hello.get("error")
            self._kill()
            raise OfficeError(f"office worker failed to start: {err}{self._tails()}")
        self.start_seconds = time.monotonic() - t0

    def _kill(self) -> None:
        """Kill worker and soffice (their own process groups) and remove temp files."""
        for p in (self._worker, self._soffice):
            if p is None:
                continue
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(p.pid, signal.SIGKILL)
                    p.wait(timeout=5)
            else:
                # soffice wrapper may have exited leaving children in its group
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(p.pid, signal.SIGKILL)
        if self._worker is not None:
            for s in (self._worker.stdin, self._worker.stdout, self._worker.stderr):
                with contextlib.suppress(OSError):
                    s and s.close()
        self._worker = self._soffice = None
        if self._tmp is not None and not self.keep_tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def close(self) -> None:
        """Ask the worker to terminate soffice, then make sure both are gone."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self.alive:
                try:
                    self._request({"op": "quit", "terminate": True}, timeout=15)
                    if self._soffice is not None:
                        self._soffice.wait(timeout=10)
                except (OfficeError, subprocess.TimeoutExpired, OSError):
                    pass
            self._kill()
            _LIVE.discard(self)

    def restart(self) -> None:
        """Kill and relaunch soffice + worker (fresh profile)."""
        with self._lock:
            self._kill()
            self.restarts += 1
            self._start()

    def __enter__(self) -> Office:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:  # best effort
        try:
            if not self._closed:
                self.close()
        except Exception:
            pass

    @property
    def alive(self) -> bool:
        """True while both processes are running."""
        return (self._worker is not None and self._worker.poll() is None
                and self._soffice is not None and self._soffice.poll() is None)

    # ------------------------------------------------------------- protocol
    def _tails(self) -> str:
        parts = []
        if self._worker_err:
            parts.append("\n--- worker stderr (tail) ---\n" + "\n".join(self._worker_err))
        try:
            if self._tmp is not None and self._soffice_log.exists():
                lines = self._soffice_log.read_text(errors="replace").splitlines()[-30:]
                if lines:
                    parts.append("\n--- soffice output (tail) ---\n" + "\n".join(lines))
        except OSError:
            pass
        return "".join(parts)

    def _read(self, timeout: float, what: str) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                line = self._q.get(timeout=max(left, 0.001))
            except queue.Empty:
                raise OfficeError(f"office worker did not answer {what} within {timeout:.0f}s{self._tails()}") from None
            if line is None:
                time.sleep(0.2)  # let the stderr reader catch up
                rc = self._worker.poll() if self._worker else None
                raise OfficeError(f"office worker died during {what} (exit code {rc}){self._tails()}")
            try:
                return json.loads(line)
            except ValueError:
                self._worker_err.append("[non-JSON stdout] " + line.rstrip())

    def _request(self, req: dict[str, Any], timeout: float | None = None) -> dict[str, Any]:
        with self._lock:
            if self._closed and req.get("op") != "quit":
                raise OfficeError("Office session is closed")
            if not self.alive:
                self.restart()
            assert self._worker is not None and self._worker.stdin is not None
            self._id += 1
            req = dict(req, id=self._id)
            what = "op {!r}".format(req.get("op"))
            try:
                self._worker.stdin.write(json.dumps(req) + "\n")
                self._worker.stdin.flush()
            except (BrokenPipeError, OSError) as e:
                msg = f"cannot send {what} to office worker: {e}{self._tails()}"
                self._kill()
                raise OfficeError(msg) from None
            try:
                while True:
                    reply = self._read(timeout or self.timeout, what)
                    if reply.get("id") == self._id:
                        break
            except OfficeError:
                self._kill()  # next call restarts a fresh session
                raise
            if reply.get("office_lost"):
                # soffice crashed/vanished: report the failure, restart lazily
                reply["error"] = "{} (LibreOffice went away; session restarted){}".format(
                    reply.get("error"), self._tails())
                self._kill()
            return reply

    # ------------------------------------------------------------------ ops
    def ping(self) -> float:
        """Round-trip a no-op; returns seconds taken."""
        t0 = time.monotonic()
        self._request({"op": "ping"})
        return time.monotonic() - t0

    def open_info(self, path: StrPath, *, password: str | None = None,
                  timeout: float | None = None) -> WorkbookInfo:
        """Load a document hidden and list its sheets (name, visible, protected)."""
        r = self._request({"op": "open_info", "path": os.fspath(path), "password": password},
                          timeout)
        return WorkbookInfo(**_base(r), kind=r.get("kind", ""),
                            sheets=[SheetInfo(s["name"], bool(s["visible"]), bool(s["protected"]))
                                    for s in r.get("sheets", [])])

    def type_cells(self, path: StrPath, out: StrPath, entries: Iterable[EntryLike], *,
                   password: str | None = None,
                   timeout: float | None = None) -> FillResult:
        """Type into cells like a person (GoToCell + EnterString), save xlsx to ``out``.

        Locked cells of protected sheets and cells of hidden sheets are refused
        (``accepted=False`` with a ``reason``).  Text starting with "=" becomes a
        formula.  ``password`` is the file-open password, if any.
        """
        return self._fill("type_cells", path, out, entries, password, timeout)

    def set_cells(self, path: StrPath, out: StrPath, entries: Iterable[EntryLike], *,
                  password: str | None = None,
                  timeout: float | None = None) -> FillResult:
        """API path (setString / setValue / setFormula; ignores protection), save xlsx."""
        return self._fill("set_cells", path, out, entries, password, timeout)

    def _fill(self, op: str, path: StrPath, out: StrPath, entries: Iterable[EntryLike],
              password: str | None, timeout: float | None) -> FillResult:
        r = self._request({"op": op, "path": os.fspath(path), "out": os.fspath(out),
                           "entries": [_entry(e) for e in entries], "password": password},
                          timeout)
        return FillResult(**_base(r), results=[_cell(c) for c in r.get("results", [])],
                          out=Path(r["out"]) if r.get("out") else None)

    def recalc_read(self, path: StrPath, cells: Iterable[EntryLike], *,
                    password: str | None = None,
                    timeout: float | None = None) -> ReadResult:
        """Open, calculateAll(), and read cells (displayed string, number, formula)."""
        ents = [{"sheet": e["sheet"], "cell": e["cell"]} for e in map(_entry, cells)]
        r = self._request({"op": "recalc_read", "path": os.fspath(path), "entries": ents,
                           "password": password}, timeout)
        return ReadResult(**_base(r), cells=[_cell(c) for c in r.get("cells", [])])

    def row_layout(self, path: StrPath, sheets: Iterable[str] | None = None, *,
                   password: str | None = None, timeout: float | None = None) -> LayoutResult:
        """Row heights as loaded and as LibreOffice would fit them, and the printed pages, per visible sheet."""
        r = self._request({"op": "row_layout", "path": os.fspath(path), "password": password,
                           "sheets": list(sheets) if sheets else None}, timeout)
        out = []
        for s in r.get("sheets", []):
            out.append(RowLayout(
                name=s["name"], loaded=[h / HMM_PER_POINT for h in s["loaded"]],
                optimal=[h / HMM_PER_POINT for h in s["optimal"]], pages=[(a, b) for a, b in s["pages"]]))
        return LayoutResult(**_base(r), sheets=out)

    def sheet_layout(self, path: StrPath, sheets: Iterable[str] | None = None, *, password: str | None = None,
                     timeout: float | None = None) -> SheetLayoutResult:
        """:meth:`row_layout` with page breaks, charts and displayed numbers, for ``sheets`` (default: every
        visible sheet). One load of the document."""
        r = self._request({"op": "sheet_layout", "path": os.fspath(path), "password": password,
                           "sheets": list(sheets) if sheets else None}, timeout)
        out = [SheetLayout(
            name=s["name"], loaded=[h / HMM_PER_POINT for h in s["loaded"]],
            optimal=[h / HMM_PER_POINT for h in s["optimal"]], pages=[(int(a), int(b)) for a, b in s["pages"]],
            page_breaks=list(s["page_breaks"]),
            shapes=[Shape(x["kind"], x["first_row"], x["last_row"]) for x in s["shapes"]],
            numbers=[Number(int(a), int(b), float(v), str(t)) for a, b, v, t in s["numbers"]])
            for s in r.get("sheets", [])]
        return SheetLayoutResult(**_base(r), sheets=out)

    def convert(self, path: StrPath, out_dir: StrPath | None = None, format: str = "pdf", *,
                out: StrPath | None = None, password: str | None = None,
                timeout: float | None = None) -> ConvertResult:
        """Export a document (xlsx/docx/...) to ``format`` (pdf, xlsx, ods, csv, docx, odt).

        Writes ``out`` or ``out_dir/<stem>.<format>`` (default: next to the input).
        ``ok`` is False if LibreOffice did not produce the file.
        """
        req: dict[str, Any] = {"op": "convert", "path": os.fspath(path), "format": format,
                               "password": password}
        if out_dir is not None:
            req["out_dir"] = os.fspath(out_dir)
        if out is not None:
            req["out"] = os.fspath(out)
        r = self._request(req, timeout)
        p = Path(r["path"]) if r.get("path") else None
        ok = bool(r.get("ok")) and p is not None and p.is_file()
        err = r.get("error") if r.get("ok") is not True else (
            None if ok else f"output file was not produced: {p}")
        return ConvertResult(ok=ok, error=err, elapsed=float(r.get("elapsed", 0.0)),
                             path=p, filter=r.get("filter"))


# ------------------------------------------------------------ pdf helpers
_PAPER_RE = re.compile(r"([\d.]+) x ([\d.]+) pts(?: \(([^)]+)\))?")


def pdf_info(path: StrPath) -> PdfInfo:
    """Page count and first-page size via poppler's ``pdfinfo``."""
    exe = shutil.which("pdfinfo")
    if exe is None:
        raise OfficeError("pdfinfo not found (apt install poppler-utils)")
    p = subprocess.run([exe, os.fspath(path)], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise OfficeError(f"pdfinfo failed on {path}: {p.stderr.strip()}")
    raw = {}
    for line in p.stdout.splitlines():
        k, sep, v = line.partition(":")
        if sep:
            raw[k.strip()] = v.strip()
    m = _PAPER_RE.match(raw.get("Page size", ""))
    if not m:
        raise OfficeError(f"cannot parse pdfinfo output: {p.stdout!r}")
    return PdfInfo(pages=int(raw.get("Pages", "0")), width_pt=float(m.group(1)),
                   height_pt=float(m.group(2)), paper=m.group(3), raw=raw)


def pdf_to_png(pdf: StrPath, out_dir: StrPath, *, dpi: int = 72,
               first: int | None = None, last: int | None = None) -> list[Path]:
    """Render PDF pages to PNG with ``pdftoppm`` (soffice --convert-to png is unreliable)."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise OfficeError("pdftoppm not found (apt install poppler-utils)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / Path(pdf).stem
    cmd: list[str] = [exe, "-png", "-r", str(dpi)]
    if first is not None:
        cmd += ["-f", str(first)]
    if last is not None:
        cmd += ["-l", str(last)]
    p = subprocess.run(cmd + [os.fspath(pdf), str(prefix)], capture_output=True, text=True,
                       timeout=120)
    if p.returncode != 0:
        raise OfficeError(f"pdftoppm failed on {pdf}: {p.stderr.strip()}")
    return sorted(out_dir.glob(Path(pdf).stem + "-*.png"))
