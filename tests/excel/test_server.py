"""The xlwings Server add-in's server side, under FastAPI's TestClient (issue 17).

The routes get what the task pane sends (the open workbook and the dropped
files, as multipart), and the answers are checked against the library run
directly: the update's sheets equal the CLI's consolidate of the same
inputs cell by cell, refusals come back with their kind and words, bad files
are classified as intake classifies them. Every request's private folder is
created under a folder of the test's own, which must be empty after every
request, a failing one included.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest

from tests.support.cells import cell_of, col
from tests.support.documents import child
from tests.support.filling import fill_form
from tests.support.intake_corpus import build_corpus
from tests.support.intake_support import codes, other_audit_form  # noqa: F401  (fixture)
from tests.support.safety import Audit, audit, built  # noqa: F401  (fixtures)
from tests.support.sheet_xml import add_note, put_cell
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.intake.batch import intake
from xlpack.workbook.readback import META
from xlpack.workbook.sheets.common import ANALYSIS_SHEETS, GRADE_COLUMNS

if importlib.util.find_spec("xlwings_server") is None:  # not importorskip: importing it reads its settings
    pytest.skip("xlwings-server is not installed (pip install -e '.[server]')", allow_module_level=True)
from fastapi.testclient import TestClient

from xlpack.excel.server import service
from xlpack.excel.server.app import create_app
from xlpack.excel.server.job import ALLOWED_BY, OWNED
from xlpack.wording import counted

NS = {"o": "http://schemas.microsoft.com/office/appforoffice/1.1",
      "ov": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
      "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
      "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
XSI_TYPE = f"{{{NS['xsi']}}}type"


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


@pytest.fixture(autouse=True)
def server_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The server's temporary folder, for this test only: nothing may be left in it after a request."""
    folder = tmp_path / "server-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    assert not list(folder.iterdir()), f"left on the server: {[p.name for p in folder.rglob('*')]}"


def dropped_from(folder: Path) -> list[tuple[str, bytes]]:
    """Every regular file under ``folder`` as the page sends it: its path as dropped, and its bytes."""
    return [(str(p.relative_to(folder)), p.read_bytes()) for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()]


def post(client: TestClient, route: str, workbook: Path, files: list[tuple[str, bytes]],
         allow_missing: bool = False, name: str | None = None) -> Any:
    parts: list[tuple[str, Any]] = [("workbook", (workbook.name, workbook.read_bytes(), "application/octet-stream"))]
    parts += [("files", (Path(p).name, data, "application/octet-stream")) for p, data in files]
    data: dict[str, Any] = {"name": name or workbook.name, "paths": [p for p, _ in files]}
    if allow_missing:
        data["allow_missing"] = "true"
    return client.post(f"/xlpack/{route}", files=parts, data=data)


# ---- the add-in's files ---------------------------------------------------------------------------------------

