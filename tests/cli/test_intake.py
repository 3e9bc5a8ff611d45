"""``xlpack intake``: the table or JSON on stdout, messages on stderr, the exit code saying how it went."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support.cli import CliResult, run_cli
from tests.support.filling import fill_form, input_map
from tests.support.intake_corpus import PASSWORD
from tests.support.intake_support import *
from tests.support.intake_support import fresh_copy
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.generate import encrypt
from xlpack.intake.problems import CATALOGUE

README = Path(__file__).resolve().parents[2] / "docs" / "guide.md"  # the coordinator's guide


def run(*args: str | Path) -> CliResult:
    return run_cli("intake", *args, columns=200)


def test_all_accepted_exits_0_with_a_table(filled_cp: Path, sample_forms: tuple[Path, Path], tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    fresh_copy(filled_cp, folder)
    (folder / "logo.png").write_bytes(b"\x89PNG")
    result = run(folder, "--audit", sample_forms[0])
    assert result.exit_code == 0, result.output
    assert "accepted" in result.stdout and filled_cp.name in result.stdout and "CP-2026-001" in result.stdout
    assert "Not a workbook (an image); skipped." in result.stdout
    assert result.stderr.strip() == "2 files: 1 accepted, 1 skipped. 1 form ready to consolidate."


def test_rejections_exit_3_and_name_the_cell(blank_cp: Path, sample_forms: tuple[Path, Path],
                                              tmp_path: Path) -> None:
    bad = fill_form(blank_cp, tmp_path / "typo.xlsx", cells={"section.assessment.grade": "Goood"})
    result = run(bad, "--audit", sample_forms[0])
    assert result.exit_code == 3
    line = next(x for x in result.stdout.splitlines() if "Goood" in x)
    cell = input_map(blank_cp)["section.assessment.grade"]["cell"]
    assert re.sub(r"\s+", " ", line).startswith(f"ERROR {bad}: Sheet 'Audit', cell {cell}: 'Goood' is not a grade. "
                                                 "Choose one of: Outstanding, Good, Adequate, Inadequate, "
                                                 "Not applicable, No evidence. What to do:")
    assert "1 rejected" in result.stderr


def test_json_for_automation(filled_cp: Path, sample_forms: tuple[Path, Path], tmp_path: Path) -> None:
    (tmp_path / "empty.xlsx").write_bytes(b"")
    result = run(filled_cp, tmp_path / "empty.xlsx", "--audit", sample_forms[0], "--json")
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert [(f["path"], f["status"]) for f in doc["files"]] == [(str(filled_cp), "accepted"),
                                                                (str(tmp_path / "empty.xlsx"), "rejected")]
    assert doc["files"][1]["problems"][0]["code"] == "empty-file"
    assert doc["totals"]["accepted"] == 1 and doc["totals"]["rejected"] == 1
    assert "1 rejected" in result.stderr


def test_password_opens_encrypted_forms(filled_cp: Path, sample_forms: tuple[Path, Path], tmp_path: Path) -> None:
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(encrypt(filled_cp.read_bytes(), PASSWORD))
    assert run(locked, "--audit", sample_forms[0]).exit_code == 3
    result = run(locked, "--audit", sample_forms[0], "--password", PASSWORD)
    assert result.exit_code == 0, result.output


def test_usage_errors_exit_2(sample_forms: tuple[Path, Path], tmp_path: Path) -> None:
    missing = run(tmp_path / "nowhere", "--audit", sample_forms[0])
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"Error: {tmp_path / 'nowhere'} does not exist.")
    no_audit = run(tmp_path)
    assert no_audit.exit_code == 2 and "--audit" in no_audit.stderr
    no_workbook = run(tmp_path, "--audit", tmp_path / "audit.xlsx")
    assert no_workbook.exit_code == 2 and "does not exist" in no_workbook.stderr


def test_nothing_to_do_exits_1(filled_cp: Path, sample_forms: tuple[Path, Path], tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    result = run(tmp_path, "--audit", sample_forms[0])
    assert result.exit_code == 1 and "No workbook was found" in result.stderr
    not_coordinator = run(tmp_path, "--audit", filled_cp)
    assert not_coordinator.exit_code == 1
    assert "is not an xlpack coordinator workbook" in not_coordinator.stderr


def test_a_long_batch_shows_progress_and_finishes(sample_forms: tuple[Path, Path]) -> None:
    result = run(sample_forms[1], "--audit", sample_forms[0], "--json")
    doc = json.loads(result.stdout)
    issued = len(read_plan(sample_forms[0]).issued) + 1  # the forms as issued, and the manifest
    assert doc["totals"]["files"] == issued and doc["totals"]["skipped"] == issued
    assert {f["problems"][0]["code"] for f in doc["files"] if f["kind"] == "workbook"} == {"issued-blank"}
    assert result.exit_code == 0


def test_the_readme_documents_the_command_and_every_code() -> None:
    text = README.read_text(encoding="utf-8")
    assert "xlpack intake" in text
    missing = [code for code in CATALOGUE if f"`{code}`" not in text]
    assert missing == []
