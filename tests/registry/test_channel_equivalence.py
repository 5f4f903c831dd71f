"""One person, five channels, the same rows.

The same applicant goes through the web wizard (/register/), the branch counter
(/branch/register/), the API (POST /api/v1/registrants/), the mobile app's registrant API
(phone code, token, POST /api/v1/registrant/records/) and a bulk file (upload +
commit), each through its HTTP interface. Every channel registers through
registry.services.registration_many, so each ends with the same rows: the person's
fields, the "registered" history, the consents and their history, the work (enterprise
and employment), the campaign credited (for the channels that take a campaign code: the
wizard's ?campaign=, the app's campaign and the file's campaign_code; the counter and
the staff API have none) and
the confirmation SMS queued. Provenance (channel, branch, who entered it, reference) and
ids, times and registration numbers are left out of the comparison: they differ by design.
"""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import Role
from campaigns.models import Attribution
from geography.models import Village
from partners.models import IntakeBatch
from partners.services import (
    intake_batch_commit,
    intake_batch_validate,
)
from registry.models import Consent, Employment, Person, PersonChange, SmsMessage
from registry.services.people import PERSON_FIELDS, _as_text
from tests.api.conftest import client_for
from tests.factories import BranchFactory, CampaignFactory, ProgrammeFactory, user_with_role
from tests.sms import last_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PHONE, E164 = "012 345 678", "+85512345678"
CAMPAIGN = "PP-MARKET"
# The applicant as each channel's form or file asks for them.
APPLICANT = {
    "name_km": "សុខ ដារ៉ា",
    "name_latin": "Sok Dara",
    "sex": "F",
    "date_of_birth": "17/05/1990",
    "national_id": "010203040",
    "village_code": "12010101",
    "sector": "agriculture",
    "occupation": "Brick maker",
}
PROFILES = {
    "seasonal worker": {
        "actor_type": "seasonal_worker",
        "employer_name": "Angkor Brick Kiln",
        "seasonal_months": ["1", "2", "12"],
    },
    "owner": {
        "actor_type": "microenterprise_owner",
        "enterprise_name": "Dara Bricks",
        "workers": "3",
    },
}


def village():
    return Village.objects.get(code=APPLICANT["village_code"])


def work_fields(profile: dict) -> dict:
    return {k: v for k, v in profile.items() if k != "actor_type"}


