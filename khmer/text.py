"""Text as it arrives from Khmer keyboards, phones and spreadsheets, made comparable.

The lowest layer: the gazetteer's search and the registry's normalisation both use it.
"""

import re
import unicodedata

# Zero-width characters arrive from Khmer keyboards (U+200B is the usual word separator
# in Khmer text) and from copy-paste; they are invisible, so two names that look the
# same would otherwise compare unequal and escape duplicate detection.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Control characters that are not whitespace (NUL, backspace, escape, DEL, C1 controls)
# never belong in a name or a search, and PostgreSQL refuses NUL in text outright.
_INVISIBLE = _ZERO_WIDTH | dict.fromkeys(
    code for code in [*range(0x20), *range(0x7F, 0xA0)] if not chr(code).isspace()
)
_WHITESPACE_RUN = re.compile(r"\s+")
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def clean_text(value: str) -> str:
    """Return `value` in Unicode NFC without zero-width or control characters, whitespace
    collapsed.

    Every run of whitespace (spaces, tabs, line breaks, no-break spaces) becomes one space
    and the ends are stripped. Khmer vowel signs and the coeng (U+17D2) that builds
    subscript consonants are kept as they are.
    """
    value = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    return _WHITESPACE_RUN.sub(" ", value).strip()


def khmer_digits_to_ascii(value: str) -> str:
    """Replace Khmer digits (០-៩) with ASCII digits (0-9); leave everything else."""
    return value.translate(_KHMER_DIGITS)
