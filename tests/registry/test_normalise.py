import datetime
import random
import re

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from registry.normalise import (
    check_age,
    clean_text,
    khmer_digits_to_ascii,
    normalise_name_km,
    normalise_name_latin,
    normalise_national_id,
    normalise_phone,
    parse_date,
    phone_display,
)

pytestmark = pytest.mark.usefixtures("in_english")


def assert_refused(function, value, code, **kwargs):
    with pytest.raises(ValidationError) as raised:
        function(value, **kwargs)
    assert raised.value.code == code
    message = raised.value.messages[0]
    assert message and "%(" not in message
    return message


# clean_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sok Dara", "Sok Dara"),
        ("  Sok   Dara  ", "Sok Dara"),
        ("Sok\tDara\n", "Sok Dara"),
        ("Sok\u00a0\u00a0Dara", "Sok Dara"),
        ("Sok \u3000\u2009 Dara", "Sok Dara"),
        ("\r\n Sok \r\n", "Sok"),
        ("e\u0301", "\u00e9"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_clean_text_collapses_whitespace_and_composes(value, expected):
    assert clean_text(value) == expected


@pytest.mark.parametrize("zero_width", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_clean_text_removes_each_zero_width_character(zero_width):
    assert clean_text(f"{zero_width}សុខ{zero_width}ដារា{zero_width}") == "សុខដារា"
    assert clean_text(f"Sok {zero_width} Dara") == "Sok Dara"
    assert clean_text(zero_width) == ""


@pytest.mark.parametrize("name", ["ស្រីពៅ", "សុខ ដារា", "ច័ន្ទ សុភ័ក្ត្រ", "ឈឹម ស៊ីណា", "ក្ស"])
def test_clean_text_keeps_khmer_marks_and_coeng(name):
    assert clean_text(name) == name
    assert "\u17d2" in clean_text("ស្រី")


# khmer_digits_to_ascii


def test_khmer_digits_to_ascii_maps_every_digit():
    assert khmer_digits_to_ascii("០១២៣៤៥៦៧៨៩") == "0123456789"


def test_khmer_digits_to_ascii_leaves_other_characters():
    assert khmer_digits_to_ascii("ភូមិ ១២ - Phum 12") == "ភូមិ 12 - Phum 12"
    assert khmer_digits_to_ascii("") == ""


# normalise_name_km


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("សុខ ដារា", "សុខ ដារា"),
        ("  សុខ   ដារា ", "សុខ ដារា"),
        ("សុខ\u00a0ដារា", "សុខ ដារា"),
        ("សុខ\u200bដារា", "សុខដារា"),
        ("ស្រីពៅ", "ស្រីពៅ"),
        ("ច័ន្ទ សុភ័ក្ត្រ", "ច័ន្ទ សុភ័ក្ត្រ"),
        ("ឧត្តម", "ឧត្តម"),
    ],
)
def test_normalise_name_km_accepts(value, expected):
    assert normalise_name_km(value) == expected


@pytest.mark.parametrize("value", ["", "   ", "\u200b", "\u00a0"])
def test_normalise_name_km_refuses_empty(value):
    assert_refused(normalise_name_km, value, "name_km_required")


@pytest.mark.parametrize("value", ["សុខ 2", "សុខ ២", "៣", "សុខ ៥ ដារា", "១២៣"])
def test_normalise_name_km_refuses_digits(value):
    assert_refused(normalise_name_km, value, "name_km_digits")


@pytest.mark.parametrize(
    "value",
    ["Sok Dara", "សុខ Dara", "SOK", "สมชาย", "Сок", "សុខ.", "សុខ-ដារា", "\u17d2", "។", "សុខ!"],
)
def test_normalise_name_km_refuses_other_scripts(value):
    message = assert_refused(normalise_name_km, value, "name_km_script")
    assert "Khmer" in message


