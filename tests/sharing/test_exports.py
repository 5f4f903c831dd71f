"""Exports and deltas, through the services the pages, the API and the schedules call."""

import csv
import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from dedup.services.merge import person_merge
from programmes.models import EligibilityRule
from registry.models import Consent
from registry.models.people import Channel
from registry.services.consent import consent_withdraw
from registry.services.people import person_leave
from registry.spreadsheets import cell_neutralise
from sharing import services
from sharing.exports.sql import neutralised_sql
from sharing.models import ExportJob, ExportMember
from tests.factories import PersonFactory
from tests.sharing.conftest import consenting_person


def run(programme, **kwargs) -> ExportJob:
    job = services.export_request(programme=programme, user=None, **kwargs)
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    return job


def rows_of(job: ExportJob) -> list[dict]:
    data = (Path(services.runner.exports_root()) / job.file_name).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data[3:].decode())))


@pytest.mark.django_db
def test_a_full_export_lists_the_consenting_people_with_the_programme_columns(programme):
    first = consenting_person(programme, name_latin="Chan Dara")
    second = consenting_person(programme, name_latin="=HYPERLINK(1)")
    PersonFactory(name_latin="No consent")
    job = run(programme)
    rows = rows_of(job)
    assert list(rows[0]) == ["registration_number", "name_latin", "sex", "phone", "village_code"]
    by_number = {row["registration_number"]: row for row in rows}
    assert set(by_number) == {first.registration_number, second.registration_number}
    assert by_number[first.registration_number]["name_latin"] == "Chan Dara"
    # A formula typed by someone is written as text; the phone's + too.
    assert by_number[second.registration_number]["name_latin"] == "'=HYPERLINK(1)"
    assert by_number[first.registration_number]["phone"] == "'" + str(first.phone)
    assert [r["registration_number"] for r in rows] == sorted(by_number)
    path = services.runner.exports_root() / job.file_name
    assert job.row_count == 2
    assert job.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert job.size == path.stat().st_size
    assert ExportMember.objects.filter(job=job).count() == 2
    # Nothing is left under a temporary name.
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.django_db
def test_the_same_export_on_unchanged_data_gives_the_same_bytes(programme):
    for n in range(3):
        consenting_person(programme, name_latin=f"Person {n}")
    for file_format in (ExportJob.Format.CSV, ExportJob.Format.XLSX):
        one = run(programme, file_format=file_format)
        two = run(programme, file_format=file_format)
        assert one.file_name != two.file_name
        root = services.runner.exports_root()
        assert (root / one.file_name).read_bytes() == (root / two.file_name).read_bytes()
        assert one.sha256 == two.sha256


@pytest.mark.django_db
def test_an_xlsx_export_holds_the_rows_with_formulas_neutralised(programme):
    from openpyxl import load_workbook

    person = consenting_person(programme, name_latin="@SUM(A1)")
    job = run(programme, file_format=ExportJob.Format.XLSX)
    path = services.runner.exports_root() / job.file_name
    assert zipfile.is_zipfile(path)
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[0] == ("registration_number", "name_latin", "sex", "phone", "village_code")
    assert rows[1][0] == person.registration_number
    assert rows[1][1] == "'@SUM(A1)"
    assert job.row_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value", ["=1+1", "+855", "-2", "@x", "\tx", "\rx", "'x", "  =x", "＝x", "plain", "", " a"]
)
def test_the_sql_neutraliser_agrees_with_cell_neutralise(value):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {neutralised_sql('%s::text')}".replace("%s::text", "%(v)s::text"), {"v": value}
        )
        assert cursor.fetchone()[0] == cell_neutralise(value)


