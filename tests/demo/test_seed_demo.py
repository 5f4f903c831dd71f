import re

import pytest
from django.core.management import call_command
from django.utils import translation

from accounts.models import Role, RoleAssignment, User
from demo.management.commands.seed_demo import DEMO_REGISTRANT_PHONE, display_width
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
    _assert_usernames_in_one_column(out)


def _assert_usernames_in_one_column(out: str) -> None:
    """Each username starts at the same terminal column, however wide the role's label."""
    usernames = set(User.objects.values_list("username", flat=True))
    columns = {}
    for line in out.splitlines():
        label, _, username = line.rpartition("  ")
        if username in usernames:
            columns[username] = display_width(label) + 2
    assert len(columns) == len(Role.values)
    assert len(set(columns.values())) == 1, columns


@pytest.mark.parametrize("language", ["km", "en"])
def test_the_sign_in_table_is_aligned_in_both_languages(capsys, language):
    with translation.override(language):
        call_command("seed_demo", registrants=0)
    out = capsys.readouterr().out
    assert bool(re.search("[\u1780-\u17ff]", out)) is (language == "km")
    _assert_usernames_in_one_column(out)


def test_display_width_counts_khmer_signs_as_nothing():
    # ស្រី: sa, coeng, ro, vowel ii: four code points, two columns.
    assert len("ស្រី") == 4
    assert display_width("ស្រី") == 2
    assert display_width("Branch staff") == 12


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


def test_the_demo_dashboard_counts_the_demo_people_at_once(client, settings):
    """seed_demo counts its people for the dashboards; without a beat (the demo) the page
    recounts what changed since, so a registration made in the demo shows at once."""
    from dashboards.services import rollups_state

    call_command("seed_demo", registrants=30)
    assert rollups_state() is not None and rollups_state().refreshed_at is not None
    ministry = User.objects.get(role_assignments__role=Role.MINISTRY_OFFICER)
    client.force_login(ministry)
    active = Person.objects.filter(status=Person.Status.ACTIVE).count()

    settings.DASHBOARD_REFRESH_ON_VIEW = False
    assert client.get("/dashboard/").context["data"]["total"].n == active > 0
    extra = Person.objects.filter(status=Person.Status.ACTIVE).order_by("pk").first()
    Person.objects.filter(pk=extra.pk).update(status=Person.Status.WITHDRAWN)
    assert client.get("/dashboard/").context["data"]["total"].n == active  # not recounted

    settings.DASHBOARD_REFRESH_ON_VIEW = True
    assert client.get("/dashboard/").context["data"]["total"].n == active - 1
