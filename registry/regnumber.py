"""Registration numbers: 10 digits printed on the registration card, e.g. "482 913 0576".

A registration number is read aloud over the phone, copied by hand at a bank counter and
typed into `/verify/<number>/`, so the commonest slips must never silently land on
another registrant's record. The last digit is a Damm check digit over the first nine.
Damm's algorithm detects every single-digit error and every transposition of two
neighbouring digits, the two mistakes people make most often, which the Luhn algorithm
does not fully achieve (it misses 09 <-> 90); unlike Verhoeff it needs a single table, and
unlike ISO 7064 MOD 11-2 it never produces a non-digit check character such as "X". So the
numbers are digits only: they can be typed on a phone keypad and read in Khmer or English.

The nine leading digits are random (not sequential) so a number reveals nothing about when
or where someone registered and cannot be guessed from a neighbour's card. The first digit
is never 0 so that spreadsheets do not drop it. Numbers are stored without separators and
shown in groups of 3-3-4.
"""

import random
import re
import secrets

from registry.normalise import clean_text, khmer_digits_to_ascii

REGISTRATION_NUMBER_LENGTH = 10
# A clash of random numbers is drawn again, up to this many times in all.
REGISTRATION_NUMBER_ATTEMPTS = 5

# The standard order-10 totally anti-symmetric quasigroup of H. Michael Damm (2004):
# row = interim digit, column = next input digit. Zero diagonal, so a valid number
# ends its run in interim 0.
_DAMM_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)

_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013]")
_REGISTRATION_NUMBER = re.compile(rf"[1-9][0-9]{{{REGISTRATION_NUMBER_LENGTH - 1}}}")


def damm_check_digit(digits: str) -> str:
    """Return the Damm check digit of a string of ASCII digits."""
    interim = 0
    for digit in digits:
        interim = _DAMM_TABLE[interim][int(digit)]
    return str(interim)


def registration_number_new(*, rng: random.Random | None = None) -> str:
    """Return a new random registration number: 9 digits (first not 0) + Damm check digit.

    Digits come from `secrets`; pass `rng` for a reproducible sequence in tests and demo
    data. Uniqueness is the caller's job (the database's unique constraint, with a retry).
    """
    low = 10 ** (REGISTRATION_NUMBER_LENGTH - 2)
    count = 9 * low  # 100000000 .. 999999999
    offset = rng.randrange(count) if rng is not None else secrets.randbelow(count)
    body = str(low + offset)
    return body + damm_check_digit(body)


def registration_number_clean(value: str) -> str | None:
    """Return the 10 digits of a valid registration number, or None if it is not one.

    Tolerates what people type around a number: spaces, hyphens, Khmer digits.
    """
    digits = _SEPARATORS.sub("", khmer_digits_to_ascii(clean_text(value)))
    if not _REGISTRATION_NUMBER.fullmatch(digits) or damm_check_digit(digits) != "0":
        return None
    return digits


def registration_number_is_valid(value: str) -> bool:
    """Whether `value` is a well-formed registration number with a correct check digit."""
    return registration_number_clean(value) is not None


def registration_number_format(value: str) -> str:
    """Return the display form "123 456 7890" of a registration number.

    Raises ValueError for a value that is not a valid registration number: callers format
    numbers they have stored, so an invalid one is a bug to surface, not to print.
    """
    digits = registration_number_clean(value)
    if digits is None:
        raise ValueError("not a valid registration number")
    return registration_number_display(digits)


def registration_number_display(digits: str) -> str:
    """The 3-3-4 groups of a number already known to be valid (one just drawn)."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
