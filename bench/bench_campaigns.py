"""How long the outreach figures take with many registrants: the roll-out view at each
level (outreach.coverage) and one campaign's page (outreach.selectors.campaign_figures).

    DATABASE_URL=postgres://... .venv/bin/python bench/bench_campaigns.py --people 1000000

Fills the database DATABASE_URL names (created and migrated if needed) with `--people`
active registrants spread over every village, a campaign per province with one event,
and `--credited` of the registrants credited to the first campaign, by set-based SQL (a
benchmark's data, not a registration path), then times each view's selector.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    import django

    django.setup()
    from bench.support import database_ready

    database_ready(os.environ["DATABASE_URL"])


def fill(people: int, credited: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from accounts.models import User
    from campaigns.models import Attribution, Campaign, Event
    from geography.models import Province, Village
    from registry.models import Person

    have = Person.objects.count()
    with connection.cursor() as cursor:
        if have < people:
            cursor.execute(
                """
                INSERT INTO registry_person (registration_number, name_km, name_latin, sex,
                    date_of_birth, national_id, phone, actor_type, sector, occupation,
                    status, channel, reference, created_at, updated_at, village_id)
                SELECT 'B' || lpad(g::text, 11, '0'), 'ឈ្មោះ', 'Name', 'F', '1990-01-01', '',
                    '', 'self_employed', 'services', '', 'active', 'self', '',
                    now() - (g %% 365) * interval '1 day', now(),
                    v.ids[1 + (g::bigint * 7919) %% array_length(v.ids, 1)]
                FROM generate_series(%s, %s) g,
                    (SELECT array_agg(id ORDER BY id) AS ids FROM registry_village) v
                """,
                [have + 1, people],
            )
        cursor.execute("ANALYZE registry_person")
    if not Campaign.objects.filter(code__startswith="BENCH").exists():
        user, _ = User.objects.get_or_create(username="bench-organiser")
        today = timezone.localdate()
        for province in Province.objects.all():
            campaign = Campaign.objects.create(
                code=f"BENCH{province.code}",
                name_km="យុទ្ធនាការ",
                name_en="Bench",
                organiser=user,
                province=province,
                target=10000,
                starts_on=today - datetime.timedelta(days=200),
                ends_on=today,
            )
            village = Village.objects.filter(commune__district__province=province).first()
            Event.objects.create(
                campaign=campaign,
                name="Day",
                village=village,
                held_on=today - datetime.timedelta(days=100),
            )
    first = Campaign.objects.filter(code__startswith="BENCH").order_by("code").first()
    have_credited = Attribution.objects.filter(campaign=first).count()
    if have_credited < credited:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO campaigns_attribution (person_id, campaign_id, event_id, created_at)
                SELECT p.id, %s, NULL, p.created_at FROM registry_person p
                WHERE NOT EXISTS (SELECT 1 FROM campaigns_attribution a WHERE a.person_id = p.id)
                ORDER BY p.id LIMIT %s
                """,
                [first.pk, credited - have_credited],
            )
            cursor.execute("ANALYZE campaigns_attribution")


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--credited", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    setup()
    from bench.support import machine_busy

    start = time.perf_counter()
    fill(args.people, args.credited)
    print(f"data ready in {time.perf_counter() - start:.1f} s")

    from campaigns.models import Campaign
    from geography.models import District, Province
    from outreach.coverage import coverage
    from outreach.selectors import campaign_figures
    from registry.models import Person

    province = Province.objects.get(code="12")
    district = District.objects.filter(province=province).first()
    campaign = Campaign.objects.filter(code__startswith="BENCH").order_by("code").first()
    print(f"{Person.objects.count():,} registrants; {campaign.attributions.count():,} credited")
    print(f"machine busy before: {machine_busy():.2f} cores (of {os.cpu_count()})")
    for label, function in [
        ("coverage, provinces", lambda: coverage(level="province")),
        ("coverage, districts of Phnom Penh", lambda: coverage(level="district", parent=province)),
        ("coverage, communes of a district", lambda: coverage(level="commune", parent=district)),
        ("campaign figures", lambda: campaign_figures(campaign=campaign)),
    ]:
        times = timed(function, args.repeat)
        print(
            f"{label}: best {min(times):.3f} s, median {statistics.median(times):.3f} s "
            f"({args.repeat} runs)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
