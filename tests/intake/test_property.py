"""Whatever is done to a valid form, intake never raises and always classifies the file."""

from __future__ import annotations

import os
import re
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.intake_support import *
from tests.support.mutate import rewrite, sheet_part
from xlpack.intake.batch import intake
from xlpack.intake.problems import CATALOGUE
from xlpack.model.plan import AuditPlan

#: Set XLPACK_FUZZ_EXAMPLES=2000 for a longer hunt.
SETTINGS = settings(max_examples=int(os.environ.get("XLPACK_FUZZ_EXAMPLES", "60")), deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
NASTY = ["<", ">", "&", "&amp;", '"', "\x00", "]]>", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;", "<c r=\"B27\">",
         "</sheetData>", 'state="visible"', 'sheet="0"', "é😀", "\ufffe", "<f>1/0</f>", "&#0;", "\r\n"]


@pytest.fixture(scope="module")
def original(filled_cp: Path) -> bytes:
    return filled_cp.read_bytes()


def check(data: bytes, plan: AuditPlan, folder: Path, name: str = "mutated.xlsx") -> None:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    result = intake([path], plan)
    assert len(result.files) == 1
    f = result.files[0]
    assert f.status in ("accepted", "accepted_with_warnings", "rejected")
    assert all(p.code in CATALOGUE and p.message for p in f.problems)
    assert "internal-error" not in [p.code for p in f.problems], f.problems
    errors = [p for p in f.problems if p.severity == "error"]
    if f.status == "rejected":
        assert errors and f.form is None
    else:
        assert not errors and f.form is not None and result.accepted == [f.form]


@SETTINGS
@given(edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.one_of(st.none(), st.floats(0, 1)))
def test_bytes_changed(original: bytes, audit_plan: AuditPlan, tmp_path: Path, edits: list[tuple[float, int]],
                       cut: float | None) -> None:
    data = bytearray(original)
    for where, value in edits:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    check(bytes(data), audit_plan, tmp_path)


PARTS = ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/core.xml", "xl/styles.xml", "Audit",
         "xlpack_form", "[Content_Types].xml"]


@SETTINGS
@given(part=st.sampled_from(PARTS), where=st.floats(0, 1), length=st.integers(0, 400),
       insert=st.one_of(st.sampled_from(NASTY), st.text(max_size=30)), duplicate=st.booleans())
def test_xml_text_changed(original: bytes, audit_plan: AuditPlan, tmp_path: Path, part: str, where: float,
                          length: int, insert: str, duplicate: bool) -> None:
    name = sheet_part(original, part) if part in ("Audit", "xlpack_form") else part

    def edit(xml: bytes) -> bytes:
        at = int(where * len(xml))
        chunk = xml[at:at + length]
        return xml[:at] + (chunk + chunk if duplicate else insert.encode("utf-8", "surrogatepass")) + \
            xml[at + (0 if duplicate else length):]

    check(rewrite(original, {name: edit}), audit_plan, tmp_path)


VALUES = st.one_of(
    st.text(max_size=50).map(lambda t: ("s", t)),
    st.sampled_from(["Good", "good ", " OUTSTANDING", "NA", "2", "Goood", "=1+1", "14/03/2026", "Yes"]).map(
        lambda t: ("s", t)),
    st.floats(allow_nan=True, allow_infinity=True).map(lambda v: ("n", v)),
    st.integers(-10**12, 10**12).map(lambda v: ("n", v)),
    st.sampled_from(["SUM(1,2)", "Lists!A2", "1/0", '"Good"', "", "NOW()"]).map(lambda t: ("f", t)),
    st.sampled_from(["#N/A", "#DIV/0!", "#REF!"]).map(lambda t: ("e", t)),
    st.booleans().map(lambda b: ("b", b)),
)


def cell_xml(ref: str, kind: str, value: object) -> bytes:
    if kind == "s":
        text = escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "", str(value)))
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'.encode()
    if kind == "n":
        return f'<c r="{ref}"><v>{value}</v></c>'.encode()
    if kind == "f":
        return f'<c r="{ref}" t="str"><f>{escape(str(value))}</f><v>x</v></c>'.encode()
    if kind == "e":
        return f'<c r="{ref}" t="e"><v>{value}</v></c>'.encode()
    return f'<c r="{ref}" t="b"><v>{int(bool(value))}</v></c>'.encode()


@SETTINGS
@given(changes=st.lists(st.tuples(st.sampled_from(["A27", "B22", "B27", "B28", "B35", "B130", "B131", "B133",
                                                   "A1", "B20", "A26"]), VALUES), min_size=1, max_size=5))
def test_cell_values_changed(original: bytes, audit_plan: AuditPlan, tmp_path: Path,
                             changes: list[tuple[str, tuple[str, object]]]) -> None:
    def edit(xml: bytes) -> bytes:
        for ref, (kind, value) in changes:
            found = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)'.encode(), xml, flags=re.DOTALL)
            if found:  # the first such cell, as re.sub(..., count=1) would replace it
                xml = xml[:found.start()] + cell_xml(ref, kind, value) + xml[found.end():]
        return xml

    check(rewrite(original, {sheet_part(original, "Audit"): edit}), audit_plan, tmp_path)
