import datetime
import random

import pytest
from django.utils import timezone

from accounts.models import Role
from campaigns.models import Attribution
from geography.models import Village
from registry.models import Consent, Person
from tests.factories import (
    BranchFactory,
    CampaignFactory,
    PersonFactory,
    ProgrammeFactory,
    user_with_role,
)

ACTORS = ["self_employed", "microenterprise_owner", "microenterprise_worker", "seasonal_worker"]
SECTORS = ["agriculture", "services", "transport", "construction"]
CHANNELS = ["self", "app", "branch", "bulk", "campaign"]


@pytest.fixture
def registry_sample(geography):
    """~120 registrants spread over two provinces, several districts, communes and
    villages, every channel, both sexes, ages, partners, a campaign, consents, and some
    who left or were merged: the records the tests count from independently."""
    rng = random.Random(7)
    villages = list(Village.objects.filter(commune__district__province__code="12")[:6]) + list(
        Village.objects.filter(commune__district__province__code="17")[:3]
    )
    branches = [BranchFactory(), BranchFactory()]
    branches.append(BranchFactory(partner=branches[0].partner))
    campaign = CampaignFactory()
    programmes = [ProgrammeFactory(), ProgrammeFactory()]
    today = timezone.localdate()
    people = []
    for _i in range(120):
        channel = rng.choice(CHANNELS)
        branch = rng.choice(branches) if channel in ("branch", "bulk") else None
        person = PersonFactory(
            village=rng.choice(villages),
            sex=rng.choice("FM"),
            date_of_birth=datetime.date(rng.randint(1950, 2006), rng.randint(1, 12), 1),
            actor_type=rng.choice(ACTORS),
            sector=rng.choice(SECTORS),
            channel=channel,
            branch=branch,
            partner=branch.partner if branch else None,
            status=rng.choice(["active"] * 8 + ["withdrawn", "merged"]),
        )
        # Registered over the last ~100 days (auto_now_add: set afterwards).
        created = timezone.now() - datetime.timedelta(
            days=rng.randint(0, 100), hours=rng.randint(0, 5)
        )
        Person.objects.filter(pk=person.pk).update(created_at=created)
        if channel == "campaign" or rng.random() < 0.1:
            Attribution.objects.create(person=person, campaign=campaign)
        for programme in [None, *programmes]:
            if rng.random() < 0.5:
                Consent.objects.create(person=person, programme=programme, channel="self")
        people.append(person)
    return {
        "people": people,
        "villages": villages,
        "branches": branches,
        "campaign": campaign,
        "programmes": programmes,
        "today": today,
    }


@pytest.fixture
def ministry_client(client):
    user = user_with_role(Role.MINISTRY_OFFICER)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client
