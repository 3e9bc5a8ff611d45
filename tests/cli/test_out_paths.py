"""--out pointing at a file, inside a file or at a folder that cannot be written: one plain message, exit 1, no
traceback, nothing half-written (issue 18, item 11).

Run for every command that writes somewhere the coordinator chooses:
feedback, generate, mail, report and compare, on a copy of a consolidated
audit; and feedback into the audit's own folder made read-only.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.audit_copy import copy_audit_folder
from tests.support.cli import run_cli
from tests.support.cycle_scenario import Built
from tests.support.mail_reading import snapshot
from tests.support.mounts import read_only

#: command -> (its arguments before --out, the name --out gives)
COMMANDS = {"feedback": ([], "fb"), "generate": (["--reissue", "CP-"], "forms2"), "mail": ([], "drafts2"),
            "report": ([], "r.docx"), "compare": (["BASELINE"], "c.xlsx"), "pack": ([], "p.docx"),
            "learning": (["--by", "agency"], "packs")}  # learning: feedback --by agency


@pytest.fixture
def copied(baseline: Built, tmp_path: Path) -> Path:
    return copy_audit_folder(baseline.audit, tmp_path / "audit")


def run(command: str, audit: Path, out: Path, baseline: Built, force: tuple[str, ...] = ()) -> str:
    extra, _ = COMMANDS[command]
    extra = [str(baseline.audit) if e == "BASELINE" else e for e in extra]
    if command == "generate":
        extra = ["--reissue", baseline.plan.cases[0].case_ref]
    name = "feedback" if command == "learning" else command
    args = ([name, *extra, str(audit)] if command == "compare" else [name, str(audit), *extra])
    result = run_cli(*args, "--out", out, *force, columns=400)
    assert type(result.exception) is SystemExit and result.exit_code in (1, 2), (result.exception, result.output)
    assert "Traceback" not in result.output and result.stdout == ""
    message = " ".join(result.stderr.split())
    assert message.startswith("Error: ") and message.count("Error: ") == 1
    return message


CASES = [(c, w) for c in COMMANDS for w in ("a file", "inside a file")
         if not (w == "a file" and "." in COMMANDS[c][1])]  # --out naming a file that exists: refused as before


@pytest.mark.parametrize(("command", "where"), CASES)
def test_out_where_nothing_can_be_written(copied: Path, baseline: Built, tmp_path: Path, command: str,
                                         where: str) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file of the coordinator's")
    name = COMMANDS[command][1]
    out = {"a file": blocker, "inside a file": blocker / name}[where]
    before = snapshot(tmp_path)
    message = run(command, copied, out, baseline)
    assert f"{blocker} is a file, not a folder" in message or f"{blocker} already holds drafts (or is not a " \
        "folder)" in message
    assert snapshot(tmp_path) == before
    assert blocker.read_text() == "a file of the coordinator's"


@pytest.mark.parametrize("command", ["report", "pack", "compare"])
def test_out_naming_a_folder_with_force(copied: Path, baseline: Built, tmp_path: Path, command: str) -> None:
    """--force does not replace a folder: the message names the path given, not a temporary file."""
    out = tmp_path / COMMANDS[command][1]
    out.mkdir()
    (out / "kept.txt").write_text("the coordinator's")
    before = snapshot(tmp_path)
    message = run(command, copied, out, baseline, ("--force",))
    assert message.startswith(f"Error: {out}: is a directory, so xlpack could not finish writing"), message
    assert ".tmp" not in message
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["report", "pack"])
def test_out_in_a_folder_nothing_can_create_files_in(copied: Path, baseline: Built, command: str) -> None:
    """/proc/self holds no files of ours: a plain message, never a traceback."""
    message = run(command, copied, Path("/proc/self") / COMMANDS[command][1], baseline)
    assert "could not finish writing" in message and ".tmp" not in message, message


@pytest.mark.parametrize("command", list(COMMANDS))
def test_out_in_a_read_only_folder(copied: Path, baseline: Built, tmp_path: Path, command: str) -> None:
    folder = tmp_path / "shared drive"
    folder.mkdir()
    with read_only(folder):
        before = snapshot(folder)
        message = run(command, copied, folder / COMMANDS[command][1], baseline)
        assert (f"{folder} is on a disk that can only be read" in message
                or f"You do not have permission to write in {folder}" in message)
        assert snapshot(folder) == before


@pytest.mark.parametrize("by", ["form", "agency"])
def test_feedback_beside_a_workbook_in_a_read_only_folder(copied: Path, baseline: Built, by: str) -> None:
    folder = copied.parent
    with read_only(folder):
        before = snapshot(folder)
        result = run_cli("feedback", copied, "--by", by, columns=400)
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        message = " ".join(result.stderr.split())
        assert (f"{folder} is on a disk that can only be read" in message
                or f"You do not have permission to write in {folder}" in message)
        assert snapshot(folder) == before
