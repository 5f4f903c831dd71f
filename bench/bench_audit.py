"""The read audit at scale: who read one person's record, with 10,000,000 rows stored.

    DATABASE_URL=postgres://…/bench_audit .venv/bin/python bench/bench_audit.py --rows 10000000

Fills `audit_personread` (its own database, migrated) with `--rows` reads of `--people`
people by 200 users over a year, in time order as the portal writes them, then times
`audit.selectors.person_reads_of` (the newest 50 reads of one person: what issue 17's
"who read my record" page shows) for `--samples` random people, and a list page's
INSERT of 50 rows. Prints p50/p95/max. The target: p95 ≤ 50 ms at 10,000,000 rows.
`--keep` keeps the rows for another run (the table is emptied by TRUNCATE otherwise:
the append-only trigger refuses DELETE, not TRUNCATE).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--people", type=int, default=2_000_000)
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    from bench.support import audit_reads_fill, database_create

    database_create(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "audit", verbosity=0)
    from audit.models import ReadKind
    from audit.selectors import person_reads_of
    from audit.services import person_reads_record

    size = audit_reads_fill(args.rows, args.people)

    rng = random.Random(1)
    timings = []
    for _ in range(args.samples):
        person = rng.randint(1, args.people)
        started = time.perf_counter()
        list(person_reads_of(person_ids=[person])[:50])
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"person_reads_of, {args.rows:,} rows ({size / 2**30:.2f} GiB with indexes): "
        f"p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, max {timings[-1]:.2f} ms "
        f"over {args.samples} people"
    )

    from accounts.models import User

    user, _created = User.objects.get_or_create(username="bench-audit")
    inserts = []
    for _ in range(200):
        ids = [rng.randint(1, args.people) for _ in range(50)]
        started = time.perf_counter()
        person_reads_record(user=user, person_ids=ids, kind=ReadKind.API_LIST)
        inserts.append((time.perf_counter() - started) * 1000)
    inserts.sort()
    print(
        f"a list page's reads (50 rows, one INSERT): p50 {statistics.median(inserts):.2f} ms, "
        f"p95 {inserts[int(len(inserts) * 0.95) - 1]:.2f} ms"
    )
    if not args.keep:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_personread")


if __name__ == "__main__":
    main()
