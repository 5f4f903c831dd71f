import pytest
from django.core.management import call_command

from accounts.models import Role, RoleAssignment
from demo.management.commands.seed_demo import DEMO_REGISTRANT_PHONE
from partners.models import Branch, Partner
from registry.models import Person

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_user_per_role_and_registrants(capsys):
    call_command("seed_demo", registrants=80)
    out = capsys.readouterr().out
    assert "demo-2026-kh" in out
    assert {a.role for a in RoleAssignment.objects.all()} == set(Role.values)
    assert set(Partner.objects.values_list("name", flat=True)) == {
        "Wing Bank",
        "ACLEDA Bank",
        "ABA Bank",
        "SME Bank",
        "ARDB Bank",
    }
    assert Branch.objects.count() >= 10
    people = Person.objects.count()
    assert people >= 50
    provinces = Person.objects.values("village__commune__district__province").distinct().count()
    assert provinces >= 10
    assert Person.objects.filter(phone=DEMO_REGISTRANT_PHONE).exists()


def test_seed_demo_twice_adds_nothing():
    call_command("seed_demo", registrants=40)
    counts = (Person.objects.count(), RoleAssignment.objects.count(), Branch.objects.count())
    call_command("seed_demo", registrants=40)
    assert counts == (
        Person.objects.count(),
        RoleAssignment.objects.count(),
        Branch.objects.count(),
    )


@pytest.mark.django_db(transaction=True)
def test_seed_demo_leaves_duplicates_waiting_for_review(transactional_geography):
    # Transactional: the duplicate check runs when each registration commits, as in the demo.
    from dedup.models import DuplicateCase

    call_command("seed_demo", registrants=20)
    open_cases = DuplicateCase.objects.filter(decision=DuplicateCase.Decision.OPEN)
    assert open_cases.count() >= 2
    references = set(open_cases.values_list("person_a__reference", "person_b__reference"))
    assert ("DEMO-REVIEW-1-1", "DEMO-REVIEW-1-2") in references
