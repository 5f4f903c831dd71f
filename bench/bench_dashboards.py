"""Dashboards and staff search at 1,000,000 registrants (issue 13).

    .venv/bin/python bench/bench_dashboards.py all --rows 1000000
    .venv/bin/python bench/bench_dashboards.py load|rebuild|requests|freshness|search

Against its own PostgreSQL database (`--database-url`, default
`postgres://postgres@127.0.0.1:5432/onboarding_dashboards_bench`), created, migrated and
given the gazetteer if missing. `load` takes the generator's registrants (normalised
as intake does, through bench_dedup's `prepare`) and COPYs them into registry_person
spread over two years, over every channel, partners and branches, staff, campaigns,
consents and statuses; `rebuild` counts the rollups from scratch; `requests` times
/dashboard/ (and its CSV, and the partner dashboard) through Django's test client, for
a set of filter combinations; `freshness` registers people through the registry's
service and times the refresh that makes them visible; `search` times staff search.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/onboarding_dashboards_bench"
CHANNELS = [("self", 30), ("app", 15), ("branch", 25), ("bulk", 20), ("campaign", 10)]
DAYS = 730


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    # Pages rendered in-process: plain static names, no HTTPS redirect.
    os.environ.setdefault("STATIC_MANIFEST", "false")
    os.environ.setdefault("HTTPS", "false")
    import django

    django.setup()


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _summary(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(_pct(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }


# --------------------------------------------------------------------------- load


def _fixtures(rng: random.Random) -> dict:
    """Partners, branches, staff, programmes and campaigns the registrants refer to."""
    from accounts.models import Role, RoleAssignment, User
    from campaigns.models import Campaign
    from geography.models import Province
    from partners.models import Branch, Partner
    from programmes.models import Programme

    provinces = list(Province.objects.all())
    organiser, _ = User.objects.get_or_create(username="bench-organiser")
    branches, staff = [], []
    for p in range(5):
        partner, _ = Partner.objects.get_or_create(
            code=f"bench-bank-{p}", defaults={"name": f"Bench Bank {p}"}
        )
        for b in range(20):
            branch, _ = Branch.objects.get_or_create(
                code=f"bench-{p}-{b}",
                defaults={
                    "partner": partner,
                    "name": f"Branch {b}",
                    "province": provinces[(p * 20 + b) % len(provinces)],
                },
            )
            branches.append(branch)
            for s in range(2):
                user, created = User.objects.get_or_create(username=f"bench-staff-{p}-{b}-{s}")
                if created:
                    RoleAssignment.objects.create(user=user, role=Role.BRANCH_STAFF, branch=branch)
                staff.append((branch, user))
    programmes = []
    for code in ("bench-nssf", "bench-skills", "bench-credit"):
        programme, _ = Programme.objects.get_or_create(
            code=code, defaults={"kind": Programme.Kind.SKILLS, "name_km": code, "name_en": code}
        )
        programmes.append(programme)
    campaigns = []
    today = datetime.date.today()
    for c in range(20):
        campaign, _ = Campaign.objects.get_or_create(
            code=f"BENCH-{c}",
            defaults={
                "name_km": f"យុទ្ធនាការ {c}",
                "name_en": f"Campaign {c}",
                "organiser": organiser,
                "province": provinces[c % len(provinces)],
                "starts_on": today - datetime.timedelta(days=DAYS),
                "ends_on": today,
                "target": 10000,
            },
        )
        campaigns.append(campaign)
    return {"staff": staff, "programmes": programmes, "campaigns": campaigns}


SEARCH_INDEXES = {
    "person_name_latin_trgm": "CREATE INDEX person_name_latin_trgm ON registry_person USING gin (upper(name_latin) gin_trgm_ops)",
    "person_name_km_trgm": "CREATE INDEX person_name_km_trgm ON registry_person USING gin (upper(name_km) gin_trgm_ops)",
}


def load(*, name: str, seed: int) -> int:
    """Empty the registry and COPY the normalised records in, with the rest of a
    registration's rows (consents, campaign credits) made in SQL."""
    from django.db import connection

    from bench.support import village_ids
    from registry.regnumber import damm_check_digit

    rng = random.Random(seed)
    records = OUT / f"{name}.records.csv"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE registry_person, registry_personkeys, registry_duplicatecase,"
            " registry_merge, registry_personalias, registry_deduprun, registry_consent,"
            " campaigns_attribution, dashboards_dirty_person CASCADE"
        )
    fixtures = _fixtures(rng)
    with connection.cursor() as cursor:
        villages = village_ids()
        # Built once after the load: faster than a million GIN insertions.
        for index in SEARCH_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
    now = datetime.datetime.now(datetime.UTC)
    channels = [c for c, _w in CHANNELS]
    weights = [w for _c, w in CHANNELS]
    columns = (
        "registration_number, name_km, name_latin, sex, date_of_birth, national_id, phone,"
        " actor_type, sector, occupation, status, channel, reference, created_at, updated_at,"
        " village_id, partner_id, branch_id, entered_by_id"
    )
    count = 0
    # Registered in time order, as a registry fills up: the table's physical order follows
    # created_at (oldest first), which is what walking the date's index meets in use.
    with records.open(encoding="utf-8") as handle:
        rows = sum(1 for _line in handle) - 1
    ages = sorted((rng.random() * DAYS * 86400 for _ in range(rows)), reverse=True)
    raw = connection.connection
    with (
        records.open(encoding="utf-8", newline="") as handle,
        raw.cursor() as cursor,
        cursor.copy(f"COPY registry_person ({columns}) FROM STDIN") as copy,
    ):
        for row in csv.DictReader(handle):
            count += 1
            number = f"{100_000_000 + count}"
            channel = rng.choices(channels, weights)[0]
            branch = user = None
            if channel in ("branch", "bulk"):
                branch, user = rng.choice(fixtures["staff"])
            created = now - datetime.timedelta(seconds=ages[count - 1])
            status = rng.choices(["active", "withdrawn", "merged"], [95, 2, 3])[0]
            copy.write_row(
                (
                    number + damm_check_digit(number),
                    row["name_km"],
                    row["name_latin"],
                    row["sex"],
                    row["date_of_birth"],
                    row["national_id"],
                    row["phone"],
                    row["actor_type"],
                    row["sector"],
                    "",
                    status,
                    channel,
                    row["reference"],
                    created,
                    created,
                    villages[(row["commune_code"], row["village_code"])],
                    branch.partner_id if branch else None,
                    branch.pk if branch else None,
                    user.pk if user else None,
                )
            )
    raw.commit()
    loaded = time.perf_counter()
    programmes = [p.pk for p in fixtures["programmes"]]
    campaigns = [c.pk for c in fixtures["campaigns"]]
    with connection.cursor() as cursor:
        for sql in SEARCH_INDEXES.values():
            cursor.execute(sql)
        cursor.execute(
            "INSERT INTO registry_consent (person_id, programme_id, given_at, channel, evidence,"
            " withdrawn_channel) SELECT id, NULL, created_at, channel, '', '' FROM registry_person"
            " WHERE random() < 0.6"
        )
        for programme in programmes:
            cursor.execute(
                "INSERT INTO registry_consent (person_id, programme_id, given_at, channel, evidence,"
                " withdrawn_channel) SELECT id, %s, created_at, channel, '', '' FROM registry_person"
                " WHERE random() < 0.3",
                [programme],
            )
        cursor.execute(
            "INSERT INTO campaigns_attribution (person_id, campaign_id, created_at)"
            " SELECT id, (%s::bigint[])[1 + (id %% %s)], created_at FROM registry_person"
            " WHERE channel = 'campaign' OR random() < 0.03",
            [campaigns, len(campaigns)],
        )
        cursor.execute("TRUNCATE dashboards_dirty_person")
        cursor.execute("ANALYZE registry_person")
        cursor.execute("ANALYZE registry_consent")
        cursor.execute("ANALYZE campaigns_attribution")
    print(
        f"loaded {count:,} registrants in {loaded - started:.1f} s;"
        f" indexes, consents and campaign credits in {time.perf_counter() - loaded:.1f} s"
    )
    return count


