"""Every file accounted for: good forms accepted, every bad file named with its problem, inputs untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.filling import fill_form
from tests.support.intake_corpus import PASSWORD, Expect, build_corpus, email_with
from tests.support.intake_support import *
from tests.support.intake_support import codes, snapshot
from tests.support.mutate import rewrite
from xlpack.generate import encrypt
from xlpack.intake.batch import intake
from xlpack.intake.problems import CATALOGUE
from xlpack.model.plan import AuditPlan


@pytest.fixture(scope="module")
def corpus(sample_forms: tuple[Path, Path], other_audit_form: Path,
           tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Expect]]:
    root = tmp_path_factory.mktemp("corpus") / "inbox"
    blanks = sorted(sample_forms[1].glob("CP_*.xlsx"))[10:30]
    return root, build_corpus(root, blanks, other_audit_form)


def test_every_file_gets_its_status_and_code(corpus: tuple[Path, dict[str, Expect]], audit_plan: AuditPlan) -> None:
    root, expect = corpus
    before = snapshot(root)
    result = intake([root], audit_plan)
    assert snapshot(root) == before  # nothing read was changed, moved, renamed or added
    found = {f.path.removeprefix(f"{root}/"): f for f in result.files}
    assert set(found) == set(expect)
    for rel, want in expect.items():
        f = found[rel]
        assert f.status == want.status, (rel, f.problems)
        if want.code:
            assert want.code in codes(f), (rel, f.problems)
        else:
            assert f.problems == [], (rel, f.problems)
        for p in f.problems:
            assert p.code in CATALOGUE and p.message and p.fix
    assert {f.path for f in result.files if f.status in ("accepted", "accepted_with_warnings")} == {
        f"{root}/{rel}" for rel, want in expect.items() if want.status.startswith("accepted")}
    assert len(result.accepted) == 5
    assert result.exit_code == 3


def test_messages_name_the_file_problem_and_fix(corpus: tuple[Path, dict[str, Expect]],
                                                audit_plan: AuditPlan) -> None:
    root, _ = corpus
    found = {f.path.removeprefix(f"{root}/"): f for f in intake([root / "returns"], audit_plan).files}
    assert found["returns/locked.xlsx"].problems[0].message == "The workbook is encrypted: supply the password."
    assert found["returns/empty.xlsx"].problems[0].message == "The file is empty (0 bytes)."
    assert found["returns/old-format.xls"].problems[0].fix.startswith("Ask the auditor to fill in the .xlsx form")
    assert found["returns/not-a-zip.xlsx"].problems[0].message == "Not an Excel workbook: it is plain text."
    assert "(24.0 MB)" not in found["returns/bomb.xlsx"].problems[0].message
    assert "would expand from" in found["returns/bomb.xlsx"].problems[0].message
    assert found["returns/huge-part.xlsx"].problems[0].message == (
        "The part xl/media/photo.bin is 90.0 MB, more than the 64.0 MB a form's part can be.")


def test_encrypted_forms_open_with_the_password(corpus: tuple[Path, dict[str, Expect]],
                                                audit_plan: AuditPlan) -> None:
    root, _ = corpus
    locked = root / "returns" / "locked.xlsx"
    ok = intake([locked], audit_plan, password=PASSWORD)
    assert ok.files[0].status == "accepted" and len(ok.accepted) == 1
    wrong = intake([locked], audit_plan, password="not-it")
    assert codes(wrong.files[0]) == ["wrong-password"]


def test_a_path_that_does_not_exist(audit_plan: AuditPlan, tmp_path: Path) -> None:
    result = intake([tmp_path / "missing.xlsx"], audit_plan)
    assert [(f.status, codes(f)) for f in result.files] == [("rejected", ["not-found"])]


def test_xls_named_workbook_that_is_really_xlsx(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    renamed = tmp_path / "form.xls"
    renamed.write_bytes(filled_cp.read_bytes())
    f = intake([renamed], audit_plan).files[0]
    assert f.status == "accepted_with_warnings" and codes(f) == ["wrong-extension"]


def test_a_fifo_is_never_opened(audit_plan: AuditPlan, tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.xlsx")
    result = intake([tmp_path], audit_plan)
    assert [(f.path.rsplit("/", 1)[-1], codes(f)) for f in result.files] == [("pipe.xlsx", ["not-a-file"])]


def test_encrypted_form_attached_to_an_email(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    mail = tmp_path / "return.eml"
    mail.write_bytes(email_with([("form.xlsx", encrypt(filled_cp.read_bytes(), PASSWORD))]))
    result = intake([mail], audit_plan, password=PASSWORD)
    assert [f.status for f in result.files] == ["skipped", "accepted"]
    assert result.files[1].path == f"{mail}/form.xlsx"


def test_unsafe_xml_in_shared_strings(blank_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    """The generated forms use shared strings: a declaration there is refused before calamine reads it."""
    from tests.support.mutate import BILLION_LAUGHS, with_prolog

    out = tmp_path / "f.xlsx"
    out.write_bytes(rewrite(blank_cp, {"xl/sharedStrings.xml": with_prolog(BILLION_LAUGHS, b"&lol4;")}))
    f = intake([out], audit_plan).files[0]
    assert codes(f) == ["unsafe-xml"]
    assert f.problems[0].message.startswith("The part xl/sharedStrings.xml declares XML entities")


def test_result_json_document(filled_cp: Path, sample_forms: tuple[Path, Path], audit_plan: AuditPlan,
                              tmp_path: Path) -> None:
    import json

    other = fill_form(sorted(sample_forms[1].glob("CP_*.xlsx"))[5], tmp_path / "x.xlsx")
    doc = json.loads(intake([filled_cp, other, tmp_path / "nope.xlsx"], audit_plan).to_json())
    assert doc["schema"] == "xlpack-intake/1" and doc["audit_id"] == audit_plan.audit_id
    assert [f["status"] for f in doc["files"]][-1] == "rejected"
    first = doc["files"][0]
    assert set(first) == {"path", "kind", "status", "form_id", "case_ref", "agency", "auditor", "saved_at",
                          "modified", "size", "sha256", "problems"}
    assert first["saved_at"] == "2026-11-20T09:00:00+00:00"
    problem = doc["files"][-1]["problems"][0]
    assert problem == {"code": "not-found", "severity": "error", "message": "Not found: there is no file or folder "
                       "at this path.", "fix": "Check the path.", "sheet": None, "cell": None}
    assert doc["totals"]["files"] == 3 and doc["totals"]["rejected"] >= 1


def test_a_bug_while_reading_one_file_does_not_stop_the_batch(filled_cp: Path, sample_forms: tuple[Path, Path],
                                                              audit_plan: AuditPlan, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import xlpack.intake.batch

    real = xlpack.intake.batch.read_form

    def fragile(data: bytes, source: str, *args: Any) -> Any:
        if source == str(filled_cp):
            raise RuntimeError("boom")
        return real(data, source, *args)

    monkeypatch.setattr(xlpack.intake.batch, "read_form", fragile)
    other = fill_form(sorted(sample_forms[1].glob("CP_*.xlsx"))[3], tmp_path / "other.xlsx")
    result = intake([filled_cp, other], audit_plan)
    assert [f.status for f in result.files] == ["rejected", "accepted"]
    assert codes(result.files[0]) == ["internal-error"]
    assert result.files[0].problems[0].message == "xlpack failed while reading this file (RuntimeError: boom)."
