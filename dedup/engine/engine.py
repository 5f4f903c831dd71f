"""The dedup engine: incremental (one record, after it is saved) and batch (whole
registry). The keys it reads are kept by `dedup.engine.stored_keys`.

Both paths run the same steps on a record: refresh its keys, find candidates (blocking),
score each pair, then act on the score:

- at or above the auto-merge threshold the newer record is merged into the older one
  (`dedup.services.merge.person_merge`, lossless and reversible), and the pair is kept
  as a DuplicateCase decided `merged`, automatically;
- in the review band a DuplicateCase is opened, or the open one updated: a pair has one
  case at most, ever;
- below, nothing.

A pair decided `different` or `merged` (by a person, by the engine, or undone) is never
proposed again. Merged and withdrawn records are no one's candidates.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from dedup.engine.blocking import BlockIndex, candidates_lookup
from dedup.engine.keys import KEY_FIELDS, Keys
from dedup.engine.scoring import Score, Weights, record_from_keys, score_pair, weights_load
from dedup.engine.stored_keys import (
    keys_refresh,
    keys_refresh_stale,
    keys_refresh_with_status,
    registry_keys,
)
from dedup.models import DedupRun, DuplicateCase
from dedup.selectors import BATCH_LOCK
from dedup.services.merge import FILL_FIELDS, MergeRequest, person_merge, person_merge_many
from registry.models import Person

logger = logging.getLogger(__name__)

Decision = DuplicateCase.Decision
Source = DuplicateCase.Source

# --------------------------------------------------------------------------- decisions


@dataclass
class Counts:
    compared: int = 0
    pairs_found: int = 0
    merged: int = 0
    opened: int = 0
    updated: int = 0
    skipped_decided: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class PersonResult:
    """What checking one record did."""

    person_id: int
    survivor_id: int | None = None  # the record it was merged into, if it was
    merged_ids: list[int] = field(default_factory=list)  # records merged into it
    opened_case_ids: list[int] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


def _pair(x: int, y: int) -> tuple[int, int]:
    return (x, y) if x < y else (y, x)


class _Decided:
    """Which pairs already have a case, and its decision."""

    def __init__(self, cases: dict[tuple[int, int], tuple[int, str]] | None = None) -> None:
        self.cases = cases  # None: ask the database each time (incremental)

    def get(self, pair: tuple[int, int]) -> tuple[int, str] | None:
        if self.cases is not None:
            return self.cases.get(pair)
        found = (
            DuplicateCase.objects.filter(person_a_id=pair[0], person_b_id=pair[1])
            .values_list("pk", "decision")
            .first()
        )
        return found

    def set(self, pair: tuple[int, int], case_id: int, decision: str) -> None:
        if self.cases is not None:
            self.cases[pair] = (case_id, decision)

    def forget(self, pair: tuple[int, int]) -> None:
        """The case was rolled back with the merge that failed."""
        if self.cases is not None:
            self.cases.pop(pair, None)


def _case_refresh(case_id: int, score: Score, reasons: list[dict]) -> None:
    """A new score for a case still open (a decided one keeps what it was decided on)."""
    DuplicateCase.objects.filter(pk=case_id, decision=Decision.OPEN).update(
        score=score.probability, reasons=reasons, updated_at=timezone.now()
    )


def _case_upsert(
    *,
    pair: tuple[int, int],
    score,
    weights: Weights,
    source: str,
    decided: _Decided,
    via: int | None = None,
) -> tuple[DuplicateCase, bool]:
    """Open the pair's case or refresh the open one; returns (case, created)."""
    reasons = _reasons(score, weights, via)
    existing = decided.get(pair)
    if existing is not None:
        case_id, _decision = existing
        _case_refresh(case_id, score, reasons)
        return DuplicateCase(pk=case_id, person_a_id=pair[0], person_b_id=pair[1]), False
    case = DuplicateCase.objects.create(
        person_a_id=pair[0],
        person_b_id=pair[1],
        score=score.probability,
        reasons=reasons,
        source=source,
    )
    decided.set(pair, case.pk, Decision.OPEN)
    return case, True


Candidate = tuple[Keys, int]  # (keys compared with, the active record the pair is with)


