"""Keeping large audits small in memory while intake's forms arrive.

What every form of a layout repeats (cell maps, ids, grades, short
answers) is held once for all forms; cyclic garbage collection is paused
while millions of small acyclic records are built. Values are never
changed, only their copies shared.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

from xlpack.intake.batch import FileResult
from xlpack.model.records import Answer, SectionAnswer

SHORT_TEXT = 40  # answers up to this long are held once however many forms give them


class FormCompactor:
    """Makes intake's forms small as they arrive: what every form of a layout repeats is held once.

    The cell maps (the same for every form made from one layout), the
    names (ids, grades, cases, agencies) and short answers are shared
    between forms instead of each form keeping its own copy: each form is
    replaced by an equal one made of the shared values. Shared maps must
    not be changed in place (they are only read).
    """

    def __init__(self) -> None:
        self._maps: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}

    def _map(self, cells: dict[str, str]) -> dict[str, str]:
        return self._maps.setdefault(tuple(cells.items()), cells)

    def __call__(self, result: FileResult) -> None:
        """``intake``'s ``on_file``: replace the result's form by an equal, compact one."""
        form = result.form
        if form is None:
            return
        intern = sys.intern
        for name in ("form_id", "case_ref", "agency", "auditor"):  # the file's own copies of the form's names
            value = getattr(result, name)
            if value is not None:
                setattr(result, name, intern(value))
        result.form = replace(
            form, form_id=intern(form.form_id), audit_id=intern(form.audit_id), case_ref=intern(form.case_ref),
            agency=intern(form.agency), auditor=intern(form.auditor), role=intern(form.role),
            tool_id=intern(form.tool_id), tool_version=intern(form.tool_version), sheet=intern(form.sheet),
            cells=self._map(form.cells), fields=_short(form.fields), closing=_short(form.closing),
            sections={intern(k): self._section(a) for k, a in form.sections.items()})

    def _section(self, a: SectionAnswer) -> SectionAnswer:
        intern = sys.intern
        return replace(a, section_id=intern(a.section_id), grade=None if a.grade is None else intern(a.grade),
                       grade_code=None if a.grade_code is None else intern(a.grade_code), cells=self._map(a.cells))


def _short(answers: dict[str, Answer]) -> dict[str, Answer]:
    """The answers with short texts shared (choices such as Yes, No or a grade repeat from form to form)."""
    intern = sys.intern
    return {key: intern(v) if type(v) is str and len(v) <= SHORT_TEXT else v for key, v in answers.items()}


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while millions of small, acyclic records are built (it only slows it down)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


