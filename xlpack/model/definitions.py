"""Tool definitions and grade scales: data in ``workbook_templates/``.

A partnership edits the YAML files; pydantic validates them; every
problem is reported with the file, the line and the fix, all at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from xlpack.errors import DefinitionError, DefinitionProblem, UsageError, YamlSyntaxError
from xlpack.model.yaml_lines import line_for, load_with_lines

#: Excel limits a list typed into a validation rule to 255 characters. xlpack
#: never types lists inline: every dropdown reads a range on a hidden Lists
#: sheet, so long lists and choices containing commas both work.
#: Excel's limit for a data validation input message.
INPUT_MESSAGE_LIMIT = 255
#: Excel's limit for text in a cell.
CELL_TEXT_LIMIT = 32767

ID_PATTERN = r"^[a-z][a-z0-9_]*$"
RecordKind = Literal["grade", "evidence", "strengths", "development", "action"]
RECORD_KINDS: tuple[RecordKind, ...] = ("grade", "evidence", "strengths", "development", "action")
RECORD_LABELS = {
    "grade": "Grade",
    "evidence": "Evidence for the grade",
    "strengths": "Strengths and good practice",
    "development": "Areas for development",
    "action": "Action for your agency",
}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: The rank of the lowest grade counted as "Good or better" (1 is the best grade): the one place it is set.
GOOD_OR_BETTER_RANK = 2


def and_joined(items: Sequence[str]) -> str:
    """"A", "A and B", "A, B and C": a list as a sentence says it."""
    return " and ".join(items) if len(items) < 3 else f"{', '.join(items[:-1])} and {items[-1]}"


def good_or_better(rank: int | None) -> bool:
    """Whether a grade of this rank counts as Good or better (None, a grade outside the ranking, never does)."""
    return rank is not None and rank <= GOOD_OR_BETTER_RANK


class Grade(_Model):
    code: str = Field(min_length=1, max_length=4)
    label: str = Field(min_length=1, max_length=60)
    descriptor: str = Field(min_length=1)
    rank: int | None = Field(default=None, ge=1, le=9)
    colour: str = Field(default="#FFFFFF", pattern=r"^#[0-9A-Fa-f]{6}$")
    aliases: tuple[str, ...] = ()

    @property
    def good_or_better(self) -> bool:
        return good_or_better(self.rank)


class GradeScale(_Model):
    id: str = Field(pattern=ID_PATTERN.replace("_", "_-"))
    title: str
    grades: tuple[Grade, ...] = Field(min_length=2)

    @field_validator("grades")
    @classmethod
    def _unique(cls, grades: tuple[Grade, ...]) -> tuple[Grade, ...]:
        seen: set[str] = set()
        for g in grades:
            for key in (g.code.casefold(), g.label.casefold()):
                if key in seen:
                    raise ValueError(f"the grade '{key}' appears twice; codes and labels must be unique")
                seen.add(key)
        return grades

    @property
    def labels(self) -> list[str]:
        return [g.label for g in self.grades]

    @property
    def ranked(self) -> list[Grade]:
        return sorted((g for g in self.grades if g.rank is not None), key=lambda g: g.rank or 0)

    @property
    def good_or_better(self) -> list[str]:
        """The labels counted as Good or better (:data:`GOOD_OR_BETTER_RANK`), in the scale's order."""
        return [g.label for g in self.grades if g.good_or_better]

    @property
    def below_good(self) -> list[str]:
        """The graded labels below Good or better (concern), best first: Adequate (or Requires improvement to be
        good) and Inadequate on the four-point scales."""
        return [g.label for g in self.ranked if not g.good_or_better]

    @property
    def worst_rank(self) -> int:
        """The rank of the worst grade (Inadequate on the Ofsted-style scale); 0 for a scale without ranks."""
        return max((g.rank for g in self.grades if g.rank is not None), default=0)

    @property
    def inadequate(self) -> list[str]:
        """The labels of the worst rank: the share Inadequate counts them."""
        worst = self.worst_rank
        return [g.label for g in self.grades if g.rank is not None and g.rank == worst]

    def by_label(self, label: str) -> Grade | None:
        for g in self.grades:
            if g.label == label:
                return g
        return None

    def normalise(self, text: str) -> Grade | None:
        """Match typed text to a grade: label, code or alias, any case and spacing."""
        key = _fold(text)
        if not key:
            return None
        for g in self.grades:
            if key in (_fold(g.label), _fold(g.code), *(_fold(a) for a in g.aliases)):
                return g
        return None


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


