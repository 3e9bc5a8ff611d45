"""The themes finder recovers themes planted in a corpus, and ignores the distractors planted beside them.

The corpus: 12 cases, 6 agencies, two auditors an agency, every form's
sections filled with seeded filler sentences from a wide vocabulary. Into it
go four themes (two of concern, two of good practice) on known cases,
agencies and sections, and distractors: one auditor repeating their own
phrase on eight forms, two auditors of one agency sharing a phrase, a
phrase written as often behind good grades as behind poor ones, and a
section's own name. Every count the finder gives is recomputed here from the
planting, not from the finder.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import pytest

import xlpack.analysis.phrase_counts as phrase_counts
from xlpack.analysis.phrase_counts import BASE, Tally, counts, sorted_in_place
from xlpack.analysis.theme_words import clauses
from xlpack.analysis.themes import CONCERN, GOOD_PRACTICE, Theme, find_themes
from xlpack.demo.simulate import DEVELOPMENT, EVIDENCE, STRENGTHS
from xlpack.model.definitions import load_definition, load_scale
from xlpack.model.records import GradeRow

SCALE = load_scale("ofsted-2009")
TOOL = load_definition("cp")
SECTIONS = [(s.id, s.title) for s in TOOL.sections]
CASES = [f"CP-{n:03d}" for n in range(1, 13)]
AGENCIES = ["Children's social care", "Health", "Police", "School or education", "CAMHS", "Early years"]
FILLER = ["record", "visit", "plan", "review", "conference", "strategy", "referral", "chronology", "manager",
          "supervision", "risk", "safety", "neglect", "attendance", "health", "assessment", "dated", "signed", "timely",
          "escalation", "mother", "father", "nurse", "school", "home", "contact", "worker", "team", "case", "notes",
          "letter", "meeting", "report", "family", "relative", "carer", "housing", "benefit", "appointment", "clinic",
          "ward", "discharge", "follow-up", "transfer", "consent", "summary"]


def auditor(agency: str, case: str) -> str:
    return f"{agency[:3]} auditor {CASES.index(case) % 2 + 1}"  # two auditors an agency, taking turns


@dataclass(frozen=True)
class Plant:
    """A phrase put into one field of the rows of some (case, agency, section)s, with a grade."""

    phrase: str
    field: str
    grade: str
    where: tuple[tuple[str, str, str], ...]  # (case, agency, section id)


def _spread(cases: list[int], agencies: list[int], sections: list[int]) -> tuple[tuple[str, str, str], ...]:
    return tuple((CASES[c], AGENCIES[a], SECTIONS[sections[i % len(sections)]][0])
                 for i, (c, a) in enumerate(zip(cases, agencies)))


PLANTED = [
    Plant("no chronology on file", "evidence", "Inadequate", _spread([0, 2, 4, 6, 8], [0, 1, 2, 3, 0], [1, 3])),
    Plant("strategy discussion was never held", "development", "Adequate",
          _spread([1, 3, 5, 7], [1, 2, 4, 1], [2])),
    Plant("wishes and feelings written in the child's own words", "strengths", "Good",
          _spread([0, 3, 6, 9, 10], [2, 3, 4, 5, 2], [0, 4])),
    Plant("health visitor attended every core group", "evidence", "Outstanding",
          _spread([2, 5, 8, 11], [1, 5, 1, 4], [5])),
]
#: One auditor writes this on eight of their own forms: never a theme.
SELF = Plant("caseload pressures noted again", "development", "Adequate",
             tuple((CASES[c], AGENCIES[3], SECTIONS[6][0]) for c in range(0, 12) if c % 2 == 0)[:6]
             + tuple((CASES[c], AGENCIES[3], SECTIONS[7][0]) for c in (0, 2)))
#: Two auditors of one agency share this: one agency only, never a theme.
ONE_AGENCY = Plant("duty desk paperwork incomplete", "evidence", "Inadequate",
                   tuple((CASES[c], AGENCIES[5], SECTIONS[8][0]) for c in range(6)))
#: Written behind good grades and poor ones alike: leans to neither.
BOTH = [Plant("file reviewed by panel", "evidence", grade, _spread(list(range(12)), [n % 6 for n in range(12)], [9]))
        for grade in ("Good", "Inadequate")]


def _filler(rng: random.Random) -> str:
    return " ".join(rng.choice(FILLER) for _ in range(rng.randint(8, 16))).capitalize() + "."


def corpus(seed: int = 5) -> list[GradeRow]:
    rng = random.Random(seed)
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for case in CASES:
        for agency in AGENCIES:
            for sid, _ in SECTIONS:
                grade = rng.choice(["Good", "Adequate", "Good", "Inadequate", "Outstanding"])
                rows[case, agency, sid] = {"grade": grade, "evidence": _filler(rng), "strengths": _filler(rng),
                                           "development": _filler(rng), "action": _filler(rng)}
    for plant in [*PLANTED, SELF, ONE_AGENCY]:
        for key in plant.where:
            rows[key]["grade"] = plant.grade
            rows[key][plant.field] = f"{_filler(rng)} Also {plant.phrase}, {rng.choice(FILLER)} {_filler(rng)}"
    for (_, _, sid), row in rows.items():  # a section's own name, in many texts of both piles
        if rng.random() < 0.3:
            row["evidence"] += f" {dict(SECTIONS)[sid]} looked at."
    for n, plant in enumerate(BOTH):  # after the others: the grade set here stays
        for i, key in enumerate(plant.where):
            other = (key[0], key[1], SECTIONS[9 + 2 * n + i % 2][0])
            rows[other]["grade"] = plant.grade
            rows[other]["evidence"] = f"{_filler(rng)} The {plant.phrase} {rng.choice(FILLER)}."
    out = []
    for (case, agency, sid), row in rows.items():
        order = [s for s, _ in SECTIONS].index(sid) + 1
        form = f"F-{case}-{agency[:3]}"
        out.append(GradeRow(row_id=f"{form}:{sid}", form_id=form, case_ref=case, agency=agency,
                            auditor=auditor(agency, case), tool_id="cp", section_id=sid,
                            section_title=dict(SECTIONS)[sid], section_order=order, grade=row["grade"],
                            evidence=row["evidence"], strengths=row["strengths"], development=row["development"],
                            action=row["action"]))
    return out


def _holding(rows: list[GradeRow], phrase: str, kind: str) -> list[tuple[GradeRow, str]]:
    """(row, field) of every text of ``kind``'s pile holding ``phrase`` (worked out here, not by the finder)."""
    good = {"Outstanding", "Good"}
    out = []
    for r in rows:
        for fld in ("evidence", "strengths", "development", "action"):
            if phrase.lower() not in getattr(r, fld).lower():
                continue
            pile = GOOD_PRACTICE if fld == "strengths" or (fld == "evidence" and r.final_grade in good) else CONCERN
            if pile == kind:
                out.append((r, fld))
    return out


