"""Every count the console shows agrees with its noun: "1 form", "3 forms", never "form(s)".

Real runs of generate, consolidate (one return, then several with a rejected one) and mail, through the
command line, and every line they print is read.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from tests.support.cli import CliResult, run_cli
from tests.support.filling import fill_form
from xlpack import clock
from xlpack.coordinator.plan_sheets import create_audit, read_plan, write_coordinator
from xlpack.demo.sample import sample_plan

#: Nouns the console counts; "1 forms" (a plural after exactly one) is wrong with any of them.
NOUNS = ("form", "file", "flag", "alert", "grade", "problem", "email", "case", "thing", "document", "warning",
         "error", "reminder", "character", "issued form", "returned file", "urgent flag", "safeguarding alert")
ONE_PLURAL = re.compile(r"(?<![\d.,])\b1 (?:" + "|".join(map(re.escape, NOUNS)) + r")s\b")


def said(result: CliResult) -> str:
    assert result.exit_code in (0, 3), result.output
    text = result.stdout + result.stderr
    assert "(s)" not in text, text
    assert not ONE_PLURAL.search(text), text
    return " ".join(text.split())  # the console wraps long lines


def test_generate_consolidate_and_mail_say_each_count_as_it_is(tmp_path: Path) -> None:
    audit = tmp_path / "a.xlsx"
    create_audit(audit, "cp")
    plan = sample_plan("cp", cases=2)
    first, second = plan.cases[0].case_ref, plan.cases[1].case_ref
    one = next(a for a in plan.assignments if a.case_ref == first)  # an auditor with a form on each case
    again = next(a for a in plan.assignments if a.case_ref == second and a.auditor != one.auditor)
    other = next(a for a in plan.assignments if a.case_ref == first and a.auditor not in (one.auditor, again.auditor))
    both = [one, again.model_copy(update={"auditor": one.auditor, "email": one.email, "agency": one.agency,
                                          "role": one.role})]
    write_coordinator(audit, read_plan(audit).model_copy(update={
        "cases": plan.cases, "assignments": both,
        "terms": plan.terms.model_copy(update={"deadline": clock.today() + timedelta(days=20)})}))
    text = said(run_cli("generate", audit, "--out", tmp_path / "forms", columns=200))
    assert "Issued 4 forms into" in text and "; 0 issued before were left as they were." in text  # 2 audit, 2 views

    # one more auditor on the first case: generate issues 1 form and leaves the 4 issued before
    write_coordinator(audit, read_plan(audit).model_copy(update={"assignments": [*both, other]}))
    text = said(run_cli("generate", audit, "--out", tmp_path / "forms", columns=200))
    assert "Issued 1 form into" in text and "; 4 issued before were left as they were." in text

    issued = read_plan(audit).issued
    forms = [f for f in issued if f.kind == "audit"]
    returns = tmp_path / "returns"
    returns.mkdir()
    fill_form(tmp_path / "forms" / forms[0].file, returns / forms[0].file)
    text = said(run_cli("consolidate", audit, returns, columns=200))
    assert "Consolidated 1 of 5 issued forms into" in text and "0 returned files rejected" in text

    fill_form(tmp_path / "forms" / forms[1].file, returns / forms[1].file,
              cells={"section.assessment.grade": "Goood"})
    fill_form(tmp_path / "forms" / forms[2].file, returns / forms[2].file)
    text = said(run_cli("consolidate", audit, returns, columns=200))
    assert "Consolidated 2 of 5 issued forms into" in text and "1 returned file rejected." in text
    assert re.search(r"\d+ flags?: \d+ urgent", text)

    text = said(run_cli("mail", audit, "--forms", tmp_path / "forms", columns=200))
    assert "Drafted 3 emails about 5 forms into" in text  # one.auditor's 2 forms, other's 1, the 2 views forms
    assert f"{one.auditor}.eml: to {one.auditor} <{one.email}>" in text
    assert re.search(r"'[^']+', 1 file attached", text) and re.search(r"'[^']+', 2 files attached", text)
    text = said(run_cli("mail", audit, "--forms", tmp_path / "forms", columns=200))
    assert "5 forms already drafted, not drafted again" in text