# normalise_name_latin


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("SOK dara", "Sok Dara"),
        ("sok dara", "Sok Dara"),
        ("Sok Dara", "Sok Dara"),
        ("  sok   DARA  ", "Sok Dara"),
        ("sok\u00a0dara", "Sok Dara"),
        ("so\u200bk dara", "Sok Dara"),
        ("jean-pierre", "Jean-Pierre"),
        ("Sok - Dara", "Sok-Dara"),
        ("sok\u2013dara", "Sok-Dara"),
        ("o'neil", "O'Neil"),
        ("O\u2019NEIL", "O'Neil"),
        ("élise", "Élise"),
        ("e\u0301lise", "Élise"),
        ("CHHUN", "Chhun"),
        ("", ""),
        ("   ", ""),
        ("\u200b", ""),
    ],
)
def test_normalise_name_latin_accepts(value, expected):
    assert normalise_name_latin(value) == expected


@pytest.mark.parametrize("value", ["Sok 2", "Sok2 Dara", "Sok ២", "007"])
def test_normalise_name_latin_refuses_digits(value):
    assert_refused(normalise_name_latin, value, "name_latin_digits")


@pytest.mark.parametrize(
    "value", ["សុខ ដារា", "Sok សុខ", "Sok_Dara", "Sok.Dara", "Sok, Dara", "Сок", "Sok@", "Dr. Sok"]
)
def test_normalise_name_latin_refuses_other_characters(value):
    message = assert_refused(normalise_name_latin, value, "name_latin_script")
    assert "Latin" in message


@pytest.mark.parametrize("value", ["-Sok", "Sok-", "Sok--Dara", "Sok'", "'Sok", "Sok '-Dara", "-"])
def test_normalise_name_latin_refuses_misplaced_separators(value):
    assert_refused(normalise_name_latin, value, "name_latin_format")


# normalise_phone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("012 345 678", "+85512345678"),
        ("012-345-678", "+85512345678"),
        ("012345678", "+85512345678"),
        ("(012) 345678", "+85512345678"),
        ("012.345.678", "+85512345678"),
        ("+855 12 345 678", "+85512345678"),
        ("+85512345678", "+85512345678"),
        ("855 12 345 678", "+85512345678"),
        ("+855 012 345 678", "+85512345678"),
        ("(+855) 12 345 678", "+85512345678"),
        ("00855 12 345 678", "+85512345678"),
        ("០១២ ៣៤៥ ៦៧៨", "+85512345678"),
        ("+៨៥៥ ១២ ៣៤៥ ៦៧៨", "+85512345678"),
        ("012\u00a0345\u200b678", "+85512345678"),
        ("  012 345 678  ", "+85512345678"),
        ("097 123 4567", "+855971234567"),
        ("0971234567", "+855971234567"),
        ("088 123 4567", "+855881234567"),
        ("071 234 5678", "+855712345678"),
        ("023 218 888", "+85523218888"),
        ("+855 23 218 888", "+85523218888"),
    ],
)
def test_normalise_phone_accepts(value, expected):
    assert normalise_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    ["+66 81 234 5678", "+1 202 555 0123", "+44 20 7946 0958", "001 202 555 0123", "+999 123 456"],
)
def test_normalise_phone_refuses_foreign_numbers(value):
    message = assert_refused(normalise_phone, value, "phone_foreign")
    assert "not a Cambodian" in message


@pytest.mark.parametrize(
    "value",
    [
        "012 34",
        "0123",
        "012 345 678 9012",
        "066 123 4567",
        "023 123 456",
        "0855 12 345 678",
        "012-FLOWERS",
        "012 345 678 ext 5",
        "012 345 678 / 097 123 4567",
        "1800 123 456",
        "1900 123 456",
        "abc",
        "+",
        "+855",
    ],
)
def test_normalise_phone_refuses_invalid_cambodian_numbers(value):
    message = assert_refused(normalise_phone, value, "phone_invalid")
    assert "012 345 678" in message


@pytest.mark.parametrize("value", ["", "   ", "\u200b"])
def test_normalise_phone_refuses_empty_when_required(value):
    assert_refused(normalise_phone, value, "phone_required")


@pytest.mark.parametrize("value", ["", "   ", "\u200b"])
def test_normalise_phone_returns_empty_when_optional(value):
    assert normalise_phone(value, required=False) == ""


