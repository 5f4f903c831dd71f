"""Who sees and who manages which campaigns: the one scoping rule every campaign page uses.

- ministry officers and administrators: every campaign, and they manage them all;
- campaign organisers: the campaigns inside one of their assigned areas, which they manage;
- branch staff and partner supervisors: the campaigns their partner takes part in (read only).
"""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from accounts.selectors import user_assignments, user_roles
from campaigns.models import Campaign, Event
from geography.areas import Area

NATIONAL_ROLES = {Role.MINISTRY_OFFICER, Role.ADMINISTRATOR}
PARTNER_ROLES = {Role.BRANCH_STAFF, Role.PARTNER_SUPERVISOR}


def user_is_national(*, user: User) -> bool:
    return bool(user_roles(user=user) & NATIONAL_ROLES)


def organiser_areas(*, user: User) -> list[Area]:
    """The areas a campaign organiser is assigned to (empty for other roles)."""
    return [a.area for a in user_assignments(user=user) if a.role == Role.CAMPAIGN_ORGANISER]


def user_partner_ids(*, user: User) -> set[int]:
    """The partners whose campaigns a branch staff member or supervisor sees."""
    ids = set()
    for a in user_assignments(user=user):
        if a.role == Role.BRANCH_STAFF and a.branch is not None:
            ids.add(a.branch.partner_id)
        elif a.role == Role.PARTNER_SUPERVISOR and a.partner_id:
            ids.add(a.partner_id)
    return ids


def _inside(area: Area) -> Q:
    """Campaigns whose area lies inside `area` (a campaign's levels are all filled above
    its deepest one: campaigns.services.campaign_clean)."""
    if area.village is not None:
        return Q(village_id=area.village.pk)
    if area.commune is not None:
        return Q(commune_id=area.commune.pk)
    if area.district is not None:
        return Q(district_id=area.district.pk)
    if area.province is not None:
        return Q(province_id=area.province.pk)
    return Q()


def campaign_list_visible_to(*, user: User) -> QuerySet[Campaign]:
    """The campaigns `user` may see, each with `registered` (registrations credited)."""
    base = Campaign.objects.select_related(
        "province", "district", "commune", "village", "organiser"
    )
    base = base.annotate(registered=Count("attributions"))
    if not user.is_authenticated:
        return base.none()
    if user_is_national(user=user):
        return base
    condition = Q(pk__in=[])
    for area in organiser_areas(user=user):
        condition |= _inside(area)
    partner_ids = user_partner_ids(user=user)
    if partner_ids:
        condition |= Q(pk__in=Campaign.objects.filter(partners__in=partner_ids).values("pk"))
    return base.filter(condition)


def campaign_list_managed_by(*, user: User) -> QuerySet[Campaign]:
    """The campaigns `user` may edit, add events to and run events of."""
    base = Campaign.objects.all()
    if user_is_national(user=user):
        return base
    condition = Q(pk__in=[])
    for area in organiser_areas(user=user):
        condition |= _inside(area)
    return base.filter(condition)


def campaign_can_manage(*, user: User, campaign: Campaign) -> bool:
    return campaign_list_managed_by(user=user).filter(pk=campaign.pk).exists()


def user_may_plan(*, user: User) -> bool:
    return user_is_national(user=user) or bool(organiser_areas(user=user))


def area_allowed_for(*, user: User, area: Area) -> bool:
    """Whether `user` may plan a campaign covering `area`."""
    if user_is_national(user=user):
        return True
    return any(mine.contains(area) for mine in organiser_areas(user=user))


def campaign_get_by_code(*, queryset: QuerySet[Campaign], code: str) -> Campaign | None:
    code = (code or "").strip()
    return queryset.filter(code__iexact=code).first() if code else None


def event_get_by_code(*, campaign: Campaign, code: str) -> Event | None:
    code = (code or "").strip()
    if not code:
        return None
    return (
        campaign.events.select_related("village__commune__district__province")
        .filter(code__iexact=code)
        .first()
    )


def campaign_list_running_for_partners(*, partner_ids: set[int]) -> QuerySet[Campaign]:
    """Campaigns the partners take part in that accept registrations today (the counter's pick)."""
    today = timezone.localdate()
    return (
        Campaign.objects.filter(partners__in=partner_ids, starts_on__lte=today, ends_on__gte=today)
        .exclude(status=Campaign.Status.CLOSED)
        .distinct()
        .order_by("name_en")
    )
