"""Merging is lossless and undo puts both records back exactly."""

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from registry.models import Consent, DuplicateCase, Person, PersonAlias, PersonChange
from registry.selectors.people import person_list_visible_to
from registry.services.consent import consent_give
from registry.services.merge import merge_undo, person_merge
from tests.factories import PersonFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


def snapshot(person: Person) -> dict:
    person.refresh_from_db()
    data = model_to_dict(person)
    data.pop("updated_at", None)
    return data


def consent_state(person: Person) -> set:
    return set(
        Consent.objects.filter(person=person, withdrawn_at=None).values_list(
            "programme_id", flat=True
        )
    )


def pair():
    survivor = PersonFactory(
        name_latin="Sok Dara", national_id="", phone="+85512345678", occupation=""
    )
    merged = PersonFactory(
        name_km="សុខ ដារ៉ា",
        name_latin="Sokh Dara",
        national_id="010203040",
        phone="+85517000111",
        occupation="tailor",
        reference="BANK-1",
    )
    return survivor, merged


def test_merge_keeps_every_value_and_hides_the_merged_record():
    survivor, merged = pair()
    admin = UserFactory(is_superuser=True)
    merge = person_merge(survivor=survivor, merged=merged, actor=admin)
    survivor.refresh_from_db()
    merged.refresh_from_db()
    # Empty fields of the survivor are filled; other values become aliases.
    assert survivor.national_id == "010203040"
    assert survivor.occupation == "tailor"
    aliases = set(PersonAlias.objects.filter(person=survivor).values_list("field", "value"))
    assert ("name_latin", "Sokh Dara") in aliases
    assert ("phone", "+85517000111") in aliases
    assert ("reference", "BANK-1") in aliases
    # The merged record stays, pointing to the survivor, out of every list.
    assert merged.status == "merged" and merged.merged_into == survivor
    visible = person_list_visible_to(user=admin)
    assert visible.filter(pk=survivor.pk).exists() and not visible.filter(pk=merged.pk).exists()
    assert merge.merged_by == admin
    assert PersonChange.objects.filter(person=survivor, action="merged_from").exists()
    assert PersonChange.objects.filter(person=merged, action="merged_into").exists()


def test_consent_after_a_merge_is_what_both_records_gave():
    survivor, merged = pair()
    both, only_survivor, only_merged = ProgrammeFactory(), ProgrammeFactory(), ProgrammeFactory()
    for programme in (both, only_survivor):
        consent_give(person=survivor, programme=programme, channel="self")
    for programme in (both, only_merged):
        consent_give(person=merged, programme=programme, channel="bulk")
    person_merge(survivor=survivor, merged=merged)
    assert consent_state(survivor) == {both.pk}


def test_undo_restores_both_records_exactly():
    survivor, merged = pair()
    nssf, skills = ProgrammeFactory(), ProgrammeFactory()
    consent_give(person=survivor, programme=nssf, channel="self")
    consent_give(person=survivor, programme=skills, channel="self")
    consent_give(person=merged, programme=nssf, channel="bulk")
    before = (snapshot(survivor), snapshot(merged), consent_state(survivor), consent_state(merged))
    case = DuplicateCase.objects.create(
        person_a=survivor, person_b=merged, score=0.9, source="batch"
    )
    merge = person_merge(survivor=survivor, merged=merged, case=case)
    assert snapshot(survivor) != before[0]
    merge_undo(merge=merge)
    after = (snapshot(survivor), snapshot(merged), consent_state(survivor), consent_state(merged))
    assert after == before
    assert not PersonAlias.objects.exists()
    case.refresh_from_db()
    assert case.decision == "different"  # an undone merge is never proposed again
    with pytest.raises(ValidationError):
        merge_undo(merge=merge)


def test_undo_keeps_a_correction_made_after_the_merge():
    survivor, merged = pair()
    merge = person_merge(survivor=survivor, merged=merged)
    Person.objects.filter(pk=survivor.pk).update(occupation="seamstress")
    merge_undo(merge=merge)
    survivor.refresh_from_db()
    assert survivor.occupation == "seamstress"


def test_merge_round_trip_twice():
    survivor, merged = pair()
    before = (snapshot(survivor), snapshot(merged))
    merge_undo(merge=person_merge(survivor=survivor, merged=merged))
    merge_undo(merge=person_merge(survivor=survivor, merged=merged))
    assert (snapshot(survivor), snapshot(merged)) == before


def test_inactive_or_same_records_cannot_be_merged():
    survivor, merged = pair()
    with pytest.raises(ValidationError):
        person_merge(survivor=survivor, merged=survivor)
    Person.objects.filter(pk=merged.pk).update(status="withdrawn")
    merged.refresh_from_db()
    with pytest.raises(ValidationError):
        person_merge(survivor=survivor, merged=merged)
    assert Person.objects.get(pk=survivor.pk).status == "active"


def test_a_chained_merge_must_be_undone_in_order():
    a, b = pair()
    c = PersonFactory()
    first = person_merge(survivor=a, merged=b)
    second = person_merge(survivor=c, merged=Person.objects.get(pk=a.pk))
    with pytest.raises(ValidationError):
        merge_undo(merge=first)
    merge_undo(merge=second)
    merge_undo(merge=first)
    assert Person.objects.filter(status="active").count() == 3


def test_a_partner_reference_of_a_merged_record_leads_to_the_survivor():
    from registry.services.people import person_data_clean, person_register
    from tests.factories import BranchFactory

    branch = BranchFactory()
    survivor = PersonFactory()
    merged = PersonFactory(branch=branch, partner=branch.partner, reference="REF-9")
    person_merge(survivor=survivor, merged=merged)
    data = person_data_clean(
        raw={
            "name_km": "សុខ ដារ៉ា",
            "sex": "M",
            "date_of_birth": "1990-05-17",
            "village_code": "12010101",
            "actor_type": "self_employed",
            "sector": "services",
        }
    )
    person, created = person_register(data=data, channel="bulk", branch=branch, reference="REF-9")
    assert not created and person == survivor
