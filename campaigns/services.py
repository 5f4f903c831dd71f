from django.utils import timezone

from campaigns.models import Attribution, Campaign


def campaign_for_code(*, code: str) -> Campaign | None:
    """The campaign a poster's code names, if it is running today."""
    code = (code or "").strip()
    if not code:
        return None
    today = timezone.localdate()
    return Campaign.objects.filter(
        code__iexact=code, starts_on__lte=today, ends_on__gte=today
    ).first()


def attribution_record(*, person, campaign: Campaign, event=None) -> Attribution:
    attribution, _ = Attribution.objects.get_or_create(
        person=person, defaults={"campaign": campaign, "event": event}
    )
    return attribution
