"""Asking for, running, downloading, expiring and reaping export jobs."""

import datetime
import logging
from pathlib import Path

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from onboarding.jobs import enqueue_on_commit
from programmes.columns import columns_ordered
from programmes.models import Programme
from programmes.rules import Criteria, criteria_errors
from sharing.eligibility import consent_gate, eligible_people, no_jit, selection_where
from sharing.exports import runner
from sharing.exports.delta import delta_plan, gazetteer_digest
from sharing.exports.sql import delta_sql, full_rows_sql, members_sql, time_zone
from sharing.models import ExportDownload, ExportJob, ExportMember
from sharing.selectors import export_job_downloadable_by, programme_criteria

logger = logging.getLogger(__name__)

# Why a job failed, as a person reads it (ExportJob.error holds the key).
FAILURES = {
    "interrupted": _("The export stopped before its file was complete. Ask for it again."),
    "file_missing": _("The file is no longer on the server. Ask for the export again."),
    "too_many_rows": _("Too many people for an Excel workbook: ask for a CSV file."),
    "error": _("The export failed. Ask for it again; if it fails again, tell an administrator."),
}


class FileMissingError(Exception):
    """A finished export's file is gone from the disk (the job is now marked failed)."""


@transaction.atomic
def export_request(
    *,
    programme: Programme,
    user: User | None,
    kind: str = ExportJob.Kind.FULL,
    file_format: str = ExportJob.Format.CSV,
    criteria: Criteria | None = None,
    since: datetime.datetime | None = None,
    scheduled: bool = False,
) -> ExportJob:
    """Queue an export of `programme`'s eligible, consenting people.

    A full list or a crisis list that selects nobody is refused (nothing to export); a
    delta compares with the programme's latest finished export (before `since`, when
    given), or, when there is none, lists everyone as new.
    """
    criteria = criteria if criteria is not None else programme_criteria(programme)
    errors = criteria_errors(criteria)
    if errors:
        raise ValidationError(errors)
    base = None
    if kind in (ExportJob.Kind.FULL, ExportJob.Kind.DELTA):
        # What the job is compared with: a delta lists the differences, a full export
        # records only them (ExportMember; sharing.exports.delta).
        earlier = ExportJob.objects.filter(
            programme=programme,
            status__in=[ExportJob.Status.DONE, ExportJob.Status.EXPIRED],
            kind__in=[ExportJob.Kind.FULL, ExportJob.Kind.DELTA],
        )
        if since is not None and kind == ExportJob.Kind.DELTA:
            earlier = earlier.filter(started_at__lte=since)
        base = earlier.order_by("-started_at", "-pk").first()
    if kind != ExportJob.Kind.DELTA:
        selected = consent_gate(eligible_people(criteria=criteria), programme=programme)
        if not selected.exists():
            raise ValidationError(
                _("These criteria select nobody who consented: nothing to export.")
            )
    job = ExportJob.objects.create(
        programme=programme,
        kind=kind,
        file_format=file_format,
        criteria=criteria.as_dict(),
        columns=columns_ordered(programme.columns),
        base=base,
        since=since,
        requested_by=user,
        scheduled=scheduled,
    )
    enqueue_on_commit("sharing.tasks.export_run", job.pk)
    return job


def _target(job: ExportJob) -> tuple[Path, Path]:
    folder = runner.exports_root() / job.programme.code
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{job.kind}-{job.pk}.{job.file_format}"
    return final, folder / f".{final.name}.partial"


def export_run(*, job_id: int) -> ExportJob | None:
    """Write the job's file. Safe to run again: a finished job is left alone, a job a
    killed worker left running starts over from nothing (its partial file and snapshot
    are dropped), a failed one stays failed."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("programme").get(pk=job_id)
        if job.status not in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
            return None
        final, partial = _target(job)
        partial.unlink(missing_ok=True)
        ExportMember.objects.filter(job=job).delete()
        now = timezone.now()
        criteria = Criteria.from_dict(job.criteria)
        job.status = ExportJob.Status.RUNNING
        job.started_at = job.heartbeat_at = now
        # The progress bar's total: a full export's people (one count); a delta's rows are
        # known only when it is done.
        job.rows_expected = _rows_expected(job, criteria)
        job.save(update_fields=["status", "started_at", "heartbeat_at", "rows_expected"])
    if job.file_format == ExportJob.Format.XLSX and job.rows_expected > runner.XLSX_MAX_ROWS:
        return _fail(job, "too_many_rows")
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            if outermost:
                # The file and the record of who was in it (ExportMember), written by
                # separate statements, see the same instant.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            written = _write(job, criteria, partial)
    except Exception:
        # No personal data in the log: the job id and the exception type only.
        logger.exception("export job %s failed", job.pk)
        partial.unlink(missing_ok=True)
        return _fail(job, "error")
    partial.replace(final)  # atomic on one file system: the name appears whole or not at all
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.row_count = written.rows
    job.rows_written = written.rows
    job.sha256 = written.sha256
    job.size = written.size
    job.file_name = str(final.relative_to(runner.exports_root()))
    job.gazetteer = written.gazetteer
    job.expires_at = job.finished_at + datetime.timedelta(days=job.programme.retention_days)
    job.save()
    cache.delete(runner.progress_key(job.pk))
    # The registrant's tracker (a higher app) texts those this programme receives for the
    # first time; by task name and job id only.
    enqueue_on_commit("tracker.tasks.first_receipt_notify", job.pk)
    return job


def _rows_expected(job: ExportJob, criteria: Criteria) -> int:
    """The progress bar's total: a delta's rows are known only when it is done; a full
    export has about as many as the programme's previous full list of the same rule (an
    estimate: the bar stops at 99 % until the file is whole), else they are counted."""
    if job.kind == ExportJob.Kind.DELTA:
        return 0
    if job.kind == ExportJob.Kind.FULL:
        previous = (
            ExportJob.objects.filter(
                programme=job.programme_id,
                kind=ExportJob.Kind.FULL,
                status__in=[ExportJob.Status.DONE, ExportJob.Status.EXPIRED],
                criteria=job.criteria,
            )
            .order_by("-started_at", "-pk")
            .values_list("row_count", flat=True)
            .first()
        )
        if previous:
            return previous
    return _people(job, criteria).count()


def _people(job: ExportJob, criteria: Criteria):
    """The job's people: eligible on the day it started AND consenting."""
    on = timezone.localdate(job.started_at)
    return consent_gate(eligible_people(criteria=criteria, on=on), programme=job.programme)


