"""Disk failures get one plain message naming the path and what to do, exit 1, no traceback (issue 10, point 8).

A full disk (while writing the new workbook, or its backup), a read-only
folder, and a ``backups`` that is a file or cannot be written: each leaves
the workbook byte-identical, no backup and no temporary file behind.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.mounts import fill, read_only, tmpfs
from tests.support.safety import TODAY, Audit, Before, audit, built, listing  # noqa: F401  (fixtures)
from xlpack.consolidate import consolidate
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import XlpackError
from xlpack.files.disk import disk_error
from xlpack.files.xlsx_writer import close_workbook, new_workbook


def refused(audit: Path, returns: Path) -> str:
    """Run the command; it must exit 1 with one message on stderr and no traceback. Returns the message."""
    result = run_cli("consolidate", audit, returns, columns=300)
    assert type(result.exception) is SystemExit and result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    message = " ".join(result.stderr.split())
    assert message.startswith("Error: ") and message.count("Error: ") == 1
    return message


def alone_on(folder: Path, audit: Audit) -> Path:
    """A copy of the workbook alone in ``folder`` (its forms and backups stay where they are)."""
    shutil.copy2(audit.audit, folder / audit.audit.name)
    return folder / audit.audit.name


def test_disk_full_while_writing_the_new_workbook(audit: Audit, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "1m") as disk:
        workbook = alone_on(disk, audit)
        fill(disk, leave=workbook.stat().st_size // 2)
        before = Before.of(workbook)
        message = refused(workbook, audit.returns)
        assert message.startswith(f"Error: The disk holding {disk} is full: xlpack could not finish writing the new "
                                  f"version of {workbook.name}.")
        assert f"{workbook} was not changed." in message
        before.assert_untouched()


def test_disk_full_prints_nothing_after_its_message_at_exit(audit: Audit, tmp_path: Path) -> None:
    """A writer's archive left open by the failed write is not closed again at exit with a traceback."""
    with tmpfs(tmp_path / "small", "1m") as disk:
        workbook = alone_on(disk, audit)
        fill(disk, leave=workbook.stat().st_size // 2)
        done = subprocess.run([sys.executable, "-m", "xlpack", "consolidate", str(workbook), str(audit.returns)],
                              capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "300"},
                              cwd=Path(__file__).resolve().parents[2])
        assert done.returncode == 1, done.stderr
        assert "is full: xlpack could not finish writing" in done.stderr
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr


@contextmanager
def unraisable() -> Iterator[list[str]]:
    """What Python reports as "Exception ignored in ..." during the block (and at a full collection at its end),
    as "where: exception" texts."""
    seen: list[str] = []
    hook = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(f"{getattr(u.object, '__qualname__', u.object)!s}: {u.exc_value!r}")
    try:
        yield seen
        gc.collect()
    finally:
        sys.unraisablehook = hook


def open_files_under(folder: Path) -> list[str]:
    """Files under ``folder`` this process still holds open."""
    links = (os.readlink(fd) for fd in Path("/proc/self/fd").iterdir() if fd.is_symlink())
    return [link for link in links if link.startswith(f"{folder}/")]


def test_a_workbook_the_disk_refuses_leaves_no_archive_open(tmp_path: Path) -> None:
    """xlsxwriter leaves its half-written archive open when the disk is full; collected later, it would fail again
    ("Exception ignored in: ZipFile.__del__"), in the log of the long-lived Excel server. Nothing is left open."""
    with tmpfs(tmp_path / "small", "256k") as disk, unraisable() as seen:
        fill(disk, leave=64 * 1024)
        book = new_workbook(disk / "new.xlsx", "Full disk", datetime(2026, 11, 16))
        sheet = book.add_worksheet("Answers")
        for row in range(4000):  # about 400 KB of text that does not compress away
            sheet.write_row(row, 0, [f"{row * 7919 + col * 104729:x}{row}" for col in range(12)])
        with pytest.raises(OSError) as err:
            close_workbook(book)
        assert err.value.errno == errno.ENOSPC  # the system's own error, not xlsxwriter's wrapper
        assert open_files_under(disk) == []
        del book, sheet, err
    assert seen == []


