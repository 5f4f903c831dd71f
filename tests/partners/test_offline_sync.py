"""The counter's offline queue, server side: sync, idempotency, sessions, published rules."""

import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from accounts.models import Role
from api.models import IdempotencyRecord
from geography.models import Village
from registry.models import Person
from tests.factories import BranchFactory, user_with_role
from tests.partners.test_counter import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SYNC = "/branch/register/sync/"


def sync(client, data, key=None, **headers):
    return client.post(SYNC, data, HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()), **headers)


def test_a_queued_registration_is_registered_with_its_number(client, staff):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    response = sync(client, form_data(branch))
    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get()
    assert body["outcome"] == "registered"
    assert body["number"].replace(" ", "") == person.registration_number
    assert body["url"] == f"/branch/applicants/{person.registration_number}/"
    # Exactly what the online counter records: same channel, branch, staff member, work.
    assert (person.channel, person.branch, person.entered_by) == ("branch", branch, staff)
    assert person.employments.get().enterprise.name == "Sophea grocery"
    assert "no-store" in response["Cache-Control"]


def test_sending_the_same_item_twice_registers_once_and_replays_the_answer(client, staff):
    client.force_login(staff)
    data = form_data(staff.role_assignments.get().branch, reference="")
    key = str(uuid.uuid4())
    first = sync(client, data, key)
    again = sync(client, data, key)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.count() == 1
    assert IdempotencyRecord.objects.get(key=key).user == staff


def test_the_same_key_with_other_values_is_refused_and_writes_nothing(client, staff):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    key = str(uuid.uuid4())
    sync(client, form_data(branch, reference=""), key)
    response = sync(client, form_data(branch, reference="", **{"d-name_latin": "Other"}), key)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["message"]
    assert Person.objects.count() == 1


def test_two_keys_for_one_form_number_register_once(client, staff):
    """Two tabs that each queued the same paper form: the partner's number holds."""
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    first = sync(client, form_data(branch))
    second = sync(client, form_data(branch))
    assert first.json()["outcome"] == "registered"
    assert second.status_code == 200
    assert second.json()["outcome"] == "already_registered"
    assert second.json()["number"] == first.json()["number"]
    assert Person.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_the_same_item_at_once_register_once(transactional_geography):
    staff = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    data = form_data(staff.role_assignments.get().branch, reference="")
    key = str(uuid.uuid4())
    answers = []
    start = threading.Barrier(2)

    def tab():
        client = Client()
        client.force_login(staff)
        start.wait()
        answers.append(sync(client, data, key).status_code)
        connection.close()

    tabs = [threading.Thread(target=tab) for _ in range(2)]
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join()
    # One registers; the other either replays its answer or is told to retry (409).
    assert 201 in answers
    assert set(answers) <= {201, 409}
    assert Person.objects.count() == 1


def test_refused_values_come_back_with_the_online_forms_reasons(client, staff):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    bad = form_data(branch, phone="12", **{"d-name_km": "Sok", "d-date_of_birth": "31/02/1990"})
    response = sync(client, bad)
    assert response.status_code == 422
    body = response.json()
    assert body["outcome"] == "refused"
    online = client.post("/branch/register/", bad).content.decode()
    for name in ("phone", "d-name_km", "d-date_of_birth"):
        assert body["errors"][name]
        for message in body["errors"][name]:
            assert message.replace("'", "&#x27;") in online  # the page's own words
    assert Person.objects.count() == 0


def test_a_village_that_no_longer_exists_is_refused_with_a_reason(client, staff):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    data = form_data(branch, **{"d-village": "999999999"})
    response = sync(client, data)
    assert response.status_code == 422
    assert "village" in " ".join(response.json()["errors"]["d-village"]).lower()
    assert Person.objects.count() == 0


def test_a_refused_item_fixed_is_sent_with_a_new_key(client, staff):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    assert sync(client, form_data(branch, **{"d-village": ""})).status_code == 422
    fixed = sync(client, form_data(branch))
    assert fixed.status_code == 201
    assert Person.objects.count() == 1


def test_an_expired_session_is_told_to_sign_in_and_the_item_is_sent_after(client, staff):
    branch = staff.role_assignments.get().branch
    data = form_data(branch)
    key = str(uuid.uuid4())
    response = sync(client, data, key)  # the session ended while the device was offline
    assert response.status_code == 401
    assert response.json()["outcome"] == "signed_out"
    assert not IdempotencyRecord.objects.exists()
    session = client.get("/branch/offline/session.json").json()
    assert session["signed_in"] is False
    assert session["login_url"] == "/accounts/login/?next=/branch/register/"

    client.force_login(staff)  # signs in again; the queue kept the item and its key
    session = client.get("/branch/offline/session.json").json()
    assert session["signed_in"] and session["user"] == staff.pk and session["csrf"]
    assert sync(client, data, key).status_code == 201
    assert Person.objects.count() == 1


