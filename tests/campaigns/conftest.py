import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from geography.models import District, Province
from tests.factories import BranchFactory, CampaignFactory, PartnerFactory, user_with_role

PHNOM_PENH = "12"
SIEM_REAP = "17"


@pytest.fixture
def phnom_penh(db):
    return Province.objects.get(code=PHNOM_PENH)


@pytest.fixture
def siem_reap(db):
    return Province.objects.get(code=SIEM_REAP)


@pytest.fixture
def organiser(phnom_penh):
    return user_with_role(Role.CAMPAIGN_ORGANISER, province=phnom_penh)


@pytest.fixture
def district_organiser(phnom_penh):
    district = District.objects.filter(province=phnom_penh).order_by("code").first()
    return user_with_role(Role.CAMPAIGN_ORGANISER, province=phnom_penh, district=district)


@pytest.fixture
def ministry(db):
    return user_with_role(Role.MINISTRY_OFFICER)


@pytest.fixture
def partner(db):
    return PartnerFactory(code="wing", name="Wing Bank")


@pytest.fixture
def branch_staff(partner):
    return user_with_role(Role.BRANCH_STAFF, branch=BranchFactory(partner=partner))


@pytest.fixture
def running_period():
    today = timezone.localdate()
    return {
        "starts_on": today - datetime.timedelta(days=10),
        "ends_on": today + datetime.timedelta(days=20),
    }


@pytest.fixture
def campaign(organiser, phnom_penh, running_period):
    return CampaignFactory(
        code="PPDRIVE",
        name_km="យុទ្ធនាការចុះឈ្មោះ រាជធានីភ្នំពេញ",
        name_en="Phnom Penh registration drive",
        organiser=organiser,
        province=phnom_penh,
        status="running",
        **running_period,
    )
