"""One exception tree for the whole package, and text made safe to show.

Every error a person can cause is an :class:`XlpackError` whose message
says where (file, sheet, cell or line), what is wrong and what to do.
The CLI maps the classes to exit codes. :func:`visible` shows the control
characters a file name or an answer may hold (``\\x1b``, ``\\r``) instead of
letting a terminal act on them; everything printed goes through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlpack.wording import counted, noun

if TYPE_CHECKING:
    import zipfile

#: What a terminal may act on: C0 and C1 controls, DEL, line and paragraph separators, and the
#: bidirectional overrides and isolates that make a name read differently from what it is.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def visible(text: object, *, keep_lines: bool = False) -> str:
    """``text`` with every control character shown as an escape (ESC as ``\\x1b``, CR as ``\\r``).

    With ``keep_lines``, line breaks stay line breaks (for messages of several lines).
    """
    value = str(text)
    if value.isprintable():  # nearly always: nothing to show differently
        return value
    return (_UNSAFE_KEEP_LINES if keep_lines else _UNSAFE).sub(_escape, value)


class XlpackError(Exception):
    """Base class: a problem the user can act on."""

    exit_code = 1
    #: Lines the console shows before the message: what must not wait (a safeguarding alert not drafted).
    first: tuple[str, ...] = ()


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
        head = f"{self.path} has {counted(len(self.problems), 'problem')}:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class WorkbookError(XlpackError):
    """The coordinator workbook cannot be read or written as it is."""


class WorkbookInUseError(WorkbookError):
    """The workbook is open in Excel or LibreOffice (a lock file is beside it)."""


def listed(head: str, problems: Sequence[str], limit: int | None = None) -> str:
    """``head`` and one indented line a problem, the first ``limit`` of them and how many more."""
    shown = problems[:limit] if limit else problems
    more = [f"  ... and {len(problems) - len(shown)} more."] if len(problems) > len(shown) else []
    return "\n".join([head, *(f"  - {p}" for p in shown), *more])


class ProblemsError(XlpackError):
    """Nothing was done, for the problems listed (all of them, or the first ``limit`` and how many more)."""

    limit: int | None = None

    def __init__(self, path: Path, problems: Sequence[str]):
        self.path = Path(path)
        self.problems = list(problems)
        super().__init__(str(self))

    def head(self) -> str:
        return f"{self.path}: {counted(len(self.problems), 'problem')}; nothing was done:"

    def __str__(self) -> str:
        return listed(self.head(), self.problems, self.limit)


class PlanError(ProblemsError):
    """The audit plan in the coordinator workbook has problems (all listed); nothing was done."""

    def head(self) -> str:
        return f"{self.path}: the audit plan has {counted(len(self.problems), 'problem')}:"


class AssignmentError(ProblemsError):
    """``generate --strict``: the assignments have problems (all listed); no form was written."""

    def head(self) -> str:
        return (f"{self.path}: no form was issued (--strict) and nothing was changed: the Assignments sheet has "
                f"{counted(len(self.problems), 'problem')}:")


class MailError(ProblemsError):
    """Draft emails cannot be written as things are (all problems listed); nothing was written."""

    limit = 30

    def head(self) -> str:
        return (f"No email was drafted and {self.path} was not changed: {counted(len(self.problems), 'problem')} to "
                "fix first:")


class WorkbookBusyError(WorkbookInUseError):
    """Another xlpack command holds the workbook's lock."""


class WorkbookChangedError(WorkbookError):
    """The workbook was saved by someone else while the command ran; nothing was written."""


class DiskError(WorkbookError):
    """The disk or folder refused a write; the message names the path and what to do."""


#: How the CLI goes on when earlier results are dropped on purpose; the Excel skins say it in their own words.
ALLOW_MISSING = "run again with --allow-missing"


class ResultsWouldBeDroppedError(WorkbookError):
    """Consolidating the returns given would drop results the workbook holds; nothing was written.

    ``absent`` are the forms accepted last time that were not given (Returns rows); :meth:`told` gives the
    message with another way of dropping them on purpose than the CLI's option (a button's tick box).
    """

    def __init__(self, compose: Callable[[str], str], absent: Sequence[Any] = ()):
        self.compose, self.absent = compose, list(absent)
        super().__init__(compose(ALLOW_MISSING))

    def told(self, how: str) -> str:
        """The message, saying ``how`` to drop the earlier results on purpose (for example "tick ...")."""
        return self.compose(how)


class KeepTypedError(ProblemsError, WorkbookError):
    """consolidate would lose something the coordinator typed; nothing was written."""

    limit = 20

    def __init__(self, path: Path, problems: list[str], command: str = "consolidate"):
        self.command = command
        super().__init__(path, problems)

    def head(self) -> str:
        return (f"{self.path} was not changed: {self.command} would lose {counted(len(self.problems), 'thing')} "
                f"typed into it. Nothing is written until {noun(len(self.problems), 'it is', 'they are')} dealt with:")


class ModerationError(ProblemsError, WorkbookError):
    """A moderated grade the report (or feedback, or a comparison) cannot use (not on the scale): nothing was
    written."""

    def __init__(self, path: Path, problems: Sequence[str], nothing: str = "no report was written"):
        self.nothing = nothing
        super().__init__(path, problems)

    def head(self) -> str:
        return f"{self.path}: {self.nothing}, because the moderation on the Grades sheet cannot be read:"


class MeetingsError(ProblemsError, WorkbookError):
    """A row of the Meetings sheet the report (or the meeting pack) cannot read: nothing was written, rather than a
    document leaving the meeting out."""

    def __init__(self, path: Path, problems: Sequence[str], nothing: str = "no report was written"):
        self.nothing = nothing
        super().__init__(path, problems)

    def head(self) -> str:
        return f"{self.path}: {self.nothing}, because a row of the Meetings sheet cannot be read:"


class ExtractError(ProblemsError):
    """The extract, or the draw asked of it, has problems (all listed); nothing was written."""

    limit = 25

    def head(self) -> str:
        return (f"{self.path.name}: {counted(len(self.problems), 'problem')}; nothing was drawn and the coordinator "
                "workbook was not changed:")


class YamlSyntaxError(Exception):
    """A YAML file that does not parse, with the line where it went wrong (read into a DefinitionProblem)."""

    def __init__(self, line: int | None, message: str):
        self.line = line
        self.message = message
        super().__init__(message)


class MemberSizeError(Exception):
    """A zip member whose data is not the size its entry declares (more: a disguised bomb), or stored with a
    compression method whose size cannot be bounded (``method`` is then set and ``read`` is None).

    Raised by :func:`xlpack.files.bounded_zip.inflate`; intake turns it into the problem it reports.
    """

    def __init__(self, info: zipfile.ZipInfo, read: int | None, method: int | None = None):
        self.info, self.read, self.method = info, read, method
        super().__init__(info.filename)