def _best_per_target(
    current: Keys, candidates: list[Candidate], weights: Weights, counts: Counts
) -> list[tuple[Score, Keys, int]]:
    """The best-scoring keys of each target at review level or above, best first."""
    me = record_from_keys(current)
    best: dict[int, tuple[Score, Keys]] = {}
    for other, target in candidates:
        if target == current.person_id:
            continue
        score = score_pair(me, record_from_keys(other), weights)
        counts.compared += 1
        if score.log_odds < weights.review:
            continue
        held = best.get(target)
        # At equal scores the target's own record wins over an alias.
        if held is None or (score.log_odds, other.person_id == target) > (
            held[0].log_odds,
            held[1].person_id == target,
        ):
            best[target] = (score, other)
    ranked = [(score, other, target) for target, (score, other) in best.items()]
    ranked.sort(key=lambda item: (item[0].log_odds, -item[2]), reverse=True)
    return ranked


class _Merger:
    """How `_resolve` merges a pair it scored at the automatic level.

    `merge` returns False when the merge cannot be made (a record is no longer active);
    `survivor_keys` gives the survivor's keys as the merge left them.
    """

    def merge(
        self, *, pair: tuple[int, int], score: Score, via: int | None, existing: tuple | None
    ) -> bool:
        raise NotImplementedError

    def survivor_keys(self, survivor_id: int, merged_id: int) -> Keys | None:
        raise NotImplementedError


class _MergeNow(_Merger):
    """Incremental: the merge is made at once, and the survivor's keys read back."""

    def __init__(self, *, weights: Weights, source: str, decided: _Decided) -> None:
        self.weights, self.source, self.decided = weights, source, decided

    def merge(self, *, pair, score, via, existing) -> bool:
        try:
            with transaction.atomic():
                case, _created = _case_upsert(
                    pair=pair,
                    score=score,
                    weights=self.weights,
                    source=self.source,
                    decided=self.decided,
                    via=via,
                )
                person_merge(survivor=Person(pk=pair[0]), merged=Person(pk=pair[1]), case=case)
        except ValidationError:
            # One of the two is no longer active (merged or withdrawn meanwhile).
            if existing is None:
                self.decided.forget(pair)
            return False
        self.decided.set(pair, case.pk, Decision.MERGED)
        return True

    def survivor_keys(self, survivor_id: int, merged_id: int) -> Keys | None:
        return keys_refresh(person_id=survivor_id)


# The keys a merge's fill-in (merge.FILL_FIELDS) can change, with the keys derived from each.
_FILLED_KEYS = {
    name: ("name_latin", "latin_key") if name == "name_latin" else (name,)
    for name in FILL_FIELDS
    if name in KEY_FIELDS
}


def _keys_merged(survivor: Keys, merged: Keys) -> Keys:
    """The survivor's keys after a merge: where it had no value of a field the merge fills
    in, it takes the merged record's (`person_merge_many`'s fill-in)."""
    filled = {
        key: getattr(merged, key)
        for name, keys in _FILLED_KEYS.items()
        if not getattr(survivor, name) and getattr(merged, name)
        for key in keys
    }
    return survivor._replace(**filled) if filled else survivor