# --- the four channels: each returns the person it registered ---------------------------
def through_the_wizard(client, profile) -> Person:
    def post(step, data):
        response = client.post(f"/register/{step}/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return response

    client.get(f"/register/?campaign={CAMPAIGN.lower()}")
    post("phone", {"phone": PHONE})
    post("code", {"code": last_code(E164)})
    details = {k: APPLICANT[k] for k in ("name_km", "name_latin", "sex", "date_of_birth")}
    details.update(national_id=APPLICANT["national_id"], village=village().pk)
    post("details", details)
    post(
        "work",
        {
            "actor_type": profile["actor_type"],
            "sector": APPLICANT["sector"],
            "occupation": APPLICANT["occupation"],
        },
    )
    post("workplace", work_fields(profile))
    nssf = ProgrammeFactory._meta.model.objects.get(code="nssf")
    post("consent", {"purposes": [str(nssf.pk), "data_sharing"]})
    assert post("review", {})["Location"] == "/register/done/"
    return Person.objects.get(channel__in=["self", "campaign"])


def through_the_counter(client, profile) -> Person:
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    branch = staff.role_assignments.get().branch
    client.force_login(staff)
    nssf = ProgrammeFactory._meta.model.objects.get(code="nssf")
    data = {
        "branch": branch.pk,
        "reference": "F-1",
        "phone": PHONE,
        "purposes": [str(nssf.pk), "data_sharing"],
        "consent_confirmed": "on",
        "w-actor_type": profile["actor_type"],
        "w-sector": APPLICANT["sector"],
        "w-occupation": APPLICANT["occupation"],
        "d-village": village().pk,
        **{f"d-{k}": APPLICANT[k] for k in ("name_km", "name_latin", "sex", "date_of_birth")},
        "d-national_id": APPLICANT["national_id"],
        **{f"p-{k}": v for k, v in work_fields(profile).items()},
    }
    response = client.post("/branch/register/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return Person.objects.get(channel="branch")


def through_the_api(client, profile) -> Person:
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    body = {
        **APPLICANT,
        "phone": PHONE,
        "reference": "F-1",
        "consents": ["nssf", "data_sharing"],
        "actor_type": profile["actor_type"],
        **work_fields(profile),
    }
    if "seasonal_months" in body:
        body["seasonal_months"] = [int(month) for month in body["seasonal_months"]]
    response = client_for(staff).post("/api/v1/registrants/", body, format="json")
    assert response.status_code == 201, response.content
    return Person.objects.get(channel="api")


def through_the_app(client, profile) -> Person:
    app = APIClient()
    sent = app.post("/api/v1/registrant/code/", {"phone": PHONE}, format="json")
    tokens = app.post(
        "/api/v1/registrant/token/",
        {"phone": PHONE, "code": last_code(E164), "challenge": sent.json()["challenge"]},
        format="json",
    ).json()
    app.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    body = {
        **APPLICANT,
        "campaign": CAMPAIGN.lower(),
        "consents": ["nssf", "data_sharing"],
        "actor_type": profile["actor_type"],
        **work_fields(profile),
    }
    if "seasonal_months" in body:
        body["seasonal_months"] = [int(month) for month in body["seasonal_months"]]
    response = app.post("/api/v1/registrant/records/", body, format="json")
    assert response.status_code == 201, response.content
    return Person.objects.get(registration_number=response.json()["registration_number"])


def through_a_file(client, profile) -> Person:
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    row = {
        "reference": "F-1",
        **{k: APPLICANT[k] for k in APPLICANT if k != "occupation"},
        "phone": PHONE,
        "actor_type": profile["actor_type"],
        "occupation": APPLICANT["occupation"],
        "business_name": profile.get("enterprise_name", ""),
        "workers": profile.get("workers", ""),
        "employer_name": profile.get("employer_name", ""),
        "seasonal_months": ";".join(profile.get("seasonal_months", [])),
        "campaign_code": CAMPAIGN,
        "consent_nssf": "yes",
        "consent_data_sharing": "ចាស",
    }
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=list(row))
    writer.writeheader()
    writer.writerow(row)
    client.force_login(staff)
    response = client.post(
        "/branch/intake/",
        {
            "branch": staff.role_assignments.get().branch.pk,
            "file": SimpleUploadedFile("people.csv", stream.getvalue().encode()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = IntakeBatch.objects.get(uploaded_by=staff)
    # The upload's Celery tasks, as a worker runs them after the request commits.
    batch = intake_batch_validate(batch_id=batch.pk)
    assert batch.valid_rows == 1, batch.rows.get().errors
    response = client.post(f"/branch/intake/{batch.pk}/commit/")
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = intake_batch_commit(batch_id=batch.pk)
    assert batch.committed_rows == 1
    client.logout()
    return Person.objects.get(channel="bulk")


CHANNELS = {
    "wizard": through_the_wizard,
    "counter": through_the_counter,
    "api": through_the_api,
    "app": through_the_app,
    "file": through_a_file,
}
TAKE_A_CAMPAIGN = {"wizard", "app", "file"}


def rows_of(person: Person) -> dict:
    """What a registration wrote, without provenance, ids, times and numbers."""
    history = [
        (change.action, change.changes)
        for change in PersonChange.objects.filter(person=person).order_by("id")
    ]
    jobs = [
        (
            job.role,
            job.seasonal_months,
            job.enterprise.name,
            job.enterprise.sector,
            job.enterprise.workers,
            job.enterprise.village_id,
            job.enterprise.owner_id == person.pk,
        )
        for job in Employment.objects.filter(person=person).select_related("enterprise")
    ]
    number = person.registration_number
    grouped = f"{number[:3]} {number[3:6]} {number[6:]}"
    confirmations = [
        (message.template, {k: v.replace(grouped, "<number>") for k, v in message.params.items()})
        for message in SmsMessage.objects.filter(phone=person.phone, params__number=grouped)
    ]
    attribution = Attribution.objects.filter(person=person).first()
    return {
        "person": {field: _as_text(getattr(person, field)) for field in PERSON_FIELDS},
        "status": person.status,
        "history": sorted(history, key=repr),
        "consents": sorted(
            (c.programme.code if c.programme else "data_sharing", c.withdrawn_at is None)
            for c in Consent.objects.filter(person=person).select_related("programme")
        ),
        "work": jobs,
        "campaign": attribution.campaign.code if attribution else None,
        "sms": confirmations,
    }


@pytest.mark.parametrize("profile", PROFILES)
def test_the_same_person_through_every_channel_ends_with_the_same_rows(client, profile):
    ProgrammeFactory(code="nssf")
    CampaignFactory(code=CAMPAIGN)
    outcomes = {}
    for name, register in CHANNELS.items():
        person = register(client, PROFILES[profile])
        outcomes[name] = rows_of(person)
    reference = outcomes["wizard"]
    # The rows are all there, in full ...
    assert reference["person"]["village"].startswith("12010101 ")
    assert [action for action, _changes in reference["history"]].count("consent_given") == 2
    assert reference["consents"] == [("data_sharing", True), ("nssf", True)]
    assert len(reference["work"]) == 1 and reference["campaign"] == CAMPAIGN
    assert reference["sms"] == [("registration_confirmed", {"number": "<number>"})]
    # ... and every channel wrote the same.
    for name, rows in outcomes.items():
        expected = dict(reference, campaign=CAMPAIGN if name in TAKE_A_CAMPAIGN else None)
        assert rows == expected, name