def rebuild() -> dict:
    from django.db import connection

    from dashboards.services import rollups_rebuild

    started = time.perf_counter()
    people = rollups_rebuild()
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dashboards_rollup_cell")
        cursor.execute("VACUUM ANALYZE dashboards_person_fact")
        cursor.execute("SELECT cuboid, count(*) FROM dashboards_rollup_cell GROUP BY 1 ORDER BY 1")
        cells = dict(cursor.fetchall())
    result = {
        "people": people,
        "seconds": round(seconds, 1),
        "cells": cells,
        "cells_total": sum(cells.values()),
    }
    print(json.dumps(result))
    return result


# --------------------------------------------------------------------------- requests


def _combinations() -> list[dict]:
    from geography.models import Commune, District, Village

    today = datetime.date.today()
    district = District.objects.filter(province__code="12").order_by("code").first()
    commune = Commune.objects.filter(district__province__code="03").order_by("code").first()
    village = (
        Village.objects.filter(commune__district__province__code="17").order_by("code").first()
    )
    year_ago = (today.replace(day=1) - datetime.timedelta(days=335)).replace(day=1)
    return [
        {},
        {"trend": "week"},
        {"start": (today - datetime.timedelta(days=29)).isoformat(), "trend": "day"},
        {
            "start": (today - datetime.timedelta(days=6)).isoformat(),
            "province": "17",
            "trend": "day",
        },
        {"start": year_ago.isoformat()},
        {"province": "12"},
        {"province": "12", "sex": "F"},
        {"district": district.code, "channel": "branch"},
        {"commune": commune.code, "actor_type": "seasonal_worker"},
        {"village": str(village.pk)},
        {"sector": "agriculture", "sex": "F", "channel": "self"},
        {
            "province": "03",
            "actor_type": "microenterprise_owner",
            "sector": "services",
            "start": year_ago.isoformat(),
        },
        {
            "start": (today - datetime.timedelta(days=500)).isoformat(),
            "end": (today - datetime.timedelta(days=300)).isoformat(),
            "sex": "M",
        },
        {
            "start": (today - datetime.timedelta(days=180)).isoformat(),
            "trend": "week",
            "channel": "campaign",
        },
    ]


