"""Running an xlpack command as a person would, from a test: one typed way for every CLI test.

:func:`run_cli` invokes the typer app in this process (typer's ``CliRunner``)
with the arguments turned into text, and hands back a :class:`CliResult`: the
exit code, what went to stdout and to stderr, both as the terminal shows them,
and the exception the command ended with (``SystemExit`` for a normal exit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from xlpack.cli.app import app


@dataclass(frozen=True)
class CliResult:
    """What one run of a command left: its exit code and its text."""

    exit_code: int
    stdout: str
    stderr: str
    output: str  # stdout and stderr interleaved, as the terminal shows them
    exception: BaseException | None


def run_cli(*args: str | Path | int, env: Mapping[str, str] | None = None, columns: int | None = None,
            prog_name: str | None = None) -> CliResult:
    """Run ``xlpack <args>`` in this process; ``columns`` sets the terminal's width (``COLUMNS``) for rich."""
    environ = dict(env or {})
    if columns is not None:
        environ["COLUMNS"] = str(columns)
    words, runner = [str(a) for a in args], CliRunner()
    # typer's runner names the program after the app unless prog_name is given (None would mean sys.argv[0])
    result = (runner.invoke(app, words, env=environ or None) if prog_name is None
              else runner.invoke(app, words, env=environ or None, prog_name=prog_name))
    return CliResult(result.exit_code, result.stdout, result.stderr, result.output, result.exception)
