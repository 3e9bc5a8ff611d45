"""The name guard: likely personal names in free text, found and replaced by "[name]".

Case audits name children by pseudonymised case reference only, yet an
auditor may write "Mum (Sarah Jones) said she felt judged". Intake warns
about such words (naming the sheet and cell), and every quote xlpack puts
in a report, feedback document, meeting pack or email goes through
:func:`redact_names`.

A word is taken for a name when it is
- a capitalised word (or initial) after a title: Mr, Mrs, Ms, Miss, Mx, Dr;
- a capitalised word on the first-name lists, unless it is also an ordinary
  word (May, Will, Grace, Early): those count only before another name;
  a capitalised word right after a first name is taken as its surname;
- a capitalised word that is not an ordinary word, before a surname on the
  surname list (a first name on no list: "Priya Murphy");
- a word or phrase on the partnership's own list of names (any case);
and never when it is part of a phrase on the partnership's allow list
(place names, team names).

The lists (``name_lists/``, see its README): first names of England and
Wales from the Office for National Statistics' name tables and US Census
first names, as Faker ships them (MIT licence), ONS surnames, and the
names that are also ordinary English words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REDACTED = "[name]"
LISTS_DIR = Path(__file__).with_name("name_lists")
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr"})
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")
_POSSESSIVES = frozenset({"'s", "’s", "'S", "’S"})
_BREAK = re.compile(r"[.!?:;\n\u2022]")  # between two words: the second starts a sentence or a list item


def _read(name: str) -> frozenset[str]:
    text = (LISTS_DIR / name).read_text(encoding="utf-8")
    return frozenset(w.strip().casefold() for w in text.splitlines() if w.strip())


#: Words that are names but are written capitalised for another reason.
CALENDAR = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "easter", "christmas"})


#: What children call their family, often capitalised, some on the name lists (Nan, Nana, Mamie): ordinary words here.
KIN = frozenset({
    "mum", "mummy", "mam", "mammy", "mom", "mommy", "ma", "dad", "daddy", "da", "pa", "papa", "nan", "nana", "nanna",
    "nanny", "nanan", "gran", "granny", "grandma", "grandmother", "grandad", "granddad", "grandpa", "grandfather",
    "auntie", "aunty", "aunt", "uncle", "sis", "bro", "baby", "bubba", "mamie", "nani", "dada", "ammi", "abba",
    "abu", "ami", "amma", "appa", "baba", "babcia", "dziadek"})


@lru_cache(maxsize=4)
def _builtin(with_us: bool) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    first = _read("first_names_gb.txt") | (_read("first_names_us.txt") if with_us else frozenset())
    return first, _read("surnames_gb.txt"), _read("english_words.txt") | CALENDAR | KIN


def _ordinary(key: str, english: frozenset[str]) -> bool:
    """An ordinary English word (the dictionary holds stems: 'services' is 'service' + s)."""
    if key in english:
        return True
    for suffix, stem_end in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
        if key.endswith(suffix) and len(key) > len(suffix) + 2 and key[: -len(suffix)] + stem_end in english:
            return True
    return False


def _phrases(words: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    out = {tuple(t.casefold() for t in _TOKEN.findall(w)) for w in words}
    return tuple(sorted((p for p in out if p), key=len, reverse=True))


@dataclass(frozen=True)
class NameLists:
    """What the guard looks for: built-in lists plus the partnership's names and allowed words."""

    first: frozenset[str]
    surnames: frozenset[str]
    english: frozenset[str]  # ordinary words (stems): a name that is one counts only beside another name
    extra: tuple[tuple[str, ...], ...] = ()  # the partnership's names, as word tuples (casefolded)
    allowed: tuple[tuple[str, ...], ...] = ()  # the partnership's allow list: never a name
    with_us: bool = True

    def __reduce__(self) -> tuple:
        """Pickled as what it was made from (reading processes load the built-in lists once themselves)."""
        return (_rebuild, (self.extra, self.allowed, self.with_us))


def _rebuild(extra: tuple[tuple[str, ...], ...], allowed: tuple[tuple[str, ...], ...], with_us: bool) -> NameLists:
    first, surnames, english = _builtin(with_us)
    return NameLists(first, surnames, english, extra, allowed, with_us)


def name_lists(extra: Iterable[str] = (), allowed: Iterable[str] = (), *, with_us: bool = True) -> NameLists:
    """The built-in lists with the partnership's own names and allowed words (``with_us``: US first names too)."""
    return _rebuild(_phrases(extra), _phrases(allowed), with_us)


@dataclass(frozen=True)
class NameHit:
    """One likely name in a text: where it is and why it was taken for one."""

    start: int
    end: int
    text: str
    reason: str  # "title", "first name", "name and surname", "partnership list"


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    word: str  # without a possessive 's or a final full stop
    key: str  # casefolded
    capital: bool
    sentence_start: bool


