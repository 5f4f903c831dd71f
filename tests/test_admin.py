import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import PersonFactory, UserFactory


@pytest.mark.django_db
def test_every_admin_list_and_a_record_page_open(client):
    PersonFactory()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        obj = model.objects.first()
        if obj is not None:
            change = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
            )
            assert client.get(change).status_code == 200, change


# --------------------------------------------------------------------------- issue 10 §3
# Registry records are written through the services only; the admin looks and links.

SERVICE_WRITTEN = [
    "registry.Person",
    "registry.Enterprise",
    "registry.Employment",
    "registry.Consent",
    "registry.PersonChange",
    "dedup.DuplicateCase",
    "dedup.Merge",
    "dedup.DedupRun",
    "registry.PhoneCode",
    "registry.SmsMessage",
    "campaigns.Attribution",
]


def _admin_url(obj, action: str) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{action}", args=[obj.pk])


@pytest.fixture
def records(db):
    from registry.models import Employment, Enterprise
    from registry.services.consent import consent_give
    from tests.factories import ProgrammeFactory

    person = PersonFactory(name_latin="Sok Dara")
    enterprise = Enterprise.objects.create(
        name="Dara noodles", sector="accommodation_food", owner=person, village=person.village
    )
    employment = Employment.objects.create(person=person, enterprise=enterprise, role="owner")
    consent = consent_give(person=person, programme=ProgrammeFactory(), channel="self")
    return {
        "person": person,
        "enterprise": enterprise,
        "employment": employment,
        "consent": consent,
    }


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("name", SERVICE_WRITTEN)
def test_no_admin_can_add_change_or_delete_registry_records(rf, name):
    model = apps.get_model(name)
    request = rf.get("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["person", "enterprise", "employment", "consent"])
def test_an_administrator_cannot_write_a_record_through_admin_posts(
    superuser_client, records, kind
):
    obj = records[kind]
    model = type(obj)
    before = model.objects.filter(pk=obj.pk).values().get()
    meta = model._meta
    add = reverse(f"admin:{meta.app_label}_{meta.model_name}_add")
    assert superuser_client.get(add).status_code == 403
    assert superuser_client.post(add, {}).status_code == 403
    changed = {**{k: v for k, v in before.items() if v is not None}, "name_latin": "Changed"}
    assert superuser_client.post(_admin_url(obj, "change"), changed).status_code == 403
    assert superuser_client.post(_admin_url(obj, "delete"), {"post": "yes"}).status_code == 403
    # The bulk "delete selected" action is not offered either.
    changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    superuser_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert model.objects.filter(pk=obj.pk).values().get() == before


@pytest.mark.django_db
def test_reference_data_stays_editable_in_the_admin(superuser_client):
    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory(is_active=True)
    data = {
        "code": programme.code,
        "name_en": "Renamed",
        "name_km": programme.name_km,
        "kind": programme.kind,
        "columns": "registration_number,name_km",
        "retention_days": 30,
        # The eligibility rule's inline (none yet, none added).
        "rule-TOTAL_FORMS": 0,
        "rule-INITIAL_FORMS": 0,
    }
    response = superuser_client.post(_admin_url(programme, "change"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    programme.refresh_from_db()
    assert programme.name_en == "Renamed" and not programme.is_active


@pytest.mark.django_db
def test_a_record_links_to_the_staff_page_that_changes_it_through_the_services(
    superuser_client, records, english
):
    from accounts.models import Role
    from registry.models import PersonChange
    from tests.factories import BranchFactory, user_with_role

    person = records["person"]
    staff_page = f"/branch/applicants/{person.registration_number}/"
    for obj in records.values():
        if obj is records["consent"]:
            continue
        page = superuser_client.get(_admin_url(obj, "change")).content.decode()
        assert f'href="{staff_page}"' in page
    # The branch whose applicant it is makes the change there: normalised, with history.
    branch = BranchFactory()
    person.branch, person.partner = branch, branch.partner
    person.save(update_fields=["branch", "partner"])
    staff = user_with_role(Role.BRANCH_STAFF, branch=branch)
    superuser_client.force_login(staff)
    response = superuser_client.post(
        f"{staff_page}edit/",
        {
            "d-name_km": "សុខ\u200bដារ៉ា",
            "d-name_latin": "  Sokh   Dara ",
            "d-sex": "M",
            "d-date_of_birth": "17/05/1990",
            "d-village": person.village_id,
            "w-actor_type": person.actor_type,
            "w-sector": person.sector,
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name_latin == "Sokh Dara"
    assert "\u200b" not in person.name_km
    change = PersonChange.objects.get(person=person, action="updated")
    assert change.actor == staff and change.channel == "branch"
