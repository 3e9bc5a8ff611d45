"""Themes across the audits: phrases that recur in what several agencies wrote about several cases.

The coordinator is asked to begin to identify emerging themes across the
audits. :func:`find_themes` reads every piece of free text on the Grades
rows (evidence, strengths, areas for development, actions) and finds the
phrases and terms that recur, in two piles:

- **concern**: the evidence behind a section graded in the lower half of the
  scale (Adequate or Requires improvement, Inadequate), and every area for
  development and action;
- **good practice**: the evidence behind a section graded Good or better,
  and every strength.

A phrase is a run of one to three words inside one clause, starting with a
word that carries meaning ("no" and "not" may start one: "not seen alone")
and ending with one; words are compared in lower case with plurals and
possessives folded ("decisions", "decision"; "child's", "child"). A phrase
is a theme when its pile holds it on at least :data:`MIN_CASES` cases, from
at least :data:`MIN_AGENCIES` agencies and :data:`MIN_AUDITORS` auditors, in
at least :data:`MIN_RECORDS` case records (case x agency): one auditor
repeating their own words across their forms is never a theme. It must also
lean to its pile (at least :data:`LEAN` times as common there, share for
share, as in the other, and not by chance: Dunning's log-likelihood), its
words must keep together (seen together more often than words falling at
random would, beyond chance over all the phrases of the audit), and it must
say more than a section's name ("voice of the child" is a section, not a
theme). Of phrases found mostly in the same
passages, only the fullest is kept ("child was not seen alone", not also
"seen alone"), and a theme is shown as its passages mostly write it, grown
word by word ("see the child alone at every visit"). Themes are ranked by
how many agencies, then cases, wrote them.

Each theme comes with the sections it crosses, its counts and up to two
short examples from different agencies, attributed to agency and section,
never to a person. Plain Python and numpy (already needed by pandas): no
language model, word list or download, the same answer on any machine,
offline; the words are counted as numbers so that a large audit costs
seconds, not minutes, and a slice of passages at a time so that it holds its
distinct phrases, never every run of words (:mod:`xlpack.analysis.phrase_counts`;
the passages: :mod:`xlpack.analysis.theme_passages`; the words:
:mod:`xlpack.analysis.theme_words`). The grade used is the one after moderation, where the coordinator typed one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from xlpack.analysis.phrase_counts import BASE, PhraseCounts, lookup
from xlpack.analysis.theme_passages import (
    CONCERN,
    FIELDS,
    GOOD_PRACTICE,
    KINDS,
    Passage,
    Passages,
    passages,
    pile_text,
)
from xlpack.analysis.theme_words import NEGATIONS, carries_meaning, clauses, word_key
from xlpack.model.definitions import GradeScale
from xlpack.model.records import GradeRow
from xlpack.wording import counted

__all__ = ["CONCERN", "GOOD_PRACTICE", "KINDS", "MIN_AGENCIES", "MIN_CASES", "Theme", "ThemeExample", "Themes",
           "extract", "find_themes", "leaning", "pile_text", "too_few_agencies"]

MIN_CASES, MIN_AGENCIES, MIN_AUDITORS, MIN_RECORDS = 2, 2, 2, 3
LEAN = 2.0


def too_few_agencies(grades: Iterable[GradeRow]) -> str:
    """Why no phrase can be a theme where the audits came from fewer agencies than a theme needs ("" otherwise):
    an audit of one agency finds none, whatever its auditors wrote."""
    agencies = len({g.agency for g in grades})
    if not agencies or agencies >= MIN_AGENCIES:
        return ""
    return (f"The audits that came back are from {counted(agencies, 'agency', 'agencies')} only, and a theme is "
            f"written by {MIN_AGENCIES} or more agencies, so none can be found.")
G2_MIN = 3.84  # chi-squared, one degree of freedom, p < 0.05
G2_WORD = 10.83  # p < 0.001, for a single word: there are many words, and one alone says less
#: A phrase's words must come together more often than words falling at random would, by this chance at most
#: over all the phrases seen (a Bonferroni correction: a large audit makes many phrases by chance).
CHANCE = 0.01
LONGEST = 14  # words of a phrase grown from its passages
#: A phrase found in at least this share of a kept theme's passages is the same theme.
SAME_PASSAGES = 0.6
#: A shorter phrase found mostly (this share) in the passages of a longer one is left to it.
LONGER_COVERS = 0.75
LIMIT = 8  # themes of each kind
EXAMPLE_WORDS = 24
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class ThemeExample:
    """A short extract showing a theme, attributed to agency and section only."""

    text: str
    agency: str
    section: str
    source: str  # which text: evidence, strengths, area for development, action
    grade: str  # the grade of the section it was written for (after moderation)


@dataclass(frozen=True)
class Theme:
    phrase: str
    kind: str  # CONCERN or GOOD_PRACTICE
    sections: tuple[str, ...]  # in the tool's order
    agencies: tuple[str, ...]  # alphabetical
    cases: int
    forms: int
    records: int  # case x agency
    examples: tuple[ThemeExample, ...] = ()

    @property
    def agency_count(self) -> int:
        return len(self.agencies)


@dataclass
class Themes:
    concern: list[Theme] = field(default_factory=list)
    good_practice: list[Theme] = field(default_factory=list)
    passages: dict[str, int] = field(default_factory=dict)  # kind -> passages read

    def of(self, kind: str) -> list[Theme]:
        return self.concern if kind == CONCERN else self.good_practice


def _title_words(titles: Iterable[str]) -> list[frozenset[str]]:
    return [frozenset(k for words in clauses(t) for k, _ in words if carries_meaning(k)) for t in titles]


def _names_a_section(key: str, titles: list[frozenset[str]]) -> bool:
    words = {k for k in key.split() if carries_meaning(k)}
    return any(words <= t for t in titles)


@dataclass
class _Candidate:
    key: str
    kind: str
    found: list[int]  # passage indices

    def words(self) -> int:
        return len(self.key.split())


def _distinct(values: np.ndarray) -> int:
    return len(np.unique(values))


def _rank(c: _Candidate, ps: Passages) -> tuple:
    """Most agencies first, then most cases; then the fuller phrase, the most case records and forms."""
    case, agency, _, record, form = ps.columns(c.found)
    return (-_distinct(agency), -_distinct(case), -min(c.words(), 3), -_distinct(record), -_distinct(form),
            -c.words(), c.key)


def _qualifies(found: Sequence[int], ps: Passages) -> bool:
    case, agency, auditor, record, _ = ps.columns(found)
    return (_distinct(record) >= MIN_RECORDS and _distinct(agency) >= MIN_AGENCIES
            and _distinct(case) >= MIN_CASES and _distinct(auditor) >= MIN_AUDITORS)


def leaning(mine: np.ndarray, other: np.ndarray, total: int, rest: int, g2_min: float = G2_MIN) -> np.ndarray:
    """Which phrases lean to a pile: at least :data:`LEAN` times as common there as in the other, share for
    share, and unlikely to by chance (Dunning's log-likelihood G2 of at least :data:`G2_MIN`, p < 0.05)."""
    a, b = mine.astype(float), other.astype(float)
    if not total or not rest:
        return np.ones(len(a), dtype=bool)
    expect_a, expect_b = total * (a + b) / (total + rest), rest * (a + b) / (total + rest)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * (np.where(a > 0, a * np.log(a / expect_a), 0.0) + np.where(b > 0, b * np.log(b / expect_b), 0.0))
    return (a / total >= LEAN * b / rest) & (g2 >= g2_min)


def _candidates(ps: Passages, titles: list[frozenset[str]]) -> list[_Candidate]:
    """Every phrase that qualifies as a theme of its pile.

    The words are counted as numbers (numpy), so that the many phrases of a
    large audit cost only a count: the passages of each pile holding each
    phrase; only the phrases common enough and leaning to one pile are then
    listed with their passages, whose cases, agencies and auditors are counted.
    """
    if not len(ps):
        return []
    coded = PhraseCounts(ps)
    coded.count()
    kinds = np.asarray(ps.kind)
    totals = [int(np.count_nonzero(kinds == k)) for k in range(len(KINDS))]
    phrases = int(np.count_nonzero(coded.seen[0] >= BASE))  # the chances taken: one a phrase of two or more words
    wanted = []
    for k in range(len(KINDS)):
        mine_codes, mine_n = coded.in_passages[k]
        other = lookup(*coded.in_passages[1 - k], mine_codes)
        keep = (mine_n >= MIN_RECORDS) & leaning(mine_n, other, totals[k], totals[1 - k])
        single = mine_codes < BASE  # one word: no phrase to hold together, so a stricter lean
        keep &= np.where(single, leaning(mine_n, other, totals[k], totals[1 - k], G2_WORD),
                         coded.chance(mine_codes) <= math.log10(CHANCE / max(phrases, 1)))
        wanted.append(mine_codes[keep])
    out = []
    for name, (c_sel, o_sel) in zip(KINDS, coded.collect(wanted)):
        bounds = np.flatnonzero(np.diff(c_sel)) + 1
        for c_group, o_group in zip(np.split(c_sel, bounds), np.split(o_sel, bounds)):
            if not len(c_group):
                continue
            key = coded.key(int(c_group[0]))
            found = [int(i) for i in o_group]
            if not _names_a_section(key, titles) and _qualifies(found, ps):
                out.append(_Candidate(key, name, found))
    return out


def _contains(longer: str, shorter: str) -> bool:
    return f" {shorter} " in f" {longer} "


def _fullest(cands: list[_Candidate]) -> list[_Candidate]:
    """Leave out a phrase whose passages are mostly those of a longer phrase holding it."""
    by_key = {c.key: c for c in cands}
    dropped: set[str] = set()
    for c in cands:
        words = c.key.split()
        mine = set(c.found)
        for n in range(1, len(words)):
            for i in range(len(words) - n + 1):
                sub = by_key.get(" ".join(words[i:i + n]))
                if sub is not None and len(mine & set(sub.found)) >= LONGER_COVERS * len(sub.found):
                    dropped.add(sub.key)
    return [c for c in cands if c.key not in dropped]


def _choose(cands: list[_Candidate], ps: Passages, limit: int) -> list[_Candidate]:
    chosen: list[_Candidate] = []
    for c in sorted(cands, key=lambda c: _rank(c, ps)):
        mine = set(c.found)
        if any(len(mine & set(k.found)) >= SAME_PASSAGES * len(mine) or _contains(k.key, c.key)
               or _contains(c.key, k.key) for k in chosen):
            continue
        chosen.append(c)
        if len(chosen) == limit:
            break
    return chosen


def extract(text: str, surface: str, limit: int = EXAMPLE_WORDS) -> str:
    """The sentence of ``text`` holding the phrase, shortened around it to about ``limit`` words; an ellipsis
    where words are left out."""
    target = [word_key(w) for w in surface.split()]
    sentences = [x for x in _SENTENCE.split(text.strip()) if x.strip()] or [text]
    for n, sentence in enumerate(sentences):
        words = sentence.split()
        keys = [word_key(w.strip(".,;:!?()\"'\u2019\u201c\u201d")) for w in words]
        for i in range(len(keys) - len(target) + 1):
            if keys[i:i + len(target)] == target:
                start = 0 if len(words) <= limit else max(0, min(i - (limit - len(target)) // 2, len(words) - limit))
                cut = " ".join(words[start:start + limit])
                bare = cut.rstrip(";:,")
                before = "\u2026" if start or n else ""
                after = "\u2026" if start + limit < len(words) or bare != cut or n < len(sentences) - 1 \
                    and not bare.endswith((".", "!", "?")) else ""
                return before + bare + after
    words = text.split()
    return " ".join(words[:limit]) + ("\u2026" if len(words) > limit else "")


def _examples(c: _Candidate, surface: str, ps: Passages) -> tuple[ThemeExample, ...]:
    """Two extracts from different agencies (and, where there is a choice, different cases and sections):
    the shortest first."""
    order = sorted(c.found, key=lambda i: (len(ps.text(i)), ps.row_of(i).case_ref.casefold(), ps.row_of(i).agency, i))
    picked: list[Passage] = []
    for strict in (True, False):
        for i in order:
            p = ps[i]
            if len(picked) == 2 or any(p is q for q in picked):
                continue
            if any(q.agency == p.agency for q in picked):
                continue
            if strict and any(q.case == p.case
                              or q.row.section_id == p.row.section_id or q.text == p.text for q in picked):
                continue
            picked.append(p)
    return tuple(ThemeExample(extract(p.text, surface), p.row.agency, p.row.section_title, FIELDS[p.source],
                              p.row.final_grade or "") for p in picked)


def _occurrences(key: Sequence[str], text: str) -> list[tuple[list[tuple[str, str]], int, int]]:
    out = []
    for words in clauses(text):
        keys = [k for k, _ in words]
        for i in range(len(keys) - len(key) + 1):
            if keys[i:i + len(key)] == list(key):
                out.append((words, i, i + len(key)))
    return out


def _next_word(o: tuple[list[tuple[str, str]], int, int, int], step: int) -> str | None:
    words, i, j, _ = o
    if step < 0:
        return words[i - 1][0] if i > 0 else None
    return words[j][0] if j < len(words) else None


def _grown(c: _Candidate, ps: Passages) -> tuple[list[str], list[str]]:
    """The phrase as its passages mostly write it, as (keys, words as first written): grown a word at a time,
    left then right, while at least :data:`LONGER_COVERS` of its occurrences (the first in each passage) agree
    on the next word, up to :data:`LONGEST` words; then trimmed to start and end on a word of meaning."""
    occ: list[tuple[list[tuple[str, str]], int, int, int]] = []
    for text, n in Counter(ps.text(i) for i in c.found).items():
        occ += [(*o, n) for o in _occurrences(c.key.split(), text)[:1]]
    if not occ:
        return c.key.split(), c.key.split()
    for step in (-1, 1):
        while occ[0][2] - occ[0][1] < LONGEST:
            votes: Counter[str | None] = Counter()
            for o in occ:
                votes[_next_word(o, step)] += o[3]
            word, n = votes.most_common(1)[0]
            if word is None or n < LONGER_COVERS * sum(o[3] for o in occ):
                break
            occ = [(w, i - 1, j, k) if step < 0 else (w, i, j + 1, k) for w, i, j, k in occ
                   if _next_word((w, i, j, k), step) == word]
    words, i, j, _ = occ[0]
    while i < j and not carries_meaning(words[i][0]) and words[i][0] not in NEGATIONS:
        i += 1
    while j > i and not carries_meaning(words[j - 1][0]):
        j -= 1
    return [k for k, _ in words[i:j]], _as_written([w for _, w in words[i:j]], i == 0)


def _as_written(words: list[str], clause_start: bool) -> list[str]:
    """The words as written, but a first word capitalised only for starting its clause in lower case."""
    if clause_start and words and words[0][:1].isupper() and not words[0].isupper():
        words = [words[0][0].lower() + words[0][1:], *words[1:]]
    return words


def _extended(c: _Candidate, ps: Passages) -> tuple[_Candidate, str]:
    """The theme as shown: the grown phrase with the passages that hold it whole (every count is of those), or
    the phrase as found where the grown one, alone, would not be a theme."""
    keys, words = _grown(c, ps)
    if keys != c.key.split():
        whole = [i for i in c.found if _occurrences(keys, ps.text(i))]
        if _qualifies(whole, ps):
            return _Candidate(" ".join(keys), c.kind, whole), " ".join(words)
    first = next((o for i in c.found for o in _occurrences(c.key.split(), ps.text(i))), None)
    if first is None:
        return c, c.key
    return c, " ".join(_as_written([w for _, w in first[0][first[1]:first[2]]], first[1] == 0))


def _theme(c: _Candidate, surface: str, ps: Passages) -> Theme:
    rows = [ps.row_of(i) for i in c.found]
    order = {r.section_title: r.section_order for r in rows}
    agencies = sorted({r.agency for r in rows}, key=str.casefold)
    return Theme(phrase=surface, kind=c.kind, sections=tuple(sorted(order, key=lambda t: (order[t], t))),
                 agencies=tuple(dict.fromkeys(agencies)), cases=len({r.case_ref.casefold() for r in rows}),
                 forms=len({r.form_id for r in rows}),
                 records=len({(r.case_ref.casefold(), r.agency.casefold()) for r in rows}),
                 examples=_examples(c, surface, ps))


def find_themes(grades: Sequence[GradeRow], scale: GradeScale, section_titles: Iterable[str] = (),
                limit: int = LIMIT) -> Themes:
    """The recurring themes of concern and of good practice in the audits' free text (see the module's doc)."""
    ps = passages(grades, scale)
    titles = _title_words({*section_titles, *(g.section_title for g in grades)})
    cands = _candidates(ps, titles)
    out = Themes(passages=ps.kinds())
    for kind in KINDS:
        mine = _fullest([c for c in cands if c.kind == kind])
        out.of(kind).extend(_theme(*_extended(c, ps), ps) for c in _choose(mine, ps, limit))
    return out
