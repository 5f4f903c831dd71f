"""Input found to cause server errors when the portal was probed (issue 15): each now
gets an answer, never a 500."""

import datetime

import pytest

from accounts.models import Role
from tests.api.conftest import client_for
from tests.factories import BranchFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db

URL = "/api/v1/registrants/"


@pytest.fixture
def ministry_api():
    return client_for(user_with_role(Role.MINISTRY_OFFICER))


@pytest.mark.parametrize("parameter", ["registered_since", "registered_until", "updated_since"])
@pytest.mark.parametrize("offset", ["+20:00", "-23:59", "+15:59", "Z"])
def test_any_time_zone_offset_python_reads_is_answered(ministry_api, parameter, offset):
    PersonFactory()
    response = ministry_api.get(URL, {parameter: f"2026-01-01T00:00:00{offset}"})
    assert response.status_code == 200


def test_an_offset_is_the_same_instant_as_utc(ministry_api):
    person = PersonFactory()
    plus_twenty = datetime.timezone(datetime.timedelta(hours=20))
    # One second after the record was made, written with a +20:00 offset.
    after = (person.created_at.astimezone(plus_twenty) + datetime.timedelta(seconds=1)).isoformat()

    def listed(**params) -> set[str]:
        body = ministry_api.get(URL, params).json()
        return {row["registration_number"] for row in body["results"]}

    assert person.registration_number in listed(registered_until=after)
    assert person.registration_number not in listed(registered_since=after)


def test_a_nul_byte_in_an_api_search_is_a_clear_error(ministry_api):
    PersonFactory(name_latin="Sok Dara")
    response = ministry_api.get(URL, {"q": "Sok\x00 Dara"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "q" in response.json()["error"]["fields"]


def test_a_nul_byte_in_a_registration_number_is_not_found(ministry_api):
    response = ministry_api.get(f"{URL}%00/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_formatted_registration_number_finds_the_record(ministry_api):
    person = PersonFactory()
    number = person.registration_number
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert ministry_api.get(f"{URL}{spaced}/").status_code == 200


def test_a_nul_byte_in_the_branch_search_is_ignored(client):
    branch = BranchFactory()
    client.force_login(user_with_role(Role.BRANCH_STAFF, branch=branch))
    person = PersonFactory(name_latin="Sok Dara", branch=branch, partner=branch.partner)
    assert client.get("/branch/", {"q": "\x00"}).status_code == 200
    found = client.get("/branch/", {"q": "Sok\x00 Dara"})
    assert found.status_code == 200
    assert person.registration_number in found.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/geography/districts/?province=1%002",
        "/api/v1/geography/communes/?district=12%0001",
        "/api/v1/geography/villages/?commune=V%C3%81%00",
        "/api/v1/geography/villages/?q=Ph%00um",
    ],
)
def test_a_nul_byte_in_a_gazetteer_look_up_is_answered(ministry_api, path):
    # Found by the fuzzer with the registrant token (issue 15): a 500 from PostgreSQL.
    assert ministry_api.get(path).status_code == 200


@pytest.mark.parametrize("body", [[None, None], {"cursor": 0}, {"q": 12345}])
def test_a_search_body_of_the_wrong_shape_is_refused(ministry_api, body):
    response = ministry_api.post(f"{URL}search/", body, format="json")
    assert response.status_code == 400
