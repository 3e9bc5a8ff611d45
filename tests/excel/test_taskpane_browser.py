"""The task pane in a real headless browser (Debian's chromium, driven by Playwright), against the real server.

Office.js is replaced at the page's boundary by ``officejs_stub.js``, which
offers only the documented calls the page makes and records them. The test
drops returned forms on the drop zone, reads the table, clicks Update, and
checks the sheets deleted and inserted, their visibility, the sheet
activated and the message; then the refusals (forms missing, an edit while
the update ran). Screenshots go to ``XLPACK_SCREENSHOTS`` when it is set.
CI sets ``XLPACK_REQUIRE_BROWSER=1``: a missing browser is a failure there.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support.safety import Audit, audit, built  # noqa: F401  (fixtures)
from xlpack.consolidate import read_consolidated
from xlpack.excel.server.charts import chart_specs
from xlpack.excel.server.job import OWNED
from xlpack.wording import counted

CHROMIUM = os.environ.get("XLPACK_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
STUB = Path(__file__).with_name("officejs_stub.js").read_text(encoding="utf-8")
URL = "https://council.sharepoint.com/sites/audit/Shared%20Documents/Audit%202026.xlsx?web=1"
NAME = "Audit 2026.xlsx"


def _missing() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -e '.[test]')"
    if importlib.util.find_spec("xlwings_server") is None:
        return "xlwings-server is not installed (pip install -e '.[test]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no chromium at {CHROMIUM} (apt-get install chromium)"
    return None


if (reason := _missing()) is not None:
    if os.environ.get("XLPACK_REQUIRE_BROWSER") == "1":
        pytest.fail(f"XLPACK_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402  (after the skip)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    from xlpack.excel.server.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


def sheets_of(path: Path) -> list[dict[str, str]]:
    states = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}
    book = openpyxl.load_workbook(path, read_only=True)
    return [{"name": ws.title, "visibility": states[ws.sheet_state]} for ws in book.worksheets]


def open_pane(browser: Any, server: str, audit: Path, edit_while_reading: bool = False) -> Page:
    page = browser.new_page(viewport={"width": 360, "height": 900})
    setup = {"url": URL, "workbook": base64.b64encode(audit.read_bytes()).decode(), "sheets": sheets_of(audit),
             "editWhileReading": edit_while_reading}
    page.add_init_script(f"window.officeSetup = {json.dumps(setup)};")
    page.route("**/office-js/**/office.js", lambda route: route.fulfill(
        status=200, content_type="application/javascript", body=STUB))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server}/taskpane.html")
    page.wait_for_selector("#state .title")
    assert not errors, errors
    return page


def drop(page: Page, files: list[Path]) -> None:
    """Drop files on the drop zone as a browser does (a DataTransfer holding File objects)."""
    payload = [{"name": f.name, "b64": base64.b64encode(f.read_bytes()).decode()} for f in files]
    page.evaluate("""(files) => {
        const dt = new DataTransfer();
        for (const f of files) {
            dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name));
        }
        document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true,
                                                                              cancelable: true}));
    }""", payload)
    page.wait_for_function(f"document.querySelectorAll('#files tbody tr').length === {len(files)}")


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("XLPACK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def calls(page: Page, kind: str) -> list[list[Any]]:
    return [c for c in page.evaluate("window.officeCalls") if c[0] == kind]


def test_drop_see_the_table_update_and_the_sheets_are_replaced(browser: Any, server: str, audit: Audit) -> None:
    page = open_pane(browser, server, audit.audit)
    state = page.inner_text("#state")
    assert " forms issued" in state and "Last updated" in state
    returns = sorted(audit.returns.glob("*.xlsx"))
    drop(page, returns)
    rows = page.locator("#files tbody tr").all_inner_texts()
    assert all(r.startswith("accepted") for r in rows) and {r.split("\t")[1] for r in rows} == {f.name for f in returns}
    assert page.inner_text("#dropped-count") == f"{counted(len(returns), 'file')} dropped."
    shoot(page, "1-dropped")
    before = sheets_of(audit.audit)
    page.click("#update")
    page.wait_for_selector("#message.done, #message.warn, #message.refused", timeout=120_000)
    message = page.inner_text("#message")
    assert message.startswith(f"Consolidated {len(returns)} of "), message
    assert f"into {NAME}" in message and "Flags is open" in message
    shoot(page, "2-updated")

    inserted = calls(page, "insertWorksheetsFromBase64")
    assert len(inserted) == 1 and inserted[0][2:] == ["After", "Meetings"]  # the last plan sheet before them
    new = Path(audit.audit.parent / "inserted.xlsx")
    new.write_bytes(base64.b64decode(page.evaluate("window.officeInserted")))
    new_sheets = sheets_of(new)
    owned = [s["name"] for s in new_sheets if s["name"] in inserted[0][1]]
    assert inserted[0][1] == owned  # in the consolidated workbook's order
    assert [c[1] for c in calls(page, "delete")] == [s["name"] for s in before if s["name"] in OWNED]
    # The workbook's sheets end in the order the command leaves them in.
    assert [s["name"] for s in page.evaluate("window.officeSheets")] == [s["name"] for s in new_sheets]
    hidden = {s["name"]: s["visibility"] for s in new_sheets if s["visibility"] != "Visible"}
    final = {s["name"]: s["visibility"] for s in page.evaluate("window.officeSheets")}
    assert hidden and all(final[n] == v for n, v in hidden.items())  # the very hidden digest sheet stays so
    assert calls(page, "activate") == [["activate", "Flags"]]
    # The charts the inserted sheets arrived without, drawn again as the consolidated workbook has them.
    specs = chart_specs(new)
    drawn = page.evaluate("window.officeCharts")
    assert specs and len(drawn) == len(specs)
    for spec, chart in zip(specs, drawn):
        assert (chart["sheet"], chart["type"], chart["title"], chart["position"], chart["legend"], chart["reversed"]) \
            == (spec["sheet"], spec["type"], spec["title"], [spec["from"], spec["to"]], "Bottom", spec["reversed"])
        assert [(x["name"], x["values"], x["categories"], x["colour"]) for x in chart["series"]] == \
            [(x["name"], list(x["values"]), list(x["categories"]), x["colour"]) for x in spec["series"]]
    assert calls(page, "unlisten") and len(calls(page, "unlisten")) == len(calls(page, "listen"))
    assert len(read_consolidated(new).grades) == len(read_consolidated(audit.audit).grades)
    page.close()


def test_missing_forms_are_refused_then_accepted_on_purpose(browser: Any, server: str, audit: Audit) -> None:
    page = open_pane(browser, server, audit.audit)
    returns = sorted(audit.returns.glob("*.xlsx"))
    drop(page, returns[1:])
    page.click("#update")
    page.wait_for_selector("#message.refused", timeout=120_000)
    message = page.inner_text("#message")
    assert "not among the returns given" in message and returns[0].name in message
    assert "tick 'Accept missing forms on purpose'" in message
    assert page.locator("label.ask #allow-missing").count() == 1
    assert not calls(page, "delete") and not calls(page, "insertWorksheetsFromBase64")
    shoot(page, "3-missing-refused")
    page.check("#allow-missing")
    page.click("#update")
    page.wait_for_selector("#message.done, #message.warn", timeout=120_000)
    assert ("1 form accepted last time was not among the returns given and was dropped, as asked (you ticked "
            "'Accept missing forms on purpose')") in page.inner_text("#message")
    assert len(calls(page, "insertWorksheetsFromBase64")) == 1
    page.close()


def test_an_edit_while_the_update_runs_is_not_overwritten(browser: Any, server: str, audit: Audit) -> None:
    page = open_pane(browser, server, audit.audit)
    drop(page, sorted(audit.returns.glob("*.xlsx")))
    page.evaluate("window.officeSetup.editWhileReading = true")
    page.click("#update")
    page.wait_for_selector("#message.refused", timeout=120_000)
    assert page.inner_text("#message").startswith("The workbook was changed while the update ran, so nothing was "
                                                  "applied")
    assert not calls(page, "delete") and not calls(page, "insertWorksheetsFromBase64")
    shoot(page, "4-edited-refused")
    page.close()


def test_file_names_and_messages_are_shown_as_text_never_as_html(browser: Any, server: str, audit: Audit,
                                                                  tmp_path: Path) -> None:
    page = open_pane(browser, server, audit.audit)
    odd = tmp_path / "<img src=x onerror=alert(1)>.xlsx"
    odd.write_bytes(b"not a workbook")
    drop(page, [odd])
    assert page.inner_text("#dropped-count") == "1 file dropped."  # the count agrees with its noun
    cell = page.locator("#files tbody tr td").nth(1)
    assert cell.inner_text() == odd.name and page.locator("#files img").count() == 0
    assert page.locator("#files tbody tr").first.inner_text().startswith("REJECTED")
    page.close()


def test_a_whole_folder_can_be_chosen(browser: Any, server: str, audit: Audit) -> None:
    page = open_pane(browser, server, audit.audit)
    late = audit.returns / "late"
    late.mkdir()
    moved = sorted(audit.returns.glob("*.xlsx"))[0]
    moved.rename(late / moved.name)
    page.set_input_files("#folder-input", str(audit.returns))
    count = len([p for p in audit.returns.rglob("*.xlsx")])
    page.wait_for_function(f"document.querySelectorAll('#files tbody tr').length === {count}")
    files = {r.split("\t")[1] for r in page.locator("#files tbody tr").all_inner_texts()}
    assert f"returns/late/{moved.name}" in files  # the folder's own name and its subfolders, as chosen
    assert all(r.startswith("accepted") for r in page.locator("#files tbody tr").all_inner_texts())
    page.close()
