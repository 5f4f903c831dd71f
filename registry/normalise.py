"""Normalisation of registrant input: the one place every channel cleans its data.

The web form, the REST API, the bulk intake file and the dedup engine all call these
functions, so a name, phone number or date typed at a bank counter, uploaded in a
spreadsheet or sent by a partner's system ends up stored in exactly one form. Pure
functions with no database access; each either returns the normalised value or raises
`django.core.exceptions.ValidationError` with a translatable message and a stable
`code` that the API and the intake error report expose to partners.
"""

import datetime
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from khmer.text import clean_text, khmer_digits_to_ascii

MIN_AGE = 15
MAX_AGE = 100
NATIONAL_ID_LENGTH = 9
CAMBODIA_REGION = "KH"
CAMBODIA_COUNTRY_CODE = 855


# Khmer consonants and independent vowels: a Khmer name needs at least one of these.
_KHMER_LETTERS = range(0x1780, 0x17B4)
# Khmer letters, dependent vowels, signs (including the coeng U+17D2) and punctuation;
# the Khmer digits U+17E0-U+17E9 and numerals U+17F0-U+17F9 lie above this range.
_KHMER_NAME_CHARACTERS = range(0x1780, 0x17DE)
_KHMER_NUMERALS = range(0x17F0, 0x17FA)

