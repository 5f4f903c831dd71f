"""The move of models between apps (issue 10) on a database filled by the previous schema.

The gazetteer, the programme catalogue, the dedup models and the idempotency records
left `registry` and `accounts` for apps of their own. Their migrations are state-only:
this test migrates a real database back to the schema before the move, fills it through
the historical models, migrates forward and reads every row back through today's models,
with its foreign keys, and with the content types (and so the permissions) relabelled.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import RoleAssignment
from api.models import IdempotencyRecord
from campaigns.models import Campaign, Event
from dedup.models import DuplicateCase
from geography.models import Village
from partners.models import Branch
from programmes.models import Programme
from registry.models import Consent, Person

# The newest migration of each app before the move; the new apps not yet there.
BEFORE_THE_MOVE = [
    ("registry", "0009_person_fk_indexes"),
    ("accounts", "0003_idempotencyrecord"),
    ("campaigns", "0002_initial"),
    ("partners", "0004_intake_cleaned_committed_by"),
    ("geography", None),
    ("programmes", None),
    ("dedup", None),
    ("api", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([node for node in targets if node[1]]).apps


def _fill(apps) -> dict:
    """Rows of every moved model, made as the old schema knew them."""
    user = apps.get_model("accounts", "User").objects.create(username="before-the-move")
    province = apps.get_model("registry", "Province").objects.create(
        code="99", name_km="ខេត្តសាកល្បង", name_en="Test province"
    )
    district = apps.get_model("registry", "District").objects.create(
        code="9901", name_km="ស្រុក", name_en="District", province=province
    )
    commune = apps.get_model("registry", "Commune").objects.create(
        code="990101", name_km="ឃុំ", name_en="Commune", district=district
    )
    village = apps.get_model("registry", "Village").objects.create(
        code="99010101", name_km="ភូមិ", name_en="Village", commune=commune
    )
    programme = apps.get_model("registry", "Programme").objects.create(
        code="moved-nssf", kind="social_security", name_km="ប.ស.ស", name_en="NSSF"
    )
    person_model = apps.get_model("registry", "Person")
    people = [
        person_model.objects.create(
            registration_number=number,
            name_km="សុខ ដារា",
            sex="F",
            date_of_birth=datetime.date(1990, 1, 1),
            village=village,
            actor_type="self_employed",
            sector="services",
            channel="web",
        )
        for number in ("9900000011", "9900000029")
    ]
    apps.get_model("registry", "Consent").objects.create(
        person=people[0], programme=programme, channel="web"
    )
    apps.get_model("registry", "DuplicateCase").objects.create(
        person_a=people[0], person_b=people[1], score=0.5, reasons=[], source="batch"
    )
    apps.get_model("accounts", "IdempotencyRecord").objects.create(
        user=user, key="key-before-the-move", request_hash="0" * 64
    )
    apps.get_model("accounts", "RoleAssignment").objects.create(
        user=user, role="campaign_organiser", province=province
    )
    apps.get_model("accounts", "RoleAssignment").objects.create(
        user=user, role="programme_officer", programme=programme
    )
    partner = apps.get_model("partners", "Partner").objects.create(code="moved", name="Bank")
    apps.get_model("partners", "Branch").objects.create(
        partner=partner, code="moved-1", name="Branch", province=province
    )
    campaign = apps.get_model("campaigns", "Campaign").objects.create(
        code="moved",
        name_km="យុទ្ធនាការ",
        name_en="Campaign",
        organiser=user,
        province=province,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        target=10,
    )
    apps.get_model("campaigns", "Event").objects.create(
        campaign=campaign, name="Day one", village=village, held_on=datetime.date(2026, 2, 1)
    )
    # A permission on a moved model, as an administrator's group would hold.
    content_type = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="registry", model="village"
    )[0]
    permission = apps.get_model("auth", "Permission").objects.create(
        content_type=content_type, codename="inspect_village_moved", name="Inspect"
    )
    return {"village": village.pk, "people": [p.pk for p in people], "permission": permission.pk}


@pytest.mark.django_db(transaction=True)
def test_models_moved_between_apps_keep_every_row():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        made = _fill(_migrate(BEFORE_THE_MOVE))
        _migrate(latest)

        village = Village.objects.select_related("commune__district__province").get(
            pk=made["village"]
        )
        assert village.commune.district.province.name_en == "Test province"
        first, second = (Person.objects.get(pk=pk) for pk in made["people"])
        assert first.village == village
        assert Consent.objects.get(person=first).programme == Programme.objects.get(
            code="moved-nssf"
        )
        case = DuplicateCase.objects.get(person_a=first)
        assert case.person_b == second
        assert IdempotencyRecord.objects.filter(key="key-before-the-move").exists()
        assert RoleAssignment.objects.get(role="campaign_organiser").province.code == "99"
        assert RoleAssignment.objects.get(role="programme_officer").programme.code == "moved-nssf"
        assert Branch.objects.get(code="moved-1").province.code == "99"
        assert Campaign.objects.get(code="moved").province.code == "99"
        assert Event.objects.get(campaign__code="moved").village == village

        # The permission still names the model, now under its new app.
        permission = Permission.objects.get(pk=made["permission"])
        assert permission.content_type == ContentType.objects.get_for_model(Village)
        assert (permission.content_type.app_label, permission.content_type.model) == (
            "geography",
            "village",
        )
        assert not ContentType.objects.filter(app_label="registry", model="village").exists()
    finally:
        _migrate(latest)