@pytest.mark.django_db
def test_a_rule_that_selects_nobody_exports_nothing(programme):
    PersonFactory()  # did not consent
    with pytest.raises(ValidationError):
        services.export_request(programme=programme, user=None)
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_a_withdrawn_consent_leaves_the_next_export_and_is_in_the_delta(programme):
    stays = consenting_person(programme)
    leaves = consenting_person(programme)
    run(programme)
    consent_withdraw(person=leaves, programme=programme, channel=Channel.SELF)
    # The withdrawal was made a second before the export started: it is honoured.
    Consent.objects.filter(person=leaves).update(
        withdrawn_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    full = run(programme)
    assert [r["registration_number"] for r in rows_of(full)] == [stays.registration_number]
    delta = run(programme, kind=ExportJob.Kind.DELTA)
    assert delta.base == full
    # Compared with the export before the withdrawal, the delta removes the person.
    delta_from_first = run(
        programme,
        kind=ExportJob.Kind.DELTA,
        since=ExportJob.objects.filter(kind="full").order_by("pk").first().started_at,
    )
    assert rows_of(delta) == []
    (row,) = rows_of(delta_from_first)
    assert row["change"] == "removed"
    assert row["registration_number"] == leaves.registration_number
    assert row["reason"] == "consent_withdrawn"


@pytest.mark.django_db
def test_a_delta_names_new_changed_and_removed_people_and_why(programme):
    changed = consenting_person(programme, name_latin="Before")
    left = consenting_person(programme)
    merged = consenting_person(programme)
    survivor = consenting_person(programme)
    unchanged = consenting_person(programme)
    run(programme)
    changed.name_latin = "After"
    changed.save()
    person_leave(person=left, channel=Channel.SELF)
    person_merge(survivor=survivor, merged=merged)
    new = consenting_person(programme)
    delta = run(programme, kind=ExportJob.Kind.DELTA)
    rows = {row["registration_number"]: row for row in rows_of(delta)}
    assert unchanged.registration_number not in rows
    assert rows[new.registration_number]["change"] == "new"
    assert rows[new.registration_number]["name_latin"] == new.name_latin
    assert rows[changed.registration_number]["change"] == "changed"
    assert rows[changed.registration_number]["changed_columns"] == "name_latin"
    assert rows[changed.registration_number]["name_latin"] == "After"
    assert rows[left.registration_number]["reason"] == "left_registry"
    assert rows[merged.registration_number]["change"] == "removed"
    assert rows[merged.registration_number]["reason"] == "merged"
    assert rows[merged.registration_number]["survivor_number"] == survivor.registration_number
    assert delta.row_count == len(rows)
    # The next delta starts from this one: nothing changed since.
    assert rows_of(run(programme, kind=ExportJob.Kind.DELTA)) == []


@pytest.mark.django_db
def test_a_person_no_longer_eligible_is_removed_with_that_reason(programme):
    person = consenting_person(programme, sex="M")
    consenting_person(programme, sex="F")
    run(programme)
    EligibilityRule.objects.filter(programme=programme).update(sex="F")
    (row,) = rows_of(run(programme, kind=ExportJob.Kind.DELTA))
    assert (row["registration_number"], row["reason"]) == (
        person.registration_number,
        "no_longer_eligible",
    )


@pytest.mark.django_db
def test_the_first_delta_lists_everyone_as_new(programme):
    people = [consenting_person(programme) for _ in range(2)]
    rows = rows_of(run(programme, kind=ExportJob.Kind.DELTA))
    assert {(r["change"], r["registration_number"]) for r in rows} == {
        ("new", p.registration_number) for p in people
    }


@pytest.mark.django_db
def test_exports_record_who_they_included_by_person(programme):
    person = consenting_person(programme)
    other = consenting_person(programme)
    full = run(programme)
    other.name_latin = "Changed"
    other.save()
    delta = run(programme, kind=ExportJob.Kind.DELTA)
    included = ExportMember.objects.filter(person=person).exclude(
        change=ExportMember.Change.UNCHANGED
    )
    assert [m.job_id for m in included] == [full.pk]
    assert set(
        ExportMember.objects.filter(person=other)
        .exclude(change=ExportMember.Change.UNCHANGED)
        .values_list("job_id", flat=True)
    ) == {full.pk, delta.pk}


@pytest.mark.django_db
def test_retention_deletes_the_file_and_keeps_the_record(programme):
    consenting_person(programme)
    job = run(programme)
    path = services.runner.exports_root() / job.file_name
    assert services.export_files_purge(now=job.expires_at - datetime.timedelta(seconds=1)) == 0
    assert path.exists()
    assert services.export_files_purge(now=job.expires_at) == 1
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED
    assert not path.exists()
    assert ExportMember.objects.filter(job=job).count() == 1


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_worker_is_failed_and_offers_nothing(programme):
    consenting_person(programme)
    job = services.export_request(programme=programme, user=None)
    # What a worker killed mid-export leaves: a running job and a partial file.
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    final, partial = services._target(job)
    partial.write_bytes(b"\xef\xbb\xbfregistration_number\n123")
    assert services.export_jobs_reap(stale_after=datetime.timedelta(hours=1)) == 0
    assert services.export_jobs_reap(stale_after=datetime.timedelta(0)) == 1
    job.refresh_from_db()
    assert (job.status, job.error, job.file_name) == (ExportJob.Status.FAILED, "interrupted", "")
    assert not partial.exists() and not final.exists()
    # A redelivered task does not bring a failed job back.
    assert services.export_run(job_id=job.pk) is None


@pytest.mark.django_db
def test_a_redelivered_task_starts_a_running_job_over(programme):
    consenting_person(programme)
    job = services.export_request(programme=programme, user=None)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    _final, partial = services._target(job)
    partial.write_bytes(b"truncated")
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert len(rows_of(job)) == 1
    assert not partial.exists()