def _tokens(text: str) -> list[_Tok]:
    out = []
    prev_end, ended = 0, True  # the first word starts a sentence
    for m in _TOKEN.finditer(text):
        raw = m.group()
        start = m.start()
        gap = text[prev_end:start]
        starts = (ended and not gap.strip(" \t\"'(“‘[")) or (gap != " " and bool(_BREAK.search(gap)))
        word = raw[:-1] if raw[-1] == "." else raw
        if len(word) > 3 and word[-2:] in _POSSESSIVES:
            word = word[:-2]
        capital = word[0].isupper() and not (len(word) > 1 and word.isupper())
        key = word.casefold()
        out.append(_Tok(start, start + len(word), word, key, capital, starts))
        prev_end, ended = m.end(), raw[-1] == "." and len(word) > 1 and key not in TITLES
    return out


def _match(tokens: list[_Tok], i: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    """How many tokens from ``i`` the longest of ``phrases`` covers (0: none)."""
    for p in phrases:
        if tuple(t.key for t in tokens[i:i + len(p)]) == p:
            return len(p)
    return 0


def _is_first(tok: _Tok, lists: NameLists) -> bool:
    return tok.capital and any(part in lists.first for part in tok.key.split("-"))


def _surname_like(tok: _Tok, lists: NameLists, strict: bool = False) -> bool:
    """A capitalised word that may follow a first name as its surname (``strict``: not an ordinary word)."""
    if not tok.capital or tok.sentence_start:
        return False
    if tok.key in lists.surnames or tok.key in lists.first:
        return not strict or not _ordinary(tok.key, lists.english)
    return not _ordinary(tok.key, lists.english)


_CAPITALISED = re.compile(r"(?<![\w'’-])[^\W\d_a-z][^\W\d_]*")


def _may_hold_names(text: str, lists: NameLists) -> bool:
    """A quick look: a capitalised first name or title, or a word of the partnership's names, is there."""
    keys = map(str.casefold, _CAPITALISED.findall(text))
    if any(k in lists.first or k in TITLES or k in lists.surnames for k in keys):
        return True
    if lists.extra:
        words = {w.casefold() for w in _TOKEN.findall(text)}
        return any(p[0] in words or p[0] + "." in words for p in lists.extra)
    return False


def find_names(text: str, lists: NameLists) -> list[NameHit]:
    """Every likely personal name in ``text``, in order."""
    if not text or not _may_hold_names(text, lists):
        return []
    tokens = _tokens(text)
    hits: list[NameHit] = []
    i = 0
    while i < len(tokens):
        allowed = _match(tokens, i, lists.allowed)
        if allowed:
            i += allowed
            continue
        extra = _match(tokens, i, lists.extra)
        span, reason = (extra, "partnership list") if extra else _span(tokens, i, lists)
        if not span:
            i += 1
            continue
        first = i + 1 if reason == "title" else i
        last = i + span - 1
        hits.append(NameHit(tokens[first].start, tokens[last].end, text[tokens[first].start:tokens[last].end],
                            reason))
        i += span
    return hits


def _span(tokens: list[_Tok], i: int, lists: NameLists) -> tuple[int, str]:
    """(tokens covered, reason) of a name starting at token ``i``; (0, "") if none starts there."""
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if tok.key.rstrip(".") in TITLES and tok.capital and nxt is not None and nxt.capital:
        n = 2
        while i + n < len(tokens) and n < 4 and tokens[i + n].capital and not tokens[i + n].sentence_start \
                and (len(tokens[i + n - 1].word) == 1 or not _ordinary(tokens[i + n].key, lists.english)):
            n += 1
        return n, "title"
    if nxt is not None and tok.capital and nxt.capital and not nxt.sentence_start and nxt.key in lists.surnames \
            and not _ordinary(tok.key, lists.english) and not _match(tokens, i + 1, lists.allowed):
        return 2, "name and surname"  # a first name on no list, known by the surname after it
    if not _is_first(tok, lists):
        return 0, ""
    ambiguous = _ordinary(tok.key, lists.english)
    follows = nxt is not None and _surname_like(nxt, lists, ambiguous) and not _match(tokens, i + 1, lists.allowed)
    if ambiguous and not follows:
        return 0, ""
    return (2 if follows else 1), "first name"


def redact_names(text: str, lists: NameLists | None = None) -> str:
    """``text`` with every likely personal name replaced by "[name]" (a title before it is kept)."""
    if not text:
        return text
    hits = find_names(text, lists or default_lists())
    out, at = [], 0
    for h in hits:
        out += [text[at:h.start], REDACTED]
        at = h.end
    return "".join(out) + text[at:]


def quoted(text: str, lists: NameLists | None = None) -> str:
    """Someone's words as xlpack quotes them in a document: on one line, every likely personal name as "[name]"."""
    return " ".join(redact_names(text, lists).split())


def default_lists() -> NameLists:
    """The built-in lists alone (for a quote whose audit's own lists are not at hand)."""
    return _default()


@lru_cache(maxsize=1)
def _default() -> NameLists:
    return name_lists()


def mask(text: str) -> str:
    """A name shown in a message: each word cut to its first letter ("S… J…")."""
    return " ".join(w[0] + "…" for w in _TOKEN.findall(text)) or "…"