def requests(*, repeat: int) -> dict:
    from django.test import Client

    from accounts.models import Role, RoleAssignment, User
    from partners.models import Partner
    from programmes.models import Programme

    officer, _ = User.objects.get_or_create(username="bench-ministry")
    RoleAssignment.objects.get_or_create(user=officer, role=Role.MINISTRY_OFFICER)
    programme_officer, _ = User.objects.get_or_create(username="bench-programme")
    RoleAssignment.objects.get_or_create(
        user=programme_officer, role=Role.PROGRAMME_OFFICER, programme=Programme.objects.first()
    )
    supervisor, _ = User.objects.get_or_create(username="bench-supervisor")
    RoleAssignment.objects.get_or_create(
        user=supervisor,
        role=Role.PARTNER_SUPERVISOR,
        partner=Partner.objects.get(code="bench-bank-0"),
    )
    results: dict[str, dict] = {}
    every: list[float] = []
    for who, user in (("ministry", officer), ("programme officer (<5 hidden)", programme_officer)):
        client = Client()
        client.force_login(user)
        for combo in _combinations():
            timings = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get("/dashboard/", combo)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            every.extend(timings)
            results[f"{who} {json.dumps(combo)}"] = _summary(timings)
        csv_timings = []
        for combo in _combinations()[:6]:
            started = time.perf_counter()
            assert client.get("/dashboard/csv/area/", combo).status_code in (200, 404)
            csv_timings.append((time.perf_counter() - started) * 1000)
        every.extend(csv_timings)
        results[f"{who} CSV"] = _summary(csv_timings)
    client = Client()
    client.force_login(supervisor)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert client.get("/dashboard/partner/").status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    every.extend(timings)
    results["partner dashboard"] = _summary(timings)
    for key, value in results.items():
        print(f"{value['p95_ms']:8.1f} ms p95  {value['p50_ms']:8.1f} ms p50  {key}")
    overall = _summary(every)
    print("every dashboard request:", json.dumps(overall))
    return {"overall": overall, "by_combination": results}


# --------------------------------------------------------------------------- freshness


