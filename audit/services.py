"""Recording reads: one set-based INSERT per read, whatever the number of people.

The user's roles and scopes are read by the same statement (no query of its own), and
kept as ids ("branch:12"): what the scope was when the record was read, whatever the
branch is called later.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection

from accounts.models import Role, RoleAssignment, User
from audit.models import PersonRead

EXPORT_SLICE = 50_000
# The scope column of a role assignment, most specific first (accounts.models.SCOPE_FIELDS).
SCOPE_ORDER = ("branch", "partner", "commune", "district", "province", "programme")


def _sql() -> str:
    scope = ", ".join(f"'{f}:' || {f}_id" for f in SCOPE_ORDER)
    return (
        f"INSERT INTO {PersonRead._meta.db_table} "  # noqa: S608  # our table names only
        "(at, person_id, user_id, username, roles, scope, kind, view) "
        "SELECT clock_timestamp(), person, %(user)s, %(username)s, "
        "coalesce((SELECT array_agg(DISTINCT r ORDER BY r) FROM ("
        f"  SELECT role AS r FROM {RoleAssignment._meta.db_table} WHERE user_id = %(user)s"
        "  UNION SELECT unnest(%(extra)s::varchar[])) roles), '{}'), "
        f"coalesce((SELECT left(string_agg(DISTINCT coalesce({scope}), '; '), 300) "
        f"  FROM {RoleAssignment._meta.db_table} WHERE user_id = %(user)s), ''), "
        "%(kind)s, %(view)s FROM unnest(%(people)s::bigint[]) person"
    )


def person_reads_record(*, user: User, person_ids: Iterable[int], kind: str, view: str = "") -> int:
    """Record that `user` read the full records of `person_ids`; return the rows written.

    Called by every channel that shows a person's record to staff (pages, API, admin,
    review, exports). One statement: a list of 500 rows costs one INSERT of 500 rows; an
    export of millions, one INSERT per EXPORT_SLICE people.
    """
    ids = sorted({int(pk) for pk in person_ids})
    if not ids or not user.is_authenticated:
        return 0
    params: dict[str, Any] = {
        "user": user.pk,
        "username": user.get_username(),
        # A superuser is an administrator whether or not a role row says so.
        "extra": [Role.ADMINISTRATOR.value] if user.is_superuser else [],
        "kind": kind,
        "view": view,
    }
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), EXPORT_SLICE):
            cursor.execute(_sql(), {**params, "people": ids[start : start + EXPORT_SLICE]})
            written += cursor.rowcount
    return written
