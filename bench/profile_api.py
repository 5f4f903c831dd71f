"""Where an API create's CPU goes, in process: Django's test client, no server.

    .venv/bin/python bench/profile_api.py --requests 300 [--profile] [--floor]

uses bench_api's database, partner, token and request bodies (`--database-url`,
`--redis-url` as there; Celery tasks are published to that Redis, as in a burst), sends
`POST /api/v1/registrants/` (or the floor request, `--floor`) through the whole Django
stack (middleware, DRF, the registration service, the response) and prints the CPU time
(`time.process_time`: this process's Python and the client library, not PostgreSQL's)
per request, the SQL statements of one request, and with `--profile` the functions that
cost most (cProfile with a CPU-time timer). Complements bench_api.py, which measures a
real server and PostgreSQL under concurrent load.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_api  # noqa: E402


def _process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process on this machine has used so far."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--floor", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile the measured requests")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime", help="pstats sort key")
    parser.add_argument("--dump", help="also write the raw profile to this file (pstats)")
    parser.add_argument("--database-url", default=bench_api.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=bench_api.DEFAULT_REDIS_URL)
    parser.add_argument("--conn-max-age", type=int, default=600)
    args = parser.parse_args(argv)

    bench_api._environment(args)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    token = bench_api._prepare(args.database_url)
    bench_api._redis_clean(args.redis_url)
    from django.db import connection
    from django.test import Client

    bodies = bench_api.payloads(
        args.requests + args.warmup + 1,
        seed=1,
        prefix=f"PROF-{int(time.time())}-",
        skip=bench_api.ambiguous_villages(),
    )
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def send(body: bytes) -> int:
        if args.floor:
            return client.get(bench_api.FLOOR_PATH).status_code
        return client.post(bench_api.PATH, data=body, content_type="application/json").status_code

    expected = 200 if args.floor else 201
    for body in bodies[: args.warmup]:
        assert send(body) == expected
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    # Every statement of one request (request_started clears connection.queries).
    with connection.execute_wrapper(record):
        assert send(bodies[args.warmup]) == expected
    measured = bodies[args.warmup + 1 :]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [(backend,)] = cursor.fetchall()
    backend_before = _process_cpu(backend)
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    statuses = [send(body) for body in measured]
    if profiler:
        profiler.disable()
    cpu = time.process_time() - started
    backend_cpu = _process_cpu(backend) - backend_before
    assert set(statuses) == {expected}, set(statuses)
    bench_api._redis_clean(args.redis_url)

    print(f"{'floor' if args.floor else 'create'}: {len(measured)} requests")
    print(f"cpu/request {cpu * 1000 / len(measured):.2f} ms (in this process)")
    print(f"postgres    {backend_cpu * 1000 / len(measured):.2f} ms (its backend, same connection)")
    print(f"sql statements of one request: {len(statements)}")
    for sql in statements:
        print(f"  {' '.join(sql.split())[:200]}")
    if profiler:
        if args.dump:
            profiler.dump_stats(args.dump)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
