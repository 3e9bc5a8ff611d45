"""What every consistency flag rule works on, and how a flag is made.

A rule is a function from a :class:`FlagContext` to flags, wrapped in a
:class:`Rule` with its code, title and one-line description. The flag id
is the rule's code plus a short hash of what the flag is *about* (the
case and section, or the form), never of what it says, so the
coordinator's resolution stays with the flag when the grades change.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

from xlpack import clock
from xlpack.model.plan import AuditPlan
from xlpack.model.records import FlagRow, FormReturn, ReturnRow, SectionAnswer, Severity

SEVERITY_ORDER: dict[str, int] = {"urgent": 0, "high": 1, "medium": 2, "low": 3}


@dataclass
class FlagContext:
    """The accepted audit forms and the returns of one audit, with look-ups rules share."""

    plan: AuditPlan
    forms: Sequence[FormReturn]  # accepted audit forms (one per issued form: duplicates resolved)
    returns: Sequence[ReturnRow] = ()
    today: date = field(default_factory=clock.today)

    def __post_init__(self) -> None:
        self.views_forms: list[FormReturn] = [f for f in self.forms if f.kind == "views"]
        self.forms = [f for f in self.forms if f.kind == "audit"]
        self._by_case: dict[str, list[FormReturn]] = defaultdict(list)
        for f in sorted(self.forms, key=form_sort_key):
            self._by_case[f.case_ref.casefold()].append(f)
        self._order = {s.id: i for i, s in enumerate(self.plan.tool.sections, start=1)}
        self._titles = {s.id: s.title for s in self.plan.tool.sections}

    def cases(self) -> list[tuple[str, list[FormReturn]]]:
        """(case reference, its forms ordered by agency and auditor), cases in reference order."""
        return [(forms[0].case_ref, forms) for _, forms in sorted(self._by_case.items())]

    def section_ids(self) -> list[str]:
        return [s.id for s in self.plan.tool.sections]

    def section_title(self, section_id: str) -> str:
        return self._titles.get(section_id, section_id)

    def section_order(self, section_id: str) -> int:
        return self._order.get(section_id, 0)


def form_sort_key(f: FormReturn) -> tuple[str, str, str, str]:
    return (f.case_ref.casefold(), f.agency.casefold(), f.auditor.casefold(), f.form_id)


def answer(form: FormReturn, section_id: str) -> SectionAnswer | None:
    return form.sections.get(section_id)


def closing_text(form: FormReturn, question_id: str) -> str:
    value = form.closing.get(question_id)
    return "" if value is None else str(value).strip()


def who(form: FormReturn) -> str:
    """How a flag names one form: the agency, and the auditor."""
    return f"{form.agency} ({form.auditor})"


def cell_ref(form: FormReturn, cell: str | None) -> str:
    """``FILE.xlsx: Audit!B27``: where to look in the returned form."""
    name = PurePath(form.source.replace("\\", "/")).name if form.source else form.form_id
    return f"{name}: {form.sheet}!{cell}" if cell else name


def section_cells(forms: Iterable[FormReturn], section_id: str, record: str = "grade") -> str:
    refs = []
    for f in forms:
        a = f.sections.get(section_id)
        if a is not None:
            refs.append(cell_ref(f, a.cells.get(record)))
    return "; ".join(refs)


def excerpt(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def flag_id(code: str, *about: str) -> str:
    """``DIV-1a2b3c4d``: the rule's code and a hash of what the flag is about (case-insensitive)."""
    key = "\x1f".join(" ".join(str(p).split()).casefold() for p in about)
    return f"{code}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:8]}"


Check = Callable[[FlagContext], Iterable[FlagRow]]
#: Picks the sections of a form a per-section rule objects to.
Pick = Callable[[SectionAnswer], bool]


@dataclass(frozen=True)
class Rule:
    """One consistency rule: ``check`` yields its flags."""

    code: str  # short, upper case: the start of every flag id of this rule
    name: str  # the id stored in FlagRow.rule, e.g. "agency_divergence"
    title: str  # what the Flags sheet shows
    description: str
    check: Check

    def sections_of_forms(self, ctx: FlagContext, pick: Pick, record: str,
                          say: Callable[[FormReturn, list[tuple[str, SectionAnswer]]], str]) -> Iterator[FlagRow]:
        """One medium flag per form with sections ``pick`` objects to, pointing at their ``record`` cells."""
        for form in ctx.forms:
            bare = [(sid, a) for sid, a in form.sections.items() if pick(a)]
            if bare:
                yield self.flag(about=[form.form_id], severity="medium", case_ref=form.case_ref,
                                agencies=[form.agency], section_id=bare[0][0] if len(bare) == 1 else "",
                                cells="; ".join(cell_ref(form, a.cells.get(record)) for _, a in bare),
                                message=say(form, bare))

    def flag(self, *, about: Sequence[str], severity: Severity, case_ref: str, message: str,
             section_id: str = "", agencies: Iterable[str] = (), cells: str = "") -> FlagRow:
        return FlagRow(flag_id=flag_id(self.code, *about), rule=self.name, severity=severity, case_ref=case_ref,
                       section_id=section_id, agencies=sorted(set(agencies), key=str.casefold), cells=cells,
                       message=message, resolution="")
