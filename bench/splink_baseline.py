"""Splink 5 (DuckDB backend) on the same registrants: the baseline of bench_dedup.py.

Run with the benchmark-only virtualenv (see bench/README.md):

    bench/.venv-splink/bin/python bench/splink_baseline.py bench/out/q.splink.csv \
        bench/out/q.truth.csv --out bench/out/q.splink.json

The input is the CSV bench_dedup.py writes: the records exactly as loaded into the
registry (normalised by the shared intake normalisation: NFC Khmer without zero-width
characters, E.164 phones, ISO dates, 9-digit ID numbers). Splink gets the same blocking
rules as our engine and conventional comparisons for each field (Jaro-Winkler on both
names, date of birth, exact phone, ID number with a typo level, sex, village and
province); it learns u by random sampling and m by EM, as its documentation advises,
then predicts. The best threshold is chosen by F1 against the truth, which flatters
Splink: it is told the answer a registry would not know.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from pathlib import Path

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def truth_pairs(path: Path, references: set[str]) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["reference"] in references:
                groups.setdefault(row["person_id"], []).append(row["reference"])
    pairs = set()
    for members in groups.values():
        members.sort()
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add((a, b))
    return pairs


def best_threshold(scored: list[tuple[float, bool]], true_count: int) -> dict:
    scored.sort(key=lambda item: item[0], reverse=True)
    best = {"f1": 0.0, "threshold": 1.0, "precision": 0.0, "recall": 0.0}
    tp = fp = 0
    for i, (probability, is_true) in enumerate(scored):
        tp += is_true
        fp += not is_true
        if i + 1 < len(scored) and scored[i + 1][0] == probability:
            continue
        precision = tp / (tp + fp)
        recall = tp / true_count if true_count else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if f1 > best["f1"]:
            best = {"f1": f1, "threshold": probability, "precision": precision, "recall": recall}
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("records", type=Path)
    parser.add_argument("truth", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--max-u-pairs", type=float, default=2e6)
    args = parser.parse_args(argv)
    logging.getLogger("splink").setLevel(logging.WARNING)

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE registrants AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
        [str(args.records)],
    )
    con.execute(
        "UPDATE registrants SET name_latin = NULLIF(name_latin, ''), phone = NULLIF(phone, ''),"
        " national_id = NULLIF(national_id, '')"
    )
    db_api = DuckDBAPI(connection=con)
    blocking = [
        block_on("phone"),
        block_on("national_id"),
        block_on("name_km", "village"),
        block_on("name_latin", "date_of_birth"),
        block_on("date_of_birth", "sex"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="reference",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.JaroWinklerAtThresholds("name_km", [0.95, 0.88, 0.8]),
            cl.JaroWinklerAtThresholds("name_latin", [0.95, 0.88, 0.8]),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("phone"),
            cl.LevenshteinAtThresholds("national_id", [1]),
            cl.ExactMatch("village"),
            cl.ExactMatch("province"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(db_api.register("registrants"), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("national_id"), block_on("phone", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=args.max_u_pairs, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    # Not name_km alone: at a million records one common name is a block of thousands,
    # and EM over hundreds of millions of pairs exhausts the machine's memory.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("name_km", "village")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.001)
    rows = (
        predictions.as_duckdbpyrelation()
        .select("reference_l, reference_r, match_probability")
        .fetchall()
    )
    elapsed = time.perf_counter() - started

    references = {r for (r,) in con.execute("SELECT reference FROM registrants").fetchall()}
    truth = truth_pairs(args.truth, references)
    scored = [(float(probability), (min(a, b), max(a, b)) in truth) for a, b, probability in rows]
    best = best_threshold(scored, len(truth))
    result = {
        "tool": "splink 5 duckdb",
        "records": len(references),
        "pairs_scored": len(rows),
        "true_pairs": len(truth),
        "seconds": round(elapsed, 1),
        **{k: round(v, 5) for k, v in best.items()},
    }
    print(json.dumps(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
