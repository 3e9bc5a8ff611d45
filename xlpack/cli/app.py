"""The ``xlpack`` typer app: every command registered here, in the order of the audit.

Exit codes, the same for every command: 0 done (everything accepted or
valid); 3 done, but some inputs were rejected or a definition has
problems; 2 usage error; 1 nothing could be done. Messages go to stderr,
results to stdout.
"""

from __future__ import annotations

from typing import Annotated

import typer

from xlpack import __version__
from xlpack.cli import (
    addin,
    check_definition,
    compare,
    consolidate,
    demo,
    feedback,
    generate,
    init,
    intake,
    mail,
    pack,
    report,
    sample,
    serve,
)
from xlpack.cli.console import out
from xlpack.cli.help import PlainCommand

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Multi-agency case audits in Excel: forms out, returns in, analysis and report.")

#: (name, function), in the order a coordinator meets them.
COMMANDS = (
    ("init", init.command),
    ("sample", sample.command),
    ("generate", generate.command),
    ("mail", mail.command),
    ("intake", intake.command),
    ("consolidate", consolidate.command),
    ("report", report.command),
    ("pack", pack.command),
    ("feedback", feedback.command),
    ("compare", compare.command),
    ("check-definition", check_definition.command),
    ("addin", addin.command),
    ("serve", serve.command),
    ("demo", demo.command),
)
for _name, _function in COMMANDS:
    app.command(_name, cls=PlainCommand)(_function)


@app.callback(invoke_without_command=True)
def _main(version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False) -> None:
    if version:
        out.print(f"xlpack {__version__}")
        raise typer.Exit(0)


def main() -> None:
    app()
