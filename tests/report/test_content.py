"""Every figure in the report, recomputed here from the grade rows with plain Python.

:class:`Truth` holds the plain rows (case, agency, section, grade, moderated
grade; returns; overall grades; each case's details). Shares are written
here with decimal arithmetic, halves rounded up (5 of 8 is 63%), as Excel
shows a share formatted 0%. :func:`check_report` walks the whole
document: each table with figures is checked cell by cell, each sentence
with a percentage must contain one of the phrases recomputed here, and no
percentage anywhere may go unchecked. The same check runs on an audit built
in memory (here) and on a workbook consolidated from filled-in forms
(test_report_office.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import krippendorff
import numpy as np
import pytest

from tests.report.test_docx import Block, ReadBack, read_back
from tests.report.test_model import fake_audit
from xlpack.analysis.actions import FRACTION_WHY
from xlpack.model.consolidated import ConsolidatedAudit
from xlpack.report.write import build_report

RANK = {"Outstanding": 1, "Good": 2, "Adequate": 3, "Inadequate": 4}  # the sample's scale (ofsted-2009)
MIN_GROUP = 3  # the Terms of reference's default smallest group
LABELS = ["Outstanding", "Good", "Adequate", "Inadequate", "Not applicable", "No evidence"]
PERCENT = re.compile(r"\d+%")


def p(n: float | Fraction, d: float | Fraction) -> str:
    """``n`` of ``d`` as the report writes it: whole per cent, halves up; a dash for a share of nothing."""
    if not d:
        return "–"
    exact = Fraction(n) * 100 / Fraction(d)
    return f"{(Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP)}%"


def c(n: Fraction | float) -> str:
    """A count of case records as written: whole, or to two places at most."""
    n = Fraction(n)
    if n.denominator == 1:
        return str(n.numerator)
    return f"{float(n):.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Row:
    case: str
    agency: str
    section: str
    order: int
    grade: str
    moderated: str
    auditor: str = ""

    def final(self, moderated: bool = True) -> str:
        return (self.moderated or self.grade) if moderated else self.grade


def one_record(rows: Iterable[Row], moderated: bool = True) -> list[tuple[Row, str, Fraction]]:
    """Each agency's record of a case section once: written here from the rule as the report states it (the
    one moderated grade typed among an agency's forms, else each form's grade at 1/k)."""
    groups: dict[tuple[str, str, str], list[Row]] = defaultdict(list)
    for r in rows:
        groups[(r.case, r.agency, r.section)].append(r)
    out = []
    for members in groups.values():
        typed = {m.moderated for m in members if m.moderated}
        if len(members) > 1 and moderated and len(typed) == 1:
            out.append((members[0], typed.pop(), Fraction(1)))
        else:
            out += [(m, m.final(moderated), Fraction(1, len(members))) for m in members]
    return out


def count(rows: Iterable[Row], grade: str, moderated: bool = True) -> Fraction:
    return sum((w for _, g, w in one_record(rows, moderated) if g == grade), Fraction(0))


@dataclass
class Truth:
    rows: list[Row]
    returns: list[tuple[str, str, str, str]]  # (kind, form id, agency, status), as on the Returns sheet
    overall_grades: list[tuple[str, str, str]]  # (case, agency, the form's overall grade)
    cases: dict[str, dict[str, str]] = field(default_factory=dict)  # case -> case detail label -> value
    sections: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        order = {r.section: r.order for r in self.rows}
        self.sections = sorted(order, key=lambda s: order[s])

    def shares(self, rows: Iterable[Row], moderated: bool = True) -> tuple[str, str, str]:
        """Graded case records (one-record rule), and the shares Good or better and Inadequate as written."""
        graded = [(RANK[g], w) for _, g, w in one_record(rows, moderated) if g in RANK]
        n = sum((w for _, w in graded), Fraction(0))
        good = sum((w for x, w in graded if x <= 2), Fraction(0))
        bad = sum((w for x, w in graded if x == 4), Fraction(0))
        return c(n), p(good, n), p(bad, n)

    def of_section(self, title: str) -> list[Row]:
        return [r for r in self.rows if r.section == title]

    def returned(self, kind: str, agency: str | None = None) -> tuple[int, int]:
        best: dict[str, set[str]] = defaultdict(set)
        for k, form, ag, status in self.returns:
            if k == kind and status not in ("skipped", "superseded") and (agency is None or ag == agency):
                best[form].add(status)
        back = sum(1 for s in best.values() if s & {"accepted", "accepted_with_warnings"})
        return back, len(best)

    def units(self, moderated: bool) -> dict[tuple[str, str], list[float]]:
        """Case sections graded by two or more agencies, one value per agency: its one moderated grade where
        typed, else the mean of its forms' ranks."""
        grouped: dict[tuple[str, str], dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for r in self.rows:
            if r.final(moderated) in RANK:
                grouped[(r.case, r.section)][r.agency].append(r)
        out = {}
        for key, agencies in grouped.items():
            if len(agencies) < 2:
                continue
            values = []
            for members in agencies.values():
                typed = {m.moderated for m in members if m.moderated}
                if moderated and len(typed) == 1:
                    values.append(float(RANK[typed.pop()]))
                else:
                    values.append(sum(RANK[m.final(moderated)] for m in members) / len(members))
            out[key] = values
        return out


def truth_of(audit: ConsolidatedAudit) -> Truth:
    plan = audit.plan
    details = [q for q in plan.tool.case_fields if q.type in ("choice", "text", "whole_number")]
    cases = {c.case_ref: {"Category": c.category or plan.tool.category,
                          **{q.label: c.fields.get(q.id, "").strip() or "Not recorded" for q in details}}
             for c in plan.cases}
    return Truth([Row(g.case_ref, g.agency, g.section_title, g.section_order, g.grade or "", g.moderated_grade or "",
                      g.auditor) for g in audit.grades],
                 [(r.kind, r.form_id, r.agency, r.status) for r in audit.returns],
                 [(s.case_ref, s.agency, s.overall_grade or "") for s in audit.summaries], cases)


# ----------------------------------------------------------------------------- the checks


def check_report(rb: ReadBack, truth: Truth) -> int:
    """Check every figure; returns how many percentages were checked (all there are)."""
    checked = 0
    tables = dict(TABLE_CHECKS)
    for caption, table in rb.tables():
        name = re.sub(r"^Table \d+: ", "", caption)
        check = next((fn for key, fn in tables.items() if name.startswith(key)), None)
        if check is None:
            body = [c for row in table.rows[1:] for c in row]
            assert not any(PERCENT.search(c) for c in body), f"unchecked percentage in table '{name}'"
            continue
        checked += check(truth, table)
    phrases = sentence_phrases(truth)
    heading = ""
    for b in rb.blocks:
        if b.style == "Heading 3":
            heading = b.text
        if b.kind != "p" or not PERCENT.search(b.text):
            continue
        text = f"{heading}. {b.text}"
        covered = sum(len(PERCENT.findall(ph)) * text.count(ph) for ph in phrases)
        found = len(PERCENT.findall(b.text))
        assert covered == found, f"percentages not recomputed here: {b.text!r}"
        checked += found
    total = sum(len(PERCENT.findall(b.text)) for b in rb.blocks if b.kind == "p")
    total += sum(len(PERCENT.findall(c)) for b in rb.blocks if b.kind == "table" for row in b.rows[1:] for c in row)
    assert checked == total
    return checked


def sentence_phrases(t: Truth) -> set[str]:
    n, good, bad = t.shares(t.rows)
    phrases = {f"Across all sections, {good} of {n} graded case records were Good or better and {bad} Inadequate"}
    for title in t.sections:
        sn, sg, sb = t.shares(t.of_section(title))
        phrases.add(f"{title} ({sg} Good or better)")
        phrases.add(f"{title} ({sg} Good or better, {sb} Inadequate)")
        phrases.add(f"{title}. Good or better in {sg} of {sn} graded case records; Inadequate in {sb}.")
        for reading in ("Working well", "Mixed", "Causing concern"):
            phrases.add(f"{title}. {reading}. Good or better in {sg} of {sn} graded case records; Inadequate in "
                        f"{sb}.")
            phrases.add(f"{title} ({reading.lower()}: {sg} of {sn} graded case records Good or better, {sb} "
                        "Inadequate")
    phrases.add("75% or more of its graded case records are Good or better and fewer than 10% Inadequate; it is "
                "causing concern when fewer than 50% are Good or better or 20% or more are Inadequate")
    back, issued = t.returned("audit")
    phrases |= {f"{back} of {issued} audit forms came back and were used ({p(back, issued)})",
                f"a return rate of {p(back, issued)}"}
    vback, vissued = t.returned("views")
    if vissued:
        phrases.add(f"{vback} of {vissued} came back ({p(vback, vissued)})")
    _, bg, bb = t.shares(t.rows, moderated=False)
    phrases.add((f"Good or better went from {bg} as returned to {good} after moderation" if bg != good else
                 f"Good or better was unchanged at {good}") + ", and " +
                (f"Inadequate from {bb} to {bad}" if bb != bad else f"Inadequate was unchanged at {bad}"))
    units = t.units(moderated=False)
    within = sum(max(v) - min(v) <= 1 for v in units.values())
    if units:
        phrases.add(f"within one grade of each other in {p(within, len(units))} of {len(units)} case sections")
    overall = Truth([Row(case, agency, "overall", 0, g, "") for case, agency, g in t.overall_grades], [], [])
    _, og, ob = overall.shares(overall.rows)
    phrases.add(f"Good or better: {og}; Inadequate: {ob}")
    return phrases


def _columns(table: Block) -> dict[str, int]:
    return {h: i for i, h in enumerate(table.rows[0])}


def _figures(row: list[str], cols: dict[str, int]) -> tuple[str, str, str]:
    return row[cols["Graded"]], row[cols["Share Good or better"]], row[cols["Share Inadequate"]]


def check_distribution(t: Truth, table: Block, key: str, total_label: str) -> int:
    cols = _columns(table)
    checked = 0
    for row in table.rows[1:]:
        rows = t.rows if row[0] == total_label else [r for r in t.rows if getattr(r, key) == row[0]]
        assert rows, row[0]
        for label in LABELS:
            if label in cols:
                assert row[cols[label]] == c(count(rows, label)), (row[0], label)
        assert _figures(row, cols) == t.shares(rows)
        checked += 2
    keys = [r[0] for r in table.rows[1:-1]]
    expected = t.sections if key == "section" else sorted({r.agency for r in t.rows}, key=str.casefold)
    assert keys == expected
    return checked


def check_breakdown(t: Truth, table: Block) -> int:
    """Grades by one case detail: each value's cases, counts and shares, and the total row."""
    label = table.rows[0][0]
    cols = _columns(table)
    values = {case: details[label] for case, details in t.cases.items()}
    sizes = {v: sum(1 for x in values.values() if x == v) for v in set(values.values())}
    hidden = {v for v, n in sizes.items() if n < MIN_GROUP}
    shown_order = [r[0] for r in table.rows[1:-1]]
    while hidden and sum(sizes[v] for v in hidden) < MIN_GROUP and len(hidden) < len(sizes):
        hidden.add(min((v for v in sizes if v not in hidden), key=lambda v: (sizes[v], shown_order.index(v))))
    checked = 0
    for row in table.rows[1:]:
        total = row[0] == "All cases"
        cases = set(values) if total else {c for c, v in values.items() if v == row[0]}
        assert cases, row[0]
        if not total and row[0] in hidden:  # suppressed: no figure for fewer than N cases, nor one found by difference
            said = f"fewer than {MIN_GROUP}" if len(cases) < MIN_GROUP else "hidden"
            assert row[cols["Cases"]] == said and all(x == "" for x in row[2:]), row
            continue
        assert int(row[cols["Cases"]]) == len(cases)
        rows = [r for r in t.rows if r.case in cases]
        for grade in LABELS:
            if grade in cols:
                assert row[cols[grade]] == c(count(rows, grade)), (label, row[0], grade)
        assert _figures(row, cols) == t.shares(rows), (label, row[0])
        checked += 2
    assert len({c for r in table.rows[1:-1] for c in values if values[c] == r[0]}) == len(values)  # every case
    return checked


def check_moderation_counts(t: Truth, table: Block) -> int:
    """The whole distribution as returned and after moderation, and the change."""
    grades = table.rows[0][1:]
    before = [count(t.rows, g, moderated=False) for g in grades]
    after = [count(t.rows, g) for g in grades]
    change = [("+" if a > b else "−") + c(abs(a - b)) if a != b else "0" for a, b in zip(after, before)]
    assert table.rows[1:] == [["As returned", *map(c, before)], ["After moderation", *map(c, after)],
                              ["Change", *change]]
    assert set(LABELS) - set(grades) <= {"Blank"}
    return 0


def check_ranking(t: Truth, table: Block) -> int:
    cols = _columns(table)
    expected = []
    for title in t.sections:
        graded = [(RANK[g], w) for _, g, w in one_record(t.of_section(title)) if g in RANK]
        n = sum(w for _, w in graded)
        good = sum(w for x, w in graded if x <= 2) / n if graded else None
        bad = sum(w for x, w in graded if x == 4) / n if graded else None
        if good is None or bad is None:
            reading = 3
        elif good < Fraction(50, 100) or bad >= Fraction(20, 100):
            reading = 2
        elif good >= Fraction(75, 100) and bad < Fraction(10, 100):
            reading = 0
        else:
            reading = 1
        g, b = good or 0, bad or 0
        expected.append((reading, -(g - b), -g, b, t.sections.index(title), title))
    expected.sort()
    assert [r[cols["Section"]] for r in table.rows[1:]] == [e[-1] for e in expected]
    for row, e in zip(table.rows[1:], expected):
        assert _figures(row, cols) == t.shares(t.of_section(e[-1]))
    return 2 * (len(table.rows) - 1)


def check_returns_table(t: Truth, table: Block) -> int:
    cols = _columns(table)
    for row in table.rows[1:]:
        back, issued = t.returned("audit", None if row[0] == "All agencies" else row[0])
        assert (row[cols["Forms issued"]], row[cols["Returned"]], row[cols["Return rate"]]) == (
            str(issued), str(back), p(back, issued))
    return len(table.rows) - 1


def check_moderation(t: Truth, table: Block) -> int:
    for row in table.rows[1:]:
        rows = t.of_section(row[0])
        _, bg, bb = t.shares(rows, moderated=False)
        _, ag, ab = t.shares(rows)
        assert row[1:] == [bg, ag, bb, ab], row
        assert any(count(rows, g) != count(rows, g, moderated=False) for g in LABELS)  # its distribution changed
    return 4 * (len(table.rows) - 1)


def alpha(units: dict[tuple[str, str], list[float]]) -> float:
    width = max(len(v) for v in units.values())
    data = np.full((width, len(units)), np.nan)
    for j, values in enumerate(units.values()):
        data[: len(values), j] = values
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal"))


def check_agreement(t: Truth, table: Block) -> int:
    rows = {r[0]: r[1:] for r in table.rows[1:]}
    for i, moderated in enumerate((False, True)):
        units = t.units(moderated)
        within = sum(max(v) - min(v) <= 1 for v in units.values())
        assert rows["Case sections graded by two or more agencies"][i] == str(len(units))
        assert rows["Within one grade of each other"][i] == p(within, len(units))
        assert rows["Krippendorff's alpha (ordinal)"][i] == f"{alpha(units):.2f}"
    return 2


def check_section_agreement(t: Truth, table: Block) -> int:
    units = t.units(moderated=False)
    for row in table.rows[1:]:
        spreads = [max(v) - min(v) for (case, section), v in units.items() if section == row[0]]
        assert row[1:] == [str(len(spreads)), p(sum(s <= 1 for s in spreads), len(spreads)),
                           str(sum(s >= 2 for s in spreads))], row
    return len(table.rows) - 1


def check_action_plan(t: Truth, table: Block) -> int:
    checked = 0
    header = table.rows[0]
    for row in table.rows[1:]:
        if "Section now" in header:  # the plan as typed on the Action plan sheet, with today's figures beside it
            if row[header.index("Section")] == "–":
                continue
            _, good, bad = t.shares(t.of_section(row[header.index("Section")]))
            now = row[header.index("Section now")]
            assert f"{good} Good or better" in now and f"{bad} Inadequate" in now, row
            measure = row[header.index("Measure of success")]
            proposed = re.search(r"when proposed on [\d/]+: Good or better in (\d+%), Inadequate in (\d+%), "
                                 r"of ([\d.]+) graded", measure)
            if proposed:  # a proposed row kept as it was: its figures then, as returned or after moderation
                then = {t.shares(t.of_section(row[header.index("Section")]), moderated=m) for m in (False, True)}
                assert (proposed.group(3), proposed.group(1), proposed.group(2)) in then, row
                assert (FRACTION_WHY in measure) == ("." in proposed.group(3)), row
                assert "at least 75% and Inadequate in under 10%" in measure
                checked += 4
        else:  # no Action plan sheet: one proposed row per recommendation
            title = next(s for s in t.sections if s.lower() in row[0])
            n, good, bad = t.shares(t.of_section(title))
            measure = row[header.index("Measure of success")]
            figures = f"(at this audit: Good or better in {good}, Inadequate in {bad}, of {n} graded case records"
            assert figures in measure, row
            assert (FRACTION_WHY in measure) == ("." in n), row  # a fraction says why, a whole count does not
            assert "at least 75% and Inadequate in under 10%" in measure  # the working-well threshold
            checked += 2
        checked += 2
    return checked


TABLE_CHECKS = {
    "Grades by section": lambda t, tb: check_distribution(t, tb, "section", "All sections"),
    "Grades by agency": lambda t, tb: check_distribution(t, tb, "agency", "All agencies"),
    "Sections ranked": check_ranking,
    "Agencies taking part": check_returns_table,
    "Sections whose grades moderation changed": check_moderation,
    "Grades before and after moderation": check_moderation_counts,
    "Grades by case detail": check_breakdown,
    "How far agencies agree": check_agreement,
    "Agreement between agencies by section": check_section_agreement,
    "SMART action plan": check_action_plan,
    "Proposed SMART action plan": check_action_plan,
}


# ----------------------------------------------------------------------------- on an audit built in memory


@pytest.fixture(scope="module")
def audit() -> ConsolidatedAudit:
    return fake_audit()


@pytest.fixture(scope="module")
def rb(audit: ConsolidatedAudit, tmp_path_factory: pytest.TempPathFactory) -> ReadBack:
    return read_back(build_report(audit, tmp_path_factory.mktemp("c") / "r.docx", today=date(2026, 11, 27)))


def test_every_percentage_is_recomputed(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    checked = check_report(rb, truth_of(audit))
    assert checked > 100


def test_all_key_tables_are_there(rb: ReadBack) -> None:
    captions = [c for c, _ in rb.tables()]
    for key in TABLE_CHECKS:
        assert any(key in c for c in captions), key


def test_not_returned_forms_are_named(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    table = rb.table("Audits not returned or not used")
    shown = {(r[0], r[1], r[2]) for r in table.rows[1:]}
    words = {"missing": "Not returned", "overdue": "Not returned by the deadline",
             "rejected": "Returned but not used: returned with the form's hidden details changed, so it could not be "
                         "checked"}
    expected = {(r.case_ref, r.agency, words[r.status]) for r in audit.returns
                if r.kind == "audit" and r.status in words}
    assert shown == expected and len(shown) == 3
    assert not any("Sheet '" in r[2] or "xlpack_form" in r[2] for r in table.rows)  # no intake message


def test_sample_spread_is_counted_from_the_cases(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    table = rb.table("The sample of cases")
    rows = {r[0]: r[1] for r in table.rows[1:]}
    for q in audit.plan.tool.case_fields:
        if q.type != "choice":
            continue
        counts: dict[str, int] = defaultdict(int)
        for c in audit.plan.cases:
            counts[c.fields[q.id]] += 1
        assert sorted(rows[q.label].split("; ")) == sorted(f"{v}: {n}" for v, n in counts.items())


def test_views_are_counted(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    table = rb.table("What children and families said")
    rows = {r[0]: r[1] for r in table.rows[1:]}
    counts: dict[str, int] = defaultdict(int)
    for v in audit.views:
        counts[v.answers["c1_listened_to"]] += 1
    assert sorted(rows["Do they feel listened to?"].split("; ")) == sorted(f"{k}: {n}" for k, n in counts.items())


def test_moderation_changes_are_listed(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    table = rb.table("Grades changed at moderation")
    changed = {(g.case_ref, g.agency, g.section_title, g.grade, g.moderated_grade) for g in audit.grades
               if g.moderated_grade and g.moderated_grade != g.grade}
    assert {tuple(r[:5]) for r in table.rows[1:]} == changed
    assert all(r[5] for r in table.rows[1:])


def test_check_report_catches_a_wrong_figure(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    """The checker itself: one changed percentage in a sentence or a table is found."""
    truth = truth_of(audit)
    sentence = next(b for b in rb.blocks if b.kind == "p" and "Across all sections," in b.text)
    original = sentence.text
    sentence.text = PERCENT.sub("1%", original, count=1)
    with pytest.raises(AssertionError):
        check_report(rb, truth)
    sentence.text = original
    table = rb.table("Grades by section")
    cell = table.rows[1][-1]
    table.rows[1][-1] = "99%"
    with pytest.raises(AssertionError):
        check_report(rb, truth)
    table.rows[1][-1] = cell
    check_report(rb, truth)


def test_figures_after_moderation_differ_from_returned(audit: ConsolidatedAudit, tmp_path: Path) -> None:
    """Without moderation the report's section figures are the grades as returned."""
    truth = truth_of(audit)
    bare = fake_audit(moderate=False)
    rb = read_back(build_report(bare, tmp_path / "bare.docx", today=date(2026, 11, 27)))
    check_report(rb, truth_of(bare))
    first = rb.table("Grades by section").rows[-1]
    _, good_returned, _ = truth.shares(truth.rows, moderated=False)
    assert first[-2] == good_returned


def test_breakdowns_cover_every_case_detail(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    shown = [re.sub(r"^Table \d+: Grades by case detail: (.*) \(case records\)$", r"\1", c) for c, _ in rb.tables()
             if "Grades by case detail: " in c]
    details = [q.label for q in audit.plan.tool.case_fields if q.type in ("choice", "text", "whole_number")]
    assert shown == ["Category", *details]


def test_moderation_shows_the_whole_distribution(rb: ReadBack, audit: ConsolidatedAudit) -> None:
    pictures = [b for b in rb.chapter("The quantified picture") if b.kind == "p"
                and b.element.find(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr")
                is not None]
    alt = pictures[-1].element.find(".//{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
                                    "docPr").get("descr")
    assert alt.startswith("Pairs of stacked bars of the share of graded answers at each grade")
    truth = truth_of(audit)
    moved = {title: sum(abs(count(truth.of_section(title), g) - count(truth.of_section(title), g, moderated=False))
                        for g in LABELS) for title in truth.sections}  # case records moved, per section
    moved = {title: n for title, n in moved.items() if n}
    order = [s.title for s in audit.plan.tool.sections]
    most = sorted(moved, key=lambda t: (-moved[t], order.index(t)))[:5]
    assert len(moved) > 5  # so the figure picks the five moderation changed most, in the tool's order
    assert alt.endswith("for all sections and for " + ", ".join(sorted(most, key=order.index)[:-1]) + " and "
                        + sorted(most, key=order.index)[-1] + ".")
    table = rb.table("Grades before and after moderation")
    assert table.rows[0][1:] == [g for g in LABELS]
    change = {g: count(truth.rows, g) - count(truth.rows, g, moderated=False) for g in LABELS}
    most = sorted((g for g in LABELS if change[g]), key=lambda g: -abs(change[g]))[:2]
    said = next(b.text for b in rb.blocks if b.text.startswith("The follow-up meeting changed"))
    assert all(f"{g} ({'up' if change[g] > 0 else 'down'} {c(abs(change[g]))})" in said for g in most), said


def test_agreement_is_read_once_and_for_a_multi_agency_audit(rb: ReadBack) -> None:
    from xlpack.analysis.agreement import ALPHA_GUIDE

    texts = [b.text for b in rb.blocks if b.kind == "p"]
    assert texts.count(ALPHA_GUIDE) == 1
    chapter = " ".join(b.text for b in rb.chapter("Consistency between agencies") if b.kind == "p")
    assert "its own record" in chapter and "practice" in chapter
    sentence = next(t for t in texts if t.startswith("Alpha was"))
    for reading in ("reliable", "tentative", "low"):
        assert sentence.count(f"{reading} agreement") <= 1  # one value, one reading: never said twice


def test_alpha_sentence_says_each_value_once() -> None:
    from xlpack.report.chapters import alpha_sentence

    same = alpha_sentence(0.612, 0.6149)
    assert same.startswith("Alpha was 0.61 both as returned and after moderation: low agreement.")
    assert same.count("low") == 2 and "own record" in same  # the reading, and what it can mean here
    both = alpha_sentence(0.5, 0.6)
    assert both.startswith("Alpha was 0.50 as returned and 0.60 after moderation, low agreement in both.")
    moved = alpha_sentence(0.6, 0.85)
    assert "0.60 as returned (low) and 0.85 after moderation (reliable)" in moved
    assert alpha_sentence(None, None).startswith("Alpha could not be computed")
