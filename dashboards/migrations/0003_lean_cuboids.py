"""Count the lean cuboids (dashboards.cuboids: status and one breakdown, nationally or
by province, at each grain, or under one filter by month and day; and cuboids 13 and 14,
the trend under the filters without the area)
from the registrants' current facts, so existing rollups answer from them at once."""

from django.db import migrations

LEAN_CUBOIDS = {13, 14, *range(100, 110), *range(120, 129)}
LEAN_CUBOIDS |= {c + 40 for c in LEAN_CUBOIDS if c >= 100} | {
    c + 80 for c in LEAN_CUBOIDS if c >= 100
}
LEAN_CUBOIDS |= {*range(300, 326), *range(340, 366)}


def fill(apps, schema_editor):
    from dashboards.services import rollups_fill

    rollups_fill(cuboid_ids=LEAN_CUBOIDS)


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0002_registry_change_triggers")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
