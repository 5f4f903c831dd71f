"""A registration moves the figures once the refresh Celery beat runs every few seconds has run."""

import pytest
from django.conf import settings

from accounts.models import Role
from dashboards.tasks import rollups_refresh_due
from registry.models import Consent
from registry.services.people import person_data_clean
from registry.services.registration import registration_submit
from tests.factories import PERSON_RAW, PersonFactory, ProgrammeFactory, user_with_role

pytestmark = pytest.mark.django_db


def _figures(client) -> dict:
    data = client.get("/dashboard/").context["data"]
    figures = {c.key: c.n for c in data["figures"]}
    for panel in data["panels"]:
        figures.update({f"{panel.key}:{c.key}": c.n for c in panel.cells})
    return figures


def test_the_refresh_is_on_the_beat_schedule_within_a_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-rollups-refresh"]
    assert entry["task"] == "dashboards.tasks.rollups_refresh_due"
    assert entry["schedule"] <= 30


def test_registering_people_moves_the_figures(client, geography):
    programme = ProgrammeFactory()
    PersonFactory.create_batch(2)
    rollups_refresh_due.delay()
    client.force_login(user_with_role(Role.MINISTRY_OFFICER))
    before = _figures(client)
    assert before["active"] == 2
    for sex in ("F", "F", "M"):
        data = person_data_clean(raw={**PERSON_RAW, "sex": sex})
        registration_submit(data=data, work=None, consents={programme.pk}, channel="self")
    # Not yet counted: the figures are the rollups', not a live count.
    assert _figures(client)["active"] == 2
    assert rollups_refresh_due.delay().get() == 3
    after = _figures(client)
    assert after["active"] == 5
    assert after["sex:F"] == before.get("sex:F", 0) + 2
    assert after[f"consent:{programme.pk}"] == 3
    assert after["channel:self"] == before.get("channel:self", 0) + 3


def test_leaving_and_withdrawing_consent_move_the_figures(client, geography):
    from registry.models import Person

    programme = ProgrammeFactory()
    people = PersonFactory.create_batch(3)
    for person in people:
        Consent.objects.create(person=person, programme=programme, channel="self")
    rollups_refresh_due.delay()
    client.force_login(user_with_role(Role.MINISTRY_OFFICER))
    assert _figures(client)[f"consent:{programme.pk}"] == 3
    Person.objects.filter(pk=people[0].pk).update(status=Person.Status.WITHDRAWN)
    from django.utils import timezone

    Consent.objects.filter(person=people[1]).update(withdrawn_at=timezone.now())
    rollups_refresh_due.delay()
    figures = _figures(client)
    assert figures["active"] == 2 and figures["withdrawn"] == 1
    # people[0] left (no longer active), people[1] withdrew: one consent in force.
    assert figures[f"consent:{programme.pk}"] == 1


def test_a_change_nothing_counts_by_queues_nothing(geography):
    from dashboards.models import DirtyPerson

    person = PersonFactory()
    rollups_refresh_due.delay()
    person.occupation = "tailor"
    person.save()
    assert not DirtyPerson.objects.exists()
    person.sex = "F"
    person.save()
    assert DirtyPerson.objects.filter(person_id=person.pk).exists()
