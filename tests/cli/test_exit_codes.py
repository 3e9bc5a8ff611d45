"""One table of exit codes, true for every command: 0 done, 3 done with rejected inputs, 2 usage, 1 nothing done.

Each command is run as a person would (through the CLI) on a missing
path (2), on a workbook whose plan cannot be used (1), and on good input
(0); intake and consolidate also on a rejected return (3).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.filling import return_first_audit_form
from xlpack.coordinator.plan_sheets import create_audit, read_plan


def run(*args: str | Path) -> tuple[int, str]:
    res = run_cli(*args)
    return res.exit_code, res.stdout + res.stderr


@pytest.mark.parametrize("command", [
    ["generate", "{missing}"], ["intake", "{missing}", "--audit", "{missing}"],
    ["sample", "{missing}", "--audit", "{missing}", "--size", "3"],
    ["consolidate", "{missing}", "{missing}"], ["report", "{missing}"], ["check-definition", "{missing}"],
    ["mail", "{missing}"], ["pack", "{missing}"], ["feedback", "{missing}", "--by", "agency"],
])
def test_a_missing_path_is_a_usage_error(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "no such file.xlsx"
    code, text = run(*[a.format(missing=missing) for a in command])
    assert code == 2, text
    assert "no such file.xlsx" in text


def test_init_refuses_an_unknown_tool_and_takes_tool_ids_in_any_case(tmp_path: Path) -> None:
    code, text = run("init", tmp_path / "a.xlsx", "--tool", "nope")
    assert code == 2 and "'nope' is neither a tool id" in text
    code, text = run("init", tmp_path / "a.xlsx", "--tool", "CP")  # the forms are named CP_...
    assert code == 0, text
    assert read_plan(tmp_path / "a.xlsx", strict=False).tool.id == "cp"
    code, text = run("init", tmp_path / "b.xlsx", "--tool", "cin", "--scale", "ILACS")
    assert code == 0, text
    code, text = run("init", tmp_path / "a.xlsx")
    assert code == 2 and "already exists" in text


def test_plan_problems_mean_nothing_was_done(tmp_path: Path) -> None:
    audit = tmp_path / "empty plan.xlsx"
    create_audit(audit)
    before = audit.read_bytes()
    code, text = run("generate", audit)
    assert code == 1 and "the Cases sheet is empty" in text
    assert audit.read_bytes() == before
    assert not (tmp_path / "forms").exists()


def test_intake_and_consolidate_say_done_rejected_or_nothing(sample_copy: tuple[Path, Path], tmp_path: Path) -> None:
    audit, forms = sample_copy
    returns = return_first_audit_form(audit, forms, tmp_path / "returns")
    code, text = run("intake", returns, "--audit", audit)
    assert code == 0, text
    (returns / "budget.xlsx").write_bytes(b"not a workbook at all")
    code, text = run("intake", returns, "--audit", audit)
    assert code == 3, text
    code, text = run("consolidate", audit, returns)
    assert code == 3, text
    (returns / "budget.xlsx").unlink()
    code, text = run("consolidate", audit, returns)
    assert code == 0, text


def test_check_definition_says_3_for_a_definition_with_problems(tmp_path: Path) -> None:
    good = Path(__file__).resolve().parents[2] / "workbook_templates" / "cp.yaml"
    assert run("check-definition", good)[0] == 0
    bad = tmp_path / "bad.yaml"
    shutil.copy(good, bad)
    bad.write_text(bad.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    code, text = run("check-definition", bad)
    assert code == 3 and "bad.yaml" in text