def test_the_manifest_names_the_task_pane_the_button_and_the_api_sets(client: TestClient) -> None:
    response = client.get("/manifest.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.text)
    assert root.get(XSI_TYPE) == "TaskPaneApp"
    order = [el.tag.split("}")[1] for el in root]  # the schema fixes the order of OfficeApp's children
    assert order == ["Id", "Version", "ProviderName", "DefaultLocale", "DisplayName", "Description", "IconUrl",
                     "HighResolutionIconUrl", "SupportUrl", "AppDomains", "Hosts", "Requirements", "DefaultSettings",
                     "Permissions", "VersionOverrides"]
    sets = {s.get("Name"): s.get("MinVersion") for s in root.findall("o:Requirements/o:Sets/o:Set", NS)}
    assert sets == {"ExcelApi": "1.13", "File": "1.1"}
    assert root.findtext("o:Permissions", namespaces=NS) == "ReadWriteDocument"
    assert child(root, "o:Hosts/o:Host", NS).get("Name") == "Workbook"
    pane = child(root, "o:DefaultSettings/o:SourceLocation", NS).get("DefaultValue")
    assert pane == "http://testserver/taskpane.html"
    overrides = root.find("ov:VersionOverrides", NS)
    assert overrides is not None and overrides.get(XSI_TYPE) == "VersionOverridesV1_0"
    strings = {s.get("id"): s.get("DefaultValue") for s in overrides.iter(f"{{{NS['bt']}}}String")}
    urls = {u.get("id"): u.get("DefaultValue") for u in overrides.iter(f"{{{NS['bt']}}}Url")}
    tab = overrides.find(".//ov:CustomTab", NS)
    assert tab is not None and strings[child(tab, "ov:Label", NS).get("resid")] == "xlpack"
    buttons = tab.findall(".//ov:Control", NS)
    assert [strings[child(b, "ov:Label", NS).get("resid")] for b in buttons] == ["Update from returns"]
    action = buttons[0].find("ov:Action", NS)
    assert action is not None and action.get(XSI_TYPE) == "ShowTaskpane"
    assert urls[child(action, "ov:SourceLocation", NS).get("resid")] == pane
    images = [i.get("DefaultValue") for i in root.iter() if i.tag.endswith("Image") or i.tag.endswith("IconUrl")
              or i.tag.endswith("HighResolutionIconUrl")]
    for url in filter(None, images):
        icon = client.get(url.removeprefix("http://testserver"))
        assert icon.status_code == 200 and icon.content.startswith(b"\x89PNG"), url


def test_the_task_pane_and_its_scripts_are_served_with_security_headers(client: TestClient) -> None:
    page = client.get("/taskpane.html")
    assert page.status_code == 200
    for needed in ('id="drop"', 'id="update"', 'id="files"', 'id="allow-missing"', "OFFICIAL-SENSITIVE"):
        assert needed in page.text
    for script in ("/static/xlpack/taskpane.js", "/static/vendor/office-js/16.0.20308.15050/dist/office.js",
                   "/static/xlpack/taskpane.css"):
        assert script in page.text
        assert client.get(script).status_code == 200, script
    for response in (page, client.post("/xlpack/check", data={})):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"].startswith("no-store")
        assert "max-age" in response.headers["Strict-Transport-Security"]


def test_with_entra_id_on_the_routes_refuse_a_request_without_a_token(client: TestClient,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from xlwings_server.config import settings

    monkeypatch.setattr(settings, "auth_providers", ["entraid"])
    for route in ("check", "update"):
        response = client.post(f"/xlpack/{route}", data={"name": "Audit.xlsx"})
        assert response.status_code == 401 and "Bearer" in response.json()["detail"]
    assert "<WebApplicationInfo>" in client.get("/manifest.xml").text


# ---- the update equals the CLI's consolidate ------------------------------------------------------------------

def cells(path: Path) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Every cell of every sheet xlpack owns: value, number format, fill, bold; and the sheet's tables,
    validations and state."""
    book = openpyxl.load_workbook(path)
    out: dict[str, dict[str, tuple[Any, ...]]] = {}
    for ws in book.worksheets:
        if ws.title not in OWNED:
            continue
        sheet: dict[str, tuple[Any, ...]] = {c.coordinate: (c.value, c.number_format, c.fill.fgColor.rgb, c.font.b)
                 for row in ws.iter_rows() for c in row if c.value is not None or c.has_style}
        sheet["state"] = (ws.sheet_state,)
        sheet["tables"] = tuple(sorted((t.displayName, t.ref) for t in ws.tables.values()))
        sheet["validations"] = tuple(sorted((str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation))
        out[ws.title] = sheet
    return out


@pytest.mark.slow
def check_charts(specs: list[dict[str, Any]], workbook: Path) -> None:
    """The charts the page will draw: one per chart in the file, each series over its own column of the table
    (the header above its values is its name; its categories are the table's row labels, on the same rows)."""
    with zipfile.ZipFile(workbook) as z:
        assert len(specs) == len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) > 0
    book = openpyxl.load_workbook(workbook)
    for spec in specs:
        assert spec["sheet"] == "Charts" and spec["title"] and spec["type"].startswith("Bar")
        for series in spec["series"]:
            (sheet, values), (cat_sheet, cats) = series["values"], series["categories"]
            column, label = book[sheet][values], book[cat_sheet][cats]
            assert [c[0].row for c in column] == [c[0].row for c in label]
            assert book[sheet].cell(column[0][0].row - 1, column[0][0].column).value == series["name"]
            assert all(isinstance(c[0].value, int | float) for c in column)
            assert all(isinstance(c[0].value, str) and c[0].value for c in label)
            assert series["colour"] and series["colour"].startswith("#")


def test_the_update_brings_the_clis_sheets_keeping_what_was_typed(client: TestClient, audit: Audit, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    plan = read_plan(audit.audit)
    # Late returns: the third case's forms come in.
    third = plan.cases[2].case_ref
    for f in (f for f in plan.issued if f.kind == "audit" and f.case_ref == third):
        fill_form(audit.forms / f.file, audit.returns / f.file, {"planning": "Inadequate"})
    # The coordinator typed a moderated grade and its note before clicking (as Excel stores typed text).
    grade = read_consolidated(audit.audit).grades[0]
    for field, text in (("moderated_grade", "Good"), ("moderation_note", "Agreed at the panel")):
        ref = cell_of(audit.audit, "Grades", col(GRADE_COLUMNS, "row_id"), grade.row_id,
                      col(GRADE_COLUMNS, field))
        put_cell(audit.audit, "Grades", f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')

    # The CLI's consolidate of the same inputs, laid out as the server lays them out (relative paths).
    cli = tmp_path / "cli"
    cli.mkdir()
    shutil.copy(audit.audit, cli / audit.audit.name)
    shutil.copytree(audit.returns, cli / "returns")
    monkeypatch.chdir(cli)
    expected = consolidate(Path(audit.audit.name), [Path("returns")])

    response = post(client, "update", audit.audit, dropped_from(audit.returns))
    answer = response.json()
    assert response.status_code == 200 and answer["ok"], answer
    got = tmp_path / "from-server.xlsx"
    got.write_bytes(base64.b64decode(answer["workbook"]))

    want, have = cells(cli / audit.audit.name), cells(got)
    assert set(have) == set(want) and set(have) >= {"Grades", "Flags", "Returns", META}
    for sheet in want:
        if sheet == META:  # the time of day of the consolidation differs; the row digests must not
            want[sheet].pop("B2"), have[sheet].pop("B2")
        differ = [ref for ref in want[sheet].keys() | have[sheet].keys()
                  if want[sheet].get(ref) != have[sheet].get(ref)]
        assert not differ, f"{sheet}: {sorted(differ)[:5]}"

    # What the page needs: the sheets to insert in the CLI's order and visibility, and to delete.
    order = [ws.title for ws in openpyxl.load_workbook(got, read_only=True).worksheets if ws.title in OWNED]
    assert [s["name"] for s in answer["sheets"]] == order
    every = [ws.title for ws in openpyxl.load_workbook(got, read_only=True).worksheets]
    assert answer["after"] == every[every.index(order[0]) - 1] == "Meetings"  # the last plan sheet
    assert {s["name"]: s["visibility"] for s in answer["sheets"]}[META] == "VeryHidden"
    assert set(answer["owned"]) == {*ANALYSIS_SHEETS, META} and answer["activate"] == "Flags"
    check_charts(answer["charts"], got)
    kept = next(g for g in read_consolidated(got).grades if g.row_id == grade.row_id)
    assert (kept.moderated_grade, kept.moderation_note) == ("Good", "Agreed at the panel")
    summary = "\n".join(answer["summary"])
    assert summary.startswith(f"Consolidated {len({g.form_id for g in expected.data.grades})} of "
                              f"{counted(len(plan.issued), 'issued form')} into {audit.audit.name}:")
    assert "backups" not in summary and "Flags is open" in answer["summary"][-1]
    assert answer["state"]["returned"] == len({g.form_id for g in expected.data.grades})
    rows = {r["file"]: r["status"] for r in answer["files"]}
    assert rows == {Path(f.path).name: f.status for f in expected.files}


# ---- refusals: the CLI's, in the task pane's words ------------------------------------------------------------

@pytest.mark.slow
def test_missing_forms_are_refused_until_accepted_on_purpose(client: TestClient, audit: Audit) -> None:
    files = dropped_from(audit.returns)
    before = audit.audit.read_bytes()
    answer = post(client, "update", audit.audit, files[1:]).json()
    assert not answer["ok"] and answer["refusal"] == "missing-forms"
    assert "1 form accepted at the last consolidation is not among the returns given" in answer["message"]
    assert files[0][0] in answer["message"]  # the missing form is named
    assert "tick 'Accept missing forms on purpose' and click Update again" in answer["message"]
    assert "--allow-missing" not in answer["message"] and "workbook" not in answer
    assert answer["message"].endswith("Your workbook was not changed.")
    assert audit.audit.read_bytes() == before
    accepted = post(client, "update", audit.audit, files[1:], allow_missing=True).json()
    assert accepted["ok"], accepted
    assert f"1 form accepted last time was not among the returns given and was dropped, as asked ({ALLOWED_BY})." \
        in accepted["summary"]


@pytest.mark.slow
def test_typed_words_that_would_be_lost_are_refused(client: TestClient, audit: Audit) -> None:
    add_note(audit.audit, "Flags", "B5", "Ring the school first")
    answer = post(client, "update", audit.audit, dropped_from(audit.returns)).json()
    assert not answer["ok"] and answer["refusal"] == "typed-would-be-lost", answer
    assert "Flags" in answer["message"] and "B5" in answer["message"]
    assert answer["message"].startswith(f"{audit.audit.name} was not changed: consolidate would lose 1 thing typed")


@pytest.mark.slow
def test_a_workbook_that_is_not_a_coordinator_workbook_is_refused(client: TestClient, audit: Audit,
                                                                   tmp_path: Path) -> None:
    other = tmp_path / "Budget.xlsx"
    book = openpyxl.Workbook()
    book.active["A1"] = "Not an audit"
    book.save(other)
    for route in ("check", "update"):
        answer = post(client, route, other, dropped_from(audit.returns)).json()
        assert not answer["ok"] and answer["refusal"] == "not-coordinator", answer
        assert answer["message"].startswith("Budget.xlsx is not an xlpack coordinator workbook")


def test_a_request_without_a_workbook_is_refused(client: TestClient) -> None:
    response = client.post("/xlpack/update", files=[("files", ("a.xlsx", b"x"))], data={"paths": ["a.xlsx"]})
    assert response.status_code == 400 and "No workbook was sent" in response.json()["message"]


# ---- what intake makes of each file ---------------------------------------------------------------------------

@pytest.mark.slow
def test_bad_files_are_classified_as_the_cli_classifies_them(client: TestClient, built: Audit,
                                                             sample_forms: tuple[Path, Path],
                                                             other_audit_form: Path, tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    blanks = sorted(sample_forms[1].glob("CP_*.xlsx"))[10:30]
    expect = build_corpus(root, blanks, other_audit_form)
    sent = dropped_from(root)
    answer = post(client, "check", built.audit, sent).json()
    assert answer["ok"], answer
    # as xlpack intake RETURNS --audit AUDIT classifies them
    direct = {f.path.removeprefix(f"{root}/"): f
              for f in intake([root], read_plan(built.audit), source=built.audit.name).files}
    rows = {r["file"]: r for r in answer["files"]}
    for rel, _ in sent:
        want = direct[rel]
        assert rows[rel]["status"] == want.status == expect[rel].status, (rel, rows[rel])
        shown = {p["message"] for p in rows[rel]["problems"]}
        assert shown == {p.message for p in want.problems if p.severity != "info" or want.status == "superseded"}
        if expect[rel].code:
            assert expect[rel].code in codes(want)
    assert answer["state"]["issued"] == len(read_plan(built.audit).issued)
    assert answer["state"]["returned"] == len({g.form_id for g in read_consolidated(built.audit).grades})


# ---- limits and leaving nothing behind ------------------------------------------------------------------------

def test_too_many_files_or_too_many_bytes_are_refused_before_anything_is_read(
        client: TestClient, audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    files = dropped_from(audit.returns)
    monkeypatch.setenv("XLPACK_SERVER_MAX_FILES", str(len(files) - 1))
    response = post(client, "check", audit.audit, files)
    assert response.status_code == 413 and f"(up to {len(files) - 1})" in response.json()["message"]
    monkeypatch.setenv("XLPACK_SERVER_MAX_FILES", str(len(files)))
    monkeypatch.setenv("XLPACK_SERVER_MAX_MB", "0.5")
    response = post(client, "check", audit.audit, files)
    size = int(response.request.headers["content-length"]) / 1024 / 1024
    assert response.status_code == 413 and response.json()["message"].startswith(
        f"The workbook and the files dropped come to {size:.1f} MB; the server takes up to 0.5 MB at a time.")


@pytest.mark.parametrize(("name", "value"), [("XLPACK_SERVER_MAX_MB", "abc"), ("XLPACK_SERVER_MAX_MB", "1e309"),
                                            ("XLPACK_SERVER_MAX_MB", "0"), ("XLPACK_SERVER_MAX_FILES", "-3"),
                                            ("XLPACK_SERVER_TIMEOUT", "ten")])
def test_a_limit_set_wrong_by_it_is_named_not_a_server_error(client: TestClient, audit: Audit, name: str, value: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A limit IT set to something not a positive number: ``xlpack serve`` does not start and says which setting;
    a request answers with the same words, not "An error occurred" (HTTP 500 from a ValueError, as before) nor a
    refusal of every request as too large (0 MB)."""
    from xlpack.errors import UsageError

    monkeypatch.setenv(name, value)
    with pytest.raises(UsageError, match=f"{name}='{value}' is not"):
        service.Limits.from_environment()
    response = post(client, "check", audit.audit, [])
    assert response.status_code == 500
    assert response.json()["refusal"] == "server" and f"{name}='{value}' is not" in response.json()["message"]
    from tests.support.cli import run_cli

    started = run_cli("serve", "--port", "1")
    assert started.exit_code == 2 and f"{name}='{value}' is not" in started.stderr


def test_alerts_due_but_not_drafted_come_first_in_a_refusal(tmp_path: Path) -> None:
    """The task pane shows the alerts due before the reason nothing was written, as the console does."""
    from xlpack.errors import UsageError
    from xlpack.excel.server.job import refusal

    refused = UsageError("The disk holding the workbook is full.")
    refused.first = ("SAFEGUARDING ALERT: case CP-1 (Health): the auditor answered No.", "It was not drafted.")
    message = refusal(refused, tmp_path / "audit.xlsx")["message"]
    assert message.startswith("SAFEGUARDING ALERT: case CP-1") and message.index("not drafted") < message.index(
        "The disk holding") and message.endswith("Your workbook was not changed.")


def test_the_defaults_are_the_documented_limits() -> None:
    limits = service.Limits()
    assert (limits.files, limits.total_bytes, limits.seconds) == (2000, 200 * 1024 * 1024, 600)


def test_names_cannot_leave_the_private_folder(tmp_path: Path) -> None:
    for bad in ("../../etc/passwd", "a/../../b.xlsx", ""):
        with pytest.raises(service.RequestRefused):
            service.safe_relative(bad)
    assert str(service.safe_relative("/returns\\Social care/CP_1.xlsx")) == "returns/Social care/CP_1.xlsx"
    assert service.workbook_name(["https:", "", "x", "sites", "a", "Audit%202026.xlsx"][-1]) == "Audit%202026.xlsx"
    assert service.workbook_name("Book1") == "Book1.xlsx"


def test_any_names_dropped_are_stored_whole_with_their_extensions(tmp_path: Path) -> None:
    """Names the file system cannot hold as dropped: long in bytes (200 CJK characters are 600 bytes, over the 255 a
    name may have), folders deeper than a path may be, a file dropped under the name of a folder of another. Each is
    stored under a name that keeps its extension (so intake reads it as what it is), never an error; before, these
    raised OSError (the server answered 500) and a name over 200 characters lost its extension."""
    long_cjk, long_ascii = "表" * 200 + ".xlsx", "CP_" + "x" * 240 + ".xlsx"
    dropped = [(long_cjk, b"1"), (long_ascii, b"2"), (long_ascii, b"3"), ("😀" * 100 + ".eml", b"4"),
               ("/".join(["d" * 200] * 30) + "/deep.xlsx", b"5"), ("a.xlsx", b"6"), ("a.xlsx/b.xlsx", b"7"),
               ("c/d.zip", b"8"), ("c", b"9")]
    audit = service.store(tmp_path, ("表" * 200 + ".xlsx", b"book"), dropped)
    assert audit.read_bytes() == b"book" and audit.suffix == ".xlsx" and len(audit.name.encode()) <= 255
    stored = {p.read_bytes(): p for p in (tmp_path / "returns").rglob("*") if p.is_file()}
    assert sorted(stored) == [str(i).encode() for i in range(1, 10)]
    for data, suffix in ((b"1", ".xlsx"), (b"2", ".xlsx"), (b"3", ".xlsx"), (b"4", ".eml"), (b"5", ".xlsx"),
                         (b"7", ".xlsx"), (b"8", ".zip")):
        assert stored[data].suffix == suffix, stored[data]
    assert stored[b"1"].name.startswith("表" * 50) and stored[b"2"].name != stored[b"3"].name
    assert all(len(part.encode()) <= 255 for p in stored.values() for part in p.parts)


@pytest.mark.slow
def test_a_failing_run_leaves_nothing_behind(client: TestClient, audit: Audit, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "Audit.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    answer = post(client, "update", broken, dropped_from(audit.returns)).json()
    assert not answer["ok"] and answer["refusal"] == "refused", answer
    assert answer["message"].startswith("Audit.xlsx cannot be read as an Excel workbook")
    assert answer["message"].endswith("Your workbook was not changed.")
    today = os.environ.get("XLPACK_TODAY", "")
    monkeypatch.setenv("XLPACK_TODAY", "not a date")  # the job stops with an error that is not xlpack's own
    answer = post(client, "update", audit.audit, dropped_from(audit.returns)).json()
    assert answer["refusal"] == "error" and answer["message"].startswith("xlpack stopped unexpectedly (ValueError: ")
    monkeypatch.setenv("XLPACK_TODAY", today)
    monkeypatch.setenv("XLPACK_SERVER_TIMEOUT", "0.001")
    answer = post(client, "update", audit.audit, dropped_from(audit.returns)).json()
    assert answer["refusal"] == "timeout" and "XLPACK_SERVER_TIMEOUT" in answer["message"]
    monkeypatch.delenv("XLPACK_SERVER_TIMEOUT")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(service, "run_job", crash)
    monkeypatch.setattr("xlpack.excel.server.routes.run_job", crash)
    failing = TestClient(create_app(), raise_server_exceptions=False)
    assert post(failing, "update", audit.audit, dropped_from(audit.returns)).status_code == 500
    # server_tmp checks, as after every test here, that no private folder is left


@pytest.mark.slow
def test_the_job_keeps_what_it_writes_in_the_private_folder(client: TestClient, audit: Audit,
                                                            server_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []
    real = service.run_job

    def spy(folder: Path, *args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(folder)
        assert folder.parent == server_tmp and oct(folder.stat().st_mode & 0o777) == "0o700"
        assert sorted(p.name for p in folder.iterdir()) == [audit.audit.name, "returns"]
        return real(folder, *args, **kwargs)

    monkeypatch.setattr("xlpack.excel.server.routes.run_job", spy)
    assert post(client, "check", audit.audit, dropped_from(audit.returns)[:2]).json()["ok"]
    assert seen and not seen[0].exists()


@pytest.mark.slow
def test_a_zip_of_returns_is_read_as_the_cli_reads_it(client: TestClient, audit: Audit) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in dropped_from(audit.returns):
            z.writestr(f"returns/{name}", data)
    answer = post(client, "check", audit.audit, [("returns.zip", buffer.getvalue())]).json()
    statuses = [r["status"] for r in answer["files"] if r["file"] != "returns.zip"]
    assert statuses and set(statuses) == {"accepted"}, answer["files"]


@pytest.mark.slow
def test_xlpack_serve_serves_the_add_in(tmp_path: Path) -> None:
    """The CLI command starts the same app: the manifest comes back over a real socket."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    server = subprocess.Popen([sys.executable, "-m", "xlpack", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/manifest.xml", timeout=2) as response:
                    text = response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError(os.read(server.stderr.fileno(), 1 << 16).decode() if server.stderr else "no answer")
        assert 'DefaultValue="Update from returns"' in text and f"http://127.0.0.1:{port}/taskpane.html" in text
    finally:
        server.terminate()
        server.wait(10)
    assert server.stderr is not None
    assert "Nothing about a child is kept on this machine" in server.stderr.read().decode()
