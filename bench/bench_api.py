"""API registration speed: registrant creates from concurrent clients against gunicorn.

    .venv/bin/python bench/bench_api.py --requests 10000 --clients 32

creates the database `onboarding_bench_api` if missing (migrate + load_geography), a
partner, a branch, a branch-staff user and their API token; starts gunicorn on an unused
loopback port against that database (Redis for the cache, throttle counters and the
Celery queue the confirmation SMS go to: no worker runs, tasks stay queued as in a burst);
then fires `POST /api/v1/registrants/` from `--clients` keep-alive connections
(http.client in threads, spread over `--processes` processes so the client's own GIL is
not the limit) with valid, unique registrants from bench/generate.py, until `--requests`
were sent or `--seconds` passed. Prints requests/s, p50/p95/p99 latency, errors, the CPU
the load generator itself used, and checks that the database holds exactly one person
per 201. The bench partner's people are deleted before each run.

The load generator runs on the same machine as gunicorn and PostgreSQL and competes
for the same cores: the figures are a floor for a server whose clients are elsewhere.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/onboarding_bench_api"
# A Redis database of its own: the queued SMS tasks and throttle counters of the bench
# are deleted afterwards without touching anyone else's keys.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
BENCH_PARTNER = "bench-api"
PATH = "/api/v1/registrants/"
# --floor: the cheapest authenticated API request (token, throttle, one small query),
# to measure what the stack itself allows on the machine, whatever a create costs.
FLOOR_PATH = "/api/v1/geography/provinces/"


# --- Preparing the database (in this process) -----------------------------------------
def _environment(args) -> dict[str, str]:
    env = {
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "SECRET_KEY": "bench-only-not-secret",
        "DEBUG": "false",
        "HTTPS": "false",
        "STATIC_MANIFEST": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CONN_MAX_AGE": str(args.conn_max_age),
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(ROOT / "bench" / "out" / "media"),
        # The bench measures the server, not the rate limit: limits stay on (every
        # request still counts in Redis) but high enough never to refuse.
        "API_THROTTLE_USER": "1000000/min",
        "API_THROTTLE_REGISTRANT_CREATE": "1000000/min",
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    return env


def _prepare(database_url: str) -> str:
    """Create and migrate the database, load the gazetteer once, reset the bench partner;
    returns the token."""
    import django

    django.setup()
    from bench.support import database_ready

    database_ready(database_url)
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from accounts.models import Role, RoleAssignment, User
    from api.models import IdempotencyRecord
    from geography.models import Province
    from partners.models import Branch, Partner

    partner, _ = Partner.objects.get_or_create(code=BENCH_PARTNER, defaults={"name": "Bench"})
    branch, _ = Branch.objects.get_or_create(
        code=BENCH_PARTNER,
        defaults={
            "partner": partner,
            "name": "Bench",
            "province": Province.objects.get(code="12"),
        },
    )
    user, _ = User.objects.get_or_create(username="bench-api-staff")
    RoleAssignment.objects.get_or_create(user=user, role=Role.BRANCH_STAFF, branch=branch)
    people = "SELECT id FROM registry_person WHERE partner_id = %s"
    with connection.cursor() as cursor:
        for table in ("registry_personchange", "registry_consent", "registry_employment"):
            cursor.execute(f"DELETE FROM {table} WHERE person_id IN ({people})", [partner.pk])  # noqa: S608
        cursor.execute(
            f"DELETE FROM registry_enterprise WHERE owner_id IN ({people})"  # noqa: S608
            " OR id NOT IN (SELECT enterprise_id FROM registry_employment)",
            [partner.pk],
        )
        cursor.execute("DELETE FROM registry_person WHERE partner_id = %s", [partner.pk])
        cursor.execute("DELETE FROM registry_smsmessage")
    IdempotencyRecord.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user).key
    with connection.cursor() as cursor:
        for table in ("registry_person", "registry_personchange", "registry_smsmessage"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    connection.close()
    return token


def _people_registered() -> int:
    from django.db import connection

    from registry.models import Person

    count = Person.objects.filter(partner__code=BENCH_PARTNER).count()
    connection.close()
    return count


def _redis_clean(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = [*client.scan_iter("onboarding:*"), *client.scan_iter("_kombu.*")]
    # Every queue (onboarding.settings CELERY_TASK_QUEUES): the confirmations go to "sms".
    queues = (b"celery", b"sms", b"bulk", b"unacked", b"unacked_index")
    keys += [k for k in queues if client.exists(k)]
    if keys:
        client.delete(*keys)


# --- The request bodies ---------------------------------------------------------------
def ambiguous_villages() -> set[tuple[str, str]]:
    """(commune code, village code) pairs the official list gives to several villages of
    one commune: the generator uses a few, and the API rightly refuses them without a
    `village_name`, which the generator does not write. The bench skips those rows."""
    from django.db import connection
    from django.db.models import Count

    from geography.models import Village

    pairs = {
        (row["commune__code"], row["code"])
        for row in Village.objects.values("commune__code", "code")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    }
    connection.close()
    return pairs


def payloads(
    count: int, seed: int, prefix: str, skip: set[tuple[str, str]] = frozenset()
) -> list[bytes]:
    """Valid registrants from the generator, in the API's shape, with unique references."""
    from bench.generate import generate

    bodies: list[bytes] = []
    rows = (
        row
        for row in generate(count + count // 100 + 100, seed)
        if (row["commune_code"], row["village_code"]) not in skip
    )
    for number, row in enumerate(rows, start=1):
        if len(bodies) == count:
            break
        body = {key: row[key] for key in ("name_km", "name_latin", "sex", "date_of_birth")}
        body.update(
            national_id=row["national_id"],
            phone=row["phone"],
            village_code=row["village_code"],
            commune_code=row["commune_code"],
            actor_type=row["actor_type"],
            sector=row["sector"],
            reference=f"{prefix}{number:07d}",
        )
        if row["actor_type"] == "microenterprise_owner":
            body.update(enterprise_name=f"Shop {number}", workers="2")
        elif row["actor_type"] in ("microenterprise_worker", "seasonal_worker"):
            body["employer_name"] = f"Employer {number % 500}"
            if row["actor_type"] == "seasonal_worker":
                body["seasonal_months"] = [11, 12, 1]
        if number % 3 == 0:
            body["consents"] = ["data_sharing"]
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


# --- The load generator (separate processes, threads with keep-alive connections) -----
def _client_process(
    port: int,
    token: str,
    shares: list[list[bytes]],
    warmup: int,
    deadline_seconds: float,
    with_keys: bool,
    floor: bool,
    barrier,
    results,
):
    import hashlib

    base_headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    threads = len(shares)
    outcome = {"latencies": [], "statuses": {}, "errors": 0, "start": None, "end": 0.0}
    lock = threading.Lock()
    measuring = threading.Event()
    ready = threading.Barrier(threads + 1)

    def send(connection, body):
        headers = base_headers
        if with_keys:
            key = hashlib.sha256(body).hexdigest()[:32]
            headers = {**base_headers, "Idempotency-Key": key}
        if floor:
            connection.request("GET", FLOOR_PATH, headers=base_headers)
        else:
            connection.request("POST", PATH, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status

    def worker(share: list[bytes]):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for body in share[:warmup]:
            send(connection, body)
        ready.wait()
        measuring.wait()
        deadline = time.monotonic() + deadline_seconds
        latencies, statuses, errors = [], {}, 0
        first = time.monotonic()
        for body in share[warmup:]:
            if time.monotonic() > deadline:
                break
            started = time.monotonic()
            try:
                status = send(connection, body)
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            latencies.append(time.monotonic() - started)
            statuses[status] = statuses.get(status, 0) + 1
        last = time.monotonic()
        connection.close()
        with lock:
            outcome["latencies"].extend(latencies)
            for status, n in statuses.items():
                outcome["statuses"][status] = outcome["statuses"].get(status, 0) + n
            outcome["errors"] += errors
            outcome["start"] = first if outcome["start"] is None else min(outcome["start"], first)
            outcome["end"] = max(outcome["end"], last)

    workers = [threading.Thread(target=worker, args=(share,)) for share in shares]
    for thread in workers:
        thread.start()
    ready.wait()  # this process's warm-up done
    barrier.wait()  # every process's warm-up done
    cpu_before = time.process_time()
    measuring.set()
    for thread in workers:
        thread.join()
    outcome["cpu"] = time.process_time() - cpu_before
    # Monotonic clocks are per machine on Linux, so processes' times compare.
    results.put(outcome)


# --- gunicorn -------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn_start(args, env: dict[str, str], port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "onboarding.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={args.workers}",
        f"--worker-class={args.worker_class}",
        f"--threads={args.threads}",
        "--keep-alive=30",
        "--backlog=2048",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s")


def _cpu_by_program(gunicorn_pid: int, database: str) -> dict[str, float]:
    """CPU seconds used so far by our gunicorn (master + workers), the PostgreSQL backends
    of `database` and Redis (its background writers are not counted)."""
    ticks = os.sysconf("SC_CLK_TCK")
    totals = {"gunicorn": 0.0, "postgres": 0.0, "redis": 0.0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        parent = int(fields[1])
        if int(entry) == gunicorn_pid or parent == gunicorn_pid:
            totals["gunicorn"] += cpu
        elif name.startswith("postgres"):
            # The backends serving the bench database, not other people's work.
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    title = cmdline.read()
            except OSError:
                continue
            if f" {database} ".encode() in title:
                totals["postgres"] += cpu
        elif name.startswith("redis"):
            totals["redis"] += cpu
    return totals


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000, help="measured requests")
    parser.add_argument("--seconds", type=float, default=60.0, help="measurement time limit")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections")
    parser.add_argument("--processes", type=int, default=4, help="load-generator processes")
    parser.add_argument("--warmup", type=int, default=10, help="requests per client first")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--conn-max-age", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--idempotency-keys", action="store_true", help="send an Idempotency-Key with each"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="wait up to this many seconds for other work on the machine to stop",
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help=f"GET {FLOOR_PATH} instead of creating: what the stack allows at best",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    args = parser.parse_args(argv)
    if args.clients % args.processes:
        parser.error("--clients must be a multiple of --processes")

    env = _environment(args)
    token = _prepare(args.database_url)
    from bench.support import machine_cpu, wait_quiet

    _redis_clean(args.redis_url)
    warmup_total = args.warmup * args.clients
    bodies = payloads(
        args.requests + warmup_total,
        args.seed,
        prefix=f"API-{int(time.time())}-",
        skip=ambiguous_villages(),
    )
    # Warm-up bodies first in every client's share, then the measured ones.
    per_client = [[] for _ in range(args.clients)]
    for index, body in enumerate(bodies[:warmup_total]):
        per_client[index % args.clients].append(body)
    for index, body in enumerate(bodies[warmup_total:]):
        per_client[index % args.clients].append(body)

    before = wait_quiet(args.quiet_wait)
    port = _free_port()
    server = _gunicorn_start(args, env, port)
    try:
        context = multiprocessing.get_context("spawn")
        barrier = context.Barrier(args.processes + 1)
        results = context.Queue()
        threads = args.clients // args.processes
        processes = []
        for p in range(args.processes):
            shares = per_client[p * threads : (p + 1) * threads]
            process = context.Process(
                target=_client_process,
                args=(
                    port,
                    token,
                    shares,
                    args.warmup,
                    args.seconds,
                    args.idempotency_keys,
                    args.floor,
                    barrier,
                    results,
                ),
            )
            process.start()
            processes.append(process)
        barrier.wait()
        cpu_busy_0, cpu_total_0 = machine_cpu()
        database = urlsplit(args.database_url).path.lstrip("/")
        programs_0 = _cpu_by_program(server.pid, database)
        outcomes = [results.get() for _ in processes]
        cpu_busy_1, cpu_total_1 = machine_cpu()
        programs_1 = _cpu_by_program(server.pid, database)
        for process in processes:
            process.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    latencies = sorted(v for o in outcomes for v in o["latencies"])
    statuses: dict[int, int] = {}
    for o in outcomes:
        for status, n in o["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    errors = sum(o["errors"] for o in outcomes) + sum(
        n for status, n in statuses.items() if status != (200 if args.floor else 201)
    )
    elapsed = max(o["end"] for o in outcomes) - min(o["start"] for o in outcomes)
    client_cpu = sum(o["cpu"] for o in outcomes)
    machine_busy = (cpu_busy_1 - cpu_busy_0) / (cpu_total_1 - cpu_total_0) * os.cpu_count()
    registered = _people_registered()
    _redis_clean(args.redis_url)

    count = len(latencies)
    print(
        f"gunicorn {args.workers} x {args.worker_class} ({args.threads} threads), "
        f"{args.clients} clients in {args.processes} processes, {os.cpu_count()} cores"
        + (", Idempotency-Key on every request" if args.idempotency_keys else "")
        + (f", floor: GET {FLOOR_PATH}" if args.floor else "")
    )
    print(f"before     {before:.2f} cores busy with other work on the machine")
    print(f"requests   {count} measured in {elapsed:.1f} s (after {warmup_total} warm-up)")
    print(f"throughput {count / elapsed:.0f} requests/s")
    print(
        "latency    p50 {:.1f} ms, p95 {:.1f} ms, p99 {:.1f} ms, max {:.1f} ms".format(
            *(1000 * _percentile(latencies, f) for f in (0.50, 0.95, 0.99, 1.0))
        )
    )
    print(f"statuses   {dict(sorted(statuses.items()))}, errors {errors}")
    print(
        f"cpu        machine {machine_busy:.2f} of {os.cpu_count()} cores busy; "
        f"load generator {client_cpu / elapsed:.2f} cores"
    )
    per_request = {
        name: (programs_1[name] - programs_0[name]) * 1000 / max(count, 1) for name in programs_1
    }
    ours = sum(programs_1[name] - programs_0[name] for name in programs_1) + client_cpu
    print(
        f"others     {max(machine_busy - ours / elapsed, 0):.2f} cores busy with other work "
        "during the run (machine minus gunicorn, bench database, Redis, load generator)"
    )
    print(
        "cpu/request "
        + ", ".join(f"{name} {ms:.1f} ms" for name, ms in per_request.items())
        + f", load generator {client_cpu * 1000 / max(count, 1):.1f} ms"
    )
    expected = 0 if args.floor else statuses.get(201, 0) + warmup_total
    print(f"database   {registered} people registered, expected {expected}")
    return 0 if errors == 0 and registered == expected else 1


if __name__ == "__main__":
    sys.exit(main())
