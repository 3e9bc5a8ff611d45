"""The answers of one returned form: each input cell read, checked and typed.

Grades must be one of the scale's values; obvious variants (another case,
extra spaces, the grade's code) are read as the grade and said so. Dates
must be dates, whole numbers whole numbers within their range, choices one
of their choices. Free text is kept exactly as typed; text that became a
formula because it started with "=" is kept as the text typed, with a
warning. Every problem names the sheet and the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from sys import intern
from typing import Any

from xlpack.files.workbooks import cell_date, cell_text
from xlpack.intake.problems import Problem, problem
from xlpack.model.definitions import CELL_TEXT_LIMIT, GradeScale, Question, ToolDefinition
from xlpack.model.records import SectionAnswer

Value = str | date | int | None


@dataclass(frozen=True)
class InputRef:
    """One input cell as the form's metadata lists it."""

    key: str  # section.<id>.<record>, field.<id>, closing.<id>
    sheet: str
    cell: str
    row: int  # 0-based
    col: int
    type: str
    label: str
    required: bool


@dataclass
class Answers:
    fields: dict[str, Value] = field(default_factory=dict)
    closing: dict[str, Value] = field(default_factory=dict)
    sections: dict[str, SectionAnswer] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    answered: int = 0


@dataclass
class _Cell:
    ref: InputRef
    raw: Any
    formula: str | None
    out: list[Problem]

    def add(self, code: str, **params: object) -> None:
        self.out.append(problem(code, sheet=self.ref.sheet, cell=self.ref.cell, **params))


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def read_grade(c: _Cell, scale: GradeScale | None) -> str | None:
    """The scale's label for a grade cell, or None (blank or not a grade)."""
    if c.formula is not None:
        c.add("grade-formula", formula="=" + c.formula)
        return None
    if _blank(c.raw) or scale is None:
        return None
    if isinstance(c.raw, str) and scale.by_label(c.raw) is not None:
        return c.raw
    typed = cell_text(c.raw) if isinstance(c.raw, (str, int, float)) and not isinstance(c.raw, bool) else ""
    grade = scale.normalise(typed) if typed else None
    if grade is None:
        c.add("grade-invalid", value=cell_text(c.raw), choices=", ".join(scale.labels))
        return None
    c.add("grade-normalised", value=cell_text(c.raw), grade=grade.label)
    return grade.label


def read_choice(c: _Cell, question: Question | None) -> str | None:
    text = cell_text(c.raw)
    choices = list(question.choices or ()) if question else []
    if not choices or text in choices:
        return text
    match = next((x for x in choices if _fold(x) == _fold(text)), None)
    if match is None:
        c.add("choice-invalid", value=text, label=c.ref.label, choices=", ".join(choices))
        return None
    c.add("value-normalised", value=text, read=match)
    return match


def read_date(c: _Cell) -> date | None:
    raw = c.raw
    if isinstance(raw, (date, datetime)):
        return raw.date() if isinstance(raw, datetime) else raw
    if isinstance(raw, str):
        try:
            value = cell_date(raw)
        except ValueError:
            value = None
        if value is not None:
            c.add("date-as-text", value=raw, read=f"{value.day} {value:%B %Y}")
            return value
    c.add("not-a-date", value=cell_text(raw), label=c.ref.label)
    return None


def read_whole_number(c: _Cell, question: Question | None) -> int | None:
    lo = question.min if question and question.min is not None else 0
    hi = question.max if question and question.max is not None else 999
    raw = c.raw
    number: int | None = None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer():
        number = int(raw)
    elif isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", raw):
        number = int(raw)
        c.add("value-normalised", value=raw, read=number)
    if number is None:
        c.add("not-a-whole-number", value=cell_text(raw), label=c.ref.label, minimum=lo, maximum=hi)
    elif not lo <= number <= hi:
        c.add("number-out-of-range", value=number, label=c.ref.label, minimum=lo, maximum=hi)
        return None
    return number


