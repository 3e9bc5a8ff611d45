"""A mailbox's worth of returned files, good and bad, built on the spot.

:func:`build_corpus` writes every kind of file intake meets into a folder
and returns what intake must say about each one: its status and the
problem code that explains it.
"""

from __future__ import annotations

import os
import random
import zipfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import xlsxwriter

from tests.support.filling import fill_form
from tests.support.msgfile import write_compound, write_msg
from tests.support.mutate import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    corrupted,
    declare_size,
    rewrite,
    sheet_part,
    truncated,
    with_prolog,
)
from xlpack.generate import encrypt

PASSWORD = "Blue-Heron-42"


@dataclass(frozen=True)
class Expect:
    status: str
    code: str = ""  # a problem code the file must have ("" for a clean accept)


def email_with(attachments: list[tuple[str, bytes]], subject: str = "Audit return") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "auditor@example.org", "audit.coordinator@example.org", subject
    msg["Date"] = "Fri, 20 Nov 2026 10:00:00 +0000"
    msg.set_content("Please find my audit attached.\n\nKind regards")
    for name, data in attachments:
        main, sub = ("image", "png") if name.endswith(".png") else ("application", "octet-stream")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return bytes(msg)


def empty_workbook(path: Path) -> Path:
    book = xlsxwriter.Workbook(path)
    book.add_worksheet()
    book.close()
    return path


def build_corpus(root: Path, blanks: list[Path], other_audit: Path) -> dict[str, Expect]:
    """Write the corpus under ``root``; returns each path (relative to ``root``) -> what intake must say.

    ``blanks`` are issued, unfilled forms of the audit (at least 8, each used once so no two files are the same
    form); ``other_audit`` is a filled form issued by another audit.
    """
    forms = iter(blanks)
    work = root.parent / f".{root.name}-work"
    work.mkdir(parents=True, exist_ok=True)

    def filled(name: str, cells: dict[str, str] | None = None) -> bytes:
        return fill_form(next(forms), work / name, cells=cells).read_bytes()

    expect: dict[str, Expect] = {}

    def put(rel: str, data: bytes, status: str, code: str = "") -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        expect[rel] = Expect(status, code)

    good = filled("good.xlsx")
    put("returns/good.xlsx", good, "accepted")
    put("returns/good-variants.xlsx", filled("v.xlsx", cells={"section.assessment.grade": "good "}),
        "accepted_with_warnings", "grade-normalised")
    put("returns/typo.xlsx", filled("t.xlsx", cells={"section.planning.grade": "Goood"}), "rejected", "grade-invalid")
    audit_part = sheet_part(good, "Audit")

    put("returns/not-a-zip.xlsx", b"Case,Grade\nCP-2026-001,Good\n", "rejected", "not-a-workbook")
    put("returns/truncated.xlsx", truncated(good), "rejected", "damaged")
    put("returns/corrupt.xlsx", corrupted(good, audit_part), "rejected", "damaged")
    put("returns/old-format.xls", write_compound({"Workbook": b"\x09\x08\x10\x00" + b"\0" * 600}), "rejected",
        "old-xls")
    put("returns/locked.xlsx", encrypt(filled("e.xlsx"), PASSWORD), "rejected", "encrypted")
    put("returns/empty.xlsx", b"", "rejected", "empty-file")
    put("returns/no-rows.xlsx", empty_workbook(work / "no-rows.xlsx").read_bytes(), "rejected", "empty-workbook")
    put("returns/bomb.xlsx", rewrite(good, {}, add={"xl/media/image1.xml": b" " * (24 * 1024 * 1024)}), "rejected",
        "zip-bomb")
    noise = random.Random(3).randbytes(700_000)
    put("returns/huge-part.xlsx", declare_size(rewrite(good, {}, add={"xl/media/photo.bin": noise}),
                                               "xl/media/photo.bin", 90 * 1024 * 1024), "rejected", "part-too-large")
    put("returns/laughs.xlsx", rewrite(good, {audit_part: with_prolog(BILLION_LAUGHS, b"&lol4;")}), "rejected",
        "unsafe-xml")
    put("returns/xxe.xlsx", rewrite(good, {"xl/workbook.xml": with_prolog(EXTERNAL_ENTITY, b"")}), "rejected",
        "unsafe-xml")
    put("returns/other-audit.xlsx", other_audit.read_bytes(), "rejected", "other-audit")
    put("returns/saved-as.ods", b"PK\x03\x04 not really", "rejected", "wrong-format")
    (root / "returns" / "folder.xlsx").mkdir()
    expect["returns/folder.xlsx"] = Expect("rejected", "not-a-file")
    os.symlink(root / "gone.xlsx", root / "returns" / "link.xlsx")
    expect["returns/link.xlsx"] = Expect("rejected", "broken-link")
    put("returns/~$good.xlsx", b"\x0bauditor" + b"\0" * 150, "skipped", "lock-file")
    put("returns/.~lock.good.xlsx#", b"auditor,host,2026", "skipped", "lock-file")
    put("returns/.DS_Store", b"\0\0\0\1Bud1", "skipped", "not-a-workbook-file")
    put("returns/signature.png", b"\x89PNG\r\n\x1a\n", "skipped", "not-a-workbook-file")

    mailed = filled("m.xlsx")
    put("mail/return.eml", email_with([("My audit.xlsx", mailed), ("image001.png", b"\x89PNG")]), "skipped",
        "container-opened")
    expect["mail/return.eml/My audit.xlsx"] = Expect("accepted")
    expect["mail/return.eml/image001.png"] = Expect("skipped", "not-a-workbook-file")
    put("mail/thanks.eml", email_with([], "Thanks!"), "skipped", "no-workbook-inside")
    put("mail/outlook.msg", write_msg("Audit return", [("Form.xlsx", filled("o.xlsx"))]), "skipped",
        "container-opened")
    expect["mail/outlook.msg/Form.xlsx"] = Expect("accepted")
    zipped = work / "batch.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("batch/one.xlsx", filled("z.xlsx"))
        z.writestr("batch/cut.xlsx", truncated(good))
    put("mail/batch.zip", zipped.read_bytes(), "skipped", "container-opened")
    expect["mail/batch.zip/batch/one.xlsx"] = Expect("accepted")
    expect["mail/batch.zip/batch/cut.xlsx"] = Expect("rejected", "damaged")
    return expect