@pytest.fixture(scope="module")
def rows() -> list[GradeRow]:
    return corpus()


@pytest.fixture(scope="module")
def found(rows: list[GradeRow]) -> dict[str, list[Theme]]:
    themes = find_themes(rows, SCALE, [t for _, t in SECTIONS])
    return {CONCERN: themes.concern, GOOD_PRACTICE: themes.good_practice}


@pytest.mark.parametrize("plant", PLANTED, ids=[p.phrase for p in PLANTED])
def test_each_planted_theme_is_recovered_with_its_counts(plant: Plant, rows: list[GradeRow],
                                                         found: dict[str, list[Theme]]) -> None:
    kind = GOOD_PRACTICE if plant.grade in ("Good", "Outstanding") else CONCERN
    theme = next((t for t in found[kind] if t.phrase.lower() == plant.phrase.lower()), None)
    assert theme is not None, [t.phrase for t in found[kind]]
    assert theme.kind == kind
    held = _holding(rows, plant.phrase, kind)
    assert len(held) == len(plant.where)  # the filler never says it by chance
    assert theme.cases == len({c for c, _, _ in plant.where})
    assert theme.agencies == tuple(sorted({a for _, a, _ in plant.where}, key=str.casefold))
    assert theme.forms == len({(c, a) for c, a, _ in plant.where})
    assert theme.records == theme.forms  # one form a case and agency here
    titles = dict(SECTIONS)
    assert theme.sections == tuple(t for s, t in SECTIONS if s in {sid for _, _, sid in plant.where})
    assert set(theme.sections) == {titles[sid] for _, _, sid in plant.where}
    assert len(theme.examples) == 2
    assert len({e.agency for e in theme.examples}) == 2
    for e in theme.examples:
        assert plant.phrase.lower() in e.text.lower()
        assert any(a == e.agency and titles[sid] == e.section for _, a, sid in plant.where)
        assert "auditor" not in e.text.lower() and "auditor" not in e.agency.lower()
        assert len(e.text.split()) <= 26


