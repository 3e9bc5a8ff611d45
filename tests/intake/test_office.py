"""Real clients: forms filled and saved in LibreOffice, through the keyboard-like path, are read right."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.office.client import Office
from tests.support.filling import input_map
from tests.support.intake_corpus import Expect, build_corpus
from tests.support.intake_support import *
from tests.support.intake_support import codes, snapshot
from tests.support.mutate import edit_book, rewrite, sheet_part, sub
from xlpack.intake.batch import intake
from xlpack.model.plan import AuditPlan

GRADES = ["Outstanding", "Good", "Adequate", "Inadequate", "Not applicable", "No evidence"]


def typed_answers(form: Path, **overrides: str) -> list[tuple[str, str, str]]:
    """What an auditor types: every grade, every evidence, the required fields and closing answers."""
    entries: dict[str, str] = {}
    for n, (key, info) in enumerate(input_map(form).items()):
        kind = info["type"]
        if key.endswith(".grade"):
            entries[key] = GRADES[n % 4]
        elif key.endswith(".evidence"):
            entries[key] = f"Seen on file: visits on 3, 10 and 17 March (entry {n}); فحص ✓ 🙂"
        elif info["required"] == "yes":
            entries[key] = {"date": "2026-11-01", "text": "Named nurses team", "grade": "Good"}.get(kind, "")
    entries["closing.safeguarded_now"] = "Yes"
    entries["closing.no_involvement"] = "Yes, I confirm"
    entries.update(overrides)
    cells = input_map(form)
    return [(cells[k]["sheet"], cells[k]["cell"], v) for k, v in entries.items() if v]


@pytest.fixture(scope="module")
def typed(office: Office, sample_forms: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    form = sorted(sample_forms[1].glob("CP_*.xlsx"))[40]
    out = tmp_path_factory.mktemp("lo") / "typed-in-libreoffice.xlsx"
    result = office.type_cells(form, out, typed_answers(form)).check()
    assert all(r.accepted for r in result.results)
    return out


def test_a_form_typed_and_saved_in_libreoffice_is_accepted(typed: Path, audit_plan: AuditPlan) -> None:
    result = intake([typed], audit_plan)
    f = result.files[0]
    assert (f.status, f.problems) == ("accepted", [])
    form = result.accepted[0]
    assert form.sections["identification"].evidence.endswith("فحص ✓ 🙂")
    assert {s.grade for s in form.sections.values()} == set(GRADES[:4])
    assert str(form.fields["audit_date"]) == "2026-11-01"
    assert form.saved_at is not None and form.saved_at.year >= 2026


def test_what_the_dropdown_does_not_stop(office: Office, sample_forms: tuple[Path, Path], audit_plan: AuditPlan,
                                         tmp_path: Path) -> None:
    """LibreOffice lets a person type past a list validation, and turns "=..." into a formula."""
    form = sorted(sample_forms[1].glob("CP_*.xlsx"))[41]
    entries = typed_answers(form, **{"section.identification.grade": "Goood", "section.assessment.grade": "good",
                                     "section.planning.evidence": "=visits were weekly",
                                     "field.audit_date": "14/03/2026"})
    office.type_cells(form, tmp_path / "typed.xlsx", entries).check()
    f = intake([tmp_path / "typed.xlsx"], audit_plan).files[0]
    assert f.status == "rejected"
    found = {p.cell: p.code for p in f.problems}
    cell = {k: v["cell"] for k, v in input_map(form).items()}  # where the form itself says each answer is
    formula = cell["section.planning.evidence"]
    assert found == {cell["section.identification.grade"]: "grade-invalid",
                     cell["section.assessment.grade"]: "grade-normalised", formula: "text-was-formula",
                     cell["field.audit_date"]: "date-as-text"}
    assert next(p.message for p in f.problems if p.cell == formula) == (
        f"Sheet 'Audit', cell {formula}: The text was typed as a formula (=visits were weekly); kept as the text "
        "typed.")


def test_a_prompt_edited_with_protection_removed(office: Office, typed: Path, audit_plan: AuditPlan,
                                                 tmp_path: Path) -> None:
    data = typed.read_bytes()
    unprotected = tmp_path / "unprotected.xlsx"
    unprotected.write_bytes(rewrite(data, {sheet_part(data, "Audit"): sub(rb"<sheetProtection [^>]*/>", b"")}))
    out = tmp_path / "prompt-edited.xlsx"
    grade = next(v["cell"] for k, v in input_map(typed).items() if k.endswith(".grade") and k.startswith("section."))
    label = f"A{grade[1:]}"  # the first section's "Grade" label, beside its dropdown
    result = office.type_cells(unprotected, out, [("Audit", label, "Grade (your view)")]).check()
    assert result.results[0].accepted  # nothing stops a person once protection is off
    f = intake([out], audit_plan).files[0]
    assert f.status == "rejected"
    assert [(p.code, p.cell) for p in f.problems] == [("sheet-unprotected", None), ("locked-text-changed", label)]


def libreoffice_files(office: Office, blanks: list[Path], root: Path) -> dict[str, Expect]:
    """Returns made in LibreOffice: typed, typed past the dropdown, a prompt edited, rows inserted."""
    expect: dict[str, Expect] = {}
    folder = root / "libreoffice"
    folder.mkdir(parents=True)
    good, typo, edited, rows = blanks[:4]
    office.type_cells(good, folder / "typed.xlsx", typed_answers(good)).check()
    expect["libreoffice/typed.xlsx"] = Expect("accepted")
    office.type_cells(typo, folder / "typo.xlsx", typed_answers(typo, **{"section.voice.grade": "Adequat"})).check()
    expect["libreoffice/typo.xlsx"] = Expect("rejected", "grade-invalid")
    first_grade = next(v["cell"] for k, v in input_map(edited).items() if k.startswith("section.") and
                       k.endswith(".grade"))
    prompt = f"A{int(first_grade[1:]) - 1}"  # "Questions to consider", just above the first grade
    office.set_cells(edited, folder / "prompt.xlsx", [("Audit", prompt, "Questions (edited)")]).check()
    expect["libreoffice/prompt.xlsx"] = Expect("rejected", "locked-text-changed")
    shifted = edit_book(rows, root.parent / "rows.xlsx", lambda wb: wb["Audit"].insert_rows(40, 3))
    office.convert(shifted, out=folder / "rows.xlsx", format="xlsx").check()
    expect["libreoffice/rows.xlsx"] = Expect("rejected", "rows-inserted")
    return expect


def test_the_whole_corpus_with_libreoffice_returns(office: Office, sample_forms: tuple[Path, Path],
                                                   other_audit_form: Path, audit_plan: AuditPlan,
                                                   tmp_path: Path) -> None:
    root = tmp_path / "inbox"
    blanks = sorted(sample_forms[1].glob("CP_*.xlsx"))
    expect = build_corpus(root, blanks[:20], other_audit_form)
    expect.update(libreoffice_files(office, blanks[50:54], root))
    before = snapshot(root)
    result = intake([root], audit_plan)
    assert snapshot(root) == before
    found = {f.path.removeprefix(f"{root}/"): f for f in result.files}
    assert set(found) == set(expect)
    for rel, want in expect.items():
        assert found[rel].status == want.status, (rel, found[rel].problems)
        assert (want.code in codes(found[rel])) if want.code else found[rel].problems == [], (rel, found[rel].problems)
    accepted = [f for f in result.files if f.status.startswith("accepted")]
    assert len(accepted) == sum(w.status.startswith("accepted") for w in expect.values()) == 6
