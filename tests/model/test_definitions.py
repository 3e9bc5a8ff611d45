"""Tool definitions and grade scales: the bundled ones load; bad ones are reported with lines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.cli import run_cli
from xlpack.analysis.views import base_questions, conversation_numbers
from xlpack.model.definitions import builtin_tools, check_definition, load_definition, load_scale

CP = Path(__file__).resolve().parents[2] / "workbook_templates" / "cp.yaml"


CORE = {"identification", "assessment", "planning", "voice", "information_sharing", "recording", "management",
        "equality", "outcomes"}


@pytest.mark.parametrize(("tool", "category", "sections"), [
    ("cp", "Child Protection", 14), ("cin", "Child In Need", 12), ("ei", "Early Intervention", 13),
    ("cic", "Children In Care", 14)])
def test_bundled_tools_have_core_and_specific_sections(tool: str, category: str, sections: int) -> None:
    d = load_definition(tool)
    assert d.category == category
    assert len(d.sections) == sections
    assert {s.id for s in d.sections} >= CORE  # the core nine keep their ids, so re-audits compare
    assert d.sections[0].id == "identification" and d.sections[-1].id == "outcomes"
    closing = {q.id: q for q in d.closing}
    assert closing["safeguarded_now"].choices == ("Yes", "No", "Unsure")
    assert closing["safeguarded_now"].label == "Is the child adequately safeguarded now?"
    assert closing["overall_grade"].type == "grade"
    assert "no_involvement" in closing
    # Case references only: nothing anywhere asks for a name of the child.
    questions = [*d.case_fields, *d.form_fields, *d.closing]
    assert not [q.label for q in questions if "name" in q.label.lower()]


def test_views_form_is_a_definition_without_grades() -> None:
    d = load_definition("views")
    assert d.kind == "views" and not d.sections and not d.uses_grades
    assert {"working_well", "not_working", "listened_to", "safer", "quotes"} <= {b for b, _, _ in base_questions(d)}
    assert conversation_numbers(d) == [1, 2, 3]  # more than one conversation a case
    assert {"given_by", "child_age", "date", "consent"} <= {b for b, _, _ in base_questions(d)}


def test_scales_have_both_wordings_and_the_answers_that_are_not_grades() -> None:
    old, new = load_scale("ofsted-2009"), load_scale("ilacs")
    assert old.labels == ["Outstanding", "Good", "Adequate", "Inadequate", "Not applicable", "No evidence"]
    assert new.labels[2] == "Requires improvement to be good"
    assert [g.rank for g in old.grades] == [1, 2, 3, 4, None, None]
    assert all(g.descriptor for g in old.grades + new.grades)


@pytest.mark.parametrize(("typed", "label"), [
    ("good", "Good"), ("  GOOD ", "Good"), ("2", "Good"), ("ne", "No evidence"),
    ("No  evidence on file", "No evidence"), ("Goood", None), ("", None)])
def test_normalise_matches_labels_codes_and_aliases(typed: str, label: str | None) -> None:
    g = load_scale("ofsted-2009").normalise(typed)
    assert (g.label if g else None) == label


def test_ilacs_accepts_requires_improvement_variants() -> None:
    scale = load_scale("ilacs")
    grade = scale.normalise("requires improvement")
    assert grade is not None and grade.label == "Requires improvement to be good"


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    count = 0
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            count += 1
            if count == nth:
                return i
    raise AssertionError(needle)


def test_check_definition_reports_every_problem_with_its_line(tmp_path: Path) -> None:
    data = yaml.safe_load(CP.read_text())
    data["grade_scale"] = "made-up-scale"
    data["sections"][4]["id"] = "assessment"  # duplicate of section 3
    data["sections"][5]["prompts"] = []
    text = yaml.safe_dump(data, sort_keys=False)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    defn, problems = check_definition(bad)
    assert defn is None
    # pydantic reports the empty prompt list first; the cross-field checks need a valid model.
    assert [p.where for p in problems] == ["sections.5.prompts"]
    assert problems[0].line == _line_of(text, "prompts: []")
    assert "at least one prompt" in problems[0].fix

    data["sections"][5]["prompts"] = ["A question?"]
    text = yaml.safe_dump(data, sort_keys=False)
    bad.write_text(text)
    _, problems = check_definition(bad)
    by_where = {p.where: p for p in problems}
    assert set(by_where) == {"sections.4.id", "grade_scale"}
    assert by_where["sections.4.id"].line == _line_of(text, "id: assessment", 2)
    assert f"line {_line_of(text, 'id: assessment', 1)}" in by_where["sections.4.id"].message
    assert by_where["grade_scale"].line == _line_of(text, "grade_scale:")
    assert "ofsted-2009" in by_where["grade_scale"].fix
    assert str(problems[0]).startswith(f"{bad}, line ")


def test_unknown_keys_and_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    text = CP.read_text().replace("  title: The child protection plan\n",
                                  "  title: The child protection plan\n  promts: [oops]\n")
    f = tmp_path / "typo.yaml"
    f.write_text(text)
    _, problems = check_definition(f)
    assert len(problems) == 1
    assert problems[0].line == _line_of(text, "promts:")
    assert "spelling" in problems[0].fix

    f.write_text("id: cp\ntitle: [unclosed\nversion: 1\n")
    _, problems = check_definition(f)
    assert len(problems) == 1 and problems[0].line in (2, 3, 4)
    assert "not valid YAML" in problems[0].message


def test_long_choice_lists_are_valid_because_lists_live_on_a_sheet(tmp_path: Path) -> None:
    data = yaml.safe_load(CP.read_text())
    data["form_fields"].append({"id": "team_list", "label": "Team", "type": "choice",
                                "choices": [f"Locality team number {i}, north-east district" for i in range(40)]})
    f = tmp_path / "long.yaml"
    f.write_text(yaml.safe_dump(data))
    defn, problems = check_definition(f)
    assert problems == [] and defn is not None
    assert len(",".join(defn.form_fields[-1].choices or ())) > 255


def test_cli_check_definition_exit_codes(tmp_path: Path) -> None:
    ok = run_cli("check-definition", CP)
    assert ok.exit_code == 0 and "OK (Child Protection case audit tool, version 2.0, 14 sections)" in ok.stdout
    bad = tmp_path / "bad.yaml"
    text = CP.read_text().replace("grade_scale: ofsted-2009", "grade_scale: nope")
    bad.write_text(text)
    res = run_cli("check-definition", bad)
    assert res.exit_code == 3
    line = _line_of(text, "grade_scale: nope")
    assert (f"{bad}, line {line} (grade_scale): Unknown grade scale 'nope'. Fix: use one of: ilacs, ofsted-2009"
            in res.stderr)


def test_every_bundled_definition_passes_check() -> None:
    for name, path in builtin_tools().items():
        defn, problems = check_definition(path)
        assert problems == [], name
