"""Who a rule selects: the ONE evaluation of eligibility criteria.

The live count, every export and delta, crisis targeting and the registrant's page all
call `eligible_people` (and `consent_gate` for the people a programme may receive), so a
criterion means the same thing everywhere.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from geography.models import Commune, District, Province, Village
from programmes.models import Programme
from programmes.rules import Criteria
from registry.models import Consent, Employment, Person


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` earlier; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def area_filter(codes: tuple[str, ...] | list[str]) -> Q:
    """Villages inside any of the areas named by code (2 digits: province, 4: district,
    6: commune). A code the gazetteer no longer has selects nobody."""
    by_length: dict[int, list[str]] = {}
    for code in codes:
        by_length.setdefault(len(code), []).append(code)
    condition = Q(pk__in=[])
    if by_length.get(2):
        condition |= Q(commune__district__province__code__in=by_length[2])
    if by_length.get(4):
        condition |= Q(commune__district__code__in=by_length[4])
    if by_length.get(6):
        condition |= Q(commune__code__in=by_length[6])
    return condition


def eligible_people(*, criteria: Criteria, on: datetime.date | None = None) -> QuerySet[Person]:
    """Active registrants (not merged, not withdrawn) meeting every criterion set.

    Ages are counted on `criteria.age_on`, else on `on`, else today (Phnom Penh).
    """
    people = Person.objects.filter(status=Person.Status.ACTIVE)
    c = criteria
    if c.actor_types:
        people = people.filter(actor_type__in=c.actor_types)
    if c.sectors:
        people = people.filter(sector__in=c.sectors)
    if c.sex:
        people = people.filter(sex=c.sex)
    day = c.age_on or on or timezone.localdate()
    if c.age_min is not None:
        people = people.filter(date_of_birth__lte=years_before(day, c.age_min))
    if c.age_max is not None:
        people = people.filter(date_of_birth__gt=years_before(day, c.age_max + 1))
    if c.area_codes:
        villages = Village.objects.filter(area_filter(c.area_codes)).values("pk")
        people = people.filter(village_id__in=villages)
    if c.registered_since is not None:
        people = people.filter(created_at__gte=_local_midnight(c.registered_since))
    if c.registered_before is not None:
        people = people.filter(created_at__lt=_local_midnight(c.registered_before))
    if c.channels:
        people = people.filter(channel__in=c.channels)
    if c.workers_min is not None or c.workers_max is not None:
        size = Q()
        if c.workers_min is not None:
            size &= Q(enterprise__workers__gte=c.workers_min)
        if c.workers_max is not None:
            size &= Q(enterprise__workers__lte=c.workers_max)
        people = people.filter(Exists(Employment.objects.filter(size, person=OuterRef("pk"))))
    if c.seasonal_months:
        people = people.filter(
            Exists(
                Employment.objects.filter(
                    person=OuterRef("pk"), seasonal_months__overlap=list(c.seasonal_months)
                )
            )
        )
    if c.has_phone is not None:
        people = people.exclude(phone="") if c.has_phone else people.filter(phone="")
    if c.has_national_id is not None:
        people = (
            people.exclude(national_id="") if c.has_national_id else people.filter(national_id="")
        )
    return people


def consenting(programme: Programme) -> Q:
    """True for a person whose consent to `programme` is in force.

    Written as `id IN (the programme's consenting people)`, not a correlated EXISTS: inside
    a count's FILTER, PostgreSQL runs an EXISTS once per selected person (an index probe
    each), while the IN list is read once and hashed."""
    return Q(
        pk__in=Consent.objects.filter(programme=programme, withdrawn_at__isnull=True).values(
            "person_id"
        )
    )


def consent_gate(people: QuerySet[Person], *, programme: Programme) -> QuerySet[Person]:
    """The people of `people` a programme may receive: those who consented to it."""
    return people.filter(consenting(programme))


@dataclass(frozen=True)
class EligibilityCount:
    eligible: int
    consenting: int

    @property
    def without_consent(self) -> int:
        return self.eligible - self.consenting


def eligibility_count(
    *, criteria: Criteria, programme: Programme, on: datetime.date | None = None
) -> EligibilityCount:
    """How many people the criteria select, and how many of them consented (one query).

    The consent is a left join on the one consent in force per person and programme
    (registry's `consent_one_active_per_programme`): one index-only probe per selected
    person, where an IN list would first read every consent of the programme; the people
    are sorted by id first, so the probes walk that index in order (half the time of
    probing in village order). The eligibility itself reads `person_eligibility_idx`
    (index-only) for rules on the indexed columns."""
    where, params = selection_where(eligible_people(criteria=criteria, on=on))
    sql = (
        "SELECT count(*), count(k.person_id) FROM ("  # noqa: S608 - the WHERE is Django's, values bound
        f"SELECT registry_person.id FROM registry_person WHERE {where}"
        # OFFSET 0: the sort stays below the join.
        " ORDER BY registry_person.id OFFSET 0) s"
        " LEFT JOIN registry_consent k ON k.person_id = s.id"
        " AND k.programme_id = %s AND k.withdrawn_at IS NULL"
    )
    with transaction.atomic():
        no_jit()
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, programme.pk])
            eligible, consenting_ = cursor.fetchone()
    return EligibilityCount(eligible=eligible, consenting=consenting_)


def selection_where(people: QuerySet[Person]) -> tuple[str, tuple]:
    """The WHERE clause (and its parameters) of a selection of `eligible_people`, over
    the table named "registry_person": the exports and counts put it in their own
    statements, so the person table is read once, never joined to itself."""
    query = people.query
    compiler = query.get_compiler(using=people.db)
    sql, params = compiler.compile(query.where)
    return sql, tuple(params)


def no_jit() -> None:
    """Over a million registrants the planner's cost passes PostgreSQL's JIT threshold,
    and compiling the query takes seconds longer than running it once: off for the
    current transaction (SET LOCAL), for counts and exports alike."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")


def missing_areas(codes: tuple[str, ...] | list[str]) -> list[str]:
    """The codes of a rule that name no area in the gazetteer (any more)."""
    known: set[str] = set()
    for model, length in ((Province, 2), (District, 4), (Commune, 6)):
        wanted = [code for code in codes if len(code) == length]
        if wanted:
            known |= set(model.objects.filter(code__in=wanted).values_list("code", flat=True))
    return [code for code in codes if code not in known]
