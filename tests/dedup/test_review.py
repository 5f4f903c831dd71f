"""The duplicate review queue at /review/duplicates/, through HTTP."""

import contextlib

import psycopg
import pytest
from django.db import connection

from accounts.models import Role
from dedup.models import DedupRun, DuplicateCase, Merge
from registry.models import Person
from tests.factories import BranchFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db


def case(score=0.8):
    a, b = PersonFactory(), PersonFactory(name_latin="Sokh Dara")
    return DuplicateCase.objects.create(
        person_a=a,
        person_b=b,
        score=score,
        source="batch",
        reasons=[{"field": "phone", "outcome": "agree", "weight": 3.2}],
    )


@pytest.fixture
def officer(client):
    user = user_with_role(Role.MINISTRY_OFFICER)
    client.force_login(user)
    return user


def test_queue_lists_open_pairs_by_score(client, officer):
    low, high = case(0.6), case(0.9)
    html = client.get("/review/duplicates/").content.decode()
    assert html.index(f"/review/duplicates/{high.pk}/") < html.index(
        f"/review/duplicates/{low.pk}/"
    )


def test_case_page_highlights_differences(client, officer):
    c = case()
    html = client.get(f"/review/duplicates/{c.pk}/").content.decode()
    assert 'class="differs"' in html
    assert "Sokh Dara" in html


def test_same_person_merges_and_is_audited(client, officer):
    c = case()
    response = client.post(f"/review/duplicates/{c.pk}/", {"decision": "same", "survivor": "b"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.decision == "merged" and c.decided_by == officer and not c.automatic
    merge = Merge.objects.get()
    assert merge.survivor == c.person_b and merge.merged == c.person_a
    assert Person.objects.get(pk=c.person_a_id).status == "merged"


def test_different_people_closes_the_pair(client, officer):
    c = case()
    client.post(f"/review/duplicates/{c.pk}/", {"decision": "different"})
    c.refresh_from_db()
    assert c.decision == "different" and c.decided_by == officer
    assert not Merge.objects.exists()
    # A decided pair cannot be decided again.
    client.post(f"/review/duplicates/{c.pk}/", {"decision": "same"})
    assert not Merge.objects.exists()


def test_bulk_decisions(client, officer):
    cases = [case() for _ in range(3)]
    client.post(
        "/review/duplicates/bulk/", {"case": [c.pk for c in cases[:2]], "decision": "different"}
    )
    decisions = [DuplicateCase.objects.get(pk=c.pk).decision for c in cases]
    assert decisions == ["different", "different", "open"]


def test_undo_a_merge_from_the_case_page(client, officer):
    c = case()
    client.post(f"/review/duplicates/{c.pk}/", {"decision": "same"})
    merge = Merge.objects.get()
    client.post(f"/review/merges/{merge.pk}/undo/")
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by == officer
    assert Person.objects.filter(status="active").count() == 2


@pytest.mark.parametrize(
    "role,scope",
    [
        (Role.BRANCH_STAFF, "branch"),
        (Role.CAMPAIGN_ORGANISER, "province"),
        (Role.PROGRAMME_OFFICER, "programme"),
    ],
)
def test_other_roles_are_refused(client, role, scope):
    from geography.models import Province
    from tests.factories import ProgrammeFactory

    values = {
        "branch": BranchFactory,
        "province": lambda: Province.objects.get(code="12"),
        "programme": ProgrammeFactory,
    }
    client.force_login(user_with_role(role, **{scope: values[scope]()}))
    c = case()
    assert client.get("/review/duplicates/").status_code == 403
    assert client.post(f"/review/duplicates/{c.pk}/", {"decision": "same"}).status_code == 403
    assert (
        client.post("/review/duplicates/bulk/", {"case": [c.pk], "decision": "same"}).status_code
        == 403
    )
    assert not Merge.objects.exists()
    assert client.get("/review/duplicates/runs/").status_code == 403
    assert client.post("/review/duplicates/runs/").status_code == 403
    assert not DedupRun.objects.exists()


@contextlib.contextmanager
def batch_running_elsewhere():
    """Another process (a Celery worker) holds the whole-registry run's lock."""
    from dedup.selectors import BATCH_LOCK

    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [BATCH_LOCK])
        yield


def test_the_whole_registry_check_starts_from_the_review_pages(
    english, officer, django_capture_on_commit_callbacks
):
    assert "has not been checked yet" in english.get("/review/duplicates/runs/").content.decode()
    a = PersonFactory(name_latin="Sok Dara", reference="")
    PersonFactory(
        name_km=a.name_km, name_latin="Sokh Dara", sex=a.sex, date_of_birth=a.date_of_birth,
        phone=a.phone, national_id=a.national_id, village=a.village, reference="BR-9",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = english.post("/review/duplicates/runs/")
    assert response.status_code == 302
    run = DedupRun.objects.get()
    assert run.status == "finished" and run.started_by == officer
    assert run.done == run.total == 2 and run.counts["merged"] == 1
    html = english.get("/review/duplicates/runs/").content.decode()
    assert "2 of 2 records checked (100%)" in html
    assert 'hx-get="' not in html  # nothing to poll once finished


def test_a_second_check_is_refused_while_one_runs(english, officer):
    run = DedupRun.objects.create(status="running", total=10, done=4)
    with batch_running_elsewhere():
        html = english.get("/review/duplicates/runs/").content.decode()
        assert "4 of 10 records checked (40%)" in html
        assert f'hx-get="/review/duplicates/runs/{run.pk}/progress/"' in html
        assert "disabled" in html
        partial = english.get(f"/review/duplicates/runs/{run.pk}/progress/").content.decode()
        assert partial.lstrip().startswith("<section") and "hx-trigger" in partial
        response = english.post("/review/duplicates/runs/", follow=True)
    assert "already running" in response.content.decode()
    assert DedupRun.objects.count() == 1


def test_a_stopped_check_is_shown_and_can_be_continued(
    english, officer, django_capture_on_commit_callbacks
):
    stopped = DedupRun.objects.create(status="running", total=0, done=0)
    html = english.get("/review/duplicates/runs/").content.decode()
    assert "Stopped before the end" in html and "Continue the check" in html
    with django_capture_on_commit_callbacks(execute=True):
        english.post("/review/duplicates/runs/")
    stopped.refresh_from_db()
    assert stopped.status == "finished"  # resumed, not started afresh
    assert DedupRun.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Phone: the same (counts strongly for the same person)",
                "Name in Khmer script: almost the same (counts for the same person)",
                "The sex differs."]),
        ("km", ["លេខទូរស័ព្ទ: ដូចគ្នា"]),
    ],
)  # fmt: skip
def test_reasons_read_as_the_form_names_things(client, officer, language, expected):
    c = case()
    c.reasons = [
        {"field": "phone", "outcome": "agree", "level": "agree", "weight": 5.1},
        {"field": "name_km", "outcome": "partial", "level": "close", "weight": 2.4},
        {"field": "rule", "outcome": "disagree", "level": "sex_differs", "weight": None},
    ]
    c.save()
    client.cookies["django_language"] = language
    page = client.get(f"/review/duplicates/{c.pk}/").content.decode()
    for text in expected:
        assert text in page
    # Never the engine's codes, nor its raw weights.
    assert "name_km" not in page.split("<main", 1)[1] and "5.1" not in page and "5,1" not in page
    queue = client.get("/review/duplicates/").content.decode()
    assert ">phone<" not in queue
    assert ">Phone<" in queue if language == "en" else ">លេខទូរស័ព្ទ<" in queue
