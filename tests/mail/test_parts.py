"""``mail`` replaces only the sheets it changes (issue 19, item 10).

Before the first consolidation, a second ``mail`` run on a workbook xlpack
wrote replaces the Mail log's sheet part (and its table, the print area in
``workbook.xml``) and keeps every other zip member byte for byte, what the
coordinator typed elsewhere included. The workbook is read back with
openpyxl and with LibreOffice. A workbook saved since by another program is
written whole, as before; a note typed beside the log is refused by its
cell; a run stopped while the new file is written leaves the old one as it
was.

Once consolidated, the Returns sheet follows the Mail log ("Emails
drafted"): it is drawn again from its rows and replaced too, with the hidden
sheet holding its row digests, so the next consolidate takes nothing there
for the coordinator's typing and keeps the moderation typed on Grades. A
cell typed on the Returns sheet is refused by its cell, nothing changed.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.office.client import Office
from tests.support.audit_copy import copy_audit_folder
from tests.support.cells import cell_of, col
from tests.support.filling import fill_form
from tests.support.mail_reading import table
from tests.support.safety import listing
from tests.support.sheet_xml import put_cell, sheet_parts
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator.mail_sheets import MAIL_LOG
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import KeepTypedError
from xlpack.mail import draft_mail
from xlpack.workbook.readback import META
from xlpack.workbook.sheets.common import GRADE_COLUMNS

TODAY = date(2026, 12, 7)  # the sample audit's forms are overdue by then

TYPED = "Moderation meeting with the police and health leads"  # typed by the coordinator on the Meetings sheet


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def mail_log_parts(path: Path, name: str = MAIL_LOG) -> set[str]:
    """A sheet's part and its table parts (the Mail log's by default)."""
    with zipfile.ZipFile(path) as z:
        sheet = sheet_parts(z)[name]
        rels_part = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
        rels = z.read(rels_part).decode("utf-8") if rels_part in z.namelist() else ""
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
    copy = copy_audit_folder(audit, root / "audit")
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
    """Refused after the drafts were put in place: they are removed again, even when the run falls in the same
    second as the one before it, under the same draft names (the Mail log alone would take them as recorded)."""
    put_cell(audit.audit, MAIL_LOG, '<c r="K2" t="inlineStr"><is><t>Chase the police forms by phone</t></is></c>')
    before, files = audit.audit.read_bytes(), listing(audit.audit.parent)
    same_second = read_plan(audit.audit).mail_log[-1].drafted
    with pytest.raises(KeepTypedError, match=r"K2"):
        draft_mail(audit.audit, "issue", again=True, now=same_second)
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


@pytest.fixture(scope="module")
def consolidated(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The audit with its issue emails drafted, then the first two cases' audit forms returned and consolidated."""
    root = tmp_path_factory.mktemp("mail-parts-consolidated")
    audit = copy_audit_folder(built, root / "audit")
    plan = read_plan(audit)
    cases = {c.case_ref for c in plan.cases[:2]}
    returns = root / "returns"
    returns.mkdir()
    for f in sorted((f for f in plan.issued if f.kind == "audit" and f.case_ref in cases), key=lambda f: f.file):
        fill_form(built.parent / "forms" / f.file, returns / f.file, {"assessment": "Good", "planning": "Adequate"})
    consolidate(audit, [returns], today=TODAY)
    return audit


@dataclass
class Consolidated:
    audit: Path
    returns: Path
    moderated: str  # the row id of the grade moderated on the Grades sheet


@pytest.fixture
def moderated(consolidated: Path, tmp_path: Path) -> Consolidated:
    """A copy of the consolidated audit with a grade moderated on the Grades sheet (typed as Excel stores it)."""
    shutil.copytree(consolidated.parent.parent, tmp_path / "c", symlinks=True)
    audit = tmp_path / "c" / "audit" / consolidated.name
    grade = read_consolidated(audit).grades[0]
    ref = cell_of(audit, "Grades", col(GRADE_COLUMNS, "row_id"), grade.row_id, col(GRADE_COLUMNS, "moderated_grade"))
    put_cell(audit, "Grades", f'<c r="{ref}" t="inlineStr"><is><t>Inadequate</t></is></c>')
    return Consolidated(audit, tmp_path / "c" / "returns", grade.row_id)


