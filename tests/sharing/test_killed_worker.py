"""A real Celery worker process killed in the middle of an export: the job is left
failed (once reaped), never a truncated file offered as complete."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from onboarding.celery import app
from programmes.models import EligibilityRule, Programme
from sharing import services
from sharing.models import ExportJob, ExportMember

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 80_000


def _fill(programme: Programme, village_id: int) -> None:
    """Enough consenting registrants for an export that lasts a few seconds (set-based)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_person (registration_number, name_km, name_latin, sex,"
            " date_of_birth, national_id, phone, village_id, actor_type, sector, occupation,"
            " status, channel, reference, created_at, updated_at)"
            " SELECT lpad(i::text, 10, '0'), 'សុខ ដារ៉ា', 'Sok Dara ' || i, 'F', '1990-01-01',"
            " '', '+8551' || lpad(i::text, 7, '0'), %s, 'self_employed', 'services', '',"
            " 'active', 'bulk', '', now(), now() FROM generate_series(1, %s) AS i",
            [village_id, PEOPLE],
        )
        cursor.execute(
            "INSERT INTO registry_consent (person_id, programme_id, given_at, channel,"
            " evidence, withdrawn_channel) SELECT id, %s, now(), 'bulk', '', ''"
            " FROM registry_person",
            [programme.pk],
        )


@pytest.fixture
def worker_process(transactional_geography, tmp_path, settings):
    """A worker in its own process, on this test's database and Redis, killable."""
    name = connection.settings_dict["NAME"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EXPORTS_ROOT": str(settings.EXPORTS_ROOT),
    }
    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    app.control.purge()
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "onboarding", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        app.conf.task_always_eager = True


@pytest.mark.worker
def test_a_worker_killed_mid_export_leaves_no_file_offered(worker_process):
    from geography.models import Village

    programme = Programme.objects.create(
        code="killed", kind=Programme.Kind.SKILLS, name_km="សាកល្បង", name_en="Killed",
        columns=["name_latin", "phone"],
    )  # fmt: skip
    EligibilityRule.objects.create(programme=programme)
    _fill(programme, Village.objects.order_by("pk").first().pk)
    with transaction.atomic():
        job = services.export_request(programme=programme, user=None)
    final, partial = services._target(job)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status == ExportJob.Status.RUNNING and partial.exists():
            break
        assert job.status != ExportJob.Status.DONE, "the export ended before the worker was killed"
        time.sleep(0.05)
    else:
        pytest.fail("the worker never started the export")
    os.killpg(worker_process.pid, signal.SIGKILL)
    worker_process.wait(timeout=30)

    job.refresh_from_db()
    assert job.status == ExportJob.Status.RUNNING
    assert (job.file_name, job.sha256, job.row_count) == ("", "", None)
    assert not final.exists()
    # The killed transaction wrote no snapshot: nobody is recorded as sent.
    time.sleep(1)
    assert not ExportMember.objects.filter(job=job).exists()

    # The periodic reaper marks it failed and drops the partial file.
    assert services.export_jobs_reap(stale_after=datetime.timedelta(0)) == 1
    job.refresh_from_db()
    assert (job.status, job.error) == (ExportJob.Status.FAILED, "interrupted")
    assert not partial.exists() and not final.exists()
    assert list(Path(settings.EXPORTS_ROOT).rglob("*.csv")) == []
