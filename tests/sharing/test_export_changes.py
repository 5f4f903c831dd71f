"""Exports compare with their base only the people that can have changed: the ones
updated, consenting or withdrawing since, and the ones whose age crossed a bound of the
rule; a rule, column or gazetteer change compares everyone. Everyone here is first made
old (changed two days ago), so a change the candidates missed would not be listed."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from dedup.services.merge import person_merge
from geography.models import Village
from programmes.models import EligibilityRule
from programmes.rules import Criteria
from registry.models import Consent, Person
from registry.models.people import Channel
from registry.services.consent import consent_withdraw
from sharing import services
from sharing.eligibility import years_before
from sharing.exports.delta import comparable, delta_plan
from sharing.models import ExportJob, ExportMember
from sharing.selectors import export_inclusions_of
from tests.sharing.conftest import consenting_person
from tests.sharing.test_exports import rows_of, run


def make_old(days: int = 2) -> None:
    """Every person and consent last changed `days` ago."""
    then = timezone.now() - datetime.timedelta(days=days)
    Person.objects.update(updated_at=then)
    Consent.objects.update(given_at=then)


def plan_of(job: ExportJob):
    job.refresh_from_db()
    return delta_plan(job=job, criteria=Criteria.from_dict(job.criteria))


@pytest.mark.django_db
def test_a_delta_compares_only_the_changed_people_and_finds_a_withdrawal(programme):
    people = [consenting_person(programme) for _ in range(5)]
    make_old()
    full = run(programme)
    leaves = people[0]
    consent_withdraw(person=leaves, programme=programme, channel=Channel.SELF)
    job = services.export_request(programme=programme, user=None, kind=ExportJob.Kind.DELTA)
    job.started_at = timezone.now()
    job.gazetteer = full.gazetteer
    plan = delta_plan(job=job, criteria=Criteria.from_dict(job.criteria))
    assert plan.scoped and plan.candidates == 1
    assert plan.chain == [full.pk]
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    (row,) = rows_of(job)
    assert (row["change"], row["registration_number"], row["reason"]) == (
        "removed",
        leaves.registration_number,
        "consent_withdrawn",
    )
    # The delta records its one change, not the programme.
    assert list(ExportMember.objects.filter(job=job).values_list("person_id", "change")) == [
        (leaves.pk, ExportMember.Change.REMOVED)
    ]


@pytest.mark.django_db
def test_a_merge_lists_the_merged_record_with_its_survivor(programme):
    merged = consenting_person(programme)
    survivor = consenting_person(programme)
    consenting_person(programme)
    make_old()
    run(programme)
    person_merge(survivor=survivor, merged=merged)
    rows = {r["registration_number"]: r for r in rows_of(run(programme, kind="delta"))}
    assert rows[merged.registration_number]["reason"] == "merged"
    assert rows[merged.registration_number]["survivor_number"] == survivor.registration_number
    assert set(rows) <= {merged.registration_number, survivor.registration_number}


@pytest.mark.django_db
def test_people_whose_age_crossed_a_bound_of_the_rule_are_compared(programme):
    EligibilityRule.objects.filter(programme=programme).update(age_min=18, age_max=60)
    today = timezone.localdate()
    comes_of_age = consenting_person(programme, date_of_birth=years_before(today, 18))
    too_old = consenting_person(programme, date_of_birth=years_before(today, 61))
    stays = consenting_person(programme, date_of_birth=years_before(today, 30))
    make_old(days=3)
    # The full list of yesterday: 17 and 60 years old then.
    with mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() - datetime.timedelta(days=1)
    ):
        full = run(programme)
    assert {r["registration_number"] for r in rows_of(full)} == {
        too_old.registration_number,
        stays.registration_number,
    }
    delta = run(programme, kind="delta")
    assert plan_of(delta).scoped
    rows = {r["registration_number"]: r for r in rows_of(delta)}
    assert rows[comes_of_age.registration_number]["change"] == "new"
    assert rows[too_old.registration_number]["reason"] == "no_longer_eligible"
    assert stays.registration_number not in rows


@pytest.mark.django_db
def test_a_rule_change_compares_everyone(programme):
    man = consenting_person(programme, sex="M")
    consenting_person(programme, sex="F")
    make_old()
    full = run(programme)
    EligibilityRule.objects.filter(programme=programme).update(sex="F")
    delta = services.export_request(programme=programme, user=None, kind="delta")
    assert not comparable(job=delta, base=full, criteria=Criteria.from_dict(delta.criteria))
    services.export_run(job_id=delta.pk)
    delta.refresh_from_db()
    (row,) = rows_of(delta)
    assert (row["registration_number"], row["reason"]) == (
        man.registration_number,
        "no_longer_eligible",
    )


@pytest.mark.django_db
def test_a_gazetteer_change_compares_everyone(programme):
    person = consenting_person(programme)
    consenting_person(programme, village=Village.objects.exclude(pk=person.village_id).first())
    make_old()
    run(programme)
    Village.objects.filter(pk=person.village_id).update(code="99999999")
    (row,) = rows_of(run(programme, kind="delta"))
    assert (row["registration_number"], row["changed_columns"], row["village_code"]) == (
        person.registration_number,
        "village_code",
        "99999999",
    )


@pytest.mark.django_db
def test_a_full_list_records_only_what_changed_and_still_answers_who_was_in_it(programme):
    same = consenting_person(programme, name_latin="Same")
    edited = consenting_person(programme, name_latin="Before")
    leaves = consenting_person(programme)
    make_old()
    first = run(programme)
    assert ExportMember.objects.filter(job=first).count() == 3  # no base: everyone
    edited.name_latin = "After"
    edited.save()
    consent_withdraw(person=leaves, programme=programme, channel=Channel.SELF)
    second = run(programme)
    assert second.base == first
    assert len(rows_of(second)) == 2
    assert set(ExportMember.objects.filter(job=second).values_list("person_id", "change")) == {
        (edited.pk, ExportMember.Change.CHANGED),
        (leaves.pk, ExportMember.Change.REMOVED),
    }
    delta = run(programme, kind="delta")
    assert rows_of(delta) == []

    def inclusions(person):
        return [(i.job.pk, i.change) for i in export_inclusions_of(person_id=person.pk)]

    assert inclusions(same) == [(first.pk, ExportMember.Change.NEW), (second.pk, 0)]
    assert inclusions(edited) == [
        (first.pk, ExportMember.Change.NEW),
        (second.pk, ExportMember.Change.CHANGED),
    ]
    assert inclusions(leaves) == [(first.pk, ExportMember.Change.NEW)]
    # The file of a full list is the same whatever its base.
    third = run(programme)
    assert third.sha256 == second.sha256