def drafted_notes(audit: Path) -> dict[str, str]:
    """Form id -> the "Emails drafted" note on its issued row of the Returns sheet."""
    out: dict[str, str] = {}
    for r in table(audit, "Returns", "Case reference"):
        if r["Form id"] and r["Issued file"]:
            out.setdefault(r["Form id"], r["Emails drafted"] or "")
    return out


def test_consolidated_a_reminder_replaces_the_log_returns_and_digests(moderated: Consolidated) -> None:
    audit = moderated.audit
    before = members(audit)
    notes = drafted_notes(audit)
    replaced = mail_log_parts(audit) | mail_log_parts(audit, "Returns") | mail_log_parts(audit, META)
    result = draft_mail(audit, "reminder", today=TODAY)
    chased = {f for d in result.drafts for f in d.form_ids}
    assert chased
    after = members(audit)
    assert set(after) == set(before)
    changed = {n for n in after if after[n] != before[n]}
    with zipfile.ZipFile(audit) as z:
        parts = sheet_parts(z)
    assert changed >= mail_log_parts(audit) | {parts["Returns"], parts[META]}  # Returns' table: the same columns
    messages = {parts["Messages"]}  # its wording added for reminders
    assert changed <= replaced | messages | {"xl/workbook.xml", "xl/styles.xml"}, changed - replaced
    # the Returns sheet says who was reminded today, and still what was drafted before
    now = drafted_notes(audit)
    assert set(now) == set(notes)
    for form_id, note in now.items():
        assert (f"reminded on {TODAY.day} {TODAY:%b}" in note) == (form_id in chased), (form_id, note)
        assert ("issued" in note) == ("issued" in notes[form_id])
    assert result.backup is not None and members(result.backup) == before
    # the next consolidate finds nothing typed on Returns, and keeps the moderated grade
    consolidate(audit, [moderated.returns], today=TODAY)  # raises KeepTypedError if it finds a cell typed
    grade = next(g for g in read_consolidated(audit).grades if g.row_id == moderated.moderated)
    assert grade.moderated_grade == "Inadequate"
    assert drafted_notes(audit) == now


def test_consolidated_a_cell_typed_on_returns_is_refused_by_its_cell(moderated: Consolidated) -> None:
    put_cell(moderated.audit, "Returns", '<c r="B2" t="inlineStr"><is><t>Chase health by phone</t></is></c>')
    before, files = moderated.audit.read_bytes(), listing(moderated.audit.parent)
    with pytest.raises(KeepTypedError, match=r"'Returns'.*B2|B2"):
        draft_mail(moderated.audit, "reminder", today=TODAY)
    assert moderated.audit.read_bytes() == before and listing(moderated.audit.parent) == files


def test_saved_by_another_program_a_cell_typed_on_returns_is_refused_naming_mail(moderated: Consolidated) -> None:
    """Saved since by another program (openpyxl here, as Excel would), the workbook is written whole: the refusal
    of a cell typed on Returns names the command run, mail (it said "generate would lose ...")."""
    wb = openpyxl.load_workbook(moderated.audit)
    wb["Returns"]["M2"] = "Chase health by phone"
    wb.save(moderated.audit)
    before = moderated.audit.read_bytes()
    with pytest.raises(KeepTypedError) as refused:
        draft_mail(moderated.audit, "reminder", today=TODAY)
    assert str(refused.value).split("\n")[0].endswith("mail would lose 1 thing typed into it. Nothing is written "
                                                       "until it is dealt with:")
    assert "Sheet 'Returns', cell M2" in str(refused.value) and moderated.audit.read_bytes() == before


@pytest.mark.office
def test_libreoffice_reads_the_replaced_returns(moderated: Consolidated, office: Office, tmp_path: Path) -> None:
    result = draft_mail(moderated.audit, "reminder", today=TODAY)
    form_id = next(f for d in result.drafts for f in d.form_ids)
    ref = cell_of(moderated.audit, "Returns", "Form id", form_id, "Emails drafted")
    read = office.recalc_read(moderated.audit, [{"sheet": "Returns", "cell": ref}]).check()
    assert f"reminded on {TODAY.day} {TODAY:%b}" in str(read.values()[0])
    pdf = office.convert(moderated.audit, tmp_path).check().path
    assert pdf is not None
