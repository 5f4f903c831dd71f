"""The dashboards (aggregates only) and the administrators' system overview."""

import csv

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import role_required
from accounts.selectors import user_assignments, user_roles
from accounts.types import AuthenticatedHttpRequest
from dashboards.forms import TREND_CHOICES, FilterForm, period_presets
from dashboards.selectors import ministry_dashboard, partner_dashboard, system_overview
from dashboards.services import rollups_refresh, rollups_state
from partners.models import Partner
from registry.selectors.people import NATIONAL_ROLES

DASHBOARD_ROLES = (
    Role.MINISTRY_OFFICER,
    Role.ADMINISTRATOR,
    Role.PROGRAMME_OFFICER,
    Role.CAMPAIGN_ORGANISER,
)
AREA_PARAMS = {"province_id": "province", "district_id": "district", "commune_id": "commune"}


def _private(request: AuthenticatedHttpRequest) -> bool:
    """Small counts are hidden from roles without national record access."""
    return not (user_roles(user=request.user) & NATIONAL_ROLES)


def _query(params: QueryDict, **changes) -> str:
    query = params.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = str(value)
    return query.urlencode()


def _figures_counted() -> None:
    """Where no Celery beat recounts the figures (the demo on its embedded database), the
    page recounts what changed before it reads them (settings.DASHBOARD_REFRESH_ON_VIEW)."""
    if settings.DASHBOARD_REFRESH_ON_VIEW:
        rollups_refresh()


def _dashboard_context(request: AuthenticatedHttpRequest) -> dict:
    _figures_counted()
    form = FilterForm(request.GET)
    form.is_valid()
    filters = form.filters()
    today = timezone.localdate()
    params = request.GET.copy()
    for key in ("format", "panel"):
        params.pop(key, None)

    def area_link(level: str, place) -> str:
        """The address of the same view, narrowed to `place` (one level down)."""
        deeper = dict.fromkeys(("province", "district", "commune", "village"))
        value = place.pk if level == "village_id" else place.code
        name = AREA_PARAMS.get(level, "village")
        return "?" + _query(params, **{**deeper, **_chain_params(form), name: value})

    private = _private(request)
    data = ministry_dashboard(
        filters=filters,
        today=today,
        private=private,
        trend=form.cleaned_data.get("trend") or "month",
        area_link=area_link,
    )
    levels = ("province", "district", "commune", "village")
    places = form.cleaned_data.get("places", [])
    crumbs = [(_("Cambodia"), "?" + _query(params, **dict.fromkeys(levels)))]
    for i, place in enumerate(places):
        chain = _chain_params(form, depth=i + 1)
        crumbs.append((place.name, "?" + _query(params, **{**dict.fromkeys(levels), **chain})))
    return {
        "form": form,
        "filters": filters,
        "data": data,
        "crumbs": crumbs,
        "presets": [
            (label, "?" + _query(params, start=start.isoformat() if start else None, end=None))
            for label, start, _end in period_presets(today)
        ],
        "trend_links": [
            (value, label, "?" + _query(params, trend=value)) for value, label in TREND_CHOICES
        ],
        "query": params.urlencode(),
        "private": private,
        "state": rollups_state(),
        "charts": {p.key: p.chart_data() for p in data["panels"]},
    }


def _chain_params(form: FilterForm, depth: int | None = None) -> dict:
    places = form.cleaned_data.get("places", [])[:depth]
    levels = ("province", "district", "commune", "village")
    return {
        lv: (p.pk if lv == "village" else p.code) for lv, p in zip(levels, places, strict=False)
    }


@login_required
@role_required(*DASHBOARD_ROLES)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = _dashboard_context(request)
    return render(request, "dashboards/dashboard.html", context)


@login_required
@role_required(*DASHBOARD_ROLES)
def dashboard_csv(request: AuthenticatedHttpRequest, panel: str) -> HttpResponse:
    """One panel's table, exactly as shown (hidden counts as "<5")."""
    context = _dashboard_context(request)
    found = next((p for p in context["data"]["panels"] if p.key == panel), None)
    if found is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dashboard-{panel}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([found.column or _("Category"), _("Registrants"), _("Share (%)")])
    for cell, share in found.rows:
        writer.writerow([cell.label, cell.shown, f"{share:.1f}" if share is not None else ""])
    writer.writerow([_("Total"), "<5" if found.total_hidden else found.total, ""])
    return response


@login_required
@role_required(Role.PARTNER_SUPERVISOR, Role.ADMINISTRATOR)
def partner(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A partner's supervisor: their own partner only (an administrator picks one)."""
    _figures_counted()
    if Role.ADMINISTRATOR in user_roles(user=request.user):
        allowed = Partner.objects.all()
    else:
        ids: set[int] = {
            a.partner_id
            for a in user_assignments(user=request.user)
            if a.role == Role.PARTNER_SUPERVISOR and a.partner_id is not None
        }
        allowed = Partner.objects.filter(pk__in=ids)
    asked = request.GET.get("partner", "")
    if asked:
        chosen = allowed.filter(pk=int(asked)).first() if asked.isdigit() else None
        if chosen is None:
            raise Http404
    else:
        chosen = allowed.order_by("name").first()
    if chosen is None:
        raise Http404
    data = partner_dashboard(partner=chosen, today=timezone.localdate())
    context = {
        "data": data,
        "charts": {"per_day": data["chart"]},
        "partners": list(allowed.order_by("name")) if allowed.count() > 1 else [],
        "state": rollups_state(),
    }
    return render(request, "dashboards/partner.html", context)


@login_required
@role_required(Role.ADMINISTRATOR)
def system(request: AuthenticatedHttpRequest) -> HttpResponse:
    overview = system_overview()
    role_counts = overview.pop("role_counts")
    context = {
        **overview,
        "role_counts": [(label, role_counts.get(value, 0)) for value, label in Role.choices],
    }
    return render(request, "dashboards/system.html", context)
