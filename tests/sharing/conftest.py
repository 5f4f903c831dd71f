import pytest

from programmes.models import EligibilityRule, Programme
from registry.models.people import Channel
from registry.services.consent import consent_give
from tests.factories import PersonFactory


@pytest.fixture(autouse=True)
def exports_root(settings, tmp_path):
    """Each test its own folder of export files."""
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return settings.EXPORTS_ROOT


@pytest.fixture
def programme(geography):
    """A programme open to everyone (an empty rule), receiving a few columns."""
    programme = Programme.objects.create(
        code="test-programme",
        kind=Programme.Kind.SKILLS,
        name_km="កម្មវិធីសាកល្បង",
        name_en="Test programme",
        columns=["name_latin", "phone", "sex", "village_code"],
    )
    EligibilityRule.objects.create(programme=programme)
    return programme


def consenting_person(programme, **fields):
    person = PersonFactory(**fields)
    consent_give(person=person, programme=programme, channel=Channel.SELF)
    return person
