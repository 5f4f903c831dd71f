"""The pairs found, as the CSV partners and auditors read (`manage.py export_duplicates`).

References are written through registry.spreadsheets.cell_neutralise.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import connection

from registry.spreadsheets import cell_neutralise

EXPORT_COLUMNS = ("reference_a", "reference_b", "score", "decision")

# A record is named by its intake reference, or by its registration number when it came
# without one (self-registration).
_SQL = """
    SELECT COALESCE(NULLIF(a.reference, ''), a.registration_number),
           COALESCE(NULLIF(b.reference, ''), b.registration_number),
           c.score,
           CASE c.decision WHEN 'merged' THEN 'merged' ELSE 'possible' END
    FROM registry_duplicatecase c
    JOIN registry_person a ON a.id = c.person_a_id
    JOIN registry_person b ON b.id = c.person_b_id
    WHERE c.decision IN ('merged', 'open')
    ORDER BY c.id
"""


def duplicates_export(*, path: Path) -> int:
    """Write one row per pair found (merged or possible; pairs decided different are left
    out); returns the number of rows."""
    rows = 0
    with (
        path.open("w", encoding="utf-8", newline="") as handle,
        connection.cursor() as cursor,
    ):
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        cursor.execute(_SQL)
        while batch := cursor.fetchmany(10_000):
            for reference_a, reference_b, score, decision in batch:
                # A partner's reference is text they typed: it may start like a formula.
                writer.writerow(
                    [
                        cell_neutralise(reference_a),
                        cell_neutralise(reference_b),
                        f"{score:.4f}",
                        decision,
                    ]
                )
            rows += len(batch)
    return rows
