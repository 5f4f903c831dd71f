"""Bulk files through the API: upload, poll, read the rejected rows, commit; scope both
ways; an upload retried with its Idempotency-Key is stored once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from partners.models import IntakeBatch
from registry.models import Person
from tests.api.conftest import branch_of, client_for
from tests.factories import BranchFactory, ProgrammeFactory, user_with_role

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake-batches/"
HEADER = "reference,name_km,name_latin,sex,date_of_birth,national_id,phone,village_code,actor_type,sector\n"
ROWS = (
    "R-1,ចាន់ សុភា,Chan Sophea,F,1988-03-09,,012 345 678,12010101,self_employed,services\n"
    "R-2,សុខ ដារ៉ា,Sok Dara,X,1990-01-01,,,12010101,self_employed,services\n"
    "R-3,កែវ មុនី,Keo Mony,M,05/06/1979,,+855 97 777 8888,12010101,self_employed,transport\n"
)


def csv_file(text: str = HEADER + ROWS, name: str = "intake.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8-sig"), content_type="text/csv")


def upload(api, *, run_tasks, file=None, branch=None, **headers):
    data = {"file": file or csv_file()}
    if branch is not None:
        data["branch"] = branch
    with run_tasks(execute=True):
        return api.post(URL, data, format="multipart", **headers)


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Celery runs inline in the tests; this runs what was enqueued on commit."""
    return django_capture_on_commit_callbacks