FieldType = Literal["text", "long_text", "date", "choice", "whole_number", "grade"]


class Question(_Model):
    """A field or question: case fields, form fields and closing questions."""

    id: str = Field(pattern=ID_PATTERN)
    label: str = Field(min_length=1, max_length=250)
    type: FieldType = "text"
    required: bool = False
    help: str | None = Field(default=None, max_length=INPUT_MESSAGE_LIMIT)
    choices: tuple[str, ...] | None = None
    min: int | None = None
    max: int | None = None
    group: str | None = Field(default=None, max_length=60)  # closing questions of a group print under its heading

    @model_validator(mode="after")
    def _choices_fit_type(self) -> Question:
        if self.type == "choice":
            if not self.choices:
                raise ValueError("a 'choice' question needs a non-empty 'choices' list")
            if len(set(self.choices)) != len(self.choices):
                raise ValueError("the 'choices' list has the same choice twice")
        elif self.choices:
            raise ValueError(f"'choices' only goes with type 'choice', not '{self.type}'")
        return self


class Section(_Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    prompts: tuple[str, ...] = Field(min_length=1)
    records: tuple[RecordKind, ...] = RECORD_KINDS

    @field_validator("prompts")
    @classmethod
    def _prompts_not_blank(cls, prompts: tuple[str, ...]) -> tuple[str, ...]:
        if any(not p.strip() for p in prompts):
            raise ValueError("a prompt is empty")
        return prompts


class ToolDefinition(_Model):
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=120)
    category: str = Field(min_length=1, max_length=60)
    version: str = Field(min_length=1, max_length=20)
    kind: Literal["audit", "views"] = "audit"
    grade_scale: str | None = None
    case_fields: tuple[Question, ...] = ()
    form_fields: tuple[Question, ...] = ()
    sections: tuple[Section, ...] = ()
    closing: tuple[Question, ...] = ()
    #: The roles an auditor of each agency may hold (optional): generate warns about a role not on its agency's list.
    auditor_roles: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("auditor_roles")
    @classmethod
    def _roles(cls, roles: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for agency, names in roles.items():
            if not agency.strip() or not names or any(not n.strip() for n in names):
                raise ValueError(f"'auditor_roles' of '{agency}' needs a list of role names, none of them empty")
        return roles

    def roles_for(self, agency: str) -> tuple[str, ...] | None:
        """The roles the definition gives for ``agency`` (compared ignoring case), or None when it gives none."""
        key = " ".join(agency.split()).casefold()
        for name, roles in self.auditor_roles.items():
            if " ".join(name.split()).casefold() == key:
                return roles
        return None

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, v: object) -> object:
        return str(v) if isinstance(v, (int, float)) else v

    @model_validator(mode="after")
    def _shape(self) -> ToolDefinition:
        if self.kind == "audit":
            if not self.sections:
                raise ValueError("an audit tool needs at least one section")
            if not self.grade_scale:
                raise ValueError("an audit tool needs a 'grade_scale'")
        return self

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    @property
    def uses_grades(self) -> bool:
        return bool(self.sections) or any(q.type == "grade" for q in self.closing)


# --------------------------------------------------------------------------
# Finding and loading definitions


