"""``xlpack mail AUDIT --kind feedback``: one draft per auditor with their feedback documents attached.

Who gets which document is worked out here from the workbook read with
openpyxl (Returns and Assignments) and from each document's identifier read
with python-docx, not from the code under test. The drafts are parsed with
Python's email package.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import docx
import pytest

from tests.support.audit_copy import copy_audit_folder
from tests.support.cycle_scenario import Built
from tests.support.mail_reading import parse_drafts, table
from xlpack.errors import MailError
from xlpack.feedback.build import write_feedback
from xlpack.mail import draft_mail

pytestmark = pytest.mark.slow  # the re-audit's session fixture builds and consolidates an audit
NOW = datetime(2026, 12, 14, 10, 30)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def audit(reaudit: Built, tmp_path: Path) -> Path:
    """A private copy of the consolidated re-audit, with its feedback documents written beside it."""
    copy = copy_audit_folder(reaudit.audit, tmp_path / "a", leave=("feedback", "drafts"))
    write_feedback(copy, today=NOW.date())
    return copy


def expected(audit: Path) -> dict[str, set[str]]:
    """Auditor's address -> the form ids of their accepted audit forms (Returns and Assignments sheets)."""
    emails = {(r["Case reference"], r["Agency"], r["Auditor name"]): r["Auditor email"]
              for r in table(audit, "Assignments", "Case reference")}
    out: dict[str, set[str]] = defaultdict(set)
    for r in table(audit, "Returns", "Case reference"):
        if r["Form"] == "Audit" and r["Status"] in ("Accepted", "Accepted with warnings") and r["Issued file"]:
            out[emails[(r["Case reference"], r["Agency"], r["Auditor"])]].add(r["Form id"])
    return out


def form_of(data: bytes, tmp: Path) -> str:
    path = tmp / "doc.docx"
    path.write_bytes(data)
    return docx.Document(str(path)).core_properties.identifier.rsplit(":", 1)[1]


def test_one_draft_per_auditor_with_exactly_their_documents(audit: Path, tmp_path: Path) -> None:
    want = expected(audit)
    result = draft_mail(audit, "feedback", now=NOW)
    assert result.exit_code == 0 and result.folder is not None
    drafts = parse_drafts(result.folder)
    assert len(drafts) == len(want)
    on_disk = {p.name: p.read_bytes() for p in (audit.parent / "feedback").glob("*.docx")}
    for d in drafts:
        address = d.msg["To"].addresses[0].addr_spec
        assert d.msg["X-Unsent"] == "1"
        assert d.msg["Subject"].startswith("OFFICIAL-SENSITIVE")
        assert d.body.startswith("OFFICIAL-SENSITIVE")
        attached = d.attachments
        assert {form_of(data, tmp_path) for data in attached.values()} == want[address]
        for name, data in attached.items():
            assert on_disk[name] == data  # attached as written (or as the coordinator edited it)
            assert name in d.body
        assert all(p.get_content_type() == DOCX for p in d.msg.iter_attachments())
        assert f"({len(attached)} feedback document{'s' if len(attached) > 1 else ''})" in d.body
    log = [r for r in table(audit, "Mail log", "Drafted") if r["Message"] == "Feedback"]
    assert sorted(r["Form id"] for r in log) == sorted(f for forms in want.values() for f in forms)
    again = draft_mail(audit, "feedback", now=NOW)  # drafted once: not again, unless asked
    assert not again.drafts and len(again.already) == len(log)
    assert len(draft_mail(audit, "feedback", now=NOW, again=True).drafts) == len(want)


def test_an_edited_or_renamed_document_goes_as_it_is_now(audit: Path) -> None:
    folder = audit.parent / "feedback"
    first = sorted(folder.glob("Feedback_*.docx"))[0]
    d = docx.Document(str(first))
    d.add_paragraph("Added by the coordinator before sending.")
    renamed = folder / "edited by the coordinator.docx"
    d.save(str(renamed))
    first.unlink()
    result = draft_mail(audit, "feedback", now=NOW)
    assert result.folder is not None
    sent = {name: data for p in parse_drafts(result.folder) for name, data in p.attachments.items()}
    assert sent[renamed.name] == renamed.read_bytes()


def test_a_missing_or_doubled_document_refuses_and_writes_nothing(audit: Path) -> None:
    folder = audit.parent / "feedback"
    before = audit.read_bytes()
    victim = sorted(folder.glob("Feedback_*.docx"))[0]
    shutil.copy(victim, folder / "copy.docx")
    with pytest.raises(MailError) as doubled:
        draft_mail(audit, "feedback", now=NOW)
    assert "copy.docx" in str(doubled.value) and victim.name in str(doubled.value)
    (folder / "copy.docx").unlink()
    victim.unlink()
    with pytest.raises(MailError) as missing:
        draft_mail(audit, "feedback", now=NOW)
    assert "No feedback document for case" in str(missing.value) and "xlpack feedback" in str(missing.value)
    assert audit.read_bytes() == before and not (audit.parent / "drafts").exists()
    shutil.rmtree(folder)
    with pytest.raises(MailError) as no_folder:
        draft_mail(audit, "feedback", now=NOW)
    assert "does not exist" in str(no_folder.value)
