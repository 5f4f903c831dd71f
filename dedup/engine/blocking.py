"""Blocking: which records are worth comparing with a given one.

Comparing every pair of a million records is 5 * 10**11 comparisons; blocking compares
only records that share a cheap, indexed key. Each rule below has a PersonKeys index,
so the incremental check is a handful of index lookups, and the batch builds the same
blocks in memory. A block bigger than its rule's cap (a phone shared by a market stall,
a date of birth like 1 January that clerks use for "unknown") says little about
identity, so that rule skips it; the other rules still apply to those records.
"""

from __future__ import annotations

import datetime
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter

from django.db import connection
from rapidfuzz import process
from rapidfuzz.distance import Indel

from dedup.engine.keys import KEY_FIELDS, Keys
from registry.models import Person
from registry.selectors.people import person_survivors


@dataclass(frozen=True)
class BlockingRule:
    name: str
    fields: tuple[str, ...]
    cap: int  # at most this many other records in one block
    name_filter: bool = False  # compare only when the names are alike


RULES = (
    BlockingRule("phone", ("phone",), cap=30),
    BlockingRule("national_id", ("national_id",), cap=10),
    BlockingRule("khmer_village", ("khmer_key", "village_id"), cap=50),
    BlockingRule("latin_dob", ("latin_key", "date_of_birth"), cap=50),
    # Same birth date and sex with a similar (not necessarily equal) name: catches what
    # the exact keys miss, such as a Khmer name typed with another spelling.
    BlockingRule("dob_sex_name", ("date_of_birth", "sex"), cap=1000, name_filter=True),
)
RULE_NAMES = tuple(rule.name for rule in RULES)

KHMER_FILTER = 0.6
LATIN_FILTER = 0.8


def names_alike(a: Keys, b: Keys) -> bool:
    if Indel.normalized_similarity(a.khmer_key, b.khmer_key, score_cutoff=KHMER_FILTER):
        return True
    return bool(
        a.latin_key
        and b.latin_key
        and Indel.normalized_similarity(a.latin_key, b.latin_key, score_cutoff=LATIN_FILTER)
    )


_GETTERS = {rule.name: attrgetter(*rule.fields) for rule in RULES}

# A block is named by its rule's one value, or by the tuple of its rule's values.
BlockPart = str | int | datetime.date
BlockValue = BlockPart | tuple[BlockPart, ...]


def _rule_key(rule: BlockingRule, keys: Keys) -> BlockValue | None:
    """The rule's block of `keys` (a value, or a tuple of values), None when a value is
    missing."""
    value = _GETTERS[rule.name](keys)
    if len(rule.fields) == 1:
        return None if value is None or value == "" else value
    for part in value:
        if part is None or part == "":
            return None
    return value


# --------------------------------------------------------------------------- incremental

_COLUMNS = ", ".join(f"k.{field}" for field in KEY_FIELDS)


