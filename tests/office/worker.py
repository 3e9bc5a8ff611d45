#!/usr/bin/python3
"""LibreOffice UNO worker for the xlpack test-suite office harness.

Runs under Debian's ``/usr/bin/python3`` (the only interpreter with ``uno``).
It connects to (or starts) one ``soffice`` listening on a named pipe and
serves JSON-line requests read from stdin, writing exactly one JSON reply
line per request to stdout.  Nothing else is ever written to stdout: the
original stdout file descriptor is kept private and fd 1 is redirected to
stderr, so stray prints from UNO/LibreOffice end up in the log.

Request:  {"id": 1, "op": "open_info", "path": "/x/book.xlsx"}
Reply:    {"id": 1, "ok": true, "sheets": [...]}

On start-up the worker prints {"ready": true, ...} once connected (or
{"ready": false, "error": ...} and exits 2).  If the office process goes
away the reply carries ``"office_lost": true`` and the worker exits 3.

Ops: open_info, type_cells, set_cells, convert, recalc_read, row_layout, sheet_layout, ping, quit.
See ``tests/office/client.py`` for the typed client.
"""
from __future__ import annotations

import argparse
import bisect
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from typing import Any

# Keep the real stdout for protocol replies only; everything else -> stderr.
_PROTO_OUT = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

import uno  # noqa: E402
from com.sun.star.beans import PropertyValue  # noqa: E402
from com.sun.star.connection import NoConnectException  # noqa: E402
from com.sun.star.lang import DisposedException  # noqa: E402

XLSX_FILTER = "Calc MS Excel 2007 XML"

# format -> {document service -> export filter}
EXPORT_FILTERS: dict[str, dict[str, str]] = {
    "pdf": {
        "com.sun.star.sheet.SpreadsheetDocument": "calc_pdf_Export",
        "com.sun.star.text.TextDocument": "writer_pdf_Export",
        "com.sun.star.presentation.PresentationDocument": "impress_pdf_Export",
        "com.sun.star.drawing.DrawingDocument": "draw_pdf_Export",
    },
    "xlsx": {"com.sun.star.sheet.SpreadsheetDocument": XLSX_FILTER},
    "ods": {"com.sun.star.sheet.SpreadsheetDocument": "calc8"},
    "csv": {"com.sun.star.sheet.SpreadsheetDocument": "Text - txt - csv (StarCalc)"},
    "docx": {"com.sun.star.text.TextDocument": "MS Word 2007 XML"},
    "odt": {"com.sun.star.text.TextDocument": "writer8"},
}



def log(*args: Any) -> None:
    """Log to stderr (never stdout)."""
    print("[office-worker]", *args, file=sys.stderr, flush=True)


def props(**kw: Any) -> tuple:
    """Build a tuple of PropertyValue from keyword arguments."""
    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name = k
        p.Value = v
        out.append(p)
    return tuple(out)


class OpError(Exception):
    """A request-level failure reported as ok=false (the worker keeps running)."""


