"""What every command shares: the two consoles, errors as exit codes, progress, the intake table.

Results go to stdout (:data:`out`), messages and progress to stderr
(:data:`err`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from xlpack.errors import UsageError, XlpackError, visible
from xlpack.files.disk import plain_failure
from xlpack.wording import counted

if TYPE_CHECKING:  # the intake stage is imported by the commands that run it, not at start-up
    from xlpack.intake.batch import IntakeResult

class SafeConsole(Console):
    """A console that shows control characters in printed text as escapes (a file name holding ESC cannot
    move the cursor or rewrite the terminal); line breaks stay line breaks."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(visible(o, keep_lines=True) if isinstance(o, str) else o for o in objects), **kwargs)


out = SafeConsole(highlight=False, soft_wrap=True)
err = SafeConsole(stderr=True, highlight=False, soft_wrap=True)

STATUS_STYLE = {"accepted": "green", "accepted_with_warnings": "yellow", "rejected": "bold red",
                "skipped": "dim", "superseded": "cyan"}
STATUS_LABEL = {"accepted": "accepted", "accepted_with_warnings": "accepted, warnings", "rejected": "REJECTED",
                "skipped": "skipped", "superseded": "superseded"}
PROGRESS_FROM = 20  # files: fewer finish before a bar is worth drawing
WIDE = 300  # characters: the table's width limit when the output is not a terminal


def fail(exc: XlpackError) -> typer.Exit:
    """Print the error (after what must come first) and give the exit to raise (its code is the error's)."""
    for line in exc.first:
        err.print(visible(line), markup=False)
    err.print(visible(f"Error: {exc}", keep_lines=True), markup=False)
    return typer.Exit(exc.exit_code)


@contextmanager
def disk_errors(doing: str, where: Path | None = None) -> Iterator[None]:
    """Any error the operating system raises in the block (a folder that is a file, read-only, full, missing) as one
    plain message and exit 1, never a traceback; ``where``: the folder written into (see :func:`plain_failure`)."""
    try:
        yield
    except OSError as exc:
        raise fail(plain_failure(exc, doing, where)) from None


def progress_bar(label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                    transient=True)


def check_paths(paths: Sequence[Path]) -> None:
    """A usage error for the first path that does not exist (a broken link exists: intake reports it)."""
    missing = [p for p in paths if not os.path.lexists(p)]
    if missing:
        raise UsageError(f"{visible(missing[0])} does not exist. Give returned forms, or folders, .zip, .eml or "
                         ".msg files holding them.")


@contextmanager
def reading_progress() -> Iterator[Callable[[int, int], None]]:
    """A progress callback for intake: a bar on stderr once a batch is long."""
    with progress_bar("Reading returns") as bar:
        task = bar.add_task("files", total=None, visible=False)

        def tick(done: int, total: int) -> None:
            if total >= PROGRESS_FROM:
                bar.update(task, completed=done, total=total, visible=True)

        yield tick


def intake_summary(result: IntakeResult) -> str:
    t = result.totals
    parts = [f"{t[s]} {s.replace('_', ' ')}" for s in STATUS_LABEL if t[s]]
    text = f"{counted(t['files'], 'file')}: " + (", ".join(parts) if parts else "nothing found") + "."
    if t["forms"]:
        text += f" {counted(t['forms'], 'form')} ready to consolidate."
    if result.exit_code == 1:
        text += " No workbook was found: check the paths."
    return text


def print_intake_table(console: Console, result: IntakeResult) -> None:
    """One row per file, then every problem with where it is and what to do."""
    table = Table(title=visible(f"Intake for {result.audit}"), title_justify="left", expand=False)
    for name in ("Status", "File", "Form", "Problems"):
        table.add_column(name, overflow="fold")
    for f in result.files:
        form = " · ".join(x for x in (f.case_ref, f.agency, f.auditor) if x)
        counts = [counted(n, sev) for sev in ("error", "warning")
                  if (n := sum(p.severity == sev for p in f.problems))]
        note = ", ".join(counts) or (f.problems[0].message if f.problems else "")
        table.add_row(Text(STATUS_LABEL[f.status], style=STATUS_STYLE[f.status]), Text(visible(f.path)),
                      Text(visible(form)), Text(visible(note)))
    wide = console if console.is_terminal else Console(file=console.file, width=WIDE, highlight=False)
    wide.print(table)  # piped to a file: paths are not wrapped
    listed = [(f, p) for f in result.files for p in f.problems if p.severity != "info" or f.status == "superseded"]
    if listed:
        console.print(Text("Problems", style="bold"))
    for f, p in listed:
        line = Text(f"{p.severity.upper():8}", style="red" if p.severity == "error" else "yellow")
        line.append(visible(f"{f.path}: {p.message} "))
        line.append(visible(f"What to do: {p.fix}"), style="dim")
        console.print(line)
