from django.db.models import Count, Q, QuerySet

from accounts.models import Role, User
from accounts.selectors import user_assignments, user_roles
from campaigns.models import Campaign


def campaign_list_visible_to(*, user: User) -> QuerySet[Campaign]:
    """Ministry and administrators see every campaign; organisers those in their area."""
    base = Campaign.objects.select_related("province", "district", "commune", "organiser")
    base = base.annotate(registered=Count("attributions"))
    if user_roles(user=user) & {Role.MINISTRY_OFFICER, Role.ADMINISTRATOR}:
        return base
    condition = Q(pk__in=[])
    for a in user_assignments(user=user):
        if a.role != Role.CAMPAIGN_ORGANISER:
            continue
        if a.commune_id:
            condition |= Q(commune_id=a.commune_id)
        elif a.district_id:
            condition |= Q(district_id=a.district_id)
        else:
            condition |= Q(province_id=a.province_id)
    return base.filter(condition)
