"""Names and answers printed to a terminal: control characters are shown, never acted on.

A file named with an escape sequence could clear the screen or rewrite what
was printed before it; a carriage return could overprint a rejection with
"accepted". Whatever a person or a file chose, the terminal receives only
printable text: ESC as ``\\x1b``, CR as ``\\r``, NUL as ``\\x00``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.support.cli import CliResult, run_cli
from tests.support.filling import fill_form
from tests.support.intake_support import *
from tests.support.intake_support import T0, fresh_copy
from tests.support.mutate import rewrite, sheet_part

HOSTILE = ["esc\x1b[2Jname.xlsx", "cr\rACCEPTED.xlsx", "new\nline.xlsx", "bidi\u202eslx.xlsx"]


def _controls(text: str) -> list[str]:
    """Every character a terminal may act on (controls, line separators, bidirectional formatting), except newline."""
    return [ch for ch in text if ch != "\n" and (unicodedata.category(ch) in ("Cc", "Zl", "Zp")
                                                 or unicodedata.bidirectional(ch) in ("RLO", "LRO", "RLE", "LRE",
                                                                                      "PDF", "RLI", "LRI", "FSI",
                                                                                      "PDI"))]


def _shown(name: str) -> str:
    """How Python itself writes the name's unprintable characters (an independent rendering)."""
    return repr(name)[1:-1]


def run(*args: str | Path) -> CliResult:
    return run_cli(*args, columns=200)


@pytest.mark.parametrize("text", [*HOSTILE, "nul\x00and del\x7f and csi\x9b31m", "tab\there"])
def test_visible_escapes_every_control_character(text: str) -> None:
    from xlpack.errors import visible

    shown = visible(text)
    assert _controls(shown) == [] and "\n" not in shown
    assert shown == _shown(text)
    assert visible("line one\nline two\x1b", keep_lines=True) == "line one\nline two\\x1b"
    assert visible("Café, 🏠, “quotes” and a\u00a0space") == "Café, 🏠, “quotes” and a\u00a0space"


def test_intake_table_shows_file_names_with_their_control_characters(filled_cp: Path, sample_forms: tuple[Path, Path],
                                                                     tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    for name in HOSTILE:
        fresh_copy(filled_cp, folder, name)
    (folder / "odd\x1b]0;title\x07.txt").write_text("not a form")
    result = run("intake", folder, "--audit", sample_forms[0])
    assert _controls(result.stdout) == [] and _controls(result.stderr) == []
    for name in HOSTILE:
        assert _shown(name) in result.stdout
    assert "odd\\x1b]0;title\\x07.txt" in result.stdout


def test_a_missing_path_with_an_escape_is_shown_in_the_error(sample_forms: tuple[Path, Path], tmp_path: Path) -> None:
    missing = tmp_path / "gone\x1b[31m.xlsx"
    result = run("intake", missing, "--audit", sample_forms[0])
    assert result.exit_code == 2
    assert _controls(result.stderr) == [] and "gone\\x1b[31m.xlsx" in result.stderr
    audit = tmp_path / "audit\r.xlsx"
    result = run("consolidate", audit, tmp_path)
    assert result.exit_code == 2
    assert _controls(result.stderr) == [] and "audit\\r.xlsx" in result.stderr


def test_an_urgent_answer_holding_escape_and_nul_is_shown_in_the_summary(sample_copy: tuple[Path, Path],
                                                                         tmp_path: Path) -> None:
    """The action typed after answering No to 'safeguarded now?' is quoted in the URGENT line of the summary."""
    audit, forms = sample_copy
    blank = min(forms.glob("CP_*.xlsx"))
    filled = fill_form(blank, tmp_path / "filled.xlsx", saved_at=T0, closing={
        "safeguarded_now": "No", "safeguarding_action": "Told ESCMARK the NULMARK manager"})
    part = sheet_part(filled.read_bytes(), "Audit")
    returns = tmp_path / "returns"
    returns.mkdir()
    (returns / blank.name).write_bytes(rewrite(filled, {part: lambda xml: xml.replace(b"ESCMARK", b"_x001B_[2J")
                                                        .replace(b"NULMARK", b"_x0000_")}))  # as Excel stores them
    result = run("consolidate", audit, returns)
    assert result.exit_code == 0, result.output
    urgent = [line for line in result.stdout.splitlines() if line.lstrip().startswith("URGENT")]
    assert len(urgent) == 1
    assert "Told \\x1b[2J the \\x00 manager" in urgent[0]
    assert _controls(result.stdout) == []
