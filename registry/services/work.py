"""A registrant's work: the enterprise an owner runs, the employer a worker names.

Cleaning lives here; recording it is part of registering (registry.services.
registration_many), where an owner's enterprise and a worker's employer are written.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from geography.models import Village
from registry.models import Enterprise
from registry.models.people import ActorType
from registry.normalise import clean_text, khmer_digits_to_ascii

MAX_WORKERS = 500


@dataclass(frozen=True)
class WorkData:
    enterprise_name: str = ""
    workers: int = 0
    employer_id: int | None = None
    employer_name: str = ""
    seasonal_months: tuple[int, ...] = ()


def work_data_clean(*, raw: Mapping[str, Any], actor_type: str) -> WorkData:
    """Validate the work details that the actor type asks for; ignore the others."""
    errors: dict[str, list[ValidationError]] = {}
    values: dict[str, Any] = {}
    if actor_type == ActorType.MICROENTERPRISE_OWNER:
        name = clean_text(str(raw.get("enterprise_name") or ""))
        if not name:
            errors["enterprise_name"] = [
                ValidationError(_("Enter the name of your business."), code="enterprise_required")
            ]
        elif len(name) > 200:
            errors["enterprise_name"] = [
                ValidationError(_("Use at most 200 characters."), code="enterprise_length")
            ]
        values["enterprise_name"] = name
        workers = khmer_digits_to_ascii(clean_text(str(raw.get("workers") or "0")))
        if not workers.isdigit() or int(workers) > MAX_WORKERS:
            errors["workers"] = [
                ValidationError(
                    _("Enter the number of workers, from 0 to %(max)s."),
                    code="workers_invalid",
                    params={"max": MAX_WORKERS},
                )
            ]
        else:
            values["workers"] = int(workers)
    elif actor_type in (ActorType.MICROENTERPRISE_WORKER, ActorType.SEASONAL_WORKER):
        employer_id = str(raw.get("employer_id") or "")
        employer_name = clean_text(str(raw.get("employer_name") or ""))
        if employer_id.isdigit() and Enterprise.objects.filter(pk=employer_id).exists():
            values["employer_id"] = int(employer_id)
        elif employer_name:
            values["employer_name"] = employer_name[:200]
        else:
            errors["employer_name"] = [
                ValidationError(
                    _("Choose your employer from the list or type its name."),
                    code="employer_required",
                )
            ]
        if actor_type == ActorType.SEASONAL_WORKER:
            months = sorted({int(m) for m in raw.get("seasonal_months") or [] if str(m).isdigit()})
            if not months or any(m < 1 or m > 12 for m in months):
                errors["seasonal_months"] = [
                    ValidationError(
                        _("Tick the months in which you usually work."), code="months_required"
                    )
                ]
            values["seasonal_months"] = tuple(months)
    if errors:
        raise ValidationError(errors)
    return WorkData(**values)


def employer_choices(*, village: Village | None) -> list[Enterprise]:
    """Enterprises already registered in the same commune, for a worker to pick from."""
    if village is None:
        return []
    return list(Enterprise.objects.filter(village__commune_id=village.commune_id)[:200])
