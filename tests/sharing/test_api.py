"""The programme API, as a programme's own system calls it with its key."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role, RoleAssignment
from programmes.models import EligibilityRule, Programme
from registry.models.people import Channel
from registry.services.consent import consent_withdraw
from sharing import services
from sharing.models import ExportDownload, ExportJob
from sharing.tokens import programme_token_rotate
from tests.factories import user_with_role
from tests.sharing.conftest import consenting_person


def run(programme, **kwargs) -> ExportJob:
    job = services.export_request(programme=programme, user=None, **kwargs)
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def client_with_key(programme, user=None):
    user = user or user_with_role(Role.PROGRAMME_OFFICER, programme=programme)
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Programme {programme_token_rotate(programme=programme, user=user)}"
    )
    return client


@pytest.fixture
def other(geography):
    programme = Programme.objects.create(
        code="other", kind=Programme.Kind.FINANCE, name_km="ផ្សេង", name_en="Other"
    )
    EligibilityRule.objects.create(programme=programme)
    return programme


@pytest.mark.django_db
def test_a_key_lists_and_downloads_its_programmes_exports_only(programme, other):
    consenting_person(programme)
    consenting_person(other)
    mine, theirs = run(programme), run(other)
    client = client_with_key(programme)
    listing = client.get("/api/v1/programme/exports/")
    assert listing.status_code == 200
    assert [job["id"] for job in listing.json()["results"]] == [mine.pk]
    assert listing.json()["results"][0]["sha256"] == mine.sha256
    response = client.get(f"/api/v1/programme/exports/{mine.pk}/file/")
    assert response.status_code == 200
    assert response["X-Checksum-SHA256"] == mine.sha256
    assert ExportDownload.objects.get().channel == "api"
    assert client.get(f"/api/v1/programme/exports/{theirs.pk}/file/").status_code == 403
    assert client.get("/api/v1/programme/exports/999999/file/").status_code == 404
    assert ExportDownload.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_refused_when_wrong_replaced_or_their_officer_moved(programme):
    officer = user_with_role(Role.PROGRAMME_OFFICER, programme=programme)
    old = client_with_key(programme, officer)
    new = client_with_key(programme, officer)
    assert old.get("/api/v1/programme/exports/").status_code == 401
    assert new.get("/api/v1/programme/exports/").status_code == 200
    RoleAssignment.objects.filter(user=officer).delete()
    assert new.get("/api/v1/programme/exports/").status_code == 401
    assert APIClient().get("/api/v1/programme/exports/").status_code == 401
    # A staff user's ordinary token does not open the programme API.
    from rest_framework.authtoken.models import Token

    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer).key}")
    assert staff.get("/api/v1/programme/exports/").status_code in (401, 403)


@pytest.mark.django_db
def test_the_delta_feed_pages_in_a_stable_order_from_a_cursor(programme):
    people = [consenting_person(programme) for _ in range(5)]
    run(programme, kind=ExportJob.Kind.DELTA)
    consent_withdraw(person=people[0], programme=programme, channel=Channel.SELF)
    run(programme, kind=ExportJob.Kind.DELTA)
    client = client_with_key(programme)
    seen, cursor = [], None
    for _ in range(10):
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/programme/delta/", query).json()
        seen += [
            (row["change"], row["registration_number"], row["reason"]) for row in page["results"]
        ]
        cursor = page["next_cursor"]
        if not page["more"]:
            break
    numbers = sorted(p.registration_number for p in people)
    assert seen == [("new", n, "") for n in numbers] + [
        ("removed", people[0].registration_number, "consent_withdrawn")
    ]
    # Read on later from the last cursor: only what came after.
    consent_withdraw(person=people[1], programme=programme, channel=Channel.SELF)
    run(programme, kind=ExportJob.Kind.DELTA)
    page = client.get("/api/v1/programme/delta/", {"cursor": cursor}).json()
    assert [r["registration_number"] for r in page["results"]] == [people[1].registration_number]
    assert client.get("/api/v1/programme/delta/", {"cursor": "nonsense!"}).status_code == 400


@pytest.mark.django_db
def test_the_programme_api_is_in_the_openapi_schema(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/json").content.decode()
    for path in ("/api/v1/programme/exports/", "/api/v1/programme/delta/", "programmeToken"):
        assert path in schema
