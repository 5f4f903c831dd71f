import pytest

from registry.models import Person
from registry.regnumber import registration_number_format, registration_number_new
from registry.selectors.verification import registration_verify
from tests.factories import PersonFactory

KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def _province(person):
    return person.village.commune.district.province


def _outcome(response) -> str:
    marker = 'data-outcome="'
    content = response.content.decode()
    start = content.index(marker) + len(marker)
    return content[start : content.index('"', start)]


def _mistyped(number: str) -> str:
    """`number` with its fourth digit changed: the check digit must catch it."""
    digit = str((int(number[3]) + 1) % 10)
    return number[:3] + digit + number[4:]


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_active_card(db, client):
    person = PersonFactory()
    response = client.get(f"/verify/{person.registration_number}/")
    assert response.status_code == 200
    assert _outcome(response) == "active"
    content = response.content.decode()
    assert '<html lang="km">' in content
    assert _province(person).name_km in content
    assert registration_number_format(person.registration_number) in content
    for personal in (
        person.name_km,
        person.name_latin,
        str(person.phone),
        str(person.phone.national_number),
        "17/05/1990",
        "1990-05-17",
    ):
        assert personal not in content


def test_active_card_in_english(db, en):
    person = PersonFactory()
    response = en.get(f"/verify/{person.registration_number}/")
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "This registration is valid and active." in content
    assert _province(person).name_en in content
    assert "Sok Dara" not in content


def test_page_is_not_indexed_nor_cached(db, client):
    person = PersonFactory()
    for url in (f"/verify/{person.registration_number}/", "/verify/"):
        response = client.get(url)
        assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert "noindex" in response["X-Robots-Tag"]


def test_withdrawn_card_is_no_longer_active_and_hides_the_province(db, en):
    person = PersonFactory(status=Person.Status.WITHDRAWN)
    response = en.get(f"/verify/{person.registration_number}/")
    assert _outcome(response) == "withdrawn"
    content = response.content.decode()
    assert "This registration is no longer active." in content
    assert "valid and active" not in content
    assert _province(person).name_en not in content


def test_merged_card_is_valid_without_revealing_the_other_number(db, en):
    survivor = PersonFactory()
    merged = PersonFactory(status=Person.Status.MERGED)
    response = en.get(f"/verify/{merged.registration_number}/")
    assert _outcome(response) == "merged"
    content = response.content.decode()
    assert "Valid: this record was merged into another registration." in content
    assert survivor.registration_number not in content
    assert registration_number_format(survivor.registration_number) not in content


def test_unknown_number(db, en):
    number = registration_number_new()
    response = en.get(f"/verify/{number}/")
    assert response.status_code == 200
    assert _outcome(response) == "unknown"
    assert "There is no registration with this number." in response.content.decode()


def test_wrong_check_digit_says_to_check_the_digits(db, en):
    person = PersonFactory()
    mistyped = _mistyped(person.registration_number)
    response = en.get(f"/verify/{mistyped}/")
    assert _outcome(response) == "check_digit"
    content = response.content.decode()
    assert "This is not a valid registration number: check the digits." in content
    assert "There is no registration with this number." not in content
    assert _province(person).name_en not in content


def test_something_else_than_ten_digits_is_not_a_registration_number(db, en):
    for typed in ("12345", "48291305741", "abcdefghij", "0829130574"):
        response = en.get(f"/verify/{typed}/")
        assert _outcome(response) == "format", typed
        content = response.content.decode()
        assert "This is not a registration number." in content
        assert "check the digits" not in content


def test_spaces_and_khmer_digits_in_the_url_redirect_to_the_canonical_page(db, client):
    person = PersonFactory()
    number = person.registration_number
    for typed in (
        registration_number_format(number),
        number.translate(KHMER_DIGITS),
        registration_number_format(number).translate(KHMER_DIGITS).replace(" ", "-"),
    ):
        response = client.get(f"/verify/{typed}/")
        assert response.status_code == 302, typed
        assert response["Location"] == f"/verify/{number}/"
        assert _outcome(client.get(response["Location"])) == "active"


def test_form_is_shown_without_a_number(db, client):
    response = client.get("/verify/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="number"' in content
    assert "data-outcome" not in content


def test_form_redirects_a_typed_number_to_its_page(db, client):
    person = PersonFactory()
    number = person.registration_number
    for typed in (
        number,
        f"  {registration_number_format(number)} ",
        registration_number_format(number).translate(KHMER_DIGITS),
    ):
        response = client.get("/verify/", {"number": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == f"/verify/{number}/"


def test_form_answers_a_mistyped_number_in_place(db, en):
    person = PersonFactory()
    mistyped = registration_number_format(person.registration_number)[:-1] + "x"
    response = en.get("/verify/", {"number": _mistyped(person.registration_number)})
    assert response.status_code == 200
    assert _outcome(response) == "check_digit"
    response = en.get("/verify/", {"number": mistyped})
    assert _outcome(response) == "format"
    assert f'value="{mistyped}"' in response.content.decode()


def test_form_escapes_what_was_typed(db, client):
    response = client.get("/verify/", {"number": '<script>alert("x")</script>'})
    assert _outcome(response) == "format"
    assert "<script>alert" not in response.content.decode()


def test_post_is_refused(db, client):
    assert client.post("/verify/").status_code == 405


def test_selector_reads_one_row_with_one_query(db, django_assert_num_queries):
    person = PersonFactory()
    with django_assert_num_queries(1):
        result = registration_verify(number=person.registration_number)
    assert result.number_valid and result.found
    assert result.status == Person.Status.ACTIVE
    assert result.province_en == _province(person).name_en
    assert result.province_km == _province(person).name_km


def test_selector_does_not_query_for_a_malformed_number(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = registration_verify(number="123")
    assert not result.number_valid
    assert not result.found
