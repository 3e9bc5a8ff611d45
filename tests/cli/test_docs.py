"""Every command is documented in the README and answers --help."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from xlpack.cli.app import app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    return sorted(group.commands)  # type: ignore[attr-defined]


def test_every_command_is_in_the_readme_and_has_help() -> None:
    names = _commands()
    assert {"init", "generate", "check-definition", "intake", "consolidate", "report", "demo", "addin"} <= set(names)
    runner = CliRunner()
    for name in names:
        assert f"xlpack {name}" in README, f"the README does not show 'xlpack {name}'"
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0 and "Usage:" in res.stdout, name


def test_the_readme_opens_with_the_two_commands() -> None:
    blocks = README.split("```sh\n")
    assert blocks[1].strip().startswith("python3 -m venv .venv") and "xlpack demo" in blocks[1]
    assert blocks[2].strip().startswith("python3 -m venv .venv") and "pytest" in blocks[2]
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[2].split("\n```")[0].strip() in ci  # CI runs exactly the README's test command
