"""The name guard end to end: a warning naming sheet and cell at intake, [name] in every quote xlpack writes."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.support.filling import fill_form, input_map
from xlpack.consolidate import consolidate, read_consolidated
from xlpack.coordinator.plan_sheets import read_plan, write_coordinator
from xlpack.errors import PlanError
from xlpack.feedback.build import gather_feedback
from xlpack.generate import generate_forms
from xlpack.intake import intake
from xlpack.mail import draft_mail
from xlpack.model.plan import NOT_A_NAME, NameWord
from xlpack.report.write import write_report

NAMED = "Mum (Sarah Jones) said she felt judged at the {section} meeting."
STRENGTHS = "Zofia's school and the Kingston team shared plans."


@dataclass
class Named:
    audit: Path
    returns: Path
    evidence_cell: str  # the first form's evidence cell of its first section
    first_form: str


@pytest.fixture(scope="module")
def named(sample_forms: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Named:
    """One case's forms returned with a name in every evidence box; one form rejected with a name as its grade."""
    src, forms = sample_forms
    root = tmp_path_factory.mktemp("names")
    audit = root / src.name
    audit.write_bytes(src.read_bytes())
    plan = read_plan(audit)
    plan = plan.model_copy(update={"name_words": [NameWord(word="Zofia"), NameWord(word="Kingston", kind=NOT_A_NAME)]})
    write_coordinator(audit, plan)
    returns = root / "returns"
    returns.mkdir()
    first = sorted({f.case_ref for f in plan.issued})[0]
    mine = [f for f in plan.issued if f.kind == "audit" and f.case_ref == first]
    for f in mine[1:]:
        fill_form(forms / f.file, returns / f.file, evidence=NAMED, strengths=STRENGTHS)
    section = plan.tool.sections[0].id
    fill_form(forms / mine[0].file, returns / mine[0].file, evidence=NAMED,
              cells={f"section.{section}.grade": "Sarah Jones"})  # rejected: the grade quoted in the reply
    cell = input_map(forms / mine[1].file)[f"section.{section}.evidence"]["cell"]
    return Named(audit, returns, cell, mine[1].form_id)


def test_intake_warns_naming_sheet_and_cell_and_accepts_the_form(named: Named) -> None:
    result = intake([named.returns], read_plan(named.audit))
    f = next(x for x in result.files if x.form_id == named.first_form)
    assert f.status == "accepted_with_warnings"
    hits = [p for p in f.problems if p.code == "possible-name"]
    assert (hits[0].sheet, hits[0].cell) == ("Audit", named.evidence_cell)
    assert "S… J…" in hits[0].message and "Sarah" not in hits[0].message + hits[0].fix
    assert "Name guard" in hits[0].fix
    strengths = [p for p in hits if "Z…" in p.message]  # the partnership's own name; Kingston allowed
    assert strengths and all("K…" not in p.message for p in strengths)


def test_every_quote_shows_name_not_the_name(named: Named) -> None:
    done = consolidate(named.audit, [named.returns])
    back = read_consolidated(named.audit)
    problems = [p for p in back.problems if p.code == "possible-name"]
    assert any(p.cell == named.evidence_cell and p.sheet == "Audit" for p in problems)
    assert any("Sarah Jones" in g.evidence for g in back.grades)  # the Evidence sheet keeps what was typed
    # feedback documents
    for fb in gather_feedback(back):
        for s in fb.sections:
            assert "Zofia" not in s.strengths and ("[name]'s school" in s.strengths or not s.strengths)
    # the report's quotes
    report = write_report(named.audit)
    text = "\n".join(p.text for p in docx.Document(str(report)).paragraphs)
    assert "[name]" in text and "Sarah" not in text and "Zofia" not in text
    # the reply to the rejected return quotes the grade typed, as [name]
    assert done.rejected == 1
    mail = draft_mail(named.audit, "rejected")
    assert len(mail.drafts) == 1
    msg = email.message_from_bytes(mail.drafts[0].path.read_bytes(), policy=email.policy.default)
    plain = msg.get_body(("plain",))
    assert plain is not None
    body = plain.get_content()
    assert "'[name]' is not a grade" in body and "Sarah" not in body


def test_a_bad_name_guard_row_is_named_by_cell_and_nothing_is_written(sample_copy: tuple[Path, Path]) -> None:
    audit, forms = sample_copy
    wb = openpyxl.load_workbook(audit)
    ws = wb["Name guard"]
    ws["A5"], ws["B5"] = "Hope Street", "Place"
    ws["B6"] = "Name"
    wb.save(audit)
    before = audit.read_bytes()
    files = sorted(p.name for p in forms.iterdir())
    with pytest.raises(PlanError) as caught:
        generate_forms(audit, reissue=[read_plan(audit, strict=False).issued[0].form_id], workers=1)
    text = str(caught.value)
    assert "Sheet 'Name guard', cell B5: 'Place' is not one of Name, Not a name" in text
    assert "Sheet 'Name guard', cell A6: the word or phrase is empty" in text
    assert audit.read_bytes() == before and sorted(p.name for p in forms.iterdir()) == files
