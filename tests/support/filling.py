"""Fill in issued forms the way auditors do, for tests of intake and consolidation.

:func:`fill_form` reads the form's own map of input cells from its hidden
metadata sheet, writes answers with openpyxl (as a script or Excel would:
protection, hidden sheets and validations kept) and saves a copy. By
default every required answer is given, so the result is accepted as it
is; pass values to change any of them.

    fill_form(form, out, {"identification": "Good", "assessment": "Adequate"},
              evidence="Seen on file.", closing={"overall_grade": "Good"})
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from xlpack.demo.simulate import set_saved_at
from xlpack.forms.layout import LISTS_SHEET, META_SHEET

DEFAULT_GRADE = "Good"
DEFAULT_DATE = date(2026, 11, 1)
TextArg = str | Mapping[str, str] | None


def input_map(path: Path) -> dict[str, dict[str, str]]:
    """The form's input cells by key: {"section.x.grade": {"sheet", "cell", "type", "label", "required"}}."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return _inputs(wb[META_SHEET])
    finally:
        wb.close()


def _inputs(ws: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    reading = False
    for row in ws.iter_rows(values_only=True):
        first = row[0] if row else None
        if first == "input":
            reading = True
            continue
        if reading and not first:
            break
        if reading:
            key, sheet, cell, kind, label, required = (str(v or "") for v in row[:6])
            out[key] = {"sheet": sheet, "cell": cell, "type": kind, "label": label, "required": required}
    return out


def _lists(ws: Any) -> dict[str, list[str]]:
    columns: dict[str, list[str]] = {}
    for col in ws.iter_cols(values_only=True):
        if col and col[0]:
            columns[str(col[0])] = [str(v) for v in col[1:] if v not in (None, "")]
    return columns


def _text(arg: TextArg, section: str, default: str) -> str | None:
    if arg is None:
        return None
    if isinstance(arg, str):
        return arg.format(section=section)
    return arg.get(section, default.format(section=section) if default else None)


def answers_for(inputs: Mapping[str, Mapping[str, str]], lists: Mapping[str, list[str]],
                grades: Mapping[str, str | None] | None = None, *, evidence: TextArg = "Evidence for {section}: "
                "the record was read; entries are dated and signed.", strengths: TextArg = None,
                development: TextArg = None, action: TextArg = None, fields: Mapping[str, Any] | None = None,
                closing: Mapping[str, Any] | None = None, cells: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Input key -> value for a form: valid defaults, then the values given."""
    values: dict[str, Any] = {}
    texts = {"evidence": (evidence, "Evidence for {section}."), "strengths": (strengths, ""),
             "development": (development, ""), "action": (action, "")}
    for key, info in inputs.items():
        group, _, rest = key.partition(".")
        if group == "section":
            section, _, record = rest.rpartition(".")
            if record == "grade":
                values[key] = grades.get(section, DEFAULT_GRADE) if grades else DEFAULT_GRADE
            else:
                arg, default = texts[record]
                values[key] = _text(arg, section, default)
        elif info["required"] == "yes":
            values[key] = _default(key, info, lists)
    for key, value in (fields or {}).items():
        values[f"field.{key}"] = value
    for key, value in (closing or {}).items():
        values[f"closing.{key}"] = value
    values.update(cells or {})
    return values


def _default(key: str, info: Mapping[str, str], lists: Mapping[str, list[str]]) -> Any:
    qid = key.partition(".")[2]
    kind = info["type"]
    if kind == "grade":
        return DEFAULT_GRADE
    if kind == "date":
        return DEFAULT_DATE
    if kind == "whole_number":
        return 1
    if kind == "choice":
        return lists.get(f"xl_list_{qid}", ["?"])[0]
    return f"Answer to {info['label'].removesuffix(' (required)')}"


def fill_form(path: Path, out: Path, grades: Mapping[str, str | None] | None = None, *,
              evidence: TextArg = "Evidence for {section}: the record was read; entries are dated and signed.",
              strengths: TextArg = None, development: TextArg = None, action: TextArg = None,
              fields: Mapping[str, Any] | None = None, closing: Mapping[str, Any] | None = None,
              cells: Mapping[str, Any] | None = None, saved_at: datetime | None = None) -> Path:
    """Fill in the form at ``path`` and save it as ``out``; returns ``out``.

    ``grades`` maps section ids to grade labels (any section left out gets
    "Good"; None leaves it blank). Text arguments are one text for every
    section (``{section}`` is replaced by the section id) or a mapping by
    section id; None leaves them blank. ``fields`` and ``closing`` map
    question ids to values; ``cells`` maps input keys ("section.x.grade")
    or cell references ("B27", on the answers' sheet) to raw values,
    written last (a text starting with "=" becomes a formula, as when
    typed). ``saved_at`` sets the workbook's own save time (default now).
    """
    wb = openpyxl.load_workbook(path)
    inputs = _inputs(wb[META_SHEET])
    lists = _lists(wb[LISTS_SHEET]) if LISTS_SHEET in wb.sheetnames else {}
    values = answers_for(inputs, lists, grades, evidence=evidence, strengths=strengths, development=development,
                         action=action, fields=fields, closing=closing,
                         cells={k: v for k, v in (cells or {}).items() if k in inputs})
    sheet = next(iter(inputs.values()))["sheet"]
    for key, value in values.items():
        if value is not None:
            info = inputs[key]
            wb[info["sheet"]][info["cell"]].value = value
    for ref, value in (cells or {}).items():
        if ref not in inputs:
            wb[sheet][ref].value = value
    wb.save(out)
    if saved_at is not None:
        set_saved_at(Path(out), saved_at)
    return Path(out)


def return_first_audit_form(audit: Path, forms: Path, returns: Path) -> Path:
    """Fill in the audit's first issued audit form (Assessment Good, every other section its default) into the
    folder ``returns`` (made if missing), as an auditor returns it; gives ``returns``."""
    from xlpack.coordinator.plan_sheets import read_plan

    first = next(f for f in read_plan(audit).issued if f.kind == "audit")
    returns.mkdir(parents=True, exist_ok=True)
    fill_form(forms / first.file, returns / first.file, {"assessment": "Good"})
    return returns
