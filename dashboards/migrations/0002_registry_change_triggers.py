"""Statement-level triggers that queue the registrants whose counted attributes changed.

One INSERT per statement from its transition table: a bulk file's chunk of thousands of
rows queues its ids in one statement, and nothing else in the registry's write path
changes. The rollups themselves are updated by Celery (dashboards.services.rollups_refresh).
"""

from django.db import migrations

# Columns of registry_person the rollups count by (dashboards.services.FACT_SELECT).
COUNTED = (
    "status, village_id, channel, actor_type, sector, sex, date_of_birth, partner_id,"
    " branch_id, entered_by_id, created_at"
)


def _queue(table: str, name: str, op: str, rows: str, person: str) -> str:
    return f"""
CREATE FUNCTION dashboards_queue_{name}_{op.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dashboards_dirty_person (person_id) SELECT {person} FROM {rows};
  RETURN NULL;
END $$;
CREATE TRIGGER dashboards_queue_{op.lower()} AFTER {op} ON {table}
  REFERENCING {"NEW" if rows == "new_rows" else "OLD"} TABLE AS {rows}
  FOR EACH STATEMENT EXECUTE FUNCTION dashboards_queue_{name}_{op.lower()}();
"""


def _drop(table: str, name: str, op: str) -> str:
    return (
        f"DROP TRIGGER IF EXISTS dashboards_queue_{op.lower()} ON {table};"
        f" DROP FUNCTION IF EXISTS dashboards_queue_{name}_{op.lower()}();"
    )


FORWARD = [
    _queue("registry_person", "person", "INSERT", "new_rows", "id"),
    _queue("registry_person", "person", "DELETE", "old_rows", "id"),
    f"""
CREATE FUNCTION dashboards_queue_person_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO dashboards_dirty_person (person_id)
  SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE ({", ".join("n." + c.strip() for c in COUNTED.split(","))})
        IS DISTINCT FROM ({", ".join("o." + c.strip() for c in COUNTED.split(","))});
  RETURN NULL;
END $$;
CREATE TRIGGER dashboards_queue_update AFTER UPDATE ON registry_person
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dashboards_queue_person_update();
""",
]
BACKWARD = [
    _drop("registry_person", "person", "INSERT"),
    _drop("registry_person", "person", "DELETE"),
    _drop("registry_person", "person", "UPDATE"),
]
for table, name in (("registry_consent", "consent"), ("campaigns_attribution", "attribution")):
    FORWARD += [
        _queue(table, name, "INSERT", "new_rows", "person_id"),
        _queue(table, name, "UPDATE", "new_rows", "person_id"),
        _queue(table, name, "DELETE", "old_rows", "person_id"),
    ]
    BACKWARD += [_drop(table, name, op) for op in ("INSERT", "UPDATE", "DELETE")]


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_rollups"),
        ("registry", "0012_bulk_registration_indexes"),
        ("campaigns", "0003_models_moved_to_their_apps"),
    ]

    operations = [migrations.RunSQL(sql=FORWARD, reverse_sql=BACKWARD)]
