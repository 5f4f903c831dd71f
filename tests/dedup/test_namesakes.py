"""Precision as villages fill up (issue 18): the pairs that decide whether a merge can be
trusted, pinned one by one.

Common names repeat inside villages; two people with one name, one village and birth
dates days or months apart must never be merged by the machine. The known ways one
person's date gets written wrong still merge when everything else agrees.
"""

import datetime

import pytest

from dedup.engine import keys_refresh
from dedup.engine.scoring import compare_dob, record_from_keys
from dedup.models import DuplicateCase, Merge
from registry.models import Person
from tests.dedup.test_dedup_engine import assert_kept_apart, check, pair_found, person

pytestmark = pytest.mark.django_db

DOB = datetime.date(1990, 5, 17)
NAME = {"name_km": "ចាន់ សុភា", "name_latin": "Chan Sophea", "sex": "F"}


def neighbours(second_dob, *, second_phone="+85517333444", second_id=""):
    """Two women called ចាន់ សុភា in one village, the second without an ID number."""
    first = person(**NAME, date_of_birth=DOB, phone="+85512111222", national_id="123456789")
    second = person(**NAME, date_of_birth=second_dob, phone=second_phone, national_id=second_id)
    check(first, second)
    return first, second


@pytest.mark.parametrize(
    "second_dob",
    [
        datetime.date(1990, 5, 29),  # twelve days apart (two digits differ)
        datetime.date(1990, 8, 3),  # months apart, same year
        datetime.date(1991, 2, 11),  # the next year
        datetime.date(1989, 12, 30),  # the year before
    ],
    ids=["days", "months", "next-year", "year-before"],
)
def test_same_name_neighbours_born_apart_with_other_phones_are_never_merged(geography, second_dob):
    first, second = neighbours(second_dob)
    assert_kept_apart(first, second)
    # A review case at most.
    assert pair_found(first, second) in (None, DuplicateCase.Decision.OPEN)


@pytest.mark.parametrize(
    "second_dob",
    [datetime.date(1990, 5, 18), datetime.date(1990, 5, 7)],
    ids=["one-digit", "one-digit-tens"],
)
def test_same_name_neighbours_a_slip_apart_with_other_phones_go_to_a_person(geography, second_dob):
    # One digit apart by chance: the date alone would pass for a typo; with another phone
    # on top, a person decides.
    first, second = neighbours(second_dob)
    assert not Merge.objects.exists()
    assert Person.objects.filter(status=Person.Status.ACTIVE).count() == 2
    assert pair_found(first, second) == DuplicateCase.Decision.OPEN


@pytest.mark.parametrize(
    "second_dob",
    [
        datetime.date(1990, 5, 18),  # one mistyped digit
        datetime.date(1990, 7, 5),  # 1990-05-07 read with day and month swapped
        datetime.date(1989, 5, 17),  # the year off by one, day and month right
        datetime.date(1991, 5, 17),
    ],
    ids=["one-digit", "day-month-swapped", "year-before", "year-after"],
)
def test_the_known_date_errors_still_merge_when_everything_else_agrees(geography, second_dob):
    first_dob = datetime.date(1990, 5, 7) if second_dob == datetime.date(1990, 7, 5) else DOB
    first = person(**NAME, date_of_birth=first_dob, phone="+85512111222", national_id="")
    second = person(**NAME, date_of_birth=second_dob, phone="+85512111222", national_id="")
    check(first, second)
    assert pair_found(first, second) == DuplicateCase.Decision.MERGED


def test_year_off_by_one_with_day_and_month_equal_is_a_known_error(geography):
    a = person(**NAME, date_of_birth=datetime.date(1989, 12, 3), national_id="")
    b = person(**NAME, date_of_birth=datetime.date(1990, 12, 3), national_id="")
    c = person(**NAME, date_of_birth=datetime.date(1990, 12, 4), national_id="")

    def record(p):
        return record_from_keys(keys_refresh(person_id=p.pk))

    assert compare_dob(record(a), record(b)) == "typo"  # 1989 -> 1990: three digits change
    assert compare_dob(record(a), record(c)) != "typo"


def test_everything_agrees_and_only_one_side_has_an_id_number_merges(geography):
    first = person(**NAME, date_of_birth=DOB, phone="+85512111222", national_id="123456789")
    second = person(**NAME, date_of_birth=DOB, phone="+85512111222", national_id="")
    check(first, second)
    assert pair_found(first, second) == DuplicateCase.Decision.MERGED


def test_twins_sharing_the_household_phone_are_never_merged(geography):
    phone = "+85512777666"
    first = person(
        name_km="ចាន់ សុភា", name_latin="Chan Sophea", sex="F", phone=phone, national_id=""
    )
    second = person(name_km="ចាន់ សុភី", name_latin="Chan Sophy", sex="F", phone=phone, national_id="")
    check(first, second)
    assert_kept_apart(first, second)
    assert pair_found(first, second) in (None, DuplicateCase.Decision.OPEN)


@pytest.mark.parametrize("phone", ["+85512777666", ""], ids=["shared-phone", "no-phone"])
def test_same_birth_date_and_different_given_names_are_never_merged(geography, phone):
    first = person(name_km="សុខ ដារ៉ា", name_latin="Sok Dara", phone=phone, national_id="")
    second = person(name_km="សុខ សុខា", name_latin="Sok Sokha", phone=phone, national_id="")
    check(first, second)
    assert_kept_apart(first, second)
    assert pair_found(first, second) in (None, DuplicateCase.Decision.OPEN)


def test_a_shared_phone_with_different_given_names_is_a_household_not_a_case(geography):
    phone = "+85512999888"
    sister = person(
        name_km="សុខ ស្រីពៅ", name_latin="Sok Sreypov", sex="F",
        date_of_birth=datetime.date(1995, 1, 30), phone=phone, national_id="",
    )  # fmt: skip
    brother = person(
        name_km="សុខ សុខា", name_latin="Sok Sokha", sex="M",
        date_of_birth=datetime.date(1993, 4, 2), phone=phone, national_id="",
    )  # fmt: skip
    check(sister, brother)
    assert pair_found(sister, brother) is None
