"""One exception tree for the whole package.

Every error a person can cause is an :class:`XlpackError` whose message
says where (file, sheet, cell or line), what is wrong and what to do.
The CLI maps the classes to exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class XlpackError(Exception):
    """Base class: a problem the user can act on."""

    exit_code = 1


class UsageError(XlpackError):
    """The command was called with arguments that cannot work."""

    exit_code = 2


@dataclass(frozen=True)
class DefinitionProblem:
    """One problem in a tool definition or grade scale file."""

    file: str
    line: int | None
    where: str
    message: str
    fix: str

    def __str__(self) -> str:
        place = f"{self.file}, line {self.line}" if self.line else self.file
        loc = f" ({self.where})" if self.where else ""
        return f"{place}{loc}: {self.message} Fix: {self.fix}"


@dataclass
class DefinitionError(XlpackError):
    """A definition file has one or more problems; all are listed."""

    path: Path
    problems: list[DefinitionProblem] = field(default_factory=list)
    exit_code = 3

    def __str__(self) -> str:
        head = f"{self.path} has {len(self.problems)} problem(s):"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class WorkbookError(XlpackError):
    """The coordinator workbook cannot be read or written as it is."""


class WorkbookInUseError(WorkbookError):
    """The workbook is open in Excel or LibreOffice (a lock file is beside it)."""


class PlanError(XlpackError):
    """The audit plan in the coordinator workbook has problems (all listed); nothing was done."""

    exit_code = 1

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.path}: the audit plan has {len(self.problems)} problem(s):"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])