def test_normalise_phone_optional_still_checks_a_given_number():
    assert normalise_phone("012 345 678", required=False) == "+85512345678"
    assert_refused(normalise_phone, "0123", "phone_invalid", required=False)
    assert_refused(normalise_phone, "+66 81 234 5678", "phone_foreign", required=False)


def _phone_by_phonenumbers(value):
    """normalise_phone's outcome as phonenumbers' parser gives it (its first version)."""
    value = khmer_digits_to_ascii(clean_text(value))
    digits = re.sub(r"[^0-9+]", "", value)
    if digits.startswith("00855"):
        value = "+" + digits[2:]
    try:
        number = phonenumbers.parse(value, "KH")
    except phonenumbers.NumberParseException as error:
        if error.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            return "phone_foreign"
        return "phone_invalid"
    if number.country_code != 855:
        return "phone_foreign"
    accepted = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in accepted:
        return "phone_invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _phone_outcome(value):
    try:
        return normalise_phone(value)
    except ValidationError as error:
        return error.code


def test_normalise_phone_gives_phonenumbers_answer_for_every_prefix_and_length():
    # normalise_phone answers the usual shapes without parsing; this checks it against
    # the parser on every 3-digit start of a national number, every length around
    # Cambodia's, in every way of writing it.
    rng = random.Random(5)
    shapes = [
        "0{}",
        "+855{}",
        "855{}",
        "+855 0{}",
        "00855 {}",
        "{}",
        "8550{}",
        "(0{}",
        "+ 855-{}",
        "++855{}",
        "0 {}",
    ]
    checked = accepted = 0
    for start in range(1000):
        for length in range(6, 12):
            national = f"{start:03d}" + "".join(rng.choice("0123456789") for _ in range(length - 3))
            for shape in shapes:
                value = shape.format(national)
                expected = _phone_by_phonenumbers(value)
                assert _phone_outcome(value) == expected, value
                checked += 1
                accepted += expected.startswith("+")
    assert checked == 66_000
    assert accepted > 5_000


# parse_date


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-12-25", datetime.date(1990, 12, 25)),
        ("25/12/1990", datetime.date(1990, 12, 25)),
        ("05/01/1990", datetime.date(1990, 1, 5)),
        ("5/1/1990", datetime.date(1990, 1, 5)),
        ("5/01/1990", datetime.date(1990, 1, 5)),
        ("០៥/០១/១៩៩០", datetime.date(1990, 1, 5)),
        ("៥/១/១៩៩០", datetime.date(1990, 1, 5)),
        ("១៩៩០-១២-២៥", datetime.date(1990, 12, 25)),
        (" 25/12/1990 ", datetime.date(1990, 12, 25)),
        ("25/12/1990\u200b", datetime.date(1990, 12, 25)),
        ("29/02/2000", datetime.date(2000, 2, 29)),
        ("2024-02-29", datetime.date(2024, 2, 29)),
    ],
)
def test_parse_date_accepts(value, expected):
    assert parse_date(value) == expected


def test_parse_date_passes_dates_through():
    assert parse_date(datetime.date(1990, 12, 25)) == datetime.date(1990, 12, 25)
    parsed = parse_date(datetime.datetime(1990, 12, 25, 0, 0, tzinfo=datetime.UTC))
    assert parsed == datetime.date(1990, 12, 25)
    assert type(parsed) is datetime.date


@pytest.mark.parametrize(
    "value",
    [
        "25-12-1990",
        "1990/12/25",
        "25.12.1990",
        "19901225",
        "1990-1-5",
        "25/12/90",
        "12/25/90",
        "25 December 1990",
        "25 / 12 / 1990",
        "025/12/1990",
        "1990-12-25T00:00:00",
        "1990-12-25 00:00:00",
        "abc",
        "1990",
    ],
)
def test_parse_date_refuses_other_layouts(value):
    message = assert_refused(parse_date, value, "date_format")
    assert "25/12/1990" in message


