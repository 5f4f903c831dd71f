"""Dedup benchmarks: quality against the generator's truth (and Splink), batch speed, and
the incremental check's latency.

    .venv/bin/python bench/bench_dedup.py quality --rows 100000
    .venv/bin/python bench/bench_dedup.py speed --rows 1000000
    .venv/bin/python bench/bench_dedup.py incremental --name speed-1000000 --sample 1000

Everything runs against a dedicated PostgreSQL database (`--database-url`, default
`postgres://postgres@127.0.0.1:5432/onboarding_dedup_bench`), created and migrated if
missing; each load empties its registrants first. Steps can be run one at a time:
`prepare` (generate + normalise), `load` (COPY into registry_person), `batch` (the
engine, in its own process so its peak memory is its own), `evaluate`, `splink`.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/onboarding_dedup_bench"
SPLINK_PYTHON = ROOT / "bench" / ".venv-splink" / "bin" / "python"
RECORD_COLUMNS = (
    "reference",
    "name_km",
    "name_latin",
    "sex",
    "date_of_birth",
    "national_id",
    "phone",
    "village",
    "province",
    "village_code",
    "commune_code",
    "actor_type",
    "sector",
)


def _setup(database_url: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    import django

    django.setup()


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- prepare


def _normalise_chunk(rows: list[dict]) -> list[tuple]:
    from bench.dedup_data import normalised

    out = []
    for row in rows:
        clean = normalised(row)
        if clean is None:
            continue
        out.append(
            (
                clean["reference"],
                clean["name_km"],
                clean["name_latin"],
                clean["sex"],
                clean["date_of_birth"].isoformat(),
                clean["national_id"],
                clean["phone"],
                f"{clean['commune_code']}-{clean['village_code']}",
                clean["commune_code"][:2],
                clean["village_code"],
                clean["commune_code"],
                clean["actor_type"],
                clean["sector"],
            )
        )
    return out


def _chunks(rows, size):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def prepare(*, name: str, rows: int, seed: int) -> Path:
    """Generate (if missing) and normalise as intake does: bench/out/NAME.records.csv."""
    from bench import generate
    from bench.dedup_data import read_rows

    raw = OUT / f"{name}.csv"
    records = OUT / f"{name}.records.csv"
    if records.exists():
        return records
    if not raw.exists():
        started = time.perf_counter()
        generate.write(raw, rows, seed)
        print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    count = 0
    with records.open("w", encoding="utf-8", newline="") as handle, Pool(2) as pool:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(RECORD_COLUMNS)
        for chunk in pool.imap(_normalise_chunk, _chunks(read_rows(raw), 5000)):
            writer.writerows(chunk)
            count += len(chunk)
    print(f"normalised {count:,} records in {time.perf_counter() - started:.1f} s")
    return records


# --------------------------------------------------------------------------- load


def load(*, name: str) -> int:
    """Empty the registry and COPY the normalised records into registry_person."""
    from django.db import connection

    from bench.support import village_ids
    from registry.regnumber import damm_check_digit

    records = OUT / f"{name}.records.csv"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE registry_person, registry_personkeys, registry_duplicatecase,"
            " registry_merge, registry_personalias, registry_deduprun CASCADE"
        )
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
        records.open(encoding="utf-8", newline="") as handle,
        raw.cursor() as cursor,
        cursor.copy(f"COPY registry_person ({columns}) FROM STDIN") as copy,
    ):
        for row in csv.DictReader(handle):
            count += 1
            number = f"{100_000_000 + count}"
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
                    "active",
                    "bulk",
                    row["reference"],
                    now,
                    now,
                    villages[(row["commune_code"], row["village_code"])],
                )
            )
    raw.commit()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_person")
    print(f"loaded {count:,} records in {time.perf_counter() - started:.1f} s")
    return count


# --------------------------------------------------------------------------- batch


def batch(*, chunk_size: int) -> dict:
    from django.db import connection

    from dedup.engine import dedup_batch

    started = time.perf_counter()
    marks = {}

    def progress(run):
        marks.setdefault("first_chunk", time.perf_counter() - started)

    summary = dedup_batch(chunk_size=chunk_size, resume=False, progress=progress)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_personkeys")
    result = {
        "records": summary.total,
        "seconds": round(elapsed, 1),
        "peak_rss_mib": round(_rss_mib()),
        "until_first_chunk_s": round(marks.get("first_chunk", 0), 1),
        **summary.counts,
        "oversized_blocks": summary.oversized_blocks,
    }
    print(json.dumps(result))
    return result


def _batch_subprocess(args) -> dict:
    """The batch in a process of its own: its peak memory is the engine's, not ours."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "batch",
            "--database-url",
            args.database_url,
            "--chunk-size",
            str(args.chunk_size),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def detect(*, name: str | None) -> dict:
    """The engine's finding alone, as Splink works: keys, blocking and scoring of every
    candidate pair, no database writes but the keys. Pairwise quality if `name` is given.
    """
    from django.db import connection

    from dedup.engine.blocking import BlockIndex
    from dedup.engine.scoring import record_from_keys, score_pair, weights_load
    from dedup.engine.stored_keys import keys_refresh_stale, registry_keys

    started = time.perf_counter()
    refreshed = keys_refresh_stale()
    keys_done = time.perf_counter()
    keys, merged_into = registry_keys()
    index = BlockIndex(keys, merged_into)
    keys = [k for k in keys if k.person_id in index.keys]
    indexed = time.perf_counter()
    weights = weights_load()
    records = {}

    def record(k):
        found = records.get(k.person_id)
        if found is None:
            found = records[k.person_id] = record_from_keys(k)
        return found

    compared, found, auto = 0, [], 0
    for k in keys:
        for other, _target in index.older_candidates(k):
            compared += 1
            score = score_pair(record(k), record(other), weights)
            if score.log_odds >= weights.review:
                found.append((other.person_id, k.person_id, score.log_odds >= weights.auto_merge))
                auto += score.log_odds >= weights.auto_merge
    elapsed = time.perf_counter() - started
    result = {
        "records": len(keys),
        "seconds": round(elapsed, 1),
        "keys_s": round(keys_done - started, 1),
        "load_and_block_s": round(indexed - keys_done, 1),
        "score_s": round(elapsed - (indexed - started), 1),
        "keys_refreshed": refreshed,
        "pairs_compared": compared,
        "pairs_found": len(found),
        "auto_level": auto,
        "peak_rss_mib": round(_rss_mib()),
    }
    if name:
        from bench import generate
        from bench.dedup_data import read_truth, truth_pairs

        truth = read_truth(generate.truth_path_for(OUT / f"{name}.csv"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, reference FROM registry_person")
            reference = dict(cursor.fetchall())
        true = truth_pairs(list(reference.values()), truth)
        pairs = {tuple(sorted((reference[a], reference[b]))) for a, b, _auto in found}
        auto_pairs = {tuple(sorted((reference[a], reference[b]))) for a, b, at in found if at}
        result["auto_level_precision"] = round(len(auto_pairs & true) / max(1, len(auto_pairs)), 5)
        tp = len(pairs & true)
        precision, recall = tp / max(1, len(pairs)), tp / max(1, len(true))
        result.update(
            precision=round(precision, 5),
            recall=round(recall, 5),
            f1=round(2 * precision * recall / max(1e-9, precision + recall), 5),
        )
    print(json.dumps(result))
    return result


def _detect_subprocess(args, name: str | None) -> dict:
    command = [sys.executable, __file__, "detect", "--database-url", args.database_url]
    if name:
        command += ["--name", name]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------- evaluate


def evaluate(*, name: str) -> dict:
    """Precision, recall and F1 of the pairs found against the generator's truth.

    Pairs found = every pair inside a group of merged records (a merge of B into A and
    of C into A says A, B and C are one person) plus every open case.
    """
    from django.db import connection

    from bench import generate
    from bench.dedup_data import read_truth, truth_pairs

    truth = read_truth(generate.truth_path_for(OUT / f"{name}.csv"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, reference FROM registry_person")
        reference = dict(cursor.fetchall())
        cursor.execute(
            "SELECT person_a_id, person_b_id, decision, automatic FROM registry_duplicatecase"
        )
        cases = cursor.fetchall()
    true = truth_pairs(list(reference.values()), truth)

    def same(a, b):
        return truth[reference[a]][0] == truth[reference[b]][0]

    parent: dict[int, int] = {}

    def root(x):
        while parent.get(x, x) != x:
            x = parent[x] = parent.get(parent[x], parent[x])
        return x

    auto = [(a, b) for a, b, decision, automatic in cases if decision == "merged" and automatic]
    for a, b in auto:
        parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for x in list(parent):
        groups.setdefault(root(x), []).append(x)
    for rep, members in groups.items():
        if rep not in members:
            members.append(rep)
    found = set()
    for rep, members in groups.items():
        members = sorted({rep, *members})
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                found.add(tuple(sorted((reference[a], reference[b]))))
    opened = [(a, b) for a, b, decision, _ in cases if decision == "open"]
    # "Same person" on an open case merges the two groups: each pair across them is found.
    for a, b in opened:
        for x in groups.get(root(a), [a]):
            for y in groups.get(root(b), [b]):
                if x != y:
                    found.add(tuple(sorted((reference[x], reference[y]))))
    tp = len(found & true)
    precision = tp / len(found) if found else 0.0
    recall = tp / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    auto_true = sum(same(a, b) for a, b in auto)
    kinds: dict[str, int] = {}
    for a, b in auto + opened:
        if not same(a, b):
            kind = f"{truth[reference[a]][1]}/{truth[reference[b]][1]}"
            kinds[kind] = kinds.get(kind, 0) + 1
    result = {
        "true_pairs": len(true),
        "pairs_found": len(found),
        "precision": round(precision, 5),
        "recall": round(recall, 5),
        "f1": round(f1, 5),
        "auto_merges": len(auto),
        "auto_merge_precision": round(auto_true / len(auto), 5) if auto else None,
        "open_cases": len(opened),
        "open_case_precision": round(sum(same(a, b) for a, b in opened) / len(opened), 5)
        if opened
        else None,
        "false_pairs_by_kind": kinds,
    }
    print(json.dumps(result))
    return result


def splink(*, name: str) -> dict:
    from bench import generate

    out = OUT / f"{name}.splink.json"
    started = time.perf_counter()
    proc = subprocess.run(
        [
            str(SPLINK_PYTHON),
            str(ROOT / "bench" / "splink_baseline.py"),
            str(OUT / f"{name}.records.csv"),
            str(generate.truth_path_for(OUT / f"{name}.csv")),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        print(proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit("splink baseline failed")
    result = json.loads(out.read_text())
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result))
    return result


# --------------------------------------------------------------------------- incremental


def incremental(*, name: str, sample: int, seed: int) -> dict:
    """Latency of dedup_person for new records, with the registry loaded.

    The sample mixes new people (most new registrations) and new records of people
    already registered (which merge), drawn from a generator run with another seed and
    from the loaded records with a changed phone format and romanisation.
    """
    import random

    from django.db import connection

    from bench import generate
    from bench.dedup_data import normalised
    from dedup.engine import dedup_person
    from geography.models import Village
    from registry.models import Person
    from registry.regnumber import damm_check_digit

    rng = random.Random(seed)
    villages = {(v.commune.code, v.code): v.pk for v in Village.objects.select_related("commune")}
    new_rows = [
        normalised(row)
        for row in generate.generate(
            sample, seed=seed, options=generate.Options(reference_prefix="INC-")
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id), count(*) FROM registry_person")
        low, top, total = cursor.fetchone()
        # Registration numbers of this run's records: above those of earlier runs (their
        # records stay, merged into the registry), so the benchmark can be run again.
        cursor.execute(
            "SELECT max(registration_number) FROM registry_person"
            " WHERE registration_number LIKE '9%%' AND length(registration_number) = 10"
        )
        (last,) = cursor.fetchone()
    base = 900_000_000 if last is None else (int(last[:-1]) // 2_000_000 + 1) * 2_000_000
    existing = list(
        Person.objects.filter(pk__in=[rng.randint(low, top) for _ in range(sample // 4)]).values(
            "name_km", "name_latin", "sex", "date_of_birth", "national_id", "phone", "village_id"
        )
    )
    people = []
    for n, row in enumerate(new_rows):
        if row is None:
            continue
        people.append(
            {
                "name_km": row["name_km"],
                "name_latin": row["name_latin"],
                "sex": row["sex"],
                "date_of_birth": row["date_of_birth"],
                "national_id": row["national_id"],
                "phone": row["phone"],
                "village_id": villages[(row["commune_code"], row["village_code"])],
                "kind": "new",
                "n": n,
            }
        )
    for n, values in enumerate(existing):
        latin = values["name_latin"].split(" ")
        people.append(
            {**values, "name_latin": " ".join(reversed(latin)), "kind": "copy", "n": 10**6 + n}
        )
    rng.shuffle(people)
    timings: dict[str, list[float]] = {"new": [], "copy": []}
    merged = 0
    for values in people:
        kind, n = values.pop("kind"), values.pop("n")
        number = f"{base + n}"
        person = Person.objects.create(
            registration_number=number + damm_check_digit(number),
            actor_type="self_employed",
            sector="services",
            channel="self",
            **values,
        )
        started = time.perf_counter()
        result = dedup_person(person_id=person.pk)
        timings[kind].append((time.perf_counter() - started) * 1000)
        merged += result.survivor_id is not None
    every = sorted(timings["new"] + timings["copy"])

    def pct(values, q):
        values = sorted(values)
        return round(values[min(len(values) - 1, int(q * len(values)))], 2) if values else None

    result = {
        "registry_records": total,
        "checked": len(every),
        "new_people": len(timings["new"]),
        "copies": len(timings["copy"]),
        "merged": merged,
        "p50_ms": pct(every, 0.50),
        "p95_ms": pct(every, 0.95),
        "p99_ms": pct(every, 0.99),
        "mean_ms": round(statistics.fmean(every), 2),
        "p95_new_ms": pct(timings["new"], 0.95),
        "p95_copy_ms": pct(timings["copy"], 0.95),
    }
    print(json.dumps(result))
    return result


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "step",
        choices=(
            "prepare",
            "load",
            "batch",
            "detect",
            "evaluate",
            "splink",
            "quality",
            "speed",
            "incremental",
        ),
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--name", help="default: quality-ROWS or speed-ROWS")
    parser.add_argument("--chunk-size", type=int, default=10_000)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--no-splink", action="store_true")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    args = parser.parse_args(argv)
    _setup(args.database_url)
    from bench.support import database_ready

    name = args.name or f"{'speed' if args.step == 'speed' else 'quality'}-{args.rows}"
    OUT.mkdir(parents=True, exist_ok=True)

    if args.step == "prepare":
        prepare(name=name, rows=args.rows, seed=args.seed)
    elif args.step == "load":
        database_ready(args.database_url)
        load(name=name)
    elif args.step == "batch":
        batch(chunk_size=args.chunk_size)
    elif args.step == "detect":
        detect(name=args.name)
    elif args.step == "evaluate":
        evaluate(name=name)
    elif args.step == "splink":
        splink(name=name)
    elif args.step == "incremental":
        incremental(name=name, sample=args.sample, seed=args.seed + 1000)
    else:
        prepare(name=name, rows=args.rows, seed=args.seed)
        database_ready(args.database_url)
        load(name=name)
        ours = _batch_subprocess(args)
        report = {"ours_batch": ours}
        if args.step == "quality":
            report["ours_quality"] = evaluate(name=name)
            # Finding alone (what Splink does), on the registry as loaded, pairwise.
            load(name=name)
            report["ours_detect"] = _detect_subprocess(args, name)
            if not args.no_splink:
                report["splink"] = splink(name=name)
        out = OUT / f"{name}.report.json"
        out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        _print_report(report)
    return 0


def _print_report(report: dict) -> None:
    text = io.StringIO()
    ours = report["ours_batch"]
    print(
        f"\nours: {ours['records']:,} records in {ours['seconds']} s,"
        f" peak RSS {ours['peak_rss_mib']} MiB;"
        f" merged {ours['merged']:,}, opened {ours['opened']:,}",
        file=text,
    )
    if "ours_quality" in report:
        q = report["ours_quality"]
        print(
            f"ours:   precision {q['precision']:.4f} recall {q['recall']:.4f} F1 {q['f1']:.4f};"
            f" auto-merge precision {q['auto_merge_precision']}",
            file=text,
        )
    if "ours_detect" in report:
        d = report["ours_detect"]
        print(
            f"ours, finding only (pairwise, no merges): {d['seconds']} s;"
            f" precision {d.get('precision', 0):.4f} recall {d.get('recall', 0):.4f}"
            f" F1 {d.get('f1', 0):.4f}",
            file=text,
        )
    if "splink" in report:
        s = report["splink"]
        print(
            f"splink: precision {s['precision']:.4f} recall {s['recall']:.4f} F1 {s['f1']:.4f}"
            f" at its best threshold {s['threshold']:.4f}; {s['seconds']} s",
            file=text,
        )
    print(text.getvalue())


if __name__ == "__main__":
    sys.exit(main())
