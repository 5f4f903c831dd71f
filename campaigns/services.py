from django.utils import timezone

from campaigns.models import Campaign

# A registration credits its campaign in registry.services.registration_many (the
# registry sits above campaigns), with the other rows of the registration.


def campaign_for_code(*, code: str) -> Campaign | None:
    """The campaign a poster's code names, if it is running today."""
    code = (code or "").strip()
    if not code:
        return None
    today = timezone.localdate()
    return Campaign.objects.filter(
        code__iexact=code, starts_on__lte=today, ends_on__gte=today
    ).first()
