"""Consolidating again never drops earlier results by mistake (issue 10, point 1).

An empty or mistyped folder, or a folder some accepted returns have left,
makes consolidate refuse (exit 1), naming what would go and how to go on,
with the workbook byte-identical and no backup made. ``--allow-missing``
goes on on purpose. A form rejected or superseded this time is not absent.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.filling import fill_form
from tests.support.safety import TODAY, Audit, Before, audit, built  # noqa: F401  (fixtures)
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.errors import ResultsWouldBeDroppedError
from xlpack.wording import counted


def accepted_forms(audit: Path) -> set[str]:
    return {r.form_id for r in read_consolidated(audit).returns if r.status in ("accepted", "accepted_with_warnings")}


@pytest.mark.parametrize("contents", [[], ["notes.txt", "scan.pdf"]], ids=["empty", "no-workbook"])
def test_a_folder_without_returns_is_refused(audit: Audit, tmp_path: Path, contents: list[str]) -> None:
    folder = tmp_path / "retruns"  # mistyped, and empty or holding no workbook
    folder.mkdir()
    for name in contents:
        (folder / name).write_text("not a form")
    earlier = accepted_forms(audit.audit)
    assert earlier, "the fixture consolidated some forms"
    before = Before.of(audit.audit)
    with pytest.raises(ResultsWouldBeDroppedError) as err:
        consolidate(audit.audit, [folder], today=TODAY)
    message = str(err.value)
    assert message.startswith(f"{audit.audit} was not changed: no returned forms were found in {folder}")
    assert f"drop the {counted(len(earlier), 'form')} accepted last time" in message and "--allow-missing" in message
    before.assert_untouched()


def test_returns_accepted_last_time_now_absent_are_named(audit: Audit) -> None:
    plan = read_plan(audit.audit)
    gone = sorted(audit.returns.iterdir())[:2]
    for path in gone:
        path.unlink()
    before = Before.of(audit.audit)
    with pytest.raises(ResultsWouldBeDroppedError) as err:
        consolidate(audit.audit, [audit.returns], today=TODAY)
    message = str(err.value)
    assert "2 forms accepted at the last consolidation are not among the returns given" in message
    for path in gone:
        issued = next(f for f in plan.issued if f.file == path.name)
        line = next(x for x in message.splitlines() if x.startswith(f"  - {path.name} "))
        assert line.startswith(f"  - {path.name} (case {issued.case_ref}, {issued.agency}, {issued.auditor}), read "
                               "last time from ")
        assert line.endswith(str(Path("returns") / path.name))  # where the fixture first consolidated it from
    assert "--allow-missing" in message
    before.assert_untouched()


def test_allow_missing_drops_them_on_purpose(audit: Audit) -> None:
    plan = read_plan(audit.audit)
    gone = sorted(audit.returns.iterdir())[0]
    gone.unlink()
    form_id = next(f.form_id for f in plan.issued if f.file == gone.name)
    earlier = accepted_forms(audit.audit)
    result = consolidate(audit.audit, [audit.returns], today=TODAY, allow_missing=True)
    assert [r.form_id for r in result.dropped] == [form_id]
    assert accepted_forms(audit.audit) == earlier - {form_id}
    assert not any(g.form_id == form_id for g in read_consolidated(audit.audit).grades)
    assert any("1 form accepted last time was not among the returns given" in line
               for line in result.summary_lines())
    assert result.backup is not None


def test_a_form_rejected_or_renamed_this_time_is_not_absent(audit: Audit) -> None:
    """Rejected this time: its rows go as before, without --allow-missing. Renamed: still the same form."""
    plan = read_plan(audit.audit)
    first, second = sorted(audit.returns.iterdir())[:2]
    rejected = next(f for f in plan.issued if f.file == first.name)
    fill_form(audit.forms / first.name, first, cells={"section.assessment.grade": "Goood"})
    second.rename(second.with_name("Returned by email " + second.name))
    result = consolidate(audit.audit, [audit.returns], today=TODAY)
    assert result.dropped == []
    assert rejected.form_id not in accepted_forms(audit.audit)
    assert next(r for r in read_consolidated(audit.audit).returns if r.form_id == rejected.form_id).status == "rejected"


def test_the_command_exits_1_with_the_reason_and_allow_missing_goes_on(audit: Audit, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    before = Before.of(audit.audit)
    result = run_cli("consolidate", audit.audit, empty, columns=200)
    assert result.exit_code == 1 and type(result.exception) is SystemExit
    assert "no returned forms were found" in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""
    before.assert_untouched()
    for path in sorted(audit.returns.iterdir())[1:]:
        shutil.move(path, tmp_path / path.name)
    result = run_cli("consolidate", audit.audit, audit.returns, "--allow-missing", columns=200)
    assert result.exit_code == 0, result.output
    assert "were not among the returns given and were dropped, as asked (--allow-missing)" in result.stdout


def test_a_first_consolidation_of_an_empty_folder_is_refused_too(sample_copy: tuple[Path, Path],
                                                                 tmp_path: Path) -> None:
    audit, _ = sample_copy
    empty = tmp_path / "empty"
    empty.mkdir()
    before = Before.of(audit)
    with pytest.raises(ResultsWouldBeDroppedError, match="no returned forms were found in") as err:
        consolidate(audit, [empty], today=TODAY)
    assert "--allow-missing" not in str(err.value)  # nothing earlier to drop
    before.assert_untouched()


@pytest.mark.parametrize("where", ["forms", "copy"], ids=["forms-folder", "blanks-copied-elsewhere"])
def test_blank_forms_as_issued_are_never_returns(audit: Audit, tmp_path: Path, where: str) -> None:
    """Issue 18, item 1: the blank forms carry the returns' form ids and file names, yet count as no return."""
    folder = audit.forms
    if where == "copy":  # wherever they are found: renamed, in another folder
        folder = tmp_path / "elsewhere"
        folder.mkdir()
        for f in audit.forms.glob("*.xlsx"):
            shutil.copy(f, folder / f"copy of {f.name}")
    earlier = accepted_forms(audit.audit)
    before = Before.of(audit.audit)
    with pytest.raises(ResultsWouldBeDroppedError) as err:
        consolidate(audit.audit, [folder], today=TODAY)
    message = str(err.value)
    assert "blank forms exactly as issued, none a returned form" in message
    assert f"drop the {counted(len(earlier), 'form')} accepted last time" in message
    before.assert_untouched()


def test_blank_forms_beside_the_returns_change_nothing(audit: Audit) -> None:
    """The returns and the blank forms together give what the returns alone give."""
    earlier = accepted_forms(audit.audit)
    result = consolidate(audit.audit, [audit.returns, audit.forms], today=TODAY)
    assert accepted_forms(audit.audit) == earlier
    assert result.exit_code == 0


def test_some_returns_gone_while_their_blanks_are_there_is_refused(audit: Audit) -> None:
    """A return whose blank copy is among the files given is still absent: named, nothing changed."""
    gone = sorted(audit.returns.iterdir())[0]
    gone.unlink()
    before = Before.of(audit.audit)
    with pytest.raises(ResultsWouldBeDroppedError) as err:
        consolidate(audit.audit, [audit.returns, audit.forms], today=TODAY)
    assert f"  - {gone.name} (case" in str(err.value)
    before.assert_untouched()
