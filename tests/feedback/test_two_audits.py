"""A re-audit's feedback beside the baseline's never replaces the baseline's documents (issue 18, item 7).

Both coordinator workbooks are put in one folder, as the README's step-by-step keeps them; each audit's
documents record the audit they were written for, read back here from the files' core properties.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from tests.support.cycle_scenario import Built
from tests.support.mail_reading import snapshot
from xlpack.errors import UsageError
from xlpack.feedback.agency import write_agency_learning
from xlpack.feedback.build import write_feedback
from xlpack.feedback.folder import default_feedback_folder

pytestmark = pytest.mark.slow  # the cycle's two consolidated audits (session fixtures)


def _recorded(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        core = zf.read("docProps/core.xml").decode()
    return core.split("<dc:identifier>")[1].split("</dc:identifier>")[0]


@pytest.fixture
def side_by_side(baseline: Built, reaudit: Built, tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "audit.xlsx", tmp_path / "reaudit.xlsx"
    shutil.copy2(baseline.audit, first)
    shutil.copy2(reaudit.audit, second)
    return first, second


def test_the_reaudits_feedback_goes_to_its_own_folder_and_never_over_the_baselines(
        side_by_side: tuple[Path, Path], baseline: Built, reaudit: Built) -> None:
    first, second = side_by_side
    folder = first.parent / "feedback"
    one = write_feedback(first)
    packs = write_agency_learning(first)
    assert one.out_dir == folder and packs.out_dir == folder
    assert {_recorded(p).split(":")[:2] == ["xlpack-feedback", baseline.plan.audit_id] for _, p in one.documents} \
        == {True}
    assert {_recorded(p) for _, p in packs.documents} == {f"xlpack-learning:{baseline.plan.audit_id}:{item.agency}"
                                                         for item, _ in packs.documents}
    before = snapshot(folder)
    # the default for the re-audit: a folder of its own, for feedback, learning packs and mail alike
    assert default_feedback_folder(second, reaudit.plan.audit_id) == first.parent / "feedback reaudit"
    two = write_feedback(second)
    assert two.out_dir == first.parent / "feedback reaudit" and write_agency_learning(second).out_dir == two.out_dir
    assert snapshot(folder) == before
    assert default_feedback_folder(first, baseline.plan.audit_id) == folder  # the baseline's own, still
    # pointed at the baseline's folder: refused by name, even with --force, nothing changed
    for write in (write_feedback, write_agency_learning):
        with pytest.raises(UsageError) as err:
            write(second, folder, overwrite=True)
        said = str(err.value)
        assert said.startswith(f"{folder} holds the feedback documents of another audit (audit id "
                               f"{baseline.plan.audit_id}; ") and "even with --force" in said
        assert snapshot(folder) == before
    # the baseline's own --force still replaces its own documents
    assert write_feedback(first, overwrite=True).out_dir == folder


def test_mail_pointed_at_the_other_audits_feedback_folder_says_whose_documents_it_holds(
        side_by_side: tuple[Path, Path], baseline: Built) -> None:
    """``mail --kind feedback --feedback FOLDER`` for the re-audit, FOLDER holding the baseline's documents: one
    problem naming that audit and this audit's own folder; before, one line per form said its document was missing
    and to write it with ``xlpack feedback --force``, which writes elsewhere, so the same refusal came again."""
    from xlpack.errors import MailError
    from xlpack.mail.run import draft_mail

    first, second = side_by_side
    folder = write_feedback(first).out_dir
    with pytest.raises(MailError) as err:
        draft_mail(second, "feedback", feedback=folder)
    said = " ".join(str(err.value).split())
    assert f"{folder} holds the feedback documents of another audit (audit id {baseline.plan.audit_id}; " in said
    assert "feedback reaudit" in said and "No feedback document for case" not in said
    assert not (first.parent / "drafts").exists() or not any((first.parent / "drafts").iterdir())