def freshness() -> dict:
    """Register people through the registry's service, then run the refresh Celery beat
    runs: the time from commit to visible is at most the beat interval plus this."""
    from django.conf import settings
    from django.db import connection

    from dashboards.figures import Filters, count
    from dashboards.services import rollups_refresh
    from registry.services.people import person_data_clean
    from registry.services.registration import registration_submit

    today = datetime.date.today()
    raw = {
        "name_km": "សុខ ដារ៉ា",
        "sex": "F",
        "date_of_birth": "1990-05-17",
        "village_code": "12010101",
        "actor_type": "self_employed",
        "sector": "services",
    }
    out = {}
    for burst in (1, 100):
        before = count(filters=Filters(), today=today)
        started = time.perf_counter()
        for _ in range(burst):
            registration_submit(
                data=person_data_clean(raw=raw), work=None, consents=set(), channel="self"
            )
        registered = time.perf_counter()
        rollups_refresh()
        refreshed = time.perf_counter()
        after = count(filters=Filters(), today=today)
        assert after == before + burst, (before, after)
        out[f"refresh after {burst} registration(s)"] = round((refreshed - registered) * 1000, 1)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dashboards_dirty_person (person_id) SELECT id FROM registry_person"
            " ORDER BY id DESC LIMIT 20000"
        )
    started = time.perf_counter()
    rollups_refresh()
    out["refresh of 20,000 changed registrants (a large bulk file)"] = round(
        (time.perf_counter() - started) * 1000, 1
    )
    interval = settings.CELERY_BEAT_SCHEDULE["dashboards-rollups-refresh"]["schedule"]
    out["beat interval s"] = interval
    out["worst case visible after s"] = round(
        interval + max(v for k, v in out.items() if k.startswith("refresh")) / 1000, 1
    )
    print(json.dumps(out))
    return out


# --------------------------------------------------------------------------- search


def search(*, sample: int, seed: int) -> dict:
    from accounts.models import Role, RoleAssignment, User
    from registry.models import Person
    from registry.selectors.people import person_list_visible_to, person_page, person_search

    rng = random.Random(seed)
    officer, _ = User.objects.get_or_create(username="bench-ministry")
    RoleAssignment.objects.get_or_create(user=officer, role=Role.MINISTRY_OFFICER)
    staff = User.objects.filter(username="bench-staff-0-0-0").first()
    ids = [
        rng.randint(1, Person.objects.order_by("-id").values_list("id", flat=True).first())
        for _ in range(sample)
    ]
    people = list(Person.objects.filter(id__in=ids))
    queries: dict[str, list[str]] = {
        "latin part": [],
        "latin two words": [],
        "khmer part": [],
        "phone": [],
        "registration number": [],
        "national id": [],
    }
    for p in people:
        latin = p.name_latin.split()
        long_words = [w for w in latin if len(w) >= 3]
        if long_words:
            word = rng.choice(long_words)
            queries["latin part"].append(word[: max(3, len(word) - 1)])
        if latin:
            queries["latin two words"].append(" ".join(reversed(latin)))
        khmer = [w for w in p.name_km.split() if len(w) >= 3]
        if khmer:
            queries["khmer part"].append(rng.choice(khmer))
        if p.phone:
            queries["phone"].append("0" + str(p.phone.as_e164)[4:])
        queries["registration number"].append(p.registration_number)
        if p.national_id:
            queries["national id"].append(p.national_id)
    out = {}
    for who, user in (("national", officer), ("branch", staff)):
        if user is None:
            continue
        scope = person_list_visible_to(user=user)
        for kind, texts in queries.items():
            timings = []
            for text in texts:
                started = time.perf_counter()
                page = person_page(
                    queryset=person_search(queryset=scope, query=text), size=25, searched=True
                )
                list(page.people)
                timings.append((time.perf_counter() - started) * 1000)
            out[f"{who} {kind}"] = _summary(timings)
            print(f"{out[f'{who} {kind}']['p95_ms']:8.1f} ms p95  {who} {kind}")
    names = [v for k, v in out.items() if "latin" in k or "khmer" in k]
    all_names = {"p95_ms_worst_kind": max(v["p95_ms"] for v in names)}
    print("staff name search:", json.dumps(all_names))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "step", choices=["all", "load", "rebuild", "requests", "freshness", "search"]
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--name", help="default: dash-ROWS")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    args = parser.parse_args(argv)
    _setup(args.database_url)
    from bench.support import database_ready, machine_busy

    name = args.name or f"dash-{args.rows}"
    OUT.mkdir(parents=True, exist_ok=True)
    report = {"other_work_cores_before": round(machine_busy(), 2)}
    if args.step in ("all", "load"):
        from bench.bench_dedup import prepare

        prepare(name=name, rows=args.rows, seed=args.seed)
        database_ready(args.database_url)
        report["loaded"] = load(name=name, seed=args.seed)
    if args.step in ("all", "rebuild"):
        report["rebuild"] = rebuild()
    if args.step in ("all", "requests"):
        report["requests"] = requests(repeat=args.repeat)
    if args.step in ("all", "freshness"):
        report["freshness"] = freshness()
    if args.step in ("all", "search"):
        report["search"] = search(sample=args.sample, seed=args.seed)
    (OUT / f"{name}.dashboards.{args.step}.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
