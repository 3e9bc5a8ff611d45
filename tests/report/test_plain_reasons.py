"""Every way a returned form can be rejected reads, in the report, as its own plain reason.

The test walks the whole intake catalogue: each error's message is made from
its template, shortened as the Returns sheet shortens it (with and without the
cell, and with "N more on the Problems sheet"), and the report's reason for it
must be the one written for that code, never the catch-all.
"""

from __future__ import annotations

import re

import pytest

from xlpack.analysis.build import _detail
from xlpack.intake.problems import CATALOGUE, Problem
from xlpack.report.findings import PLAIN_REASONS, plain_reason

ERRORS = [code for code, spec in CATALOGUE.items() if spec.severity == "error"]
VALUES = ("Good to adequate", "x", "CP-1", "3")  # what a field of a message may hold


def message(code: str, value: str) -> str:
    return re.sub(r"\{\w+\}", value, CATALOGUE[code].template)


def test_every_error_has_a_plain_reason() -> None:
    assert set(ERRORS) <= set(PLAIN_REASONS), sorted(set(ERRORS) - set(PLAIN_REASONS))
    assert not set(PLAIN_REASONS) - set(CATALOGUE)


@pytest.mark.parametrize("code", ERRORS)
def test_each_returns_sheet_wording_reads_as_its_reason(code: str) -> None:
    for value in VALUES:
        text = message(code, value)
        where = Problem(code, "error", text, "", "Audit", "B35")
        nowhere = Problem(code, "error", text, "")
        other = Problem("grade-formula" if code != "grade-formula" else "no-answers", "error", "Second.", "")
        warning = Problem("grade-normalised", "warning", "A warning.", "")
        for problems in ([where], [nowhere], [where, other, warning], [nowhere, warning]):
            detail = _detail(problems, "rejected")
            assert plain_reason(detail) == PLAIN_REASONS[code], (code, detail)
        assert plain_reason(text) == PLAIN_REASONS[code], (code, text)  # the whole message, as on Problems


def test_the_demos_rejected_grade_is_not_read_as_unreadable() -> None:
    """The false statement of issue 15: a grade off the scale reported as 'the file could not be read'."""
    detail = "'Good to adequate' is not a grade (Audit!B35)"
    assert plain_reason(detail) == "a grade was given that is not on the grading scale"