def test_distractors_are_not_themes(found: dict[str, list[Theme]]) -> None:
    every = [t for kind in found.values() for t in kind]
    words = " | ".join(t.phrase.lower() for t in every)
    for distractor in ("caseload", "pressures", "duty desk", "paperwork", "panel", "file reviewed"):
        assert distractor not in words, words
    names = {re.sub(r"\W+", " ", t.lower()).strip() for _, t in SECTIONS}
    for t in every:  # a section's name is never a theme on its own
        assert re.sub(r"\W+", " ", t.phrase.lower()).strip() not in names
        assert t.agency_count >= 2 and t.cases >= 2


def test_one_auditor_alone_never_makes_a_theme_however_often() -> None:
    rows = [GradeRow(row_id=f"F{n}:s", form_id=f"F{n}", case_ref=f"C{n}", agency="Police", auditor="One Person",
                     tool_id="cp", section_id="s", section_title="Planning", section_order=1, grade="Inadequate",
                     evidence="The strategy discussion was never held.") for n in range(20)]
    assert find_themes(rows, SCALE).concern == []
    # the same words from a second agency on two more cases: now it recurs across agencies
    rows += [replace(r, row_id=f"G{n}:s", form_id=f"G{n}", case_ref=f"C{n + 30}", agency="Health",
                         auditor=f"Other {n}") for n, r in enumerate(rows[:2])]
    themes = find_themes(rows, SCALE).concern
    assert [t.phrase for t in themes] == ["strategy discussion was never held"]
    assert (themes[0].cases, themes[0].agency_count, themes[0].forms) == (22, 2, 22)
    assert {e.agency for e in themes[0].examples} == {"Police", "Health"}


def test_nothing_to_read_gives_no_themes() -> None:
    assert find_themes([], SCALE).concern == [] and find_themes([], SCALE).good_practice == []


def test_the_demo_text_gives_its_own_recurring_phrases() -> None:
    """The demo's simulated auditors write from short lists of sentences: its themes are those sentences, each
    from the right pile, none a section's name."""
    rng = random.Random(7)
    rows = []
    for c in CASES[:10]:
        for a in AGENCIES:
            for order, (sid, title) in enumerate(SECTIONS, start=1):
                rank = rng.randint(1, 4)
                rows.append(GradeRow(
                    row_id=f"{c}{a}:{sid}", form_id=f"{c}{a}", case_ref=c, agency=a, auditor=f"{a} {c}",
                    tool_id="cp", section_id=sid, section_title=title, section_order=order,
                    grade=SCALE.ranked[rank - 1].label,
                    evidence=rng.choice(EVIDENCE[rank]).format(s=title.lower()).capitalize(),
                    strengths=rng.choice(STRENGTHS) if rank <= 3 else "",
                    development=rng.choice(DEVELOPMENT) if rank >= 2 else ""))
    themes = find_themes(rows, SCALE, [t for _, t in SECTIONS])
    good = " ".join([*STRENGTHS, *EVIDENCE[1], *EVIDENCE[2]]).lower()
    concern = " ".join([*DEVELOPMENT, *EVIDENCE[3], *EVIDENCE[4]]).lower()
    assert len(themes.concern) >= 4 and len(themes.good_practice) >= 4
    for t in themes.concern:
        assert t.phrase.lower() in concern, t.phrase
    for t in themes.good_practice:
        assert t.phrase.lower() in good, t.phrase
    phrases = {t.phrase.lower() for t in [*themes.concern, *themes.good_practice]}
    assert "see the child alone at every visit" in phrases
    assert "clear chronology kept up to date" in phrases


