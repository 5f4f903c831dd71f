"""The registrant's data tracker at scale: one page of /me/<number>/tracker/ with
10,000,000 rows in the read audit.

    DATABASE_URL=postgres://…/bench_tracker .venv/bin/python bench/bench_tracker.py --rows 10000000

Fills `audit_personread` (its own database, migrated) like `bench/bench_audit.py`:
`--rows` reads of `--people` people by 200 users over a year, in time order. Then
gives `--programmes` programmes a year of weekly full lists (52 published jobs each,
each based on the one before, as a schedule makes them): the first records every
sampled person as sent, each later one only the one in ten who changed since
(`ExportMember` holds changes only), so the tracker walks the chain of jobs for the
weeks a person did not change. Then times
`tracker.selectors.tracker_page` — the whole selector the page and the API call:
the merged records' look-up, the one UNION ALL statement over reads, exports and
history, the names of organisations and programmes, the consents in force — for
`--samples` random people, first page and second page (through the first page's
cursor). Prints p50/p95/max. Target: p95 ≤ 50 ms with 10,000,000 audit rows.
`--keep` keeps the rows for another run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--people", type=int, default=2_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--programmes", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    from bench.support import audit_reads_fill, database_create

    database_create(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import translation

    call_command("migrate", verbosity=0)
    from programmes.models import Programme
    from registry.models import Person
    from sharing.models import ExportJob, ExportMember
    from tracker.selectors import tracker_page

    size = audit_reads_fill(args.rows, args.people)

    rng = random.Random(1)
    sample = [rng.randint(1, args.people) for _ in range(args.samples)]
    programmes = list(Programme.objects.order_by("pk")[: args.programmes])
    if not ExportJob.objects.filter(criteria__bench="tracker").exists():
        started = time.perf_counter()
        for programme in programmes:
            # A weekly full list for a year, each based on the one before (what a schedule
            # makes): the first records every sampled person as sent, each later one only
            # those who changed since (one in ten); the tracker walks the chain for the rest.
            jobs = []
            for week in range(52):
                jobs.append(
                    ExportJob.objects.create(
                        programme=programme,
                        kind=ExportJob.Kind.FULL,
                        status=ExportJob.Status.DONE,
                        criteria={"bench": "tracker"},
                        columns=["registration_number", "name_latin", "phone"],
                        row_count=0,
                        base=jobs[-1] if jobs else None,
                        started_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
                        + datetime.timedelta(weeks=week),
                        finished_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
                        + datetime.timedelta(weeks=week),
                    )
                )
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO sharing_exportmember (job_id, person_id, change) "
                    "SELECT job, person, CASE WHEN job = %s THEN %s ELSE %s END "
                    "FROM unnest(%s::bigint[]) job, unnest(%s::bigint[]) person "
                    "WHERE job = %s OR (job + person) %% 10 = 0 ON CONFLICT DO NOTHING",
                    [
                        jobs[0].pk,
                        int(ExportMember.Change.SENT),
                        int(ExportMember.Change.CHANGED),
                        [job.pk for job in jobs],
                        sorted(set(sample)),
                        jobs[0].pk,
                    ],
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sharing_exportmember; ANALYZE sharing_exportjob")
        print(f"export snapshots written in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sharing_exportmember")
        members = cursor.fetchone()[0]

    first, second, shown = [], [], []
    with translation.override("km"):
        for person_id in sample:
            person = Person(pk=person_id)  # the selector reads by id: no registry row needed
            started = time.perf_counter()
            page = tracker_page(person=person)
            first.append((time.perf_counter() - started) * 1000)
            shown.append(len(page.entries))
            if page.next is not None:
                started = time.perf_counter()
                tracker_page(person=person, after=page.next)
                second.append((time.perf_counter() - started) * 1000)
    first.sort()
    print(
        f"tracker_page (first page, 20 entries), {args.rows:,} audit rows "
        f"({size / 2**30:.2f} GiB with indexes), {members:,} export snapshot rows: "
        f"p50 {statistics.median(first):.2f} ms, p95 {_p95(first):.2f} ms, "
        f"max {first[-1]:.2f} ms over {args.samples} people "
        f"(entries per page: mean {statistics.mean(shown):.1f})"
    )
    if second:
        second.sort()
        print(
            f"tracker_page (second page, by cursor): p50 {statistics.median(second):.2f} ms, "
            f"p95 {_p95(second):.2f} ms, max {second[-1]:.2f} ms over {len(second)} people"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.keep:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_personread, sharing_exportmember")
        ExportJob.objects.filter(criteria__bench="tracker").delete()


if __name__ == "__main__":
    main()