def templates_dir() -> Path:
    """Where the bundled tool definitions live (override with XLPACK_TEMPLATES)."""
    env = os.environ.get("XLPACK_TEMPLATES")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parents[1]  # xlpack/ (model/ is one of its stages)
    for candidate in (package.parent / "workbook_templates", package / "workbook_templates"):
        if candidate.is_dir():
            return candidate
    raise UsageError("The tool definitions folder workbook_templates/ was not found; set XLPACK_TEMPLATES.")


def builtin_tools() -> dict[str, Path]:
    return {p.stem: p for p in sorted(templates_dir().glob("*.yaml"))}


def resolve_tool(ref: str | Path) -> Path:
    """A tool id (``cp``) or a path to a definition file."""
    path = Path(ref)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise UsageError(f"The tool definition {path} does not exist.")
        return path
    tools = builtin_tools()
    by_id = {k.casefold(): v for k, v in tools.items()}  # files are named CP_...: --tool CP means cp
    if str(ref).casefold() in by_id:
        return by_id[str(ref).casefold()]
    known = ", ".join(k for k in tools if k != "views")
    raise UsageError(f"'{ref}' is neither a tool id ({known}) nor a definition file.")


def _problems_from_validation(path: Path, exc: ValidationError, lines: dict) -> list[DefinitionProblem]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        msg = err["msg"].removeprefix("Value error, ")
        fix = _fix_for(err["type"], loc, msg)
        out.append(DefinitionProblem(str(path), line_for(lines, loc), where, _sentence(msg), fix))
    return out


def _sentence(msg: str) -> str:
    msg = msg.strip()
    return (msg[0].upper() + msg[1:] + ("" if msg.endswith(".") else ".")) if msg else msg


def _fix_for(kind: str, loc: tuple, msg: str) -> str:
    name = str(loc[-1]) if loc else ""
    if kind == "missing":
        return f"add '{name}:' here."
    if kind == "extra_forbidden":
        return f"remove '{name}' or check its spelling; allowed keys are listed in the README."
    if kind == "too_short" and name == "prompts":
        return "give the section at least one prompt (a '- question?' line under 'prompts:')."
    if kind == "literal_error":
        return "use one of the allowed values named above."
    if kind == "string_pattern_mismatch":
        return "use lower-case letters, digits and underscores, starting with a letter (e.g. voice_of_child)."
    return "correct the value as described."


_Add = Callable[[tuple, str, str], None]  # (location, message, what to do) -> a problem recorded


def _extra_checks(defn: ToolDefinition, path: Path, lines: dict) -> list[DefinitionProblem]:
    """Rules that span several parts of a definition."""
    problems: list[DefinitionProblem] = []

    def add(loc: tuple, message: str, fix: str) -> None:
        problems.append(DefinitionProblem(str(path), line_for(lines, loc), ".".join(map(str, loc)), message, fix))

    _section_checks(defn, lines, add)
    _question_checks(defn, lines, add)
    return problems


def _section_checks(defn: ToolDefinition, lines: dict, add: _Add) -> None:
    """Each section's id and title used once."""
    seen: dict[str, tuple] = {}
    titles: dict[str, tuple] = {}
    for i, s in enumerate(defn.sections):
        loc = ("sections", i, "id")
        if s.id in seen:
            first = line_for(lines, seen[s.id])
            add(loc, f"The section id '{s.id}' is used twice (first on line {first}).",
                "give each section its own id; ids link returned forms to sections, so never reuse one.")
        else:
            seen[s.id] = loc
        title = " ".join(s.title.split()).casefold()
        if title in titles:
            add(("sections", i, "title"), f"The section title '{s.title}' is used twice (first on line "
                f"{line_for(lines, titles[title])}).",
                "give each section its own title; a focused audit names its sections by title.")
        else:
            titles[title] = ("sections", i, "title")


