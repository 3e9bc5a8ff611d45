"""Messages inside messages count toward the container depth; a VBA project is found under any part name.

Forwarding a message as an attachment nests it; fifty forwards must not
reach the form at the bottom (the limit is three containers deep, archives
and messages alike). A VBA project renamed, or declared only by its content
type or its relationship, is a macro project hidden on purpose: refused.
"""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.intake_crafted import nested_msg, ole_object, vba_project, xlwings_vba_project
from tests.support.intake_support import *
from tests.support.intake_support import codes
from tests.support.mutate import rewrite, sub
from xlpack.intake import intake
from xlpack.model.plan import AuditPlan

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def forwarded(form: bytes, times: int) -> bytes:
    """A message with the form attached, forwarded as an attachment ``times`` times."""
    inner = EmailMessage()
    inner["From"], inner["To"], inner["Subject"] = "auditor@example.org", "manager@example.org", "Audit return"
    inner.set_content("My audit form is attached.")
    inner.add_attachment(form, maintype=XLSX[0], subtype=XLSX[1], filename="form.xlsx")
    for n in range(1, times + 1):
        outer = EmailMessage()
        outer["From"], outer["To"], outer["Subject"] = "manager@example.org", "next@example.org", f"Fwd {n}"
        outer.set_content("Forwarding.")
        outer.add_attachment(inner)
        inner = outer
    return bytes(inner)


def test_fifty_forwards_stop_at_the_depth_limit(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    mail = tmp_path / "fwd.eml"
    mail.write_bytes(forwarded(filled_cp.read_bytes(), 50))
    result = intake([mail], audit_plan)
    assert [f.kind for f in result.files] == ["container"] * 4  # three opened, the fourth refused
    assert [f.status for f in result.files] == ["skipped", "skipped", "skipped", "rejected"]
    assert codes(result.files[-1]) == ["archive-too-deep"]
    assert result.files[-1].path == f"{mail}/Fwd 49.eml/Fwd 48.eml/Fwd 47.eml"
    assert result.accepted == [] and not any(f.kind == "workbook" for f in result.files)


def test_a_form_forwarded_twice_is_still_read(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    mail = tmp_path / "fwd.eml"
    mail.write_bytes(forwarded(filled_cp.read_bytes(), 2))
    result = intake([mail], audit_plan)
    assert result.files[-1].path == f"{mail}/Fwd 1.eml/Audit return.eml/form.xlsx"
    assert result.files[-1].status == "accepted" and len(result.accepted) == 1


def test_outlook_messages_inside_outlook_messages(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    form = filled_cp.read_bytes()
    (tmp_path / "once.msg").write_bytes(nested_msg(form, 1))
    (tmp_path / "deep.msg").write_bytes(nested_msg(form, 10))
    result = intake([tmp_path / "once.msg", tmp_path / "deep.msg"], audit_plan)
    got = {f.path.removeprefix(f"{tmp_path}/"): (f.status, codes(f)) for f in result.files}
    assert got["once.msg/Audit return.msg/form.xlsx"] == ("accepted", [])
    assert got["deep.msg/FW: level 9.msg/FW: level 8.msg/FW: level 7.msg"] == ("rejected", ["archive-too-deep"])
    assert len(got) == 3 + 4 and len(result.accepted) == 1


def test_messages_and_archives_count_alike(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mail.eml", forwarded(filled_cp.read_bytes(), 2))
    (tmp_path / "saved.zip").write_bytes(packed.getvalue())
    result = intake([tmp_path / "saved.zip"], audit_plan)
    assert result.files[-1].path == f"{tmp_path}/saved.zip/mail.eml/Fwd 1.eml/Audit return.eml"  # the 4th level
    assert codes(result.files[-1]) == ["archive-too-deep"] and result.accepted == []


# -- VBA projects ------------------------------------------------------------------

VBA_TYPE = b"application/vnd.ms-office.vbaProject"
VBA_REL = b"http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def _with_part(form: Path, name: str, data: bytes, content_type: bool = False, related: bool = False) -> bytes:
    edits = {}
    if content_type:
        edits["[Content_Types].xml"] = sub(rb"</Types>", b'<Override PartName="/' + name.encode() +
                                           b'" ContentType="' + VBA_TYPE + b'"/></Types>')
    if related:
        target = name.removeprefix("xl/").encode()
        edits["xl/_rels/workbook.xml.rels"] = sub(rb"</Relationships>", b'<Relationship Id="rId99" Type="' +
                                                  VBA_REL + b'" Target="' + target + b'"/></Relationships>')
    return rewrite(form, edits, add={name: data})


@pytest.mark.parametrize(("name", "content_type", "related", "found_by"), [
    ("xl/media/image7.png", False, False, "its OLE signature and VBA storage"),
    ("xl/theme/theme2.xml", False, False, "its OLE signature, under an XML name"),
    ("customXml/item9.bin", True, False, "its content type"),
    ("xl/printerSettings/printerSettings1.bin", False, True, "its relationship"),
])
def test_a_vba_project_under_another_name_is_refused(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path,
                                                     name: str, content_type: bool, related: bool,
                                                     found_by: str) -> None:
    data = vba_project() if not (content_type or related) else b"a VBA project in all but its bytes"
    out = tmp_path / "form.xlsx"
    out.write_bytes(_with_part(filled_cp, name, data, content_type, related))
    f = intake([out], audit_plan).files[0]
    assert (f.status, codes(f)) == ("rejected", ["hidden-macros"]), found_by
    assert name in f.problems[0].message


def test_excels_own_vba_project_renamed(filled_cp: Path, audit_plan: AuditPlan, tmp_path: Path) -> None:
    project = xlwings_vba_project()
    if project is None:
        pytest.skip("xlwings (the source of a VBA project built by Excel) is not installed")
    out = tmp_path / "form.xlsx"
    out.write_bytes(_with_part(filled_cp, "docProps/thumbnail.jpeg", project))
    f = intake([out], audit_plan).files[0]
    assert (f.status, codes(f)) == ("rejected", ["hidden-macros"])


def test_only_a_project_away_from_excels_place_is_refused(filled_cp: Path, audit_plan: AuditPlan,
                                                         tmp_path: Path) -> None:
    """Where Excel keeps macros (an .xlsm) they stay a warning; an embedded object without VBA is no macro."""
    (tmp_path / "form.xlsm").write_bytes(_with_part(filled_cp, "xl/vbaProject.bin", vba_project(), content_type=True,
                                                    related=True))  # as Excel writes it: declared and related
    (tmp_path / "object.xlsx").write_bytes(_with_part(filled_cp, "xl/embeddings/oleObject1.bin", ole_object()))
    (tmp_path / "renamed.xlsx").write_bytes(_with_part(filled_cp, "xl/embeddings/oleObject2.bin", vba_project()))
    got = {}
    for path in sorted(tmp_path.iterdir()):  # each alone: they are copies of one form
        f = intake([path], audit_plan).files[0]
        got[path.name] = (f.status, codes(f))
    assert got == {"form.xlsm": ("accepted_with_warnings", ["has-macros"]), "object.xlsx": ("accepted", []),
                   "renamed.xlsx": ("rejected", ["hidden-macros"])}
