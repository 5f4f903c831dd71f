"""Comparison keys: each romanisation and formatting variant gives the same key."""

import pytest

from dedup.engine.keys import (
    fold_latin_word,
    khmer_key,
    latin_key,
    national_id_key,
    phone_key,
)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Sok Dara", "Sokh Dara"),
        ("Chhay Dara", "Chay Dara"),
        ("Sok Vuthy", "Sok Vutthy"),
        ("Khiev Sophea", "Khieu Sophear"),
        ("Chan Thida", "Chann Thidar"),
        ("Sok Sreymom", "Sok Srey Mom"),
        ("Sok Sreymom", "Sok Sreimom"),
        ("Touch Pisey", "Tuch Pisei"),
        ("Keo Bopha", "Kaev Boppha"),
        ("Pov Dara", "Peou Dara"),
        ("Meas Dara", "Meah Dara"),
        ("Chhorn Dara", "Chorn Dara"),
        ("Ly Dara", "Lee Dara"),
        ("Vathana Sok", "Watthana Sok"),
        ("Sok Dara", "Dara Sok"),  # swapped order
        ("SOK DARA", "sok dara"),
    ],
)
def test_latin_key_folds_romanisation_variants(one, other):
    assert latin_key(one) == latin_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("Kim", "Kum"), ("Heng", "Hang"), ("Sok", "Sam"), ("Dara", "Dary")],
)
def test_latin_key_keeps_different_names_apart(one, other):
    assert fold_latin_word(one) != fold_latin_word(other)


def test_khmer_key_ignores_zero_width_spaces_and_word_order():
    assert khmer_key("សុខ ដារ៉ា") == khmer_key("ដារ៉ា សុខ")
    assert khmer_key("សុខ ដារ៉ា") == khmer_key("សុខ\u200bដារ៉ា")
    assert khmer_key("សុខ ដារ៉ា") == khmer_key("សុ\u200bខ ដា\u200bរ៉ា")
    assert khmer_key("សុខ ដារ៉ា") != khmer_key("សុខ សុខា")


@pytest.mark.parametrize(
    ("canonical", "legacy"),
    [("អ៊ុំ", "អ៊ំុ"), ("ហ៊ុន", "ហុ៊ន"), ("តាំង", "តំាង"), ("ម៉ុន", "មុ៉ន"), ("ស៊ីម", "សី៊ម")],
)
def test_khmer_key_canonicalises_legacy_typing_order(canonical, legacy):
    assert canonical != legacy
    assert khmer_key(canonical) == khmer_key(legacy)


@pytest.mark.parametrize(
    "written",
    [
        "012 345 678",
        "012345678",
        "012-345-678",
        "+855 12 345 678",
        "+85512345678",
        "85512345678",
        "០១២ ៣៤៥ ៦៧៨",
    ],
)
def test_phone_key_is_e164_whatever_the_format(written):
    assert phone_key(written) == "+85512345678"


def test_national_id_key_reads_khmer_digits_and_separators():
    assert national_id_key("១២៣៤៥៦៧៨៩") == "123456789"
    assert national_id_key("123 456-789") == "123456789"
    assert national_id_key("") == ""
    assert national_id_key("000000000") == ""
