"""Merging is lossless and undo puts both records back exactly."""

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict

from dedup.models import DuplicateCase, Merge, PersonAlias
from dedup.services.merge import MergeRequest, merge_undo, person_merge, person_merge_many
from registry.models import Consent, Person, PersonChange
from registry.selectors.people import person_list_visible_to
from registry.services.consent import consent_give
from tests.factories import PERSON_RAW, PersonFactory, ProgrammeFactory, UserFactory

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
    from registry.services.people import person_data_clean
    from registry.services.registration import registration_submit
    from tests.factories import BranchFactory

    branch = BranchFactory()
    survivor = PersonFactory()
    merged = PersonFactory(branch=branch, partner=branch.partner, reference="REF-9")
    person_merge(survivor=survivor, merged=merged)
    data = person_data_clean(raw=PERSON_RAW)
    person, created = registration_submit(
        data=data, work=None, consents=set(), channel="bulk", branch=branch, reference="REF-9"
    )
    assert not created and person == survivor


def _chain_of_four(suffix: str, programmes) -> list[Person]:
    """Four records of one person, with fill-ins, aliases and consents to reconcile."""
    people = [
        PersonFactory(name_latin="", national_id="", phone="", occupation="", reference=""),
        PersonFactory(
            name_latin="Sokh Dara", national_id="", phone="+85512000111", reference=f"A-{suffix}"
        ),
        PersonFactory(
            name_latin="Sok Dara",
            national_id="010203040",
            phone="+85512000333",
            occupation="tailor",
        ),
        PersonFactory(name_latin="Sok Darah", phone="+85517000222", reference=f"B-{suffix}"),
    ]
    general, nssf, skills = programmes
    for person, given in zip(
        people, ([nssf, skills], [nssf], [nssf, general], [skills]), strict=True
    ):
        for programme in given:
            consent_give(person=person, programme=programme, channel="self")
    return people


def _outcome(people: list[Person], suffix: str) -> list:
    """Everything a merge writes, with record ids replaced by their place in the list
    (and references by what they have in common)."""
    place = {p.pk: i for i, p in enumerate(people)}
    rows = []
    for person in people:
        person.refresh_from_db()
        rows.append(
            (
                person.name_latin,
                str(person.phone),
                person.national_id,
                person.occupation,
                person.status,
                place.get(person.merged_into_id),
                sorted(consent_state(person), key=str),
                sorted(
                    (field, value.removesuffix(suffix) if field == "reference" else value)
                    for field, value in PersonAlias.objects.filter(person=person).values_list(
                        "field", "value"
                    )
                ),
                [
                    (c.action, sorted(k for k in c.changes if k not in ("merged", "merged_into")))
                    for c in PersonChange.objects.filter(person=person, channel="merge").order_by(
                        "pk"
                    )
                ],
            )
        )
    merges = Merge.objects.filter(survivor__in=people).order_by("pk")
    rows.append(
        [
            (
                place[m.survivor_id],
                place[m.merged_id],
                m.snapshot["filled"],
                m.snapshot["survivor_before"],
                len(m.snapshot["consents_withdrawn"]),
            )
            for m in merges
        ]
    )
    return rows


def test_merging_a_list_is_merging_one_by_one():
    programmes = (None, ProgrammeFactory(), ProgrammeFactory())
    one_by_one = _chain_of_four("1", programmes)
    listed = _chain_of_four("2", programmes)
    # A chain: 3 into 1, 1 into 0, then 2 into 0 (the survivor twice, a merged survivor).
    order = [(1, 3), (0, 1), (0, 2)]
    for s, m in order:
        person_merge(
            survivor=Person.objects.get(pk=one_by_one[s].pk),
            merged=Person.objects.get(pk=one_by_one[m].pk),
        )
    outcome = person_merge_many([MergeRequest(listed[s].pk, listed[m].pk) for s, m in order])
    assert len(outcome.merges) == 3 and not outcome.refused
    assert _outcome(listed, "2") == _outcome(one_by_one, "1")
    # Undone in reverse order, both records of each merge come back as they were.
    for merge in reversed(outcome.merges):
        merge_undo(merge=merge)
    assert Person.objects.filter(pk__in=[p.pk for p in listed], status="active").count() == 4


def test_a_refused_merge_in_a_list_leaves_the_others():
    a, b = pair()
    c, d = PersonFactory(), PersonFactory(status="withdrawn")
    case = DuplicateCase.objects.create(person_a=a, person_b=b, score=0.99, source="batch")
    outcome = person_merge_many(
        [
            MergeRequest(a.pk, b.pk, case.pk),
            MergeRequest(c.pk, b.pk),  # b is merged by then
            MergeRequest(c.pk, d.pk),  # d left the registry
            MergeRequest(c.pk, c.pk),
            MergeRequest(c.pk, 10**12),
        ]
    )
    assert [(m.survivor_id, m.merged_id) for m in outcome.merges] == [(a.pk, b.pk)]
    assert [error.code for _request, error in outcome.refused] == [
        "merge_inactive",
        "merge_inactive",
        "merge_self",
        "merge_missing",
    ]
    case.refresh_from_db()
    assert case.decision == "merged" and case.automatic
    assert Person.objects.get(pk=c.pk).status == "active"
    assert Person.objects.get(pk=b.pk).merged_into_id == a.pk


def test_merging_a_list_takes_the_same_statements_however_long(django_assert_max_num_queries):
    pairs = [pair() for _ in range(30)]
    with django_assert_max_num_queries(12):
        outcome = person_merge_many([MergeRequest(s.pk, m.pk) for s, m in pairs])
    assert len(outcome.merges) == 30
