"""Every bad input to the draw: a clear message naming the column, row and value, and nothing written."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import run_cli
from tests.support.extracts import REF, population, write_csv, write_xlsx
from xlpack.coordinator.plan_sheets import create_audit, read_plan, write_coordinator
from xlpack.errors import ExtractError, UsageError, WorkbookError, XlpackError
from xlpack.model.plan import Case
from xlpack.sample.sampling import draw_sample
from xlpack.wording import counted


@pytest.fixture
def audit(tmp_path: Path) -> Iterator[Path]:
    """A new coordinator workbook; after the test, it must be exactly as it was (no backup either)."""
    path = tmp_path / "audit.xlsx"
    create_audit(path, "cp")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    yield path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, "the workbook was changed"
    assert not (tmp_path / "backups").exists()
    assert not list(tmp_path.glob(".audit.*")), "a temporary file was left behind"


def rows(n: int = 60) -> list[dict[str, str]]:
    return population(n, seed=3)


def refused(exc_type: type[XlpackError], source: Path, audit: Path, size: int = 5, **kw: Any) -> str:
    with pytest.raises(exc_type) as info:
        draw_sample(source, audit, size, **kw)
    return str(info.value)


def test_an_empty_extract(tmp_path: Path, audit: Path) -> None:
    nothing = tmp_path / "nothing.csv"
    nothing.write_bytes(b"")
    assert "The extract is empty: it has no rows at all" in refused(ExtractError, nothing, audit)
    header_only = write_csv(tmp_path / "header.csv", [])
    message = refused(ExtractError, header_only, audit)
    assert "header.csv" in message and "header row (row 1) but no cases" in message
    blank_sheet = write_xlsx(tmp_path / "blank.xlsx", [], columns=[])
    assert "The extract is empty" in refused(ExtractError, blank_sheet, audit)


def test_a_missing_column_is_named_with_the_columns_found(tmp_path: Path, audit: Path) -> None:
    source = write_csv(tmp_path / "e.csv", rows())
    message = refused(ExtractError, source, audit, by=["Category of abuse,Placement type"], where=["Legal status=ICO"])
    assert "The columns 'Placement type', 'Legal status' are missing" in message
    assert "Columns found: 'Case reference', 'Category of abuse', 'Age band'" in message
    message = refused(ExtractError, source, audit, reference_column="Child ID")
    assert "The column 'Child ID' is missing" in message and "--ref" in message


def test_a_size_larger_than_the_filtered_population(tmp_path: Path, audit: Path) -> None:
    data = rows()
    source = write_csv(tmp_path / "e.csv", data)
    under_one = sum(r["Age band"] == "Under 1" for r in data)
    message = refused(ExtractError, source, audit, size=under_one + 1, where=["Age band=Under 1"])
    assert (f"--size {under_one + 1} is larger than the population: {counted(under_one, 'case')} in the extract "
            "after the filters (Age band = Under 1)") in message
    assert "larger than the population: 60 cases in the extract." in refused(ExtractError, source, audit, size=61)


def test_duplicate_case_references(tmp_path: Path, audit: Path) -> None:
    data = rows()
    data[40] = {**data[40], REF: data[7][REF].lower()}
    message = refused(ExtractError, write_csv(tmp_path / "e.csv", data), audit)
    assert (f"row 42, column 'Case reference': the case reference '{data[7][REF].lower()}' is also on row 9"
            in message)


def test_blank_and_unknown_stratum_values(tmp_path: Path, audit: Path) -> None:
    data = rows()
    data[0] = {**data[0], "Age band": ""}
    data[1] = {**data[1], "Age band": "Baby"}
    data[2] = {**data[2], "Social work team or base": "N/A"}
    data[3] = {**data[3], "Age band": " under  1 "}  # another case and spacing: read as Under 1
    message = refused(ExtractError, write_csv(tmp_path / "e.csv", data), audit,
                      by=["Age band", "Social work team or base"])
    assert "row 2, column 'Age band': blank." in message
    assert ("row 3, column 'Age band': 'Baby' is not one of the values of Age band on the Cases sheet: Unborn, "
            "Under 1, 1-4") in message
    assert "row 4, column 'Social work team or base': 'N/A' means the value is not recorded" in message
    assert "row 5" not in message
    assert "3 problems" in message


def test_blank_stratum_values_outside_the_filter_do_not_matter(tmp_path: Path) -> None:
    data = rows()
    data[0] = {**data[0], "Age band": "", "Gender": "Male"}
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, "cp")
    result = draw_sample(write_csv(tmp_path / "e.csv", data), audit, 3, by=["Age band"], where=["Gender=Female"])
    assert len(result.cases) == 3


def test_a_case_already_on_the_cases_sheet(tmp_path: Path) -> None:
    data = rows()
    audit = tmp_path / "audit.xlsx"
    plan = create_audit(audit, "cp")
    typed = plan.model_copy(update={"cases": [Case(case_ref=data[12][REF], category="Child Protection")]})
    write_coordinator(audit, typed, keep_backup=False)
    before = audit.read_bytes()
    message = refused(ExtractError, write_csv(tmp_path / "e.csv", data), audit)
    assert f"row 14, column 'Case reference': case {data[12][REF]} is already on the Cases sheet" in message
    assert audit.read_bytes() == before


def test_a_name_in_the_case_reference_column_is_refused_without_repeating_it(tmp_path: Path, audit: Path) -> None:
    data = rows()
    data[5] = {**data[5], REF: "Jayden Smith"}
    data[6] = {**data[6], REF: "AMELIA"}
    data[8] = {**data[8], REF: "case 12"}
    message = refused(ExtractError, write_csv(tmp_path / "e.csv", data), audit)
    assert "row 7, column 'Case reference': the value (shown masked: J… S…) looks like a name" in message
    assert "row 8, column 'Case reference': the value (shown masked: A…) looks like a name" in message
    assert "row 10, column 'Case reference': 'case 12' is not a valid case reference" in message
    assert "Jayden" not in message and "AMELIA" not in message


def test_an_unknown_filter_value_and_a_bad_filter(tmp_path: Path, audit: Path) -> None:
    source = write_csv(tmp_path / "e.csv", rows())
    message = refused(ExtractError, source, audit, where=["Age band=Under one"])
    assert "--where 'Age band = Under one': no row of the extract has 'Under one' in column 'Age band'" in message
    assert "'Under 1'" in message
    assert "is not FIELD=VALUE" in refused(UsageError, source, audit, where=["Age band"])
    assert "--size must be 1 or more" in refused(UsageError, source, audit, size=0)
    ods = tmp_path / "e.ods"
    ods.write_bytes(b"PK")
    assert "e.ods: an extract must be an Excel workbook (.xlsx) or a .csv file" in refused(UsageError, ods, audit)
    assert "the coordinator workbook must be an .xlsx file" in refused(UsageError, source, audit.with_suffix(".ods"))


def test_a_second_draw_is_refused(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "e.csv", rows())
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, "cp")
    draw_sample(source, audit, 4, seed=1)
    before = audit.read_bytes()
    message = refused(WorkbookError, source, audit, seed=2)
    assert "cases were drawn already" in message and "seed 1" in message and "delete the 'Sample' sheet" in message
    assert audit.read_bytes() == before
    assert len(read_plan(audit).cases) == 4


def test_the_command_exit_codes_and_messages(tmp_path: Path, audit: Path) -> None:
    data = rows()
    data[2] = {**data[2], "Age band": "Baby"}
    source = write_csv(tmp_path / "e.csv", data)
    result = run_cli("sample", source, "--audit", audit, "--size", "5", "--by", "Age band")
    assert result.exit_code == 1 and "row 4, column 'Age band': 'Baby'" in result.stderr and not result.stdout
    result = run_cli("sample", source, "--audit", audit, "--size", "5", "--where", "x")
    assert result.exit_code == 2 and "is not FIELD=VALUE" in result.stderr


def test_the_command_draws_and_says_what_it_drew(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "e.csv", rows())
    audit = tmp_path / "audit.xlsx"
    create_audit(audit, "cp")
    result = run_cli("sample", source, "--audit", audit, "--size", "6", "--by", "Gender", "--seed", "42")
    assert result.exit_code == 0, result.output
    refs = [c.case_ref for c in read_plan(audit).cases]
    assert "Drew 6 of 60 cases" in result.stdout and "seed 42; by Gender" in result.stdout
    assert all(f"  {ref}\n" in result.stdout for ref in refs)


def test_excels_unicode_text_export_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode Text" (UTF-16 with its byte order mark, tab-separated) is read like the UTF-8 .csv; before,
    it was refused as "not a text (.csv) file"."""
    from xlpack.sample.extract import read_extract

    plain = tmp_path / "plain.csv"
    write_csv(plain, population(30))
    import csv
    import io

    tabbed = io.StringIO()
    csv.writer(tabbed, delimiter="\t").writerows(csv.reader(io.StringIO(plain.read_text(encoding="utf-8-sig"))))
    wide = tmp_path / "wide.csv"
    wide.write_bytes(tabbed.getvalue().encode("utf-16"))  # with its byte order mark, as Excel writes it
    assert [r.values for r in read_extract(wide, REF).rows] == [r.values for r in read_extract(plain, REF).rows]