def candidates_lookup(keys: Keys) -> list[tuple[Keys, int]]:
    """(keys to compare with, active record the pair is with) for the records sharing a
    block with `keys`, from the indexes; a merged record stands for its survivor."""
    parts: list[str] = []
    params: list[BlockPart] = []
    for rule in RULES:
        value = _rule_key(rule, keys)
        if value is None:
            continue
        values = value if isinstance(value, tuple) else (value,)
        where = " AND ".join(f"k.{field} = %s" for field in rule.fields)
        # Column names come from RULES, values are parameters.
        parts.append(
            f"(SELECT %s AS rule, k.person_id, p.merged_into_id FROM registry_personkeys k"  # noqa: S608
            f" JOIN registry_person p ON p.id = k.person_id AND p.status IN ('active', 'merged')"
            f" WHERE {where} AND k.person_id <> %s LIMIT {rule.cap + 1})"
        )
        params += [rule.name, *values, keys.person_id]
    if not parts:
        return []
    sql = (
        f"WITH c AS ({' UNION ALL '.join(parts)})"  # noqa: S608
        f" SELECT c.rule, c.merged_into_id, {_COLUMNS} FROM c"
        " JOIN registry_personkeys k ON k.person_id = c.person_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[row[0]] = sizes.get(row[0], 0) + 1
    caps = {rule.name: rule for rule in RULES}
    found: dict[int, tuple[Keys, int | None]] = {}
    for row in rows:
        rule = caps[row[0]]
        if sizes[rule.name] > rule.cap:
            continue
        other = Keys(*row[2:])
        if other.person_id in found:
            continue
        if rule.name_filter and not names_alike(keys, other):
            continue
        found[other.person_id] = (other, row[1])
    survivors = _survivors({merged_into for _k, merged_into in found.values() if merged_into})
    out = []
    for other, merged_into in found.values():
        target = other.person_id if merged_into is None else survivors.get(merged_into)
        if target is not None and target != keys.person_id:
            out.append((other, target))
    return out


def _survivors(ids: set[int]) -> dict[int, int]:
    """The active record each of `ids` is, following merges made in a chain; a record
    whose chain ends withdrawn or gone has no one to pair with and is left out."""
    return {
        start: end
        for start, (end, status) in person_survivors(person_ids=ids).items()
        if status == Person.Status.ACTIVE
    }


# --------------------------------------------------------------------------- batch


class BlockIndex:
    """Every record's keys and the blocks of each rule, in memory, for the batch.

    Blocks list person ids in ascending order, so the records older than a given one are
    a prefix of each of its blocks: the batch compares each record with the older ones
    only, and every pair once.

    A merged record stays in its blocks as an alias of its survivor: a third record of
    the person that resembles the merged one more than the survivor (the phone it had
    then, the spelling that clerk used) is still found, and paired with the survivor.
    """

    def __init__(self, rows: Iterable[Keys], merged_into: dict[int, int] | None = None) -> None:
        self.keys: dict[int, Keys] = {}
        self.aliases: dict[int, Keys] = {}
        self.survivor: dict[int, int] = dict(merged_into or {})
        blocks: list[dict[BlockValue, list[int]]] = [{} for _ in RULES]
        for keys in rows:
            if keys.person_id in self.survivor:
                self.aliases[keys.person_id] = keys
            else:
                self.keys[keys.person_id] = keys
            for rule, index in zip(RULES, blocks, strict=True):
                value = _rule_key(rule, keys)
                if value is not None:
                    index.setdefault(value, []).append(keys.person_id)
        self.oversized = dict.fromkeys(RULE_NAMES, 0)
        # For rules that filter on names: each block's names, beside its ids, so the
        # filter runs over a block in one call (rapidfuzz's C loop) rather than per pair.
        self.names: list[dict[BlockValue, tuple[list[str], list[str]]] | None] = []
        for rule, index in zip(RULES, blocks, strict=True):
            for value in [v for v, ids in index.items() if len(ids) > rule.cap + 1]:
                del index[value]
                self.oversized[rule.name] += 1
            for value in [v for v, ids in index.items() if len(ids) == 1]:
                del index[value]  # a block of one pairs nothing
            for ids in index.values():
                ids.sort()
            if rule.name_filter:
                every = {**self.keys, **self.aliases}
                self.names.append(
                    {
                        value: (
                            [every[i].khmer_key for i in ids],
                            [every[i].latin_key for i in ids],
                        )
                        for value, ids in index.items()
                    }
                )
            else:
                self.names.append(None)
        self.blocks = blocks

    def __len__(self) -> int:
        return len(self.keys)

    def merged(self, person_id: int, survivor_id: int) -> None:
        """The record was merged: from now on it stands for its survivor."""
        keys = self.keys.pop(person_id, None)
        if keys is not None:
            self.aliases[person_id] = keys
        self.survivor[person_id] = survivor_id

    def update(self, keys: Keys) -> None:
        """A survivor took values from the record merged into it."""
        if keys.person_id in self.keys:
            self.keys[keys.person_id] = keys

    def root(self, person_id: int) -> int:
        seen = 0
        while person_id in self.survivor and seen < 100:
            person_id = self.survivor[person_id]
            seen += 1
        return person_id

    def older_candidates(self, keys: Keys) -> Iterator[tuple[Keys, int]]:
        """(keys to compare with, active record the pair is with) for every record with a
        smaller id sharing a block with `keys`; merged records stand for their survivor."""
        seen: set[int] = set()
        person_id = keys.person_id
        for rule, index, names in zip(RULES, self.blocks, self.names, strict=True):
            value = _rule_key(rule, keys)
            if value is None:
                continue
            ids = index.get(value)
            if not ids:
                continue
            older = bisect_left(ids, person_id)
            if not older:
                continue
            if names is None:
                chosen = ids[:older]
            else:
                khmer, latin = names[value]
                hits = {
                    i
                    for _c, _s, i in process.extract(
                        keys.khmer_key,
                        khmer[:older],
                        scorer=Indel.normalized_similarity,
                        score_cutoff=KHMER_FILTER,
                        limit=None,
                    )
                }
                if keys.latin_key:
                    hits.update(
                        i
                        for _c, _s, i in process.extract(
                            keys.latin_key,
                            latin[:older],
                            scorer=Indel.normalized_similarity,
                            score_cutoff=LATIN_FILTER,
                            limit=None,
                        )
                        if latin[i]
                    )
                chosen = [ids[i] for i in sorted(hits)]
            for other_id in chosen:
                if other_id in seen:
                    continue
                other = self.keys.get(other_id)
                target = other_id
                if other is None:
                    other = self.aliases.get(other_id)
                    target = self.root(other_id)
                    if other is None or target == person_id or target not in self.keys:
                        continue
                seen.add(other_id)
                yield other, target


def keys_from_row(row: tuple) -> Keys:
    return Keys(*row)


def date_or_none(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None
