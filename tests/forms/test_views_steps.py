"""Issue 18, item 22: the views form's Start here speaks of what that form has (no sections, grades or closing
questions, no agency record to read)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.forms.test_print_layout import _ctx
from xlpack.forms.writer import render_form


def _steps(tool: str) -> list[str]:
    rendered = render_form(_ctx(tool))
    ws = openpyxl.load_workbook(io.BytesIO(rendered.content))["Start here"]
    return [str(r[1].value) for r in ws.iter_rows() if str(r[0].value or "").startswith("Step ")]


@pytest.mark.parametrize("word", ["closing questions", "status beside each section", "grade",
                                  "held by your agency"])
def test_the_views_form_steps_name_only_what_it_has(word: str) -> None:
    steps = " ".join(_steps("views"))
    assert word not in steps
    assert word in " ".join(_steps("cp"))  # the audit form does have it


def test_the_views_form_says_what_to_record_and_what_to_do_if_worried() -> None:
    steps = _steps("views")
    assert any("who you spoke to, when and how" in s for s in steps)
    assert any("safeguarding procedures today" in s for s in steps)
