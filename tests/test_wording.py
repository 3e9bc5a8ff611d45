"""Counts agree with their nouns, in documents and in every message of the package."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from xlpack.intake.problems import problem
from xlpack.report.findings import problem_codes
from xlpack.wording import counted, noun, number_text


def test_counts_agree_with_their_nouns() -> None:
    assert counted(1, "form") == "1 form" and counted(1.0, "form") == "1 form"
    assert counted(0, "form") == "0 forms" and counted(2, "form") == "2 forms"
    assert counted(3, "agency", "agencies") == "3 agencies" and counted(1, "agency", "agencies") == "1 agency"
    assert counted(2.5, "case record") == "2.5 case records" and counted(1 / 3, "case record") == "0.33 case records"
    assert noun(1, "has", "have") == "has" and noun(4, "has", "have") == "have"
    assert number_text(12.50) == "12.5" and number_text(7.0) == "7" and number_text(0.999999999999) == "1"


# ----------------------------------------------------------------------------- no "form(s)" anywhere a person reads

PACKAGE = Path(__file__).resolve().parents[1] / "xlpack"
TASK_PANE = PACKAGE / "excel" / "server" / "project" / "static" / "xlpack" / "taskpane.js"
BRACKETED = re.compile(r"[A-Za-z]\((?:s|es|ies)\)")  # "form(s)", "match(es)", "repl(ies)"
#: Texts kept word for word on purpose: the default email wordings xlpack once shipped, by which a Messages cell
#: nobody edited is recognised (and given today's wording).
KEPT = {"EARLIER_WORDING"}


def _docstrings(tree: ast.Module) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _kept(tree: ast.Module) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in KEPT for t in targets):
                out |= {id(n) for n in ast.walk(node.value)}
    return out


def bracketed_plurals(path: Path) -> list[str]:
    """Every string literal of a module (f-strings' text parts too, docstrings aside) that writes a plural as
    "noun(s)", with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree) | _kept(tree)
    where = path.relative_to(PACKAGE.parent) if path.is_relative_to(PACKAGE.parent) else path.name
    return [f"{where}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            and BRACKETED.search(node.value)]


def test_no_text_of_the_package_writes_a_plural_in_brackets() -> None:
    """Messages, errors and summaries say "1 form", "3 forms": the count is known wherever one is shown, and a
    sentence without one is worded without it. Catches an f-string such as f"{n} file(s)" anywhere in xlpack."""
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in bracketed_plurals(path)]
    literals = re.finditer(r"(['\"`])((?:\\.|(?!\1).)*)\1", TASK_PANE.read_text(encoding="utf-8"))
    found += [f"{TASK_PANE.name}: {m.group(0)}" for m in literals if BRACKETED.search(m.group(2))]
    assert not found, "write the count with xlpack.wording (counted, noun), or reword:\n" + "\n".join(found)


def test_the_scan_finds_a_bracketed_plural_in_an_f_string(tmp_path: Path) -> None:
    module = tmp_path / "probe.py"
    module.write_text('"""Doc: form(s) in a docstring is left alone."""\nEARLIER_WORDING = ("a form(s)",)\n'
                      'n = 2\nline = f"Issued {n} form(s), {n} match(es); 1 file"\n', encoding="utf-8")
    hits = bracketed_plurals(module)
    assert hits == ["probe.py:4: ' form(s), '", "probe.py:4: ' match(es); 1 file'"], hits


def test_intake_messages_agree_with_their_count() -> None:
    one = problem("rows-deleted", sheet="Audit", count=1, row=14, expected="Evidence", at="B14", moved="B13")
    assert one.message == ("Sheet 'Audit': 1 row was deleted above row 14: 'Evidence' should be in B14 but is in "
                           "B13.")
    assert problem("more-changes", count=3).message == "3 more locked cells were changed."
    assert problem("more-text-outside", count=1).message == ("1 more cell outside the answer cells holds text that "
                                                             "was not read.")
    assert problem("container-opened", count=1, path="x.zip").message.startswith("Opened: 1 item inside,")
    # the report still finds the code in what a workbook written before said ("row(s) were")
    assert problem_codes(one.message) == ["rows-deleted"]
    assert problem_codes("Sheet 'Audit': 2 row(s) were deleted above row 14: 'Evidence' should be in B14 but is in "
                         "B12.") == ["rows-deleted"]
