"""Who may open which campaign page, for the planning pages here and outreach's pages.

A campaign the user may not see answers 404 (as if it did not exist); one they see but
do not manage (partner staff) answers 403 on the pages that change it.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role
from accounts.types import AuthenticatedHttpRequest
from campaigns.models import Campaign, Event
from campaigns.selectors import (
    campaign_get_by_code,
    campaign_list_managed_by,
    campaign_list_visible_to,
    event_get_by_code,
)

VIEWERS = (
    Role.CAMPAIGN_ORGANISER,
    Role.MINISTRY_OFFICER,
    Role.ADMINISTRATOR,
    Role.BRANCH_STAFF,
    Role.PARTNER_SUPERVISOR,
)
PLANNERS = (Role.CAMPAIGN_ORGANISER, Role.MINISTRY_OFFICER, Role.ADMINISTRATOR)


def campaign_visible_or_404(request: AuthenticatedHttpRequest, code: str) -> Campaign:
    campaign = campaign_get_by_code(queryset=campaign_list_visible_to(user=request.user), code=code)
    if campaign is None:
        raise Http404
    return campaign


def campaign_managed_or_404(request: AuthenticatedHttpRequest, code: str) -> Campaign:
    """A campaign the user manages; one they only see is refused (403), others are 404."""
    campaign = campaign_visible_or_404(request, code)
    if not campaign_list_managed_by(user=request.user).filter(pk=campaign.pk).exists():
        raise PermissionDenied
    return campaign


def event_or_404(campaign: Campaign, code: str) -> Event:
    event = event_get_by_code(campaign=campaign, code=code)
    if event is None:
        raise Http404
    return event
