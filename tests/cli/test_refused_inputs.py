"""Inputs that cannot work are refused with one plain message, the README's exit code, and nothing written
(issue 18, items 4 and 9).

An empty, multi-line or overlong ``--encrypt-password`` (for ``mail`` and
``generate``), and a name typed with a line break (Alt+Enter) on the
Assignments or Terms of reference sheet. Cells are located with openpyxl.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.support.cli import run_cli
from tests.support.mail_reading import snapshot
from xlpack.coordinator.plan_sheets import read_plan, write_coordinator


def run(*args: str | Path) -> tuple[int, str, str]:
    result = run_cli(*args, columns=300)
    assert type(result.exception) in (SystemExit, type(None)), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


@pytest.mark.parametrize("command", ["mail", "generate"])
@pytest.mark.parametrize(("password", "why"), [
    ("", "the password is empty (was it given from a shell variable that is not set?)"),
    ("   ", "the password is empty"),
    ("two\nlines-password", "the password holds a line break, tab or other control character"),
    ("x" * 1000, "the password is 1,000 characters long; Excel opens files with at most 255"),
    ("short", "the password is 5 characters long; use at least 8"),
])
def test_an_unusable_encrypt_password_is_refused(sample_copy: tuple[Path, Path], command: str, password: str,
                                                 why: str) -> None:
    audit, _ = sample_copy
    before = snapshot(audit.parent)
    args: list[str | Path] = [command, audit, "--encrypt-password", password]
    args += ["--reissue", read_plan(audit).cases[0].case_ref] if command == "generate" else []
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert err.startswith(f"Error: --encrypt-password: {why}") and "Give a password of 8 to 255 characters" in err
    assert password.strip() == "" or password not in err  # never echoed
    assert snapshot(audit.parent) == before and not (audit.parent / "drafts").exists()


def cell(audit: Path, sheet: str, value: str) -> str:
    wb = openpyxl.load_workbook(audit, read_only=True)
    try:
        for row in wb[sheet].iter_rows():
            for c in row:
                if c.value == value:
                    return f"{c.column_letter}{c.row}"
    finally:
        wb.close()
    raise AssertionError(f"{value!r} not on {sheet}")


@pytest.mark.parametrize("command", ["mail", "generate"])
def test_a_name_with_a_line_break_is_refused_naming_its_cell(sample_copy: tuple[Path, Path], command: str) -> None:
    audit, _ = sample_copy
    plan = read_plan(audit)
    rows = list(plan.assignments)
    rows[1] = rows[1].model_copy(update={"auditor": "Jo\nBloggs"})
    terms = plan.terms.model_copy(update={"coordinator": "Pat\tCoordinator"})
    write_coordinator(audit, plan.model_copy(update={"assignments": rows, "terms": terms}), keep_backup=False)
    where, tor = cell(audit, "Assignments", "Jo\nBloggs"), cell(audit, "Terms of reference", "Pat\tCoordinator")
    before = snapshot(audit.parent)
    code, out, err = run(command, audit)
    assert code == 1
    assert (f"Sheet 'Assignments', cell {where}: the auditor name 'Jo\\nBloggs' holds a line break or another "
            "control character (Alt+Enter in Excel makes one)") in err and "Type it on one line." in err
    assert f"Sheet 'Terms of reference', cell {tor}: the coordinator 'Pat\\tCoordinator' holds a line break" in err
    assert snapshot(audit.parent) == before and not (audit.parent / "drafts").exists()
