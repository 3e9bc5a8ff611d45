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
seconds, not minutes. The grade used is the one after moderation, where the coordinator typed one.
"""

from __future__ import annotations

import functools
import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from xlpack.model.definitions import GradeScale, good_or_better
from xlpack.model.records import GradeRow

CONCERN, GOOD_PRACTICE = "Concern", "Good practice"
KINDS = (CONCERN, GOOD_PRACTICE)
#: The free-text fields of a Grades row, and how an example names the one it came from.
FIELDS = {"evidence": "evidence", "strengths": "strengths", "development": "area for development",
          "action": "action"}
_FIELD_NAMES = tuple(FIELDS)
MIN_CASES, MIN_AGENCIES, MIN_AUDITORS, MIN_RECORDS = 2, 2, 2, 3
LEAN = 2.0
G2_MIN = 3.84  # chi-squared, one degree of freedom, p < 0.05
G2_WORD = 10.83  # p < 0.001, for a single word: there are many words, and one alone says less
#: A phrase's words must come together more often than words falling at random would, by this chance at most
#: over all the phrases seen (a Bonferroni correction: a large audit makes many phrases by chance).
CHANCE = 0.01
MAX_WORDS = 3
LONGEST = 14  # words of a phrase grown from its passages
#: A phrase found in at least this share of a kept theme's passages is the same theme.
SAME_PASSAGES = 0.6
#: A shorter phrase found mostly (this share) in the passages of a longer one is left to it.
LONGER_COVERS = 0.75
LIMIT = 8  # themes of each kind
EXAMPLE_WORDS = 24
_CODED_AT_ONCE = 4096  # passages turned into numbers at a time (see _Coded)
_MERGE_AT = 1 << 20  # codes of the slices counted before their tallies are merged (see _Tally)
_BASE = 1 << 21  # a word's place in a phrase's code (see _Coded)

STOP = frozenset({"a", "about", "above", "across", "after", "again", "all", "also", "although", "am", "an", "and",
                  "any", "are", "as", "at", "be", "been", "before", "being", "below", "between", "both", "but", "by",
                  "can", "could", "did", "do", "does", "doing", "down", "during", "each", "either", "few", "for",
                  "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his",
                  "how", "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may", "me",
                  "might", "more", "most", "much", "must", "my", "of", "off", "on", "once", "only", "or", "other",
                  "our", "ours", "out", "over", "per", "same", "she", "should", "so", "some", "such", "than", "that",
                  "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "though",
                  "through", "to", "too", "under", "until", "up", "upon", "very", "via", "was", "we", "well", "were",
                  "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why", "will",
                  "with", "within", "would", "yet", "you", "your", "yours"})
NEGATIONS = frozenset({"no", "not", "never", "nor", "without", "none", "nothing", "neither"})
BREAK_MARK, END_MARK = "\x01", "\x00"
#: Punctuation that ends a clause: it becomes a break mark between the words. (A dash standing alone between
#: spaces, " - ", is a token that is no word, which breaks a clause too.)
_BREAKS = re.compile(r"[.;:!?,()\[\]\"\n\r\t\u201c\u201d\u2013\u2014]")
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


@functools.lru_cache(maxsize=65536)
def word_key(word: str) -> str:
    """How a word is compared: lower case, possessive and plural folded ("Decisions" -> "decision"); symbols
    around it left out."""
    w = word.lower().replace("\u2019", "'").strip("'-/&*#+=<>@%$\u2018")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is", "'")):
        return w[:-1]
    return w


def tokens(text: str) -> list[str]:
    """The text's words as written, with a break mark where a clause ends (the same split everywhere)."""
    return _BREAKS.sub(f" {BREAK_MARK} ", text).split()


def clauses(text: str) -> list[list[tuple[str, str]]]:
    """The text's clauses, each a list of (key, word as written)."""
    out: list[list[tuple[str, str]]] = [[]]
    for t in tokens(text):
        key = word_key(t) if t[0].isalnum() else ""
        if key:
            out[-1].append((key, t.lstrip("'\u2018\u2019-").rstrip("-")))
        elif out[-1]:
            out.append([])
    return [c for c in out if c]


