"""The campaign page and its figures, event mode, and the roll-out view /campaigns/coverage/."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
from campaigns.models import Campaign, Event
from campaigns.selectors import (
    campaign_can_manage,
)
from geography.forms import is_picker_refresh, picker_keep
from geography.models import District, Province
from outreach.coverage import LEVELS, coverage, coverage_sorted
from outreach.forms import EventRegistrationForm
from outreach.selectors import campaign_figures
from registry.forms.registration import (
    ConsentForm,
    DetailsForm,
    WorkForm,
    WorkplaceForm,
    assisted_data_clean,
    unprefixed,
)
from registry.models.people import Channel
from registry.regnumber import registration_number_display
from registry.services.registration import registration_submit


@login_required
@role_required(*VIEWERS)
def campaign_page(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    campaign = campaign_visible_or_404(request, code)
    figures = campaign_figures(campaign=campaign)
    charts = {
        "progress": {
            "labels": [f"{day:%Y-%m-%d}" for day, _n in figures.cumulative],
            "values": [n for _day, n in figures.cumulative],
            "target": figures.target,
            "label": _("Registrations"),
            "target_label": _("Target"),
        },
        "channel": _series(figures.channel),
        "actor_type": _series(figures.actor_type),
        "sex": _series(figures.sex),
        "events": {
            "labels": [e.name for e in figures.events],
            "attendance": [e.actual_attendance or 0 for e in figures.events],
            "registered": [e.registered for e in figures.events],
            "attendance_label": _("Actual attendance"),
            "registered_label": _("Registrations"),
        },
    }
    context = {
        "campaign": campaign,
        "figures": figures,
        "charts": charts,
        "may_manage": campaign_can_manage(user=request.user, campaign=campaign),
        "today": timezone.localdate(),
        "link": request.build_absolute_uri(reverse("registry:register"))
        + f"?campaign={campaign.code}",
    }
    return render(request, "outreach/campaign.html", context)


def _series(rows: list[tuple[str, int]]) -> dict:
    return {"labels": [label for label, _n in rows], "values": [n for _label, n in rows]}


@login_required
@role_required(*VIEWERS)
def campaign_csv(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """The campaign page's figures as CSV, one row per figure, in the user's language."""
    campaign = campaign_visible_or_404(request, code)
    figures = campaign_figures(campaign=campaign)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.code}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 (Khmer) correctly with a BOM
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Figure"),
            _("Item"),
            _("Registrations"),
            _("Expected attendance"),
            _("Actual attendance"),
        ]
    )
    writer.writerow([_("Total"), campaign.name, figures.total, "", ""])
    writer.writerow([_("Target"), campaign.name, figures.target, "", ""])
    for day, n in figures.days:
        writer.writerow([_("Day"), f"{day:%Y-%m-%d}", n, "", ""])
    for title, rows in (
        (_("Channel"), figures.channel),
        (_("Type of work"), figures.actor_type),
        (_("Sex"), figures.sex),
    ):
        for label, n in rows:
            writer.writerow([title, label, n, "", ""])
    for village_code, label, n in figures.villages:
        writer.writerow([_("Village"), f"{label} ({village_code})", n, "", ""])
    for event in figures.events:
        writer.writerow(
            [
                _("Event"),
                f"{event.name} ({event.held_on:%Y-%m-%d}, {event.code})",
                event.registered,
                "" if event.expected_attendance is None else event.expected_attendance,
                "" if event.actual_attendance is None else event.actual_attendance,
            ]
        )
    return response


def _event_forms(data=None):
    actor_type = (data or {}).get("w-actor_type", "")
    forms = {
        "event_form": EventRegistrationForm(data),
        "details": DetailsForm(data, prefix="d"),
        "work": WorkForm(data, prefix="w"),
        "workplace": WorkplaceForm(data, prefix="p", actor_type=actor_type),
        "consent": ConsentForm(data),
    }
    # At an event the organiser reads the registrant's questions to the person.
    forms["work"].fields["actor_type"].label = _("The person's type of work")
    return forms


@login_required
@role_required(*PLANNERS)
@require_http_methods(["GET", "POST"])
def event_register(request: AuthenticatedHttpRequest, code: str, event_code: str) -> HttpResponse:
    """Event mode: an organiser registers people one after another on a phone or tablet,
    through the registry's one registration service, each credited to the event."""
    campaign = campaign_managed_or_404(request, code)
    event = event_or_404(campaign, event_code)
    if not campaign.accepts_registrations:
        return _render_event(request, campaign, event, None)
    if request.method == "GET":
        return _render_event(request, campaign, event, _event_forms())
    forms = _event_forms(request.POST)
    if is_picker_refresh(request.POST):
        forms["details"] = DetailsForm(initial=unprefixed(request.POST, "d"), prefix="d")
        picker_keep(forms["details"], "d-village", request.POST)
        return _render_event(request, campaign, event, forms)
    if not all(form.is_valid() for form in forms.values()):
        return _render_event(request, campaign, event, forms)
    wanted = forms["consent"].wanted()
    if wanted and not forms["event_form"].cleaned_data["consent_confirmed"]:
        forms["event_form"].add_error(
            "consent_confirmed",
            _("Confirm that the person agreed to each ticked purpose, or untick them."),
        )
        return _render_event(request, campaign, event, forms)
    cleaned = assisted_data_clean(
        details=forms["details"],
        work=forms["work"],
        workplace=forms["workplace"],
        phone=forms["event_form"].cleaned_data["phone"],
    )
    if cleaned is None:
        return _render_event(request, campaign, event, forms)
    data, work = cleaned
    person, _created = registration_submit(
        data=data,
        work=work,
        consents=wanted,
        channel=Channel.CAMPAIGN,
        entered_by=request.user,
        campaign=campaign,
        event=event,
    )
    messages.success(
        request,
        _("Registered. Registration number: %(n)s. Next person.")
        % {"n": registration_number_display(person.registration_number)},
    )
    return redirect("outreach:event_register", code=campaign.code, event_code=event.code)


