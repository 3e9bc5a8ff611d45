"""Row heights from text: the width table against the fonts, the wrap against a plain greedy wrap."""

from __future__ import annotations

import math
import random
from pathlib import Path

import pytest

from xlpack.files.text_fit import (
    _widths,
    column_pixels,
    height_for,
    line_height,
    text_lines,
    text_points,
    width_for,
)

FONTS = Path("/usr/share/fonts/truetype/crosextra")
WORDS = ["the", "a", "of", "and", "record", "child", "assessment", "safeguarding", "multi-agency", "information",
         "referral", "protocol", "escalated", "03/11/2026", "(CP-2026-001)", "“quoted”", "it’s", "—", "•", "WWW",
         "iii", "Ælfrida", "naïve", "Łódź", "子供",
         "disproportionately-long-hyphenated-compound-word-that-will-not-fit"]


def _advances(style: str) -> dict[int, int]:
    ttlib = pytest.importorskip("fontTools.ttLib")
    path = FONTS / f"Carlito-{style}.ttf"
    if not path.exists():
        pytest.skip(f"{path} is not installed (fonts-crosextra-carlito)")
    font = ttlib.TTFont(path)
    metrics = font["hmtx"]
    return {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}


@pytest.mark.parametrize("bold", [False, True])
def test_width_table_is_carlitos_advance_widths(bold: bool) -> None:
    upright, italic = (_advances("Bold"), _advances("BoldItalic")) if bold else (_advances("Regular"),
                                                                                  _advances("Italic"))
    codes = [c for c in range(32, 256) if c in upright]
    expected = [math.ceil(max(upright[c], italic.get(c, 0)) / 16) for c in codes]  # 2048 units/em -> 1/128 em
    assert list(_widths("".join(map(chr, codes)), bold)) == expected
    # Beyond Latin-1: typographic punctuation as wide as the font draws it (or wider), other scripts an em.
    for ch in "•–—‘’“”…":
        assert _widths(ch, bold)[0] >= math.ceil(upright[ord(ch)] / 16), ch
    assert _widths("子", bold)[0] == 128
    assert _widths("Āę", bold) == _widths("Ae", bold)  # a letter with a mark counts as its base letter


def _reference_lines(text: str, room: float, bold: bool) -> int:
    """A plain greedy wrap, word by word, as the programs describe it; long words split after a hyphen."""
    def width(s: str) -> int:
        return sum(_widths(s, bold))

    lines, line = 0, ""
    words = text.split(" ")
    i = 0
    while i < len(words):
        word = words[i]
        candidate = word if not line else line + " " + word
        if width(candidate) <= room:
            line, i = candidate, i + 1
            continue
        if line:  # the word starts the next line
            lines, line = lines + 1, ""
            continue
        # a word alone too wide for a line
        fit = max(k for k in range(1, len(word) + 1) if width(word[:k]) <= room or k == 1)
        cut = max(word.rfind("-", 0, fit), word.rfind("/", 0, fit))
        cut = cut + 1 if cut > 0 else fit
        lines += 1
        words[i] = word[cut:]
    return lines + (1 if line else 0)


@pytest.mark.parametrize("bold", [False, True])
def test_wrap_agrees_with_a_plain_greedy_wrap(bold: bool) -> None:
    rng = random.Random(9)
    for _ in range(1500):
        width = rng.choice([8, 12, 18, 30, 36, 60, 92, 110])
        size = rng.choice([9, 11, 12, 16])
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 60)))
        room = text_points(width) * 128 / size
        assert text_lines(text, width, size, bold) == _reference_lines(text, room, bold), (text, width, size)


def test_paragraphs_and_spaces() -> None:
    text = "Seen alone on 3 March; wishes recorded."
    one = text_lines(text, 60)
    assert one == 1
    assert text_lines(f"{text}\n{text}\n\n{text}", 60) == 4  # an empty paragraph is a line too
    assert text_lines(text.replace(" ", "  "), 20) >= text_lines(text, 20)  # doubled spaces never fewer lines
    assert text_lines(text + "      ", 28) == text_lines(text, 28)  # trailing spaces take no line


def test_height_for_a_row() -> None:
    long = "Was information shared promptly and within protocol, with the consent sought where appropriate? " * 3
    assert height_for([]) == 15.0
    assert height_for([("Short", 20)]) == 15.0
    three = text_lines(long, 36)
    assert three >= 3
    assert height_for([("Short", 20), (long, 36)]) == three * line_height(11)  # the tallest cell decides
    assert height_for([(long, (36, 92))]) < height_for([(long, 36)])  # a merged range holds more a line
    assert height_for([(long, 36)], max_lines=2) == 2 * line_height(11)
    assert height_for([(long, 36)], 16, True) > height_for([(long, 36)])
    assert line_height(11) == 15.0  # Excel's row for Calibri 11
    assert line_height(16) == 21.75


def test_width_for_fits_exactly() -> None:
    for text in ("Case reference", "75411e45-60ae-4f26-b1c0-538f009cfb6e", "Disability or special educational needs"):
        width = width_for(text)
        assert text_lines(text, width) == 1
        assert text_lines(text, width - 1) == 2
    assert column_pixels(92) == 649 and column_pixels(0.5) == 6 and column_pixels(0) == 0  # Excel's rounding
