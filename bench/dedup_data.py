"""Generated registrants as the registry stores them: the helpers of the dedup benchmarks.

Rows of `bench/generate.py` go through the shared normalisation (`registry.normalise`),
as bulk intake would put them, so the engine sees what it sees in production.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError

from dedup.engine.keys import Keys, keys_compute
from registry.normalise import (
    normalise_name_km,
    normalise_name_latin,
    normalise_national_id,
    normalise_phone,
    parse_date,
)


def normalised(row: dict[str, str]) -> dict | None:
    """The row as the registry would store it, or None if intake would refuse it."""
    try:
        return {
            "reference": row["reference"],
            "name_km": normalise_name_km(row["name_km"]),
            "name_latin": normalise_name_latin(row["name_latin"]),
            "sex": row["sex"],
            "date_of_birth": parse_date(row["date_of_birth"]),
            "national_id": normalise_national_id(row["national_id"]),
            "phone": normalise_phone(row["phone"], required=False),
            "village_code": row["village_code"],
            "commune_code": row["commune_code"],
            "actor_type": row["actor_type"],
            "sector": row["sector"],
        }
    except ValidationError:
        return None


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def read_truth(path: Path) -> dict[str, tuple[str, str]]:
    """reference -> (person_id, kind)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["reference"]: (row["person_id"], row["kind"]) for row in csv.DictReader(handle)}


def truth_pairs(references: list[str], truth: dict[str, tuple[str, str]]) -> set[tuple[str, str]]:
    """Every pair of references that are one person (sorted pairs)."""
    groups: dict[str, list[str]] = {}
    for reference in references:
        groups.setdefault(truth[reference][0], []).append(reference)
    pairs = set()
    for members in groups.values():
        members.sort()
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pairs.add((a, b))
    return pairs


def offline_keys(person_id: int, row: dict) -> Keys:
    """Keys without a database: places are identified by their codes."""
    dob: datetime.date = row["date_of_birth"]
    commune = int(row["commune_code"])
    return keys_compute(
        person_id=person_id,
        name_km=row["name_km"],
        name_latin=row["name_latin"],
        phone=row["phone"],
        national_id=row["national_id"],
        date_of_birth=dob,
        sex=row["sex"],
        village_id=commune * 1000 + int(row["village_code"][-2:]),
        commune_id=commune,
        province_id=int(row["commune_code"][:2]),
    )