class _MergeLater(_Merger):
    """Batch: merges are decided in memory (the index updated as if they were made) and
    made together, with `person_merge_many`, when the chunk is done."""

    def __init__(
        self, *, weights: Weights, source: str, decided: _Decided, index: BlockIndex
    ) -> None:
        self.weights, self.source, self.decided, self.index = weights, source, decided, index
        self.pending: list[tuple[tuple[int, int], Score, int | None, tuple | None]] = []

    def merge(self, *, pair, score, via, existing) -> bool:
        self.pending.append((pair, score, via, existing))
        self.decided.set(pair, existing[0] if existing else 0, Decision.MERGED)
        # From now on the merged record stands for its survivor in the blocks.
        self.index.merged(pair[1], pair[0])
        return True

    def survivor_keys(self, survivor_id: int, merged_id: int) -> Keys | None:
        survivor = self.index.keys.get(survivor_id)
        merged = self.index.aliases.get(merged_id)
        if survivor is None or merged is None:
            return survivor
        keys = _keys_merged(survivor, merged)
        self.index.update(keys)
        return keys

    def flush(self, counts: Counts) -> None:
        """Make the chunk's merges: their cases, the merges, the survivors' stored keys."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        new = [
            DuplicateCase(
                person_a_id=pair[0],
                person_b_id=pair[1],
                score=score.probability,
                reasons=_reasons(score, self.weights, via),
                source=self.source,
            )
            for pair, score, via, existing in pending
            if existing is None
        ]
        DuplicateCase.objects.bulk_create(new)
        created = iter(new)
        requests = []
        for pair, score, via, existing in pending:
            if existing is None:
                case_id = next(created).pk
            else:
                case_id = existing[0]
                _case_refresh(case_id, score, _reasons(score, self.weights, via))
            self.decided.set(pair, case_id, Decision.MERGED)
            requests.append(MergeRequest(pair[0], pair[1], case_id))
        outcome = person_merge_many(requests)
        if outcome.refused:
            # A record left the registry or was merged by someone else since the index was
            # read: as in the incremental path, that pair is not merged and its new case
            # goes (an open one stays open).
            # Every request of this chunk names its case (made or found above).
            refused = {
                (r.survivor_id, r.merged_id): r.case_id
                for r, _error in outcome.refused
                if r.case_id is not None
            }
            was_open = {existing[0] for _p, _s, _v, existing in pending if existing}
            DuplicateCase.objects.filter(
                pk__in=[c for c in refused.values() if c not in was_open]
            ).delete()
            for pair, case_id in refused.items():
                if case_id in was_open:
                    self.decided.set(pair, case_id, Decision.OPEN)
                else:
                    self.decided.forget(pair)
            counts.merged -= len(refused)
            counts.pairs_found -= len(refused)
            logger.warning("dedup batch: %d merges refused: %s", len(refused), outcome.refused)
        survivors = sorted({r.survivor_id for r in requests})
        keys_refresh_stale(person_ids=survivors)


def _reasons(score: Score, weights: Weights, via: int | None) -> list[dict]:
    reasons = score.reasons(weights)
    if via is not None:
        # The best match was a record already merged into one of the pair.
        reasons.append(
            {"field": "merged_record", "outcome": "agree", "level": "alias", "weight": None}
        )
    return reasons


def _resolve(
    *,
    keys: Keys,
    candidates: list[Candidate],
    weights: Weights,
    source: str,
    decided: _Decided,
    merger: _Merger,
) -> PersonResult:
    """Score `keys` against its candidates and act: merge, open cases, or nothing."""
    result = PersonResult(person_id=keys.person_id)
    counts = result.counts
    current = keys
    pending = candidates
    while pending:
        ranked = _best_per_target(current, pending, weights, counts)
        pending = []
        for index, (score, other, target) in enumerate(ranked):
            pair = _pair(current.person_id, target)
            via = other.person_id if other.person_id != target else None
            existing = decided.get(pair)
            if existing is not None and existing[1] != Decision.OPEN:
                counts.skipped_decided += 1
                continue
            counts.pairs_found += 1
            if score.log_odds >= weights.auto_merge:
                survivor_id, merged_id = pair
                if not merger.merge(pair=pair, score=score, via=via, existing=existing):
                    counts.pairs_found -= 1
                    continue
                counts.merged += 1
                if merged_id == current.person_id:
                    result.survivor_id = survivor_id
                else:
                    result.merged_ids.append(merged_id)
                refreshed = merger.survivor_keys(survivor_id, merged_id)
                if refreshed is None:
                    return result
                current = refreshed
                # The others are compared again with the survivor, as it now stands.
                pending = [
                    (o, t) for _s, o, t in ranked[index + 1 :] if t not in (survivor_id, merged_id)
                ]
                break
            case, created = _case_upsert(
                pair=pair, score=score, weights=weights, source=source, decided=decided, via=via
            )
            if created:
                counts.opened += 1
                result.opened_case_ids.append(case.pk)
            else:
                counts.updated += 1
    return result


# --------------------------------------------------------------------------- incremental


def dedup_person(*, person_id: int, weights: Weights | None = None) -> PersonResult:
    """Check one new or changed record against the registry, and act on what is found."""
    weights = weights or weights_load()
    with transaction.atomic():
        found = keys_refresh_with_status(person_id)
        if found is None or found[1] != Person.Status.ACTIVE:
            return PersonResult(person_id=person_id)
        keys = found[0]
        decided = _Decided()
        return _resolve(
            keys=keys,
            candidates=candidates_lookup(keys),
            weights=weights,
            source=Source.INCREMENTAL,
            decided=decided,
            merger=_MergeNow(weights=weights, source=Source.INCREMENTAL, decided=decided),
        )


def dedup_people(*, person_ids: list[int]) -> Counts:
    """Check several records (a bulk intake's), one after the other."""
    counts = Counts()
    for person_id in person_ids:
        counts.add(dedup_person(person_id=person_id).counts)
    return counts


# --------------------------------------------------------------------------- batch


class BatchAlreadyRunningError(Exception):
    pass


@dataclass
class BatchSummary:
    run_id: int
    total: int
    done: int
    finished: bool
    counts: dict[str, int]
    oversized_blocks: dict[str, int]


def _run_for(
    *, resume: bool, chunk_size: int, weights: Weights, started_by: User | None = None
) -> DedupRun:
    unfinished = DedupRun.objects.filter(status=DedupRun.Status.RUNNING).order_by("-pk")
    if resume and (run := unfinished.first()) is not None:
        return run
    unfinished.update(status=DedupRun.Status.ABANDONED, updated_at=timezone.now())
    return DedupRun.objects.create(
        chunk_size=chunk_size, weights_version=weights.version, started_by=started_by
    )


def dedup_batch(
    *,
    chunk_size: int = 5000,
    resume: bool = True,
    progress: Callable[[DedupRun], None] | None = None,
    weights: Weights | None = None,
    started_by: User | None = None,
) -> BatchSummary:
    """Compare every active record with the older ones, chunk by chunk, resumably.

    Each chunk commits its cases, merges and the run's cursor together. `resume` continues
    the last unfinished run after its cursor (otherwise a new run starts from the first
    record). `progress(run)` is called after each chunk; if it raises, the run stops
    there and can be resumed.
    """
    weights = weights or weights_load()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [BATCH_LOCK])
        if not cursor.fetchone()[0]:
            raise BatchAlreadyRunningError("another dedup run is in progress")
    try:
        return _batch(
            chunk_size=chunk_size,
            resume=resume,
            progress=progress,
            weights=weights,
            started_by=started_by,
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [BATCH_LOCK])


