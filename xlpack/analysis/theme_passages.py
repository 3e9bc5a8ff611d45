"""The passages of free text the themes finder reads, each in its pile, held as columns of numbers.

A passage is one non-blank free-text field of one Grades row. Strengths are
good practice, areas for development and actions concern, and evidence
follows its section's grade (after moderation): Good or better is good
practice, below it concern, ungraded evidence is not read.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from xlpack.model.definitions import GradeScale, and_joined, good_or_better
from xlpack.model.records import GradeRow

CONCERN, GOOD_PRACTICE = "Concern", "Good practice"
KINDS = (CONCERN, GOOD_PRACTICE)
#: The free-text fields of a Grades row, and how an example names the one it came from.
FIELDS = {"evidence": "evidence", "strengths": "strengths", "development": "area for development",
          "action": "action"}
FIELD_NAMES = tuple(FIELDS)


def pile_text(scale: GradeScale, kind: str) -> str:
    """What a pile is read from, in the scale's own words ("the evidence behind Adequate and Inadequate grades,
    areas for development and actions")."""
    if kind == CONCERN:
        return f"the evidence behind {and_joined(scale.below_good)} grades, areas for development and actions"
    return f"the evidence behind {and_joined(scale.good_or_better[::-1])} grades, and strengths"


def passage_kind(source: str, rank: int | None) -> str | None:
    """Which pile a text belongs to: strengths are good practice, development and actions concern, evidence by
    its grade (Good or better, or not); None for the evidence of an ungraded section (Not applicable, blank)."""
    if source == "strengths":
        return GOOD_PRACTICE
    if source in ("development", "action"):
        return CONCERN
    if rank is None:
        return None
    return GOOD_PRACTICE if good_or_better(rank) else CONCERN


@dataclass(eq=False, slots=True)
class Passage:
    """One passage as the rest of the finder reads it (made when asked for, from :class:`Passages`)."""

    row: GradeRow
    source: str  # the field
    kind: str
    text: str
    case: int = 0  # numbered as folded, for counting: the same number is the same case
    agency: int = 0


class Passages:
    """Every passage of free text to be read, held as columns of numbers (a large audit has half a million).

    A passage is one non-blank field of one Grades row that belongs to a pile; it is known by its row and field
    (its text is read from the row when wanted), its pile, and who wrote it: the case, agency and auditor as
    numbers, each folded (``casefold``) before it is numbered, and the form.
    """

    def __init__(self, grades: Iterable[GradeRow], scale: GradeScale):
        rank = {g.label: g.rank for g in scale.grades}
        self.rows: list[GradeRow] = []
        row, source, kind = array("i"), array("b"), array("b")
        who: tuple[array, ...] = (array("i"), array("i"), array("i"), array("i"))  # case, agency, auditor, form
        numbers: tuple[dict[str, int], ...] = ({}, {}, {}, {})
        for g in grades:
            r = rank.get(g.final_grade or "")
            texts = [(s, KINDS.index(pile)) for s, name in enumerate(FIELDS) if getattr(g, name).strip()
                     and (pile := passage_kind(name, r)) is not None]
            if not texts:
                continue
            names = (g.case_ref.casefold(), g.agency.casefold(), g.auditor.casefold(), g.form_id)
            mine = [n.setdefault(v, len(n)) for n, v in zip(numbers, names)]
            for s, k in texts:
                row.append(len(self.rows))
                source.append(s)
                kind.append(k)
                for column, n in zip(who, mine):
                    column.append(n)
            self.rows.append(g)
        self.row, self.source, self.kind = (np.array(a) for a in (row, source, kind))
        self.case, self.agency, self.auditor, self.form = (np.array(a) for a in who)
        self._agencies = len(numbers[1])

    def __len__(self) -> int:
        return len(self.row)

    def row_of(self, i: int) -> GradeRow:
        return self.rows[self.row[i]]

    def text(self, i: int) -> str:
        return getattr(self.rows[self.row[i]], FIELD_NAMES[self.source[i]]).strip()

    def texts(self, start: int, stop: int) -> list[str]:
        rows = self.rows
        return [getattr(rows[r], FIELD_NAMES[s]).strip()
                for r, s in zip(self.row[start:stop].tolist(), self.source[start:stop].tolist())]

    def __getitem__(self, i: int) -> Passage:
        return Passage(self.row_of(i), FIELD_NAMES[self.source[i]], KINDS[self.kind[i]], self.text(i),
                        int(self.case[i]), int(self.agency[i]))

    def kinds(self) -> dict[str, int]:
        """How many passages each pile holds, the piles in the order they first come."""
        counts = np.bincount(self.kind, minlength=len(KINDS))
        first = {k: int(np.argmax(self.kind == k)) for k in range(len(KINDS)) if counts[k]}
        return {KINDS[k]: int(counts[k]) for k in sorted(first, key=first.__getitem__)}

    def columns(self, found: Sequence[int]) -> tuple[np.ndarray, ...]:
        """The case, agency, auditor, case record (case x agency) and form numbers of the passages ``found``."""
        at = np.asarray(found, dtype=np.int64)
        case, agency = self.case[at], self.agency[at]
        return case, agency, self.auditor[at], case.astype(np.int64) * self._agencies + agency, self.form[at]


def passages(grades: Iterable[GradeRow], scale: GradeScale) -> Passages:
    """The passages of free text the finder reads, each in its pile (see :func:`passage_kind`)."""
    return Passages(grades, scale)
