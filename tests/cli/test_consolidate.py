"""``xlpack consolidate``: summary or JSON on stdout, errors on stderr, exit codes 0 / 3 / 2 / 1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.support.cli import CliResult, run_cli
from tests.support.filling import fill_form
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.wording import counted

README = Path(__file__).resolve().parents[2] / "docs" / "guide.md"  # the coordinator's guide


def run(*args: str | Path) -> CliResult:
    return run_cli("consolidate", *args, columns=200)


@pytest.fixture
def returned(sample_copy: tuple[Path, Path], tmp_path: Path) -> tuple[Path, Path]:
    """(audit, returns folder) with the first case's audit forms returned, all valid."""
    audit, forms = sample_copy
    plan = read_plan(audit)
    folder = tmp_path / "returns"
    folder.mkdir()
    for f in plan.issued:
        if f.kind == "audit" and f.case_ref == plan.cases[0].case_ref:
            fill_form(forms / f.file, folder / f.file)
    return audit, folder


def test_all_accepted_exits_0_and_says_what_to_open(returned: tuple[Path, Path]) -> None:
    audit, folder = returned
    result = run(audit, folder)
    assert result.exit_code == 0, result.output
    n = len(list(folder.iterdir()))
    issued = len(read_plan(audit).issued)
    assert f"Consolidated {n} of {counted(issued, 'issued form')} into {audit}" in result.stdout
    assert f"Open {audit}: the Flags sheet first" in result.stdout
    assert "The previous version is kept as" in result.stdout
    assert result.stderr.strip() == ""


def test_a_rejected_return_exits_3(returned: tuple[Path, Path], sample_copy: tuple[Path, Path]) -> None:
    audit, folder = returned
    _, forms = sample_copy
    f = next(f for f in read_plan(audit).issued if f.kind == "audit" and not (folder / f.file).exists())
    fill_form(forms / f.file, folder / f.file, cells={"section.assessment.grade": "Goood"})
    result = run(audit, folder)
    assert result.exit_code == 3, result.output
    assert "1 returned file rejected" in result.stdout
    assert re.search(r"ERROR\s+" + re.escape(str(folder / f.file)) + r": Sheet 'Audit', cell B\d+: 'Goood' is not a",
                     result.stdout)


def test_json_for_automation(returned: tuple[Path, Path]) -> None:
    audit, folder = returned
    result = run(audit, folder, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["schema"] == "xlpack-consolidate/1" and doc["audit"] == str(audit)
    assert doc["totals"]["forms_issued"] == len(read_plan(audit).issued)
    assert {f["status"] for f in doc["files"]} == {"accepted"}
    assert all({"flag_id", "severity", "resolution"} <= set(f) for f in doc["flags"])


def test_usage_errors_exit_2(returned: tuple[Path, Path], tmp_path: Path) -> None:
    audit, _ = returned
    result = run(audit, tmp_path / "nowhere")
    assert result.exit_code == 2 and "nowhere does not exist" in result.stderr
    assert run(audit).exit_code == 2  # no returns given
    result = run(tmp_path / "missing.xlsx", tmp_path)
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_nothing_done_exits_1(returned: tuple[Path, Path]) -> None:
    audit, folder = returned
    lock = audit.with_name(".~lock." + audit.name + "#")
    lock.write_text("x")
    before = audit.read_bytes()
    result = run(audit, folder)
    assert result.exit_code == 1
    assert "is open in Excel or LibreOffice" in result.stderr and result.stdout == ""
    assert audit.read_bytes() == before


def test_the_readme_documents_the_command_and_its_exit_codes() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Consolidate"):]
    assert "xlpack consolidate AUDIT.xlsx RETURNS..." in section
    # the exit codes it lists are the README's table, each with the meaning the table gives it
    readme = (README.parents[1] / "README.md").read_text(encoding="utf-8")  # the table is the README's
    table = dict(re.findall(r"^\| (\d) \| ([^|]+?) \|", readme, re.MULTILINE))
    assert set(table) == {"0", "1", "2", "3"}
    said = section[section.index("Exit codes:"):].split("\n- ")[0]  # to the end of its bullet
    listed = re.findall(r"(?:: |; )(\d) ([a-z][^;(]+)", " ".join(said.split()))
    assert [code for code, _ in listed] == ["0", "3", "2", "1"]
    def first_word(words: str) -> str:
        return words.split()[0].strip(",:;")

    assert {code: first_word(words) for code, words in listed} == {code: first_word(table[code]) for code in table}
    for sheet in ("Returns", "Flags", "Case grid", "Grades", "Pivots", "Charts", "Agreement", "Evidence",
                  "Form answers", "Views", "Orphaned"):
        assert f"**{sheet}**" in section, sheet
