"""Registrants over the API: create, read, correct, list; scope both ways; idempotency."""

import pytest

from accounts.models import Role
from api.models import IdempotencyRecord
from geography.models import Province, Village
from registry.models import Consent, Person, PersonChange
from tests.api.conftest import branch_of, client_for, registrant_body
from tests.factories import BranchFactory, PersonFactory, ProgrammeFactory, user_with_role

pytestmark = pytest.mark.django_db

URL = "/api/v1/registrants/"


def detail(person) -> str:
    return f"{URL}{person.registration_number}/"


# --- Create ---------------------------------------------------------------------------
def test_branch_staff_register_through_the_api(staff, staff_api):
    programme = ProgrammeFactory(code="nssf-voluntary")
    response = staff_api.post(
        URL,
        registrant_body(reference="F-1", consents=["nssf-voluntary", "data_sharing"]),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(registration_number=body["registration_number"])
    assert person.channel == "api"
    assert person.branch == branch_of(staff)
    assert person.partner == branch_of(staff).partner
    assert person.entered_by == staff
    assert person.reference == "F-1"
    assert body["phone"] == "+855977778888"
    assert body["date_of_birth"] == "1988-03-09"
    assert body["village"]["code"] == "12010101"
    assert body["village"]["province_code"] == "12"
    assert body["branch"] == branch_of(staff).code
    assert body["consents"] == ["data_sharing", "nssf-voluntary"]
    assert set(
        Consent.objects.filter(person=person, withdrawn_at=None).values_list("programme", flat=True)
    ) == {programme.pk, None}
    assert PersonChange.objects.filter(person=person, action="registered", channel="api").exists()
    assert response["Content-Language"] == "km"


def test_the_app_channel_is_recorded_when_the_client_says_so(staff_api):
    response = staff_api.post(URL, registrant_body(channel="app"), format="json")
    assert response.status_code == 201
    assert Person.objects.get().channel == "app"
    refused = staff_api.post(URL, registrant_body(channel="branch"), format="json")
    assert refused.status_code == 400
    assert "channel" in refused.json()["error"]["fields"]


def test_owner_and_worker_register_their_work(staff_api):
    owner = staff_api.post(
        URL,
        registrant_body(
            actor_type="microenterprise_owner",
            sector="wholesale_retail",
            enterprise_name="Sophea grocery",
            workers="3",
        ),
        format="json",
    )
    assert owner.status_code == 201, owner.content
    person = Person.objects.get(registration_number=owner.json()["registration_number"])
    assert person.owned_enterprises.get().name == "Sophea grocery"
    worker = staff_api.post(
        URL,
        registrant_body(
            actor_type="seasonal_worker", sector="agriculture", employer_name="Rice farm"
        ),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert worker.status_code == 400
    assert worker.json()["error"]["fields"]["seasonal_months"]


def test_a_repeated_reference_returns_the_registrant_already_registered(staff_api):
    first = staff_api.post(URL, registrant_body(reference="F-7"), format="json")
    again = staff_api.post(
        URL, registrant_body(reference="F-7", name_latin="Someone Else"), format="json"
    )
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["registration_number"] == first.json()["registration_number"]
    assert again.json()["name_latin"] == "Chan Sophea"
    assert Person.objects.count() == 1


def test_a_reference_of_another_branch_of_the_partner_is_a_conflict_without_details(staff):
    other = user_with_role(
        Role.BRANCH_STAFF, branch=BranchFactory(partner=branch_of(staff).partner)
    )
    assert client_for(staff).post(URL, registrant_body(reference="F-9")).status_code == 201
    response = client_for(other).post(URL, registrant_body(reference="F-9"))
    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "reference_exists", "message": response.json()["error"]["message"]}
    }
    assert "Chan" not in response.content.decode()
    assert Person.objects.count() == 1


