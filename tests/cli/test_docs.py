"""Every command is documented (the README and the guides in docs/) and answers --help; the README opens with
the two commands a newcomer types and links every guide."""

from __future__ import annotations

import re
from pathlib import Path

import typer

from tests.support.cli import run_cli
from xlpack.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


def _commands() -> list[str]:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    return sorted(group.commands)


def test_every_command_is_in_the_readme_and_has_help() -> None:
    names = _commands()
    assert {"init", "generate", "check-definition", "intake", "consolidate", "report", "demo", "addin"} <= set(names)
    for name in names:
        assert f"xlpack {name}" in DOCS, f"neither the README nor docs/ show 'xlpack {name}'"
        res = run_cli(name, "--help")
        assert res.exit_code == 0 and "Usage:" in res.stdout, name


def test_the_readme_opens_with_the_two_commands() -> None:
    blocks = README.split("```sh\n")
    assert blocks[1].strip().startswith("python3 -m venv .venv") and "xlpack demo" in blocks[1]
    assert blocks[2].strip().startswith("python3 -m venv .venv") and "pytest" in blocks[2]
    ci = (Path(__file__).resolve().parents[2] / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[2].split("\n```")[0].strip() in ci  # CI runs exactly the README's test command


def test_the_readme_links_every_guide_and_each_link_resolves() -> None:
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#]+\.md)\)", path.read_text(encoding="utf-8")):
            assert (path.parent / target).is_file(), f"{path.name} links {target}, which does not exist"
    linked = set(re.findall(r"\]\(docs/([^)]+\.md)\)", README))
    assert linked == {p.name for p in (ROOT / "docs").glob("*.md")}
