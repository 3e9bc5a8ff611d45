"""``xlpack demo``: the whole journey on the bundled sample audit."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .errors import UsageError
from .generate import generate_forms
from .sample import create_sample

SAMPLE_WORKBOOK = Path(__file__).resolve().parent.parent / "samples" / "sample-audit.xlsx"


@dataclass
class DemoResult:
    folder: Path
    audit: Path
    forms: Path
    steps: list[str] = field(default_factory=list)


def run_demo(folder: Path, *, fresh: bool = False) -> DemoResult:
    """Build the sample audit in ``folder`` and take it as far as xlpack goes."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        if not fresh:
            raise UsageError(f"{folder} is not empty. Choose another folder, or add --fresh to start it again.")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    audit = folder / "sample-audit.xlsx"
    if SAMPLE_WORKBOOK.is_file():
        shutil.copy2(SAMPLE_WORKBOOK, audit)
    else:
        create_sample(audit)
    result = DemoResult(folder=folder, audit=audit, forms=folder / "forms")
    result.steps.append(f"Coordinator workbook with the sample plan (10 fictional cases): {audit}")
    gen = generate_forms(audit, result.forms)
    result.steps.append(f"{len(gen.issued)} form workbooks, one per case, agency and auditor: {gen.out_dir}")
    return result
