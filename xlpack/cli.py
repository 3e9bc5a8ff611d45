"""The ``xlpack`` command: a thin layer over the library.

Exit codes: 0 done (everything accepted or valid); 3 done, but some inputs
were rejected or a definition has problems; 2 usage error; 1 nothing
could be done. Messages go to stderr, results to stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__
from .errors import XlpackError

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="Multi-agency case audits in Excel: forms out, returns in, analysis and report.")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(exc: XlpackError) -> typer.Exit:
    err.print(f"Error: {exc}", markup=False)
    return typer.Exit(exc.exit_code)


def progress_bar(label: str) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                    transient=True)


@app.callback(invoke_without_command=True)
def _main(version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False) -> None:
    if version:
        out.print(f"xlpack {__version__}")
        raise typer.Exit(0)


@app.command("check-definition")
def check_definition_cmd(files: Annotated[list[Path], typer.Argument(help="Tool definition YAML file(s).")]) -> None:
    """Check tool definition files and list every problem with its line and the fix."""
    from .definitions import check_definition

    bad = 0
    for f in files:
        defn, problems = check_definition(f)
        if problems:
            bad += 1
            err.print(f"{f}: {len(problems)} problem(s)", markup=False)
            for p in problems:
                err.print(f"  - {p}", markup=False)
        else:
            assert defn is not None
            out.print(f"{f}: OK ({defn.title}, version {defn.version}, {len(defn.sections)} sections)", markup=False)
    raise typer.Exit(3 if bad else 0)


@app.command("init")
def init_cmd(
    audit: Annotated[Path, typer.Argument(help="The coordinator workbook to create (.xlsx).")],
    tool: Annotated[str, typer.Option("--tool", help="Tool id (cp, cin, ei, cic) or a definition file.")] = "cp",
    title: Annotated[str | None, typer.Option("--title", help="Audit title.")] = None,
    scale: Annotated[str | None, typer.Option("--scale", help="Grade scale id or file.")] = None,
) -> None:
    """Create a coordinator workbook for a new audit."""
    from .coordinator import create_audit

    try:
        plan = create_audit(audit, tool, title=title, scale=scale)
    except XlpackError as exc:
        raise fail(exc) from None
    out.print(f"Created {audit} ({plan.tool.title}, audit id {plan.audit_id}).", markup=False)
    out.print("Next: fill in Terms of reference, Cases and Assignments, save and close it, then run "
              f"xlpack generate {audit}", markup=False)


@app.command("generate")
def generate_cmd(
    audit: Annotated[Path, typer.Argument(help="The coordinator workbook.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for the forms (default: forms/ beside the workbook).")] = None,
    reissue: Annotated[list[str] | None, typer.Option("--reissue", help="Form id, file name or case reference to issue again (repeatable).")] = None,
    password: Annotated[str, typer.Option("--password", help="Password for sheet and structure protection (default: none).")] = "",
    encrypt_password: Annotated[str, typer.Option("--encrypt-password", help="Encrypt each form so it needs this password to open.")] = "",
) -> None:
    """Write one form per case × agency × auditor; issue only new ones."""
    from .generate import generate_forms

    try:
        with progress_bar("Writing forms") as bar:
            task = bar.add_task("forms", total=None)
            result = generate_forms(audit, out_dir, reissue=reissue or (), password=password,
                                    encrypt_password=encrypt_password, progress=lambda n: bar.advance(task, n))
    except XlpackError as exc:
        raise fail(exc) from None
    out.print(f"Issued {len(result.issued)} form(s) into {result.out_dir}; {len(result.skipped)} issued before "
              "were left as they were.", markup=False)
    out.print(f"Manifest: {result.manifest}", markup=False)


@app.command("demo")
def demo_cmd(
    folder: Annotated[Path, typer.Argument(help="Folder to build the demo in.")] = Path("xlpack-demo"),
    fresh: Annotated[bool, typer.Option("--fresh", help="Empty the folder first if it is not empty.")] = False,
) -> None:
    """Run the whole journey on the bundled sample audit (fictional data)."""
    from .demo import run_demo

    try:
        result = run_demo(folder, fresh=fresh)
    except XlpackError as exc:
        raise fail(exc) from None
    for i, step in enumerate(result.steps, start=1):
        out.print(f"{i}. {step}", markup=False)
    out.print(f"Open {result.audit} in Excel or LibreOffice to start.", markup=False)


@app.command("addin")
def addin_cmd(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write xlpack.xlam into.")] = Path("."),
) -> None:
    """Build the Excel add-in (xlpack.xlam) with the 'Update from returns' button."""
    from .addin import build_addin

    try:
        path = build_addin(out_dir)
    except XlpackError as exc:
        raise fail(exc) from None
    out.print(f"Wrote {path}. On the coordinator's Windows or Mac computer, in the Python that has xlpack "
              "installed (pip install 'xlpack[excel]'), run once: xlwings config create, then "
              f"xlwings addin install -f \"{path.name}\". Excel then shows an xlpack tab whose Update from returns "
              "button consolidates the open coordinator workbook.", markup=False)


def _register_commands() -> None:
    """The commands kept in modules of their own (each imports this module's consoles lazily)."""
    from .cli_consolidate import register as consolidate
    from .cli_intake import register as intake
    from .cli_report import register as report

    for register in (intake, consolidate, report):
        register(app)


_register_commands()


def main() -> None:
    app()
