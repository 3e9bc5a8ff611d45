"""``xlpack compare`` and ``xlpack report --baseline`` as library calls: read, compare, write the files.

:func:`write_compare` writes the comparison workbook (and, if asked, the
comparison as a Word document of its own); :func:`write_report_with_baseline`
writes the overview report with the comparison chapter in it. Existing
files are never replaced unless ``overwrite``; a file open in Excel, Word
or LibreOffice is never replaced. The workbook and the document are
written under temporary names and moved into place together
(:func:`~xlpack.files.output_set.write_set`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from xlpack.compare.chapter import comparison_chapter, comparison_document
from xlpack.compare.comparison import Comparison, compare_workbooks
from xlpack.compare.mapping import CompareMap, load_map
from xlpack.compare.workbook import workbook_writer
from xlpack.errors import UsageError, WorkbookInUseError
from xlpack.files.output_set import Output, write_set
from xlpack.files.workbooks import lock_files
from xlpack.report.write import write_report

COMPARE_SUFFIX = " comparison.xlsx"


@dataclass(frozen=True)
class CompareResult:
    comparison: Comparison
    workbook: Path
    docx: Path | None = None


def default_compare_path(reaudit: Path) -> Path:
    """``<re-audit workbook name> comparison.xlsx`` beside the re-audit's workbook."""
    reaudit = Path(reaudit)
    return reaudit.with_name(reaudit.stem + COMPARE_SUFFIX)


def _target(out: Path, suffix: str, inputs: tuple[Path, ...], overwrite: bool) -> None:
    if out.suffix.lower() != suffix:
        raise UsageError(f"{out}: give the file name a {suffix} ending.")
    if any(out.resolve() == p.resolve() for p in inputs):
        raise UsageError(f"{out} is one of the coordinator workbooks being compared: give another file name.")
    if out.exists() and not overwrite:
        raise UsageError(f"{out} already exists. Give another name, or add --force to replace it.")


def _bytes_writer(data: bytes) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return write


def _map(map_file: Path | CompareMap | None) -> CompareMap | None:
    return load_map(map_file) if isinstance(map_file, (str, Path)) else map_file


def write_compare(baseline: Path, reaudit: Path, out: Path | None = None, *, docx: Path | None = None,
                  map_file: Path | CompareMap | None = None, today: date | None = None,
                  overwrite: bool = False) -> CompareResult:
    """Compare two consolidated coordinator workbooks; write the workbook (and the .docx when ``docx`` is given)."""
    baseline, reaudit = Path(baseline), Path(reaudit)
    out = Path(out) if out else default_compare_path(reaudit)
    _target(out, ".xlsx", (baseline, reaudit), overwrite)
    if docx is not None:
        docx = Path(docx)
        _target(docx, ".docx", (baseline, reaudit), overwrite)
    mapping = _map(map_file)  # a bad map is refused before the workbooks are read
    comparison = compare_workbooks(baseline, reaudit, mapping=mapping)
    for path in (out, docx):
        locks = lock_files(path) if path is not None else []
        if locks:
            raise WorkbookInUseError(f"{path} is open in Excel, Word or LibreOffice (lock file {locks[0].name} is "
                                     "beside it). Close it and run the command again.")
    outputs = [Output(out, workbook_writer(comparison))]
    if docx is not None:
        outputs.append(Output(docx, _bytes_writer(comparison_document(comparison, today=today))))
    write_set(outputs, last=out)  # both or neither: the workbook, moved in last, says the set is whole
    return CompareResult(comparison, out, docx)


def write_report_with_baseline(audit: Path, baseline: Path, out: Path | None = None, *,
                               map_file: Path | CompareMap | None = None, today: date | None = None,
                               overwrite: bool = False) -> tuple[Path, Comparison]:
    """The overview report of ``audit`` with the chapter comparing it with ``baseline``."""
    mapping = _map(map_file)  # a bad map is refused before the workbooks are read
    comparison = compare_workbooks(baseline, audit, mapping=mapping)
    path = write_report(audit, out, today=today, overwrite=overwrite,
                        extra=[partial(comparison_chapter, c=comparison)])
    return path, comparison

