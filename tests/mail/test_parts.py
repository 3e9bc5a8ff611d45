"""``mail`` replaces only the sheets it changes (issue 19, item 10).

Before the first consolidation, a second ``mail`` run on a workbook xlpack
wrote replaces the Mail log's sheet part (and its table, the print area in
``workbook.xml``) and keeps every other zip member byte for byte, what the
coordinator typed elsewhere included. The workbook is read back with
openpyxl and with LibreOffice. A workbook saved since by another program is
written whole, as before; a note typed beside the log is refused by its
cell; a run stopped while the new file is written leaves the old one as it
was. (Once consolidated, the whole workbook is written: the Returns sheet
follows the Mail log; tests/mail/test_chase.py.)
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from tests.office.client import Office
from tests.support.mail_reading import table
from tests.support.safety import listing
from tests.support.sheet_xml import put_cell, sheet_parts
from xlpack.coordinator.mail_sheets import MAIL_LOG
from xlpack.errors import KeepTypedError
from xlpack.mail import draft_mail

TYPED = "Moderation meeting with the police and health leads"  # typed by the coordinator on the Meetings sheet


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def mail_log_parts(path: Path) -> set[str]:
    """The Mail log's sheet part and its table part."""
    with zipfile.ZipFile(path) as z:
        sheet = sheet_parts(z)[MAIL_LOG]
        rels = z.read(sheet.replace("worksheets/", "worksheets/_rels/") + ".rels").decode("utf-8")
    tables = {"xl/tables/" + t for t in re.findall(r'Target="\.\./tables/([^"]+)"', rels)}
    return {sheet, *tables}


def values(audit: Path, sheet: str) -> list[object]:
    wb = openpyxl.load_workbook(audit, read_only=True)
    try:
        return [c for row in wb[sheet].iter_rows(values_only=True) for c in row]
    finally:
        wb.close()


