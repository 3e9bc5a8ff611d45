"""Issue 18, item 15: forms and issue emails that give a return deadline already past say so, naming the cell."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.mail.test_bad_input import cell_of, change
from xlpack import clock
from xlpack.demo.sample import create_sample
from xlpack.generate import generate_forms
from xlpack.mail import draft_mail


def _deadline(audit: Path, day: date) -> None:
    change(audit, lambda p: p.model_copy(update={"terms": p.terms.model_copy(update={"deadline": day})}))


def _passed(lines: list[str], audit: Path) -> list[str]:
    where = cell_of(audit, "Terms of reference", lambda r: r[0] == "Return deadline", "B")
    return [line for line in lines if where in line and "passed" in line]


def test_issue_emails_with_a_deadline_gone_by_warn(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    today = clock.today()
    _deadline(audit, today - timedelta(days=6))
    result = draft_mail(audit, "issue")
    warned = _passed(result.notes, audit)
    assert len(warned) == 1 and "6 days ago" in warned[0] and f"{today - timedelta(days=6):%B}" in warned[0]
    assert result.drafts and result.exit_code == 0  # still drafted: the coordinator decides


def test_issue_emails_with_a_deadline_today_or_later_do_not(sample_copy: tuple[Path, Path]) -> None:
    audit, _ = sample_copy
    _deadline(audit, clock.today())
    assert _passed(draft_mail(audit, "issue").notes, audit) == []


@pytest.mark.parametrize("offset, warned", [(-1, True), (0, False), (1, False)])
def test_generate_warns_when_the_forms_give_a_deadline_gone_by(tmp_path: Path, offset: int, warned: bool) -> None:
    audit = tmp_path / "audit.xlsx"
    create_sample(audit, cases=2)
    _deadline(audit, clock.today() + timedelta(days=offset))
    result = generate_forms(audit, workers=1)
    lines = _passed(result.warnings, audit)
    assert result.issued and len(lines) == warned
    assert not warned or ("1 day ago" in lines[0] and "--reissue" in lines[0])
