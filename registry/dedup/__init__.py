"""Deduplication of registrants: keys, blocking, scoring, and the engine that acts on scores.

`dedup_person` checks one new or changed record (the Celery task on every registration);
`dedup_batch` goes over the whole registry, resumably. See docs/dedup.md.
"""

from registry.dedup.blocking import RULES, BlockIndex, candidates_lookup
from registry.dedup.engine import (
    BatchAlreadyRunningError,
    BatchSummary,
    Counts,
    PersonResult,
    dedup_batch,
    dedup_batch_running,
    dedup_people,
    dedup_person,
    keys_refresh,
    keys_refresh_stale,
)
from registry.dedup.keys import Keys, keys_compute, khmer_key, latin_key
from registry.dedup.scoring import Score, Weights, score_pair, weights_load

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
    "dedup_batch_running",
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