@pytest.fixture(scope="module")
def built(sample_forms: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated sample audit with its issue emails drafted once (the whole workbook written: a new sheet)."""
    audit, _ = sample_forms
    root = tmp_path_factory.mktemp("mail-parts")
    shutil.copytree(audit.parent, root / "audit", ignore=shutil.ignore_patterns("backups"))
    copy = root / "audit" / audit.name
    before = members(copy)
    assert draft_mail(copy, "issue").drafts
    after = members(copy)
    assert len({n for n in after if after[n] != before.get(n)}) > 10  # sheet parts numbered again: all written
    return copy


@dataclass
class Audit:
    audit: Path


@pytest.fixture
def audit(built: Path, tmp_path: Path) -> Audit:
    shutil.copytree(built.parent, tmp_path / "audit", symlinks=True)
    a = Audit(tmp_path / "audit" / built.name)
    # typed as a script or Excel stores text: an inline string, the package otherwise as xlpack wrote it
    put_cell(a.audit, "Meetings", f'<c r="A5" t="inlineStr"><is><t>{TYPED}</t></is></c>')
    return a


def test_a_second_run_replaces_only_the_mail_log(audit: Audit) -> None:
    before = members(audit.audit)
    logged = len(table(audit.audit, MAIL_LOG, "Drafted"))
    result = draft_mail(audit.audit, "issue", again=True)
    assert result.drafts
    after = members(audit.audit)
    assert set(after) == set(before)
    changed = {n for n in after if after[n] != before[n]}
    assert changed >= mail_log_parts(audit.audit)
    assert changed <= mail_log_parts(audit.audit) | {"xl/workbook.xml", "xl/styles.xml"}
    # the log holds the rows it held and one a form reminded, in the order drafted
    rows = table(audit.audit, MAIL_LOG, "Drafted")
    new = rows[logged:]
    assert len(rows) == logged + sum(len(d.form_ids) for d in result.drafts)
    assert {r["Form id"] for r in new} == {f for d in result.drafts for f in d.form_ids}
    assert {r["Message"] for r in new} == {"Issue"} and {r["Draft"] for r in new} == {d.path.name
                                                                                          for d in result.drafts}
    # what the coordinator typed on Meetings is there, and the backup is the workbook as it was
    assert TYPED in values(audit.audit, "Meetings")
    assert result.backup is not None and members(result.backup) == before


def test_the_print_area_follows_the_log(audit: Audit) -> None:
    draft_mail(audit.audit, "issue", again=True)
    wb = openpyxl.load_workbook(audit.audit)
    ws = wb[MAIL_LOG]
    last = ws.max_row
    assert ws.print_area == f"'{MAIL_LOG}'!$A$1:$H${last}"
    assert ws.tables["MailLog"].ref == f"A4:I{last}"
    assert ws["A5"].number_format == "dd/mm/yyyy hh:mm" and ws["A4"].font.b
    with zipfile.ZipFile(audit.audit) as z:  # the Start sheet still the only one selected
        selected = [n for n, part in sheet_parts(z).items() if b'tabSelected="1"' in z.read(part)]
    assert selected == ["Start"]


def test_a_note_typed_beside_the_log_is_refused_by_its_cell(audit: Audit) -> None:
    put_cell(audit.audit, MAIL_LOG, '<c r="K2" t="inlineStr"><is><t>Chase the police forms by phone</t></is></c>')
    before, files = audit.audit.read_bytes(), listing(audit.audit.parent)
    with pytest.raises(KeepTypedError, match=r"K2"):
        draft_mail(audit.audit, "issue", again=True)
    assert audit.audit.read_bytes() == before and listing(audit.audit.parent) == files  # the drafts removed too


def test_saved_by_another_program_the_whole_workbook_is_written(audit: Audit) -> None:
    wb = openpyxl.load_workbook(audit.audit)
    wb.save(audit.audit)  # as a coordinator's spreadsheet program would: no longer xlsxwriter's package
    result = draft_mail(audit.audit, "issue", again=True)
    assert result.drafts
    with zipfile.ZipFile(audit.audit) as z:
        assert b"rupBuild=\"4505\"" in z.read("xl/workbook.xml")  # written again by xlpack, whole
    assert TYPED in values(audit.audit, "Meetings")
    assert len(table(audit.audit, MAIL_LOG, "Drafted")) == 2 * sum(len(d.form_ids) for d in result.drafts)


def test_stopped_while_writing_the_old_workbook_stays(audit: Audit, monkeypatch: pytest.MonkeyPatch) -> None:
    import xlpack.workbook.parts as parts

    def stopped(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    before, files = audit.audit.read_bytes(), listing(audit.audit.parent)
    monkeypatch.setattr(parts, "replace_members", stopped)
    with pytest.raises(KeyboardInterrupt):
        draft_mail(audit.audit, "issue", again=True)
    assert audit.audit.read_bytes() == before
    left = {n for n in listing(audit.audit.parent) if n not in files}
    assert not [n for n in left if not n.startswith("drafts/")], left  # no temporary file, no backup
    assert not left, "drafts not recorded are removed"


@pytest.mark.office
def test_libreoffice_reads_the_replaced_log(audit: Audit, office: Office, tmp_path: Path) -> None:
    result = draft_mail(audit.audit, "issue", again=True)
    rows = table(audit.audit, MAIL_LOG, "Drafted")
    last = 4 + len(rows)
    read = office.recalc_read(audit.audit, [{"sheet": MAIL_LOG, "cell": c} for c in (f"B{last}", f"I{last}",
                                                                                      "A4", f"A{last}")]).check()
    assert read.values()[:3] == ["Issue", rows[-1]["Form id"], "Drafted"]
    assert read.values()[3] == rows[-1]["Drafted"].strftime("%d/%m/%Y %H:%M")
    assert any(rows[-1]["Form id"] in d.form_ids for d in result.drafts)
    pdf = office.convert(audit.audit, tmp_path).check().path
    assert pdf is not None
    import subprocess

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Emails drafted" in text and rows[-1]["Case reference"] in text
