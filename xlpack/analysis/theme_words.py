"""How the themes finder reads words: clauses, words compared as keys, and which words carry meaning.

Words are compared in lower case with plurals and possessives folded
(:func:`word_key`); punctuation ends a clause (:func:`tokens` puts a break
mark there); a word carries meaning unless it is a common function word, a
negation or two letters at most (:func:`carries_meaning`).
"""

from __future__ import annotations

import functools
import re

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


def carries_meaning(key: str) -> bool:
    """Whether a word (its key) says something: not a function word, not a negation, longer than two letters."""
    return key not in STOP and key not in NEGATIONS and len(key) > 2
