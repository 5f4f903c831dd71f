"""The incremental dedup check: variants are found, look-alike people stay apart."""

import datetime

import pytest
from django.core.management import call_command

from dedup.engine import dedup_person, keys_refresh
from dedup.models import DuplicateCase, Merge
from dedup.services.merge import merge_undo
from dedup.services.review import duplicate_case_decide
from geography.models import Village
from registry.models import Person
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

DOB = datetime.date(1990, 5, 17)


def villages(province="12", count=2):
    return list(
        Village.objects.filter(commune__district__province__code=province).order_by("pk")[:count]
    )


def person(**fields):
    defaults = {
        "name_km": "សុខ វុទ្ធី",
        "name_latin": "Sok Vuthy",
        "sex": "M",
        "date_of_birth": DOB,
        "phone": "+85512345678",
        "national_id": "123456789",
        "village": villages()[0],
    }
    defaults.update(fields)
    return PersonFactory(**defaults)


def check(*people):
    return [dedup_person(person_id=p.pk) for p in people]


def pair_found(a, b) -> str | None:
    """The decision on the pair's case, or None when no case exists."""
    low, high = sorted((a.pk, b.pk))
    case = DuplicateCase.objects.filter(person_a_id=low, person_b_id=high).first()
    return case.decision if case else None


