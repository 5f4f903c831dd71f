"""Planning pages for organisers: the campaign list, campaign and event forms, posters.

The campaign page with its figures, event mode and the roll-out view read the registry,
which sits above this app: they live in `outreach` (README, "Architecture").
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import role_required
from accounts.types import AuthenticatedHttpRequest
from campaigns.access import (
    PLANNERS,
    VIEWERS,
    campaign_managed_or_404,
    campaign_visible_or_404,
    event_or_404,
)
from campaigns.forms import CampaignForm, EventForm
from campaigns.models import Campaign, Event
from campaigns.posters import poster_pdf
from campaigns.selectors import (
    campaign_list_visible_to,
    user_may_plan,
)
from campaigns.services import campaign_create, campaign_update, event_create, event_update
from geography.forms import is_picker_refresh, picker_keep

PAGE_SIZE = 25


@login_required
@role_required(*VIEWERS)
def campaign_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    campaigns = campaign_list_visible_to(user=request.user)
    query = request.GET.get("q", "").strip()
    if query:
        campaigns = campaigns.filter(
            Q(code__iexact=query) | Q(name_km__icontains=query) | Q(name_en__icontains=query)
        )
    status = request.GET.get("status", "")
    if status in Campaign.Status.values:
        campaigns = campaigns.filter(status=status)
    page = Paginator(campaigns.order_by("-starts_on", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "query": query,
        "status": status,
        "statuses": Campaign.Status.choices,
        "may_plan": user_may_plan(user=request.user),
        "may_see_coverage": user_may_plan(user=request.user),
    }
    return render(request, "campaigns/list.html", context)


def _render_campaign_form(request, form, campaign=None) -> HttpResponse:
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


def _campaign_form_post(request, campaign=None) -> tuple[CampaignForm, bool]:
    if is_picker_refresh(request.POST):
        # The no-JavaScript area picker asked for the next level: redisplay, keep input.
        initial = {k: request.POST.get(k) for k in CampaignForm.base_fields if k != "area"}
        initial["partners"] = request.POST.getlist("partners")
        form = CampaignForm(actor=request.user, campaign=campaign, initial=initial)
        picker_keep(form, "area", request.POST)
        return form, False
    form = CampaignForm(request.POST, actor=request.user, campaign=campaign)
    return form, form.is_valid()


@login_required
@role_required(*PLANNERS)
@require_http_methods(["GET", "POST"])
def campaign_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not user_may_plan(user=request.user):
        raise PermissionDenied
    if request.method == "GET":
        return _render_campaign_form(request, CampaignForm(actor=request.user))
    form, valid = _campaign_form_post(request)
    if not valid:
        return _render_campaign_form(request, form)
    campaign = campaign_create(actor=request.user, data=form.data_object)
    messages.success(
        request, _("Campaign planned. Its code is %(code)s.") % {"code": campaign.code}
    )
    return redirect("outreach:campaign", code=campaign.code)


@login_required
@role_required(*PLANNERS)
@require_http_methods(["GET", "POST"])
def campaign_edit(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    campaign = campaign_managed_or_404(request, code)
    if request.method == "GET":
        form = CampaignForm(actor=request.user, campaign=campaign)
        return _render_campaign_form(request, form, campaign)
    form, valid = _campaign_form_post(request, campaign)
    if not valid:
        return _render_campaign_form(request, form, campaign)
    campaign_update(actor=request.user, campaign=campaign, data=form.data_object)
    messages.success(request, _("Saved."))
    return redirect("outreach:campaign", code=campaign.code)


def _render_event_form(request, form, campaign, event=None) -> HttpResponse:
    context = {"form": form, "campaign": campaign, "event": event}
    return render(request, "campaigns/event_form.html", context)


@login_required
@role_required(*PLANNERS)
@require_http_methods(["GET", "POST"])
def event_new(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    campaign = campaign_managed_or_404(request, code)
    return _event_form_view(request, campaign, None)


@login_required
@role_required(*PLANNERS)
@require_http_methods(["GET", "POST"])
def event_edit(request: AuthenticatedHttpRequest, code: str, event_code: str) -> HttpResponse:
    campaign = campaign_managed_or_404(request, code)
    return _event_form_view(request, campaign, event_or_404(campaign, event_code))


def _event_form_view(request, campaign: Campaign, event: Event | None) -> HttpResponse:
    if request.method == "GET":
        initial = None if event else {"held_on": max(campaign.starts_on, timezone.localdate())}
        kwargs = {"initial": initial} if initial else {}
        return _render_event_form(
            request, EventForm(campaign=campaign, event=event, **kwargs), campaign, event
        )
    form = EventForm(request.POST, campaign=campaign, event=event)
    if is_picker_refresh(request.POST):
        form = EventForm(
            campaign=campaign,
            event=event,
            initial={k: v for k, v in request.POST.items() if k in form.fields},
        )
        picker_keep(form, "village", request.POST)
        return _render_event_form(request, form, campaign, event)
    if not form.is_valid():
        return _render_event_form(request, form, campaign, event)
    if event is None:
        event = event_create(campaign=campaign, data=form.data_object)
        messages.success(request, _("Event added. Its code is %(code)s.") % {"code": event.code})
    else:
        event_update(event=event, data=form.data_object)
        messages.success(request, _("Saved."))
    return redirect(reverse("outreach:campaign", kwargs={"code": campaign.code}) + "#events")


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _register_link(request, code: str) -> str:
    return request.build_absolute_uri(reverse("registry:register") + f"?campaign={code}")


@login_required
@role_required(*VIEWERS)
def campaign_poster(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    campaign = campaign_visible_or_404(request, code)
    link = _register_link(request, campaign.code)
    return _pdf(poster_pdf(campaign=campaign, link=link), f"poster-{campaign.code}.pdf")


@login_required
@role_required(*VIEWERS)
def event_poster(request: AuthenticatedHttpRequest, code: str, event_code: str) -> HttpResponse:
    campaign = campaign_visible_or_404(request, code)
    event = event_or_404(campaign, event_code)
    link = _register_link(request, event.code or campaign.code)
    return _pdf(poster_pdf(campaign=campaign, event=event, link=link), f"poster-{event.code}.pdf")
