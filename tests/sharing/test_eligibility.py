"""Each eligibility criterion selects exactly the right people: the evaluation's answer
is checked against a count computed here, in Python, from the records themselves."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from geography.models import Commune, Village
from programmes.models import ACTOR_TYPES, CHANNELS, SECTORS, EligibilityRule, Programme
from programmes.rules import Criteria
from registry.models import Employment, Enterprise, Person
from registry.models.people import ActorType, Channel, Sector
from sharing.eligibility import eligibility_count, eligible_people
from tests.factories import PersonFactory
from tests.sharing.conftest import consenting_person

ON = datetime.date(2026, 6, 15)


def _age(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@pytest.fixture
def population(programme):
    """60 people differing in every field a rule reads, a third of them consenting."""
    rng = random.Random(11)
    villages = list(
        Village.objects.filter(commune__district__province__code__in=["12", "17", "02"])
        .select_related("commune__district__province")
        .order_by("pk")[::40][:12]
    )
    people = []
    for n in range(60):
        fields = {
            "sex": rng.choice("FM"),
            "date_of_birth": datetime.date(1950, 1, 1)
            + datetime.timedelta(days=rng.randint(0, 27000)),
            "village": rng.choice(villages),
            "actor_type": rng.choice(list(ActorType)).value,
            "sector": rng.choice(list(Sector)).value,
            "channel": rng.choice(list(Channel)).value,
            "phone": rng.choice(["", f"+85512{n:06d}"]),
            "national_id": rng.choice(["", f"1{n:08d}"]),
        }
        person = consenting_person(programme, **fields) if n % 3 else PersonFactory(**fields)
        Person.objects.filter(pk=person.pk).update(
            created_at=datetime.datetime(2025, 1, 1, 12, tzinfo=datetime.UTC)
            + datetime.timedelta(days=rng.randint(0, 500))
        )
        if rng.random() < 0.6:
            enterprise = Enterprise.objects.create(
                name=f"Shop {n}",
                sector=fields["sector"],
                village=fields["village"],
                workers=rng.randint(0, 30),
            )
            months = sorted(rng.sample(range(1, 13), rng.randint(0, 4)))
            Employment.objects.create(
                person=person, enterprise=enterprise, role="worker", seasonal_months=months
            )
        people.append(person)
    # A pair born on 29 February, to test ages on a common year's 28 February.
    for born in (datetime.date(2008, 2, 29), datetime.date(2008, 3, 1)):
        people.append(consenting_person(programme, date_of_birth=born, village=villages[0]))
    # Out of every selection whatever the rule: merged and withdrawn records.
    PersonFactory(status=Person.Status.MERGED, village=villages[0])
    PersonFactory(status=Person.Status.WITHDRAWN, village=villages[0])
    return Person.objects.filter(pk__in=[p.pk for p in people]).select_related(
        "village__commune__district__province"
    )


def _works(person) -> list[Employment]:
    return list(Employment.objects.filter(person=person).select_related("enterprise"))


def _local_date(person) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(person.created_at).date()


def _cases(communes: list[Commune]) -> list[tuple[Criteria, callable]]:
    province, district, commune = (
        communes[0].district.province.code,
        communes[1].district.code,
        communes[2].code,
    )
    return [
        (Criteria(actor_types=("self_employed", "seasonal_worker")), lambda p: p.actor_type in ("self_employed", "seasonal_worker")),
        (Criteria(sectors=("agriculture",)), lambda p: p.sector == "agriculture"),
        (Criteria(sex="F"), lambda p: p.sex == "F"),
        (Criteria(age_min=18, age_on=ON), lambda p: _age(p.date_of_birth, ON) >= 18),
        (Criteria(age_max=40, age_on=ON), lambda p: _age(p.date_of_birth, ON) <= 40),
        (Criteria(age_min=25, age_max=35, age_on=ON), lambda p: 25 <= _age(p.date_of_birth, ON) <= 35),
        (Criteria(age_min=18, age_on=datetime.date(2026, 2, 28)), lambda p: _age(p.date_of_birth, datetime.date(2026, 2, 28)) >= 18),
        (Criteria(area_codes=(province,)), lambda p: p.village.commune.district.province.code == province),
        (Criteria(area_codes=(district, commune)), lambda p: p.village.commune.district.code == district or p.village.commune.code == commune),
        (Criteria(area_codes=("99",)), lambda p: False),
        (Criteria(registered_since=datetime.date(2025, 6, 1)), lambda p: _local_date(p) >= datetime.date(2025, 6, 1)),
        (Criteria(registered_before=datetime.date(2025, 6, 1)), lambda p: _local_date(p) < datetime.date(2025, 6, 1)),
        (Criteria(channels=("branch", "bulk")), lambda p: p.channel in ("branch", "bulk")),
        (Criteria(workers_min=5, workers_max=15), lambda p: any(5 <= e.enterprise.workers <= 15 for e in _works(p))),
        (Criteria(workers_max=3), lambda p: any(e.enterprise.workers <= 3 for e in _works(p))),
        (Criteria(seasonal_months=(6, 7)), lambda p: any({6, 7} & set(e.seasonal_months) for e in _works(p))),
        (Criteria(has_phone=True), lambda p: bool(p.phone)),
        (Criteria(has_phone=False), lambda p: not p.phone),
        (Criteria(has_national_id=True), lambda p: bool(p.national_id)),
        (Criteria(has_national_id=False), lambda p: not p.national_id),
        (
            Criteria(sex="M", sectors=("services", "transport", "agriculture"), area_codes=(province, district)),
            lambda p: p.sex == "M" and p.sector in ("services", "transport", "agriculture")
            and (p.village.commune.district.province.code == province or p.village.commune.district.code == district),
        ),
        (Criteria(), lambda p: True),
    ]  # fmt: skip


@pytest.mark.django_db
def test_each_criterion_selects_exactly_the_right_people(programme, population):
    people = list(population)
    consented = {
        p.pk for p in people if p.consents.filter(programme=programme, withdrawn_at=None).exists()
    }
    communes = [p.village.commune for p in people[:3]]
    for criteria, rule in _cases(communes):
        expected = {p.pk for p in people if rule(p)}
        selected = set(eligible_people(criteria=criteria, on=ON).values_list("pk", flat=True))
        assert selected == expected, criteria
        count = eligibility_count(criteria=criteria, programme=programme, on=ON)
        assert count.eligible == len(expected), criteria
        assert count.consenting == len(expected & consented), criteria
        assert count.without_consent == len(expected - consented), criteria
    # The population is varied enough that each criterion both selects and leaves people.
    assert 0 < len({p.pk for p in people if p.sex == "F"}) < len(people)


@pytest.mark.django_db
def test_the_catalogue_repeats_the_registry_choices_exactly():
    assert [c for c, _ in ACTOR_TYPES] == list(ActorType.values)
    assert [c for c, _ in SECTORS] == list(Sector.values)
    assert [c for c, _ in CHANNELS] == list(Channel.values)


@pytest.mark.django_db
def test_six_programmes_are_in_the_catalogue_each_with_a_rule():
    import importlib

    from django.apps import apps

    # The data migration's own function (again: a transactional test may have emptied
    # the tables since the migrations ran); it leaves existing programmes as they are.
    seed = importlib.import_module("programmes.migrations.0003_six_programmes").seed
    seed(apps, None)
    seed(apps, None)
    codes = set(Programme.objects.values_list("code", flat=True))
    assert {"nssf", "skills", "finance", "arrears", "tax", "crisis"} <= codes
    assert EligibilityRule.objects.filter(programme__code__in=codes).count() == len(codes)
    assert Programme.objects.get(code="crisis").receives_targeting


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "english", "khmer_word"),
    [
        ({"age_min": 40, "age_max": 30}, "age_max", "The lowest age is above the highest age.", "អាយុ"),
        (
            {"registered_since": datetime.date(2026, 2, 1), "registered_before": datetime.date(2026, 1, 1)},
            "registered_before",
            "The registration period ends before it starts.",
            "ចុះឈ្មោះ",
        ),
        ({"workers_min": 9, "workers_max": 2}, "workers_max", "The fewest workers is above the most workers.", "កម្មករ"),
    ],
)  # fmt: skip
def test_contradictory_ranges_are_refused_in_both_languages(
    programme, fields, field, english, khmer_word
):
    rule = EligibilityRule(programme=programme, **fields)
    for language, expected in (("en", english), ("km", khmer_word)):
        with translation.override(language), pytest.raises(ValidationError) as refused:
            rule.full_clean(exclude=["programme"])
        message = refused.value.message_dict[field][0]
        assert expected in message
