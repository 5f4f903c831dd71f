"""A ministry officer reviews possible duplicates in the browser."""

import pytest

from accounts.models import Role
from dedup.models import DuplicateCase, Merge
from registry.models import Person
from tests.factories import PASSWORD, PersonFactory, user_with_role

pytestmark = pytest.mark.browser


def test_officer_merges_a_pair_then_undoes_it_and_rejects_another(page):
    officer = user_with_role(Role.MINISTRY_OFFICER)
    first = DuplicateCase.objects.create(
        person_a=PersonFactory(name_latin="Sok Dara"),
        person_b=PersonFactory(name_latin="Sokh Dara"),
        score=0.93,
        source="batch",
        reasons=[{"field": "date_of_birth", "outcome": "agree", "weight": 4.1}],
    )
    second = DuplicateCase.objects.create(
        person_a=PersonFactory(name_latin="Chan Vuthy"),
        person_b=PersonFactory(name_latin="Chan Vutthy"),
        score=0.71,
        source="incremental",
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.click(".lang-switch button[value=en]")
    page.goto("/review/duplicates/")
    page.click(f"a[href='/review/duplicates/{first.pk}/']")
    assert page.locator("tr.differs").count() >= 1
    assert "Sokh Dara" in page.locator("table.compare").inner_text()
    page.click("button[name=decision][value=same]")
    page.wait_for_url(f"**/review/duplicates/{second.pk}/")
    assert Person.objects.get(pk=first.person_b_id).status == "merged"

    page.click("button[name=decision][value=different]")
    page.wait_for_url("**/review/duplicates/")
    assert DuplicateCase.objects.get(pk=second.pk).decision == "different"

    page.goto(f"/review/duplicates/{first.pk}/")
    page.click("form[action*='/undo/'] button")
    page.wait_for_load_state()
    assert Merge.objects.get().undone_at is not None
    assert Person.objects.filter(status="active").count() == 4


def test_officer_runs_the_whole_registry_check_in_khmer(page):
    officer = user_with_role(Role.MINISTRY_OFFICER)
    first = PersonFactory(name_latin="Sok Dara", reference="")
    copy = PersonFactory(
        name_km=first.name_km, name_latin="Sokh Dara", sex=first.sex,
        date_of_birth=first.date_of_birth, phone=first.phone, national_id=first.national_id,
        village=first.village, reference="BR-1",
    )  # fmt: skip
    page.goto("/accounts/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.goto("/review/duplicates/")
    page.click("a[href='/review/duplicates/runs/']")
    assert page.locator("h1").inner_text() == "ការពិនិត្យបញ្ជីចុះឈ្មោះទាំងមូល"
    page.click("main form.actions button[type=submit]")
    page.wait_for_url("**/review/duplicates/runs/")
    # Celery runs inline in the tests: the run has finished by the time the page is back.
    assert page.locator("#run-progress").get_attribute("value") == "100"
    assert Person.objects.get(pk=copy.pk).merged_into_id == first.pk
    assert page.locator("table.list tbody tr").count() == 1
