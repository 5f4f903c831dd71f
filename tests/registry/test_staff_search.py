"""Staff search (registry.selectors.people.person_search), /branch/ and the API's."""

import pytest
from django.db import connection

from accounts.models import Role
from registry.models import Person
from registry.regnumber import registration_number_display
from registry.selectors.people import SearchTooShortError, person_page, person_search
from tests.factories import BranchFactory, PersonFactory, ProgrammeFactory, user_with_role

pytestmark = pytest.mark.django_db


def found(query: str) -> set[str]:
    return set(
        person_search(queryset=Person.objects.all(), query=query).values_list(
            "registration_number", flat=True
        )
    )


@pytest.fixture
def people(geography):
    return {
        "dara": PersonFactory(
            name_km="សុខ ដារ៉ា",
            name_latin="Sok Dara",
            phone="+85512345678",
            national_id="010203040",
            reference="F-77",
        ),
        "sophal": PersonFactory(name_km="កែវ សុផល", name_latin="Keo Sophal", phone="+85597111222"),
        "vuthy": PersonFactory(name_km="ឆាយ វុទ្ធី", name_latin="Chhay Vuthy", phone=""),
    }


def test_names_in_either_script_in_part_any_case_any_order(people):
    dara = people["dara"].registration_number
    assert found("dar") == {dara}
    assert found("DARA sok") == {dara}
    assert found("ដារ៉ា") == {dara}
    assert found("សុខ") == {dara}
    assert found("vuthy chhay") == {people["vuthy"].registration_number}
    assert found("nobody") == set()


def test_a_word_of_one_or_two_letters_matches_where_a_word_of_the_name_starts(people):
    dara = people["dara"].registration_number
    assert found("da sok") == {dara}
    assert found("so da") == {dara}
    assert found("ដា សុខ") == {dara}
    # Inside a word, two letters are not enough to narrow the search.
    assert found("ar sok") == set()
    assert found("ok dara") == set()


def test_numbers_are_looked_up_exactly_in_the_forms_people_write(people):
    dara = people["dara"].registration_number
    assert found("012 345 678") == {dara}
    assert found("+855 12 345 678") == {dara}
    assert found("០១២៣៤៥៦៧៨") == {dara}  # Khmer digits
    assert found("010203040") == {dara}
    assert found(registration_number_display(dara)) == {dara}
    assert found("F-77") == {dara}
    # A part of a phone is not a search for everyone whose number contains it.
    assert found("345") == set()


def test_a_name_too_short_is_refused():
    with pytest.raises(SearchTooShortError):
        person_search(queryset=Person.objects.all(), query="ab")


def test_the_name_search_can_use_the_trigram_indexes(people):
    for query, index in (("dara", "person_name_latin_trgm"), ("ដារ៉ា", "person_name_km_trgm")):
        sql, params = person_search(
            queryset=Person.objects.all(), query=query
        ).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan, plan


def test_keyset_pages_walk_forwards_and_back_without_gaps(geography):
    made = PersonFactory.create_batch(7)
    pages, cursor = [], ""
    while True:
        page = person_page(queryset=Person.objects.all(), cursor=cursor, size=3)
        pages.append([p.pk for p in page.people])
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert [len(p) for p in pages] == [3, 3, 1]
    newest_first = sorted(made, key=lambda p: (p.created_at, p.pk), reverse=True)
    assert [pk for page_ids in pages for pk in page_ids] == [p.pk for p in newest_first]
    back = person_page(queryset=Person.objects.all(), cursor=page.previous_cursor, size=3)
    assert [p.pk for p in back.people] == pages[1]
    assert (
        person_page(queryset=Person.objects.all(), cursor="junk", size=3).people[0].pk
        == pages[0][0]
    )


