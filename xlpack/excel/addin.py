"""Build the xlpack Excel add-in (``xlpack.xlam``) without Excel.

The add-in is xlwings' own ribbon add-in template, whose VBA was built in
Excel by the xlwings project (BSD licence) and is copied unchanged: its
ribbon callback ``RibbonMyAddin.RunMain`` runs
``RunPython "import <add-in name>; <add-in name>.main()"``. Naming the file
``xlpack.xlam`` makes the button call :func:`xlpack.main`. Only the ribbon
XML (``macros/customUI.xml``: the tab, the label, the help text) is ours.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from xlpack.errors import UsageError

ADDIN_NAME = "xlpack.xlam"
TEMPLATE = "quickstart_addin_ribbon.xlam"
RIBBON_PART = "customUI/customUI.xml"


def macros_dir() -> Path:
    package = Path(__file__).resolve().parents[1]  # xlpack/
    for candidate in (package.parent / "macros", package / "macros"):
        if (candidate / "customUI.xml").is_file():
            return candidate
    raise UsageError("The macros/ folder with customUI.xml was not found beside the xlpack package.")


def template_path() -> Path:
    try:
        import xlwings  # optional (the excel extra)
    except ImportError as exc:
        raise UsageError("The Excel add-in needs xlwings: in the xlpack folder, pip install -e '.[excel]'.") from exc
    path = Path(xlwings.__file__).resolve().parent / TEMPLATE
    if not path.is_file():
        raise UsageError(f"This xlwings ({xlwings.__version__}) has no {TEMPLATE}; install xlwings 0.33 or newer.")
    return path


def build_addin(out_dir: Path) -> Path:
    """Write ``xlpack.xlam`` into ``out_dir``; returns its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ribbon = (macros_dir() / "customUI.xml").read_bytes()
    target = out_dir / ADDIN_NAME
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(template_path()) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        names = src.namelist()
        if RIBBON_PART not in names:
            raise UsageError(f"The xlwings template has no {RIBBON_PART}: it cannot carry the xlpack ribbon.")
        for info in src.infolist():
            dst.writestr(info, ribbon if info.filename == RIBBON_PART else src.read(info))
    tmp.replace(target)
    return target
