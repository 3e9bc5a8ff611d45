"""``xlpack compare``: two consolidated audits with known grade shifts, checked against figures counted here.

The workbook is read back with openpyxl (not xlpack's reader); every share,
change, count and p-value is recomputed from the planted grades
(tests/support/cycle_expected.py). Refusals: different tools or scales without a
map, a map that names what does not exist, the same workbook twice, a
workbook never consolidated.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from tests.support.cli import CliResult, run_cli
from tests.support.cycle_expected import Expected, by_agency, by_section, overall, p_between
from tests.support.cycle_scenario import Built
from tests.support.documents import style_name
from tests.support.print_scale import column_widths
from xlpack.compare.chapter import CHAPTER_TITLE
from xlpack.compare.comparison import compare_audits, compare_workbooks
from xlpack.compare.mapping import CompareMap, load_map
from xlpack.compare.workbook import workbook_writer
from xlpack.errors import UsageError
from xlpack.files.text_fit import text_lines
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.model.definitions import load_definition, load_scale
from xlpack.workbook.readback import read_consolidated

PLANNING = load_definition("cp").section("planning").title  # the section's title in the CP tool

pytestmark = pytest.mark.slow  # each module builds and consolidates two audits (session fixtures)

HEAD = 5  # the header row of the By section and By agency sheets (1-based)
COLUMNS = ["Graded, baseline", "Graded, re-audit", "Good or better, baseline", "Good or better, re-audit",
           "Change (points)", "p (Fisher)", "Larger than chance?", "Inadequate, baseline", "Inadequate, re-audit",
           "Change (points)", "p (Fisher)", "Larger than chance?", "Reading at re-audit"]


def run(*args: str | Path) -> CliResult:
    return run_cli(*args)


def rows_of(path: Path, sheet: str) -> dict[str, list[Any]]:
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    rows = [list(r) for r in ws.iter_rows(min_row=HEAD, values_only=True)]
    assert rows[0][1:14] == COLUMNS
    return {str(r[0]): r[1:14] for r in rows[1:] if r and r[0]}


def share(x: float | None) -> object:
    return "–" if x is None else pytest.approx(x)


def check_row(got: list[object], before: Expected, after: Expected) -> None:
    assert got[0:2] == [before.graded, after.graded]
    for offset, which, b, a in ((2, "good", before.good_share, after.good_share),
                                (7, "inadequate", before.inadequate_share, after.inadequate_share)):
        assert got[offset] == share(b) and got[offset + 1] == share(a)
        if b is None or a is None:
            assert got[offset + 2:offset + 5] == ["–", "–", "–"]
            continue
        p = p_between(before, after, which)
        assert got[offset + 2] == pytest.approx((a - b) * 100)  # points, as the document gives them
        assert got[offset + 3] == pytest.approx(p, rel=1e-9)
        assert got[offset + 4] == ("Yes" if p < 0.05 else "No")


@pytest.fixture(scope="module")
def compared(baseline: Built, reaudit: Built, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("compare")
    result = run("compare", baseline.audit, reaudit.audit, "--out", out / "c.xlsx", "--docx", out / "c.docx")
    assert result.exit_code == 0, result.output
    assert f"Sections changed by more than chance would give: {PLANNING}" in result.stdout
    return out / "c.xlsx", out / "c.docx"


def test_every_section_figure_matches_the_planted_grades(compared: tuple[Path, Path], baseline: Built,
                                                         reaudit: Built) -> None:
    got = rows_of(compared[0], "By section")
    before, after = by_section(baseline), by_section(reaudit)
    assert list(got)[:-1] == [s.title for s in reaudit.plan.tool.sections]
    for title in before:
        check_row(got[title], before[title], after[title])
    check_row(got["All sections"], overall(baseline), overall(reaudit))
    # the planted shifts: planning from all Inadequate to mostly Good; assessment unchanged; info sharing worse
    planning = got[PLANNING]
    assert planning[2] == 0 and planning[4] > 75 and planning[6] == "Yes" and planning[11] == "Yes"  # points
    # assessment alternates Good and Adequate in both: at most a few points apart (an odd number of forms)
    assert abs(got["Assessment"][4]) < 5 and got["Assessment"][6] == "No"
    assert got["Information sharing and multi-agency working"][9] > 50


def test_not_applicable_no_evidence_and_blanks_are_left_out_of_the_shares(compared: tuple[Path, Path],
                                                                          baseline: Built, reaudit: Built) -> None:
    got = rows_of(compared[0], "By section")
    voice = got["Voice of the child and family"]
    n_forms = len(baseline.planted)
    assert voice[0] < n_forms  # Not applicable and No evidence are not graded
    assert got["Recording and chronology"][1] < len(reaudit.planted)  # blanks are not graded
    counts = openpyxl.load_workbook(compared[0], read_only=True)["Grade counts"]
    rows = [list(r) for r in counts.iter_rows(values_only=True)]
    labels = rows[4]
    record = next(r for r in rows if r[0] == "Recording and chronology")
    blank_col = labels.index("Blank")
    assert record[blank_col + 1] == by_section(reaudit)["Recording and chronology"].counts["Blank"] > 0
    voice_counts = next(r for r in rows if r[0] == "Voice of the child and family")
    na = labels.index("Not applicable")
    assert voice_counts[na] == by_section(baseline)["Voice of the child and family"].counts["Not applicable"]


def test_every_agency_figure_matches(compared: tuple[Path, Path], baseline: Built, reaudit: Built) -> None:
    got = rows_of(compared[0], "By agency")
    before, after = by_agency(baseline), by_agency(reaudit)
    assert set(got) == set(before) | set(after) | {"All sections"}
    empty = Expected(0, 0, 0, Counter())
    for agency in set(before) | set(after):
        check_row(got[agency], before.get(agency, empty), after.get(agency, empty))


def test_the_baselines_concerns_are_set_against_the_re_audit(compared: tuple[Path, Path], baseline: Built) -> None:
    ws = openpyxl.load_workbook(compared[0], read_only=True)["Action plan"]
    rows = [list(r) for r in ws.iter_rows(min_row=HEAD + 1, values_only=True) if r and r[0]]
    before = by_section(baseline)
    concern = {t for t, e in before.items()
               if e.graded and ((e.good_share or 0.0) < 0.5 or (e.inadequate_share or 0.0) >= 0.2)}
    assert concern == {PLANNING, "Voice of the child and family"} and concern <= {r[1] for r in rows}
    # the other rows are the baseline's good practice to build on (its recommendations): none of them a concern
    others = {r[1] for r in rows} - concern
    assert len(others) <= 1 and all((before[t].good_share or 0.0) >= 0.5 and (before[t].inadequate_share or 0.0) < 0.2
                                    for t in others)
    by_title = rows_of(compared[0], "By section")
    for r in rows:
        figures = by_title[r[1]]
        assert r[9:11] == figures[2:4] and r[13:15] == figures[7:9]
        assert r[17] == figures[12]


def test_the_action_plan_sheet_is_read_as_the_coordinator_left_it(baseline: Built, reaudit: Built,
                                                                  tmp_path: Path) -> None:
    copy = tmp_path / "baseline.xlsx"
    shutil.copy2(baseline.audit, copy)
    wb = openpyxl.load_workbook(copy)  # a test copy: charts lost do not matter here
    ws = wb["Action plan"]
    header = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Action id")
    columns = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value}
    for r in range(header + 1, ws.max_row + 1):
        for column in columns.values():
            ws.cell(r, column).value = None
    typed: list[dict[str, object]] = [
        {"Section": PLANNING, "Section id": "planning", "Action": "Plans with timescales",
         "Owner": "Head of service", "Agency": "Children's social care", "By when": date(2027, 3, 31),
         "Measure of success": "75% Good or better", "Status": "Done", "Evidence of impact": "Audit of 20 plans",
         "Review date": "end of April"},
        {"Section": "Voice of the child and family", "Section id": "voice", "Action": "See children alone",
         "Owner": "Named nurse", "Agency": "Health", "Status": "In progress"},
        {"Action": "Something else", "Status": "Not started"}]
    for i, row in enumerate(typed, start=header + 1):
        for name, value in row.items():
            ws.cell(i, columns[name]).value = value
    wb.save(copy)
    c = compare_workbooks(copy, reaudit.audit)
    assert c.actions_source == "the baseline's Action plan sheet"
    assert [(a.row.action, a.row.status, a.row.owner, a.row.section_id) for a in c.actions] == [
        ("Plans with timescales", "Done", "Head of service", "planning"),
        ("See children alone", "In progress", "Named nurse", "voice"), ("Something else", "Not started", "", "")]
    assert (c.actions[0].row.by_when, c.actions[0].row.review_date) == ("31/03/2027", "end of April")
    assert [a.compared.key if a.compared else None for a in c.actions] == [
        PLANNING, "Voice of the child and family", None]
    assert c.actions[0].row.evidence == "Audit of 20 plans" and "Action plan sheet" in c.actions_source


def test_the_chapter_in_the_report_and_on_its_own(compared: tuple[Path, Path], baseline: Built, reaudit: Built,
                                                  tmp_path: Path) -> None:
    own = docx.Document(str(compared[1]))
    assert own.sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    out = tmp_path / "report.docx"
    result = run("report", reaudit.audit, "--baseline", baseline.audit, "--out", out)
    assert result.exit_code == 0, result.output
    report = docx.Document(str(out))
    for d in (own, report):
        headings = [p.text for p in d.paragraphs if style_name(p).startswith("Heading")]
        assert CHAPTER_TITLE in headings
        table = next(t for t in d.tables if [c.text for c in t.rows[0].cells][::6] == ["Section",
                                                                                        "Larger than chance?"])
        cells = {r.cells[0].text: [c.text for c in r.cells] for r in table.rows[1:]}
        before, after = by_section(baseline)[PLANNING], by_section(reaudit)[PLANNING]
        assert cells[PLANNING][1:4] == [f"{before.graded} / {after.graded}", f"{before.good_share:.0%}",
                                          f"{after.good_share:.0%}"]
        assert cells[PLANNING][6] == "Yes"
    headings = [p.text for p in report.paragraphs if style_name(p) == "Heading 1"]
    assert headings.index(CHAPTER_TITLE) == headings.index("Action plan") - 1


def _with_scale(audit: ConsolidatedAudit, scale_id: str, rename: dict[str, str]) -> ConsolidatedAudit:
    plan = audit.plan.model_copy(update={"scale": load_scale(scale_id)})
    grades = [replace(g, grade=rename.get(g.grade or "", g.grade)) for g in audit.grades]
    return audit.model_copy(update={"plan": plan, "grades": grades})


def test_different_scales_are_refused_unless_mapped(baseline: Built, reaudit: Built, tmp_path: Path) -> None:
    b, r = read_consolidated(baseline.audit), read_consolidated(reaudit.audit)
    ri = "Requires improvement to be good"
    r_ilacs = _with_scale(r, "ilacs", {"Adequate": ri})
    with pytest.raises(UsageError, match="different scales.*--map"):
        compare_audits(b, r_ilacs)
    yaml_map = tmp_path / "map.yaml"
    yaml_map.write_text("# baseline grade: re-audit grade\ngrades:\n  Adequate: Requires improvement\n")
    mapped = compare_audits(b, r_ilacs, mapping=load_map(yaml_map))
    plain = compare_audits(b, r)
    assert [(s.key, s.good, s.inadequate) for s in mapped.sections] == [
        (s.key, s.good, s.inadequate) for s in plain.sections]
    k = next(i for i, s in enumerate(plain.sections) if s.section_id == "assessment")  # Adequate in the baseline
    assert mapped.sections[k].baseline.counts[ri] == plain.sections[k].baseline.counts["Adequate"] > 0


def test_different_tools_are_refused_unless_mapped(baseline: Built, reaudit: Built, tmp_path: Path) -> None:
    b, r = read_consolidated(baseline.audit), read_consolidated(reaudit.audit)
    sections = [s.model_copy(update={"id": "plan_review"}) if s.id == "planning" else s for s in b.plan.tool.sections]
    old_tool = b.plan.tool.model_copy(update={"id": "cp-2019", "sections": tuple(sections)})
    old = b.model_copy(update={"plan": b.plan.model_copy(update={"tool": old_tool}), "grades": [
        replace(g, section_id="plan_review") if g.section_id == "planning" else g for g in b.grades]})
    with pytest.raises(UsageError, match="tool 'cp-2019'.*--map"):
        compare_audits(old, r)
    csv_map = tmp_path / "map.csv"
    csv_map.write_text("kind,baseline,reaudit\nsection,plan_review,planning\nsection,voice,\n")
    mapped = compare_audits(old, r, mapping=load_map(csv_map))
    plain = compare_audits(b, r)
    planning = next(s for s in mapped.sections if s.section_id == "planning")
    assert planning == next(s for s in plain.sections if s.section_id == "planning")
    assert "voice" not in {s.section_id for s in mapped.sections}
    assert ("Voice of the child and family", "only in the baseline") in mapped.not_compared
    bad = tmp_path / "bad.yaml"
    bad.write_text("sections:\n  plan_review: planning\n  nosuch: voice\n  assessment: nowhere\n")
    with pytest.raises(UsageError) as err:
        compare_audits(old, r, mapping=load_map(bad))
    assert f"{bad}, line 3: the baseline's tool has no section 'nosuch'" in str(err.value)
    assert f"{bad}, line 4: the re-audit's tool has no section 'nowhere'" in str(err.value)
    both = CompareMap(None, load_map(csv_map).entries[:1])
    with pytest.raises(UsageError, match="would all be compared"):  # plan_review -> planning, and planning itself
        compare_audits(b.model_copy(update={"plan": b.plan.model_copy(update={"tool": old_tool.model_copy(
            update={"sections": (*old_tool.sections, b.plan.tool.section("planning"))})})}), r, mapping=both)


def test_the_command_refuses_another_tool_naming_both(baseline: Built, other_tool: Path, tmp_path: Path) -> None:
    result = run("compare", baseline.audit, other_tool, "--out", tmp_path / "c.xlsx")
    assert result.exit_code == 2
    message = result.stderr
    assert "'cp'" in message and "'cin'" in message and "--map" in message
    assert not (tmp_path / "c.xlsx").exists()
    shared = {s.id for s in load_definition("cp").sections} & {s.id for s in load_definition("cin").sections}
    mapping = tmp_path / "cin-to-cp.yaml"
    mapping.write_text("sections:\n  threshold: strategy_s47\n")
    result = run("compare", other_tool, baseline.audit, "--out", tmp_path / "c.xlsx", "--map", mapping)
    assert result.exit_code == 0, result.output
    got = rows_of(tmp_path / "c.xlsx", "By section")
    titles = {s.id: s.title for s in load_definition("cp").sections}
    assert set(got) == {titles[s] for s in shared | {"strategy_s47"}} | {"All sections"}


def test_refusals(baseline: Built, reaudit: Built, tmp_path: Path) -> None:
    result = run("compare", baseline.audit, baseline.audit)
    assert result.exit_code == 2 and "both the baseline and the re-audit" in result.stderr
    fresh = tmp_path / "new.xlsx"
    assert run("init", fresh).exit_code == 0
    result = run("compare", baseline.audit, fresh, "--out", tmp_path / "c.xlsx")
    assert result.exit_code == 1 and "has not been consolidated yet" in result.stderr
    result = run("compare", baseline.audit, tmp_path / "nothing.xlsx")
    assert result.exit_code == 2 and "does not exist" in result.stderr
    result = run("report", reaudit.audit, "--map", tmp_path / "m.yaml", "--out", tmp_path / "r.docx")
    assert result.exit_code == 2 and "--baseline" in result.stderr
    out = tmp_path / "c.xlsx"
    out.write_bytes(b"kept")
    result = run("compare", baseline.audit, reaudit.audit, "--out", out)
    assert result.exit_code == 2 and "--force" in result.stderr and out.read_bytes() == b"kept"
    result = run("compare", baseline.audit, reaudit.audit, "--out", baseline.audit, "--force")
    assert result.exit_code == 2 and "being compared" in result.stderr


def test_changes_show_as_points_as_the_document_gives_them(compared: tuple[Path, Path]) -> None:
    """Issue 18, item 23: "Change (points)" reads "+6 pts", as the document writes it, not "+6%"."""
    from xlpack.compare.stats import points_text
    ws = openpyxl.load_workbook(compared[0])["By section"]
    heads = [c.value for c in ws[HEAD]]
    cols = [i for i, h in enumerate(heads) if h == "Change (points)"]
    cells = [row[i] for row in ws.iter_rows(min_row=HEAD + 1) for i in cols if isinstance(row[i].value, float | int)]
    assert cells
    for cell in cells:
        assert "%" not in cell.number_format and cell.number_format.endswith(' pts"')
        shown = cell.number_format.split(";")[0 if cell.value > 0 else 1 if cell.value < 0 else 2]
        assert shown.replace('"', "").replace("0", str(abs(round(cell.value)))) == points_text(cell.value / 100)


def _texts_of(path: Path) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v)


def test_cases_audited_in_both_are_found_and_said(baseline: Built, reaudit: Built, tmp_path: Path) -> None:
    """Issue 18, item 20: compare finds the cases both audits audited and says how it treats them."""
    import io

    from xlpack.compare.chapter import comparison_document
    from xlpack.compare.workbook import write_comparison_workbook
    b, r = read_consolidated(baseline.audit), read_consolidated(reaudit.audit)
    taken = [c.case_ref for c in b.plan.cases[:2]]

    def with_refs(refs: list[str]) -> ConsolidatedAudit:
        cases = [c.model_copy(update={"case_ref": ref}) for c, ref in zip(r.plan.cases, refs, strict=True)]
        return r.model_copy(update={"plan": r.plan.model_copy(update={"cases": cases})})

    others = [f"RE-{c.case_ref}" for c in r.plan.cases]  # the scenario's two audits use the same references
    plain = compare_audits(b, with_refs(others))
    assert plain.shared_cases == []
    assert "different cases, so the two are independent samples" in _texts_of(
        write_comparison_workbook(plain, tmp_path / "plain.xlsx"))
    r = with_refs([" " + ref.lower() for ref in taken] + others[2:])
    shared = compare_audits(b, r)
    assert [ref.strip().upper() for ref in shared.shared_cases] == sorted(taken)
    book = _texts_of(write_comparison_workbook(shared, tmp_path / "shared.xlsx"))
    assert "2 cases were audited in both audits" in book and "p values understate" in book
    assert "different cases, so the two are independent samples" not in book
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(comparison_document(shared))).paragraphs)
    assert "2 cases were audited in both audits" in text and "looked at different cases" not in text
    assert "which it takes as independent samples" in text


def test_rows_are_as_tall_as_text_fit_wraps_their_text(baseline: Built, reaudit: Built, tmp_path: Path) -> None:
    """Issue 19 item 4: the Action plan rows and the About paragraphs get their heights from text_fit, as every
    other sheet does: an action typed in capitals (wide letters) is shown whole, not cut at a count of characters."""
    copy = tmp_path / "baseline.xlsx"
    shutil.copy2(baseline.audit, copy)
    wb = openpyxl.load_workbook(copy)
    ws = wb["Action plan"]
    header = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Action id")
    action = next(c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value == "Action")
    ws.cell(header + 1, action).value = " ".join(["WWWWWW"] * 20)
    wb.save(copy)
    out = tmp_path / "c.xlsx"
    workbook_writer(compare_workbooks(copy, reaudit.audit))(out)
    book = openpyxl.load_workbook(out)
    checked = 0
    for name in ("About", "Action plan"):
        sheet = book[name]
        widths = column_widths(sheet)
        merged = {r.min_row: r for r in sheet.merged_cells.ranges}
        for row in sheet.iter_rows(min_row=6 if name == "Action plan" else 1):
            for cell in row:
                if not (isinstance(cell.value, str) and cell.alignment.wrap_text):
                    continue
                span = merged.get(cell.row) if cell.row in merged and merged[cell.row].min_col == cell.column else None
                cols = range(span.min_col, span.max_col + 1) if span else [cell.column]
                lines = min(text_lines(cell.value, [widths.get(c, (8.43, False))[0] for c in cols]), 12)
                assert (sheet.row_dimensions[cell.row].height or 15.0) >= 15.0 * lines, (name, cell.coordinate)
                checked += lines > 2
    assert checked >= 3  # the wide action and the About sheet's paragraphs


def _with_typed_action(baseline: Built, tmp_path: Path, values: dict[str, object]) -> Path:
    """A copy of the baseline with one Action plan row typed since its last consolidate (the first empty row)."""
    copy = tmp_path / "baseline.xlsx"
    shutil.copy2(baseline.audit, copy)
    wb = openpyxl.load_workbook(copy)  # a test copy: charts lost do not matter here
    ws = wb["Action plan"]
    header = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Action id")
    columns = {ws.cell(header, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value}
    row = next(r for r in range(header + 1, ws.max_row + 2) if not ws.cell(r, columns["Action"]).value)
    for name, value in values.items():
        ws.cell(row, columns[name]).value = value
    wb.save(copy)
    return copy


def test_an_action_typed_since_consolidate_is_matched_by_its_sections_title(baseline: Built, reaudit: Built,
                                                                           tmp_path: Path) -> None:
    """No Section id yet (consolidate fills it): the Section typed as a title, case and spacing aside, is matched."""
    copy = _with_typed_action(baseline, tmp_path, {"Section": f"  {PLANNING.upper()}  ", "Action": "Typed today",
                                                   "Status": "Not started", "Section id": None})
    typed = next(a for a in compare_workbooks(copy, reaudit.audit).actions if a.row.action == "Typed today")
    assert typed.row.section_id == "planning"
    assert typed.compared is not None and typed.compared.key == PLANNING


def test_an_action_whose_section_is_not_matched_says_why_on_its_row(baseline: Built, reaudit: Built,
                                                                     tmp_path: Path) -> None:
    """Issue 18 item 21: a row naming no section of the tool gets no figures, and its row says why, in the
    comparison's workbook and its chapter alike (not a bare dash)."""
    copy = _with_typed_action(baseline, tmp_path, {"Section": "Housing", "Status": "Not started", "Section id": None,
                                                   "Action": "Typed with a section the tool lacks"})
    c = compare_workbooks(copy, reaudit.audit)
    line = next(a for a in c.actions if a.row.action == "Typed with a section the tool lacks")
    assert line.compared is None
    assert line.why.startswith("'Housing' is not a section of the baseline's tool")
    out = tmp_path / "c.xlsx"
    workbook_writer(c)(out)
    sheet = openpyxl.load_workbook(out)["Action plan"]
    shown = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Typed with a section the tool lacks")
    assert shown[-1] == line.why and all(v == "–" for v in shown[9:17])  # the figures: grey dashes


