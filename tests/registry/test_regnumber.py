import random

import pytest

from registry.regnumber import (
    damm_check_digit,
    registration_number_clean,
    registration_number_format,
    registration_number_is_valid,
    registration_number_new,
)

SAMPLE_SIZE = 300


def sample_numbers(seed=20250615):
    rng = random.Random(seed)
    return [registration_number_new(rng=rng) for _ in range(SAMPLE_SIZE)]


def with_check_digit(body):
    return body + damm_check_digit(body)


# damm_check_digit


@pytest.mark.parametrize(
    ("body", "check_digit"),
    # 572 -> 4 is the worked example in Damm's thesis and the Wikipedia article.
    [("572", "4"), ("5724", "0"), ("", "0"), ("0", "0")],
)
def test_damm_check_digit_known_values(body, check_digit):
    assert damm_check_digit(body) == check_digit


# registration_number_new


def test_registration_number_new_is_ten_digits_not_starting_with_zero_and_valid():
    for number in [registration_number_new() for _ in range(SAMPLE_SIZE)] + sample_numbers():
        assert len(number) == 10
        assert number.isascii() and number.isdigit()
        assert number[0] != "0"
        assert registration_number_is_valid(number)
        assert damm_check_digit(number[:9]) == number[9]


def test_registration_number_new_is_random():
    numbers = {registration_number_new() for _ in range(SAMPLE_SIZE)}
    assert len(numbers) == SAMPLE_SIZE
    assert {number[0] for number in sample_numbers()} == set("123456789")


def test_registration_number_new_is_reproducible_with_an_rng():
    assert sample_numbers(seed=7) == sample_numbers(seed=7)
    assert sample_numbers(seed=7) != sample_numbers(seed=8)


def test_registration_number_new_covers_the_whole_range():
    class Lowest(random.Random):
        def randrange(self, *args, **kwargs):
            return 0

    class Highest(random.Random):
        def randrange(self, stop, *args, **kwargs):
            return stop - 1

    assert registration_number_new(rng=Lowest())[:9] == "100000000"
    assert registration_number_new(rng=Highest())[:9] == "999999999"


# Error detection: the reason for the check digit.


def test_every_single_digit_substitution_is_detected():
    for number in sample_numbers():
        for position in range(len(number)):
            for digit in "0123456789":
                if digit == number[position]:
                    continue
                mistyped = number[:position] + digit + number[position + 1 :]
                assert not registration_number_is_valid(mistyped), (number, mistyped)


def test_every_adjacent_transposition_is_detected():
    for number in sample_numbers():
        for position in range(len(number) - 1):
            first, second = number[position], number[position + 1]
            if first == second:
                continue
            swapped = number[:position] + second + first + number[position + 2 :]
            assert not registration_number_is_valid(swapped), (number, swapped)


def prefix_for_every_interim_state():
    # Damm's check digit of a prefix is the algorithm's interim state after it; the first
    # row of the table is a permutation, so one digit reaches each of the ten states.
    prefixes = {damm_check_digit(digit): digit for digit in "0123456789"}
    assert sorted(prefixes) == list("0123456789")
    return list(prefixes.values())


def test_single_substitutions_are_detected_from_every_state():
    # From any state, two different next digits lead to different states (rows are
    # permutations), and a common suffix keeps different states different (columns are
    # permutations), so no single substitution anywhere can end in the valid state 0.
    for prefix in prefix_for_every_interim_state():
        assert len({damm_check_digit(prefix + digit) for digit in "0123456789"}) == 10
    for digit in "0123456789":
        states = {damm_check_digit(prefix + digit) for prefix in prefix_for_every_interim_state()}
        assert len(states) == 10


def test_adjacent_transpositions_are_detected_from_every_state():
    # Weak total anti-symmetry, checked for every state and every pair of distinct digits;
    # with the column property above this covers a swap at any position of any number.
    for prefix in prefix_for_every_interim_state():
        for first in "0123456789":
            for second in "0123456789":
                if first != second:
                    assert damm_check_digit(prefix + first + second) != damm_check_digit(
                        prefix + second + first
                    )


# registration_number_is_valid / registration_number_clean


@pytest.mark.parametrize(
    "decorate",
    [
        lambda number: number,
        lambda number: f"{number[:3]} {number[3:6]} {number[6:]}",
        lambda number: f"{number[:3]}-{number[3:6]}-{number[6:]}",
        lambda number: f"  {number[:3]}  {number[3:6]}\u00a0{number[6:]} ",
        lambda number: f"{number[:5]}\u200b{number[5:]}",
        lambda number: f"{number[:3]}\u2013{number[3:]}",
        lambda number: number.translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")),
        lambda number: (
            number[:4].translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")) + " " + number[4:]
        ),
    ],
)
def test_registration_number_tolerates_what_people_type_around_it(decorate):
    for number in sample_numbers()[:20]:
        typed = decorate(number)
        assert registration_number_is_valid(typed)
        assert registration_number_clean(typed) == number


def test_registration_number_refuses_a_leading_zero_even_with_a_correct_check_digit():
    number = with_check_digit("012345678")
    assert damm_check_digit(number) == "0"
    assert not registration_number_is_valid(number)
    assert registration_number_clean(number) is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "572",
        "5724",
        "123456789",
        "12345678901",
        "abcdefghij",
        "123 456 789X",
        "123.456.7890",
        "123/456/7890",
        "+1234567890",
        "1234567890\n1234567890",
    ],
)
def test_registration_number_refuses_malformed_values(value):
    assert not registration_number_is_valid(value)
    assert registration_number_clean(value) is None


def test_registration_number_refuses_a_wrong_check_digit():
    number = sample_numbers()[0]
    for digit in "0123456789":
        candidate = number[:9] + digit
        assert registration_number_is_valid(candidate) is (digit == number[9])


def test_registration_number_refuses_too_long_and_too_short_versions_of_a_valid_number():
    number = sample_numbers()[0]
    assert not registration_number_is_valid(number[:-1])
    assert not registration_number_is_valid(number + damm_check_digit(number))
    assert not registration_number_is_valid(number[1:])


# registration_number_format


def test_registration_number_format_groups_3_3_4():
    number = with_check_digit("123456789")
    assert registration_number_format(number) == f"123 456 789{number[-1]}"


def test_registration_number_format_accepts_typed_forms():
    for number in sample_numbers()[:20]:
        display = f"{number[:3]} {number[3:6]} {number[6:]}"
        assert registration_number_format(number) == display
        assert registration_number_format(f"{number[:5]}-{number[5:]}") == display
        assert registration_number_format(display) == display


@pytest.mark.parametrize("value", ["", "123", "0123456789x"])
def test_registration_number_format_refuses_invalid_numbers(value):
    with pytest.raises(ValueError, match="not a valid registration number"):
        registration_number_format(value)


def test_registration_number_format_refuses_a_wrong_check_digit():
    number = sample_numbers()[0]
    wrong = number[:9] + str((int(number[9]) + 1) % 10)
    with pytest.raises(ValueError, match="not a valid registration number"):
        registration_number_format(wrong)
