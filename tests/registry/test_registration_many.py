"""registration_submit_many: every rule of a registration, for many people at once.

registration_submit is its one-person case, so these rules hold for every channel; the
unique indexes decide repeated references and registration-number clashes.
"""

import random

import pytest
from django.db import transaction

from campaigns.models import Attribution
from geography.models import Village
from registry.models import Consent, Employment, Enterprise, Person, PersonChange, SmsMessage
from registry.regnumber import registration_number_format, registration_number_new
from registry.services import registration_many
from registry.services.people import PERSON_FIELDS, _as_text, person_data_clean
from registry.services.registration import registration_submit
from registry.services.registration_many import Registration, registration_submit_many
from registry.services.work import WorkData
from tests.factories import (
    PERSON_RAW,
    BranchFactory,
    CampaignFactory,
    PersonFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.sms import last_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(geography):
    return person_data_clean(raw=PERSON_RAW)


def person(**changes):
    return person_data_clean(raw={**PERSON_RAW, **changes})


def submit(registrations, **kwargs):
    kwargs.setdefault("channel", "bulk")
    return registration_submit_many(registrations=registrations, **kwargs)


def test_each_person_gets_a_record_a_number_and_the_registered_history(data):
    branch, staff = BranchFactory(), UserFactory()
    people = [person(name_latin="Sok Dara"), person(name_latin="Chan Sophea", sex="F")]
    results = submit(
        [Registration(data=p, reference=f"R{n}") for n, p in enumerate(people)],
        entered_by=staff,
        branch=branch,
    )
    assert [created for _id, created in results] == [True, True]
    for (person_id, _created), cleaned, n in zip(results, people, range(2), strict=True):
        record = Person.objects.get(pk=person_id)
        assert (record.reference, record.partner, record.branch) == (
            f"R{n}",
            branch.partner,
            branch,
        )
        assert (record.entered_by, record.channel, record.status) == (staff, "bulk", "active")
        assert registration_number_format(record.registration_number)  # a valid number
        assert all(getattr(record, f) == getattr(cleaned, f) for f in PERSON_FIELDS if f != "phone")
        history = PersonChange.objects.get(person=record)
        assert history.action == PersonChange.Action.REGISTERED
        assert (history.actor, history.channel) == (staff, "bulk")
        assert history.changes == {f: [None, _as_text(getattr(cleaned, f))] for f in PERSON_FIELDS}
    assert len({Person.objects.get(pk=pk).registration_number for pk, _ in results}) == 2


def test_consents_are_given_with_their_history(data):
    nssf = ProgrammeFactory(code="nssf")
    [(person_id, _)] = submit([Registration(data=data, consents=frozenset({nssf.pk, None}))])
    consents = Consent.objects.filter(person_id=person_id)
    assert {c.programme_id for c in consents} == {nssf.pk, None}
    assert all(c.channel == "bulk" and c.withdrawn_at is None for c in consents)
    given = PersonChange.objects.filter(person_id=person_id, action="consent_given")
    assert sorted(c.changes["purpose"] for c in given) == [[None, "data_sharing"], [None, "nssf"]]


def test_an_owner_gets_an_enterprise_and_workers_find_their_employer(data):
    village = data.village
    neighbour = Village.objects.filter(commune=village.commune).exclude(pk=village.pk).first()
    elsewhere = Village.objects.exclude(commune=village.commune).first()
    known = Enterprise.objects.create(name="Dara Rice Mill", sector="agriculture", village=village)
    owner = person(actor_type="microenterprise_owner")
    worker = person(actor_type="microenterprise_worker")
    seasonal = person(actor_type="seasonal_worker", village=neighbour.pk)
    far = person(actor_type="microenterprise_worker", village=elsewhere.pk)
    results = submit(
        [
            Registration(data=owner, work=WorkData(enterprise_name="Sok Tailors", workers=3)),
            # by name, any case, in the same commune: the enterprise registered before
            Registration(data=worker, work=WorkData(employer_name="DARA RICE MILL")),
            # the owner's business registered in the same call
            Registration(
                data=seasonal, work=WorkData(employer_name="sok tailors", seasonal_months=(1, 11))
            ),
            # a new employer, created once for the two people who name it
            Registration(data=far, work=WorkData(employer_name="New Shop")),
            Registration(data=far, work=WorkData(employer_name="new shop")),
            Registration(data=worker, work=WorkData(employer_id=known.pk)),
        ]
    )
    ids = [person_id for person_id, _ in results]
    owned = Enterprise.objects.get(owner_id=ids[0])
    assert (owned.name, owned.workers, owned.sector, owned.village) == (
        "Sok Tailors",
        3,
        owner.sector,
        village,
    )
    jobs = {job.person_id: job for job in Employment.objects.filter(person_id__in=ids)}
    assert (jobs[ids[0]].enterprise, jobs[ids[0]].role) == (owned, "owner")
    assert (jobs[ids[1]].enterprise, jobs[ids[1]].role) == (known, "worker")
    assert (jobs[ids[2]].enterprise, jobs[ids[2]].role) == (owned, "seasonal")
    assert jobs[ids[2]].seasonal_months == [1, 11]
    assert jobs[ids[3]].enterprise == jobs[ids[4]].enterprise
    new_shop = jobs[ids[3]].enterprise
    assert (new_shop.name, new_shop.owner, new_shop.village) == ("New Shop", None, elsewhere)
    assert jobs[ids[5]].enterprise == known
    assert Enterprise.objects.count() == 3


def test_without_work_details_no_enterprise_is_written(data):
    submit([Registration(data=person(actor_type="microenterprise_owner"), work=None)])
    assert not Enterprise.objects.exists() and not Employment.objects.exists()


def test_the_campaign_that_brought_people_is_credited(data):
    campaign = CampaignFactory()
    event = campaign.events.create(name="Market day", village=data.village, held_on="2026-03-01")
    results = submit(
        [
            Registration(data=data, campaign_id=campaign.pk, event_id=event.pk),
            Registration(data=data),
        ]
    )
    attribution = Attribution.objects.get()
    assert (attribution.person_id, attribution.campaign, attribution.event) == (
        results[0][0],
        campaign,
        event,
    )


def test_a_confirmation_sms_is_queued_for_each_phone_and_sent_after_commit(
    data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        results = submit(
            [
                Registration(data=person(phone="012 345 601")),
                Registration(data=person(phone="012 345 602")),
                Registration(data=person(phone="")),
            ]
        )
        assert set(SmsMessage.objects.values_list("status", flat=True)) == {"pending"}
    assert callbacks
    messages = {str(m.phone): m for m in SmsMessage.objects.all()}
    assert set(messages) == {"+85512345601", "+85512345602"}
    for person_id, _created in results[:2]:
        registered = Person.objects.get(pk=person_id)
        message = messages[str(registered.phone)]
        number = registration_number_format(registered.registration_number)
        assert (message.template, message.params) == ("registration_confirmed", {"number": number})
        assert message.status == SmsMessage.Status.SENT
        text = last_text(str(registered.phone))  # rendered when delivered
        assert text.endswith(f"Your registration number is {number}.")
        assert text.count(number) == 2  # in Khmer and in English


def test_the_duplicate_check_is_enqueued_after_commit_in_slices(
    data, monkeypatch, django_capture_on_commit_callbacks
):
    from dedup.tasks import dedup_people
    from registry.services import people

    monkeypatch.setattr(people, "DEDUP_SLICE", 2)
    sent = []
    monkeypatch.setattr(dedup_people, "delay", lambda ids: sent.append(list(ids)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        results = submit([Registration(data=data) for _ in range(3)])
    assert not sent  # nothing before the commit
    for callback in callbacks:
        callback()
    ids = [person_id for person_id, _ in results]
    assert sent == [ids[:2], ids[2:]]


def test_a_repeated_reference_returns_the_first_record_and_writes_nothing(data):
    branch = BranchFactory()
    [(first, created)] = submit([Registration(data=data, reference="R1")], branch=branch)
    before = [m.objects.count() for m in (Person, PersonChange, SmsMessage, Consent)]
    again = submit(
        [
            Registration(data=data, reference=" R1 ", consents=frozenset({None})),
            Registration(data=data, reference="R2"),
            Registration(data=data, reference="R2"),  # twice in one call: one record
        ],
        branch=branch,
    )
    assert created and again[0] == (first, False)
    assert again[1][1] and again[2] == (again[1][0], False)
    assert [m.objects.count() for m in (Person, PersonChange, SmsMessage, Consent)] == [
        before[0] + 1,
        before[1] + 1,
        before[2],
        before[3],
    ]


def test_a_repeated_reference_inside_a_transaction_leaves_it_usable(data):
    branch = BranchFactory()
    submit([Registration(data=data, reference="R1")], branch=branch)
    with transaction.atomic():
        [(_again, created)] = submit([Registration(data=data, reference="R1")], branch=branch)
        [(other, created_other)] = submit([Registration(data=data, reference="R2")], branch=branch)
    assert not created and created_other
    assert Person.objects.filter(pk=other).exists()


def test_the_same_reference_at_another_partner_is_another_registrant(data):
    [(first, _)] = submit([Registration(data=data, reference="R1")], branch=BranchFactory())
    [(second, created)] = submit([Registration(data=data, reference="R1")], branch=BranchFactory())
    assert created and second != first


def test_a_registration_number_clash_is_drawn_again(data, monkeypatch):
    taken = PersonFactory().registration_number
    fresh = [registration_number_new(rng=random.Random(seed)) for seed in (7, 8)]
    numbers = iter([taken, fresh[0], taken, fresh[1]])
    monkeypatch.setattr(registration_many, "registration_number_new", lambda: next(numbers))
    results = submit([Registration(data=data), Registration(data=data)])
    assert all(created for _id, created in results)
    got = {Person.objects.get(pk=pk).registration_number for pk, _ in results}
    assert taken not in got and len(got) == 2
    assert Person.objects.filter(registration_number=taken).count() == 1
    assert PersonChange.objects.filter(person_id__in=[pk for pk, _ in results]).count() == 2


def test_registering_one_person_takes_one_statement(data, django_assert_num_queries):
    branch = BranchFactory()
    branch.partner  # noqa: B018 - loaded before counting
    with_phone = person(phone="012 345 678")
    # The first registration of a connection also prepares its statement (once for
    # each set of parts: here with a consent).
    registration_submit(
        data=person(national_id="100200300"),
        work=None,
        consents={None},
        channel="api",
        branch=branch,
        reference="R0",
    )
    with transaction.atomic(), django_assert_num_queries(1):
        # The person, history, consent and confirmation SMS in one statement, which
        # also returns the person's columns: nothing is read back.
        registered, created = registration_submit(
            data=with_phone,
            work=None,
            consents={None},
            channel="api",
            branch=branch,
            reference="R1",
        )
    assert created
    stored = Person.objects.get(pk=registered.pk)
    for field in Person._meta.concrete_fields:
        assert getattr(registered, field.attname) == getattr(stored, field.attname), field.name
    assert str(registered.phone) == "+85512345678"
    assert registered._state.adding is False
    message = SmsMessage.objects.get(phone="+85512345678")
    assert message.template == "registration_confirmed"
    number = registered.registration_number
    assert message.params == {"number": f"{number[:3]} {number[3:6]} {number[6:]}"}


def test_one_registration_queues_one_task_that_confirms_then_checks(
    data, django_capture_on_commit_callbacks
):
    from dedup.models import PersonKeys

    with_phone = person(phone="012 345 678")
    with django_capture_on_commit_callbacks() as queued:
        registered, _created = registration_submit(
            data=with_phone, work=None, consents=set(), channel="api", reference="R1"
        )
    assert [send.task_name for send in queued] == ["dedup.tasks.person_registered"]
    for send in queued:
        send()  # eager in the tests: the worker's work, here
    assert SmsMessage.objects.get().status == SmsMessage.Status.SENT
    assert PersonKeys.objects.filter(person=registered).exists()  # the duplicate check ran


def test_many_registrations_queue_slices_of_each_kind_of_task(
    data, django_capture_on_commit_callbacks
):
    people = [person(phone="012 345 678"), person(name_latin="Chan Sophea", phone="")]
    with django_capture_on_commit_callbacks() as queued:
        submit([Registration(data=p) for p in people])
    assert [send.task_name for send in queued] == [
        "registry.tasks.sms_deliver",  # one person with a phone: one message
        "dedup.tasks.dedup_people",
    ]


def test_one_persons_statement_is_prepared_once_per_connection_and_executed(data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        for n in range(3):
            registration_submit(
                data=person(national_id=f"10020030{n}", phone=f"012 345 67{n}"),
                work=None,
                consents={None},
                channel="api",
                reference=f"R{n}",
            )
    statements = [query["sql"] for query in captured.captured_queries]
    assert sum(sql.startswith("PREPARE registration_") for sql in statements) <= 1
    assert sum(sql.startswith("EXECUTE registration_") for sql in statements) == 3
    registered = Person.objects.filter(reference__in=["R0", "R1", "R2"])
    assert registered.count() == 3
    assert PersonChange.objects.filter(person__in=registered).count() == 6  # + consent
    assert SmsMessage.objects.count() == 3
    assert Consent.objects.filter(person__in=registered, programme=None).count() == 3
