"""The Excel add-in: its button's Python side and the built add-in file.

There is no Excel here. The xlwings objects the button touches (the book,
its app, the open books) are stood in for by small fakes that behave as
Excel does where it matters: an open workbook has a ``~$`` lock file beside
it, which makes consolidate refuse, so the button must save and close the
book before consolidating and open it again afterwards.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

import xlpack
from tests.support.filling import fill_form
from xlpack.consolidate import read_consolidated
from xlpack.coordinator.plan_sheets import read_plan, write_coordinator
from xlpack.excel.addin import ADDIN_NAME, RIBBON_PART, build_addin, template_path
from xlpack.excel.button import update_book
from xlpack.files.workbooks import SheetReader
from xlpack.model.definitions import load_definition
from xlpack.wording import counted

PLANNING = load_definition("cp").section("planning").title  # the section's title in the CP tool

TODAY = date(2026, 11, 20)


class FakeSheet:
    def __init__(self, book: FakeBook, name: str):
        self.book, self.name = book, name

    def activate(self) -> None:
        self.book.app.events.append(("activate", self.name))


class FakeSheets:
    def __init__(self, book: FakeBook):
        self.book = book

    def __getitem__(self, name: str) -> FakeSheet:
        assert name in SheetReader(Path(self.book.fullname)).names, name
        return FakeSheet(self.book, name)


class FakeBook:
    def __init__(self, app: FakeApp, path: Path):
        self.app, self.fullname, self.name = app, str(path), path.name
        self.lock = path.with_name("~$" + path.name)
        if path.suffix == ".xlsx":
            self.lock.write_bytes(b"Excel lock")
        self.sheets = FakeSheets(self)

    def save(self) -> None:
        self.app.events.append(("save", self.name))

    def close(self) -> None:
        self.lock.unlink(missing_ok=True)
        self.app.events.append(("close", self.name))


class FakeBooks:
    def __init__(self, app: FakeApp):
        self.app = app
        self.active: FakeBook | None = None

    def open(self, path: str) -> FakeBook:
        self.app.events.append(("open", Path(path).name))
        self.active = FakeBook(self.app, Path(path))
        return self.active


class FakeApp:
    def __init__(self, answer: str = "no") -> None:
        self.events: list[tuple[str, str]] = []
        self.alerts: list[str] = []
        self.questions: list[str] = []
        self.answer = answer  # what the coordinator clicks when asked Yes or No
        self.books = FakeBooks(self)

    def alert(self, prompt: str, title: str = "", buttons: str = "ok") -> str:
        assert title == "xlpack" and buttons in ("ok", "yes_no")  # as xlwings' App.alert takes them
        if buttons == "yes_no":
            self.questions.append(prompt)
            return self.answer
        self.alerts.append(prompt)
        return "ok"


def _returns(audit: Path, forms: Path, folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    sources = sorted(forms.glob("CP_*.xlsx"))[:count]
    return [fill_form(src, folder / src.name, {"planning": "Inadequate"}) for src in sources]


def test_the_button_saves_closes_consolidates_and_reopens(sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    _returns(audit, forms, audit.parent / "returns", 6)
    app = FakeApp()
    book = app.books.open(str(audit))
    app.events.clear()
    message = update_book(book, today=TODAY)
    assert [e[0] for e in app.events] == ["save", "close", "open", "activate"]
    assert app.events[-1] == ("activate", "Flags")
    assert app.alerts == [message]
    issued = len(read_plan(audit).issued)
    assert message.startswith(f"Consolidated 6 of {counted(issued, 'issued form')} into {audit}")
    reader = SheetReader(audit)
    assert {"Returns", "Grades", "Flags", "Case grid"} <= set(reader.names)
    grades = [row for row in reader.rows("Grades") if PLANNING in row]
    assert len(grades) == 6 and all("Inadequate" in row for row in grades)
    assert list((audit.parent / "backups").glob("*.xlsx"))  # the previous version is kept
    assert app.books.active is not None and app.books.active.lock.exists()  # open again in "Excel"


def test_no_returns_folder_leaves_the_workbook_as_it_was(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    before = hashlib.sha256(audit.read_bytes()).hexdigest()
    app = FakeApp()
    book = app.books.open(str(audit))
    message = update_book(book, today=TODAY)
    assert message.startswith(f"There is no returns folder at {audit.parent / 'returns'}.")
    assert hashlib.sha256(audit.read_bytes()).hexdigest() == before
    assert [e[0] for e in app.events][-2:] == ["close", "open"]


def test_the_terms_of_reference_can_name_the_returns_folder(sample_copy: tuple[Path, Path], tmp_path: Path) -> None:
    audit, forms = sample_copy
    plan = read_plan(audit)
    elsewhere = tmp_path / "mailbox export"
    _returns(audit, forms, elsewhere, 2)
    write_coordinator(audit, plan.model_copy(update={"terms": plan.terms.model_copy(
        update={"returns_folder": str(elsewhere)})}))
    app = FakeApp()
    message = update_book(app.books.open(str(audit)), today=TODAY)
    assert message.startswith("Consolidated 2 of ")


def test_a_refusal_is_shown_and_the_workbook_reopened(sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    folder = audit.parent / "returns"
    _returns(audit, forms, folder, 1)
    app = FakeApp()
    book = app.books.open(str(audit))
    # LibreOffice's lock file too: consolidate refuses while any client holds the file.
    other = audit.with_name(f".~lock.{audit.name}#")
    other.write_bytes(b"lock")
    message = update_book(book, today=TODAY)
    assert "is open in Excel or LibreOffice" in message and message.endswith("Your workbook was not changed.")
    assert ("open", audit.name) in app.events


def test_alerts_due_but_not_drafted_come_first_in_the_buttons_message(sample_copy: tuple[Path, Path],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """consolidate that cannot write tells the alerts due first (``XlpackError.first``); so does the button."""
    import xlpack.excel.button as button
    from xlpack.errors import DiskError

    audit, forms = sample_copy
    _returns(audit, forms, audit.parent / "returns", 1)
    refused = DiskError("The disk holding the workbook is full.")
    refused.first = ("SAFEGUARDING ALERT: case CP-1 (Health): the auditor answered No.", "It was not drafted.")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise refused

    monkeypatch.setattr(button, "consolidate", full_disk)
    app = FakeApp()
    message = update_book(app.books.open(str(audit)), today=TODAY)
    assert message.startswith("SAFEGUARDING ALERT: case CP-1") and message.index("not drafted") < message.index(
        "The disk holding") and message.endswith("Your workbook was not changed.")


def test_an_unsaved_workbook_is_not_touched(tmp_path: Path) -> None:
    app = FakeApp()
    book = FakeBook(app, tmp_path / "Book1")
    message = update_book(book)
    assert message.startswith("Save this coordinator workbook as an Excel workbook (.xlsx) first")
    assert app.events == []


def test_xlpack_main_updates_the_active_book_when_called_from_the_add_in(
        sample_copy: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    xw = pytest.importorskip("xlwings")
    audit, forms = sample_copy
    _returns(audit, forms, audit.parent / "returns", 1)
    app = FakeApp()
    coordinator = app.books.open(str(audit))
    addin = FakeBook(app, audit.parent / "xlpack.xlam")
    monkeypatch.setattr(xw.Book, "caller", staticmethod(lambda: addin))
    assert app.books.active is coordinator
    xlpack.main()
    assert app.alerts and app.alerts[0].startswith("Consolidated 1 of ")


def test_the_built_add_in_calls_xlpack_main_from_its_ribbon(tmp_path: Path) -> None:
    pytest.importorskip("xlwings")
    addin = build_addin(tmp_path)
    assert addin.name == ADDIN_NAME == "xlpack.xlam"  # the VBA imports the module named after the file
    with zipfile.ZipFile(addin) as built, zipfile.ZipFile(template_path()) as template:
        assert built.namelist() == template.namelist()
        for name in built.namelist():
            if name != RIBBON_PART:
                assert built.read(name) == template.read(name), name  # the VBA is xlwings' own, unchanged
        ribbon = built.read(RIBBON_PART).decode()
    assert 'label="Update from returns"' in ribbon and 'onAction="RibbonMyAddin.RunMain"' in ribbon
    olevba = shutil.which("olevba") or str(Path(sys.executable).with_name("olevba"))
    if not Path(olevba).exists():
        pytest.skip("oletools' olevba is not installed")
    vba = subprocess.run([olevba, "--decode", str(addin)], capture_output=True, text=True, timeout=120).stdout
    body = vba[vba.index("Sub RunMain(control As IRibbonControl)"):]
    body = body[:body.index("End Sub")]
    assert 'mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, ".", -1, vbTextCompare) - 1))' in body
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in body
    assert "VBA MACRO RibbonMyAddin.bas" in vba


@pytest.mark.parametrize("answer", ["yes", "no"])
def test_missing_forms_are_dropped_only_when_the_coordinator_says_yes(sample_copy: tuple[Path, Path],
                                                                     answer: str) -> None:
    audit, forms = sample_copy
    returned = _returns(audit, forms, audit.parent / "returns", 3)
    update_book(FakeApp().books.open(str(audit)), today=TODAY)
    accepted_before = {g.form_id for g in read_consolidated(audit).grades}
    returned[0].unlink()  # withdrawn: no longer in the returns folder
    before = hashlib.sha256(audit.read_bytes()).hexdigest()
    app = FakeApp(answer)
    message = update_book(app.books.open(str(audit)), today=TODAY)
    assert len(app.questions) == 1
    question = app.questions[0]
    assert "1 form accepted at the last consolidation is not among the returns given" in question
    assert returned[0].name in question and "click Yes below to drop them now; No leaves the workbook as it is" \
        in question and "--allow-missing" not in question
    if answer == "no":
        assert message == "You clicked No: nothing was dropped and your workbook was not changed."
        assert hashlib.sha256(audit.read_bytes()).hexdigest() == before
    else:
        assert message.startswith(f"Consolidated 2 of {counted(len(read_plan(audit).issued), 'issued form')}")
        assert "1 form accepted last time was not among the returns given and was dropped, as asked " \
               "(you clicked Yes)." in message
        after = {g.form_id for g in read_consolidated(audit).grades}
        assert len(accepted_before) == 3 and len(after) == 2 and after < accepted_before
    assert app.alerts == [message]
