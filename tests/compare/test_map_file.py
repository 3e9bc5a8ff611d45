"""A --map file is read safely and within bounds; every refusal names the file and line (issue 18, item 13).

A binary file, a key that is a list or a block, anchors and aliases (an
"alias bomb" of a few lines stands for billions of values), a deep nesting,
a file too large or a CSV line too long: each is a :class:`UsageError` naming
the file (and the line where there is one), found in well under a second.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from xlpack.compare.mapping import MAX_BYTES, load_map
from xlpack.errors import UsageError

BOMB = "\n".join(["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
                  *(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)),
                  "sections:", "  threshold: *i", ""])


def refusal(path: Path) -> str:
    with pytest.raises(UsageError) as err:
        load_map(path)
    return str(err.value)


@pytest.mark.parametrize(("name", "text", "line", "words"), [
    ("complex.yaml", "sections:\n  ? [threshold, plan]\n  : strategy\n", 2, "a key must be a plain word"),
    ("block-key.yaml", "grades:\n  Good: Good\n  ? {a: 1}\n  : Outstanding\n", 3, "a key must be a plain word"),
    ("alias.yaml", "sections:\n  threshold: &x strategy\n  plan: *x\n", 2, "anchors and aliases"),
    ("bomb.yaml", BOMB, 1, "anchors and aliases"),
    ("deep.yaml", "sections:\n  a: " + "[" * 200 + "]" * 200 + "\n", 2, "nested"),
    ("python.yaml", "sections:\n  a: !!python/name:os.system\n", 2, "cannot be read"),
    ("tagged.yaml", "sections:\n  a: !!python/object:os.system [ls]\n", 2, "is not read"),
    ("control.yaml", "sections:\n  threshold: st\x07rategy\n", 2, "not a text file"),
])
def test_a_hostile_yaml_map_is_refused_naming_the_line(tmp_path: Path, name: str, text: str, line: int,
                                                      words: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    message = refusal(path)
    assert message.startswith(f"{path}, line {line}: ") or message.startswith(f"The map file {path}, line {line}: ")
    assert words in message


def test_a_binary_file_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_bytes(b"sections:\n  a: b\n\x00\x00\x00\rIHDR\xff\xfe")
    assert refusal(path).startswith(f"The map file {path}, line 3: the file holds binary data")
    path.write_bytes(b"sections:\n  a: \xff\xfe b\n")
    assert refusal(path).startswith(f"The map file {path}, line 2: the file is not UTF-8 text")


def test_a_large_file_and_a_long_csv_line_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("sections:\n" + "  a: b\n" * (MAX_BYTES // 6))
    assert "is larger than 1,024 KB" in refusal(big)
    long = tmp_path / "long.csv"
    long.write_text("kind,baseline,reaudit\nsection,a,b\nsection,\"" + "x" * 200_000 + "\",c\n")
    assert refusal(long).startswith(f"{long}, line 3: the line cannot be read as CSV")
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    assert refusal(folder) == f"The map file {folder} is not a file."


def test_the_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    """Read in a process of its own: before the bound it grew without end (930 MB after 30 s)."""
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    code = ("import sys; from xlpack.compare.mapping import load_map\n"
            "try:\n    load_map(sys.argv[1])\nexcept Exception as e:\n    print(type(e).__name__, e)\n")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=20)
    assert done.stdout.startswith(f"UsageError {path}, line 1: anchors and aliases"), done.stdout + done.stderr


def test_the_command_says_it_plainly(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text("sections:\n  ? [a, b]\n  : c\n")
    result = run_cli("compare", tmp_path / "a.xlsx", tmp_path / "b.xlsx", "--map", path)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "line 2" in result.stderr or "does not exist" in result.stderr