def read_text(c: _Cell) -> str:
    if c.formula is not None:
        text = "=" + c.formula
        c.add("text-was-formula", formula=text)
    else:
        text = cell_text(c.raw)
    if len(text) > CELL_TEXT_LIMIT:
        c.add("text-too-long", length=f"{len(text):,}", label=c.ref.label)
    return text


def _question(tool: ToolDefinition, key: str) -> Question | None:
    group, _, qid = key.partition(".")
    questions = tool.form_fields if group == "field" else tool.closing if group == "closing" else ()
    return next((q for q in questions if q.id == qid), None)


def read_value(c: _Cell, tool: ToolDefinition, scale: GradeScale | None) -> Value:
    """The typed value of one input cell (None when blank or invalid; problems added to the cell)."""
    kind = c.ref.type
    if kind == "grade":
        return read_grade(c, scale)
    if kind in ("text", "long_text"):
        return read_text(c) if c.formula is not None or not _blank(c.raw) else ""
    if c.formula is not None:
        c.add("answer-formula", formula="=" + c.formula, label=c.ref.label)
        return None
    if _blank(c.raw):
        return None
    if kind == "date":
        return read_date(c)
    if kind == "whole_number":
        return read_whole_number(c, _question(tool, c.ref.key))
    if kind == "choice":
        return read_choice(c, _question(tool, c.ref.key))
    return read_text(c)


def read_answers(inputs: list[InputRef], grid: list[list[Any]], formulas: dict[str, str], tool: ToolDefinition,
                 scale: GradeScale | None) -> Answers:
    """Read every input cell of a form; collect the values and every problem."""
    out = Answers()
    sections: dict[str, dict[str, Any]] = {}
    blanks: list[InputRef] = []
    for ref in inputs:
        row = grid[ref.row] if ref.row < len(grid) else []
        raw = row[ref.col] if ref.col < len(row) else None
        c = _Cell(ref, raw, formulas.get(ref.cell), out.problems)
        value = read_value(c, tool, scale)
        if c.formula is not None or not _blank(raw):
            out.answered += 1
        elif ref.required:
            blanks.append(ref)
        out.cells[ref.key] = ref.cell
        group, _, rest = ref.key.partition(".")
        rest = intern(rest)
        if group == "field":
            out.fields[rest] = value
        elif group == "closing":
            out.closing[rest] = value
        elif group == "section":
            section_id, _, record = rest.rpartition(".")
            section_id, record = intern(section_id), intern(record)
            _store(sections.setdefault(section_id, {"section_id": section_id, "cells": {}}), record, ref.cell,
                   value, scale)
    for ref in blanks:
        if not _exempt(ref, sections):
            out.problems.append(problem("required-missing", sheet=ref.sheet, cell=ref.cell, label=_label(ref, tool)))
    if out.answered == 0 and inputs:
        out.problems.append(problem("no-answers", sheet=inputs[0].sheet))
    out.sections = {k: SectionAnswer(**v) for k, v in sections.items()}
    return out


def _store(answer: dict[str, Any], record: str, cell: str, value: Value, scale: GradeScale | None) -> None:
    answer["cells"][record] = cell
    if record == "grade":
        grade = scale.by_label(value) if scale and isinstance(value, str) else None
        if grade is not None:
            answer.update(grade=grade.label, grade_code=grade.code, grade_rank=grade.rank)
    elif record in ("evidence", "strengths", "development", "action"):
        answer[record] = value if isinstance(value, str) else ""


def _exempt(ref: InputRef, sections: dict[str, dict[str, Any]]) -> bool:
    """Evidence is not required for a section graded Not applicable."""
    section_id, _, record = ref.key.partition(".")[2].rpartition(".")
    if not ref.key.startswith("section.") or record != "evidence":
        return False
    return str(sections.get(section_id, {}).get("grade_code") or "").upper() == "NA"


def _label(ref: InputRef, tool: ToolDefinition) -> str:
    if ref.key.startswith("section."):
        section_id = ref.key.split(".")[1]
        title = next((s.title for s in tool.sections if s.id == section_id), section_id)
        return f"{title}: {ref.label}"
    return ref.label.removesuffix(" (required)")