def test_the_sync_needs_a_csrf_token_and_takes_a_fresh_one(staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    data = form_data(staff.role_assignments.get().branch)
    assert sync(client, data).status_code == 403
    token = client.get("/branch/offline/session.json").json()["csrf"]
    assert sync(client, data, HTTP_X_CSRFTOKEN=token).status_code == 201


def test_the_sync_needs_a_key_and_a_counter_role(client, staff):
    client.force_login(staff)
    data = form_data(staff.role_assignments.get().branch)
    assert client.post(SYNC, data).status_code == 400
    assert sync(client, data, key="bad key with spaces").status_code == 400
    officer = user_with_role(Role.MINISTRY_OFFICER)
    client.force_login(officer)
    assert sync(client, data).status_code == 403
    assert Person.objects.count() == 0


def test_rules_are_the_forms_own_and_in_the_users_language(client, staff):
    client.force_login(staff)
    rules = client.get("/branch/offline/rules.json").json()
    required = rules["required"]
    # Bound to nothing, the counter's forms refuse exactly these, with these words.
    assert set(required) >= {"d-name_km", "d-sex", "d-date_of_birth", "d-village", "w-actor_type"}
    assert "phone" not in required and "d-national_id" not in required
    assert required["d-name_km"] == "Enter the name in Khmer script."
    assert required["d-sex"].startswith("Choose one: ")
    owner = rules["required_when"]["w-actor_type"]["microenterprise_owner"]
    assert set(owner) == {"p-enterprise_name"}
    assert "p-seasonal_months" in rules["required_when"]["w-actor_type"]["seasonal_worker"]
    assert rules["fields"]["d-name_km"]["check"] == "name_km"
    assert rules["fields"]["phone"]["check"] == "phone"
    assert rules["fields"]["d-sex"]["choices"] == ["F", "M"]
    assert rules["fields"]["reference"]["max_length"] == 64
    assert rules["values"]["date"]["min_age"] == 15
    assert rules["values"]["phone"]["messages"]["invalid"].startswith("Enter a Cambodian")
    assert rules["confirmations"][0]["field"] == "consent_confirmed"
    assert rules["text"]["waiting"]

    client.cookies["django_language"] = "km"
    khmer = client.get("/branch/offline/rules.json").json()
    assert khmer["required"]["d-name_km"] != required["d-name_km"]
    assert any("\u1780" <= c <= "\u17ff" for c in khmer["text"]["waiting"])


def test_places_are_the_provinces_of_the_users_branches(client, staff):
    client.force_login(staff)
    branch = staff.role_assignments.get().branch
    places = client.get("/branch/offline/places.json").json()
    assert places["province_ids"] == [branch.province_id]
    villages = Village.objects.filter(commune__district__province_id=branch.province_id)
    assert len(places["villages"]) == villages.count() > 0
    commune_ids = {row[0] for row in places["communes"]}
    assert all(row[1] in commune_ids for row in places["villages"])


def test_offline_data_answers_json_not_a_redirect_when_signed_out(client):
    for url in ("/branch/offline/rules.json", "/branch/offline/places.json"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["outcome"] == "signed_out"


def test_worker_manifest_and_page_opt_in(client, staff):
    client.force_login(staff)
    worker = client.get("/branch/sw.js")
    assert worker["Content-Type"].startswith("text/javascript")
    assert "no-cache" in worker["Cache-Control"]
    assert worker["Service-Worker-Allowed"] == "/branch/"
    config = json.loads(
        worker.content.decode().split("self.offlineConfig = ", 1)[1].split(";\n")[0]
    )
    assert "/branch/register/" in config["pages"]
    assert "/branch/offline/places.json" in config["data"]
    assert "/branch/register/sync/" in config["network_only"]
    manifest = client.get("/branch/manifest.webmanifest")
    assert manifest["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/branch/register/"
    page = client.get("/branch/register/").content.decode()
    assert 'data-offline-sync="/branch/register/sync/"' in page
    assert 'rel="manifest"' in page
    assert "<script>" not in page  # no inline script: only static files


def test_signing_out_clears_the_devices_stored_data(client, staff):
    client.force_login(staff)
    response = client.post("/accounts/logout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
