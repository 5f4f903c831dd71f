"""Deduplication of registrants: keys, blocking, scoring, and the engine that acts on scores.

`dedup_person` checks one new or changed record (the Celery task on every registration);
`dedup_batch` goes over the whole registry, resumably. See docs/dedup.md.
"""

from dedup.engine.blocking import RULES, BlockIndex, candidates_lookup
from dedup.engine.engine import (
    BatchAlreadyRunningError,
    BatchSummary,
    Counts,
    PersonResult,
    dedup_batch,
    dedup_people,
    dedup_person,
    keys_refresh,
    keys_refresh_stale,
)
from dedup.engine.keys import Keys, keys_compute, khmer_key, latin_key
from dedup.engine.scoring import Score, Weights, score_pair, weights_load

__all__ = [
    "RULES",
    "BatchAlreadyRunningError",
    "BatchSummary",
    "BlockIndex",
    "Counts",
    "Keys",
    "PersonResult",
    "Score",
    "Weights",
    "candidates_lookup",
    "dedup_batch",
    "dedup_people",
    "dedup_person",
    "keys_compute",
    "keys_refresh",
    "keys_refresh_stale",
    "khmer_key",
    "latin_key",
    "score_pair",
    "weights_load",
]
