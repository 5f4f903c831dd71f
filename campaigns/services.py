from typing import TYPE_CHECKING

from django.utils import timezone

from campaigns.models import Attribution, Campaign, Event

if TYPE_CHECKING:
    # For the annotation only: the registry sits above campaigns (pyproject, importlinter).
    from registry.models import Person


def campaign_for_code(*, code: str) -> Campaign | None:
    """The campaign a poster's code names, if it is running today."""
    code = (code or "").strip()
    if not code:
        return None
    today = timezone.localdate()
    return Campaign.objects.filter(
        code__iexact=code, starts_on__lte=today, ends_on__gte=today
    ).first()


def attribution_record(
    *, person: "Person", campaign: Campaign, event: Event | None = None
) -> Attribution:
    attribution, _ = Attribution.objects.get_or_create(
        person=person, defaults={"campaign": campaign, "event": event}
    )
    return attribution
