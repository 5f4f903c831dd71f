"""Rollups of the registry for the dashboards: counts only, never a person's details.

How they stay fresh (README, "Dashboards"): statement-level triggers on the registry's
tables put the ids of registrants whose counted attributes changed into `DirtyPerson`;
every few seconds Celery beat runs `dashboards.tasks.rollups_refresh`, which takes the
queued ids, subtracts what each person counted for before (`PersonFact`) and adds what
they count for now, in every `RollupCell` cuboid, in one transaction. Counts are exact,
and the work is proportional to what changed, not to the registry's size.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models


class DirtyPerson(models.Model):
    """A registrant whose counted attributes changed since the last refresh (a queue)."""

    person_id = models.BigIntegerField()

    class Meta:
        db_table = "dashboards_dirty_person"

    def __str__(self) -> str:
        return f"registrant {self.person_id} to recount"


class PersonFact(models.Model):
    """What one registrant is currently counted as in the rollups."""

    person_id = models.BigIntegerField(primary_key=True)
    day = models.DateField()  # day of registration, Cambodian time
    province_id = models.IntegerField()
    district_id = models.IntegerField()
    commune_id = models.IntegerField()
    village_id = models.IntegerField()
    channel = models.CharField(max_length=12)
    actor_type = models.CharField(max_length=30)
    sector = models.CharField(max_length=30)
    sex = models.CharField(max_length=1)
    age_band = models.SmallIntegerField()
    partner_id = models.IntegerField()
    branch_id = models.IntegerField()
    staff_id = models.IntegerField()
    campaign_id = models.IntegerField()
    status = models.CharField(max_length=12)
    # Programmes the registrant's consent is in force for (-1: data sharing).
    programmes = ArrayField(models.IntegerField(), default=list)

    class Meta:
        db_table = "dashboards_person_fact"

    def __str__(self) -> str:
        return f"registrant {self.person_id} as counted"


# The dimensions of a cell, in the order of its unique index (area first, so a drill-down
# reads one contiguous range). 0 or "" where a cuboid does not keep the dimension, and
# for "none" (no partner, no campaign).
CELL_DIMENSIONS = (
    "province_id",
    "district_id",
    "commune_id",
    "village_id",
    "period",
    "channel",
    "actor_type",
    "sector",
    "sex",
    "age_band",
    "partner_id",
    "branch_id",
    "staff_id",
    "campaign_id",
    "status",
    "programme_id",
)


class RollupCell(models.Model):
    """One cell of one cuboid (dashboards.cuboids): how many registrants share its values."""

    cuboid = models.SmallIntegerField()
    period = models.DateField()  # a day, or a month's first day
    province_id = models.IntegerField(default=0)
    district_id = models.IntegerField(default=0)
    commune_id = models.IntegerField(default=0)
    village_id = models.IntegerField(default=0)
    channel = models.CharField(max_length=12, default="")
    actor_type = models.CharField(max_length=30, default="")
    sector = models.CharField(max_length=30, default="")
    sex = models.CharField(max_length=1, default="")
    age_band = models.SmallIntegerField(default=0)
    partner_id = models.IntegerField(default=0)
    branch_id = models.IntegerField(default=0)
    staff_id = models.IntegerField(default=0)
    campaign_id = models.IntegerField(default=0)
    status = models.CharField(max_length=12, default="")
    programme_id = models.IntegerField(default=0)
    n = models.IntegerField()

    class Meta:
        db_table = "dashboards_rollup_cell"
        constraints = [
            models.UniqueConstraint(fields=["cuboid", *CELL_DIMENSIONS], name="rollup_cell_unique")
        ]
        indexes = [
            # A period's cells of one cuboid, whatever the area (short periods, trends).
            models.Index(fields=["cuboid", "period"], name="rollup_cell_period_idx"),
            # Cells emptied by a change, removed at the end of each refresh.
            models.Index(fields=["cuboid"], name="rollup_cell_empty_idx", condition=models.Q(n=0)),
        ]

    def __str__(self) -> str:
        return f"cuboid {self.cuboid} {self.period}: {self.n}"


class RollupState(models.Model):
    """When the rollups last caught up with the registry (one row)."""

    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        db_table = "dashboards_rollup_state"

    def __str__(self) -> str:
        return f"rollups refreshed at {self.refreshed_at}"
