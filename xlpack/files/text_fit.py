"""Row heights for wrapped text, from Calibri's metrics (Carlito: the same advance widths).

xlsxwriter does not fit rows to their text and LibreOffice 7.4 does not
refit them when it opens a file, so every sheet xlpack writes sets the
height of each row holding wrapped text. :func:`height_for` gives it:
the text is word-wrapped, as Excel and LibreOffice wrap it, into the
width of its column (or of its merged range), glyph by glyph, with the
advance widths of Carlito measured once and kept below as a table.

It sits with the files stage because the plan sheets, the forms and the
analysis sheets all use it.
"""

from __future__ import annotations

import codecs
import math
import unicodedata
from collections.abc import Callable, Iterable, Sequence

#: Advance widths of code points 32-255 in 1/128 em, rounded up: the wider of Carlito Regular and Italic,
#: and of Bold and Bold Italic (measured from the fonts' hmtx tables; 2048 units to the em).
_REGULAR = bytes.fromhex(
    "1d2a3440415c581d27274040202821324141414141414141414123234040403c734b46454f3f3b5150212943366e5355"
    "4357463b3f534972433f3c28322840402642443744402842441e1f3b1e67444444442d332b443a5c383a33293b294000"
    "0000000000000000000000000000000000000000000000000000000000000000002a404140414040336b384240004133"
    "2c402b2b26474b21282037425256573c4b4b4b4b4b4b62453f3f3f3f21212121505355555555554055535353533f4344"
    "4242424242426337404040401e1e1e1e444444444444444044444444443a443a")
_BOLD = bytes.fromhex(
    "1d2a3940415e5b1e28284040212823384141414141414141414124244040403c734e4844513f3b5251232b4637705557"
    "4558493d40544c7547433e2a372a404027444536454129444520213e2069454545452e342d453d603b3d332c3d2c4000"
    "0000000000000000000000000000000000000000000000000000000000000000002a404140414040366b394540004132"
    "2c402c2b27494d232721384555595a3c4e4e4e4e4e4e64443f3f3f3f2323232352555757575757405854545454434547"
    "44444444444464364141414120202020454545454545454046454545453d453d")
EM = 128  # table units to the em
#: Characters beyond Latin-1 that forms and evidence use, mapped to a spare control code carrying their width.
_SPECIAL_WIDTHS = {"\x01": EM, "\x02": 65, "\x03": 116, "\x04": 45, "\x05": 56, "\x06": 93}
_SPECIAL = str.maketrans({
    **dict.fromkeys("•–≤≥≠−€", "\x02"), **dict.fromkeys("—→←↑↓", "\x03"),
    **dict.fromkeys("‘’‹›", "\x04"), **dict.fromkeys("“”„″", "\x05"), **dict.fromkeys("…™", "\x06")})


def _table(latin: bytes) -> bytes:
    low = bytearray(32)
    for code, width in _SPECIAL_WIDTHS.items():
        low[ord(code)] = width
    low[9] = latin[0] * 4  # a tab: as wide as a few spaces
    return bytes(low) + latin


_TABLES = {False: _table(_REGULAR), True: _table(_BOLD)}


def _other_char(error: UnicodeError) -> tuple[str | bytes, int]:
    """Encoding error handler: a letter with a mark counts as its base letter, anything else as one em."""
    assert isinstance(error, UnicodeEncodeError)  # registered for encoding only
    out = []
    for ch in error.object[error.start:error.end]:
        base = unicodedata.normalize("NFKD", ch)[:1]
        out.append(base if base and ord(base) < 256 and base != ch else "\x01")
    return "".join(out), error.end


codecs.register_error("xlpack_text_fit", _other_char)


def _widths(text: str, bold: bool) -> bytes:
    """One byte per character: its advance width in 1/128 em."""
    if not text.isascii():
        text = text.translate(_SPECIAL)
    return text.encode("latin-1", "xlpack_text_fit").translate(_TABLES[bold])


# Excel measures columns in widths of the default font's digit: 7 pixels for Calibri 11 at 96 dpi,
# plus 5 pixels of padding. The text gets the column less its margins; a little is kept in reserve
# for LibreOffice, which lays text out at a finer resolution than whole pixels.
DIGIT_PX, PADDING_PX, MARGIN_PX = 7, 5, 8


def column_pixels(width: float) -> int:
    """Pixels of a column of ``width`` characters (as ``set_column`` takes it), as Excel draws it."""
    if width <= 0:
        return 0
    if width < 1:
        return int(width * (DIGIT_PX + PADDING_PX) + 0.5)
    return int(width * DIGIT_PX + 0.5) + PADDING_PX


def text_points(width: float | Sequence[float]) -> float:
    """Points of text a column, or a merged range of columns, holds on one line."""
    widths = [width] if isinstance(width, (int, float)) else width
    return max(1.0, (sum(column_pixels(w) for w in widths) - MARGIN_PX) * 0.75)


