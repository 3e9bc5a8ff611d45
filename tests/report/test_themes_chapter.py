"""The report's Themes chapter states each theme as the workbook's text shows it (recounted here, not by the finder)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import docx

from tests.report.test_model import fake_audit
from tests.support.documents import style_name
from xlpack.model.records import GradeRow
from xlpack.report.write import build_report

GOOD = {"Outstanding", "Good"}
LEAD = re.compile(r"^\u201c(?P<phrase>.+)\u201d\. Written on (?P<cases>\d+) cases? by (?P<agencies>\d+) agenc(?:y|ies) "
                  r"\((?P<forms>\d+) forms?\), in (?P<where>.+)\.$")


def _chapter(path: Path) -> list[tuple[str, str]]:
    """(style, text) of the paragraphs of the 'Themes' chapter, to the next chapter."""
    out, inside = [], False
    for p in docx.Document(str(path)).paragraphs:
        if style_name(p) == "Heading 1":
            if inside:
                break
            inside = p.text == "Themes"
            continue
        if inside:
            out.append((style_name(p), p.text))
    return out


def _pattern(phrase: str) -> re.Pattern[str]:
    """The phrase's words in order, each maybe with a plural or possessive ending, as whole words."""
    words = [f"(?:{re.escape(w)}|{re.escape(w[:-1])})" if w.endswith("s") and len(w) > 3 else re.escape(w)
             for w in phrase.lower().split()]
    words = [w + r"(?:s|'s|\u2019s|')?" for w in words]
    return re.compile(r"(?<![\w'])" + r"[\s,]+".join(words) + r"(?![\w])")


def _holding(rows: list[GradeRow], phrase: str, concern: bool) -> list[GradeRow]:
    pattern = _pattern(phrase)
    out = []
    for r in rows:
        for fld in ("evidence", "strengths", "development", "action"):
            text = getattr(r, fld).lower()
            if not pattern.search(text):
                continue
            if fld == "evidence" and r.final_grade not in GOOD and r.final_grade not in ("Adequate", "Inadequate"):
                continue
            good = fld == "strengths" or (fld == "evidence" and r.final_grade in GOOD)
            if good != concern:
                out.append(r)
    return out


def test_each_theme_in_the_report_is_recounted_from_the_grades(tmp_path: Path) -> None:
    audit = fake_audit()
    path = build_report(audit, tmp_path / "r.docx", today=date(2026, 11, 27))
    paras = _chapter(path)
    assert paras, "no Themes section"
    concern = True
    seen = 0
    quotes_after: list[str] = []
    for style, text in paras:
        if style == "Heading 2":  # the chapter's parts: concerns, good practice, what the meetings learned
            concern = text.startswith("Concerns")
            continue
        m = LEAD.match(text)
        if m is None:
            if style == "Quote" and quotes_after:
                assert quotes_after[-1].lower() in text.lower()  # an example holds its theme's words
                assert "auditor" not in text.lower()
            continue
        phrase = m["phrase"]
        rows = _holding(audit.grades, phrase, concern)
        assert int(m["cases"]) == len({r.case_ref for r in rows}), phrase
        assert int(m["agencies"]) == len({r.agency for r in rows}) >= 2, phrase
        assert int(m["forms"]) == len({r.form_id for r in rows}), phrase
        quotes_after.append(phrase)
        seen += 1
    assert seen >= 2
    names = {a.auditor for a in audit.plan.assignments}
    chapter = " ".join(t for _, t in paras)
    assert not any(n in chapter for n in names)  # examples name agencies and sections, never a person