_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc`\u00b4", "'"))
_HYPHENS = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013", "-"))
_LATIN_NAME_SEPARATORS = " '-"
_SPACED_HYPHEN = re.compile(r" ?- ?")
_LATIN_NAME_PART_SEPARATOR = re.compile(r"([ '\-])")

# What people write around a phone number; anything else (letters, "ext", "#") is refused
# rather than handed to phonenumbers, which reads letters as keypad digits.
_PHONE_CHARACTERS = re.compile(r"[0-9+\-(). ]+")
_PHONE_SEPARATORS = re.compile(r"[^0-9+]")
_PHONE_NUMBER_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}

_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DAY_MONTH_YEAR = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")

_NATIONAL_ID_SEPARATORS = re.compile(r"[\s\-]")
_NATIONAL_ID = re.compile(rf"[0-9]{{{NATIONAL_ID_LENGTH}}}")

PHONE_HELP = _("Enter a Cambodian mobile or landline number, for example 012 345 678.")


def _is_digit(character: str) -> bool:
    return unicodedata.category(character) == "Nd" or ord(character) in _KHMER_NUMERALS


def normalise_name_km(value: str) -> str:
    """Return the name in Khmer script, cleaned; refuse Latin letters, digits and other scripts.

    Allowed: Khmer letters, vowel signs and marks, and single spaces between words.
    """
    value = clean_text(value)
    if not value:
        raise ValidationError(_("Enter the name in Khmer script."), code="name_km_required")
    if any(_is_digit(character) for character in value):
        raise ValidationError(_("A name cannot contain numbers."), code="name_km_digits")
    only_khmer = all(
        character == " " or ord(character) in _KHMER_NAME_CHARACTERS for character in value
    )
    has_letter = any(ord(character) in _KHMER_LETTERS for character in value)
    if not (only_khmer and has_letter):
        raise ValidationError(
            _(
                "Write this name in Khmer script only, for example សុខ ដារា. "
                "Write the name in Latin letters in its own field."
            ),
            code="name_km_script",
        )
    return value


def _is_latin_letter(character: str) -> bool:
    return character.isalpha() and unicodedata.name(character, "").startswith("LATIN ")


def normalise_name_latin(value: str) -> str:
    """Return the name in Latin letters, cleaned and capitalised ("SOK dara" -> "Sok Dara").

    Allowed: Latin letters (accented ones too), and single spaces, hyphens or apostrophes
    between parts. Every part is capitalised the same way whatever the channel, so dedup
    compares like with like ("O'NEIL" -> "O'Neil", "jean-pierre" -> "Jean-Pierre").
    The name in Latin letters is optional: empty input returns "".
    """
    value = clean_text(value).translate(_APOSTROPHES).translate(_HYPHENS)
    value = _SPACED_HYPHEN.sub("-", value)
    if not value:
        return ""
    if any(_is_digit(character) for character in value):
        raise ValidationError(_("A name cannot contain numbers."), code="name_latin_digits")
    if not all(
        _is_latin_letter(character) or character in _LATIN_NAME_SEPARATORS for character in value
    ):
        raise ValidationError(
            _(
                "Write this name in Latin letters only, for example Sok Dara. "
                "Spaces, hyphens (-) and apostrophes (') are allowed."
            ),
            code="name_latin_script",
        )
    parts = _LATIN_NAME_PART_SEPARATOR.split(value)
    # split() with a capturing group alternates part, separator, part...: an empty part
    # means the name starts or ends with a separator or has two in a row.
    if any(not part for part in parts[::2]):
        raise ValidationError(
            _(
                "A name must start and end with a letter, with only one space, hyphen "
                "or apostrophe between its parts."
            ),
            code="name_latin_format",
        )
    return "".join(part[:1].upper() + part[1:].lower() for part in parts)


def normalise_phone(value: str, *, required: bool = True) -> str:
    """Return a Cambodian phone number in E.164 form ("+85512345678").

    Accepts the ways people write Cambodian numbers: "012 345 678", "012-345-678",
    "(012) 345678", "+855 12 345 678", "855 12 345 678", "00855 12 345 678", Khmer digits,
    and national numbers of 9 or 10 digits with the leading 0. A number is accepted when
    phonenumbers' metadata for Cambodia says it is a valid mobile or fixed-line number;
    service numbers (1800 toll-free, 1900 premium) cannot reach a registrant and are
    refused. With `required=False` empty input returns "".
    """
    value = khmer_digits_to_ascii(clean_text(value))
    if not value:
        if required:
            raise ValidationError(_("Enter a phone number."), code="phone_required")
        return ""
    if not _PHONE_CHARACTERS.fullmatch(value):
        raise ValidationError(PHONE_HELP, code="phone_invalid")
    digits = _PHONE_SEPARATORS.sub("", value)
    national = _cambodian_national_number(digits)
    if national is not None:
        return "+855" + national
    # In Cambodia "008" is an international prefix, so phonenumbers reads "00855…" as a
    # call to Brazil (+55); people who write it mean +855.
    if digits.startswith("00855"):
        value = "+" + digits[2:]
    return _phone_parse(value)


def _phone_parse(value: str) -> str:
    """normalise_phone's answer from phonenumbers' parser, for any shape of number."""
    try:
        number = phonenumbers.parse(value, CAMBODIA_REGION)
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise _foreign_phone_error() from None
        raise ValidationError(PHONE_HELP, code="phone_invalid") from None
    if number.country_code != CAMBODIA_COUNTRY_CODE:
        raise _foreign_phone_error()
    # number_type is UNKNOWN exactly when is_valid_number is false, so one call decides.
    if phonenumbers.number_type(number) not in _PHONE_NUMBER_TYPES:
        raise ValidationError(PHONE_HELP, code="phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _desc_matcher(desc) -> tuple[frozenset[int], re.Pattern] | None:
    if desc is None or not desc.national_number_pattern:
        return None
    return frozenset(desc.possible_length), re.compile(desc.national_number_pattern)


_KH_METADATA = phonenumbers.PhoneMetadata.metadata_for_region(CAMBODIA_REGION)
assert _KH_METADATA is not None  # shipped with phonenumbers
_KH_GENERAL = _desc_matcher(_KH_METADATA.general_desc)
# Longer than this, phonenumbers reads a leading "855" as the country code.
_KH_LONGEST = max(_KH_GENERAL[0]) if _KH_GENERAL else 0
# The types phonenumbers' number_type tries before fixed line and mobile, in its order:
# a number matching one of them is that type, so it is refused.
_KH_REFUSED_TYPES = [
    matcher
    for matcher in map(
        _desc_matcher,
        (
            _KH_METADATA.premium_rate,
            _KH_METADATA.toll_free,
            _KH_METADATA.shared_cost,
            _KH_METADATA.voip,
            _KH_METADATA.personal_number,
            _KH_METADATA.pager,
            _KH_METADATA.uan,
            _KH_METADATA.voicemail,
        ),
    )
    if matcher is not None
]
_KH_ACCEPTED_TYPES = [
    matcher
    for matcher in map(_desc_matcher, (_KH_METADATA.fixed_line, _KH_METADATA.mobile))
    if matcher is not None
]


def _matches(national: str, matcher: tuple[frozenset[int], re.Pattern] | None) -> bool:
    # phonenumbers' _is_number_matching_desc: the length first (no lengths: any), then
    # the whole number against the pattern.
    if matcher is None:
        return False
    lengths, pattern = matcher
    return (not lengths or len(national) in lengths) and pattern.fullmatch(national) is not None


def _cambodian_accepted(national: str) -> bool:
    """number_type(+855 national) is mobile, fixed line or either, from the same metadata."""
    return (
        _matches(national, _KH_GENERAL)
        and not any(_matches(national, matcher) for matcher in _KH_REFUSED_TYPES)
        and any(_matches(national, matcher) for matcher in _KH_ACCEPTED_TYPES)
    )


def _cambodian_national_number(digits: str) -> str | None:
    """The national number of an accepted Cambodian number written the usual ways, or None.

    Parsing costs most of normalise_phone's time, and nearly every number is written as
    "0" + national number, "+855" + national number or "855" + national number. For
    those, when the national number is an accepted mobile or fixed-line number,
    phonenumbers' parse reads the same national number (it strips the national prefix
    "0" because what follows matches Cambodia's pattern, and "855" because the whole is
    longer than any Cambodian number), so the answer is known without it. Anything else,
    refusals included, is left to the parser: None. A test compares both on many numbers.
    """
    if digits.startswith("+855"):
        national = digits[4:]
    elif digits.startswith("855") and len(digits) > _KH_LONGEST:
        national = digits[3:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    if not national.isdigit() or national.startswith("0") or not _cambodian_accepted(national):
        return None
    return national


def _foreign_phone_error() -> ValidationError:
    return ValidationError(
        _(
            "This is not a Cambodian phone number. Enter a Cambodian mobile or landline "
            "number, for example 012 345 678."
        ),
        code="phone_foreign",
    )


def parse_date(value: str | datetime.date) -> datetime.date:
    """Return the date written as YYYY-MM-DD or DD/MM/YYYY (Khmer digits allowed).

    Day and month may have one digit in the DD/MM/YYYY form ("5/1/1990"); the year
    always has four. A `date` is returned as it is, a `datetime` (a spreadsheet cell)
    as its date. Any other layout, two-digit years included, is refused rather than
    guessed, because 03/04/1990 read the wrong way round is a different person.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = khmer_digits_to_ascii(clean_text(value))
    if not text:
        raise ValidationError(_("Enter a date."), code="date_required")
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.groups()
    elif match := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = match.groups()
    else:
        raise ValidationError(
            _("Enter the date as day/month/year, for example 25/12/1990, or as 1990-12-25."),
            code="date_format",
        )
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(
            _("This date does not exist. Check the day and the month."),
            code="date_invalid",
        ) from None


def check_age(date_of_birth: datetime.date, *, today: datetime.date | None = None) -> None:
    """Refuse a date of birth in the future or an age outside 15 to 100 years inclusive.

    The age is in completed years on `today` (the local date by default); someone
    born on 29 February turns a year older on 1 March in common years.
    """
    if today is None:
        today = timezone.localdate()
    if date_of_birth > today:
        raise ValidationError(
            _("The date of birth cannot be in the future."), code="date_in_future"
        )
    had_birthday = (today.month, today.day) >= (date_of_birth.month, date_of_birth.day)
    age = today.year - date_of_birth.year - (0 if had_birthday else 1)
    if age < MIN_AGE:
        raise ValidationError(
            _("The person must be at least %(min_age)s years old to register."),
            code="age_too_young",
            params={"min_age": MIN_AGE},
        )
    if age > MAX_AGE:
        raise ValidationError(
            _("Check the date of birth: the person would be more than %(max_age)s years old."),
            code="age_too_old",
            params={"max_age": MAX_AGE},
        )


def normalise_national_id(value: str) -> str:
    """Return the Khmer national ID card number as its 9 digits, or "" when empty.

    Khmer digits become ASCII; spaces and hyphens people type between groups are removed;
    leading zeros are kept (it is an identifier, not a quantity). Exactly 9 digits are
    accepted: that is the number printed on the Cambodian national ID card. A tenth digit
    is usually the check digit copied from the card's machine-readable line or a typing
    slip; accepting it would store one card in two forms and defeat dedup on this field.
    A number made of one repeated digit ("000000000") is what forms get when someone has
    no card to hand; it is refused because it would make unrelated people look like
    duplicates. The field is optional: empty input returns "".
    """
    value = _NATIONAL_ID_SEPARATORS.sub("", khmer_digits_to_ascii(clean_text(value)))
    if not value:
        return ""
    if not _NATIONAL_ID.fullmatch(value):
        raise ValidationError(
            _("Enter the 9 digits of the national ID card number."),
            code="national_id_format",
        )
    if len(set(value)) == 1:
        raise ValidationError(
            _(
                "This is not a real national ID number. Leave the field empty if the "
                "person has no ID card."
            ),
            code="national_id_placeholder",
        )
    return value


def phone_display(value: str) -> str:
    """A stored (E.164) number as people read it: +855977654321 → 097 765 4321.

    A foreign number keeps its international form; anything unparsable is shown as is.
    """
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, CAMBODIA_REGION)
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == CAMBODIA_COUNTRY_CODE:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