def _content(key: str) -> bool:
    return key not in STOP and key not in NEGATIONS and len(key) > 2


def passage_kind(source: str, rank: int | None) -> str | None:
    """Which pile a text belongs to: strengths are good practice, development and actions concern, evidence by
    its grade (Good or better, or not); None for the evidence of an ungraded section (Not applicable, blank)."""
    if source == "strengths":
        return GOOD_PRACTICE
    if source in ("development", "action"):
        return CONCERN
    if rank is None:
        return None
    return GOOD_PRACTICE if good_or_better(rank) else CONCERN


@dataclass(eq=False, slots=True)
class _Passage:
    """One passage as the rest of the finder reads it (made when asked for, from :class:`_Passages`)."""

    row: GradeRow
    source: str  # the field
    kind: str
    text: str
    case: int = 0  # numbered as folded, for counting: the same number is the same case
    agency: int = 0
    auditor: int = 0

    @property
    def record(self) -> tuple[int, int]:
        return self.case, self.agency


class _Passages:
    """Every passage of free text to be read, held as columns of numbers (a large audit has half a million).

    A passage is one non-blank field of one Grades row that belongs to a pile; it is known by its row and field
    (its text is read from the row when wanted), its pile, and who wrote it: the case, agency and auditor as
    numbers, each folded (``casefold``) before it is numbered, and the form.
    """

    def __init__(self, grades: Iterable[GradeRow], scale: GradeScale):
        rank = {g.label: g.rank for g in scale.grades}
        self.rows: list[GradeRow] = []
        row, source, kind = array("i"), array("b"), array("b")
        who: tuple[array, ...] = (array("i"), array("i"), array("i"), array("i"))  # case, agency, auditor, form
        numbers: tuple[dict[str, int], ...] = ({}, {}, {}, {})
        for g in grades:
            r = rank.get(g.final_grade or "")
            texts = [(s, KINDS.index(pile)) for s, name in enumerate(FIELDS) if getattr(g, name).strip()
                     and (pile := passage_kind(name, r)) is not None]
            if not texts:
                continue
            names = (g.case_ref.casefold(), g.agency.casefold(), g.auditor.casefold(), g.form_id)
            mine = [n.setdefault(v, len(n)) for n, v in zip(numbers, names)]
            for s, k in texts:
                row.append(len(self.rows))
                source.append(s)
                kind.append(k)
                for column, n in zip(who, mine):
                    column.append(n)
            self.rows.append(g)
        self.row, self.source, self.kind = (np.array(a) for a in (row, source, kind))
        self.case, self.agency, self.auditor, self.form = (np.array(a) for a in who)
        self._agencies = len(numbers[1])

    def __len__(self) -> int:
        return len(self.row)

    def row_of(self, i: int) -> GradeRow:
        return self.rows[self.row[i]]

    def text(self, i: int) -> str:
        return getattr(self.rows[self.row[i]], _FIELD_NAMES[self.source[i]]).strip()

    def texts(self, start: int, stop: int) -> list[str]:
        rows = self.rows
        return [getattr(rows[r], _FIELD_NAMES[s]).strip()
                for r, s in zip(self.row[start:stop].tolist(), self.source[start:stop].tolist())]

    def __getitem__(self, i: int) -> _Passage:
        return _Passage(self.row_of(i), _FIELD_NAMES[self.source[i]], KINDS[self.kind[i]], self.text(i),
                        int(self.case[i]), int(self.agency[i]), int(self.auditor[i]))

    def kinds(self) -> dict[str, int]:
        """How many passages each pile holds, the piles in the order they first come."""
        counts = np.bincount(self.kind, minlength=len(KINDS))
        first = {k: int(np.argmax(self.kind == k)) for k in range(len(KINDS)) if counts[k]}
        return {KINDS[k]: int(counts[k]) for k in sorted(first, key=first.__getitem__)}

    def columns(self, found: Sequence[int]) -> tuple[np.ndarray, ...]:
        """The case, agency, auditor, case record (case x agency) and form numbers of the passages ``found``."""
        at = np.asarray(found, dtype=np.int64)
        case, agency = self.case[at], self.agency[at]
        return case, agency, self.auditor[at], case.astype(np.int64) * self._agencies + agency, self.form[at]