DEFAULT_ROW = 15.0  # points: the height of an empty row in these workbooks


def line_height(font_size: float = 11) -> float:
    """Points a line of Calibri takes in a row: 15 at 11 points, as Excel gives it (whole pixels at 96 dpi)."""
    return (math.ceil(font_size * 4 / 3 * 2500 / 2048) + 2) * 0.75


def text_lines(text: str, width: float | Sequence[float], font_size: float = 11, bold: bool = False,
               most: int | None = None) -> int:
    """Lines ``text`` takes when wrapped at word boundaries into a column (or merged range) of ``width``.

    With ``most``, counting stops there (a quick answer for long texts in rows of limited height).
    """
    return line_counter(width, font_size, bold, most)(text)


def line_counter(width: float | Sequence[float], font_size: float = 11, bold: bool = False,
                 most: int | None = None) -> Callable[[str], int]:
    """:func:`text_lines` for many texts in one column: short texts that come again are counted once."""
    room = text_points(width) * EM / font_size  # in table units
    sure = int(room // 116)  # this many characters fit on a line, whatever they are
    seen: dict[str, int] = {}

    def count(text: str) -> int:
        if len(text) <= sure and "\n" not in text:
            return 1
        lines = seen.get(text)
        if lines is None:
            lines = 0
            for part in text.split("\n"):
                lines += _paragraph_lines(part, room, bold, None if most is None else most - lines)
                if most is not None and lines >= most:
                    lines = most
                    break
            if len(text) <= 80 and len(seen) < 10_000:
                seen[text] = lines
        return lines

    return count


def _paragraph_lines(text: str, room: float, bold: bool, most: int | None) -> int:
    """Greedy word wrap, as Excel and LibreOffice do it; a word longer than a line is broken.

    Breaks at spaces only (the programs may also break after a hyphen), so
    never fewer lines than they show.
    """
    text = text.rstrip(" ")
    w = _widths(text, bold)
    rest = sum(w)  # width of the text not yet laid out
    if rest <= room:
        return 1
    if most is not None and rest > most * room:
        return most  # more lines than wanted, however it wraps
    n, start, lines = len(text), 0, 0
    guess = max(1, int(room * n / rest))  # characters of average width on a line
    while rest > room:
        lines += 1
        stop = _line_end(text, w, start, room, guess)
        rest -= sum(w[start:stop])
        start = stop
        while start < n and text[start] == " ":
            rest -= w[start]  # spaces at a break take no room on the next line
            start += 1
    return lines + 1


def _line_end(text: str, w: bytes, start: int, room: float, guess: int) -> int:
    """Where the line starting at ``start`` ends: at the last space before the first word that does not fit."""
    n = len(text)
    stop = text.rfind(" ", start + 1, start + guess + 1)  # near the guess, then word by word
    if stop < 0:
        stop = text.find(" ", start + 1)
        stop = n if stop < 0 else stop
    used = sum(w[start:stop])
    while used <= room:
        nxt = text.find(" ", stop + 1)
        nxt = n if nxt < 0 else nxt
        more = sum(w[stop:nxt])
        if used + more > room:
            return stop
        used, stop = used + more, nxt
    while used > room:
        prev = text.rfind(" ", start + 1, stop)
        if prev < 0:
            return _break_word(text, w, start, room)
        used -= sum(w[prev:stop])
        stop = prev
    return stop


def _break_word(text: str, w: bytes, start: int, room: float) -> int:
    """Where a word too long for a line breaks: after its last hyphen or slash that fits, else after the last letter."""
    stop, used = start, 0
    while stop < len(text) and used + w[stop] <= room:
        used += w[stop]
        stop += 1
    mark = max(text.rfind("-", start, stop), text.rfind("/", start, stop))
    return mark + 1 if mark > start else max(stop, start + 1)


def height_for(texts_with_widths: Iterable[tuple[str, float | Sequence[float]]], font_size: float = 11,
               bold: bool = False, *, max_lines: int | None = None) -> float:
    """Points a row needs to show every one of its wrapped texts whole: one line at least.

    Each text comes with the width (in characters, as ``set_column`` takes
    it) of its column, or the widths of the columns its merged range spans.
    """
    lines = 1
    for text, width in texts_with_widths:
        if text:
            lines = max(lines, text_lines(str(text), width, font_size, bold, max_lines))
    if max_lines is not None:
        lines = min(lines, max_lines)
    return max(DEFAULT_ROW, lines * line_height(font_size))


def width_for(text: str, font_size: float = 11, bold: bool = False) -> float:
    """The column width (in characters, as ``set_column`` takes it) that shows ``text`` on one line."""
    longest = max((sum(_widths(part, bold)) for part in str(text).split("\n")), default=0)
    pixels = longest * font_size / EM / 0.75 + MARGIN_PX
    return round(max(1.0, (pixels - PADDING_PX) / DIGIT_PX) + 0.5, 1)
