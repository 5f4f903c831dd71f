"""The programme pages as officers, administrators and ministry officers use them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from geography.models import Village
from programmes.models import EligibilityRule, Programme
from registry.models import Consent
from registry.views.registrant_auth import PHONE_KEY, SINCE_KEY
from sharing.models import ExportDownload, ExportJob, ExportSchedule
from tests.factories import PersonFactory, user_with_role
from tests.sharing.conftest import consenting_person


def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def officer(programme):
    return user_with_role(Role.PROGRAMME_OFFICER, programme=programme)


@pytest.fixture
def other_programme(geography):
    programme = Programme.objects.create(
        code="other", kind=Programme.Kind.FINANCE, name_km="ផ្សេង", name_en="Other"
    )
    EligibilityRule.objects.create(programme=programme)
    return programme


@pytest.mark.django_db
def test_the_live_count_follows_the_rule_being_edited(client, programme, officer, english):
    for sex in "FFM":
        consenting_person(programme, sex=sex)
    PersonFactory(sex="F")  # eligible, without consent
    signed_in(client, officer)
    url = reverse("sharing:rule_count", args=[programme.code])
    page = client.post(url, {"sex": "F"}).content.decode()
    assert 'data-count="consenting">2<' in page
    assert 'data-count="without-consent">1<' in page
    page = client.post(url, {"sex": "M"}).content.decode()
    assert 'data-count="consenting">1<' in page
    assert 'data-count="without-consent">0<' in page
    page = client.post(url, {"age_min": "50", "age_max": "20"}).content.decode()
    assert "The lowest age is above the highest age." in page
    assert "data-count" not in page


@pytest.mark.django_db
def test_saving_a_rule_and_refusing_a_contradictory_one(client, programme, officer, english):
    signed_in(client, officer)
    url = reverse("sharing:rule", args=[programme.code])
    assert client.get(url).status_code == 200
    response = client.post(url, {"workers_min": "10", "workers_max": "3"})
    assert response.status_code == 200
    assert "The fewest workers is above the most workers." in response.content.decode()
    response = client.post(
        url, {"actor_types": ["seasonal_worker"], "provinces": ["12"], "other_areas": "0102"}
    )
    assert response.status_code == 302
    rule = EligibilityRule.objects.get(programme=programme)
    assert rule.actor_types == ["seasonal_worker"]
    assert rule.area_codes == ["0102", "12"]
    assert rule.updated_by == officer
    response = client.post(url, {"other_areas": "9999"})
    assert "No district or commune has the code 9999." in response.content.decode()


@pytest.mark.django_db
def test_an_officer_exports_and_downloads_and_the_download_is_recorded(
    client, programme, officer, django_capture_on_commit_callbacks
):
    consenting_person(programme)
    signed_in(client, officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("sharing:export_ask", args=[programme.code]),
            {"kind": "full", "file_format": "csv"},
        )
    job = ExportJob.objects.get()
    assert response.url == reverse("sharing:export", args=[job.pk])
    assert job.status == ExportJob.Status.DONE
    assert client.get(response.url).status_code == 200
    download = client.get(reverse("sharing:export_file", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"\xef\xbb\xbfregistration_number")
    (record,) = ExportDownload.objects.all()
    assert (record.user, record.job, record.channel) == (officer, job, "web")


@pytest.mark.django_db
def test_officers_never_reach_another_programmes_files(
    client, programme, other_programme, django_capture_on_commit_callbacks
):
    consenting_person(other_programme)
    from sharing.services import export_request

    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(programme=other_programme, user=None)
    signed_in(client, user_with_role(Role.PROGRAMME_OFFICER, programme=programme))
    assert client.get(reverse("sharing:export_file", args=[job.pk])).status_code == 403
    assert client.get(reverse("sharing:export", args=[job.pk])).status_code == 403
    assert client.get(reverse("sharing:programme", args=["other"])).status_code == 404
    assert not ExportDownload.objects.exists()
    # Ministry officers and branch staff have no programme pages at all.
    client.logout()
    signed_in(client, user_with_role(Role.MINISTRY_OFFICER))
    assert client.get(reverse("sharing:export_file", args=[job.pk])).status_code == 403
    # Administrators reach every programme.
    client.logout()
    signed_in(client, user_with_role(Role.ADMINISTRATOR))
    assert client.get(reverse("sharing:export_file", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_a_finished_export_whose_file_vanished_shows_as_failed(
    client, programme, officer, english, django_capture_on_commit_callbacks
):
    consenting_person(programme)
    from sharing.services import export_request, runner

    with django_capture_on_commit_callbacks(execute=True):
        job = export_request(programme=programme, user=officer)
    job.refresh_from_db()
    (runner.exports_root() / job.file_name).unlink()
    signed_in(client, officer)
    page = client.get(reverse("sharing:export", args=[job.pk])).content.decode()
    assert "The file is no longer on the server." in page
    assert reverse("sharing:export_file", args=[job.pk]) not in page
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportJob.Status.FAILED, "file_missing")


@pytest.mark.django_db
def test_the_programme_page_and_its_schedules(client, programme, officer, english):
    signed_in(client, officer)
    page = client.get(reverse("sharing:programme", args=[programme.code])).content.decode()
    assert "Test programme" in page and "Name in Latin letters" in page
    response = client.post(
        reverse("sharing:schedule_add", args=[programme.code]),
        {"kind": "delta", "file_format": "csv", "frequency": "weekly", "weekday": "3", "hour": "4", "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    schedule = ExportSchedule.objects.get()
    task = schedule.periodic_task
    assert task.task == "sharing.tasks.export_scheduled"
    assert (task.crontab.hour, task.crontab.day_of_week, task.enabled) == ("4", "3", True)
    client.post(reverse("sharing:schedule_remove", args=[schedule.pk]))
    assert not ExportSchedule.objects.exists()
    from django_celery_beat.models import PeriodicTask

    assert not PeriodicTask.objects.filter(pk=task.pk).exists()


@pytest.mark.django_db
def test_a_schedule_runs_an_export(programme, django_capture_on_commit_callbacks):
    from sharing.schedules import schedule_run, schedule_save

    consenting_person(programme)
    schedule = schedule_save(schedule=ExportSchedule(programme=programme, kind="full"))
    with django_capture_on_commit_callbacks(execute=True):
        schedule_run(schedule_id=schedule.pk)
    job = ExportJob.objects.get()
    assert (job.status, job.scheduled, job.kind) == (ExportJob.Status.DONE, True, "full")
    # A rule that now selects nobody: the scheduled run makes no job and does not fail.
    EligibilityRule.objects.filter(programme=programme).update(sex="X")
    schedule_run(schedule_id=schedule.pk)
    assert ExportJob.objects.count() == 1


@pytest.mark.django_db
def test_crisis_targeting_counts_the_gap_and_sends_only_consenting_people(
    client, english, geography, django_capture_on_commit_callbacks
):
    response_programme = Programme.objects.create(
        code="flood-help", kind=Programme.Kind.SOCIAL_PROTECTION, name_km="ជំនួយទឹកជំនន់",
        name_en="Flood help", receives_targeting=True,
    )  # fmt: skip
    EligibilityRule.objects.create(programme=response_programme)
    in_area = [consenting_person(response_programme, sector="agriculture") for _ in range(2)]
    PersonFactory(sector="agriculture")  # in the area, no consent
    PersonFactory(sector="transport")  # another kind of work
    consenting_person(
        response_programme,
        sector="agriculture",
        village=Village.objects.filter(commune__district__province__code="17").first(),
    )
    commune = in_area[0].village.commune
    signed_in(client, user_with_role(Role.MINISTRY_OFFICER))
    form = {
        "other_areas": commune.code,
        "sectors": ["agriculture"],
        "programme": response_programme.pk,
    }
    page = client.post(reverse("sharing:targeting"), form, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-count="eligible">3<' in page
    assert 'data-count="consenting">2<' in page
    assert 'data-count="without-consent">1<' in page
    assert commune.code in page
    for person in in_area:
        assert person.registration_number not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("sharing:targeting"), {**form, "send": "1"})
    job = ExportJob.objects.get()
    assert (job.kind, job.programme, job.row_count) == ("targeting", response_programme, 2)
    assert set(job.members.values_list("person_id", flat=True)) == {p.pk for p in in_area}
    # No area chosen: said, nothing counted.
    page = client.post(reverse("sharing:targeting"), {"sectors": ["agriculture"]}).content.decode()
    assert "Choose at least one affected area." in page
    # Programme officers do not target.
    client.logout()
    signed_in(client, user_with_role(Role.PROGRAMME_OFFICER, programme=response_programme))
    assert client.get(reverse("sharing:targeting")).status_code == 403


@pytest.mark.django_db
def test_a_registrant_sees_programmes_for_them_and_consents_in_one_click(
    client, english, geography
):
    nssf = Programme.objects.create(
        code="nssf-test", kind=Programme.Kind.SOCIAL_SECURITY, name_km="ប.ស.ស",
        name_en="NSSF social security", columns=["name_latin", "phone"],
    )  # fmt: skip
    EligibilityRule.objects.create(programme=nssf, age_min=18, age_max=60)
    person = PersonFactory(date_of_birth=datetime.date(1960, 1, 1), national_id="")
    session = client.session
    session[PHONE_KEY] = str(person.phone)
    session[SINCE_KEY] = timezone.now().isoformat()
    session.save()
    url = reverse("sharing_me:programmes", args=[person.registration_number])
    page = client.get(url).content.decode()
    assert "NSSF social security" in page
    assert "Agree to be contacted" in page
    # Born in 1960: over the rule's highest age (60), and told so.
    assert "does not meet this programme" in page
    assert person.name_latin in page  # what the programmes would receive about them
    client.post(
        reverse("sharing_me:consent", args=[person.registration_number, "nssf-test"]),
        {"consent": "give"},
    )
    assert Consent.objects.filter(person=person, programme=nssf, withdrawn_at=None).exists()
    client.post(
        reverse("sharing_me:consent", args=[person.registration_number, "nssf-test"]),
        {"consent": "withdraw"},
    )
    assert not Consent.objects.filter(person=person, programme=nssf, withdrawn_at=None).exists()
    # Someone else's record: not found.
    other = PersonFactory()
    assert (
        client.get(reverse("sharing_me:programmes", args=[other.registration_number])).status_code
        == 404
    )