def _by_hand(picks: list[np.ndarray], ids: np.ndarray, owner: np.ndarray) -> tuple[Counter, list]:
    """Every run's code counted, and each (code, passage) once in order, worked out one run at a time."""
    seen: Counter[int] = Counter()
    pairs = set()
    for n, at in enumerate(picks, start=1):
        for i in at.tolist():
            code = 0
            for k in range(n):
                code = code * BASE + int(ids[i + k])
            seen[code] += 1
            pairs.add((code, int(owner[i])))
    return seen, sorted(pairs)


def test_a_slices_runs_are_counted_and_listed_once_per_passage_as_one_at_a_time_would() -> None:
    """A slice's runs are sorted as one number each (its own numbering, then turned into the codes); the result
    must be what counting each run by hand gives: every code with how often it comes, and each code once per
    passage, the passages of a code in order."""
    rng = np.random.default_rng(3)
    ids = rng.integers(2, 60, 5000).astype(np.int64)
    owner = np.sort(rng.integers(0, 400, 5000)).astype(np.int32)  # found passage by passage
    picks = [np.sort(rng.choice(5000 - n + 1, 1500, replace=False)) for n in (1, 2, 3)]
    seen, pairs = _by_hand(picks, ids, owner)
    (codes, times), code, run = sorted_in_place(picks, ids, owner, 60, 400)
    assert dict(zip(codes.tolist(), times.tolist())) == dict(seen) and list(codes) == sorted(seen)
    assert list(zip(code.tolist(), run.tolist())) == pairs
    assert max(seen.values()) > 1 and len(pairs) < sum(seen.values())  # repeats, within passages and across


@pytest.mark.parametrize("how", ["one slice", "tiny slices", "tiny slices, no quick sort"])
def test_counting_a_slice_at_a_time_finds_the_same_themes(how: str, rows: list[GradeRow],
                                                          found: dict[str, list[Theme]],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The passages are turned into numbers and counted a slice at a time, the slices' tallies merged as they
    grow, and a slice whose vocabulary is too large for the quick sort takes a stable one: however the audit is
    cut, the themes are the same (here against slices of 7 passages, merged every 50 codes)."""
    if how == "one slice":
        monkeypatch.setattr(phrase_counts, "CODED_AT_ONCE", 10 ** 7)
        monkeypatch.setattr(phrase_counts, "MERGE_AT", 10 ** 9)
    else:
        monkeypatch.setattr(phrase_counts, "CODED_AT_ONCE", 7)
        monkeypatch.setattr(phrase_counts, "MERGE_AT", 50)
    if how.endswith("no quick sort"):
        monkeypatch.setattr(phrase_counts, "one_number", lambda v, passages: False)
    themes = find_themes(rows, SCALE, [t for _, t in SECTIONS])
    assert themes.concern == found[CONCERN] and themes.good_practice == found[GOOD_PRACTICE]
    assert len(found[CONCERN]) >= 2 and len(found[GOOD_PRACTICE]) >= 2


def test_tallies_merged_as_they_grow_count_as_one_count_of_all() -> None:
    rng = np.random.default_rng(5)
    parts = [np.sort(rng.integers(0, 300, rng.integers(0, 40))) for _ in range(60)]
    tally = Tally()
    for part in parts:
        tally.add(*counts(part))
    codes, times = tally.result()
    every = Counter(int(x) for part in parts for x in part)
    assert list(codes) == sorted(every) and times.tolist() == [every[c] for c in sorted(every)]


def test_a_dash_standing_alone_ends_a_clause_as_punctuation_does() -> None:
    words = [[k for k, _ in c] for c in clauses("Child seen - not alone; plans -- dated\n- signed well-kept")]
    assert words == [["child", "seen"], ["not", "alone"], ["plan"], ["dated"], ["signed", "well-kept"]]