def test_branch_search_is_posted_and_pages_follow(client, geography):
    branch = BranchFactory()
    client.force_login(user_with_role(Role.BRANCH_STAFF, branch=branch))
    client.cookies["django_language"] = "en"
    wanted = PersonFactory(branch=branch, partner=branch.partner, name_latin="Meas Chantha")
    PersonFactory(branch=BranchFactory(), name_latin="Meas Chantha")  # another branch's
    html = client.post("/branch/", {"q": "chantha"}).content.decode()
    assert wanted.registration_number in html and html.count("Meas Chantha") == 1
    # The page's form posts: the terms are never in an address.
    page = client.get("/branch/").content.decode()
    assert 'method="post" class="search"' in page
    html = client.post("/branch/", {"q": "ch"}).content.decode()
    assert "Type at least 3 letters" in html
    # htmx asks for the results alone.
    fragment = client.post(
        "/branch/", {"q": "chantha"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    assert fragment.content.decode().startswith('<div id="results">')
    PersonFactory.create_batch(30, branch=branch, partner=branch.partner)
    first = client.get("/branch/").context["page"]
    assert len(first.people) == 25 and first.next_cursor
    second = client.post("/branch/", {"cursor": first.next_cursor}).context["page"]
    assert len(second.people) == 6 and not second.next_cursor


def test_api_search_takes_its_terms_in_the_body(client, geography):
    from rest_framework.authtoken.models import Token

    branch = BranchFactory()
    staff = user_with_role(Role.BRANCH_STAFF, branch=branch)
    token = Token.objects.create(user=staff)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}", "HTTP_ACCEPT_LANGUAGE": "en"}
    wanted = PersonFactory(
        branch=branch, partner=branch.partner, name_latin="Meas Chantha", sex="F"
    )
    PersonFactory(branch=branch, partner=branch.partner, name_latin="Meas Chantha", sex="M")
    PersonFactory(name_latin="Meas Chantha", sex="F")  # out of scope
    response = client.post(
        "/api/v1/registrants/search/",
        {"q": "chantha", "sex": "F"},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["registration_number"] for r in body["results"]] == [wanted.registration_number]
    assert body["next_cursor"] == ""
    short = client.post(
        "/api/v1/registrants/search/", {"q": "ch"}, content_type="application/json", **headers
    )
    assert short.status_code == 400
    assert "q" in short.json()["error"]["fields"]
    listed = client.get("/api/v1/registrants/", **headers).json()
    assert listed["count"] == 2 and listed["count_estimated"] is False
    # Roles with no registrant list are refused.
    officer = user_with_role(Role.PROGRAMME_OFFICER, programme=ProgrammeFactory())
    other = Token.objects.create(user=officer)
    refused = client.post(
        "/api/v1/registrants/search/",
        {"q": "chantha"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {other.key}",
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("probe", [100, 3])
def test_a_searched_page_is_the_same_whether_few_or_many_match(geography, monkeypatch, probe):
    """Few matches: all found through the search's index and sorted; many: the date's
    index walked. Either way the pages are the matches, newest first, without gaps."""
    import datetime

    from django.utils import timezone

    from registry.selectors import people as selectors

    monkeypatch.setattr(selectors, "PAGE_PROBE", probe)
    matching = PersonFactory.create_batch(8, name_latin="Sokha Chan")
    PersonFactory.create_batch(3, name_latin="Dara Vann")
    now = timezone.now()
    for i, person in enumerate(matching):
        # The first two share a moment: the id decides between them.
        moment = now - datetime.timedelta(days=max(i, 1))
        Person.objects.filter(pk=person.pk).update(created_at=moment)
    searched = person_search(queryset=Person.objects.all(), query="chan sokh")
    pages, cursor = [], ""
    while True:
        page = person_page(queryset=searched, cursor=cursor, size=3, searched=True)
        pages.append([p.pk for p in page.people])
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = list(
        Person.objects.filter(name_latin="Sokha Chan")
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)
    )
    assert [pk for ids in pages for pk in ids] == expected
    assert [len(ids) for ids in pages] == [3, 3, 2]
    back = person_page(queryset=searched, cursor=page.previous_cursor, size=3, searched=True)
    assert [p.pk for p in back.people] == pages[1]
    # The planner settings are back as they were.
    with connection.cursor() as cursor_:
        cursor_.execute("SHOW enable_seqscan")
        assert cursor_.fetchone()[0] == "on"