def _selection_where(job: ExportJob, criteria: Criteria) -> str:
    """The WHERE clause (parameters bound) of the job's people, over "registry_person"."""
    where, params = selection_where(_people(job, criteria))
    # Embedded in a statement with named parameters: its own % signs are escaped.
    return runner.composed(where, params).replace("%", "%%")


def _write(job: ExportJob, criteria: Criteria, partial: Path) -> runner.Written:
    """The job's file and its ExportMember rows, in the caller's transaction."""
    no_jit()
    gazetteer = gazetteer_digest()
    job.gazetteer = gazetteer  # a delta compares it with its base's
    where = _selection_where(job, criteria)
    neutralise = job.file_format == ExportJob.Format.CSV
    params: dict = {"job": job.pk, "tz": time_zone(), "programme": job.programme_id}
    plan = delta_plan(job=job, criteria=criteria)
    base = job.base
    same_columns = base is None or list(base.columns) == list(job.columns)
    params.update(chain=plan.chain, codes=list(job.columns))
    if job.kind == ExportJob.Kind.DELTA:
        statement = delta_sql(
            job.columns, where, neutralise=neutralise, same_columns=same_columns, scoped=plan.scoped
        )
        header = runner.delta_header(job.columns)
    else:
        # What changed since the base (ExportMember), then the file's rows in
        # registration-number order: two statements over the same snapshot (REPEATABLE
        # READ, export_run).
        record = members_sql(
            job.columns,
            where,
            same_columns=same_columns,
            scoped=plan.scoped,
            base=bool(plan.chain),
        )
        with connection.cursor() as cursor:
            cursor.execute(runner.composed(record, params))
        statement = full_rows_sql(job.columns, where, neutralise=neutralise)
        header = list(job.columns)
    composed = runner.composed(statement, params)
    writer = runner.write_csv if neutralise else runner.write_xlsx
    written = writer(statement=composed, header=header, target=partial, job_id=job.pk)
    written.gazetteer = gazetteer
    return written


def _fail(job: ExportJob, reason: str) -> ExportJob:
    job.status = ExportJob.Status.FAILED
    job.error = reason
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def export_progress(*, job: ExportJob) -> int:
    """Rows written so far (reported by the running export through the cache)."""
    if job.status == ExportJob.Status.RUNNING:
        return cache.get(runner.progress_key(job.pk), job.rows_written)
    return job.rows_written


def export_download(*, job: ExportJob, user: User, channel: str) -> Path:
    """The path of the job's file for `user`, recorded as downloaded.

    PermissionDenied for anyone but the programme's officers and administrators;
    FileMissingError (and the job marked failed) when the file is gone from the disk.
    """
    if not export_job_downloadable_by(job=job, user=user):
        raise PermissionDenied
    if job.status != ExportJob.Status.DONE or not job.file_name:
        raise FileMissingError
    path = runner.exports_root() / job.file_name
    if not path.is_file():
        _fail(job, "file_missing")
        raise FileMissingError
    ExportDownload.objects.create(
        job=job, user=user, channel=channel, file_name=job.file_name, sha256=job.sha256
    )
    return path


def export_files_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files whose retention period has ended; their jobs say so. The record
    of who was in each export stays (a registrant may ask what was shared)."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now):
        (runner.exports_root() / job.file_name).unlink(missing_ok=True)
        job.status = ExportJob.Status.EXPIRED
        job.file_name = ""
        job.save(update_fields=["status", "file_name"])
        purged += 1
    return purged


def export_jobs_reap(*, stale_after: datetime.timedelta) -> int:
    """Mark failed the jobs whose worker died mid-export (no sign of life for
    `stale_after`): their partial file and snapshot are dropped, nothing is offered."""
    limit = timezone.now() - stale_after
    reaped = 0
    stale = ExportJob.objects.filter(
        status=ExportJob.Status.RUNNING, heartbeat_at__lte=limit
    ).select_related("programme")
    for job in stale:
        with transaction.atomic():
            locked = ExportJob.objects.select_for_update(skip_locked=True).filter(pk=job.pk)
            if not locked.filter(status=ExportJob.Status.RUNNING).exists():
                continue
            _final, partial = _target(job)
            partial.unlink(missing_ok=True)
            ExportMember.objects.filter(job=job).delete()
            _fail(job, "interrupted")
            reaped += 1
    return reaped