class Worker:
    """Holds the UNO connection and implements the operations."""

    def __init__(self, pipe: str, connect_timeout: float) -> None:
        self.pipe = pipe
        self.ctx = self._connect(connect_timeout)
        self.smgr = self.ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)
        self.dispatcher = self.smgr.createInstanceWithContext(
            "com.sun.star.frame.DispatchHelper", self.ctx)

    # ---------------------------------------------------------------- setup
    def _connect(self, timeout: float) -> Any:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + timeout
        last: BaseException | None = None
        while time.monotonic() < deadline:
            try:
                return resolver.resolve(url)
            except NoConnectException as e:  # office not listening yet
                last = e
                time.sleep(0.1)
        raise RuntimeError(f"could not connect to soffice on pipe {self.pipe!r} within {timeout:.0f}s: {last}")

    def alive(self) -> bool:
        """True if the office process still answers."""
        try:
            self.desktop.getComponents()
            return True
        except Exception:
            return False

    # -------------------------------------------------------------- helpers
    @contextlib.contextmanager
    def opened(self, path: str, password: str | None = None) -> Iterator[Any]:
        """Load a private copy of ``path`` hidden; always close it afterwards.

        Working on a copy means LibreOffice's ``.~lock.*#`` files never touch
        the caller's directory, so a crashed session cannot leave a stale lock
        that makes later loads fail, and parallel sessions can open the same
        source file.  Raises OpError if the document cannot be loaded.
        """
        if not path:
            raise OpError("no path given")
        apath = os.path.abspath(path)
        if not os.path.isfile(apath):
            raise OpError(f"file not found: {apath}")
        work = tempfile.mkdtemp(prefix="doc-")
        doc = None
        try:
            copy = os.path.join(work, os.path.basename(apath))
            shutil.copyfile(apath, copy)
            doc = self._load(copy, apath, password)
            yield doc
        finally:
            self.close(doc)
            shutil.rmtree(work, ignore_errors=True)

    def _load(self, path: str, shown: str, password: str | None) -> Any:
        kw: dict[str, Any] = dict(Hidden=True, ReadOnly=False, MacroExecutionMode=0,
                                  UpdateDocMode=0, Silent=True)
        if password:
            kw["Password"] = password
        try:
            doc = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0,
                                                    props(**kw))
        except DisposedException:
            raise
        except Exception as e:  # IllegalArgumentException, IOException, ...
            msg = getattr(e, "Message", "") or str(e)
            raise OpError(f"could not load {shown}: {type(e).__name__}: {msg}")
        if doc is None:
            raise OpError(f"could not load {shown}: LibreOffice returned no document "
                          "(unsupported, corrupt or password-protected file)")
        return doc

    @staticmethod
    def close(doc: Any) -> None:
        """Close a document, discarding changes; never raises."""
        if doc is None:
            return
        try:
            doc.close(True)
        except Exception as e:
            log(f"close failed ({e}), disposing")
            with contextlib.suppress(Exception):
                doc.dispose()

    @staticmethod
    def require_calc(doc: Any) -> None:
        if not doc.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
            raise OpError("not a spreadsheet document")

    @staticmethod
    def sheet(doc: Any, name: Any) -> Any:
        sheets = doc.getSheets()
        if isinstance(name, int):
            if not 0 <= name < sheets.getCount():
                raise OpError("no sheet with index %d" % name)
            return sheets.getByIndex(name)
        if not sheets.hasByName(name):
            raise OpError(f"no sheet named {name!r} (have {list(sheets.getElementNames())})")
        return sheets.getByName(name)

    @staticmethod
    def cell(sheet: Any, ref: str) -> Any:
        try:
            rng = sheet.getCellRangeByName(ref)
        except Exception:
            raise OpError(f"bad cell reference {ref!r}")
        return rng.getCellByPosition(0, 0)

    @staticmethod
    def cell_state(cell: Any) -> dict[str, Any]:
        """Snapshot of a cell: type, displayed string, number, formula, error code."""
        ctype = cell.getType().value.lower()  # CellContentType: empty|value|text|formula
        return {
            "type": ctype,
            "value": cell.getString(),  # displayed string
            "number": cell.getValue() if ctype in ("value", "formula") else None,
            "formula": cell.getFormula() if ctype == "formula" else None,
            "error_code": cell.getError(),
        }

    def save(self, doc: Any, out: str, filter_name: str = XLSX_FILTER) -> str:
        if not out:
            raise OpError("no output path given")
        aout = os.path.abspath(out)
        os.makedirs(os.path.dirname(aout), exist_ok=True)
        if os.path.exists(aout):
            os.remove(aout)
        doc.storeToURL(uno.systemPathToFileUrl(aout), props(FilterName=filter_name, Overwrite=True))
        if not os.path.isfile(aout) or os.path.getsize(aout) == 0:
            raise OpError(f"LibreOffice did not write {aout} (filter {filter_name})")
        return aout

    def dispatch(self, frame: Any, command: str, **kw: Any) -> Any:
        return self.dispatcher.executeDispatch(frame, command, "", 0, props(**kw))

    @staticmethod
    def selection_address(controller: Any) -> tuple | None:
        """(sheet index, col, row) of the current single-cell selection."""
        sel = controller.getSelection()
        try:
            a = sel.getCellAddress()
            return (a.Sheet, a.Column, a.Row)
        except AttributeError:
            try:
                r = sel.getRangeAddress()
                return (r.Sheet, r.StartColumn, r.StartRow)
            except AttributeError:
                return None

    # ------------------------------------------------------------------ ops
    def op_ping(self, req: dict[str, Any]) -> dict[str, Any]:
        return {}

    def op_open_info(self, req: dict[str, Any]) -> dict[str, Any]:
        with self.opened(req.get("path", ""), req.get("password")) as doc:
            kind = "other"
            for svc, k in (("com.sun.star.sheet.SpreadsheetDocument", "spreadsheet"),
                           ("com.sun.star.text.TextDocument", "text")):
                if doc.supportsService(svc):
                    kind = k
                    break
            sheets: list[dict[str, Any]] = []
            if kind == "spreadsheet":
                s = doc.getSheets()
                for i in range(s.getCount()):
                    sh = s.getByIndex(i)
                    sheets.append({"name": sh.getName(), "visible": bool(sh.IsVisible),
                                   "protected": bool(sh.isProtected())})
            return {"kind": kind, "sheets": sheets}

    def op_type_cells(self, req: dict[str, Any]) -> dict[str, Any]:
        """Type into cells like a person: GoToCell + EnterString via the dispatcher.

        LibreOffice 7.4 crashes headless when a second typed entry is refused
        in the same document (it tries to show the protection message while
        the first one is pending). After each refusal the work so far is
        saved, the document closed and the saved copy reopened, so a run of
        refused entries behaves as it would for a person.
        """
        entries = list(req.get("entries", []))
        results: list[dict[str, Any]] = []
        work = tempfile.mkdtemp(prefix="type-")
        current, password, step = req.get("path", ""), req.get("password"), 0
        try:
            while True:
                with self.opened(current, password) as doc:
                    self.require_calc(doc)
                    controller = doc.getCurrentController()
                    frame = controller.getFrame()
                    refused = False
                    while len(results) < len(entries) and not refused:
                        res = self._type_one(doc, controller, frame, entries[len(results)])
                        results.append(res)
                        refused = res["reason"] is not None and res["reason"].startswith("refused")
                    if len(results) == len(entries):
                        return {"results": results, "out": self.save(doc, req.get("out", ""))}
                    step += 1
                    current = self.save(doc, os.path.join(work, "step-%d.xlsx" % step))
                    password = None
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _type_one(self, doc: Any, controller: Any, frame: Any, e: dict[str, Any]) -> dict[str, Any]:
        sheet_name, ref, text = e.get("sheet"), str(e.get("cell", "")), e.get("text", "")
        text = "" if text is None else str(text)
        sh = self.sheet(doc, sheet_name)
        cell = self.cell(sh, ref)
        target = cell.getCellAddress()
        before = self.cell_state(cell)
        res: dict[str, Any] = {"sheet": sh.getName(), "cell": ref, "accepted": False, "reason": None}
        if not sh.IsVisible:
            res["reason"] = "sheet is hidden"
        else:
            controller.setActiveSheet(sh)
            self.dispatch(frame, ".uno:GoToCell", ToPoint=ref)
            at = self.selection_address(controller)
            if at != (target.Sheet, target.Column, target.Row):
                res["reason"] = f"cannot select cell (cursor at {at})"
            else:
                self.dispatch(frame, ".uno:EnterString", StringName=text)
                after = self.cell_state(cell)
                matches = text in (after["value"], after["formula"])
                changed = (after["type"], after["formula"], after["value"]) != (
                    before["type"], before["formula"], before["value"])
                res["accepted"] = bool(changed or matches)
                if not res["accepted"]:
                    res["reason"] = "refused (protected cell)" if sh.isProtected() else "refused"
        res.update(self.cell_state(cell))
        return res

    def op_set_cells(self, req: dict[str, Any]) -> dict[str, Any]:
        """API path: setString / setValue / setFormula (ignores protection)."""
        with self.opened(req.get("path", ""), req.get("password")) as doc:
            self.require_calc(doc)
            results = []
            for e in req.get("entries", []):
                sh = self.sheet(doc, e.get("sheet"))
                ref = str(e.get("cell", ""))
                cell = self.cell(sh, ref)
                if e.get("formula") is not None:
                    cell.setFormula(str(e["formula"]))
                elif e.get("value") is not None:
                    cell.setValue(float(e["value"]))
                else:
                    t = e.get("text")
                    cell.setString("" if t is None else str(t))
                res = {"sheet": sh.getName(), "cell": ref, "accepted": True, "reason": None}
                res.update(self.cell_state(cell))
                results.append(res)
            out = self.save(doc, req.get("out", ""))
            return {"results": results, "out": out}

    def op_recalc_read(self, req: dict[str, Any]) -> dict[str, Any]:
        with self.opened(req.get("path", ""), req.get("password")) as doc:
            self.require_calc(doc)
            doc.calculateAll()
            cells = []
            for e in req.get("entries", []):
                sh = self.sheet(doc, e.get("sheet"))
                ref = str(e.get("cell", ""))
                r = {"sheet": sh.getName(), "cell": ref}
                r.update(self.cell_state(self.cell(sh, ref)))
                cells.append(r)
            return {"cells": cells}

    def op_row_layout(self, req: dict[str, Any]) -> dict[str, Any]:
        """Per visible sheet: each row's height as loaded and LibreOffice's optimal height, and printed pages.

        Heights are in 1/100 mm. The printed pages (the rows of each, as the
        print renderer lays them out) are read first, with the rows as the
        file has them; then every row up to the last used one is set to
        ``OptimalHeight`` and measured again. (Hidden rows: none in the
        sheets tested; rows are taken as visible.)
        """
        wanted = req.get("sheets")
        with self.opened(req.get("path", ""), req.get("password")) as doc:
            self.require_calc(doc)
            sheets = doc.getSheets()
            out = []
            for i in range(sheets.getCount()):
                sh = sheets.getByIndex(i)
                if (wanted and sh.getName() not in wanted) or (not wanted and not sh.IsVisible):
                    continue
                cursor = sh.createCursor()
                cursor.gotoEndOfUsedArea(False)
                end = cursor.getRangeAddress()
                last_row, last_col = end.EndRow, end.EndColumn
                pages = self._printed_pages(doc, sh)
                table_rows = sh.getRows()
                rows = [table_rows.getByIndex(r) for r in range(last_row + 1)]
                loaded = [row.Height for row in rows]
                sh.getCellRangeByPosition(0, 0, last_col, last_row).getRows().OptimalHeight = True
                optimal = [row.Height for row in rows]
                out.append({"name": sh.getName(), "loaded": loaded, "optimal": optimal, "pages": pages})
            return {"sheets": out}

    @staticmethod
    def _printed_pages(doc: Any, sheet: Any) -> list[list[int]]:
        """[first row, last row] of each page the sheet prints on, as printing or PDF export lays it out."""
        pages = []
        for i in range(doc.getRendererCount(sheet, ())):
            props = {p.Name: p.Value for p in doc.getRenderer(i, sheet, ())}
            rng = props.get("SourceRange")
            if rng is not None:
                pages.append([rng.StartRow, rng.EndRow])
        return pages

    def op_sheet_layout(self, req: dict[str, Any]) -> dict[str, Any]:
        """Per sheet: row heights as loaded and as LibreOffice fits them, printed pages, charts, displayed numbers.

        Heights and positions are in 1/100 mm. In order: the rows as the file
        has them, the page breaks (``getRowPageBreaks``), the rows of each
        printed page as the print renderer lays them out, each drawing
        object's top and bottom rows, and the displayed text of every cell
        holding a number or date; then every used row is set to
        ``OptimalHeight`` and measured again. ``sheets``: names to measure
        (default: the visible sheets).
        """
        wanted = req.get("sheets")
        with self.opened(req.get("path", ""), req.get("password")) as doc:
            self.require_calc(doc)
            sheets = doc.getSheets()
            out = []
            for i in range(sheets.getCount()):
                sh = sheets.getByIndex(i)
                if (wanted and sh.getName() not in wanted) or (not wanted and not sh.IsVisible):
                    continue
                out.append(self._sheet_layout(doc, sh))
            return {"sheets": out}

    def _sheet_layout(self, doc: Any, sh: Any) -> dict[str, Any]:
        cursor = sh.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.getRangeAddress()
        last_row, last_col = end.EndRow, end.EndColumn
        row_objs = sh.getRows()
        rows = [row_objs.getByIndex(r) for r in range(last_row + 1)]
        loaded = [row.Height if row.IsVisible else 0 for row in rows]
        breaks = [b.Position for b in sh.getRowPageBreaks()]
        pages = self._printed_pages(doc, sh)
        page = sh.getDrawPage()
        objects = [page.getByIndex(k) for k in range(page.getCount())]
        bottom = max([o.Position.Y + o.Size.Height for o in objects], default=0)
        tops, y, r = [], 0, 0
        while (r <= last_row or y < bottom) and r < 1048576:  # to the last used row and below the lowest object
            row = rows[r] if r < len(rows) else row_objs.getByIndex(r)
            tops.append(y)
            y += row.Height if row.IsVisible else 0
            r += 1

        def row_at(pos: int) -> int:
            return max(0, bisect.bisect_right(tops, pos) - 1)

        shapes = [{"kind": o.getShapeType(), "top": o.Position.Y, "height": o.Size.Height,
                   "first_row": row_at(o.Position.Y), "last_row": row_at(o.Position.Y + o.Size.Height - 1)}
                  for o in objects]
        numbers = []
        found = sh.queryContentCells(1 | 2)  # com.sun.star.sheet.CellFlags.VALUE | DATETIME
        for addr in found.getRangeAddresses():
            for r in range(addr.StartRow, addr.EndRow + 1):
                for c in range(addr.StartColumn, addr.EndColumn + 1):
                    cell = sh.getCellByPosition(c, r)
                    numbers.append([r, c, cell.getValue(), cell.getString()])
        sh.getCellRangeByPosition(0, 0, last_col, last_row).getRows().OptimalHeight = True
        optimal = [row.Height if row.IsVisible else 0 for row in rows]
        return {"name": sh.getName(), "loaded": loaded, "optimal": optimal, "page_breaks": breaks, "pages": pages,
                "shapes": shapes, "numbers": numbers}

    def op_convert(self, req: dict[str, Any]) -> dict[str, Any]:
        fmt = str(req.get("format", "pdf")).lower()
        if fmt not in EXPORT_FILTERS:
            raise OpError(f"unsupported format {fmt!r} (supported: {sorted(EXPORT_FILTERS)})")
        path = req.get("path", "")
        with self.opened(path, req.get("password")) as doc:
            filt = None
            for svc, f in EXPORT_FILTERS[fmt].items():
                if doc.supportsService(svc):
                    filt = f
                    break
            if filt is None:
                raise OpError(f"cannot export this document type to {fmt}")
            out = req.get("out")
            if not out:
                out_dir = req.get("out_dir") or os.path.dirname(os.path.abspath(path))
                stem = os.path.splitext(os.path.basename(path))[0]
                out = os.path.join(out_dir, stem + "." + fmt)
            return {"path": self.save(doc, out, filt), "filter": filt}

    # ----------------------------------------------------------- main loop
    def handle(self, req: dict[str, Any]) -> dict[str, Any]:
        op = req.get("op")
        fn: Callable[[dict[str, Any]], dict[str, Any]] | None = getattr(self, f"op_{op}", None)
        if not isinstance(op, str) or fn is None:
            return {"ok": False, "error": f"unknown op {op!r}"}
        t0 = time.monotonic()
        try:
            reply = fn(req)
            reply["ok"] = True
        except OpError as e:
            reply = {"ok": False, "error": str(e)}
        except Exception as e:
            msg = getattr(e, "Message", "") or str(e)
            reply = {"ok": False, "error": f"{type(e).__name__}: {msg}"}
            log(traceback.format_exc())
            if isinstance(e, DisposedException) or not self.alive():
                reply["office_lost"] = True
        reply["elapsed"] = round(time.monotonic() - t0, 4)
        return reply