def test_consolidating_onto_a_full_disk_leaves_nothing_to_report_later(audit: Audit, tmp_path: Path) -> None:
    """In process, as the Excel server runs it: the refused write is an error, and nothing is reported after it."""
    with tmpfs(tmp_path / "small", "1m") as disk, unraisable() as seen:
        workbook = alone_on(disk, audit)
        fill(disk, leave=workbook.stat().st_size // 2)
        before = Before.of(workbook)
        with pytest.raises((OSError, XlpackError)) as err:
            consolidate(workbook, [audit.returns], today=TODAY)
        assert "No space left on device" in str(err.value) or "full" in str(err.value)
        del err
        before.assert_untouched()
        assert open_files_under(disk) == []
    assert seen == []


def test_disk_full_while_writing_the_backup(audit: Audit) -> None:
    with tmpfs(audit.backups, "16k"):
        before = Before.of(audit.audit)
        message = refused(audit.audit, audit.returns)
        assert message.startswith(f"Error: The disk holding {audit.backups} is full: xlpack could not finish the "
                                  "backup of the workbook.")
        assert listing(audit.backups) == {}  # no truncated backup left
        before.assert_untouched()


def test_backups_is_a_file(audit: Audit) -> None:
    shutil.rmtree(audit.backups)
    audit.backups.write_text("not a folder")
    before = Before.of(audit.audit)
    message = refused(audit.audit, audit.returns)
    assert message.startswith(f"Error: {audit.backups} is a file, not a folder: xlpack keeps the earlier versions "
                              "of the workbook there. Rename or move that file")
    before.assert_untouched()


def test_backups_is_a_dangling_link(audit: Audit, tmp_path: Path) -> None:
    """Issue 18, item 12: a link to a folder that is gone (an unplugged drive) is named, not a traceback."""
    shutil.rmtree(audit.backups)
    audit.backups.symlink_to(tmp_path / "unplugged drive" / "backups")
    before = Before.of(audit.audit)
    message = refused(audit.audit, audit.returns)
    assert message.startswith(f"Error: {audit.backups} is a link to {tmp_path / 'unplugged drive' / 'backups'}, "
                              "which does not exist")
    assert f"{audit.audit} was not changed." in message
    assert audit.backups.is_symlink()
    before.assert_untouched()


def test_backups_cannot_be_written(audit: Audit) -> None:
    before_backups = listing(audit.backups)
    with read_only(audit.backups):
        before = Before.of(audit.audit)
        message = refused(audit.audit, audit.returns)
        assert f"{audit.backups} is on a disk that can only be read" in message or \
            f"You do not have permission to write in {audit.backups}" in message
        assert "could not finish the backup of the workbook" in message and "open in Excel" not in message
        before.assert_untouched()
    assert listing(audit.backups) == before_backups


def test_a_read_only_folder(audit: Audit, tmp_path: Path) -> None:
    folder = tmp_path / "readonly"
    folder.mkdir()
    alone_on(folder, audit)
    with read_only(folder):
        workbook = folder / audit.audit.name
        before = Before.of(workbook)
        message = refused(workbook, audit.returns)
        assert f"{folder} is on a disk that can only be read" in message or \
            f"You do not have permission to write in {folder}" in message
        assert f"{workbook} was not changed." in message
        before.assert_untouched()


def test_a_relative_folder_is_named_as_a_person_can_find_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An --out given as a bare file name: the message names the folder it is in, not "."."""
    monkeypatch.chdir(tmp_path)
    full = disk_error(OSError(errno.ENOSPC, "No space left on device", "report.docx"), Path("."), "writing the report")
    assert full is not None and str(full).startswith(f"The disk holding {tmp_path} is full")


def test_every_workbook_xlpack_starts_is_closed_through_close_workbook() -> None:
    """A workbook started with new_workbook and closed with its own ``close()`` would leave its archive open on a
    full disk again: each module closes what it starts with close_workbook."""
    import ast

    package = Path(__file__).resolve().parents[2] / "xlpack"
    wrong, started = [], 0
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        books = {t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", None) == "new_workbook"
                 for t in node.targets if isinstance(t, ast.Name)}
        started += len(books)
        wrong += [f"{path.relative_to(package.parent)}:{node.lineno}" for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "close"
                  and isinstance(node.func.value, ast.Name) and node.func.value.id in books]
    assert started >= 4  # the coordinator, forms, feedback index and comparison workbooks
    assert wrong == [], "close these with xlpack.files.xlsx_writer.close_workbook: " + ", ".join(wrong)


#: Each command writing into a folder given with --out, and its arguments there.
WRITING = {"generate": ("--reissue", "{case}", "--out", "{disk}/forms"),
           "mail": ("--kind", "issue", "--out", "{disk}/drafts"),
           "feedback": ("--out", "{disk}/feedback"), "pack": ("--out", "{disk}/pack.docx")}


@pytest.mark.parametrize("command", sorted(WRITING))
def test_a_full_disk_given_with_out_is_the_disk_named(command: str, audit: Audit, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The system's error for a full disk often names no file: the message names the folder the command was
    writing into (--out), not the folder the command was started from, which is on another disk."""
    elsewhere = tmp_path / "started here"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    case = read_plan(audit.audit).issued[0].case_ref
    with tmpfs(tmp_path / "small", "1m") as disk:
        fill(disk, leave=4096)
        args = [a.format(case=case, disk=disk) for a in WRITING[command]]
        result = run_cli(command, audit.audit, *args, columns=300)
        message = " ".join(result.stderr.split())
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert message.startswith(f"Error: The disk holding {disk}"), message
        assert str(elsewhere) not in message