VARIANTS = {
    "romanisation Sok/Sokh, Vuthy/Vutthy": {"name_latin": "Sokh Vutthy"},
    "swapped name order": {"name_latin": "Vuthy Sok"},
    "capitals": {"name_latin": "SOK VUTHY"},
    "zero-width spaces in the Khmer name": {"name_km": "សុខ\u200bវុទ្ធី"},
    "Khmer name without space": {"name_km": "សុខវុទ្ធី"},
    "Khmer digits in the ID number": {"national_id": "១២៣៤៥៦៧៨៩"},
    "missing ID number": {"national_id": ""},
    "another phone": {"phone": "+85517888999"},
    "missing phone": {"phone": ""},
    "moved village": {"village_index": 1},
    "a typo in the Latin name": {"name_latin": "Sok Vuhty"},
    "a slip in the birth date": {"date_of_birth": datetime.date(1990, 5, 18)},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_second_record_of_one_person_is_merged_into_the_first(geography, variant):
    fields = dict(VARIANTS[variant])
    if "village_index" in fields:
        fields["village"] = villages()[fields.pop("village_index")]
    first = person()
    second = person(**fields)
    check(first)
    (result,) = check(second)
    second.refresh_from_db()
    assert second.status == Person.Status.MERGED
    assert second.merged_into_id == first.pk
    assert result.survivor_id == first.pk
    case = DuplicateCase.objects.get(person_a=first, person_b=second)
    assert case.decision == DuplicateCase.Decision.MERGED
    assert case.automatic
    assert case.source == DuplicateCase.Source.INCREMENTAL
    assert {r["field"] for r in case.reasons} >= {"name_km", "date_of_birth", "phone"}


@pytest.mark.parametrize(
    ("family_km", "family", "variant"),
    [("ឆាយ", "Chhay", "Chay"), ("ខៀវ", "Khiev", "Khieu"), ("ចាន់", "Chan", "Chann")],
)
def test_family_name_romanisations_are_found(geography, family_km, family, variant):
    first = person(name_km=f"{family_km} ដារ៉ា", name_latin=f"{family} Dara", national_id="")
    second = person(
        name_km=f"{family_km} ដារ៉ា", name_latin=f"{variant} Dara", national_id="", phone=""
    )
    check(first, second)
    assert pair_found(first, second) == DuplicateCase.Decision.MERGED


def test_legacy_khmer_typing_order_is_found(geography):
    first = person(name_km="ហ៊ុន សុភា", name_latin="Hun Sophea", sex="F")
    second = person(name_km="ហុ៊ន សុភា", name_latin="Hunn Sophea", sex="F", national_id="")
    check(first, second)
    assert pair_found(first, second) == DuplicateCase.Decision.MERGED


def test_a_new_record_is_checked_against_the_registry(geography):
    others = [
        person(name_km="ចាន់ ធីតា", name_latin="Chan Thida", sex="F", phone="", national_id=""),
        person(name_km="លី សុខា", name_latin="Ly Sokha", phone="+85516000111", national_id=""),
    ]
    check(*others)
    assert not DuplicateCase.objects.exists()
    new = person(name_km="ចាន់ ធីតា", name_latin="Chann Thidar", sex="F", phone="", national_id="")
    (result,) = check(new)
    assert result.survivor_id == others[0].pk
    assert Merge.objects.filter(survivor=others[0], merged=new).exists()


def test_the_engine_keeps_the_older_record_when_an_old_record_changes(geography):
    first, second = person(), person(name_latin="Sokh Vuthy")
    keys_refresh(person_id=second.pk)
    # The older record is the one checked (it was edited): it still survives.
    (result,) = check(first)
    assert result.merged_ids == [second.pk]
    second.refresh_from_db()
    assert second.merged_into_id == first.pk


# --------------------------------------------------------------------------- hard negatives


def assert_kept_apart(*people):
    for p in people:
        p.refresh_from_db()
        assert p.status == Person.Status.ACTIVE
    assert not Merge.objects.exists()
    # Not even a case, or one only a person can decide, at a low score.
    for case in DuplicateCase.objects.all():
        assert case.decision == DuplicateCase.Decision.OPEN
        assert case.score < 0.99


def test_household_members_sharing_a_phone_stay_apart(geography):
    phone = "+85512999888"
    father = person(
        name_km="សុខ ដារ៉ា", name_latin="Sok Dara", date_of_birth=datetime.date(1968, 3, 2),
        phone=phone, national_id="",
    )  # fmt: skip
    mother = person(
        name_km="ចាន់ ស្រីមុំ", name_latin="Chan Sreymom", sex="F",
        date_of_birth=datetime.date(1971, 9, 14), phone=phone, national_id="",
    )  # fmt: skip
    son = person(
        name_km="សុខ សុខា", name_latin="Sok Sokha", date_of_birth=datetime.date(1995, 1, 30),
        phone=phone, national_id="",
    )  # fmt: skip
    daughter = person(
        name_km="សុខ ស្រីពៅ", name_latin="Sok Sreypov", sex="F",
        date_of_birth=datetime.date(1998, 6, 1), phone=phone, national_id="",
    )  # fmt: skip
    check(father, mother, son, daughter)
    assert_kept_apart(father, mother, son, daughter)
    assert not DuplicateCase.objects.exists()


@pytest.mark.parametrize(
    ("first", "second", "sex"),
    [
        (("សុខ ដារ៉ា", "Sok Dara"), ("សុខ សុខា", "Sok Sokha"), "M"),
        (("ខៀវ សុភា", "Khiev Sophea"), ("ខៀវ សុភី", "Khiev Sophy"), "F"),
        (("លី ស្រីពៅ", "Ly Sreypov"), ("លី ស្រីមុំ", "Ly Sreymom"), "F"),
    ],
)
def test_twins_stay_apart(geography, first, second, sex):
    common = {"sex": sex, "phone": "+85512777666", "national_id": ""}
    one = person(name_km=first[0], name_latin=first[1], **common)
    two = person(name_km=second[0], name_latin=second[1], **common)
    check(one, two)
    assert_kept_apart(one, two)
    assert not DuplicateCase.objects.exists()


def test_namesakes_in_other_provinces_stay_apart(geography):
    here = person(
        date_of_birth=datetime.date(1990, 2, 3), phone="+85512111222", national_id="",
    )  # fmt: skip
    there = person(
        name_latin="Sok Vutthy", date_of_birth=datetime.date(1990, 11, 21),
        phone="+85517333444", national_id="", village=villages("01")[0],
    )  # fmt: skip
    check(here, there)
    assert_kept_apart(here, there)
    assert not DuplicateCase.objects.exists()


def test_namesakes_with_their_id_numbers_stay_apart(geography):
    here = person(national_id="111222333", phone="+85512111222")
    there = person(national_id="444555666", phone="+85517333444", village=villages("01")[0])
    check(here, there)
    assert_kept_apart(here, there)


def test_parent_and_child_with_the_same_name_stay_apart(geography):
    parent = person(date_of_birth=datetime.date(1962, 8, 9), national_id="")
    child = person(date_of_birth=datetime.date(1988, 12, 30), national_id="")
    check(parent, child)
    assert_kept_apart(parent, child)
    assert not DuplicateCase.objects.exists()


# --------------------------------------------------------------------------- review band


def test_an_uncertain_pair_is_opened_for_review_once(geography):
    # Everything agrees, the ID number too, but the sex differs: a person decides.
    first = person()
    second = person(sex="F", name_latin="Sokh Vuthy")
    check(first, second)
    case = DuplicateCase.objects.get()
    assert case.decision == DuplicateCase.Decision.OPEN
    assert not case.automatic
    assert any(r["level"] == "sex_differs" for r in case.reasons)
    check(first, second, second)
    assert DuplicateCase.objects.count() == 1


def test_a_pair_decided_different_is_never_asked_again(geography):
    first, second = person(), person(sex="F")
    check(first, second)
    case = DuplicateCase.objects.get()
    duplicate_case_decide(case=case, same_person=False, actor=UserFactory())
    (result,) = check(second)
    assert result.counts.skipped_decided == 1
    assert DuplicateCase.objects.get().decision == DuplicateCase.Decision.DIFFERENT


def test_an_undone_merge_is_never_redone(geography):
    first, second = person(), person(name_latin="Sokh Vuthy")
    check(first, second)
    merge_undo(merge=Merge.objects.get(), actor=UserFactory())
    check(second, first)
    second.refresh_from_db()
    assert second.status == Person.Status.ACTIVE
    assert Merge.objects.count() == 1
    assert DuplicateCase.objects.get().decision == DuplicateCase.Decision.DIFFERENT


def test_merged_and_withdrawn_records_are_not_candidates(geography):
    first = person(status=Person.Status.WITHDRAWN)
    second = person(name_latin="Sokh Vuthy")
    check(second)
    assert not DuplicateCase.objects.exists()
    (result,) = check(first)
    assert result.counts.compared == 0


def test_the_celery_task_checks_a_record_by_id(geography):
    from dedup.tasks import dedup_person as task

    first, second = person(), person(name_latin="Sokh Vuthy")
    task.delay(first.pk)
    task.delay(second.pk)
    second.refresh_from_db()
    assert second.merged_into_id == first.pk
    assert task.delay(987654321).get() is None  # a record gone meanwhile: nothing to do


def test_the_keys_follow_the_record(geography):
    first = person()
    check(first)
    first.name_latin = "Chan Dara"
    first.save()
    check(first)
    first.keys.refresh_from_db()
    assert first.keys.latin_key == "chan dara"
    call_command("check")


def test_a_record_like_one_already_merged_joins_its_survivor(geography):
    # The second record brought a new phone (kept as an alias); the third has only that
    # phone and no ID number: it resembles the merged record more than the survivor.
    first = person(phone="+85512000111")
    second = person(phone="+85517000222")
    third = person(phone="+85517000222", national_id="", name_latin="Vuthy Sok")
    check(first, second, third)
    third.refresh_from_db()
    assert third.merged_into_id == first.pk
    case = DuplicateCase.objects.get(person_a=first, person_b=third)
    assert case.decision == DuplicateCase.Decision.MERGED
    assert any(r["field"] == "merged_record" for r in case.reasons)


def test_parent_and_child_born_on_the_same_day_of_the_year_stay_apart(geography):
    # 1953 and 1973 differ by one digit, like a typo: the generation gap still decides.
    parent = person(date_of_birth=datetime.date(1953, 8, 15), national_id="")
    child = person(date_of_birth=datetime.date(1973, 8, 15), national_id="", phone="+85516555444")
    check(parent, child)
    assert_kept_apart(parent, child)
    assert not DuplicateCase.objects.exists()