def passages(grades: Iterable[GradeRow], scale: GradeScale) -> _Passages:
    """The passages of free text the finder reads, each in its pile (see :func:`passage_kind`)."""
    return _Passages(grades, scale)


def _title_words(titles: Iterable[str]) -> list[frozenset[str]]:
    return [frozenset(k for words in clauses(t) for k, _ in words if _content(k)) for t in titles]


def _names_a_section(key: str, titles: list[frozenset[str]]) -> bool:
    words = {k for k in key.split() if _content(k)}
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


def _rank(c: _Candidate, ps: _Passages) -> tuple:
    """Most agencies first, then most cases; then the fuller phrase, the most case records and forms."""
    case, agency, _, record, form = ps.columns(c.found)
    return (-_distinct(agency), -_distinct(case), -min(c.words(), 3), -_distinct(record), -_distinct(form),
            -c.words(), c.key)


def _qualifies(found: Sequence[int], ps: _Passages) -> bool:
    case, agency, auditor, record, _ = ps.columns(found)
    return (_distinct(record) >= MIN_RECORDS and _distinct(agency) >= MIN_AGENCIES
            and _distinct(case) >= MIN_CASES and _distinct(auditor) >= MIN_AUDITORS)


class _Tally:
    """How often each code comes, added a part at a time (each part's codes sorted and distinct) and merged as
    the parts grow, so that only the distinct codes are ever held, never every run."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self._merged = self._waiting = 0

    def add(self, codes: np.ndarray, counts: np.ndarray) -> None:
        self._parts.append((codes, counts))
        self._waiting += len(codes)
        if self._waiting > max(_MERGE_AT, self._merged):
            self._merge()

    def _merge(self) -> None:
        codes = np.concatenate([c for c, _ in self._parts]) if self._parts else np.zeros(0, dtype=np.int64)
        counts = np.concatenate([n for _, n in self._parts]) if self._parts else np.zeros(0, dtype=np.int64)
        order = np.argsort(codes, kind="stable")
        codes, counts = codes[order], counts[order]
        starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1]))) if len(codes) else order[:0]
        merged = (codes[starts], np.add.reduceat(counts, starts) if len(codes) else counts)
        self._parts, self._merged, self._waiting = [merged], len(merged[0]), 0

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        """(code, count), sorted by code."""
        self._merge()
        return self._parts[0]


class _Coded:
    """Every passage's words as numbers, a few thousand passages at a time, and the phrases counted from them.

    A word is numbered as it first comes (0 and 1 are a clause's and a passage's end). A phrase of n words
    has the code sum(id_k * 2^(21 (n-1-k))): fixed before the whole vocabulary is known, so each slice of
    passages is counted on its own, and runs of different lengths never share a code (every word's number is 2
    or more). Words after the first :data:`_BASE` - 2 different ones are not numbered (they end a clause):
    2 million different words is far beyond any audit.

    Counting (:meth:`count`) keeps for each phrase only how often it is seen in all, and in how many passages of
    each pile: what a large audit holds is its distinct phrases, never every run. The passages of the few
    phrases then wanted are collected by a second reading (:meth:`collect`).
    """

    BREAK, END = 0, 1

    def __init__(self, ps: _Passages):
        self.ps = ps
        self.vocab: list[str] = ["", ""]
        ids: dict[str, int] = {}
        table: dict[str, int] = {}  # each different token's code, numbered as the words first come
        self.slices: list[tuple[int, np.ndarray]] = []  # (first passage, its tokens' codes with an END after each)
        for at in range(0, len(ps), _CODED_AT_ONCE):
            found = tokens(f" {END_MARK} ".join(ps.texts(at, min(at + _CODED_AT_ONCE, len(ps)))) + f" {END_MARK}")
            for token in dict.fromkeys(found):
                if token in table:
                    continue
                if token == END_MARK:
                    table[token] = self.END
                    continue
                key = word_key(token) if token[0].isalnum() else ""
                if key and key not in ids and len(self.vocab) < _BASE:
                    ids[key] = len(self.vocab)
                    self.vocab.append(key)
                table[token] = ids.get(key, self.BREAK) if key else self.BREAK
            codes = np.fromiter(map(table.__getitem__, found), dtype=np.int32, count=len(found))
            del found
            self.slices.append((at, codes.astype(np.uint16) if len(self.vocab) <= 1 << 16 else codes))
        words = np.array([i > self.END for i in range(len(self.vocab))])
        self.starts = words & np.array([_content(k) or k in NEGATIONS for k in self.vocab])
        self.ends = words & np.array([_content(k) for k in self.vocab])
        self.words = words
        self.word_counts = np.zeros(len(self.vocab), dtype=np.int64)
        self.seen = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        self.in_passages: list[tuple[np.ndarray, np.ndarray]] = []

    def _runs(self, first: int, small: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
        """A slice's runs of 1 to :data:`MAX_WORDS` words that start and end as a phrase should: each code with
        how often it is seen (sorted); then each code once per passage, as (code, passage), sorted by code, each
        code's passages in order."""
        ids = small.astype(np.int64)
        ends = ids == self.END
        owner = np.cumsum(ends, dtype=np.int32)  # the passage of each token, from the slice's first
        owner -= ends
        word, start, end = self.words[ids], self.starts[ids], self.ends[ids]  # of each token
        picks = []  # for each length n, where a run of n words starts that makes a phrase
        for n in range(1, MAX_WORDS + 1):
            m = len(ids) - n + 1
            if m <= 0:
                break
            ok = start[:m] & end[n - 1:n - 1 + m]
            for k in range(1, n - 1):
                ok &= word[k:k + m]
            picks.append(np.flatnonzero(ok))
        passages = int(owner[-1]) + 1 if len(owner) else 1
        if _one_number(len(self.vocab), passages):
            seen, code, run = _sorted_in_place(picks, ids, owner, len(self.vocab), passages)
        else:
            code = np.concatenate([_run_codes(n, at, ids, _BASE) for n, at in enumerate(picks, start=1)]
                                  or [ids[:0]])
            run = np.concatenate([owner[at] for at in picks] or [owner[:0]])
            order = np.argsort(code, kind="stable")  # runs were found passage by passage: a code's stay in order
            code, run = code[order], run[order]
            seen = _counts(code)
            first_in = np.ones(len(code), dtype=bool)
            first_in[1:] = (code[1:] != code[:-1]) | (run[1:] != run[:-1])
            code, run = code[first_in], run[first_in]
        return seen, code, run + first

    def count(self) -> None:
        """How often each phrase is seen (:attr:`seen`) and in how many passages of each pile (:attr:`in_passages`),
        and how often each word is seen (:attr:`word_counts`)."""
        seen, piles = _Tally(), [_Tally() for _ in KINDS]
        kind = np.asarray(self.ps.kind)
        for first, small in self.slices:
            self.word_counts += np.bincount(small, minlength=len(self.vocab))
            counted, code, passage = self._runs(first, small)
            seen.add(*counted)
            pile = kind[passage]
            for k, tally in enumerate(piles):
                tally.add(*_counts(code[pile == k]))
        self.seen = seen.result()
        self.in_passages = [t.result() for t in piles]

    def collect(self, wanted: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each pile, the (code, passage) of the phrases ``wanted`` of it (sorted), sorted by code, each
        code's passages in order."""
        kind = np.asarray(self.ps.kind)
        found: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in KINDS]
        for first, small in self.slices:
            _, code, passage = self._runs(first, small)
            pile = kind[passage]
            for k, keys in enumerate(wanted):
                sel = (pile == k) & _among(keys, code)
                found[k].append((code[sel], passage[sel]))
        out = []
        for parts in found:  # the slices come in passage order: a stable sort by code keeps each code's in order
            code = np.concatenate([c for c, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
            passage = np.concatenate([p for _, p in parts]) if parts else np.zeros(0, dtype=np.int64)
            order = np.argsort(code, kind="stable")
            out.append((code[order], passage[order]))
        return out

    def chance(self, codes: np.ndarray) -> np.ndarray:
        """For each phrase of two or three words, the log10 chance of seeing it at least as often as it is seen
        if its words fell at random (Poisson, given how often its first word(s) and the rest are seen); 0 for a
        single word. A three-word phrase is compared with both of its splits, the likelier one counted."""
        n = (codes >= _BASE).astype(np.int64) + (codes >= _BASE * _BASE)  # words in the phrase, less one
        words = self.word_counts.astype(float)
        total = max(float(words[2:].sum()), 1.0)
        c, b_, a_ = codes % _BASE, (codes // _BASE) % _BASE, codes // (_BASE * _BASE)
        seen = _lookup(*self.seen, codes).astype(float)
        two = words[b_] * words[c] / total  # two words: the first and the second
        ab, bc = (_lookup(*self.seen, x * _BASE + y).astype(float) for x, y in ((a_, b_), (b_, c)))
        split = np.maximum(np.where(ab > 0, ab * words[c], words[a_] * words[b_] * words[c] / total),
                           np.where(bc > 0, words[a_] * bc, words[a_] * words[b_] * words[c] / total)) / total
        expect = np.where(n == 1, two, split)
        out = np.zeros(len(codes))
        for i in np.flatnonzero((n > 0) & (seen > expect)):
            k, lam = seen[i], max(expect[i], 1e-12)
            out[i] = (k * math.log(lam) - lam - math.lgamma(k + 1) - math.log1p(-lam / (k + 1))) / math.log(10)
        return out

    def key(self, code: int) -> str:
        out, rest = [], int(code)
        while True:
            rest, i = divmod(rest, _BASE)
            out.append(self.vocab[i])
            if not rest:
                return " ".join(reversed(out))


def _run_codes(n: int, at: np.ndarray, ids: np.ndarray, base: int) -> np.ndarray:
    """The codes of the runs of ``n`` words starting at the tokens ``at``, each word's number ``base`` apart."""
    code = ids[at].astype(np.int64)
    for k in range(1, n):
        code *= base
        code += ids[at + k]
    return code


def _one_number(v: int, passages: int) -> bool:
    """Whether a run's code in a slice's own numbering (:func:`_sorted_in_place`) and its passage fit one 64-bit
    number together (any slice of a few thousand passages whose audit has up to some tens of thousands of words)."""
    return MAX_WORDS * v ** MAX_WORDS * passages < 2 ** 62


def _sorted_in_place(picks: Sequence[np.ndarray], ids: np.ndarray, owner: np.ndarray, v: int,
                     passages: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """A slice's runs (``picks[n - 1]``: where its runs of n words start) counted, and each once per passage as
    (code, passage), as :meth:`_Coded._runs` gives them: far quicker than a stable sort of the codes carrying the
    passages along.

    In the slice's own numbering a run of n words is sum(id_k * v^(n-1-k)) + (n-1) v^3, with v the vocabulary's
    size; that and the passage are one number, sorted in place. This numbering orders runs as the codes of
    :class:`_Coded` do (by length, then word by word), so only the distinct ones are turned into those codes."""
    big = v ** MAX_WORDS
    both = np.concatenate([(_run_codes(n, at, ids, v) + (n - 1) * big) * passages + owner[at]
                           for n, at in enumerate(picks, start=1)] or [ids[:0]])
    both.sort()
    local = both // passages
    new_code = np.concatenate(([True], local[1:] != local[:-1])) if len(local) else local.astype(bool)
    first_in = np.concatenate(([True], both[1:] != both[:-1])) if len(both) else new_code
    run = (both - local * passages)[first_in]
    del both
    starts = np.flatnonzero(new_code)
    length, rest = np.divmod(local[starts], big)
    c, b, a = rest % v, (rest // v) % v, rest // (v * v)
    codes = np.where(length == 0, c, np.where(length == 1, b * _BASE + c, (a * _BASE + b) * _BASE + c))
    counts = np.diff(np.append(starts, len(local)))
    return (codes, counts), codes[(np.cumsum(new_code) - 1)[first_in]], run


def _counts(sorted_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how often each comes."""
    if not len(sorted_codes):
        return sorted_codes, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_codes[1:] != sorted_codes[:-1])))
    return sorted_codes[starts], np.diff(np.append(starts, len(sorted_codes)))



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


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """values[keys == q] for each q of ``query`` (``keys`` sorted), 0 where a q is not among them."""
    if not len(keys):
        return np.zeros(len(query), dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[at] == query, values[at], 0)


def _among(keys: np.ndarray, query: np.ndarray, at_once: int = 1 << 20) -> np.ndarray:
    """Whether each q of ``query`` is among ``keys`` (sorted), looked up a slice at a time: a large audit has
    tens of millions of runs, and a lookup of all at once takes several arrays as long as they are."""
    out = np.zeros(len(query), dtype=bool)
    if len(keys):
        for i in range(0, len(query), at_once):
            q = query[i:i + at_once]
            out[i:i + at_once] = keys[np.minimum(np.searchsorted(keys, q), len(keys) - 1)] == q
    return out


def _candidates(ps: _Passages, titles: list[frozenset[str]]) -> list[_Candidate]:
    """Every phrase that qualifies as a theme of its pile.

    The words are counted as numbers (numpy), so that the many phrases of a
    large audit cost only a count: the passages of each pile holding each
    phrase; only the phrases common enough and leaning to one pile are then
    listed with their passages, whose cases, agencies and auditors are counted.
    """
    if not len(ps):
        return []
    coded = _Coded(ps)
    coded.count()
    kinds = np.asarray(ps.kind)
    totals = [int(np.count_nonzero(kinds == k)) for k in range(len(KINDS))]
    phrases = int(np.count_nonzero(coded.seen[0] >= _BASE))  # the chances taken: one a phrase of two or more words
    wanted = []
    for k in range(len(KINDS)):
        mine_codes, mine_n = coded.in_passages[k]
        other = _lookup(*coded.in_passages[1 - k], mine_codes)
        keep = (mine_n >= MIN_RECORDS) & leaning(mine_n, other, totals[k], totals[1 - k])
        single = mine_codes < _BASE  # one word: no phrase to hold together, so a stricter lean
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


def _choose(cands: list[_Candidate], ps: _Passages, limit: int) -> list[_Candidate]:
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


def _examples(c: _Candidate, surface: str, ps: _Passages) -> tuple[ThemeExample, ...]:
    """Two extracts from different agencies (and, where there is a choice, different cases and sections):
    the shortest first."""
    order = sorted(c.found, key=lambda i: (len(ps.text(i)), ps.row_of(i).case_ref.casefold(), ps.row_of(i).agency, i))
    picked: list[_Passage] = []
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


def _grown(c: _Candidate, ps: _Passages) -> tuple[list[str], list[str]]:
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
    while i < j and not _content(words[i][0]) and words[i][0] not in NEGATIONS:
        i += 1
    while j > i and not _content(words[j - 1][0]):
        j -= 1
    return [k for k, _ in words[i:j]], _as_written([w for _, w in words[i:j]], i == 0)


def _as_written(words: list[str], clause_start: bool) -> list[str]:
    """The words as written, but a first word capitalised only for starting its clause in lower case."""
    if clause_start and words and words[0][:1].isupper() and not words[0].isupper():
        words = [words[0][0].lower() + words[0][1:], *words[1:]]
    return words


def _extended(c: _Candidate, ps: _Passages) -> tuple[_Candidate, str]:
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


def _theme(c: _Candidate, surface: str, ps: _Passages) -> Theme:
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