def _render_event(request, campaign: Campaign, event: Event, forms) -> HttpResponse:
    context = {
        "campaign": campaign,
        "event": event,
        "forms": forms,
        "registered": event.attributions.count(),
    }
    if forms is not None:
        context.update(forms)
        context["form"] = forms["consent"]
        context["programmes"] = forms["consent"].programmes
    return render(request, "outreach/event_register.html", context)


@login_required
@role_required(*PLANNERS)
def coverage_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Province → district → commune: registered people, campaigns held, the last one's
    date, and the areas no campaign has reached yet."""
    province = _pk_or_none(Province, request.GET.get("province"))
    district = _pk_or_none(District, request.GET.get("district"))
    if district is not None:
        level, parent, province = "commune", district, district.province
    elif province is not None:
        level, parent = "district", province
    else:
        level, parent = "province", None
    figures = coverage(level=level, parent=parent)
    sort = request.GET.get("sort", "code")
    descending = request.GET.get("dir") == "desc"
    rows = coverage_sorted(figures.rows, key=sort, descending=descending)
    only_unreached = request.GET.get("unreached") == "1"
    if only_unreached:
        rows = [r for r in rows if not r.reached]
    over_time = figures.over_time()
    context = {
        "figures": figures,
        "rows": rows,
        "level": level,
        "next_level": LEVELS[LEVELS.index(level) + 1] if level != "commune" else None,
        "province": province,
        "district": district,
        "sort": sort,
        "descending": descending,
        "only_unreached": only_unreached,
        "unreached": len(figures.rows) - figures.reached,
        "chart_data": {
            "coverage": {
                "labels": [month for month, _n in over_time],
                "values": [n for _month, n in over_time],
                "total": len(figures.rows),
                "label": _("Areas reached"),
                "total_label": _("All areas"),
            }
        },
        "has_chart": bool(over_time),
        "columns": [
            ("name", LEVEL_TITLES[level], False),
            ("registered", _("Registered people"), True),
            ("campaigns", _("Campaigns held"), True),
            ("last", _("Last campaign"), False),
        ],
        "filter_query": "".join(
            f"{key}={value}&"
            for key, value in (
                ("province", province.pk if province and not district else None),
                ("district", district.pk if district else None),
                ("unreached", 1 if only_unreached else None),
            )
            if value is not None
        ),
        "drill_param": level,
    }
    return render(request, "outreach/coverage.html", context)


LEVEL_TITLES = {
    "province": gettext_lazy("Province"),
    "district": gettext_lazy("District"),
    "commune": gettext_lazy("Commune"),
}


def _pk_or_none(model, value):
    if not value or not str(value).isdigit():
        return None
    return model.objects.filter(pk=int(value)).first()
