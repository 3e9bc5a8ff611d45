"""Issue 18, item 19: --help shows plain names for what is typed, and the choices where there are choices."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from xlpack.cli import init, mail
from xlpack.cli.app import COMMANDS
from xlpack.mail.run import KINDS
from xlpack.model.definitions import builtin_scales, builtin_tools, load_definition

TYPE_LABEL = re.compile(r"<[a-z_]+(\[[^\]]*\])?>")  # typer's <path>, <str>, <list[Path]>, <int>


def help_text(command: str) -> str:
    res = run_cli(command, "--help", columns=200, prog_name="xlpack")
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.mark.parametrize("command", [name for name, _ in COMMANDS])
def test_help_shows_plain_names(command: str) -> None:
    text = help_text(command)
    assert not TYPE_LABEL.search(text), TYPE_LABEL.search(text)
    usage = text.splitlines()[0]
    assert "{" not in usage and "}" not in usage, usage
    for line in text.splitlines():
        option = re.match(r"\s+(--[a-z-]+)(?: (\S+))?\s{2,}", line)
        if option and option[2]:  # an option taking a value names it: a metavar in capitals or the choices
            assert option[2].isupper() or "|" in option[2] or option[2].endswith(".xlsx") \
                or option[2].endswith(".docx"), line


def _choices(text: str, option: str) -> list[str]:
    found = re.search(rf"{option} \[?([^\s\]]+)\]?", text)
    assert found, option
    return found[1].split("|")


def test_choices_are_listed_where_there_are_choices() -> None:
    assert _choices(help_text("mail"), "--kind") == list(KINDS) == [k.value for k in mail.Kind]
    tools = [t for t in builtin_tools() if load_definition(t).kind == "audit"]
    assert sorted(_choices(help_text("init"), "--tool")) == sorted([*tools, "FILE.yaml"])
    assert init.TOOL_CHOICES.split("|")[-1] == "FILE.yaml"
    assert sorted(_choices(help_text("init"), "--scale")) == sorted([*builtin_scales(), "FILE.yaml"])


def test_usage_lines_read_as_typed() -> None:
    assert "Usage: xlpack consolidate [OPTIONS] AUDIT.xlsx RETURNS..." in help_text("consolidate")
    assert "Usage: xlpack demo [OPTIONS] [FOLDER]" in help_text("demo")
    assert re.search(r"^\s+RETURNS\.\.\.\s+Returned forms", help_text("intake"), re.M)


def test_a_kind_in_any_case_is_taken_and_an_unknown_one_refused(tmp_path: Path) -> None:
    missing = tmp_path / "none.xlsx"
    res = run_cli("mail", missing, "--kind", "Reminder")
    assert res.exit_code == 2 and "does not exist" in res.output  # the kind was accepted; the workbook is missing
    res = run_cli("mail", missing, "--kind", "chase")
    assert res.exit_code == 2 and "'chase' is not one of 'issue', 'reminder', 'rejected'" in res.output
