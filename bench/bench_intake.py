"""Bulk intake speed: a generated file validated and committed through the services.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onboarding_bench \\
        .venv/bin/python bench/bench_intake.py --rows 50000 --seed 1

creates the database if it is missing, migrates it and loads the gazetteer, writes the
file with bench/generate.py (with its optional work, campaign and consent columns, so
each row does what a registration does: enterprises and employers, campaign credit,
consents, a confirmation SMS; `--no-extras` for the ten template columns and
commune_code only), then times `intake_batch_create`, `intake_batch_validate`,
`intake_batch_commit_request` + `intake_batch_commit` (what the web upload and the
Celery tasks run) and prints rows/s for validation, commit and overall. The bench's
own partner, branch, people and batches are deleted before each run.

Beside rows/s it prints the ratio to a plain COPY of the same file, measured in the same
run on the same database: the file is sent as it is (`COPY ... FROM STDIN (FORMAT csv,
HEADER)`) into `bench_intake_copy`, a logged table with one `text` column per column of
the file, a `bigserial` primary key and a unique index on `reference` (the one index
every registration pays for). Machines differ in speed; the ratio between the intake and
the cheapest way PostgreSQL can take the same bytes into an indexed table travels better
than rows/s. The COPY is timed three times after each run and the best is kept.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/onboarding_bench"
BENCH_PARTNER = "bench-intake"


def _environment() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("HTTPS", "false")
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "bench" / "out" / "media"))
    # The commit is run here, in this process, after the request: no worker is needed.
    os.environ["REDIS_URL"] = ""
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    sys.path.insert(0, str(ROOT))


def _setup() -> None:
    import django

    django.setup()
    from bench.support import database_ready

    database_ready(os.environ["DATABASE_URL"])


def _prepare(*, extras: bool = True):
    """The bench's partner, branch and user, with nothing registered yet."""
    from accounts.models import User
    from geography.models import Province
    from partners.models import Branch, IntakeBatch, Partner

    partner, _ = Partner.objects.get_or_create(code=BENCH_PARTNER, defaults={"name": "Bench"})
    branch, _ = Branch.objects.get_or_create(
        code=BENCH_PARTNER,
        defaults={"partner": partner, "name": "Bench", "province": Province.objects.first()},
    )
    user, _ = User.objects.get_or_create(username="bench-intake")
    if extras:
        _extras_prepare(user)
    from django.db import connection

    # Names are the models' tables; the partner is a bound parameter.
    people = "SELECT id FROM registry_person WHERE partner_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM partners_intakerow WHERE batch_id IN"
            " (SELECT id FROM partners_intakebatch WHERE branch_id = %s)",
            [branch.pk],
        )
        # The confirmations sent to the bench's people (messages have no person).
        cursor.execute(
            "DELETE FROM registry_smsmessage WHERE phone IN"
            " (SELECT phone FROM registry_person WHERE partner_id = %s)",
            [partner.pk],
        )
        # Their employers: the enterprises they own or work for.
        cursor.execute(
            "CREATE TEMP TABLE bench_enterprises AS SELECT DISTINCT enterprise_id AS id"  # noqa: S608
            f" FROM registry_employment WHERE person_id IN ({people})",
            [partner.pk],
        )
        for table in (
            "registry_personchange",
            "registry_consent",
            "registry_employment",
            "campaigns_attribution",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE person_id IN ({people})", [partner.pk])  # noqa: S608
        cursor.execute(
            "DELETE FROM registry_enterprise WHERE id IN (SELECT id FROM bench_enterprises)"
        )
        cursor.execute("DROP TABLE bench_enterprises")
        cursor.execute("DELETE FROM registry_person WHERE partner_id = %s", [partner.pk])
    IntakeBatch.objects.filter(branch=branch).delete()
    with connection.cursor() as cursor:
        # Every run deletes and re-adds 50,000 people with their history: without a
        # vacuum the tables and their indexes grow run after run.
        for table in (
            "registry_person",
            "registry_personchange",
            "partners_intakerow",
            "registry_consent",
            "registry_enterprise",
            "registry_employment",
            "registry_smsmessage",
            "campaigns_attribution",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return branch, user


def _extras_prepare(user) -> None:
    """The running campaign and active programmes the file's extra columns name."""
    import datetime

    from django.utils import timezone

    from bench.generate import EXTRAS_CAMPAIGN_CODE, EXTRAS_PROGRAMME_CODES
    from campaigns.models import Campaign
    from programmes.models import Programme

    for code in EXTRAS_PROGRAMME_CODES:
        Programme.objects.update_or_create(
            code=code,
            defaults={"name_km": code, "name_en": code, "is_active": True, "kind": "skills"},
        )
    today = timezone.localdate()
    Campaign.objects.update_or_create(
        code=EXTRAS_CAMPAIGN_CODE,
        defaults={
            "name_km": "Bench",
            "name_en": "Bench",
            "organiser": user,
            "starts_on": today - datetime.timedelta(days=30),
            "ends_on": today + datetime.timedelta(days=365),
            "target": 1_000_000,
        },
    )


class CpuMeter:
    """CPU seconds used by this process, its child processes and its PostgreSQL backends.

    Wall time on a shared machine depends on what else runs; CPU time does not, and it
    says what bounds the throughput: on N cores, rows / (CPU seconds / N) at best. The
    backends' CPU is read from /proc (same machine) by a sampler, because the commit's
    extra sessions exit before the end.
    """

    def __init__(self) -> None:
        import threading

        from django.db.backends.signals import connection_created

        self.backends: dict[int, float] = {}  # pid -> CPU seconds when first seen
        self.latest: dict[int, float] = {}  # pid -> CPU seconds when last sampled
        self._lock = threading.Lock()
        self._stop = threading.Event()
        connection_created.connect(self._connected, weak=False)
        from django.db import connection

        connection.ensure_connection()
        self._track(connection)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _connected(self, sender, connection, **kwargs) -> None:
        self._track(connection)

    def _track(self, connection) -> None:
        with connection.connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with self._lock:
            self.backends.setdefault(pid, self._cpu(pid) or 0.0)

    @staticmethod
    def _cpu(pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        from django.db.backends.signals import connection_created

        self._stop.set()
        connection_created.disconnect(self._connected)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self._update()

    def _update(self) -> None:
        with self._lock:
            for pid in list(self.backends):
                value = self._cpu(pid)
                if value is not None:
                    self.latest[pid] = value

    def reading(self) -> tuple[float, float]:
        """(Python CPU s incl. child processes, PostgreSQL CPU s) so far."""
        self._update()
        times = os.times()
        python = times.user + times.system + times.children_user + times.children_system
        with self._lock:
            database = sum(
                self.latest.get(pid, start) - start for pid, start in self.backends.items()
            )
        return python, database


def _run(path: Path, branch, user) -> dict:
    from django.core.files import File

    from partners.services import (
        intake_batch_commit,
        intake_batch_commit_request,
        intake_batch_create,
        intake_batch_validate,
    )

    meter = CpuMeter()
    marks = [(time.perf_counter(), meter.reading())]
    with path.open("rb") as handle:
        batch = intake_batch_create(
            branch=branch, uploaded_by=user, upload=File(handle), enqueue_validation=False
        )
    marks.append((time.perf_counter(), meter.reading()))
    batch = intake_batch_validate(batch_id=batch.pk)
    marks.append((time.perf_counter(), meter.reading()))
    intake_batch_commit_request(batch=batch, actor=user)
    batch = intake_batch_commit(batch_id=batch.pk)
    marks.append((time.perf_counter(), meter.reading()))
    meter.stop()
    steps = {}
    for name, (start, end) in zip(
        ("upload", "validation", "commit"), itertools.pairwise(marks), strict=True
    ):
        steps[name] = (end[0] - start[0], end[1][0] - start[1][0], end[1][1] - start[1][1])
    steps["overall"] = (
        marks[-1][0] - marks[0][0],
        marks[-1][1][0] - marks[0][1][0],
        marks[-1][1][1] - marks[0][1][1],
    )
    return {"batch": batch, "steps": steps}


COPY_REPEAT = 3


def _copy_baseline(path: Path) -> float:
    """Seconds for a plain COPY of the file into an indexed table (see the docstring):
    the best of COPY_REPEAT, since one COPY takes a fifth of a second and a checkpoint
    or another session's work can double it."""
    from django.db import connection, transaction

    with path.open("rb") as handle:
        data = handle.read()
    header = data.split(b"\n", 1)[0].decode().lstrip("\ufeff").strip().split(",")
    columns = ", ".join(f'"{name}" text' for name in header)
    names = ", ".join(f'"{name}"' for name in header)
    best = float("inf")
    for _ in range(COPY_REPEAT):
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_intake_copy")
            cursor.execute(
                f"CREATE TABLE bench_intake_copy (id bigserial PRIMARY KEY, {columns});"
                " CREATE UNIQUE INDEX bench_intake_copy_reference"
                " ON bench_intake_copy (reference)"
            )
        started = time.perf_counter()
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.copy(
                f"COPY bench_intake_copy ({names}) FROM STDIN (FORMAT csv, HEADER true)"
            ) as copy,
        ):
            copy.write(data)
        best = min(best, time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_intake_copy")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is reported")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="wait up to this many seconds for other work on the machine to stop",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "intake.csv")
    parser.add_argument(
        "--no-extras",
        dest="extras",
        action="store_false",
        help="only the template's ten columns and commune_code (no work, campaign, consents)",
    )
    args = parser.parse_args(argv)

    _environment()
    _setup()

    from bench.generate import write
    from bench.support import wait_quiet

    if args.extras:
        write(args.out, args.rows, args.seed, extras=True)
    else:
        write(args.out, args.rows, args.seed)
    size = args.out.stat().st_size
    runs = []
    for number in range(1, args.repeat + 1):
        branch, user = _prepare(extras=args.extras)  # each run starts from an empty partner
        busy = wait_quiet(args.quiet_wait)
        result = _run(args.out, branch, user)
        result["busy"] = busy
        result["copy"] = _copy_baseline(args.out)
        runs.append(result)
        total = result["steps"]["overall"][0]
        print(
            f"run {number}: {total:.2f} s, {result['batch'].total_rows / total:,.0f} rows/s, "
            f"{total / result['copy']:.1f}x a plain COPY ({result['copy']:.3f} s) "
            f"(other work before the run: {busy:.2f} cores busy)"
        )

    best = min(runs, key=lambda r: r["steps"]["overall"][0])
    batch = best["batch"]
    rows = batch.total_rows
    copy_best = min(r["copy"] for r in runs)
    cores = os.cpu_count() or 1
    print(f"\nfile: {rows:,} rows, {size / 1e6:.1f} MB ({args.out}); best of {len(runs)} runs")
    print(
        f"outcome: {batch.status}, {batch.committed_rows:,} registered, "
        f"{batch.existing_rows:,} already registered, {batch.invalid_rows:,} rejected"
    )
    print(f"{'step':<11} {'wall s':>7} {'rows/s':>9}   {'CPU s: Python':>14} {'PostgreSQL':>11}")
    for name, (wall, python, database) in best["steps"].items():
        print(f"{name:<11} {wall:7.2f} {rows / wall:9,.0f}   {python:14.2f} {database:11.2f}")
    wall, python, database = best["steps"]["overall"]
    print(
        f"plain COPY of the file into an indexed table: {copy_best:.3f} s "
        f"({rows / copy_best:,.0f} rows/s), best of {len(runs)}; "
        f"intake / COPY = {wall / copy_best:.1f}x (best runs)"
    )
    print(
        f"CPU per row: {(python + database) / rows * 1e6:.0f} µs; on {cores} idle cores that "
        f"allows at most {rows / ((python + database) / cores):,.0f} rows/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
