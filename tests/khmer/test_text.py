import pytest

from khmer.text import clean_text, khmer_digits_to_ascii


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("សុខ\u200bដារា", "សុខដារា"),  # zero-width space from a Khmer keyboard
        ("Sok\x00 Dara", "Sok Dara"),  # NUL, which PostgreSQL refuses in text
        ("Sok\x1b[31m Dara\x7f", "Sok[31m Dara"),  # escape and DEL
        ("Sok\u0085Dara", "Sok Dara"),  # NEL is whitespace: collapsed, not removed
        ("  Sok \t\n Dara  ", "Sok Dara"),
    ],
)
def test_clean_text_removes_what_cannot_be_seen_and_collapses_whitespace(typed, kept):
    assert clean_text(typed) == kept


def test_khmer_digits_become_ascii():
    assert khmer_digits_to_ascii("០១២ ៣៤៥") == "012 345"
