from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts.models import Role
from accounts.permissions import role_required
from accounts.types import AuthenticatedHttpRequest
from campaigns.selectors import campaign_list_visible_to


@login_required
@role_required(Role.CAMPAIGN_ORGANISER, Role.MINISTRY_OFFICER, Role.ADMINISTRATOR)
def campaign_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaigns = campaign_list_visible_to(user=request.user).order_by("-starts_on")
    page = Paginator(campaigns, 25).get_page(request.GET.get("page"))
    return render(request, "campaigns/list.html", {"page": page})
