"""Which characters a terminal must be shown as escapes: those it would act on, that show as nothing, or that
have no agreed glyph; decided once, from the Unicode database of the running Python."""

from __future__ import annotations

import array
import functools
import re
import unicodedata

# Characters that render as nothing but fall in no category escaped below (Default_Ignorable_Code_Point in
# DerivedCoreProperties.txt, which unicodedata lacks): the combining grapheme joiner, the Hangul fillers,
# the Khmer inherent vowels.
IGNORABLE = "\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0"
JOINERS = "\u200c\u200d"
SELECTORS = "\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef"  # Mongolian's and the variation selectors
# Letters and marks of the alphabets in which a joiner or a selector changes nothing a terminal shows (Latin,
# IPA, the combining diacritics, Greek, Cyrillic, fullwidth Latin), so one there only hides in a word.
PLAIN = ("\u00c0-\u036f\u0370-\u052f\u1d00-\u1dff\u1e00-\u1fff\u2c60-\u2c7f\u2de0-\u2dff\ua640-\ua69f"
         "\ua720-\ua7ff\uab30-\uab6f\uff21-\uff3a\uff41-\uff5a")
_SCANNED = 0x40000  # planes 0-3; past them Unicode has (to 17.0) only unassigned, tag, selector, private use


def _always() -> list[tuple[int, int]]:
    """Runs (first, last) of controls (Cc), format characters (Cf), separators (Zl, Zp), lone surrogates (Cs),
    private use (Co), unassigned (Cn) and IGNORABLE: not JOINERS or SELECTORS, whose place decides."""
    text = array.array("I", range(_SCANNED)).tobytes().decode("utf-32-le", "surrogatepass")
    # str.isprintable is false for exactly the categories C*, Zl, Zp and Zs but the space: one C call a character
    kept = bytearray(map(str.isprintable, text))
    for space in re.finditer(r"\s", text):
        kept[space.start()] |= unicodedata.category(space.group()) == "Zs"
    for char in JOINERS + "\u180f":  # U+180F is unassigned before Unicode 14; it is a selector since
        kept[ord(char)] = 1
    for char in IGNORABLE:
        kept[ord(char)] = 0
    ranges = [(found.start(), found.end() - 1) for found in re.finditer(b"\x00+", kept)]
    return ranges + [(_SCANNED, 0xE00FF), (0xE01F0, 0x10FFFF)]


def _class(ranges: list[tuple[int, int]]) -> str:
    return "".join(f"\\U{first:08x}-\\U{last:08x}" for first, last in ranges)


# What a joiner or selector may act on; a joiner is kept between two characters it can join: letters of a
# script that shapes (ZWNJ in Persian, ZWJ after a virama in Devanagari) and emoji (a ZWJ sequence, after a
# selector too: 🏳️‍🌈); a selector is kept after such a character (❤️, an ideographic variant) or in a keycap
# (1️⃣). Each shows, or changes what shows; anywhere else (in "mali", at an end, doubled) it shows as nothing
# and is escaped. Every format character is escaped, tags too even in a subdivision flag (a black flag, then
# escapes): tags are how text hides within text; Arabic's number signs (U+0600) only draw over the digits after
# them when shaped, which a terminal does not. Private use has a glyph only in some fonts; what is unassigned
# here has no known width.
_POSSIBLE = re.compile(f"[{IGNORABLE}{JOINERS}{SELECTORS}]")  # what str.isprintable passes and unsafe() may not


@functools.cache
def unsafe() -> re.Pattern:
    """The pattern of every character to escape; built on first use (about 0.3 s: a scan of planes 0-3 and a
    class of 700 ranges), which only text that str.isprintable or _POSSIBLE questions needs."""
    ranges = _always()
    # sre matches a class holding code points past U+FFFF by trying its ranges one by one, and one within the BMP
    # by a bitmap: the BMP's ranges go in one class, the rest are looked at only after a character past U+FFFF.
    bmp = _class([(first, min(last, 0xFFFF)) for first, last in ranges if first <= 0xFFFF])
    astral = _class([(max(first, 0x10000), last) for first, last in ranges if last > 0xFFFF])
    base = rf"[^\x00-\x7f\s{PLAIN}{_class(ranges)}{JOINERS}{SELECTORS}]"
    kept = (rf"(?:(?<={base})|(?<={base}[{SELECTORS}]))[{JOINERS}](?={base})"
            rf"|(?<={base})[{SELECTORS}]|(?<=[0-9#*])[\ufe0e\ufe0f](?=\u20e3)")
    return re.compile(rf"[{bmp}]|[\U00010000-\U0010ffff](?<=[{astral}])"
                      rf"|(?=[{JOINERS}{SELECTORS}])(?!{kept})[{JOINERS}{SELECTORS}]")


def plain(text: str) -> bool:
    """Whether unsafe() finds nothing in `text`, told at C speed for most text."""
    return text.isprintable() and not _POSSIBLE.search(text) or not unsafe().search(text)


def plain_but_layout(text: str) -> bool:
    """plain(), TAB and LF allowed: a format's own whitespace (a space in their place keeps what joins apart)."""
    return plain(text.replace("\t", " ").replace("\n", " "))


_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escaped(text: str, keep: str = "") -> str:
    """`text` with each character unsafe() finds (but those in `keep`) written as an escape: \\t, \\x1b, \\xad,
    \\u200b, \\U000e0041."""
    if plain(text):
        return text
    return unsafe().sub(lambda found: found.group() if found.group() in keep else _escape(found.group()), text)


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (a file's name, a setting), as Python holds it
        return f"\\x{code - 0xDC00:02x}"
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                                 else f"\\U{code:08x}")
