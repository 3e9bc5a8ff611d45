"""Keeping large audits small in memory while intake's forms arrive.

What every form of a layout repeats (cell maps, the records' field-name
sets, ids, grades, short answers) is held once for all forms; cyclic
garbage collection is paused while millions of small acyclic records are
built. Values are never changed, only their copies shared.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from pydantic import BaseModel

from xlpack.intake.batch import FileResult

_ALL_FIELDS: dict[type[BaseModel], set[str]] = {}
SHORT_TEXT = 40  # answers up to this long are held once however many forms give them


def share_field_sets(models: Iterable[BaseModel]) -> None:
    """Records given every field share one set of the field names instead of a set each (hundreds of bytes).

    Only a complete set is shared, so setting a field later (which adds
    its name to the set) changes nothing for the others.
    """
    for m in models:
        full = _ALL_FIELDS.get(type(m))
        if full is None:
            full = _ALL_FIELDS[type(m)] = set(type(m).model_fields)
        if m.__pydantic_fields_set__ == full:
            object.__setattr__(m, "__pydantic_fields_set__", full)


class FormCompactor:
    """Makes intake's forms small as they arrive: what every form of a layout repeats is held once.

    The cell maps (the same for every form made from one layout), the
    records' sets of field names (see :func:`share_field_sets`), the names
    (ids, grades, cases, agencies) and short answers are shared between
    forms instead of each form keeping its own copy; the values are
    unchanged. Shared maps must not be changed in place (they are only read).
    """

    def __init__(self) -> None:
        self._maps: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}

    def _map(self, cells: dict[str, str]) -> dict[str, str]:
        return self._maps.setdefault(tuple(cells.items()), cells)

    def __call__(self, result: FileResult) -> None:
        """``intake``'s ``on_file``: compact the result's form in place."""
        form = result.form
        if form is None:
            return
        intern = sys.intern
        for name in ("form_id", "case_ref", "agency", "auditor"):  # the file's own copies of the form's names
            value = getattr(result, name)
            if value is not None:
                setattr(result, name, intern(value))
        values = form.__dict__  # set directly: the fields are unchanged, only their copies shared
        for name in ("form_id", "audit_id", "case_ref", "agency", "auditor", "role", "tool_id", "tool_version",
                     "sheet"):
            values[name] = intern(values[name])
        values["cells"] = self._map(form.cells)
        for answers in (form.fields, form.closing):  # choices (Yes, No, a grade) repeat from form to form
            for key, value in answers.items():
                if type(value) is str and len(value) <= SHORT_TEXT:
                    answers[key] = intern(value)
        share_field_sets([form])
        for answer in form.sections.values():
            a = answer.__dict__
            a["section_id"] = intern(a["section_id"])
            for name in ("grade", "grade_code"):
                if a[name] is not None:
                    a[name] = intern(a[name])
            a["cells"] = self._map(answer.cells)
        share_field_sets(form.sections.values())



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


