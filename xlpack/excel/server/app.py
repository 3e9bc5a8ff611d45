"""The ASGI app: xlwings Server's app, configured for xlpack, with xlpack's routes added.

xlwings Server reads its settings when it is first imported, so
:func:`create_app` sets xlpack's defaults (its project folder, no Socket.IO,
htmx or examples, the add-in's name) in the environment first; anything IT
sets in the environment or in a ``.env`` file named by ``DOTENV_PATH`` wins.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().with_name("project")

#: xlwings Server settings xlpack needs, unless IT has set them (see the README's deployment section).
DEFAULTS = {
    "XLWINGS_PROJECT_DIR": str(PROJECT),
    "XLWINGS_PROJECT_NAME": "xlpack",
    "XLWINGS_ENABLE_SOCKETIO": "false",
    "XLWINGS_ENABLE_HTMX": "false",
    "XLWINGS_ENABLE_EXAMPLES": "false",
    "XLWINGS_ENABLE_HOTRELOAD": "false",
    "XLWINGS_ENABLE_ALPINEJS_CSP": "false",
    # PolyForm Noncommercial 1.0.0 covers councils and other public bodies; others set their commercial key.
    "XLWINGS_LICENSE_KEY": "noncommercial",
}


def create_app() -> Any:
    """xlwings Server's ASGI app with xlpack's routes (the same object on every call).

    Refuses (:class:`~xlpack.errors.UsageError`, naming it) a limit IT set that is not a positive number.
    """
    from xlpack.excel.server.service import Limits  # imported here: the job's pipeline, for the server only

    Limits.from_environment()
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    import xlwings_server.config as config  # imported here: it reads the settings just set, and it is optional

    if config.PROJECT_DIR.resolve() != Path(os.environ["XLWINGS_PROJECT_DIR"]).resolve():
        raise RuntimeError("xlwings Server was imported before xlpack set its project folder: create the app first.")
    import xlwings_server.main as server  # imported here: the same (optional) package

    from xlpack.excel.server.routes import router  # imported here: it needs xlwings Server's settings too

    if not any(getattr(r, "path", "").startswith(router.prefix) for r in server.app.routes):
        server.app.include_router(router)
    return server.main_app
