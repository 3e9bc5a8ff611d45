"""Every phrase of the audit's free text counted as numbers, a slice of passages at a time.

The themes finder needs, for each phrase of one to :data:`MAX_WORDS` words,
how often it is seen and in how many passages of each pile; then, for the few
phrases that may be themes, which passages hold them. :class:`PhraseCounts`
turns the words into numbers and counts them with numpy, a few thousand
passages at a time, so that a large audit holds its distinct phrases, never
every run of words at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from xlpack.analysis.theme_passages import KINDS, Passages
from xlpack.analysis.theme_words import END_MARK, NEGATIONS, carries_meaning, tokens, word_key

MAX_WORDS = 3
CODED_AT_ONCE = 4096  # passages turned into numbers at a time
MERGE_AT = 1 << 20  # codes of the slices counted before their tallies are merged (see Tally)
BASE = 1 << 21  # a word's place in a phrase's code (see PhraseCounts)


class Tally:
    """How often each code comes, added a part at a time (each part's codes sorted and distinct) and merged as
    the parts grow, so that only the distinct codes are ever held, never every run."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []
        self._merged = self._waiting = 0

    def add(self, codes: np.ndarray, counts: np.ndarray) -> None:
        self._parts.append((codes, counts))
        self._waiting += len(codes)
        if self._waiting > max(MERGE_AT, self._merged):
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


class PhraseCounts:
    """Every passage's words as numbers, a few thousand passages at a time, and the phrases counted from them.

    A word is numbered as it first comes (0 and 1 are a clause's and a passage's end). A phrase of n words
    has the code sum(id_k * 2^(21 (n-1-k))): fixed before the whole vocabulary is known, so each slice of
    passages is counted on its own, and runs of different lengths never share a code (every word's number is 2
    or more). Words after the first :data:`BASE` - 2 different ones are not numbered (they end a clause):
    2 million different words is far beyond any audit.

    Counting (:meth:`count`) keeps for each phrase only how often it is seen in all, and in how many passages of
    each pile: what a large audit holds is its distinct phrases, never every run. The passages of the few
    phrases then wanted are collected by a second reading (:meth:`collect`).
    """

    BREAK, END = 0, 1

    def __init__(self, ps: Passages):
        self.ps = ps
        self.vocab: list[str] = ["", ""]
        ids: dict[str, int] = {}
        table: dict[str, int] = {}  # each different token's code, numbered as the words first come
        self.slices: list[tuple[int, np.ndarray]] = []  # (first passage, its tokens' codes with an END after each)
        for at in range(0, len(ps), CODED_AT_ONCE):
            found = tokens(f" {END_MARK} ".join(ps.texts(at, min(at + CODED_AT_ONCE, len(ps)))) + f" {END_MARK}")
            for token in dict.fromkeys(found):
                if token in table:
                    continue
                if token == END_MARK:
                    table[token] = self.END
                    continue
                key = word_key(token) if token[0].isalnum() else ""
                if key and key not in ids and len(self.vocab) < BASE:
                    ids[key] = len(self.vocab)
                    self.vocab.append(key)
                table[token] = ids.get(key, self.BREAK) if key else self.BREAK
            codes = np.fromiter(map(table.__getitem__, found), dtype=np.int32, count=len(found))
            del found
            self.slices.append((at, codes.astype(np.uint16) if len(self.vocab) <= 1 << 16 else codes))
        words = np.array([i > self.END for i in range(len(self.vocab))])
        self.starts = words & np.array([carries_meaning(k) or k in NEGATIONS for k in self.vocab])
        self.ends = words & np.array([carries_meaning(k) for k in self.vocab])
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
        if one_number(len(self.vocab), passages):
            seen, code, run = sorted_in_place(picks, ids, owner, len(self.vocab), passages)
        else:
            code = np.concatenate([run_codes(n, at, ids, BASE) for n, at in enumerate(picks, start=1)]
                                  or [ids[:0]])
            run = np.concatenate([owner[at] for at in picks] or [owner[:0]])
            order = np.argsort(code, kind="stable")  # runs were found passage by passage: a code's stay in order
            code, run = code[order], run[order]
            seen = counts(code)
            first_in = np.ones(len(code), dtype=bool)
            first_in[1:] = (code[1:] != code[:-1]) | (run[1:] != run[:-1])
            code, run = code[first_in], run[first_in]
        return seen, code, run + first

    def count(self) -> None:
        """How often each phrase is seen (:attr:`seen`) and in how many passages of each pile (:attr:`in_passages`),
        and how often each word is seen (:attr:`word_counts`)."""
        seen, piles = Tally(), [Tally() for _ in KINDS]
        kind = np.asarray(self.ps.kind)
        for first, small in self.slices:
            self.word_counts += np.bincount(small, minlength=len(self.vocab))
            counted, code, passage = self._runs(first, small)
            seen.add(*counted)
            pile = kind[passage]
            for k, tally in enumerate(piles):
                tally.add(*counts(code[pile == k]))
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
                sel = (pile == k) & among(keys, code)
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
        n = (codes >= BASE).astype(np.int64) + (codes >= BASE * BASE)  # words in the phrase, less one
        words = self.word_counts.astype(float)
        total = max(float(words[2:].sum()), 1.0)
        c, b_, a_ = codes % BASE, (codes // BASE) % BASE, codes // (BASE * BASE)
        seen = lookup(*self.seen, codes).astype(float)
        two = words[b_] * words[c] / total  # two words: the first and the second
        ab, bc = (lookup(*self.seen, x * BASE + y).astype(float) for x, y in ((a_, b_), (b_, c)))
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
            rest, i = divmod(rest, BASE)
            out.append(self.vocab[i])
            if not rest:
                return " ".join(reversed(out))


def run_codes(n: int, at: np.ndarray, ids: np.ndarray, base: int) -> np.ndarray:
    """The codes of the runs of ``n`` words starting at the tokens ``at``, each word's number ``base`` apart."""
    code = ids[at].astype(np.int64)
    for k in range(1, n):
        code *= base
        code += ids[at + k]
    return code


def one_number(v: int, passages: int) -> bool:
    """Whether a run's code in a slice's own numbering (:func:`sorted_in_place`) and its passage fit one 64-bit
    number together (any slice of a few thousand passages whose audit has up to some tens of thousands of words)."""
    return MAX_WORDS * v ** MAX_WORDS * passages < 2 ** 62


def sorted_in_place(picks: Sequence[np.ndarray], ids: np.ndarray, owner: np.ndarray, v: int,
                     passages: int) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """A slice's runs (``picks[n - 1]``: where its runs of n words start) counted, and each once per passage as
    (code, passage), as :meth:`PhraseCounts._runs` gives them: far quicker than a stable sort of the codes carrying the
    passages along.

    In the slice's own numbering a run of n words is sum(id_k * v^(n-1-k)) + (n-1) v^3, with v the vocabulary's
    size; that and the passage are one number, sorted in place. This numbering orders runs as the codes of
    :class:`PhraseCounts` do (by length, then word by word), so only the distinct ones are turned into those codes."""
    big = v ** MAX_WORDS
    both = np.concatenate([(run_codes(n, at, ids, v) + (n - 1) * big) * passages + owner[at]
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
    codes = np.where(length == 0, c, np.where(length == 1, b * BASE + c, (a * BASE + b) * BASE + c))
    counts = np.diff(np.append(starts, len(local)))
    return (codes, counts), codes[(np.cumsum(new_code) - 1)[first_in]], run


def counts(sorted_codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of a sorted array and how often each comes."""
    if not len(sorted_codes):
        return sorted_codes, np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_codes[1:] != sorted_codes[:-1])))
    return sorted_codes[starts], np.diff(np.append(starts, len(sorted_codes)))


def lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """values[keys == q] for each q of ``query`` (``keys`` sorted), 0 where a q is not among them."""
    if not len(keys):
        return np.zeros(len(query), dtype=np.int64)
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[at] == query, values[at], 0)


def among(keys: np.ndarray, query: np.ndarray, at_once: int = 1 << 20) -> np.ndarray:
    """Whether each q of ``query`` is among ``keys`` (sorted), looked up a slice at a time: a large audit has
    tens of millions of runs, and a lookup of all at once takes several arrays as long as they are."""
    out = np.zeros(len(query), dtype=bool)
    if len(keys):
        for i in range(0, len(query), at_once):
            q = query[i:i + at_once]
            out[i:i + at_once] = keys[np.minimum(np.searchsorted(keys, q), len(keys) - 1)] == q
    return out
