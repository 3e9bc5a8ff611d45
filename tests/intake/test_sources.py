"""Where returns come from: folders, links, .zip, .eml and .msg, within limits."""

from __future__ import annotations

import email.message
import io
import os
import zipfile
from pathlib import Path

from tests.support.intake_corpus import email_with
from tests.support.intake_support import *
from tests.support.intake_support import codes, fresh_copy
from tests.support.msgfile import write_msg
from tests.support.mutate import declare_size
from xlpack.intake.batch import IntakeResult, intake
from xlpack.intake.sources import Limits, classify, discover
from xlpack.model.plan import AuditPlan


def names(result: IntakeResult) -> list[tuple[str, str]]:
    return [(f.path, f.status) for f in result.files]


def test_folders_are_walked_in_order_each_file_once(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    fresh_copy(filled_cp, tmp_path / "in" / "b" / "deeper", "form.xlsx")
    (tmp_path / "in" / "a.txt").write_text("notes")
    os.symlink(tmp_path / "in", tmp_path / "in" / "b" / "loop")  # a link back up: walked once
    found = discover([tmp_path / "in", tmp_path / "in" / "b" / "deeper" / "form.xlsx"])
    assert [f.path for f in found] == [f"{tmp_path}/in/a.txt", f"{tmp_path}/in/b/deeper/form.xlsx"]


def test_names_decide_what_is_read() -> None:
    assert classify("x/Form.XLSX")[0] == "workbook"
    assert classify("Form.xlsm")[0] == "workbook"
    assert classify("mail.EML")[0] == "container"
    kind, note, status = classify("~$Form.xlsx")
    assert (kind, note and note.code, status) == ("other", "lock-file", "skipped")
    assert classify("batch.zip/__MACOSX/._Form.xlsx")[2] == "skipped"
    thumbs, bare = classify("Thumbs.db")[1], classify("notes")[1]
    assert thumbs is not None and thumbs.message == "Not a workbook (Windows thumbnails); skipped."
    assert bare is not None and bare.message == "Not a workbook (a file without an extension); skipped."
    assert classify("form.xlsb")[2] == "rejected"


def test_an_email_forwarded_as_an_attachment(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    inner = email.message_from_bytes(email_with([("form.xlsx", filled_cp.read_bytes())]))
    outer = email.message.EmailMessage()
    outer["Subject"], outer["From"] = "Fwd: Audit return", "manager@example.org"
    outer.set_content("Forwarding this.")
    outer.add_attachment(inner)
    (tmp_path / "fwd.eml").write_bytes(bytes(outer))
    result = intake([tmp_path / "fwd.eml"], audit_plan)
    inner_path = f"{tmp_path}/fwd.eml/Audit return.eml"  # the forwarded message is a level of its own
    assert names(result) == [(f"{tmp_path}/fwd.eml", "skipped"), (inner_path, "skipped"),
                             (f"{inner_path}/form.xlsx", "accepted")]


def test_attachments_with_the_same_name_are_told_apart(filled_cp: Path, audit_plan: AuditPlan,
                                                       tmp_path: Path) -> None:
    data = filled_cp.read_bytes()
    (tmp_path / "m.msg").write_bytes(write_msg("Two copies", [("Form.xlsx", data), ("Form.xlsx", data)]))
    result = intake([tmp_path / "m.msg"], audit_plan)
    assert [f.path.rsplit("/", 1)[-1] for f in result.files] == ["m.msg", "Form.xlsx", "Form (2).xlsx"]
    assert [f.status for f in result.files] == ["skipped", "accepted", "superseded"]  # a tie: the last path wins


def test_damaged_containers(audit_plan: AuditPlan, tmp_path: Path) -> None:
    (tmp_path / "cut.zip").write_bytes(b"PK\x03\x04\x14\x00" + b"\0" * 40)
    (tmp_path / "bad.msg").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    (tmp_path / "empty.eml").write_bytes(b"")
    result = intake([tmp_path], audit_plan)
    assert [(f.path.rsplit("/", 1)[-1], f.status, codes(f)) for f in result.files] == [
        ("bad.msg", "rejected", ["archive-damaged"]), ("cut.zip", "rejected", ["archive-damaged"]),
        ("empty.eml", "rejected", ["archive-damaged"])]
    assert result.files[0].problems[0].message.startswith("The Outlook message cannot be opened: ")


def test_archive_limits(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    data = filled_cp.read_bytes()
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(5):
            z.writestr(f"f{i}.txt", "x")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("form.xlsx", data)
        z.writestr("bomb.xlsx", b"\0" * (3 * 1024 * 1024))
    (tmp_path / "bomb.zip").write_bytes(buf.getvalue())
    huge = declare_size(buf.getvalue(), "form.xlsx", 500 * 1024 * 1024)
    (tmp_path / "huge.zip").write_bytes(huge)
    nested = data
    for level in range(4):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr(f"level{level}.zip" if level else "form.xlsx", nested)
        nested = out.getvalue()
    (tmp_path / "deep.zip").write_bytes(nested)
    result = intake([tmp_path], audit_plan, limits=Limits(archive_entries=4, file_bytes=40 * 1024 * 1024, depth=3))
    got = {f.path.removeprefix(f"{tmp_path}/"): (f.status, codes(f)) for f in result.files}
    assert got["many.zip"] == ("rejected", ["archive-too-large"])
    assert got["bomb.zip/bomb.xlsx"] == ("rejected", ["zip-bomb"])
    assert got["huge.zip/form.xlsx"] == ("rejected", ["file-too-large"])
    assert got["deep.zip/level3.zip/level2.zip/level1.zip"] == ("rejected", ["archive-too-deep"])


def test_an_encrypted_zip_is_refused(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("form.xlsx", filled_cp.read_bytes())
    data = bytearray(buf.getvalue())
    central = data.rfind(b"PK\x01\x02")  # the archive's own entry, after the stored workbook
    data[central + 8] |= 1  # the "encrypted" flag, as a password-protected zip has
    data[6] |= 1
    (tmp_path / "secret.zip").write_bytes(bytes(data))
    f = intake([tmp_path / "secret.zip"], audit_plan).files[0]
    assert (f.status, codes(f)) == ("rejected", ["archive-encrypted"])