@pytest.mark.parametrize(
    "value",
    [
        "31/02/2000",
        "29/02/2001",
        "2001-02-29",
        "32/01/2000",
        "00/01/2000",
        "15/13/2000",
        "0000-01-01",
    ],
)
def test_parse_date_refuses_impossible_dates(value):
    assert_refused(parse_date, value, "date_invalid")


@pytest.mark.parametrize("value", ["", "  ", "\u200b"])
def test_parse_date_refuses_empty(value):
    assert_refused(parse_date, value, "date_required")


# check_age

TODAY = datetime.date(2025, 6, 15)


@pytest.mark.parametrize(
    "date_of_birth",
    [
        datetime.date(2010, 6, 15),  # 15th birthday today
        datetime.date(2010, 6, 14),
        datetime.date(1990, 1, 1),
        datetime.date(1925, 6, 16),  # 100, 101st birthday tomorrow
        datetime.date(1925, 6, 15),  # 100th birthday today
    ],
)
def test_check_age_accepts_ages_15_to_100(date_of_birth):
    assert check_age(date_of_birth, today=TODAY) is None


@pytest.mark.parametrize(
    "date_of_birth",
    [datetime.date(2010, 6, 16), datetime.date(2020, 1, 1), TODAY],
)
def test_check_age_refuses_under_15(date_of_birth):
    message = assert_refused(check_age, date_of_birth, "age_too_young", today=TODAY)
    assert "15" in message


@pytest.mark.parametrize("date_of_birth", [datetime.date(1924, 6, 15), datetime.date(1900, 1, 1)])
def test_check_age_refuses_over_100(date_of_birth):
    message = assert_refused(check_age, date_of_birth, "age_too_old", today=TODAY)
    assert "100" in message


@pytest.mark.parametrize("date_of_birth", [datetime.date(2025, 6, 16), datetime.date(2090, 1, 1)])
def test_check_age_refuses_birth_in_the_future(date_of_birth):
    assert_refused(check_age, date_of_birth, "date_in_future", today=TODAY)


def test_check_age_counts_29_february_birthdays_from_1_march():
    born = datetime.date(2008, 2, 29)
    assert_refused(check_age, born, "age_too_young", today=datetime.date(2023, 2, 28))
    assert check_age(born, today=datetime.date(2023, 3, 1)) is None


def test_check_age_defaults_to_the_local_date():
    today = timezone.localdate()
    assert check_age(today.replace(year=today.year - 30, day=1)) is None
    assert_refused(check_age, today + datetime.timedelta(days=1), "date_in_future")
    assert_refused(check_age, today.replace(year=today.year - 14, day=1), "age_too_young")


# normalise_national_id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("012345678", "012345678"),
        ("012 345 678", "012345678"),
        ("012-345-678", "012345678"),
        ("  012345678 ", "012345678"),
        ("012\u00a0345\u200b678", "012345678"),
        ("០១២៣៤៥៦៧៨", "012345678"),
        ("០១២ ៣៤៥ ៦៧៨", "012345678"),
        ("100200300", "100200300"),
        ("", ""),
        ("   ", ""),
        ("\u200b", ""),
        ("-", ""),
    ],
)
def test_normalise_national_id_accepts(value, expected):
    assert normalise_national_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "12345678",
        "0123456789",
        "01234567A",
        "012.345.678",
        "012/345/678",
        "ID012345678",
        "០១២៣៤៥៦៧",
    ],
)
def test_normalise_national_id_refuses_wrong_format(value):
    message = assert_refused(normalise_national_id, value, "national_id_format")
    assert "9 digits" in message


@pytest.mark.parametrize("value", ["000000000", "999999999", "111 111 111", "០០០០០០០០០"])
def test_normalise_national_id_refuses_placeholders(value):
    assert_refused(normalise_national_id, value, "national_id_placeholder")


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+855977654321", "097 765 4321"),
        ("+85512345678", "012 345 678"),
        ("+66812345678", "+66 81 234 5678"),  # a foreign number keeps its country code
        ("", ""),
        ("not a number", "not a number"),
    ],
)
def test_a_stored_phone_is_shown_as_dialled_in_cambodia(stored, shown):
    assert phone_display(stored) == shown
