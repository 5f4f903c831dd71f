"""Learn the dedup weights and thresholds; write dedup/engine/weights.json.

    .venv/bin/python bench/train_weights.py --rows 1000000 --seed 7

Generates registrants (a seed the evaluation does not use), normalises them as intake
does, computes keys, blocks as the batch engine does and then:

- estimates u on random pairs and fits m, u and the prior by EM on the candidate pairs
  (no labels used);
- chooses the review threshold that maximises F1 and the lowest auto-merge threshold
  whose merges reach the target precision, on the generator's labels.

Needs no database. The file written is versioned; `DedupRun.weights_version` records
which version a batch run used.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")

import django  # noqa: E402

django.setup()

from bench import generate  # noqa: E402
from bench.bench_dedup import prepare  # noqa: E402
from bench.dedup_data import offline_keys, read_truth  # noqa: E402
from dedup.engine import scoring, training  # noqa: E402


def labelled_patterns(keys, references, truth):
    pairs = list(training.candidate_pairs(keys))
    cache = {}

    def record(k):
        found = cache.get(k.person_id)
        if found is None:
            found = cache[k.person_id] = scoring.record_from_keys(k)
        return found

    out = []
    for a, b in pairs:
        same = truth[references[a.person_id - 1]][0] == truth[references[b.person_id - 1]][0]
        out.append((scoring.compare(record(a), record(b)), same))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--auto-precision", type=float, default=0.999)
    parser.add_argument("--random-pairs", type=int, default=300_000)
    parser.add_argument(
        "--method",
        choices=("labelled", "em", "em-fix-u"),
        default="labelled",
        help="labelled: count m and u on labelled candidate pairs; em: EM (unsupervised)"
        " with u started from random pairs; em-fix-u: EM with u kept from random pairs",
    )
    parser.add_argument("--out", type=Path, default=scoring.WEIGHTS_PATH)
    args = parser.parse_args(argv)

    name = f"train-{args.rows}-s{args.seed}"
    started = time.perf_counter()
    records = prepare(name=name, rows=args.rows, seed=args.seed)
    truth = read_truth(generate.truth_path_for(ROOT / "bench" / "out" / f"{name}.csv"))
    references, keys = [], []
    with records.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            row["date_of_birth"] = datetime.date.fromisoformat(row["date_of_birth"])
            references.append(row["reference"])
            keys.append(offline_keys(len(references), row))
    print(f"{len(keys):,} records normalised in {time.perf_counter() - started:.1f} s")

    labelled = labelled_patterns(keys, references, truth)
    patterns = training.Counter(levels for levels, _same in labelled)
    print(f"{len(labelled):,} candidate pairs, {len(patterns):,} patterns")
    iterations = 0
    if args.method == "labelled":
        lam, m, u = training.supervised(labelled)
    else:
        u = training.u_from_random_pairs(keys, samples=args.random_pairs, seed=args.seed)
        lam, m, u, iterations = training.em(patterns, u=u, fix_u=args.method == "em-fix-u")
        print(f"EM: {iterations} iterations")
    print(f"match share among candidates {lam:.4f}")

    version = f"{datetime.date.today():%Y-%m-%d}.{args.method}-{args.rows}-s{args.seed}"
    trained_on = {
        "generator": "bench/generate.py",
        "rows": args.rows,
        "seed": args.seed,
        "candidate_pairs": len(labelled),
        "method": args.method,
        "em_iterations": iterations,
        "thresholds": f"labelled pairs, auto-merge precision >= {args.auto_precision}",
    }
    document = training.weights_document(
        version=version,
        lam=lam,
        m=m,
        u=u,
        trained_on=trained_on,
        thresholds={"auto_merge": 0.0, "review": 0.0},
    )
    weights = scoring.Weights.from_dict(document)
    true_pairs = _true_pair_count(references, truth)
    document["thresholds"] = _thresholds(
        labelled, weights, true_pairs=true_pairs, auto_precision=args.auto_precision
    )
    args.out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(json.dumps(document["thresholds"]))
    print(f"wrote {args.out}")
    return 0


def _true_pair_count(references, truth) -> int:
    sizes = training.Counter(truth[r][0] for r in references)
    return sum(n * (n - 1) // 2 for n in sizes.values())


def _thresholds(labelled, weights, *, true_pairs: int, auto_precision: float) -> dict:
    """Thresholds on posterior log2-odds, honouring the hard-negative rules' caps."""
    found, auto_eligible = [], []
    cache = {}
    for levels, same in labelled:
        if levels not in cache:
            raw = weights.prior + sum(
                weights.weights[f][level] for f, level in zip(scoring.FIELDS, levels, strict=True)
            )
            caps = {cap for _rule, cap in scoring.hard_negative_rules(levels)}
            cache[levels] = (raw, caps)
        raw, caps = cache[levels]
        if scoring.CAP_BELOW_REVIEW in caps:
            continue
        found.append((raw, same))
        if scoring.CAP_BELOW_AUTO not in caps:
            auto_eligible.append((raw, same))
    review = training.thresholds_choose(found, true_pairs=true_pairs, auto_precision=1.1)
    auto = training.thresholds_choose(
        auto_eligible, true_pairs=true_pairs, auto_precision=auto_precision
    )
    return {
        "review": review["review"],
        "auto_merge": max(auto["auto_merge"], review["review"]),
        "train_best_f1": review["train_best_f1"],
    }


if __name__ == "__main__":
    sys.exit(main())
