"""What the benchmark scripts share: their own database, and how busy the machine is."""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlsplit


def database_create(url: str) -> None:
    """Create the database `url` names, if it does not exist."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def database_ready(url: str) -> None:
    """Create (if missing) and migrate the benchmark's database and give it the gazetteer.
    Django must be set up, with `url` as its database."""
    database_create(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from geography.models import Village

    if not Village.objects.exists():
        call_command("load_geography", verbosity=0)


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine so far, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def machine_busy(seconds: float = 2.0) -> float:
    """Cores busy over the next `seconds` (before a run: other people's work)."""
    busy_0, total_0 = machine_cpu()
    time.sleep(seconds)
    busy_1, total_1 = machine_cpu()
    return (busy_1 - busy_0) / max(total_1 - total_0, 1) * (os.cpu_count() or 1)


def wait_quiet(limit: float) -> float:
    """Wait (up to `limit` s) for the machine to be nearly idle; returns the busy cores."""
    deadline = time.monotonic() + limit
    busy = machine_busy()
    while busy > 0.15 and time.monotonic() < deadline:
        busy = machine_busy()
    return busy


def village_ids() -> dict[tuple[str, str], int]:
    """(commune code, village code) → village id, for COPYing generated registrants
    (the generator's rows name both codes; a few village codes repeat across communes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.code, v.code, min(v.id) FROM registry_village v"
            " JOIN registry_commune c ON c.id = v.commune_id GROUP BY c.code, v.code"
        )
        return {(commune, village): pk for commune, village, pk in cursor.fetchall()}


def audit_reads_fill(rows: int, people: int) -> int:
    """Fill `audit_personread` up to `rows` synthetic staff reads spread over people 1 to
    `people` (bench_audit, bench_tracker); returns the table's size in bytes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_personread")
        have = cursor.fetchone()[0]
        if have < rows:
            started = time.perf_counter()
            step = 1_000_000
            for low in range(have, rows, step):
                high = min(low + step, rows)
                cursor.execute(
                    "INSERT INTO audit_personread "
                    "(at, person_id, user_id, username, roles, scope, kind, view) "
                    "SELECT timestamptz '2026-01-01' + n * interval '3 seconds', "
                    "1 + (hashint4(n::int)::bigint & 2147483647) %% %s, 1 + n %% 200, "
                    "'user' || (1 + n %% 200), ARRAY['branch_staff'], 'branch:1', "
                    "'api_list', 'v1:registrant-list' FROM generate_series(%s, %s - 1) n",
                    [people, low, high],
                )
                print(f"  {high:,} rows", flush=True)
            cursor.execute("ANALYZE audit_personread")
            print(f"filled {rows - have:,} rows in {time.perf_counter() - started:.0f} s")
        cursor.execute("SELECT pg_total_relation_size('audit_personread')")
        return int(cursor.fetchone()[0])
