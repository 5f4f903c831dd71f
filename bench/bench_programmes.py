"""Programme export benchmarks at registry scale.

    .venv/bin/python bench/bench_programmes.py all --rows 1000000

Against a dedicated database (`--database-url`, default
`postgres://postgres@127.0.0.1:5432/onboarding_programmes_bench`), created and migrated
if missing. Steps, each in its own process so its peak memory (RSS) is its own:

- `load`: empty the registry, COPY `--rows` generated registrants (bench/generate.py,
  the distinct people only) into registry_person, and a consent to the bench programme
  for every one of them (so all are eligible and consenting);
- `export`: a full CSV export through sharing.services.export_run, twice: the
  programme's first (it records everyone it sent, 1,000,000 ExportMember rows) and the
  next one (a scheduled export: it records only what changed since the first), then a
  plain `COPY (SELECT the same columns) TO STDOUT` into a file, in the same run: the
  time of each, their ratio to the COPY, and the exporting process's peak RSS;
- `count`: the live eligibility count of a typical rule (3 criteria, 2 provinces), its
  median and worst latency over 10 runs;
- `delta`: 10,000 changes (5,000 names corrected, 3,000 consents withdrawn, 2,000 people
  who left the registry) after a full export, then the delta's time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/onboarding_programmes_bench"
PROGRAMME = "bench-programme"


def _setup(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    os.environ.setdefault("EXPORTS_ROOT", str(OUT / "exports"))
    import django

    django.setup()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _programme():
    from programmes.models import EligibilityRule, Programme

    programme, _ = Programme.objects.get_or_create(
        code=PROGRAMME,
        defaults={
            "kind": Programme.Kind.SOCIAL_PROTECTION,
            "name_km": "កម្មវិធីវាស់ល្បឿន",
            "name_en": "Benchmark programme",
            "columns": [
                "registration_number", "name_km", "name_latin", "sex", "date_of_birth",
                "phone", "national_id", "province_code", "commune_code", "village_code",
                "actor_type", "sector",
            ],
        },
    )  # fmt: skip
    EligibilityRule.objects.get_or_create(programme=programme)
    return programme


def _phone(raw: str) -> str:
    from registry.normalise import khmer_digits_to_ascii

    digits = "".join(ch for ch in khmer_digits_to_ascii(raw) if ch.isdigit())
    if digits.startswith("855"):
        digits = digits[3:]
    return "+855" + digits.lstrip("0") if digits else ""


def _date(raw: str) -> str:
    from registry.normalise import khmer_digits_to_ascii

    raw = khmer_digits_to_ascii(raw)
    if "/" in raw:
        day, month, year = raw.split("/")
        return f"{year}-{month}-{day}"
    return raw


def load(*, rows: int) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from bench.generate import generate
    from bench.support import village_ids
    from geography.models import Village
    from geography.services import geography_load
    from registry.regnumber import damm_check_digit

    call_command("migrate", verbosity=0)
    if not Village.objects.exists():
        geography_load()
    programme = _programme()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE registry_person, sharing_exportjob CASCADE")
        villages = village_ids()
    now = datetime.datetime.now(datetime.UTC)
    columns = (
        "registration_number, name_km, name_latin, sex, date_of_birth, national_id, phone,"
        " actor_type, sector, occupation, status, channel, reference, created_at, updated_at,"
        " village_id"
    )
    count = 0
    raw = connection.connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY registry_person ({columns}) FROM STDIN") as copy,
    ):
        for row in generate(rows * 2, 1):
            if row["kind"] != "unique":
                continue
            count += 1
            number = f"{100_000_000 + count}"
            copy.write_row(
                (
                    number + damm_check_digit(number),
                    row["name_km"], row["name_latin"], row["sex"], _date(row["date_of_birth"]),
                    row["national_id"], _phone(row["phone"]), row["actor_type"], row["sector"],
                    "", "active", "bulk", row["reference"],
                    # Registered (and last changed) over the past two years, not just now:
                    # an export compares only the people changed since the one before.
                    now - datetime.timedelta(minutes=count), now - datetime.timedelta(minutes=count),
                    villages[(row["commune_code"], row["village_code"])],
                )
            )  # fmt: skip
            if count >= rows:
                break
    with raw.cursor() as cursor:
        cursor.execute(
            "INSERT INTO registry_consent"
            " (person_id, programme_id, given_at, channel, evidence, withdrawn_channel)"
            " SELECT id, %s, created_at, 'bulk', '', '' FROM registry_person",
            [programme.pk],
        )
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE registry_person")
        cursor.execute("VACUUM ANALYZE registry_consent")
    return {"registrants": count, "load_s": round(time.perf_counter() - started, 1)}


def _full_export() -> tuple[float, object]:
    from sharing import services

    programme = _programme()
    # Tasks run inline here (no worker): the export runs when the request commits, so
    # the time covers asking and running, as a user waits for both.
    started = time.perf_counter()
    job = services.export_request(programme=programme, user=None)
    services.export_run(job_id=job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == "done", job.error
    return elapsed, job


def export() -> dict:
    from django.db import connection

    from sharing.exports.runner import exports_root
    from sharing.exports.sql import COLUMN_SQL, PLACES, time_zone

    first_s, _first = _full_export()
    elapsed, job = _full_export()
    exporter_rss = _rss_mib()
    columns = ", ".join(f"coalesce({COLUMN_SQL[c]}, '')" for c in job.columns).replace(
        "%(tz)s", f"'{time_zone()}'"
    )
    plain = f"SELECT {columns} FROM registry_person{PLACES}"  # noqa: S608 - our SQL
    target = exports_root() / "plain-copy.csv"
    started = time.perf_counter()
    raw = connection.connection
    with (
        target.open("wb") as handle,
        raw.cursor() as cursor,
        cursor.copy(f"COPY ({plain}) TO STDOUT (FORMAT csv)") as copy,
    ):
        for chunk in copy:
            handle.write(chunk)
    plain_s = time.perf_counter() - started
    target.unlink()
    return {
        "rows": job.row_count,
        "first_export_s": round(first_s, 2),
        "first_ratio": round(first_s / plain_s, 2),
        "export_s": round(elapsed, 2),
        "plain_copy_s": round(plain_s, 2),
        "ratio": round(elapsed / plain_s, 2),
        "exporter_rss_mib": round(exporter_rss, 1),
        "file_mib": round(job.size / 2**20, 1),
    }


def count() -> dict:
    from programmes.rules import Criteria
    from sharing.eligibility import eligibility_count

    programme = _programme()
    # A typical rule: 3 criteria and 2 provinces (Phnom Penh, Siem Reap).
    criteria = Criteria(
        actor_types=("self_employed", "microenterprise_worker"),
        sex="F",
        age_min=18,
        age_max=60,
        area_codes=("12", "17"),
    )
    timings = []
    result = None
    for _ in range(10):
        started = time.perf_counter()
        result = eligibility_count(criteria=criteria, programme=programme)
        timings.append((time.perf_counter() - started) * 1000)
    assert result is not None
    return {
        "count_selected": result.consenting,
        "count_median_ms": round(statistics.median(timings), 1),
        "count_max_ms": round(max(timings), 1),
    }


def delta() -> dict:
    from django.db import connection

    from sharing import services
    from sharing.models import ExportJob

    _full_export()
    programme = _programme()
    with connection.cursor() as cursor:
        cursor.execute(
            # As the registry's services do, every write sets updated_at.
            "UPDATE registry_person SET name_latin = name_latin || ' X', updated_at = now()"
            " WHERE id IN (SELECT id FROM registry_person ORDER BY id LIMIT 5000)"
        )
        cursor.execute(
            "UPDATE registry_consent SET withdrawn_at = now(), withdrawn_channel = 'self'"
            " WHERE person_id IN (SELECT id FROM registry_person ORDER BY id OFFSET 5000 LIMIT 3000)"
        )
        cursor.execute(
            "UPDATE registry_person SET status = 'withdrawn', updated_at = now()"
            " WHERE id IN (SELECT id FROM registry_person ORDER BY id OFFSET 8000 LIMIT 2000)"
        )
    started = time.perf_counter()
    job = services.export_request(programme=programme, user=None, kind=ExportJob.Kind.DELTA)
    services.export_run(job_id=job.pk)
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    # Put the registry back as it was for the next run.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET status = 'active', updated_at = now()"
            " WHERE status = 'withdrawn'"
        )
        cursor.execute(
            # Given again (now): an export sees a consent given since the one before.
            "UPDATE registry_consent SET withdrawn_at = NULL, withdrawn_channel = '',"
            " given_at = now() WHERE withdrawn_at IS NOT NULL"
        )
        cursor.execute(
            "UPDATE registry_person SET name_latin = left(name_latin, -2), updated_at = now()"
            " WHERE name_latin LIKE '%% X'"
        )
    return {"delta_rows": job.row_count, "delta_s": round(elapsed, 2)}


STEPS = {"load": load, "export": export, "count": count, "delta": delta}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=[*STEPS, "all"])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--json", action="store_true", help="print one JSON line (for `all`)")
    args = parser.parse_args(argv)
    if args.step == "all":
        report: dict = {}
        for step in ("load", "export", "count", "delta"):
            command = [sys.executable, __file__, step, "--rows", str(args.rows),
                       "--database-url", args.database_url, "--json"]  # fmt: skip
            result = subprocess.run(command, check=True, capture_output=True, text=True)
            report.update(json.loads(result.stdout.strip().splitlines()[-1]))
            print(f"{step}: done", file=sys.stderr)
        _print(report)
        return 0
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", args.database_url.rsplit("/", 1)[1]],
        capture_output=True,
    )
    _setup(args.database_url)
    result = STEPS[args.step](**({"rows": args.rows} if args.step == "load" else {}))
    print(json.dumps(result) if args.json else result)
    return 0


def _print(report: dict) -> None:
    print(f"registrants loaded              {report['registrants']:,}")
    print(
        f"first full CSV export           {report['first_export_s']} s (ratio {report['first_ratio']}x)"
    )
    print(f"full CSV export                 {report['rows']:,} rows in {report['export_s']} s")
    print(f"plain COPY of the same columns  {report['plain_copy_s']} s (ratio {report['ratio']}x)")
    print(f"exporter peak RSS               {report['exporter_rss_mib']} MiB")
    print(
        f"live count, typical rule        median {report['count_median_ms']} ms, worst {report['count_max_ms']} ms ({report['count_selected']:,} selected)"
    )
    print(f"delta of 10,000 changes         {report['delta_rows']:,} rows in {report['delta_s']} s")


if __name__ == "__main__":
    sys.exit(main())
