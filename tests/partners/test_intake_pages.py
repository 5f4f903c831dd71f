"""The bulk-intake pages at /branch/intake/, through HTTP."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from partners.models import IntakeBatch
from registry.models import Person
from tests.factories import BranchFactory, user_with_role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = "reference,name_km,name_latin,sex,date_of_birth,national_id,phone,village_code,actor_type,sector"
GOOD = "R-1,សុខ ដារ៉ា,Sok Dara,F,1990-05-17,,012 345 678,12010101,self_employed,services"
BAD = "R-2,Sok,Sok,X,31/02/1990,,+66 81 234 5678,99999999,pilot,services"


def upload(client, branch, text, name="applicants.csv", capture=None):
    file = SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")
    with capture(execute=True):
        return client.post("/branch/intake/", {"branch": branch.pk, "file": file})


@pytest.fixture
def staff(client):
    user = user_with_role(Role.BRANCH_STAFF, branch=BranchFactory())
    client.force_login(user)
    return user


def test_upload_preview_commit_and_rejected_rows(client, staff, django_capture_on_commit_callbacks):
    branch = staff.role_assignments.get().branch
    response = upload(
        client, branch, f"{HEADER}\n{GOOD}\n{BAD}\n", capture=django_capture_on_commit_callbacks
    )
    batch = IntakeBatch.objects.get()
    assert response["Location"] == f"/branch/intake/{batch.pk}/"
    batch.refresh_from_db()
    assert (batch.status, batch.valid_rows, batch.invalid_rows) == ("validated", 1, 1)
    page = client.get(f"/branch/intake/{batch.pk}/").content.decode()
    assert "Register the valid rows" in page
    assert "village_code" in page  # the invalid row's reasons are listed
    rejected = client.get(f"/branch/intake/{batch.pk}/rejected.csv")
    text = rejected.content.decode("utf-8-sig")
    assert "R-2" in text and "R-1" not in text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/branch/intake/{batch.pk}/commit/")
    batch.refresh_from_db()
    assert batch.status == "committed" and batch.committed_rows == 1
    person = Person.objects.get()
    assert (person.reference, person.branch, person.channel) == ("R-1", branch, "bulk")
    # The registered rows show whom they registered.
    registered = client.get(f"/branch/intake/{batch.pk}/?show=committed").content.decode()
    number = person.registration_number
    assert f"{number[:3]} {number[3:6]} {number[6:]}" in registered


def test_a_rows_problems_read_in_the_order_of_its_columns(
    client, staff, django_capture_on_commit_callbacks
):
    branch = staff.role_assignments.get().branch
    upload(client, branch, f"{HEADER}\n{BAD}\n", capture=django_capture_on_commit_callbacks)
    batch = IntakeBatch.objects.get()
    page = client.get(f"/branch/intake/{batch.pk}/").content.decode()
    shown = [page.index(f"<strong>{column}</strong>") for column in ORDERED_PROBLEMS]
    assert shown == sorted(shown)
    rejected = client.get(f"/branch/intake/{batch.pk}/rejected.csv").content.decode("utf-8-sig")
    listed = [rejected.index(f"{column}:") for column in ORDERED_PROBLEMS]
    assert listed == sorted(listed)


# The columns of BAD with a problem, in the template's order.
ORDERED_PROBLEMS = ["sex", "date_of_birth", "phone", "village_code", "actor_type"]


def test_progress_fragment_tells_htmx_to_reload_when_done(
    client, staff, django_capture_on_commit_callbacks
):
    branch = staff.role_assignments.get().branch
    upload(client, branch, f"{HEADER}\n{GOOD}\n", capture=django_capture_on_commit_callbacks)
    batch = IntakeBatch.objects.get()
    response = client.get(f"/branch/intake/{batch.pk}/progress/")
    assert response["HX-Refresh"] == "true"


def test_a_file_refused_as_a_whole_says_why(client, staff, django_capture_on_commit_callbacks):
    branch = staff.role_assignments.get().branch
    upload(client, branch, "reference,name\nR-1,x\n", capture=django_capture_on_commit_callbacks)
    batch = IntakeBatch.objects.get()
    assert batch.status == "rejected"
    assert batch.error_en in client.get(f"/branch/intake/{batch.pk}/").content.decode()


def test_templates_download(client, staff):
    csv = client.get("/branch/intake/template.csv")
    assert csv.content.decode("utf-8-sig").splitlines()[0].startswith("reference,name_km")
    xlsx = client.get("/branch/intake/template.xlsx")
    assert xlsx.content[:2] == b"PK"


def test_batches_of_another_branch_are_not_found(client, staff, django_capture_on_commit_callbacks):
    branch = staff.role_assignments.get().branch
    upload(client, branch, f"{HEADER}\n{GOOD}\n", capture=django_capture_on_commit_callbacks)
    batch = IntakeBatch.objects.get()
    client.force_login(user_with_role(Role.BRANCH_STAFF, branch=BranchFactory()))
    for url in ["", "progress/", "rejected.csv"]:
        assert client.get(f"/branch/intake/{batch.pk}/{url}").status_code == 404
    assert client.post(f"/branch/intake/{batch.pk}/commit/").status_code == 404
    assert batch.original_name not in client.get("/branch/intake/").content.decode()
    # Nor can they upload into a branch that is not theirs.
    response = upload(
        client, branch, f"{HEADER}\n{GOOD}\n", capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 200
    assert IntakeBatch.objects.count() == 1


def test_supervisor_sees_the_batches_of_every_branch_of_the_partner(
    client, staff, django_capture_on_commit_callbacks
):
    branch = staff.role_assignments.get().branch
    upload(client, branch, f"{HEADER}\n{GOOD}\n", capture=django_capture_on_commit_callbacks)
    batch = IntakeBatch.objects.get()
    client.force_login(user_with_role(Role.PARTNER_SUPERVISOR, partner=branch.partner))
    assert client.get(f"/branch/intake/{batch.pk}/").status_code == 200
    client.force_login(user_with_role(Role.PARTNER_SUPERVISOR, partner=BranchFactory().partner))
    assert client.get(f"/branch/intake/{batch.pk}/").status_code == 404


def test_other_roles_are_refused(client):
    client.force_login(user_with_role(Role.MINISTRY_OFFICER))
    assert client.get("/branch/intake/").status_code == 403


def test_committed_rows_are_checked_for_duplicates(
    client, staff, django_capture_on_commit_callbacks
):
    from dedup.models import PersonKeys

    branch = staff.role_assignments.get().branch
    upload(client, branch, f"{HEADER}\n{GOOD}\n", capture=django_capture_on_commit_callbacks)
    batch = IntakeBatch.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/branch/intake/{batch.pk}/commit/")
    # The dedup task ran (inline in tests) and computed the new record's keys.
    assert PersonKeys.objects.filter(person__reference="R-1").exists()