def test_upload_poll_read_rejected_rows_and_commit(staff, staff_api, run_tasks):
    response = upload(staff_api, run_tasks=run_tasks)
    assert response.status_code == 202, response.content
    created = response.json()
    assert created["branch"] == branch_of(staff).code
    assert created["file_name"] == "intake.csv"
    assert created["links"]["self"].endswith(f"{URL}{created['id']}/")

    batch = staff_api.get(created["links"]["self"], HTTP_ACCEPT_LANGUAGE="en").json()
    assert batch["status"] == "validated"
    assert batch["status_label"] == "Checked: ready to commit"
    assert batch["counts"]["total"] == 3
    assert batch["counts"]["valid"] == 2
    assert batch["counts"]["invalid"] == 1
    assert batch["progress"] == 100
    assert batch["error"] is None

    invalid = staff_api.get(created["links"]["invalid_rows"], HTTP_ACCEPT_LANGUAGE="en").json()
    assert invalid["count"] == 1
    row = invalid["results"][0]
    assert (row["row_number"], row["reference"], row["status"]) == (3, "R-2", "invalid")
    assert row["errors"]["sex"] == ["Choose F (female) or M (male)."]
    khmer = staff_api.get(created["links"]["invalid_rows"]).json()["results"][0]
    assert khmer["errors"]["sex"] != row["errors"]["sex"]
    assert staff_api.get(created["links"]["rows"]).json()["count"] == 3

    with run_tasks(execute=True):
        committing = staff_api.post(created["links"]["commit"])
    assert committing.status_code == 202, committing.content
    done = staff_api.get(created["links"]["self"]).json()
    assert done["status"] == "committed"
    assert done["counts"]["committed"] == 2
    assert set(Person.objects.values_list("reference", flat=True)) == {"R-1", "R-3"}
    again = staff_api.post(created["links"]["commit"], HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "batch_not_validated"


def test_a_retried_upload_with_its_key_is_stored_once(staff_api, run_tasks):
    first = upload(staff_api, run_tasks=run_tasks, file=csv_file(), HTTP_IDEMPOTENCY_KEY="u-1")
    again = upload(staff_api, run_tasks=run_tasks, file=csv_file(), HTTP_IDEMPOTENCY_KEY="u-1")
    assert first.status_code == again.status_code == 202
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    other = upload(
        staff_api,
        run_tasks=run_tasks,
        file=csv_file(HEADER + ROWS.splitlines(keepends=True)[0]),
        HTTP_IDEMPOTENCY_KEY="u-1",
    )
    assert other.status_code == 422
    assert IntakeBatch.objects.count() == 1


def test_a_committed_file_uploaded_again_registers_nobody_twice(staff_api, run_tasks):
    created = upload(staff_api, run_tasks=run_tasks).json()
    with run_tasks(execute=True):
        staff_api.post(created["links"]["commit"])
    second = upload(staff_api, run_tasks=run_tasks).json()
    batch = staff_api.get(second["links"]["self"]).json()
    assert batch["counts"]["existing"] == 2
    assert batch["counts"]["valid"] == 0
    assert Person.objects.count() == 2


def test_bad_files_are_refused_with_a_reason(staff_api, run_tasks):
    empty = upload(staff_api, run_tasks=run_tasks, file=csv_file(""), HTTP_ACCEPT_LANGUAGE="en")
    assert empty.status_code == 400
    assert empty.json()["error"]["field_codes"] == {"file": ["file_empty"]}
    missing = staff_api.post(URL, {}, format="multipart", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 400
    assert missing.json()["error"]["field_codes"] == {"file": ["file_required"]}
    json_body = staff_api.post(URL, {"file": "x"}, format="json")
    assert json_body.status_code == 415
    wrong_columns = upload(
        staff_api, run_tasks=run_tasks, file=csv_file("reference,name\nR-1,x\n")
    ).json()
    batch = staff_api.get(wrong_columns["links"]["self"], HTTP_ACCEPT_LANGUAGE="en").json()
    assert batch["status"] == "rejected"
    assert batch["error"]
    khmer = staff_api.get(wrong_columns["links"]["self"]).json()
    stored = IntakeBatch.objects.get(pk=wrong_columns["id"])
    assert (batch["error"], khmer["error"]) == (stored.error_en, stored.error_km)


def test_a_supervisor_uploads_for_a_named_branch(run_tasks):
    branch = BranchFactory()
    supervisor = client_for(user_with_role(Role.PARTNER_SUPERVISOR, partner=branch.partner))
    missing = upload(supervisor, run_tasks=run_tasks)
    assert missing.status_code == 400
    assert missing.json()["error"]["field_codes"] == {"branch": ["branch_required"]}
    foreign = upload(supervisor, run_tasks=run_tasks, branch=BranchFactory().code)
    assert foreign.status_code == 400
    assert upload(supervisor, run_tasks=run_tasks, branch=branch.code).status_code == 202
    assert IntakeBatch.objects.get().branch == branch


@pytest.fixture
def batches(run_tasks):
    """A batch of branch A (partner X) and one of branch B (partner Y)."""
    a, b = BranchFactory(), BranchFactory()
    staff_a = user_with_role(Role.BRANCH_STAFF, branch=a)
    staff_b = user_with_role(Role.BRANCH_STAFF, branch=b)
    batch_a = upload(client_for(staff_a), run_tasks=run_tasks).json()
    batch_b = upload(client_for(staff_b), run_tasks=run_tasks).json()
    return (staff_a, batch_a), (staff_b, batch_b)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {batch["id"] for batch in response.json()["results"]}


def test_branch_staff_see_only_their_branchs_batches_both_ways(batches, run_tasks):
    (staff_a, batch_a), (staff_b, batch_b) = batches
    api_a, api_b = client_for(staff_a), client_for(staff_b)
    assert ids(api_a.get(URL)) == {batch_a["id"]}
    assert ids(api_b.get(URL)) == {batch_b["id"]}
    for api, theirs in ((api_a, batch_b), (api_b, batch_a)):
        for link in ("self", "rows", "invalid_rows"):
            assert api.get(theirs["links"][link]).status_code == 404
        with run_tasks(execute=True):
            assert api.post(theirs["links"]["commit"]).status_code == 404
    assert IntakeBatch.objects.filter(status="committing").count() == 0
    assert Person.objects.count() == 0


def test_supervisors_see_their_partners_batches_only_both_ways(batches):
    (staff_a, batch_a), (staff_b, batch_b) = batches
    sup_x = client_for(user_with_role(Role.PARTNER_SUPERVISOR, partner=branch_of(staff_a).partner))
    sup_y = client_for(user_with_role(Role.PARTNER_SUPERVISOR, partner=branch_of(staff_b).partner))
    assert ids(sup_x.get(URL)) == {batch_a["id"]}
    assert ids(sup_y.get(URL)) == {batch_b["id"]}
    assert sup_x.get(batch_b["links"]["self"]).status_code == 404
    assert sup_y.get(batch_a["links"]["rows"]).status_code == 404
    assert sup_x.get(batch_a["links"]["self"]).status_code == 200


@pytest.mark.parametrize("role", [Role.MINISTRY_OFFICER, Role.PROGRAMME_OFFICER])
def test_other_roles_have_no_batches(batches, role, run_tasks):
    (_staff_a, batch_a), _b = batches
    scope = {"programme": ProgrammeFactory()} if role == Role.PROGRAMME_OFFICER else {}
    api = client_for(user_with_role(role, **scope))
    assert api.get(URL).status_code == 403
    assert api.get(batch_a["links"]["self"]).status_code == 404
    assert api.get(batch_a["links"]["rows"]).status_code == 404
    assert api.post(batch_a["links"]["commit"]).status_code == 404
    assert upload(api, run_tasks=run_tasks).status_code == 403


def test_anonymous_gets_401(api, batches):
    (_staff_a, batch_a), _b = batches
    assert api.get(URL).status_code == 401
    assert api.get(batch_a["links"]["self"]).status_code == 401
    assert api.post(URL, {"file": csv_file()}, format="multipart").status_code == 401
