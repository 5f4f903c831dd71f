"""The ministry's dashboard and the administrators' system overview: aggregates only."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from accounts.models import Role
from accounts.permissions import role_required
from accounts.types import AuthenticatedHttpRequest
from dashboards.selectors import registry_statistics, system_overview
from registry.models.people import ActorType, Channel, Sector
from registry.selectors.people import person_list_visible_to


@login_required
@role_required(Role.MINISTRY_OFFICER, Role.ADMINISTRATOR)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    stats = registry_statistics(
        queryset=person_list_visible_to(user=request.user, include_inactive=True)
    )
    name_key = "name_en" if get_language() == "en" else "name_km"
    labels = {
        "actor_type": dict(ActorType.choices),
        "sector": dict(Sector.choices),
        "channel": dict(Channel.choices),
    }
    charts = {
        "province": {
            "labels": [
                row[f"village__commune__district__province__{name_key}"]
                for row in stats["by_province"]
            ],
            "values": [row["n"] for row in stats["by_province"]],
        },
        "month": {
            "labels": [row["month"].strftime("%Y-%m") for row in stats["by_month"]],
            "values": [row["n"] for row in stats["by_month"]],
        },
    }
    for field in ("actor_type", "sector", "channel"):
        rows = stats[f"by_{field}"]
        charts[field] = {
            "labels": [str(labels[field].get(r[field], r[field])) for r in rows],
            "values": [r["n"] for r in rows],
        }
    province_rows = list(
        zip(charts["province"]["labels"], charts["province"]["values"], strict=True)
    )
    context = {"stats": stats, "charts": charts, "province_rows": province_rows}
    return render(request, "dashboards/dashboard.html", context)


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
