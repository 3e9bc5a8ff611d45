"""xlpack: multi-agency case audits in Excel.

Library first: every command of the CLI and every button of the Excel
add-in calls a function of this package. The package is laid out by
stage, in the order data flows: ``clock`` and ``errors`` → ``model`` →
``files`` → ``coordinator`` (plan sheets) → ``forms`` → ``intake`` →
``analysis`` → ``workbook`` → ``report``; beside each other after those,
``sample`` (choosing the cases), ``feedback`` (to practitioners), ``compare``
(re-audits) and ``mail`` (draft emails); then the operations that run them
(:mod:`xlpack.generate`, :mod:`xlpack.consolidate`) and the skins (``cli``,
``excel``, ``demo``).

The main functions are importable from here (``from xlpack import
read_consolidated, write_report``), and so are the stages and operations
as modules (``xlpack.consolidate.consolidate(...)``,
``xlpack.intake.intake(...)``); everything is loaded on first use, so
``import xlpack`` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> module that defines it (loaded on first use).
_API = {
    "create_audit": "xlpack.coordinator.plan_sheets",
    "read_plan": "xlpack.coordinator.plan_sheets",
    "generate_forms": "xlpack.generate",
    "ConsolidateResult": "xlpack.consolidate",
    "read_consolidated": "xlpack.workbook.readback",
    "ConsolidatedAudit": "xlpack.model.consolidated",
    "write_report": "xlpack.report",
    "build_report": "xlpack.report",
    "run_demo": "xlpack.demo",
}
#: Modules reachable as attributes (``xlpack.consolidate``) without importing them first.
_MODULES = ("clock", "errors", "model", "files", "coordinator", "forms", "intake", "analysis", "workbook", "report",
            "sample", "feedback", "compare", "mail", "generate", "consolidate", "cli", "excel", "demo")
__all__ = ["__version__", "main", *_API]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"xlpack.{name}")
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'xlpack' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def main() -> None:
    """The Excel add-in's button (RunPython "import xlpack; xlpack.main()")."""
    from xlpack.excel.button import main as excel_main  # imported here: the whole pipeline, not at import

    excel_main()