def test_it_says_it_counts_forms_where_an_agency_returned_two_for_a_case(baseline: Built, reaudit: Built,
                                                                        tmp_path: Path) -> None:
    """The report counts case records and the comparison forms: where the two can differ, the comparison says so,
    with the number of case records audited on more than one form (recounted here from the Grades rows)."""
    import io

    from xlpack.compare.chapter import comparison_document
    from xlpack.compare.workbook import write_comparison_workbook
    b, r = read_consolidated(baseline.audit), read_consolidated(reaudit.audit)

    def records_on_two_forms(audit: ConsolidatedAudit) -> int:
        forms = {(g.case_ref, g.agency, g.form_id) for g in audit.grades}
        per_record = Counter((case, agency) for case, agency, _ in forms)
        return sum(n > 1 for n in per_record.values())

    def one_form_each(audit: ConsolidatedAudit) -> ConsolidatedAudit:
        first: dict[tuple[str, str], str] = {}
        for g in audit.grades:
            first.setdefault((g.case_ref, g.agency), g.form_id)
        return audit.model_copy(update={"grades": [g for g in audit.grades
                                                   if first[g.case_ref, g.agency] == g.form_id]})

    expected = records_on_two_forms(b) + records_on_two_forms(r)
    assert expected  # the scenario has agencies with two auditors on a case
    both = compare_audits(b, r)
    assert both.multi_form_records == expected
    said = f"{expected} case records were audited by more than one auditor of the same agency"
    assert said in _texts_of(write_comparison_workbook(both, tmp_path / "both.xlsx"))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(comparison_document(both))).paragraphs)
    assert "The comparison counts forms" in text and said in text
    single = compare_audits(one_form_each(b), one_form_each(r))
    assert single.multi_form_records == 0
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(comparison_document(single))).paragraphs)
    assert "counts forms" not in text and "counts forms" not in _texts_of(
        write_comparison_workbook(single, tmp_path / "single.xlsx"))
