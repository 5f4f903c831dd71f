"""person_register: the unique indexes decide repeated references and number clashes."""

import random

import pytest
from django.db import transaction

from registry.models import Person, PersonChange
from registry.regnumber import registration_number_new
from registry.services import people
from registry.services.people import person_data_clean, person_register
from tests.factories import PERSON_RAW, BranchFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(geography):
    return person_data_clean(raw=PERSON_RAW)


def test_a_new_registrant_gets_a_record_and_its_registered_history(data):
    branch = BranchFactory()
    person, created = person_register(data=data, channel="branch", branch=branch, reference="R1")
    assert created and person.partner == branch.partner and person.reference == "R1"
    history = PersonChange.objects.get(person=person)
    assert history.action == PersonChange.Action.REGISTERED
    assert history.changes["name_km"] == [None, "សុខ ដារ៉ា"]


def test_a_repeated_reference_returns_the_first_record_and_writes_nothing(data):
    branch = BranchFactory()
    first, _ = person_register(data=data, channel="branch", branch=branch, reference="R1")
    before = (Person.objects.count(), PersonChange.objects.count())
    again, created = person_register(data=data, channel="api", branch=branch, reference=" R1 ")
    assert not created and again == first
    assert (Person.objects.count(), PersonChange.objects.count()) == before


def test_a_repeated_reference_inside_a_transaction_leaves_it_usable(data):
    branch = BranchFactory()
    person_register(data=data, channel="branch", branch=branch, reference="R1")
    with transaction.atomic():
        _again, created = person_register(data=data, channel="api", branch=branch, reference="R1")
        # The refused insert was undone to its savepoint: the transaction goes on.
        other, created_other = person_register(
            data=data, channel="api", branch=branch, reference="R2"
        )
    assert not created and created_other
    assert Person.objects.filter(pk=other.pk).exists()


def test_the_same_reference_at_another_partner_is_another_registrant(data):
    first, _ = person_register(data=data, channel="branch", branch=BranchFactory(), reference="R1")
    second, created = person_register(
        data=data, channel="branch", branch=BranchFactory(), reference="R1"
    )
    assert created and second != first


def test_a_registration_number_clash_is_drawn_again(data, monkeypatch):
    taken = PersonFactory().registration_number
    fresh = registration_number_new(rng=random.Random(7))
    numbers = iter([taken, taken, fresh])
    monkeypatch.setattr(people, "registration_number_new", lambda: next(numbers))
    person, created = person_register(data=data, channel="web")
    assert created and person.registration_number == fresh
    assert Person.objects.filter(registration_number=taken).count() == 1


def test_registering_takes_four_statements_inside_a_transaction(data, django_assert_num_queries):
    branch = BranchFactory()
    branch.partner  # noqa: B018 - loaded before counting
    with transaction.atomic(), django_assert_num_queries(4):
        # savepoint, person, release, history: no look-up of the reference first
        person_register(data=data, channel="api", branch=branch, reference="R1")
