"""A second audit in the first one's folder never overwrites its forms or manifest (issue 18, item 7).

The README's step-by-step keeps a baseline and its re-audit side by side.
Both are generated there; each audit's manifest is read back with json and
its forms compared byte for byte with what mail attaches.
"""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from tests.support.mail_reading import snapshot
from xlpack.coordinator.plan_sheets import read_plan
from xlpack.demo.sample import create_sample
from xlpack.errors import UsageError
from xlpack.generate import generate_forms
from xlpack.mail import draft_mail


def attachments(folder: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for path in folder.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        for part in msg.iter_attachments():
            out[part.get_filename() or ""] = part.get_content()
    return out


@pytest.mark.slow
def test_a_reaudit_beside_the_baseline_keeps_both_audits_forms(tmp_path: Path) -> None:
    first, second = tmp_path / "audit.xlsx", tmp_path / "reaudit.xlsx"
    create_sample(first, cases=3, seed=1)
    one = generate_forms(first, workers=1)
    manifest = (tmp_path / "forms" / "manifest.json").read_bytes()
    create_sample(second, cases=3, seed=2)
    two = generate_forms(second, workers=1)
    a, b = read_plan(first), read_plan(second)
    assert one.out_dir == tmp_path / "forms" and two.out_dir == tmp_path / "forms reaudit"
    assert (tmp_path / "forms" / "manifest.json").read_bytes() == manifest  # the first audit's, untouched
    assert json.loads((two.out_dir / "manifest.json").read_text())["audit_id"] == b.audit_id != a.audit_id
    assert generate_forms(first, workers=1).out_dir == tmp_path / "forms"  # run again: still its own folder
    for audit, plan, folder in ((first, a, one.out_dir), (second, b, two.out_dir)):
        result = draft_mail(audit, "issue")
        assert result.exit_code == 0 and result.folder is not None
        sent = attachments(result.folder)
        assert set(sent) == {f.file for f in plan.issued}
        assert all(sent[name] == (folder / name).read_bytes() for name in sent)


@pytest.mark.slow
def test_out_naming_another_audits_forms_folder_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "audit.xlsx", tmp_path / "reaudit.xlsx"
    create_sample(first, cases=2, seed=1)
    generate_forms(first, workers=1)
    create_sample(second, cases=2, seed=2)
    title = read_plan(first).terms.title
    before = snapshot(tmp_path)
    with pytest.raises(UsageError) as err:
        generate_forms(second, tmp_path / "forms", workers=1)
    assert str(err.value).startswith(f"{tmp_path / 'forms'} holds the forms of '{title}' (workbook audit.xlsx, "
                                     f"audit id {read_plan(first).audit_id}), and its manifest.json")
    assert "Nothing was written." in str(err.value)
    assert snapshot(tmp_path) == before
