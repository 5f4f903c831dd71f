"""The dedup keys kept in the database (`registry_personkeys`): computed from each
record's normalised fields, refreshed one at a time after a registration or set-based
for the records changed since (COPY + upsert), and read back whole for a batch."""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from dedup.engine.keys import KEY_FIELDS, Keys, keys_compute

_PERSON_KEYS_SQL = """
    SELECT p.id, p.name_km, p.name_latin, p.phone, p.national_id, p.date_of_birth, p.sex,
           p.village_id, v.commune_id, d.province_id
    FROM registry_person p
    JOIN registry_village v ON v.id = p.village_id
    JOIN registry_commune c ON c.id = v.commune_id
    JOIN registry_district d ON d.id = c.district_id
"""
_KEYS_UPSERT_SQL = (
    f"INSERT INTO registry_personkeys ({', '.join(KEY_FIELDS)}, computed_at)"  # noqa: S608
    f" VALUES ({', '.join(['%s'] * len(KEY_FIELDS))}, now())"
    " ON CONFLICT (person_id) DO UPDATE SET "
    + ", ".join(f"{f} = EXCLUDED.{f}" for f in KEY_FIELDS[1:])
    + ", computed_at = now()"
)


def _keys_from_person_row(row: tuple) -> Keys:
    person_id, name_km, name_latin, phone, national_id, dob, sex, village, commune, province = row
    return keys_compute(
        person_id=person_id,
        name_km=name_km,
        name_latin=name_latin,
        phone=phone,
        national_id=national_id,
        date_of_birth=dob,
        sex=sex,
        village_id=village,
        commune_id=commune,
        province_id=province,
    )


def keys_refresh(*, person_id: int) -> Keys | None:
    """Recompute and store one record's keys; None when the record does not exist."""
    found = keys_refresh_with_status(person_id)
    return found[0] if found else None


def keys_refresh_with_status(person_id: int) -> tuple[Keys, str] | None:
    """(keys, status) of one record, its keys recomputed and stored."""
    with connection.cursor() as cursor:
        cursor.execute(
            _PERSON_KEYS_SQL.replace("SELECT p.id,", "SELECT p.status, p.id,", 1)
            + " WHERE p.id = %s",
            [person_id],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        keys = _keys_from_person_row(row[1:])
        cursor.execute(_KEYS_UPSERT_SQL, [getattr(keys, f) for f in KEY_FIELDS])
    return keys, row[0]


def keys_refresh_stale(*, person_ids: list[int] | None = None, batch_size: int = 20_000) -> int:
    """Compute the keys of every record that has none or changed since (of `person_ids`
    only, when given); returns how many.

    Streams the records and writes the keys with COPY and one upsert per batch, so a
    registry loaded in bulk gets its keys in one pass.
    """
    done = 0
    columns = ", ".join(KEY_FIELDS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS dedup_keys_in;"
            " CREATE TEMP TABLE dedup_keys_in (LIKE registry_personkeys INCLUDING DEFAULTS)"
            " ON COMMIT DROP"
        )
        raw = connection.connection
        with raw.cursor(name="dedup_stale_keys") as source:
            source.itersize = batch_size
            source.execute(
                _PERSON_KEYS_SQL + " LEFT JOIN registry_personkeys k ON k.person_id = p.id"
                " WHERE (k.person_id IS NULL OR k.computed_at < p.updated_at)"
                + (" AND p.id = ANY(%s)" if person_ids is not None else ""),
                [person_ids] if person_ids is not None else None,
            )
            while rows := source.fetchmany(batch_size):
                with (
                    raw.cursor() as sink,
                    sink.copy(f"COPY dedup_keys_in ({columns}, computed_at) FROM STDIN") as copy,
                ):
                    now = timezone.now()
                    for row in rows:
                        keys = _keys_from_person_row(row)
                        copy.write_row([*(getattr(keys, f) for f in KEY_FIELDS), now])
                done += len(rows)
        cursor.execute(
            f"INSERT INTO registry_personkeys ({columns}, computed_at)"  # noqa: S608
            f" SELECT {columns}, computed_at FROM dedup_keys_in"
            " ON CONFLICT (person_id) DO UPDATE SET "
            + ", ".join(f"{f} = EXCLUDED.{f}" for f in (*KEY_FIELDS[1:], "computed_at"))
        )
        cursor.execute("DROP TABLE dedup_keys_in")
    return done


def registry_keys() -> tuple[list[Keys], dict[int, int]]:
    """Keys of every active and merged record in id order (streamed with COPY), and for
    each merged record the record it was merged into."""
    types = ["int8", "text", "text", "text", "text", "text", "text", "date", "int2", "text"]
    types += ["int8", "int8", "int8", "int8"]
    columns = ", ".join(f"k.{f}" for f in KEY_FIELDS)
    interned: dict[str, str] = {}
    out: list[Keys] = []
    merged_into: dict[int, int] = {}
    with connection.cursor() as cursor:
        raw = cursor.connection
        with (
            raw.cursor() as copy_cursor,
            copy_cursor.copy(
                f"COPY (SELECT {columns}, p.merged_into_id FROM registry_personkeys k"  # noqa: S608
                " JOIN registry_person p ON p.id = k.person_id"
                " WHERE p.status = 'active' OR (p.status = 'merged' AND p.merged_into_id IS NOT NULL)"
                " ORDER BY k.person_id) TO STDOUT"
            ) as copy,
        ):
            copy.set_types(types)
            intern = interned.setdefault
            for row in copy.rows():
                # Names and keys repeat a lot: one object per distinct value.
                person_id, name_km, name_latin, latin, khmer, *rest, survivor = row
                out.append(
                    Keys(
                        person_id,
                        intern(name_km, name_km),
                        intern(name_latin, name_latin),
                        intern(latin, latin),
                        intern(khmer, khmer),
                        *rest,
                    )
                )
                if survivor is not None:
                    merged_into[person_id] = survivor
    return out, merged_into
