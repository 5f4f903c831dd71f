"""Eligibility criteria as a value: from a saved rule, a targeting form or an export's
snapshot. Checked here (contradictions), evaluated by sharing.eligibility."""

import dataclasses
import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclasses.dataclass(frozen=True)
class Criteria:
    actor_types: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    sex: str = ""
    age_min: int | None = None
    age_max: int | None = None
    age_on: datetime.date | None = None
    area_codes: tuple[str, ...] = ()
    registered_since: datetime.date | None = None
    registered_before: datetime.date | None = None
    channels: tuple[str, ...] = ()
    workers_min: int | None = None
    workers_max: int | None = None
    seasonal_months: tuple[int, ...] = ()
    has_phone: bool | None = None
    has_national_id: bool | None = None

    @classmethod
    def from_object(cls, source: Any) -> "Criteria":
        """From anything with these attributes (a rule, a form's cleaned data wrapper)."""
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            value = getattr(source, field.name, None)
            if field.default == ():
                value = tuple(value or ())
            elif field.name == "sex":
                value = value or ""
            values[field.name] = value
        return cls(**values)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Criteria":
        values: dict[str, Any] = {}
        for field in dataclasses.fields(cls):
            value = data.get(field.name)
            if field.default == ():
                value = tuple(value or ())
            elif field.name == "sex":
                value = value or ""
            elif value and field.name in DATE_FIELDS:
                value = datetime.date.fromisoformat(value)
            values[field.name] = value
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: what an export job keeps of the rule it ran."""
        out: dict[str, Any] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            out[field.name] = value
        return out

    @property
    def is_empty(self) -> bool:
        return self == Criteria(age_on=self.age_on)


DATE_FIELDS = {"age_on", "registered_since", "registered_before"}

# (low field, high field, message): a range whose low end is above its high end.
RANGES = [
    ("age_min", "age_max", _("The lowest age is above the highest age.")),
    (
        "registered_since",
        "registered_before",
        _("The registration period ends before it starts."),
    ),
    ("workers_min", "workers_max", _("The fewest workers is above the most workers.")),
]


def criteria_errors(criteria: Criteria) -> dict[str, list[str]]:
    """{field: [message]} for each contradictory range; empty when the rule can be used."""
    errors: dict[str, list[str]] = {}
    for low, high, message in RANGES:
        low_value, high_value = getattr(criteria, low), getattr(criteria, high)
        if low_value is None or high_value is None:
            continue
        # `registered_before` is exclusive: since == before selects no day at all.
        contradictory = (
            low_value >= high_value if low == "registered_since" else low_value > high_value
        )
        if contradictory:
            errors[high] = [str(message)]
    if any(not (1 <= month <= 12) for month in criteria.seasonal_months):
        errors["seasonal_months"] = [str(_("Months are numbered 1 to 12."))]
    return errors
