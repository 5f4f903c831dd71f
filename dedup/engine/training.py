"""Learning the Fellegi–Sunter weights: EM on candidate pairs, thresholds on labelled pairs.

`bench/train_weights.py` runs this on generated registrants and writes `weights.json`;
the same functions run on a real registry's keys (no labels needed for the weights).

1. u (how often two different people agree by chance) is first estimated on random
   pairs, where almost every pair is two people.
2. EM over the blocked candidate pairs then learns m, u and the share of matches
   (the prior) together, assuming fields are independent given the match status. The
   comparison vectors are counted by pattern, so EM runs over a few thousand patterns
   whatever the number of pairs.
3. Thresholds: the review threshold maximises F1 on labelled pairs; the auto-merge
   threshold is the lowest at which merges stay at the required precision.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence

from dedup.engine.blocking import BlockIndex
from dedup.engine.keys import Keys
from dedup.engine.scoring import (
    FIELDS,
    LEVELS,
    Weights,
    compare,
    record_from_keys,
    score_levels,
)

FLOOR = 1e-6  # no level is impossible: keeps every weight finite
# Labelled data from a generator never shows some things real registries do (a Khmer
# name typed with another letter, a birth date wrong by a year): counted m and u are
# kept at least this high, so such a level costs a few bits, not twenty.
M_FLOOR = 0.002
U_FLOOR = 0.0005
F1_TOLERANCE = 0.0005


def candidate_pairs(keys: Sequence[Keys]) -> Iterable[tuple[Keys, Keys]]:
    """Every blocked pair (older, newer), as the batch engine meets them."""
    index = BlockIndex(keys)
    for record in keys:
        for other, _target in index.older_candidates(record):
            yield other, record


def patterns_count(pairs: Iterable[tuple[Keys, Keys]]) -> Counter:
    cache: dict[int, object] = {}

    def record(keys: Keys):
        found = cache.get(keys.person_id)
        if found is None:
            found = cache[keys.person_id] = record_from_keys(keys)
        return found

    return Counter(compare(record(a), record(b)) for a, b in pairs)


def u_from_random_pairs(keys: Sequence[Keys], *, samples: int, seed: int) -> dict:
    rng = random.Random(seed)  # noqa: S311 (sampling, not secrets)
    counts: Counter[tuple[str, ...]] = Counter()
    for _ in range(samples):
        a, b = rng.sample(range(len(keys)), 2)
        counts[compare(record_from_keys(keys[a]), record_from_keys(keys[b]))] += 1
    return _level_frequencies(counts, dict.fromkeys(counts, 1.0))


def _level_frequencies(patterns: Counter, share: dict) -> dict[str, dict[str, float]]:
    """Frequency of each level among non-missing values, weighted by `share` per pattern."""
    # Weighted counts (floats) of each level per field.
    totals: dict[str, Counter[str]] = {field: Counter() for field in FIELDS}
    for pattern, count in patterns.items():
        weight = count * share[pattern]
        for field, level in zip(FIELDS, pattern, strict=True):
            if level != "missing":
                totals[field][level] += weight
    out = {}
    for field in FIELDS:
        levels = [level for level in LEVELS[field] if level != "missing"]
        total = sum(totals[field].values()) or 1.0
        out[field] = {level: max(FLOOR, totals[field][level] / total) for level in levels}
    return out


def _initial_m() -> dict[str, dict[str, float]]:
    m = {}
    for field in FIELDS:
        levels = [level for level in LEVELS[field] if level != "missing"]
        rest = (1 - 0.9) / max(1, len(levels) - 1)
        m[field] = {level: (0.9 if i == 0 else rest) for i, level in enumerate(levels)}
    return m


def em(
    patterns: Counter,
    *,
    u: dict[str, dict[str, float]],
    prior: float = 0.3,
    iterations: int = 100,
    fix_u: bool = False,
    tolerance: float = 1e-7,
) -> tuple[float, dict, dict, int]:
    """Fit (λ, m, u) to pattern counts; returns (λ, m, u, iterations run)."""
    m = _initial_m()
    u = {field: dict(levels) for field, levels in u.items()}
    lam = prior
    iteration = 0
    for iteration in range(1, iterations + 1):  # noqa: B007
        share = {}
        for pattern in patterns:
            pm, pu = lam, 1 - lam
            for field, level in zip(FIELDS, pattern, strict=True):
                if level != "missing":
                    pm *= m[field][level]
                    pu *= u[field][level]
            share[pattern] = pm / (pm + pu) if pm + pu > 0 else 0.0
        total = sum(patterns.values())
        new_lam = sum(count * share[p] for p, count in patterns.items()) / total
        m = _level_frequencies(patterns, share)
        if not fix_u:
            u = _level_frequencies(patterns, {p: 1 - s for p, s in share.items()})
        converged = abs(new_lam - lam) < tolerance
        lam = new_lam
        if converged:
            break
    return lam, m, u, iteration


def supervised(labelled: Iterable[tuple[tuple[str, ...], bool]]) -> tuple[float, dict, dict]:
    """m, u and the prior counted on labelled candidate pairs (calibration).

    u is counted on the candidate pairs that are two people, that is on look-alikes that
    blocking brings together, not on random pairs: the weights then separate a person's
    records from their household, twin or namesake rather than from strangers.
    """
    matches: Counter[tuple[str, ...]] = Counter()
    others: Counter[tuple[str, ...]] = Counter()
    for levels, same in labelled:
        (matches if same else others)[levels] += 1
    total = sum(matches.values()) + sum(others.values())
    lam = sum(matches.values()) / total if total else 0.5
    m = _level_frequencies(matches, dict.fromkeys(matches, 1.0))
    u = _level_frequencies(others, dict.fromkeys(others, 1.0))
    for probabilities, floor in ((m, M_FLOOR), (u, U_FLOOR)):
        for field_levels in probabilities.values():
            for level, value in field_levels.items():
                field_levels[level] = max(floor, value)
            field_total = sum(field_levels.values())
            for level in field_levels:
                field_levels[level] /= field_total
    return lam, m, u


def weights_document(
    *, version: str, lam: float, m: dict, u: dict, trained_on: dict, thresholds: dict
) -> dict:
    fields: dict[str, dict[str, dict[str, float | None]]] = {}
    for field in FIELDS:
        fields[field] = {}
        for level in LEVELS[field]:
            if level == "missing":
                fields[field][level] = {"m": None, "u": None, "weight": 0.0}
                continue
            mv, uv = m[field][level], u[field][level]
            fields[field][level] = {
                "m": round(mv, 8),
                "u": round(uv, 8),
                "weight": round(math.log2(mv / uv), 4),
            }
    return {
        "version": version,
        "trained_on": trained_on,
        "prior_log2_odds": round(math.log2(lam / (1 - lam)), 4),
        "prior_match_share": round(lam, 6),
        "thresholds": thresholds,
        "fields": fields,
    }


def thresholds_choose(
    scored: Sequence[tuple[float, bool]],
    *,
    true_pairs: int,
    auto_precision: float,
) -> dict[str, float]:
    """Review threshold with the best F1; auto-merge threshold at `auto_precision`.

    `scored` is (posterior log-odds, is a true pair) for every candidate pair; true pairs
    that blocking never proposed count as misses (`true_pairs` is all of them).
    """
    ordered = sorted(scored, key=lambda item: item[0], reverse=True)
    best_f1, review = 0.0, ordered[-1][0] if ordered else 0.0
    tp = fp = 0
    auto = None
    curve = []
    # Walk down the scores: threshold t admits every pair scoring >= t.
    for i, (log_odds, is_true) in enumerate(ordered):
        tp += is_true
        fp += not is_true
        if i + 1 < len(ordered) and ordered[i + 1][0] == log_odds:
            continue
        precision = tp / (tp + fp)
        recall = tp / true_pairs if true_pairs else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        curve.append((log_odds, f1))
        if f1 > best_f1:
            best_f1 = f1
        if precision >= auto_precision:
            auto = log_odds
    # The highest threshold within a hair of the best F1: as good, and a shorter queue.
    review = max((t for t, f1 in curve if f1 >= best_f1 - F1_TOLERANCE), default=review)
    return {
        "review": round(review, 4),
        "auto_merge": round(max(auto if auto is not None else review, review), 4),
        "train_best_f1": round(best_f1, 5),
    }


def score_patterns(
    labelled: Iterable[tuple[tuple[str, ...], bool]], weights: Weights
) -> list[tuple[float, bool]]:
    cache: dict[tuple[str, ...], float] = {}
    out = []
    for levels, is_true in labelled:
        value = cache.get(levels)
        if value is None:
            value = cache[levels] = score_levels(levels, weights).log_odds
        out.append((value, is_true))
    return out


# --------------------------------------------------------------------------- reviews


def levels_from_reasons(reasons: Sequence[dict]) -> tuple[str, ...] | None:
    """The comparison vector a case was scored on, read back from its stored reasons;
    None when the reasons predate the levels being stored."""
    found = {
        reason["field"]: reason.get("level") for reason in reasons if reason.get("field") in LEVELS
    }
    levels = tuple(found.get(field) for field in FIELDS)
    if any(level not in LEVELS[field] for field, level in zip(FIELDS, levels, strict=True)):
        return None
    return levels  # type: ignore[return-value]


def weights_from_reviews(
    current: Weights,
    labelled: Sequence[tuple[tuple[str, ...], bool]],
    *,
    strength: float,
    version: str,
) -> dict:
    """The current weights updated with reviewers' decisions, as a new weights document.

    Each field's m (levels among pairs reviewers called one person) and u (among pairs
    they called two people) is a Dirichlet posterior: the current probabilities count
    as `strength` pairs, each decision as one. Reviewed pairs are the uncertain ones, so
    the prior share of matches and the thresholds are kept: a reviewer's "different
    people" on a pair whose birth dates are one digit apart makes that pattern weigh
    less, without moving the bar a merge must clear.
    """
    # same person? -> field -> level -> decisions
    counts: dict[bool, dict[str, Counter[str]]] = {
        same: {field: Counter() for field in FIELDS} for same in (True, False)
    }
    for levels, same in labelled:
        for field, level in zip(FIELDS, levels, strict=True):
            if level != "missing":
                counts[same][field][level] += 1
    fields = current.raw["fields"]
    m: dict[str, dict[str, float]] = {}
    u: dict[str, dict[str, float]] = {}
    for field in FIELDS:
        known = [level for level in LEVELS[field] if level != "missing"]
        for target, same, key in ((m, True, "m"), (u, False, "u")):
            seen = counts[same][field]
            total = strength + sum(seen.values())
            target[field] = {
                level: max(FLOOR, (strength * fields[field][level][key] + seen[level]) / total)
                for level in known
            }
    lam = current.raw["prior_match_share"]
    document = weights_document(
        version=version,
        lam=lam,
        m=m,
        u=u,
        trained_on={
            "method": "reviews",
            "based_on": current.version,
            "decisions_same": sum(1 for _levels, same in labelled if same),
            "decisions_different": sum(1 for _levels, same in labelled if not same),
            "prior_strength": strength,
        },
        thresholds=dict(current.raw["thresholds"]),
    )
    # The prior odds are the current ones to the digit, not recomputed from a rounded λ.
    document["prior_log2_odds"] = current.raw["prior_log2_odds"]
    return document


def band(log_odds: float, weights: Weights) -> str:
    if log_odds >= weights.auto_merge:
        return "merge"
    if log_odds >= weights.review:
        return "review"
    return "apart"
