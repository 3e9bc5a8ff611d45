"""``xlpack serve``: the xlwings Server add-in for Excel on the web, on one machine for a trial.

For a council's deployment (HTTPS, Entra ID, several workers) IT runs the
same app under their own server: see docs/excel-on-the-web.md.
"""

from __future__ import annotations

from typing import Annotated

import typer

from xlpack.cli.console import err, fail
from xlpack.errors import UsageError, XlpackError


def command(
    host: Annotated[str, typer.Option("--host", metavar="HOST", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", metavar="PORT", help="Port to listen on.")] = 8000,
) -> None:
    """Serve the Excel add-in (task pane and manifest) with the Update from returns route."""
    try:
        try:
            import uvicorn  # imported here: the optional server extra, not needed by any other command

            from xlpack.excel.server.app import create_app  # imported here: xlwings Server reads its settings
        except ImportError as exc:
            raise UsageError("xlpack serve needs the server extra: in the xlpack folder, "
                             "pip install -e '.[server]'.") from exc
        app = create_app()
    except XlpackError as exc:
        raise fail(exc) from None
    err.print(f"xlpack add-in on http://{host}:{port}: the manifest is /manifest.xml, the task pane /taskpane.html. "
              "Nothing about a child is kept on this machine after each request. Stop with Ctrl+C.", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")
