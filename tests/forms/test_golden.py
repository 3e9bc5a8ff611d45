"""Golden files: one form per tool, compared part by part with volatile XML stripped.

A change to what forms look like shows here as a diff of the XML. When the
change is intended, regenerate with ``XLPACK_UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff of tests/golden/ before committing it.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest

from xlpack.demo.sample import sample_plan
from xlpack.forms.layout import FormContext
from xlpack.forms.writer import FormTemplate, render_form
from xlpack.model.plan import Assignment

GOLDEN = Path(__file__).resolve().parent / "golden"
# Parts or attributes that differ between runs or library versions, not between forms.
VOLATILE = [
    (re.compile(r"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>"), ""),
    (re.compile(r"<AppVersion>[^<]*</AppVersion>"), ""),
]


def normalised_parts(content: bytes) -> dict[str, str]:
    out = {}
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        for name in sorted(zf.namelist()):
            text = zf.read(name).decode("utf-8")
            for pattern, repl in VOLATILE:
                text = pattern.sub(repl, text)
            out[name] = text
    return out


def golden_form(tool: str) -> bytes:
    plan = sample_plan(tool, cases=1)
    case = plan.cases[0]
    ctx = FormContext(form_id="00000000-0000-4000-8000-000000000001", audit_id=plan.audit_id, tool=plan.tool,
                      scale=plan.scale, terms=plan.terms, case=case,
                      assignment=Assignment(case_ref=case.case_ref, agency="Health", auditor="Sam Example",
                                            role="Named nurse"),
                      case_field_labels={q.id: q.label for q in plan.tool.case_fields})
    return render_form(ctx).content


@pytest.mark.parametrize("tool", ["cp", "cin", "ei", "cic"])
def test_form_matches_golden_files(tool: str) -> None:
    parts = normalised_parts(golden_form(tool))
    folder = GOLDEN / tool
    if os.environ.get("XLPACK_UPDATE_GOLDEN") == "1":
        for old in folder.rglob("*"):
            if old.is_file():
                old.unlink()
        for name, text in parts.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = {str(p.relative_to(folder)): p.read_text(encoding="utf-8")
                for p in sorted(folder.rglob("*")) if p.is_file()}
    assert sorted(parts) == sorted(expected), "the set of parts changed"
    for name, text in parts.items():
        assert text == expected[name], f"{tool}: {name} differs from tests/golden/{tool}/{name}"


def test_golden_comparison_catches_a_changed_prompt() -> None:
    parts = normalised_parts(golden_form("cp"))
    changed = {k: v.replace("Was a referral made", "Was a referal made") for k, v in parts.items()}
    assert changed != parts  # the prompt text is in the compared XML, so an edit cannot slip through


def test_template_output_is_deterministic() -> None:
    plan = sample_plan("cp", cases=1)
    case = plan.cases[0]
    ctx = FormContext(form_id="x", audit_id=plan.audit_id, tool=plan.tool, scale=plan.scale, terms=plan.terms,
                      case=case, assignment=Assignment(case_ref=case.case_ref, agency="Police", auditor="A B"))
    one = FormTemplate(ctx).render(ctx).content
    two = FormTemplate(ctx).render(ctx).content
    assert one == two