def test_validation_errors_name_each_field_in_english(staff_api):
    response = staff_api.post(
        URL,
        registrant_body(
            name_km="", sex="X", date_of_birth="31/02/1990", phone="123", village_code="99999999"
        ),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "Some values are not valid: see fields."
    assert set(error["fields"]) >= {"name_km", "sex", "date_of_birth", "phone", "village"}
    assert error["fields"]["sex"] == ["Choose F (female) or M (male)."]
    assert error["field_codes"]["village"] == ["village_unknown"]
    assert error["field_codes"]["date_of_birth"] == ["date_invalid"]
    assert response["Content-Language"] == "en"
    assert Person.objects.count() == 0


def test_validation_errors_are_in_khmer_by_default(staff_api):
    response = staff_api.post(URL, registrant_body(sex="X"), format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] == "ព័ត៌មានខ្លះមិនត្រឹមត្រូវ៖ សូមមើល fields។"
    assert error["fields"]["sex"] != ["Choose F (female) or M (male)."]
    assert any("\u1780" <= ch <= "\u17ff" for ch in error["fields"]["sex"][0])
    assert response["Content-Language"] == "km"


def test_unknown_consent_purposes_are_refused(staff_api):
    ProgrammeFactory(code="closed", is_active=False)
    response = staff_api.post(
        URL, registrant_body(consents=["closed", "nope"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert len(response.json()["error"]["fields"]["consents"]) == 2
    assert Person.objects.count() == 0


def test_a_supervisor_registers_for_a_named_branch_of_their_partner():
    branch = BranchFactory()
    supervisor = user_with_role(Role.PARTNER_SUPERVISOR, partner=branch.partner)
    api = client_for(supervisor)
    missing = api.post(URL, registrant_body(), HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400
    assert missing.json()["error"]["field_codes"]["branch"] == ["branch_required"]
    foreign = api.post(URL, registrant_body(branch=BranchFactory().code))
    assert foreign.status_code == 400
    assert foreign.json()["error"]["field_codes"]["branch"] == ["branch_not_yours"]
    created = api.post(URL, registrant_body(branch=branch.code))
    assert created.status_code == 201
    assert Person.objects.get().branch == branch


def test_branch_staff_cannot_register_into_another_branch(staff_api):
    response = staff_api.post(URL, registrant_body(branch=BranchFactory().code))
    assert response.status_code == 400
    assert Person.objects.count() == 0


@pytest.mark.parametrize(
    "role", [Role.MINISTRY_OFFICER, Role.CAMPAIGN_ORGANISER, Role.PROGRAMME_OFFICER, "admin"]
)
def test_roles_other_than_partner_staff_cannot_register(role):
    scope = {
        Role.CAMPAIGN_ORGANISER: {"province": Province.objects.get(code="12")},
        Role.PROGRAMME_OFFICER: {"programme": ProgrammeFactory()},
    }.get(role, {})
    user = user_with_role(Role.ADMINISTRATOR if role == "admin" else role, **scope)
    response = client_for(user).post(URL, registrant_body())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Person.objects.count() == 0


# --- Idempotency ----------------------------------------------------------------------
def test_a_retry_with_the_same_key_replays_the_first_answer(staff_api):
    body = registrant_body()
    first = staff_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = staff_api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Person.objects.count() == 1
    assert IdempotencyRecord.objects.get().status_code == 201


def test_the_same_key_with_another_body_is_refused(staff_api):
    staff_api.post(URL, registrant_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = staff_api.post(
        URL,
        registrant_body(name_latin="Chan Dara"),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Person.objects.count() == 1


def test_keys_belong_to_their_user(staff):
    other = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    body = registrant_body()
    assert client_for(staff).post(URL, body, HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert client_for(other).post(URL, body, HTTP_IDEMPOTENCY_KEY="same").status_code == 201
    assert Person.objects.count() == 2


def test_a_duplicate_while_the_first_still_runs_is_told_to_wait(staff, staff_api):
    # The first request has claimed the key and is still running.
    IdempotencyRecord.objects.create(user=staff, key="k-3", request_hash="x" * 64)
    response = staff_api.post(URL, registrant_body(), HTTP_IDEMPOTENCY_KEY="k-3")
    assert response.status_code in (409, 422)
    record = IdempotencyRecord.objects.get()
    record.request_hash = _hash_of(staff_api, registrant_body())
    record.save()
    response = staff_api.post(URL, registrant_body(), HTTP_IDEMPOTENCY_KEY="k-3")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_in_progress"
    assert response["Retry-After"] == "1"
    assert Person.objects.count() == 0


def _hash_of(api, body) -> str:
    """The fingerprint the server computes for this POST (method, path, JSON bytes)."""
    import hashlib

    from rest_framework.renderers import JSONRenderer

    digest = hashlib.sha256(f"POST\n{URL}\n".encode())
    digest.update(JSONRenderer().render(body))
    return digest.hexdigest()


def test_validation_errors_are_replayed_too_and_nothing_is_written(staff_api):
    body = registrant_body(sex="X")
    first = staff_api.post(URL, body, HTTP_IDEMPOTENCY_KEY="k-4")
    again = staff_api.post(URL, body, HTTP_IDEMPOTENCY_KEY="k-4")
    assert first.status_code == again.status_code == 400
    assert again.content == first.content
    assert Person.objects.count() == 0


def test_an_invalid_key_is_refused(staff_api):
    response = staff_api.post(URL, registrant_body(), HTTP_IDEMPOTENCY_KEY="with space")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_invalid"
    assert Person.objects.count() == 0


# --- Read: scope both ways ------------------------------------------------------------
@pytest.fixture
def two_branches():
    a, b = BranchFactory(), BranchFactory()
    return (
        (user_with_role(Role.BRANCH_STAFF, branch=a), PersonFactory(branch=a, partner=a.partner)),
        (user_with_role(Role.BRANCH_STAFF, branch=b), PersonFactory(branch=b, partner=b.partner)),
    )


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["registration_number"] for row in response.json()["results"]}


def test_branch_staff_see_only_their_branch_both_ways(two_branches):
    (staff_a, person_a), (staff_b, person_b) = two_branches
    api_a, api_b = client_for(staff_a), client_for(staff_b)
    assert numbers(api_a.get(URL)) == {person_a.registration_number}
    assert numbers(api_b.get(URL)) == {person_b.registration_number}
    assert api_a.get(detail(person_a)).status_code == 200
    assert api_a.get(detail(person_b)).status_code == 404
    assert api_b.get(detail(person_a)).status_code == 404
    assert api_b.get(detail(person_b)).status_code == 200
    assert api_a.get(detail(person_b)).json()["error"]["code"] == "not_found"


def test_branch_staff_cannot_correct_another_branchs_registrant_both_ways(two_branches):
    (staff_a, person_a), (staff_b, person_b) = two_branches
    for api, person in ((client_for(staff_a), person_b), (client_for(staff_b), person_a)):
        response = api.patch(detail(person), {"name_latin": "Changed"})
        assert response.status_code == 404
        person.refresh_from_db()
        assert person.name_latin == "Sok Dara"


def test_supervisors_see_their_partner_only_both_ways():
    x, y = BranchFactory(), BranchFactory()
    x2 = BranchFactory(partner=x.partner)
    in_x = PersonFactory(branch=x, partner=x.partner)
    in_x2 = PersonFactory(branch=x2, partner=x.partner)
    in_y = PersonFactory(branch=y, partner=y.partner)
    sup_x = client_for(user_with_role(Role.PARTNER_SUPERVISOR, partner=x.partner))
    sup_y = client_for(user_with_role(Role.PARTNER_SUPERVISOR, partner=y.partner))
    assert numbers(sup_x.get(URL)) == {in_x.registration_number, in_x2.registration_number}
    assert numbers(sup_y.get(URL)) == {in_y.registration_number}
    assert sup_x.get(detail(in_y)).status_code == 404
    assert sup_y.get(detail(in_x)).status_code == 404
    assert sup_x.patch(detail(in_y), {"occupation": "x"}).status_code == 404
    assert sup_y.patch(detail(in_x2), {"occupation": "x"}).status_code == 404
    assert sup_x.patch(detail(in_x2), {"occupation": "Driver"}).status_code == 200


def test_programme_officers_have_no_registrant_list():
    person = PersonFactory()
    officer = client_for(user_with_role(Role.PROGRAMME_OFFICER, programme=ProgrammeFactory()))
    response = officer.get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert officer.get(detail(person)).status_code == 404


def test_ministry_officers_read_nationally_but_do_not_correct(two_branches):
    (_staff_a, person_a), (_staff_b, person_b) = two_branches
    ministry = client_for(user_with_role(Role.MINISTRY_OFFICER))
    assert numbers(ministry.get(URL)) == {
        person_a.registration_number,
        person_b.registration_number,
    }
    response = ministry.patch(detail(person_a), {"occupation": "x"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "read_only_scope"


def test_campaign_organisers_see_their_area_only():
    phnom_penh = PersonFactory()  # village 12010101, Phnom Penh
    elsewhere = PersonFactory(
        village=Village.objects.exclude(commune__district__province__code="12").first()
    )
    organiser = client_for(
        user_with_role(Role.CAMPAIGN_ORGANISER, province=Province.objects.get(code="12"))
    )
    assert phnom_penh.registration_number in numbers(organiser.get(URL))
    assert elsewhere.registration_number not in numbers(organiser.get(URL))
    assert organiser.get(detail(elsewhere)).status_code == 404


def test_anonymous_requests_are_refused_with_401(api):
    person = PersonFactory()
    for response in (api.get(URL), api.get(detail(person)), api.post(URL, registrant_body())):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
        assert response["WWW-Authenticate"] == "Token"
    assert Person.objects.count() == 1


# --- Correct --------------------------------------------------------------------------
def test_staff_correct_their_registrant_and_the_change_is_kept(staff, staff_api):
    created = staff_api.post(URL, registrant_body()).json()
    url = f"{URL}{created['registration_number']}/"
    response = staff_api.patch(url, {"name_latin": "chan  SOPHY", "village_code": "12010102"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name_latin"] == "Chan Sophy"  # normalised by the registration service
    assert body["village"]["code"] == "12010102"
    change = PersonChange.objects.get(action="updated")
    assert change.channel == "api"
    assert change.actor == staff
    assert set(change.changes) == {"name_latin", "village"}


def test_a_correction_is_checked_against_the_whole_record(staff_api):
    created = staff_api.post(URL, registrant_body()).json()
    url = f"{URL}{created['registration_number']}/"
    response = staff_api.patch(url, {"date_of_birth": "2030-01-01"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["date_of_birth"]
    unknown = staff_api.patch(url, {"reference": "F-2"}, HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 400
    assert "reference" in unknown.json()["error"]["fields"]


def test_a_registrant_who_left_is_listed_without_personal_data_and_cannot_be_changed(
    staff, staff_api
):
    from registry.services.people import person_leave

    created = staff_api.post(URL, registrant_body()).json()
    person = Person.objects.get(registration_number=created["registration_number"])
    person_leave(person=person, channel="self")
    assert numbers(staff_api.get(URL)) == set()
    withdrawn = staff_api.get(URL, {"status": "withdrawn"}).json()["results"]
    assert [row["registration_number"] for row in withdrawn] == [person.registration_number]
    assert withdrawn[0]["name_km"] is None
    assert withdrawn[0]["phone"] is None
    assert withdrawn[0]["status"] == "withdrawn"
    response = staff_api.patch(detail(person), {"occupation": "x"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "registrant_inactive"


# --- Filters and pages ----------------------------------------------------------------
def test_list_filters(staff, staff_api):
    branch = branch_of(staff)
    woman = PersonFactory(branch=branch, partner=branch.partner, sex="F", name_latin="Chan Dara")
    man = PersonFactory(branch=branch, partner=branch.partner, sex="M")
    assert numbers(staff_api.get(URL, {"sex": "F"})) == {woman.registration_number}
    assert numbers(staff_api.get(URL, {"q": "chan"})) == {woman.registration_number}
    assert numbers(staff_api.get(URL, {"province": "12"})) == {
        woman.registration_number,
        man.registration_number,
    }
    assert numbers(staff_api.get(URL, {"province": "17"})) == set()
    assert numbers(staff_api.get(URL, {"village": "12010101", "sex": "M"})) == {
        man.registration_number
    }
    assert len(numbers(staff_api.get(URL, {"registered_since": "2000-01-01"}))) == 2
    assert numbers(staff_api.get(URL, {"registered_until": "2000-01-01"})) == set()
    assert len(numbers(staff_api.get(URL, {"updated_since": "2000-01-01T00:00:00Z"}))) == 2
    bad = staff_api.get(URL, {"sex": "X", "registered_since": "yesterday"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"sex", "registered_since"}


def test_lists_are_paginated(staff, staff_api):
    branch = branch_of(staff)
    PersonFactory.create_batch(3, branch=branch, partner=branch.partner)
    page = staff_api.get(URL, {"page_size": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]
    assert len(staff_api.get(page["next"]).json()["results"]) == 1


# --- Query counts (regressions, not timings) --------------------------------------------
def test_listing_costs_the_same_queries_for_any_page_size(staff, staff_api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    branch = branch_of(staff)
    programme = ProgrammeFactory()
    for person in PersonFactory.create_batch(3, branch=branch, partner=branch.partner):
        Consent.objects.create(person=person, programme=programme, channel="api")
    with CaptureQueriesContext(connection) as few:
        assert len(staff_api.get(URL).json()["results"]) == 3
    for person in PersonFactory.create_batch(12, branch=branch, partner=branch.partner):
        Consent.objects.create(person=person, programme=None, channel="api")
    with CaptureQueriesContext(connection) as many:
        assert len(staff_api.get(URL).json()["results"]) == 15
    # 8: the token, the user's roles, the audit row, the planner's estimate of the count
    # (EXPLAIN, dashboards issue 13), the page, its consents, its work, and the throttle.
    assert len(many.captured_queries) == len(few.captured_queries) <= 8


def test_registering_stays_within_its_statement_budget(staff_api, django_assert_max_num_queries):
    staff_api.post(URL, registrant_body(reference="warm"))
    # Token, role, then the registration service (village, reference, person, history,
    # consents, SMS) and its savepoints; see bench/README.md for the count in production.
    with django_assert_max_num_queries(16):
        assert staff_api.post(URL, registrant_body(reference="F-Q")).status_code == 201


def test_the_written_out_registrant_matches_its_documented_fields(staff):
    from rest_framework import serializers

    from registry.api.serializers import RegistrantSerializer
    from registry.services.people import person_leave

    branch = branch_of(staff)
    person = PersonFactory(branch=branch, partner=branch.partner, national_id="123456789")
    Consent.objects.create(person=person, programme=ProgrammeFactory(code="skills"), channel="api")
    person = Person.objects.select_related("village__commune__district__province", "branch").get(
        pk=person.pk
    )
    serializer = RegistrantSerializer()
    fast = serializer.to_representation(person)
    generic = serializers.Serializer.to_representation(serializer, person)
    assert list(fast) == list(serializer.fields)
    assert fast == generic
    person_leave(person=person, channel="self")
    person.refresh_from_db()
    left = serializer.to_representation(person)
    assert list(left) == list(serializer.fields)
    assert left["name_km"] is None
    assert left["status"] == "withdrawn"


def test_type_errors_and_branch_errors_are_reported_together(staff_api):
    response = staff_api.post(
        URL,
        registrant_body(name_km={"not": "text"}, branch="nowhere"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"name_km", "branch"}
    not_an_object = staff_api.post(URL, ["a", "list"], format="json")
    assert not_an_object.status_code == 400
    assert Person.objects.count() == 0