def _batch(
    *,
    chunk_size: int,
    resume: bool,
    progress: Callable[[DedupRun], None] | None,
    weights: Weights,
    started_by,
) -> BatchSummary:
    run = _run_for(resume=resume, chunk_size=chunk_size, weights=weights, started_by=started_by)
    chunk_size = run.chunk_size
    counts = Counts(**{k: v for k, v in run.counts.items() if k in Counts.__dataclass_fields__})
    refreshed = keys_refresh_stale()
    index = BlockIndex(*registry_keys())
    decided = _Decided(
        {
            (a, b): (pk, decision)
            for pk, a, b, decision in DuplicateCase.objects.values_list(
                "pk", "person_a_id", "person_b_id", "decision"
            ).iterator(chunk_size=20_000)
        }
    )
    ids = sorted(pk for pk in index.keys if pk > run.cursor)
    if not run.total:
        run.total = len(ids) + run.done
    extra = run.counts.get("keys_refreshed", 0) + refreshed

    merger = _MergeLater(weights=weights, source=Source.BATCH, decided=decided, index=index)

    for start in range(0, len(ids), chunk_size):
        chunk = ids[start : start + chunk_size]
        with transaction.atomic():
            for person_id in chunk:
                keys = index.keys.get(person_id)
                if keys is None:
                    continue  # merged earlier in this run
                candidates = list(index.older_candidates(keys))
                if not candidates:
                    continue
                counts.add(
                    _resolve(
                        keys=keys,
                        candidates=candidates,
                        weights=weights,
                        source=Source.BATCH,
                        decided=decided,
                        merger=merger,
                    ).counts
                )
            merger.flush(counts)
            run.cursor = chunk[-1]
            run.done += len(chunk)
            run.counts = {**counts.as_dict(), "keys_refreshed": extra}
            run.save(update_fields=["cursor", "done", "counts", "total", "updated_at"])
        if progress is not None:
            progress(run)
    run.status = DedupRun.Status.FINISHED
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "finished_at", "updated_at"])
    return BatchSummary(
        run_id=run.pk,
        total=run.total,
        done=run.done,
        finished=True,
        counts=run.counts,
        oversized_blocks=index.oversized,
    )