def send(obj: dict[str, Any]) -> None:
    _PROTO_OUT.write(json.dumps(obj) + "\n")
    _PROTO_OUT.flush()


def start_soffice(soffice: str, pipe: str, profile_url: str) -> subprocess.Popen:
    """Launch a headless soffice accepting on ``pipe`` (standalone use)."""
    cmd = [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
           "--nolockcheck", "-env:UserInstallation=" + profile_url,
           f"--accept=pipe,name={pipe};urp;StarOffice.ServiceManager"]
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=sys.stderr,
                            stderr=sys.stderr, start_new_session=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pipe", required=True, help="UNO pipe name soffice accepts on")
    ap.add_argument("--connect-timeout", type=float, default=60.0)
    ap.add_argument("--soffice", help="start this soffice ourselves (standalone use)")
    ap.add_argument("--profile-url", help="UserInstallation URL when starting soffice")
    args = ap.parse_args(argv)

    proc = None
    if args.soffice:
        if not args.profile_url:
            ap.error("--profile-url is required with --soffice")
        proc = start_soffice(args.soffice, args.pipe, args.profile_url)
    try:
        worker = Worker(args.pipe, args.connect_timeout)
    except Exception as e:
        send({"ready": False, "error": str(e)})
        return 2
    send({"ready": True, "pid": os.getpid(), "python": sys.version.split()[0]})
    code = serve(worker, terminate_always=proc is not None)
    if proc is not None:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return code


def serve(worker: Worker, terminate_always: bool) -> int:
    """Answer requests from stdin until quit, end of input or office lost; the exit code."""
    code = 0
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise ValueError("request must be a JSON object")
        except ValueError as e:
            send({"ok": False, "error": f"bad request: {e}"})
            continue
        rid = req.get("id")
        if req.get("op") == "quit":
            if req.get("terminate", True) or terminate_always:
                try:
                    worker.desktop.terminate()
                except Exception:
                    pass  # the bridge is torn down while terminating
            send({"id": rid, "ok": True})
            break
        reply = worker.handle(req)
        reply["id"] = rid
        send(reply)
        if reply.get("office_lost"):
            code = 3
            break
    return code


if __name__ == "__main__":
    sys.exit(main())