def _question_checks(defn: ToolDefinition, lines: dict, add: _Add) -> None:
    """Each question's id used once, a grade question only with a scale, no built-in case field, short choices."""
    groups = (("case_fields", defn.case_fields), ("form_fields", defn.form_fields), ("closing", defn.closing))
    qseen: dict[str, tuple] = {}
    for group, questions in groups:
        for i, q in enumerate(questions):
            loc = (group, i, "id")
            if q.id in qseen:
                add(loc, f"The question id '{q.id}' is used twice (first on line {line_for(lines, qseen[q.id])}).",
                    "give each question its own id.")
            else:
                qseen[q.id] = loc
            if q.type == "grade" and not defn.grade_scale:
                add((group, i, "type"), "A 'grade' question needs the tool to name a grade_scale.",
                    "add 'grade_scale: ofsted-2009' (or another scale) at the top.")
            if group == "case_fields" and q.id in ("case_ref", "category"):
                add(loc, f"'{q.id}' is built in and always on the Cases sheet.", "remove this case field.")
    for group, questions in groups:
        for i, q in enumerate(questions):
            if q.choices and any(len(c) > 255 for c in q.choices):
                add((group, i, "choices"), "A choice is longer than Excel's 255-character limit for a list item.",
                    "shorten the choice.")


def check_definition(path: Path) -> tuple[ToolDefinition | None, list[DefinitionProblem]]:
    """Validate one definition file; return the model (if valid) and every problem found."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [DefinitionProblem(str(path), None, "", f"The file cannot be read ({exc}).",
                                        "check the path and that the file is saved as UTF-8 text.")]
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as exc:
        return None, [DefinitionProblem(str(path), exc.line, "", _sentence(exc.message),
                                        "check the indentation and punctuation on that line.")]
    if not isinstance(data, dict):
        return None, [DefinitionProblem(str(path), 1, "", "The file does not hold a tool definition.",
                                        "start from one of the files in workbook_templates/.")]
    try:
        defn = ToolDefinition.model_validate(data)
    except ValidationError as exc:
        return None, _problems_from_validation(path, exc, lines)
    problems = _extra_checks(defn, path, lines)
    if defn.grade_scale:
        try:
            load_scale(defn.grade_scale)
        except DefinitionError as exc:
            problems.extend(exc.problems)
        except UsageError:
            problems.append(DefinitionProblem(str(path), line_for(lines, ("grade_scale",)), "grade_scale",
                                              f"Unknown grade scale '{defn.grade_scale}'.",
                                              f"use one of: {', '.join(builtin_scales())}, or a path to a scale "
                                              "file."))
    return (None if problems else defn), problems


def load_definition(ref: str | Path) -> ToolDefinition:
    path = resolve_tool(ref)
    defn, problems = check_definition(path)
    if problems or defn is None:
        raise DefinitionError(path, problems)
    return defn


def builtin_scales() -> dict[str, Path]:
    return {p.stem: p for p in sorted((templates_dir() / "scales").glob("*.yaml"))}


@lru_cache(maxsize=32)
def _load_scale_cached(path: Path, mtime: float) -> GradeScale:
    data, lines = load_with_lines(path.read_text(encoding="utf-8"))
    try:
        return GradeScale.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(path, _problems_from_validation(path, exc, lines)) from exc


def load_scale(ref: str | Path) -> GradeScale:
    """A scale id (``ofsted-2009``, ``ilacs``) or a path to a scale file."""
    path = Path(ref)
    if not path.suffix:
        scales = {k.casefold(): v for k, v in builtin_scales().items()}
        if str(ref).casefold() not in scales:
            raise UsageError(f"Unknown grade scale '{ref}'. Known scales: {', '.join(builtin_scales())}.")
        path = scales[str(ref).casefold()]
    if not path.is_file():
        raise UsageError(f"The grade scale file {path} does not exist.")
    try:
        return _load_scale_cached(path.resolve(), path.stat().st_mtime)
    except YamlSyntaxError as exc:
        raise DefinitionError(path, [DefinitionProblem(str(path), exc.line, "", _sentence(exc.message),
                                                       "check the indentation on that line.")]) from exc
